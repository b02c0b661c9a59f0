"""The audit chain is keyed: someone who can write to the database but does not hold
IMR_AUDIT_KEY cannot rewrite entries and give them hashes that hold, remove entries from the
middle, or (against an exported head) cut entries from the end."""

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.services.records import AuditHead, audit_head, seal_audit, verify_audit
from imr_bot.store import tables as t
from imr_bot.store.audit import (
    DEVELOPMENT_AUDIT_KEY,
    GENESIS,
    KEYED,
    PLAIN,
    audit_hash,
    keyed_audit_hash,
)
from imr_bot.store.unit_of_work import UnitOfWork

KEY = "a-council-audit-key-from-key-vault-0123456789"
OTHER_KEY = "another-key-somebody-guessed-0123456789abcdef"
AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


def app_with(database, clock, key=KEY):
    return build(Settings(database_url=database.url, scheduler=False, audit_key=key),
                 clock=clock, database=database)


async def write_entries(database, n=6):
    async with UnitOfWork(database) as uow:
        for i in range(n):
            await uow.audit.record(actor=f"person{i}@council.test", action="review.logged",
                                   at=AT + timedelta(minutes=i), review_id=i + 1,
                                   reference=f"R/{i}")
        await uow.commit()


async def rows(database):
    async with database.engine.connect() as connection:
        return (await connection.execute(select(t.audit).order_by(t.audit.c.id))).all()


async def rewrite(database, row_id, **values):
    async with database.engine.begin() as connection:
        await connection.execute(update(t.audit).where(t.audit.c.id == row_id).values(**values))


async def rechain(database, start_id, hasher, scheme):
    """What an attacker with the database does: recompute every hash from `start_id` on."""
    all_rows = await rows(database)
    previous = GENESIS
    for row in all_rows:
        if row.id >= start_id:
            digest = hasher(previous, row.at, row.actor, row.review_id, row.action, row.detail)
            await rewrite(database, row.id, prev_hash=previous, hash=digest, scheme=scheme)
            previous = digest
        else:
            previous = row.hash


@pytest.fixture
async def chain(database, clock):
    app = app_with(database, clock)
    await write_entries(database)
    assert (await verify_audit(app.ctx)).first_broken is None
    return app


async def test_a_keyed_chain_verifies_with_its_key(chain):
    result = await verify_audit(chain.ctx)
    assert result.entries == 6 and result.first_broken is None and result.legacy == 0
    assert {r.scheme for r in await rows(chain.database)} == {KEYED}


@pytest.mark.parametrize("scheme", [KEYED, PLAIN])
async def test_a_rewritten_entry_with_recomputed_plain_hashes_is_detected(chain, scheme):
    target = (await rows(chain.database))[2]
    await rewrite(chain.database, target.id, detail=json.dumps({"reference": "R/forged"}))
    await rechain(chain.database, target.id, audit_hash, scheme)
    result = await verify_audit(chain.ctx)
    assert result.first_broken == target.id


async def test_the_whole_chain_rewritten_as_plain_hashes_is_detected(chain):
    first = (await rows(chain.database))[0]
    await rewrite(chain.database, first.id, actor="someone-else@council.test")
    await rechain(chain.database, first.id, audit_hash, PLAIN)
    result = await verify_audit(chain.ctx)
    assert result.first_broken is not None and "not sealed" in result.reason


async def test_a_rewrite_rehashed_with_the_development_key_is_detected(chain):
    target = (await rows(chain.database))[4]
    await rewrite(chain.database, target.id, action="review.withdrawn")
    await rechain(chain.database, target.id,
                  lambda *fields: keyed_audit_hash(DEVELOPMENT_AUDIT_KEY, *fields), KEYED)
    assert (await verify_audit(chain.ctx)).first_broken == target.id


@pytest.mark.parametrize("which", [0, 2, 4])
async def test_an_entry_deleted_from_the_middle_is_detected(chain, which):
    victims = await rows(chain.database)
    async with chain.database.engine.begin() as connection:
        await connection.execute(delete(t.audit).where(t.audit.c.id == victims[which].id))
    result = await verify_audit(chain.ctx)
    assert result.first_broken == victims[which + 1].id and "does not follow" in result.reason


async def test_verifying_with_another_key_fails(chain, database, clock):
    other = app_with(database, clock, key=OTHER_KEY)  # the database's key is now the other one
    result = await verify_audit(other.ctx)
    assert result.first_broken == (await rows(database))[0].id and "IMR_AUDIT_KEY" in result.reason


@pytest.mark.parametrize("cut", [1, 2, 6])
async def test_entries_cut_from_the_end_are_caught_against_the_exported_head(chain, cut):
    head = await audit_head(chain.ctx)
    assert (await verify_audit(chain.ctx, head)).first_broken is None
    newest = [r.id for r in await rows(chain.database)][-cut:]
    async with chain.database.engine.begin() as connection:
        await connection.execute(delete(t.audit).where(t.audit.c.id.in_(newest)))
    assert (await verify_audit(chain.ctx)).first_broken is None  # the chain alone cannot tell
    result = await verify_audit(chain.ctx, head)
    assert result.reason and "cut" in result.reason


async def test_entries_cut_and_written_again_to_the_same_length_are_caught(chain):
    head = await audit_head(chain.ctx)
    newest = (await rows(chain.database))[-2:]
    async with chain.database.engine.begin() as connection:
        await connection.execute(delete(t.audit).where(t.audit.c.id.in_([r.id for r in newest])))
    await write_entries(chain.database, n=2)  # the bot, later, writing new entries
    result = await verify_audit(chain.ctx, head)
    assert result.reason and "cut" in result.reason


async def test_a_chain_that_grew_after_its_head_was_exported_is_intact(chain):
    head = await audit_head(chain.ctx)
    await write_entries(chain.database, n=3)
    result = await verify_audit(chain.ctx, AuditHead.from_json(head.to_json()))
    assert result.first_broken is None and not result.reason and result.entries == 9


@pytest.mark.parametrize("change", [{"entries": 4}, {"last_id": 1}, {"last_hash": "0" * 64},
                                    {"signature": "f" * 64}])
async def test_a_forged_head_is_refused(chain, change):
    head = replace(await audit_head(chain.ctx), **change)
    result = await verify_audit(chain.ctx, head)
    assert "signature" in result.reason


async def test_a_head_signed_with_another_key_is_refused(chain, database, clock):
    head = await audit_head(app_with(database, clock, key=OTHER_KEY).ctx)
    chain = app_with(database, clock)  # back to the chain's own key
    assert "signature" in (await verify_audit(chain.ctx, head)).reason


async def plain_entries(database, n):
    """Entries as the bot wrote them before the chain was keyed."""
    previous = GENESIS
    async with database.engine.begin() as connection:
        for i in range(n):
            detail = json.dumps({"reference": f"OLD/{i}"}, sort_keys=True)
            digest = audit_hash(previous, AT, "old@council.test", i + 1, "review.logged", detail)
            await connection.execute(insert(t.audit).values(
                at=AT, actor="old@council.test", review_id=i + 1, action="review.logged",
                detail=detail, prev_hash=previous, hash=digest, scheme=PLAIN))
            previous = digest


async def test_entries_from_before_the_key_still_verify_once_sealed(database, clock):
    app = app_with(database, clock)
    await plain_entries(database, 4)
    unsealed = await verify_audit(app.ctx)
    assert unsealed.first_broken is not None and "not sealed" in unsealed.reason
    assert await seal_audit(app.ctx) and not await seal_audit(app.ctx)
    await write_entries(database, n=2)
    result = await verify_audit(app.ctx)
    assert result.first_broken is None and result.legacy == 4 and result.entries == 7


async def test_a_sealed_old_entry_rewritten_and_rehashed_is_detected(database, clock):
    app = app_with(database, clock)
    await plain_entries(database, 4)
    await seal_audit(app.ctx)
    old = (await rows(database))[1]
    await rewrite(database, old.id, detail=json.dumps({"reference": "OLD/forged"}))
    await rechain(database, old.id, audit_hash, PLAIN)  # the seal's HMAC cannot be recomputed
    result = await verify_audit(app.ctx)
    assert result.first_broken is not None and result.first_broken > old.id


async def test_the_bot_seals_old_entries_when_it_starts(database, clock):
    from aiohttp.test_utils import TestClient, TestServer

    await plain_entries(database, 3)
    app = app_with(database, clock)
    async with TestClient(TestServer(app.web)):
        pass
    actions = [r.action for r in await rows(database)]
    assert actions[-1] == "audit.keyed" and (await verify_audit(app.ctx)).first_broken is None


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_at_0012(request, tmp_path):
    """A database migrated to the revision before the keyed chain."""
    from imr_bot.store.database import Database, upgrade
    from tests.conftest import _create_postgres_database, _drop_postgres_database

    if request.param == "sqlite":
        url, name = f"sqlite:///{tmp_path / 'old.db'}", None
    else:
        url, name = await _create_postgres_database()
    await asyncio.to_thread(upgrade, url, "0012")
    database = Database(url)
    yield database
    await database.dispose()
    if name:
        await _drop_postgres_database(name)


async def test_the_migration_keeps_old_entries_verifying(database_at_0012, clock):
    from imr_bot.store.database import upgrade

    previous = GENESIS
    async with database_at_0012.engine.begin() as connection:
        for i in range(3):
            detail = json.dumps({"n": i})
            digest = audit_hash(previous, AT, "a@c.test", None, "x", detail)
            # the table has no scheme column yet: only the columns it had are written
            await connection.execute(insert(t.audit).values(
                at=AT, actor="a@c.test", action="x", detail=detail, prev_hash=previous,
                hash=digest))
            previous = digest
    await asyncio.to_thread(upgrade, database_at_0012.url)
    assert {r.scheme for r in await rows(database_at_0012)} == {PLAIN}
    app = app_with(database_at_0012, clock)
    await seal_audit(app.ctx)
    result = await verify_audit(app.ctx)
    assert result.first_broken is None and result.legacy == 3


def cli(env, *args):
    return subprocess.run([sys.executable, "-m", "imr_bot.cli", *args], env=env,
                          capture_output=True, text=True)


def test_the_cli_exports_a_head_and_catches_a_truncation_against_it(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "IMR_AUDIT_KEY": KEY,
           "IMR_DATABASE_URL": f"sqlite:///{tmp_path / 'imr.db'}"}
    assert cli(env, "migrate").returncode == 0

    async def seed():
        from imr_bot.store.database import Database

        database = Database(env["IMR_DATABASE_URL"])
        database.audit_key = KEY.encode()
        await write_entries(database, n=5)
        await database.dispose()
        return database

    database = asyncio.run(seed())
    exported = cli(env, "audit", "head", "--out", str(tmp_path / "head.json"))
    assert exported.returncode == 0 and json.loads(exported.stdout)["entries"] == 5
    intact = cli(env, "audit", "verify", "--head", str(tmp_path / "head.json"))
    assert intact.returncode == 0 and "5 entries" in intact.stdout, intact.stdout
    assert cli(env, "audit", "verify", "--head", exported.stdout.strip()).returncode == 0
    assert cli({**env, "IMR_AUDIT_KEY": OTHER_KEY}, "audit", "verify").returncode == 1

    async def cut():
        async with database.engine.begin() as connection:
            last = await connection.scalar(select(t.audit.c.id).order_by(t.audit.c.id.desc()))
            await connection.execute(delete(t.audit).where(t.audit.c.id == last))
        await database.dispose()

    asyncio.run(cut())
    assert cli(env, "audit", "verify").returncode == 0  # without the head, a cut end is silent
    broken = cli(env, "audit", "verify", "--head", str(tmp_path / "head.json"))
    assert broken.returncode == 1 and "cut" in broken.stdout


def test_the_cli_needs_the_key_when_the_bot_is_signed_in(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MicrosoftAppId": "app",
           "IMR_DATABASE_URL": f"sqlite:///{tmp_path / 'imr.db'}"}
    for command in (("audit", "verify"), ("audit", "head")):
        result = cli(env, *command)
        assert result.returncode == 2 and "IMR_AUDIT_KEY" in result.stderr
    result = cli({**env, "MicrosoftAppId": ""}, "audit", "verify", "--head", "{not a head")
    assert result.returncode == 2 and "--head" in result.stderr
