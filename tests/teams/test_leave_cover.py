"""An approval asked while its approver is on leave goes to their named deputy (the people CSV's
deputy_email), audited, with the approver told; a delegate stands only when it can decide."""

from datetime import date

from imr_bot.domain.people import LeavePeriod
from imr_bot.services import people as people_service
from imr_bot.services.tracker import audit_sentence
from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import AUTHOR, HEAD_OF_CP, QA_LEAD, card_text, cards, texts
from tests.teams.test_allocation import DEV
from tests.teams.test_approvals import (  # noqa: F401 (fixtures)
    REF,
    approval_card,
    execute_data,
    host,
    midway,
    submit_files,
)

AWAY = LeavePeriod(date(2026, 11, 20), date(2026, 11, 27))  # the test clock: 23 Nov 2026


async def set_up(teams, *, deputy: str | None, qa_leave=(AWAY,), deputy_leave=()) -> None:
    csv = "\n".join([",".join(people_service.COLUMNS), *[
        f"{u.email},{u.name},{';'.join(sorted(r.value for r in u.roles))},,,yes,2,{u.aad},"
        f"{';'.join(f'{p.starts}..{p.ends}' for p in leave)},{dep or ''}"
        for u, leave, dep in ((QA_LEAD, qa_leave, deputy), (DEV, deputy_leave, None))]])
    report = await people_service.import_people(teams.app.ctx, csv, by="test")
    assert not report.rejected, report.rejected


async def audit(teams, action: str) -> list:
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        return [e for e in await uow.audit.for_review(review.id) if e.action == action]


async def test_an_approval_asked_while_the_qa_lead_is_on_leave_goes_to_their_deputy(midway, host):
    await set_up(midway, deputy=DEV.email)
    await submit_files(midway, host)
    await midway.deliver()
    card = await midway.execute(DEV, "approval.approve", {
        **execute_data(approval_card(midway, DEV, 1)), "check_0": "true"})
    assert "Approved by Dev Author" in card_text(card)
    (entry,) = await audit(midway, "decision.delegated_for_leave")
    assert entry.detail["delegate"] == DEV.email and entry.detail["away"] == QA_LEAD.email
    async with UnitOfWork(midway.app.database) as uow:
        by_email = {p.email: p for p in await uow.people.all()}
    assert audit_sentence(entry.action, "", entry.detail, {}, by_email) == (
        "Decision of the QA senior lead sent to Dev Author, as Quinn Lead is on leave until "
        "Fri 27 Nov 2026")
    assert "While you were on leave" not in texts(midway.inbox(QA_LEAD))  # not while away
    midway.clock.set_date(date(2026, 11, 30), hour=9)  # Monday, the first working day back
    await midway.deliver()
    told = texts(midway.inbox(QA_LEAD))
    assert "While you were on leave (until Fri 27 Nov 2026)" in told
    assert "sent to your deputy, Dev Author" in told


async def test_no_deputy_is_asked_when_the_qa_lead_is_at_work(midway, host):
    await set_up(midway, deputy=DEV.email, qa_leave=(LeavePeriod(date(2026, 12, 1),
                                                                 date(2026, 12, 5)),))
    await submit_files(midway, host)
    await midway.deliver()
    assert not [c for c in cards(midway.inbox(DEV)) if "for the QA senior lead" in card_text(c)]
    assert await audit(midway, "decision.delegated_for_leave") == []


async def test_a_deputy_who_is_also_away_is_not_asked(midway, host):
    await set_up(midway, deputy=DEV.email, deputy_leave=(AWAY,))
    await submit_files(midway, host)
    assert await audit(midway, "decision.delegated_for_leave") == []


async def test_a_delegate_the_head_of_cp_named_stands(midway, host):
    await set_up(midway, deputy=DEV.email)
    async with UnitOfWork(midway.app.database) as uow:
        review = await uow.reviews.get(REF)
        head = await uow.people.by_email(HEAD_OF_CP.email)
        await uow.submissions.set_delegate(review.id, "qa", head.id, "test", midway.clock.now())
        await uow.commit()
    await submit_files(midway, host)
    assert await audit(midway, "decision.delegated_for_leave") == []


async def test_the_deputy_column_round_trips_and_refuses_oneself(teams):
    await set_up(teams, deputy=DEV.email)
    exported = await people_service.export_people(teams.app.ctx)
    (line,) = [ln for ln in exported.splitlines() if ln.startswith(QA_LEAD.email)]
    assert line.endswith(f",{DEV.email}")
    _, rejected = people_service.parse_people_csv(
        f"{','.join(people_service.COLUMNS)}\n{AUTHOR.email},Arun Author,author,,,yes,2,,,"
        f"{AUTHOR.email}\n")
    assert rejected and "own deputy" in rejected[0][1]
