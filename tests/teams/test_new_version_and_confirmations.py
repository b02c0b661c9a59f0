"""Resubmission after amendments ("Send a new version": one document replaced, the other carried
forward), the Service Director's card with the rounds so far, and the irreversible steps asked
about on a card first (approving with nothing ticked, closing the review)."""

from imr_bot.documents.checker import CheckResult
from imr_bot.documents.checker.result import BY_CODE
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services.access import REFUSAL
from imr_bot.store.unit_of_work import UnitOfWork
from tests.documents.test_checker import DERBYSHIRE, ROWS, chronology, report
from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, QA_LEAD, SD, cards, texts
from tests.teams.harness import card_text as card_words
from tests.teams.test_approvals import (  # noqa: F401 - fixtures
    REF,
    approval_card,
    execute_data,
    host,
    midway,
    stage,
    submit_files,
    word,
)

SD_TITLE = "Service Director (EH&S)"
OLDER = ("14/02/2025", "Health", "Missed appointment followed up by letter.", "Seen in March")


def card_text(card: dict) -> str:
    """The card's words, with a file name's dots as typed (Teams is shown them as one-dot
    leaders, so that a name never becomes a link)."""
    return card_words(card).replace("\u2024", ".")


def button(card: dict, title: str) -> dict:
    return next(a for a in card.get("actions", []) if a["title"] == title)


async def amend(teams, version: int, comment: str, user=QA_LEAD, level="QA senior lead"):
    await teams.execute(user, "approval.amend", {
        **execute_data(approval_card(teams, user, version, level)), "comment": comment})
    await teams.deliver()


async def approve(teams, version: int, user=QA_LEAD, level="QA senior lead", **ticked):
    card = await teams.execute(user, "approval.approve", {
        **execute_data(approval_card(teams, user, version, level)),
        **({k: "true" for k in ticked} or {"check_0": "true"})})
    await teams.deliver()
    return card


async def send_new_version(teams, host, files: list[tuple[str, bytes]]) -> dict:  # noqa: F811
    """The author presses "Send a new version" on the latest amendments card and sends `files`;
    returns the confirmation card."""
    amendments = [c for c in cards(teams.inbox(AUTHOR)) if "Amendments requested" in card_text(c)][-1]
    prompt = texts(await teams.submit(AUTHOR, button(amendments, "Send a new version")["data"]))
    assert "carried forward unchanged" in prompt
    (confirm,) = cards(await teams.send_files(AUTHOR, [host.url(n, c) for n, c in files]))
    return confirm


async def documents(teams, version: int) -> dict:
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        found = await uow.submissions.documents(review.id, version)
        return {d.kind: (d, await uow.submissions.content(d.id)) for d in found}


async def check_of(teams, version: int) -> CheckResult:
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        record = await uow.submissions.approval_record(review.id, version, "qa")
    return CheckResult.from_json(record.versions[version].check_summary)


async def test_only_the_report_is_sent_again_and_the_chronology_is_carried_forward(midway, host):  # noqa: F811
    teams = midway
    await teams.say(AUTHOR, f"imr submit {REF}")
    (confirm,) = cards(await teams.send_files(AUTHOR, [
        host.url("IMR report v1.docx", report(DERBYSHIRE)),
        host.url("Chronology.docx", chronology([OLDER, *ROWS]))]))
    await teams.submit(AUTHOR, confirm["actions"][0]["data"])
    await teams.deliver()
    await amend(teams, 1, "Section 7 needs more analysis")

    amendments = [c for c in cards(teams.inbox(AUTHOR)) if "Amendments requested" in card_text(c)][-1]
    assert "carried forward unchanged from version 1" in card_text(amendments)
    confirm = await send_new_version(teams, host, [("IMR report v2.docx", report(DERBYSHIRE))])
    shown = card_text(confirm)
    assert "IMR report v2.docx" in shown
    assert "Chronology.docx (carried forward from version 1)" in shown
    reply = texts(await teams.submit(AUTHOR, confirm["actions"][0]["data"]))
    assert "version 2 to the QA senior lead" in reply
    assert await stage(teams) == Stage.SUBMITTED_TO_QA
    await teams.deliver()

    first, second = await documents(teams, 1), await documents(teams, 2)
    assert second["report"][0].filename == "IMR report v2.docx" and second["report"][0].carried_from is None
    carried, content = second["chronology"]
    assert carried.carried_from == 1 and carried.id != first["chronology"][0].id
    assert content == first["chronology"][1] and carried.sha256 == first["chronology"][0].sha256

    card = approval_card(teams, QA_LEAD, 2)
    assert "Chronology: Chronology.docx (carried forward from version 1)" in card_text(card)
    assert "The chronology is carried forward unchanged from version 1." in card_text(card)
    assert "Automated check" in card_text(card)  # the check ran on the new version
    # the chronology kept its result: the same bytes, the same findings
    before, after = await check_of(teams, 1), await check_of(teams, 2)

    def of_the_chronology(result):
        return {f for f in result.findings() if BY_CODE[f[0]].document == "chronology"}
    assert of_the_chronology(before) and of_the_chronology(before) == of_the_chronology(after)

    async with UnitOfWork(teams.app.database) as uow:
        entry = [e for e in await uow.audit.all() if e.action == "review.submitted"][-1]
    assert entry.detail["carried_forward"] == ["chronology"] and entry.detail["version"] == 2


async def test_the_chronology_alone_replaced_at_the_service_directors_amendments(midway, host):  # noqa: F811
    teams = midway
    await submit_files(teams, host, b"1")
    await approve(teams, 1)
    await amend(teams, 1, "The chronology stops in March", user=SD, level=SD_TITLE)
    assert await stage(teams) == Stage.SD_AMENDMENTS
    confirm = await send_new_version(teams, host, [("Chronology v2.docx", word(b"chronology 2"))])
    assert "IMR report.docx (carried forward from version 1)" in card_text(confirm)
    reply = texts(await teams.submit(AUTHOR, confirm["actions"][0]["data"]))
    assert "version 2 to the Service Director (EH&S)" in reply
    await teams.deliver()
    card = card_text(approval_card(teams, SD, 2, SD_TITLE))
    assert "Report: IMR report.docx (carried forward from version 1)" in card
    assert "Chronology: Chronology v2.docx" in card and "Chronology v2.docx (carried" not in card


async def test_a_document_carried_twice_still_names_the_version_it_was_sent_in(midway, host):  # noqa: F811
    teams = midway
    await submit_files(teams, host, b"1")
    await amend(teams, 1, "More on section 7")
    await teams.submit(AUTHOR, (await send_new_version(
        teams, host, [("IMR report v2.docx", word(b"report 2"))]))["actions"][0]["data"])
    await teams.deliver()
    await amend(teams, 2, "And section 8")
    confirm = await send_new_version(teams, host, [("IMR report v3.docx", word(b"report 3"))])
    assert "Chronology.docx (carried forward from version 1)" in card_text(confirm)
    await teams.submit(AUTHOR, confirm["actions"][0]["data"])
    assert (await documents(teams, 3))["chronology"][0].carried_from == 1


async def test_nothing_new_sent_submits_nothing(midway, host):  # noqa: F811
    teams = midway
    await submit_files(teams, host, b"1")
    await amend(teams, 1, "More on section 7")
    reply = texts(await teams.submit(AUTHOR, {"verb": "submit.confirm", "reference": REF}))
    assert "Nothing new has been sent" in reply
    assert await stage(teams) == Stage.QA_AMENDMENTS
    async with UnitOfWork(teams.app.database) as uow:
        assert await uow.submissions.latest_version((await uow.reviews.get(REF)).id) == 1


async def test_the_first_submission_still_needs_both_documents(midway, host):  # noqa: F811
    await midway.say(AUTHOR, f"imr submit {REF}")
    replies = await midway.send_files(AUTHOR, [host.url("IMR report.docx", word(b"r"))])
    assert not cards(replies) and "Send me the chronology" in texts(replies)


async def test_only_the_author_may_press_send_a_new_version(midway, host):  # noqa: F811
    teams = midway
    await submit_files(teams, host, b"1")
    await amend(teams, 1, "More on section 7")
    for user in (QA_LEAD, BUSINESS_SERVICES):
        assert texts(await teams.submit(user, {"verb": "submit.new_version",
                                               "reference": REF})) == REFUSAL


async def test_the_service_directors_card_shows_the_rounds_so_far(midway, host):  # noqa: F811
    teams = midway
    await submit_files(teams, host, b"1")
    await amend(teams, 1, "Section 7 needs analysis")
    await submit_files(teams, host, b"2")
    await amend(teams, 2, "Dates out of order")
    await submit_files(teams, host, b"3")
    await approve(teams, 3)
    shown = card_text(approval_card(teams, SD, 3, SD_TITLE))
    assert "The rounds so far" in shown
    order = ["Version 1: Quinn Lead (QA senior lead) asked for amendments", "Section 7 needs analysis",
             "Version 2: Quinn Lead (QA senior lead) asked for amendments", "Dates out of order",
             "Version 3: Quinn Lead (QA senior lead) approved it"]
    assert [shown.index(line) for line in order] == sorted(shown.index(line) for line in order)
    # the first card of all has no rounds before it
    assert "The rounds so far" not in card_text(approval_card(teams, QA_LEAD, 1))


async def test_approving_with_nothing_ticked_asks_first_and_records_once(midway, host):  # noqa: F811
    teams = midway
    await submit_files(teams, host)
    data = execute_data(approval_card(teams, QA_LEAD, 1))
    asked = await teams.execute(QA_LEAD, "approval.approve", {**data, "comment": "Good work"})
    assert "Approve version 1 without ticking anything?" in card_text(asked)
    assert "Your comment: Good work" in card_text(asked)
    assert await stage(teams) == Stage.SUBMITTED_TO_QA  # nothing recorded yet
    back = await teams.execute(QA_LEAD, "approval.refresh", button(asked, "Go back to the checklist")["data"])
    assert button(back, "Approve") and "without ticking" not in card_text(back)

    confirm = button(asked, "Approve without ticking anything")["data"]
    decided = await teams.execute(QA_LEAD, "approval.approve", confirm)
    assert "Approved by Quinn Lead" in card_text(decided) and not decided.get("actions")
    assert "Comment: Good work" in card_text(decided)
    again = await teams.execute(QA_LEAD, "approval.approve", confirm)
    assert "Already decided by Quinn Lead" in card_text(again)
    assert texts(await teams.submit(SD, {**confirm, "verb": "approval.approve"})) == REFUSAL
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        entries = [e for e in await uow.audit.for_review(review.id) if e.action.startswith("decision.")]
    assert len(entries) == 1 and entries[0].detail["checklist"] == 0


async def test_approving_with_something_ticked_asks_nothing(midway, host):  # noqa: F811
    await submit_files(midway, host)
    card = await approve(midway, 1, check_2="true", check_5="true")
    assert "Approved by Quinn Lead" in card_text(card)


async def signed_off(teams, host):  # noqa: F811
    await submit_files(teams, host)
    await approve(teams, 1)
    await approve(teams, 1, user=SD, level=SD_TITLE)
    assert await stage(teams) == Stage.SD_APPROVED


async def test_closing_the_review_is_asked_on_a_card_and_recorded_once(midway, host):  # noqa: F811
    teams = midway
    await signed_off(teams, host)
    told_before = len(texts(teams.inbox(AUTHOR)).splitlines())
    (asked,) = cards(await teams.say(BUSINESS_SERVICES, f"imr submitted {REF} 23/11/2026"))
    assert "Record that DDSCP/CSPR/2026/014 went to DDSCP?" in card_text(asked)
    assert "Mon 23 Nov 2026" in card_text(asked) and "can't be undone" in card_text(asked)
    assert await stage(teams) == Stage.SD_APPROVED
    await teams.deliver()
    assert len(texts(teams.inbox(AUTHOR)).splitlines()) == told_before  # nobody told yet

    confirm = button(asked, "Confirm: close the review")["data"]
    assert card_text(await teams.execute(QA_LEAD, "ddscp.confirm", confirm)) == REFUSAL
    assert await stage(teams) == Stage.SD_APPROVED
    done = await teams.execute(BUSINESS_SERVICES, "ddscp.confirm", confirm)
    assert "The review is closed" in card_text(done) and not done.get("actions")
    assert await stage(teams) == Stage.SUBMITTED_TO_DDSCP
    again = await teams.execute(BUSINESS_SERVICES, "ddscp.confirm", confirm)
    assert "already recorded as submitted to DDSCP" in card_text(again)
    await teams.deliver()
    async with UnitOfWork(teams.app.database) as uow:
        entries = [e for e in await uow.audit.all() if e.action == "review.submitted_to_ddscp"]
        review = await uow.reviews.get(REF)
    assert len(entries) == 1 and entries[0].detail["on"] == "2026-11-23"
    assert texts(teams.inbox(AUTHOR)).count("was submitted to DDSCP") == 1
    assert Role.AUTHOR in review.people


async def test_cancelling_the_close_records_nothing(midway, host):  # noqa: F811
    teams = midway
    await signed_off(teams, host)
    (asked,) = cards(await teams.say(BUSINESS_SERVICES, f"imr submitted {REF}"))
    shown = await teams.execute(BUSINESS_SERVICES, "ddscp.cancel", button(asked, "Cancel")["data"])
    assert card_text(shown) == f"Nothing was recorded: {REF} is still open."
    assert await stage(teams) == Stage.SD_APPROVED


async def test_a_close_that_would_be_refused_is_said_before_any_card(midway, host):  # noqa: F811
    teams = midway
    await submit_files(teams, host)  # not signed off yet
    for typed in (f"imr submitted {REF} 31/02/2026", f"imr submitted {REF} 01/01/2099",
                  f"imr submitted {REF}"):
        replies = await teams.say(BUSINESS_SERVICES, typed)
        assert not cards(replies) and texts(replies)
    assert await stage(teams) == Stage.SUBMITTED_TO_QA


CHRONOLOGY_LINK = ("https://derbyshire-my.sharepoint.com/:w:/g/personal/arun_author_derbyshire_gov_uk/"
                   "Chronology.docx?e=Ab12")
REPORT_LINK = ("https://derbyshire-my.sharepoint.com/:w:/g/personal/arun_author_derbyshire_gov_uk/"
               "IMR%20report%20v2.docx?e=Cd34")


async def test_a_linked_chronology_is_carried_forward_as_its_link(midway, host):  # noqa: F811
    teams = midway
    await teams.say(AUTHOR, f"imr submit {REF}")
    (confirm,) = cards(await teams.send_files(AUTHOR, [host.url("IMR report.docx", word(b"r1"))]
                                              ) + await teams.say(AUTHOR, f"imr submit {REF} "
                                                                          f"{CHRONOLOGY_LINK}"))
    await teams.submit(AUTHOR, confirm["actions"][0]["data"])
    await teams.deliver()
    await amend(teams, 1, "Section 3 is thin")
    # the new report as a link typed with the command, the chronology's link carried forward
    (confirm,) = cards(await teams.say(AUTHOR, f"imr submit {REF} {REPORT_LINK}"))
    assert "(carried forward from version 1)" in card_text(confirm)
    await teams.submit(AUTHOR, confirm["actions"][0]["data"])
    await teams.deliver()
    card = approval_card(teams, QA_LEAD, 2)
    urls = [a["url"] for s in card["body"] if s.get("type") == "ActionSet" for a in s["actions"]]
    assert CHRONOLOGY_LINK in urls and REPORT_LINK in urls
    assert (await documents(teams, 2))["chronology"][0].carried_from == 1
