"""Files that come in through chat (a report, a chronology, a template) are checked as archives
before anything parses them, and read in a document worker: a hostile file gets a clear message
and changes nothing, and while one document is being read everyone else is still answered."""

import asyncio
import json
import os
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from imr_bot.documents import jobs
from imr_bot.documents.checker import check as real_check
from imr_bot.documents.worker import DocumentWorkers
from imr_bot.domain.people import Actor
from imr_bot.store import tables
from imr_bot.store.unit_of_work import UnitOfWork
from tests.documents.archives import MB, Part, archive, prose, word, zeros_part
from tests.documents.test_checker import DERBYSHIRE, chronology, report
from tests.documents.test_worker import with_body
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    LINE_MANAGER,
    QA_LEAD,
    card_text,
    cards,
    texts,
)
from tests.teams.test_approvals import REF, FileHost, host, midway  # noqa: F401

REFUSED = "was not accepted, and nothing was saved: "


def hostile() -> dict[str, bytes]:
    """One of each class of hostile file, as someone could send it."""
    return {
        "bomb in document.xml": archive([Part("[Content_Types].xml", b"<Types/>"),
                                         zeros_part("word/document.xml", 300 * MB)]),
        "high ratio part": word(zeros_part("word/styles.xml", 8 * MB)),
        "many parts": word(*[Part(f"word/p{n}.xml", b"<a/>") for n in range(1500)]),
        "lying size": word(zeros_part("word/header1.xml", 30 * MB, size=2048)),
        "nested zip": word(Part("word/media/image1.png", word(), method=zipfile.ZIP_STORED)),
        "not a zip": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
        "climbing name": word(Part("../../../tmp/imr.xml", b"<a/>")),
        "over the total": word(*[Part(f"word/header{n}.xml", prose(20 * MB)) for n in range(3)]),
        "entities": word(document=b'<!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'),
    }


HOSTILE = hostile()


async def stored(teams, table) -> int:
    """How many rows `table` holds: what a refusal must leave as it was."""
    from sqlalchemy import func, select

    async with UnitOfWork(teams.app.database) as uow:
        return (await uow.connection.execute(select(func.count()).select_from(table))).scalar()


async def author(teams) -> Actor:
    async with UnitOfWork(teams.app.database) as uow:
        person = await uow.people.by_email(AUTHOR.email)
    return Actor(person.email, person.name, person)


@pytest.mark.parametrize("kind", list(HOSTILE))
async def test_a_hostile_file_sent_for_a_submission_is_refused_and_nothing_is_kept(midway, host,  # noqa: F811
                                                                                   kind):
    await midway.say(AUTHOR, f"imr submit {REF}")
    documents, audit = await stored(midway, tables.documents), await stored(midway, tables.audit)
    reply = texts(await midway.send_files(AUTHOR, [host.url("Chronology.docx", HOSTILE[kind])]))
    assert f"“Chronology.docx” {REFUSED}" in reply
    assert "Traceback" not in reply and "went wrong" not in reply
    assert (await stored(midway, tables.documents), await stored(midway, tables.audit)) == (
        documents, audit)
    # and the author can go on with a real one
    reply = texts(await midway.send_files(AUTHOR, [host.url("Chronology.docx", chronology())]))
    assert "chronology: Chronology.docx" in reply


@pytest.mark.parametrize("kind", ["bomb in document.xml", "nested zip", "not a zip",
                                  "climbing name", "entities"])
async def test_a_hostile_template_upload_is_refused_and_no_template_is_kept(midway, host, kind):  # noqa: F811
    replies = await midway.send_files(BUSINESS_SERVICES, [host.url("DHR template.docx",
                                                                   HOSTILE[kind])],
                                      text="imr template upload DHR imr")
    assert f"“DHR template.docx” {REFUSED}" in texts(replies)
    assert await stored(midway, tables.org_templates) == 0


async def test_a_hostile_template_stored_before_the_check_is_refused_when_used(midway):  # noqa: F811
    async with UnitOfWork(midway.app.database) as uow:
        review = await uow.reviews.get(REF)
        await uow.org_templates.put(f"review:{review.id}", "imr", "old.docx",
                                    HOSTILE["bomb in document.xml"], "bs", midway.clock.now())
        await uow.commit()
    reply = texts(await midway.say(AUTHOR, f"imr template imr {REF}"))
    assert f"“old.docx” {REFUSED}" in reply and "unpacks to more than 25 MB" in reply


async def test_a_hostile_document_stored_before_the_check_is_not_read_and_the_check_says_why(midway):  # noqa: F811
    actor = await author(midway)
    async with UnitOfWork(midway.app.database) as uow:
        review = await uow.reviews.get(REF)
        for kind, name, content in (("report", "r.docx", report(DERBYSHIRE)),
                                    ("chronology", "c.docx", HOSTILE["lying size"])):
            await uow.submissions.add_document(
                review_id=review.id, kind=kind, filename=name, content_type="x", content=content,
                link=None, sha256=f"{kind}-old", by=actor.key, at=midway.clock.now())
        await uow.commit()
    from imr_bot.services import approvals

    await approvals.submit(midway.app.ctx, actor, REF)
    (card,) = cards(await midway.say(QA_LEAD, f"imr check {REF}"))
    shown = str(card)
    assert "the chronology was not read: a part of it holds more than the archive says" in shown


async def test_imr_check_reads_the_same_bytes_once(midway, host, monkeypatch):  # noqa: F811
    calls = []

    def counted(*args):
        calls.append(args[1:3])
        return jobs_check(*args)

    jobs_check = jobs.check
    monkeypatch.setattr(jobs, "check", counted)
    await midway.say(AUTHOR, f"imr submit {REF}")
    replies = await midway.send_files(AUTHOR, [host.url("IMR report.docx", report(DERBYSHIRE)),
                                               host.url("Chronology.docx", chronology())])
    (confirm,) = cards(replies)
    await midway.submit(AUTHOR, confirm["actions"][0]["data"])
    assert len(calls) == 1  # the submission's own check, before its transaction
    for _ in range(3):
        (card,) = cards(await midway.say(QA_LEAD, f"imr check {REF}"))
        assert "Document check" in str(card)
    assert len(calls) == 1
    assert real_check  # the check itself is unchanged


# -- liveness: one document being read does not hold up anyone else ---------------------------
def _hold_paths(bot_pid: int) -> Path:
    return Path(tempfile.gettempdir()) / f"imr-test-hold-{bot_pid}.json"


def held_check(*args):
    """A check that waits, in its worker, until the test lets it go (the test, the worker's
    parent, says where in a file named by its process id)."""
    paths = json.loads(_hold_paths(os.getppid()).read_text())
    Path(paths["held"]).write_text("started")
    release = Path(paths["release"])
    for _ in range(600):
        if release.exists():
            break
        time.sleep(0.05)
    return jobs.check(*args)


async def until(condition, seconds: float = 60) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("waited too long")


async def test_while_a_document_is_checked_someone_elses_status_is_answered(midway, host,  # noqa: F811
                                                                           monkeypatch, tmp_path):
    await midway.say(AUTHOR, f"imr submit {REF}")
    replies = await midway.send_files(AUTHOR, [host.url("IMR report.docx", report(DERBYSHIRE)),
                                               host.url("Chronology.docx", chronology())])
    (confirm,) = cards(replies)
    await midway.submit(AUTHOR, confirm["actions"][0]["data"])
    # a real worker process from now on, and a check in it that waits to be let go
    workers = DocumentWorkers(workers=1, memory_mb=512, seconds=120)
    monkeypatch.setattr(midway.app.ctx, "documents", workers)
    monkeypatch.setattr(jobs, "check", held_check)
    hold = _hold_paths(os.getpid())
    hold.write_text(json.dumps({"held": str(tmp_path / "held"),
                                "release": str(tmp_path / "release")}))
    try:
        checking = asyncio.ensure_future(midway.say(QA_LEAD, f"imr check {REF}"))
        await until(lambda: (tmp_path / "held").exists())
        status = await midway.say(LINE_MANAGER, "imr status")
        assert REF in " ".join(card_text(c) for c in cards(status))
        assert not checking.done()  # answered while the check was still being read
        (tmp_path / "release").write_text("go")
        (card,) = cards(await checking)
        assert "Document check" in str(card)
    finally:
        hold.unlink()
        await workers.close()


async def test_a_document_too_slow_to_read_is_refused_and_others_are_answered_meanwhile(
        midway, host, monkeypatch):  # noqa: F811
    # legitimate by every archive limit, and slow to read: the time cap (far shorter than the
    # document takes to read, so that a fast machine still hits it) stops it
    text = prose(150_000 * 120)
    slow = with_body(chronology(), b"".join(
        b"<w:p><w:r><w:t>" + text[at:at + 120] + b"</w:t></w:r></w:p>"
        for at in range(0, len(text), 120)))
    workers = DocumentWorkers(workers=1, memory_mb=768, seconds=2)
    monkeypatch.setattr(midway.app.ctx, "documents", workers)
    try:
        await midway.say(AUTHOR, f"imr submit {REF}")
        replies = await midway.send_files(AUTHOR, [host.url("IMR report.docx", report(DERBYSHIRE)),
                                                   host.url("Chronology.docx", slow)])
        (confirm,) = cards(replies)
        submitting = asyncio.ensure_future(midway.submit(AUTHOR, confirm["actions"][0]["data"]))
        await until(lambda: workers.running == 1 and workers.started >= 3)
        status = await midway.say(LINE_MANAGER, "imr status")
        assert REF in " ".join(card_text(c) for c in cards(status))
        assert not submitting.done()
        assert "Submitted" in texts(await submitting)  # the submission goes on, unchecked
        started = workers.started
        reply = texts(await midway.say(QA_LEAD, f"imr check {REF}"))
        assert "I could not check" in reply and "longer than 2 seconds" in reply
        assert workers.started == started  # remembered: not read again
    finally:
        await workers.close()
