"""Previewing a plan: pure, with no unit of work at all."""

from datetime import date

from imr_bot.domain.plan import Milestone
from imr_bot.services.planning import preview_plan
from tests.services.fakes import FakeWorld, service_context


def test_a_preview_is_the_default_plan_of_the_day_received(clock):
    world = FakeWorld()
    preview = preview_plan(service_context(world, clock), date(2026, 11, 23), None)
    assert preview.received == date(2026, 11, 23) and not preview.rebased
    assert preview.rows and {row.milestone for row in preview.rows} >= {Milestone.ALLOCATION}
    assert world.commits == 0


def test_a_preview_with_a_ddscp_date_is_rebased_to_it(clock):
    plain = preview_plan(service_context(FakeWorld(), clock), date(2026, 11, 23), None)
    rebased = preview_plan(service_context(FakeWorld(), clock), date(2026, 11, 23),
                           date(2027, 2, 26))
    assert rebased.rebased and rebased.day_one == plain.day_one
    due = {row.milestone: row.due for row in rebased.rows}
    assert due[Milestone.DDSCP_SUBMISSION] == date(2027, 2, 26)
    assert due[Milestone.DDSCP_SUBMISSION] != {
        row.milestone: row.due for row in plain.rows}[Milestone.DDSCP_SUBMISSION]
