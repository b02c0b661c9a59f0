"""The people directory's use cases at the service layer, on the in-memory unit of work."""

from datetime import date

import pytest

from imr_bot.domain.errors import DomainError, NotAllowed
from imr_bot.domain.people import LeavePeriod
from imr_bot.domain.roles import Role
from imr_bot.services import people
from tests.services.fakes import FakeWorld, service_context
from tests.services.helpers import a_scene
from tests.services.test_people_import import CSV


@pytest.fixture
async def scene(clock):
    return await a_scene(clock)


async def test_an_import_upserts_by_email_audits_and_tells_the_cache(clock):
    world = FakeWorld()
    ctx = service_context(world, clock)
    first = await people.import_people(ctx, CSV, by="bs@council.test")
    second = await people.import_people(ctx, CSV, by="bs@council.test")
    assert (first.created, first.updated, len(first.rejected)) == (3, 0, 7)
    assert (second.created, second.updated, len(second.rejected)) == (0, 3, 7)
    assert [e.detail for e in world.audit("people.imported")] == [
        {"created": 3, "updated": 0, "rejected": 7}, {"created": 0, "updated": 3, "rejected": 7}]
    assert world.forgotten == {"people"}
    ann = next(p for p in world.committed.people.values() if p.email == "ann.author@c.test")
    assert ann.leave == (LeavePeriod(date(2026, 12, 21), date(2027, 1, 1)),)
    assert ann.roles == {Role.AUTHOR}


async def test_an_export_reads_back_as_the_same_directory(clock):
    world = FakeWorld()
    ctx = service_context(world, clock)
    await people.import_people(ctx, CSV, by="bs@council.test")
    exported = await people.export_people(ctx)
    again, rejected = people.parse_people_csv(exported)
    assert not rejected
    assert [p.email for _, p in again] == ["ann.author@c.test", "bob.qa@c.test",
                                           "lee.manager@c.test"]  # by name
    assert exported.splitlines()[0] == ",".join(people.COLUMNS)


async def test_leave_is_added_to_what_a_person_already_has(scene):
    first = await people.add_leave(scene.ctx, scene.business_services, " Author@Council.test ",
                                   date(2026, 12, 21), date(2026, 12, 24))
    second = await people.add_leave(scene.ctx, scene.business_services, "author@council.test",
                                    date(2026, 12, 1), date(2026, 12, 2))
    assert first.leave == (LeavePeriod(date(2026, 12, 21), date(2026, 12, 24)),)
    assert second.leave == (LeavePeriod(date(2026, 12, 1), date(2026, 12, 2)),
                            LeavePeriod(date(2026, 12, 21), date(2026, 12, 24)))
    assert [e.detail for e in scene.world.audit("person.leave_added")][0] == {
        "person": "author@council.test", "starts": "2026-12-21", "ends": "2026-12-24"}


async def test_leave_that_ends_before_it_starts_or_for_nobody_is_refused(scene):
    with pytest.raises(DomainError, match="The leave ends before it starts."):
        await people.add_leave(scene.ctx, scene.business_services, "author@council.test",
                               date(2026, 12, 2), date(2026, 12, 1))
    with pytest.raises(DomainError, match="There is nobody with the email x@y.test in the "):
        await people.add_leave(scene.ctx, scene.business_services, " x@y.test",
                               date(2026, 12, 1), date(2026, 12, 2))
    with pytest.raises(NotAllowed):
        await people.add_leave(scene.ctx, scene.author, "author@council.test",
                               date(2026, 12, 1), date(2026, 12, 2))
    assert scene.world.commits == 0


async def test_a_deactivated_person_stays_in_the_directory_inactive(scene):
    before = await people.deactivate(scene.ctx, scene.business_services, "author@council.test")
    assert before.active  # what they were
    (stored,) = [p for p in scene.world.committed.people.values()
                 if p.email == "author@council.test"]
    assert not stored.active and stored.id == before.id
    assert scene.world.audit("person.deactivated")[0].detail == {"person": "author@council.test"}
    assert scene.world.forgotten == {"people"}
