"""Who is asking: a Teams account is matched and linked to a directory person only inside one of
the council's tenants."""

import pytest

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.domain.people import Person
from imr_bot.services.identity import identify
from imr_bot.store.unit_of_work import UnitOfWork

HOME = {"tenant-home"}


@pytest.fixture
async def ctx(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock, database=database)
    async with UnitOfWork(database) as uow:
        await uow.people.upsert(Person(email="ann@council.test", name="Ann"), clock.now())
        await uow.people.upsert(Person(email="bob@council.test", name="Bob",
                                       aad_object_id="aad-bob"), clock.now())
        await uow.commit()
    return app.ctx


async def stored(ctx, email):
    async with ctx.unit_of_work(read_only=True) as uow:
        person = await uow.people.by_email(email)
        audit = [e.action for e in await uow.audit.all()]
    return person, audit


@pytest.mark.parametrize("tenant", ["tenant-other", "", "tenant-home-not", "tenant-home ",
                                    "TENANT-OTHER", "*", "tenant-home,tenant-other"])
async def test_someone_from_another_tenant_with_a_directory_email_is_never_linked(ctx, tenant):
    actor = await identify(ctx, aad_object_id="aad-intruder", teams_user_id="29:intruder",
                           name="Ann", email="ann@council.test", tenant_id=tenant,
                           allowed_tenants=HOME)
    assert not actor.is_known and actor.person is None
    person, audit = await stored(ctx, "ann@council.test")
    assert person.aad_object_id is None and person.teams_user_id is None
    assert "person.linked" not in audit


async def test_someone_from_another_tenant_is_not_taken_for_a_linked_person(ctx):
    actor = await identify(ctx, aad_object_id="aad-bob", teams_user_id="29:other-bob", name="Bob",
                           tenant_id="tenant-other", allowed_tenants=HOME)
    assert not actor.is_known
    person, _ = await stored(ctx, "bob@council.test")
    assert person.teams_user_id is None  # not even "seen" from there


async def test_inside_the_council_tenant_the_first_contact_links_by_email(ctx):
    actor = await identify(ctx, aad_object_id="aad-ann", teams_user_id="29:ann", name="Ann",
                           email="ann@council.test", tenant_id="TENANT-HOME",
                           allowed_tenants=HOME)
    assert actor.is_known and actor.person.email == "ann@council.test"
    person, audit = await stored(ctx, "ann@council.test")
    assert person.aad_object_id == "aad-ann" and "person.linked" in audit


async def test_in_local_mode_any_tenant_links_as_before(ctx):
    actor = await identify(ctx, aad_object_id="aad-ann", teams_user_id="29:ann", name="Ann",
                           email="ann@council.test", tenant_id="anything")
    assert actor.is_known
