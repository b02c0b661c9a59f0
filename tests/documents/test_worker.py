"""Document workers are real processes capped in memory and time: a job past either is refused
with a reason, its worker killed and replaced, and the bot's own process carries on."""

import asyncio
import os
import time

import pytest

from imr_bot.documents import jobs
from imr_bot.documents.safety import ArchiveLimits
from imr_bot.documents.worker import DocumentWorkers
from imr_bot.domain.errors import DocumentRefused, DomainError
from tests.documents.archives import MB
from tests.documents.test_checker import chronology

# -- jobs, run in the worker by name ------------------------------------------------------------


def pid() -> int:
    return os.getpid()


def allocate(megabytes: int) -> int:
    block = bytearray(megabytes * MB)
    block[::4096] = b"\x01" * len(block[::4096])  # touched, not only reserved
    return len(block)


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def crash() -> None:
    os._exit(3)


def fail() -> None:
    raise ValueError("a parser's own complaint, with a path /srv/secret in it")


def environment() -> dict:
    return dict(os.environ)


class Named(DomainError):
    """A refusal whose constructor takes more than its message."""

    def __init__(self, filename: str, problems: list[str]):
        self.filename, self.problems = filename, problems
        super().__init__(f"I can't use “{filename}”: " + "; ".join(problems))


def refuse_by_name() -> None:
    raise Named("t.docx", ["{{ x.__class__ }} walks into internals"])


def alive(process_id: int) -> bool:
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    try:  # a killed child not yet reaped is a zombie: not alive for us
        with open(f"/proc/{process_id}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def many_paragraphs(count: int) -> bytes:
    """Short paragraphs of ordinary words: a few MB that packs as text does."""
    import random

    chooser = random.Random(count)
    words = [b"child", b"social", b"worker", b"visit", b"school", b"police", b"health", b"plan"]
    return b"".join(b"<w:p><w:r><w:t>" + chooser.choice(words) + b"</w:t></w:r></w:p>"
                    for _ in range(count))


def with_body(document: bytes, body: bytes) -> bytes:
    """A real Word document with `body` at the start of its own."""
    import io
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(document)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                at = data.index(b"<w:body>") + len(b"<w:body>")
                data = data[:at] + body + data[at:]
            target.writestr(info.filename, data)
    return out.getvalue()


@pytest.fixture
async def workers():
    started = DocumentWorkers(workers=1, memory_mb=256, seconds=20)
    yield started
    await started.close()


async def test_a_job_that_needs_more_memory_than_the_cap_is_refused_and_its_worker_replaced(workers):
    first = await workers.run(pid)
    assert first != os.getpid()  # a process of its own
    with pytest.raises(DocumentRefused) as refused:
        await workers.run(allocate, 512, name="IMR report.docx")
    assert str(refused.value) == ("“IMR report.docx” was not accepted, and nothing was saved: "
                                  "reading it needed more than 256 MB of memory, far more than "
                                  "a document should; please send a smaller or simpler document, "
                                  "or share a SharePoint or OneDrive link.")
    second = await workers.run(pid)
    assert second != first
    assert await workers.run(allocate, 64) == 64 * MB  # within the cap, the new worker works


async def test_a_real_document_that_needs_more_memory_than_the_cap_is_refused(workers):
    # legitimate by every archive limit: ordinary text, packing a few times; too big to parse
    # in 256 MB
    body = many_paragraphs(600_000)
    content = with_body(chronology(), body)
    assert len(body) < 25 * MB
    await workers.run(jobs.inspect, ArchiveLimits(), "report.docx", content)  # it passes
    with pytest.raises(DocumentRefused) as refused:
        await workers.run(jobs.check, ArchiveLimits(), content, None, "derbyshire", None)
    assert "more than 256 MB of memory" in refused.value.reason
    assert await workers.run(allocate, 16) == 16 * MB


async def test_a_job_past_its_time_is_killed_and_its_worker_replaced():
    workers = DocumentWorkers(workers=1, memory_mb=256, seconds=2)
    try:
        first = await workers.run(pid)
        with pytest.raises(DocumentRefused) as refused:
            await workers.run(sleep, 60, name="chronology.docx")
        assert "it took longer than 2 seconds to read" in str(refused.value)
        for _ in range(50):  # killed, not left running
            if not alive(first):
                break
            await asyncio.sleep(0.1)
        assert not alive(first)
        assert await workers.run(pid) != first
    finally:
        await workers.close()


async def test_a_worker_that_dies_or_a_job_that_fails_is_a_refusal_without_a_trace(workers):
    with pytest.raises(DocumentRefused) as refused:
        await workers.run(crash, name="report.docx")
    assert "reading it stopped the reader" in str(refused.value)
    with pytest.raises(DocumentRefused) as refused:
        await workers.run(fail, name="report.docx", unreadable="it could not be read")
    assert str(refused.value).endswith("nothing was saved: it could not be read.")
    assert "secret" not in str(refused.value) and "ValueError" not in str(refused.value)
    assert await workers.run(sleep, 0) == 0


async def test_while_one_job_is_slow_another_finishes_and_the_loop_stays_free():
    workers = DocumentWorkers(workers=2, memory_mb=256, seconds=30)
    try:
        await asyncio.gather(workers.run(pid), workers.run(pid))  # both started
        slow = asyncio.ensure_future(workers.run(sleep, 3))
        await asyncio.sleep(0.2)
        assert await workers.run(sleep, 0) == 0
        assert not slow.done()
        ticks = 0
        while not slow.done():  # the bot's own loop runs meanwhile
            ticks += 1
            await asyncio.sleep(0.05)
        assert await slow == 3 and ticks > 5
    finally:
        await workers.close()


async def test_without_workers_jobs_run_in_the_process_with_the_same_refusals():
    workers = DocumentWorkers(workers=0)
    assert await workers.run(pid) == os.getpid()
    with pytest.raises(DocumentRefused) as refused:
        await workers.run(jobs.inspect, ArchiveLimits(), "x.docx", b"not a zip")
    assert "it is not a Word document" in str(refused.value)
    with pytest.raises(DocumentRefused):
        await workers.run(fail)


async def test_a_worker_is_not_given_the_bots_secrets(workers, monkeypatch):
    monkeypatch.setenv("IMR_AUDIT_KEY", "k" * 40)
    monkeypatch.setenv("MicrosoftAppPassword", "app-password")
    monkeypatch.setenv("IMR_DATABASE_URL", "postgresql://imr:secret@db/imr")
    seen = await workers.run(environment)
    assert not {"IMR_AUDIT_KEY", "MicrosoftAppPassword", "IMR_DATABASE_URL"} & set(seen)
    assert "secret" not in str(seen) and "app-password" not in str(seen)


async def test_a_jobs_own_named_refusal_comes_back_as_itself(workers):
    with pytest.raises(Named) as refused:
        await workers.run(refuse_by_name)
    assert (refused.value.filename, refused.value.problems) == (
        "t.docx", ["{{ x.__class__ }} walks into internals"])
    assert str(refused.value) == "I can't use “t.docx”: {{ x.__class__ }} walks into internals"
    assert await workers.run(sleep, 0) == 0
