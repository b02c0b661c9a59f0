"""PostgreSQL restarted in the middle of a sweep and of an approval: the bot carries on without a
restart of its own, nothing is lost or doubled, and a click that could not be saved says so and
offers to try again."""

import pytest

from imr_bot.services import reminders
from imr_bot.store.database import is_unavailable
from imr_bot.store.reminder_source import ReminderSource
from imr_bot.store.submissions import Submissions
from imr_bot.store.unit_of_work import UnitOfWork
from tests.faults.postgres import can_restart, restart_postgres
from tests.teams.harness import AUTHOR, LINE_MANAGER, QA_LEAD, FakeTeams, card_text
from tests.teams.test_approvals import REF, approval_card, execute_data, host, midway, submit_files
from tests.teams.test_reminders import at, drafting, reminders_for

__all__ = ["drafting", "host", "midway"]  # fixtures, used by name below


@pytest.fixture
async def teams(database, clock):
    if database.is_sqlite:
        pytest.skip("a PostgreSQL restart: SQLite has no server to restart")
    if not can_restart():
        pytest.skip("needs pg_ctlcluster and root to restart PostgreSQL")
    fake = FakeTeams(database, clock)
    await fake.add_people()
    return fake


async def test_a_restart_during_a_sweep_loses_nothing_and_the_next_sweep_recovers(
        drafting, monkeypatch):
    taken = ReminderSource.taken  # read after the reminders are queued, before the commit

    async def restart_first(self, *args, **kwargs):
        await restart_postgres(drafting.app.database.url)
        return await taken(self, *args, **kwargs)

    monkeypatch.setattr(ReminderSource, "taken", restart_first)
    drafting.clock.set(at(21, 12))
    with pytest.raises(Exception) as failed:
        await reminders.sweep(drafting.app.ctx)
    assert is_unavailable(failed.value)
    monkeypatch.setattr(ReminderSource, "taken", taken)

    again = await reminders.sweep(drafting.app.ctx)  # the same process, the same engine
    assert again.queued == 3  # author, line manager, QA lead: all of them, once
    assert (await reminders.sweep(drafting.app.ctx)).queued == 0
    await drafting.deliver()
    for user in (AUTHOR, LINE_MANAGER, QA_LEAD):
        assert len(reminders_for(drafting, user)) == 1, user.name
    print("\nPostgreSQL restarted during a sweep: nothing committed; the next sweep queued 3, "
          "each delivered once")


async def test_a_restart_during_an_approval_says_try_again_and_the_retry_is_recorded(
        midway, host, monkeypatch):
    await submit_files(midway, host)
    data = execute_data(approval_card(midway, QA_LEAD, 1))
    record_decision = Submissions.record_decision

    async def restart_first(self, **kwargs):
        await restart_postgres(midway.app.database.url)
        return await record_decision(self, **kwargs)

    monkeypatch.setattr(Submissions, "record_decision", restart_first)
    card = await midway.execute(QA_LEAD, "approval.approve", {**data, "check_1": "true"})
    assert "couldn't save that" in card_text(card) and "Nothing was recorded" in card_text(card)
    (again,) = card["actions"]
    assert again["title"] == "Try again" and again["verb"] == "approval.approve"
    assert again["data"]["check_1"] == "true"  # what the user ticked is kept
    async with UnitOfWork(midway.app.database) as uow:
        review = await uow.reviews.get(REF)
        assert await uow.submissions.decision(review.id, 1, "qa") is None
    monkeypatch.setattr(Submissions, "record_decision", record_decision)

    card = await midway.execute(QA_LEAD, again["verb"], again["data"])
    assert "Approved by Quinn Lead" in card_text(card)
    async with UnitOfWork(midway.app.database) as uow:
        decided = await uow.submissions.decision(review.id, 1, "qa")
        entries = [e for e in await uow.audit.for_review(review.id)
                   if e.action.startswith("decision.")]
    assert decided is not None and len(entries) == 1
    print("\nPostgreSQL restarted during an approval click: 'try again' shown, nothing recorded; "
          "the retry recorded exactly one decision")
