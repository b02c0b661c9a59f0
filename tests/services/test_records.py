import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import update

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services import commissioning
from imr_bot.services.records import purge, verify_audit
from imr_bot.store import tables as t
from imr_bot.store.unit_of_work import UnitOfWork


async def app_with_history(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock, database=database)
    async with UnitOfWork(database) as uow:
        person, _ = await uow.people.upsert(Person(email="bs@c.test", name="B S", roles=frozenset(
            {Role.BUSINESS_SERVICES})), clock.now())
        await uow.commit()
    actor = Actor(person.email, person.name, person)
    for n in range(3):
        await commissioning.commission(app.ctx, actor, {
            "reference": f"R/{n}", "review_type": "CSPR", "body": "DDSCP", "received": "",
            "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "AB"})
    return app


async def test_an_intact_audit_trail_verifies(database, clock):
    app = await app_with_history(database, clock)
    result = await verify_audit(app.ctx)
    assert result.entries >= 3 and result.first_broken is None


async def test_a_tampered_audit_row_is_detected_at_its_entry(database, clock):
    app = await app_with_history(database, clock)
    async with UnitOfWork(database) as uow:
        second = (await uow.audit.all())[1]
        await uow.connection.execute(update(t.audit).where(t.audit.c.id == second.id).values(
            detail='{"reference": "R/changed"}'))
        await uow.commit()
    result = await verify_audit(app.ctx)
    assert result.first_broken == second.id and "changed" in result.reason


async def test_purge_removes_personal_data_of_old_closed_reviews_and_leaves_a_stub(database, clock):
    app = await app_with_history(database, clock)
    async with UnitOfWork(database) as uow:
        review = await uow.reviews.get("R/1")
        await uow.reviews.save(replace(review, stage=Stage.SUBMITTED_TO_DDSCP),
                               datetime(2026, 11, 23, 10, tzinfo=UTC))
        await uow.commit()
    result = await purge(app.ctx, date(2033, 1, 1), by="records officer")
    assert result.reviews == 1
    async with UnitOfWork(database) as uow:
        purged, kept = await uow.reviews.get("R/1"), await uow.reviews.get("R/2")
        stub = [e.action for e in await uow.audit.for_review(purged.id)]
    assert purged.subject_initials == "--" and kept.subject_initials == "AB"
    assert "review.purged" in stub
    assert (await verify_audit(app.ctx)).first_broken is None
    assert (await purge(app.ctx, date(2033, 1, 1), by="again")).reviews == 0


def test_the_cli_reports_the_audit_trail(tmp_path):
    env = {"IMR_DATABASE_URL": f"sqlite:///{tmp_path / 'imr.db'}", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "imr_bot.cli", "migrate"], env=env, check=True,
                   capture_output=True)
    result = subprocess.run([sys.executable, "-m", "imr_bot.cli", "audit", "verify"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "audit trail intact: 0 entries" in result.stdout
