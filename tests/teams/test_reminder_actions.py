"""Reminders a person can act on: the card says what it waits for and from whom; "On it" is
recorded; "Remind me on …" moves that person's own reminder to a later working day, never past the
milestone's day, and the ladder on the milestone's day and after runs regardless."""

from datetime import date

import pytest

from imr_bot.domain.reminders import ReminderPolicy
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services import reminders
from imr_bot.services.access import REFUSAL
from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import AUTHOR, LINE_MANAGER, QA_LEAD, SD, card_text, cards, texts
from tests.teams.test_allocation import DEV
from tests.teams.test_reminders import REF, at, drafting, reminders_for, sweep_on  # noqa: F401


def reminder_cards(teams, user) -> list[dict]:
    return [c for c in cards(teams.inbox(user)) if card_text(c).startswith("Reminder:")]


def action(card: dict, title: str) -> dict:
    (found,) = [a for a in card["actions"] if a["title"] == title]
    return dict(found["data"])


def date_input(card: dict) -> dict | None:
    found = [b for b in card["body"] if b.get("type") == "Input.Date"]
    return found[0] if found else None


async def audit_actions(teams) -> list[tuple[str, str]]:
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        return [(e.action, e.actor) for e in await uow.audit.for_review(review.id)]


@pytest.fixture
async def reminded(drafting):  # noqa: F811
    """The author's reminder two working days before the report is due (Thu 17 Dec 2026)."""
    assert await sweep_on(drafting, at(15, 12)) == 1
    (card,) = reminder_cards(drafting, AUTHOR)
    return drafting, card


async def test_the_reminder_card_says_what_it_waits_for_and_from_whom(reminded):
    _teams, card = reminded
    shown = card_text(card)
    assert f"Reminder: {REF}" in shown
    assert "Coming up: Report and chronology to QA lead is due Thu 17 Dec 2026" in shown
    assert "Waiting for\nReport and chronology to QA lead" in shown
    assert "From\nArun Author" in shown
    assert [a["title"] for a in card["actions"]] == ["On it", "Remind me on this day",
                                                     "Show status"]
    chooser = date_input(card)
    assert (chooser["min"], chooser["max"]) == ("2026-12-16", "2026-12-17")


async def test_on_it_is_recorded_in_the_audit(reminded):
    teams, card = reminded
    reply = texts(await teams.submit(AUTHOR, action(card, "On it")))
    assert "noted that you're on it" in reply
    assert ("reminder.acknowledged", AUTHOR.email) in await audit_actions(teams)


async def test_a_reminder_on_the_day_offers_no_later_day(drafting):  # noqa: F811
    await sweep_on(drafting, at(17, 12))
    (card,) = reminder_cards(drafting, AUTHOR)
    assert date_input(card) is None
    assert [a["title"] for a in card["actions"]] == ["On it", "Show status"]


@pytest.mark.parametrize(("chosen", "said"), [
    ("2026-12-18", "no later than Thu 17 Dec 2026, the milestone's own day"),
    ("2027-01-04", "no later than Thu 17 Dec 2026"),
    ("2026-12-15", "Please choose a day after today"),
    ("2026-12-01", "Please choose a day after today"),
    ("", "Please choose the day"),
    ("next week sometime", "date"),
    ("2026-02-30", "date"),
    ("9" * 5000, "date"),
])
async def test_a_day_that_is_not_a_later_working_day_up_to_the_milestone_is_refused(
        reminded, chosen, said):
    teams, card = reminded
    reply = texts(await teams.submit(AUTHOR, {**action(card, "Remind me on this day"),
                                              "remind_on": chosen}))
    assert said in reply and "Traceback" not in reply
    assert ("reminder.rescheduled", AUTHOR.email) not in await audit_actions(teams)
    assert "You asked to be reminded" not in texts(await teams.say(AUTHOR, "imr todo")) + \
        "".join(card_text(c) for c in cards(teams.inbox(AUTHOR))[-1:])


async def test_a_valid_day_moves_the_personal_reminder_but_not_the_escalation(reminded):
    teams, card = reminded
    reply = texts(await teams.submit(AUTHOR, {**action(card, "Remind me on this day"),
                                              "remind_on": "2026-12-16"}))
    assert "I'll remind you about" in reply and "Wed 16 Dec 2026" in reply
    assert ("reminder.rescheduled", AUTHOR.email) in await audit_actions(teams)
    (todo,) = cards(await teams.say(AUTHOR, "imr todo"))
    assert "You asked to be reminded: Report and chronology to QA lead" in card_text(todo)
    assert "Wed 16 Dec 2026" in card_text(todo)
    assert await sweep_on(teams, at(16, 12)) == 1  # the day chosen
    assert "You asked to be reminded today" in reminders_for(teams, AUTHOR)[-1]
    assert await sweep_on(teams, at(16, 12, hour=15)) == 0  # once
    assert await sweep_on(teams, at(17, 12)) == 1  # the milestone's day, as ever
    assert "due today" in reminders_for(teams, AUTHOR)[-1]
    assert await sweep_on(teams, at(21, 12)) == 3  # 2 overdue: + line manager and QA lead
    assert reminders_for(teams, LINE_MANAGER) and reminders_for(teams, QA_LEAD)


async def test_a_chosen_day_holds_back_the_policys_earlier_coming_up_reminder(drafting):  # noqa: F811
    policy = ReminderPolicy(before_days=(3, 1, 0))
    drafting.clock.set(at(14, 12))
    await reminders.sweep(drafting.app.ctx, policy)
    await drafting.deliver()
    (card,) = reminder_cards(drafting, AUTHOR)
    await drafting.submit(AUTHOR, {**action(card, "Remind me on this day"),
                                   "remind_on": "2026-12-16"})
    drafting.clock.set(at(16, 12))
    result = await reminders.sweep(drafting.app.ctx, policy)
    await drafting.deliver()
    assert result.queued == 1  # the day chosen replaces the policy's reminder that day
    assert "You asked to be reminded today" in reminders_for(drafting, AUTHOR)[-1]


async def test_someone_the_reminders_are_not_for_cannot_answer_them(reminded):
    teams, card = reminded
    await teams.add_people((DEV,))
    for data in (action(card, "On it"), {**action(card, "Remind me on this day"),
                                         "remind_on": "2026-12-16"}):
        assert texts(await teams.submit(DEV, data)) == REFUSAL
    assert all(who != DEV.email for _what, who in await audit_actions(teams))
    # the Service Director is on the ladder, so may
    assert "noted" in texts(await teams.submit(SD, action(card, "On it")))


async def test_a_reminder_answered_after_the_review_moved_on_is_out_of_date(reminded):
    teams, card = reminded
    await teams.place(REF, {Role.AUTHOR: AUTHOR, Role.LINE_MANAGER: LINE_MANAGER,
                            Role.QA_LEAD: QA_LEAD}, Stage.SUBMITTED_TO_QA)
    reply = texts(await teams.submit(AUTHOR, {**action(card, "Remind me on this day"),
                                              "remind_on": "2026-12-16"}))
    assert "That reminder is out of date" in reply


@pytest.mark.parametrize("data", [
    {"reviewId": "abc"}, {"reviewId": "-1"}, {"milestone": "nonsense"}, {"milestone": None},
    {"reviewId": "99999999999999999999"},
])
async def test_a_tampered_reminder_button_changes_nothing(reminded, data):
    teams, card = reminded
    reply = texts(await teams.submit(AUTHOR, {**action(card, "On it"), **data}))
    assert "noted" not in reply and "Traceback" not in reply
    assert ("reminder.acknowledged", AUTHOR.email) not in await audit_actions(teams)


def test_a_weekend_or_bank_holiday_is_not_a_day_to_be_reminded_on():
    from imr_bot.domain.calendar import WorkingCalendar
    from imr_bot.domain.errors import BadDate
    from imr_bot.domain.reminders import check_personal_day

    calendar = WorkingCalendar()
    today, due = date(2026, 12, 21), date(2027, 1, 6)
    for day in (date(2026, 12, 26), date(2026, 12, 27), date(2026, 12, 25), date(2026, 12, 28),
                date(2027, 1, 1)):
        with pytest.raises(BadDate, match="not a working day"):
            check_personal_day(day, today, due, calendar)
    assert check_personal_day(date(2026, 12, 29), today, due, calendar) == date(2026, 12, 29)
    assert check_personal_day(due, today, due, calendar) == due


async def test_a_chosen_day_that_the_milestone_moved_before_holds_nothing_back(drafting):  # noqa: F811
    from dataclasses import replace

    policy = ReminderPolicy(before_days=(3, 1, 0))
    drafting.clock.set(at(14, 12))
    await reminders.sweep(drafting.app.ctx, policy)
    await drafting.deliver()
    (card,) = reminder_cards(drafting, AUTHOR)
    await drafting.submit(AUTHOR, {**action(card, "Remind me on this day"),
                                   "remind_on": "2026-12-17"})
    async with UnitOfWork(drafting.app.database) as uow:  # the report is now due a day earlier
        review = await uow.reviews.get(REF)
        plan = replace(review.plan, due={**review.plan.due,
                                         review.stage.next_milestone: date(2026, 12, 16)})
        await uow.reviews.save(replace(review, plan=plan), drafting.clock.now())
        await uow.commit()
    drafting.clock.set(at(15, 12))
    result = await reminders.sweep(drafting.app.ctx, policy)
    assert result.queued == 1  # the policy's 1-day-before reminder, as if no day had been chosen
