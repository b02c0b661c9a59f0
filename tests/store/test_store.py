import asyncio
import contextvars
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.errors import DuplicateReference
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import LeavePeriod, Person
from imr_bot.domain.plan import Milestone
from imr_bot.domain.review import Commission, CommissioningBody, Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event, Stage
from imr_bot.store.common import ConcurrentChange
from imr_bot.store.database import Database
from imr_bot.store.state_records import StaleRecord, StateRecords
from imr_bot.store.tables import metadata
from imr_bot.store.unit_of_work import UnitOfWork

CAL = WorkingCalendar.for_england()
AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


def a_review(reference="DDSCP/CSPR/2026/014", received=date(2026, 11, 23)) -> Review:
    return Review.commission(Commission(
        reference, ReviewType.CSPR, CommissioningBody.DDSCP, received, date(2025, 1, 1),
        date(2026, 6, 30), "JS"), CAL, by="bs@council.test", at=AT)


async def test_migrations_match_the_tables_the_code_queries(database):
    async with database.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata))
    assert diff == []


async def test_a_review_and_its_plan_round_trip(database):
    async with UnitOfWork(database) as uow:
        stored = await uow.reviews.add(a_review(), AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        loaded = await uow.reviews.get("ddscp/cspr/2026/014")
    assert loaded.id == stored.id
    assert loaded.plan.due == stored.plan.due
    assert loaded.stage == Stage.COMMISSIONED
    assert loaded.subject_initials == "JS"


async def test_references_are_unique_case_insensitively(database):
    async with UnitOfWork(database) as uow:
        await uow.reviews.add(a_review("DDSCP/CSPR/2026/014"), AT)
        with pytest.raises(DuplicateReference):
            await uow.reviews.add(a_review("ddscp/cspr/2026/014"), AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        assert await uow.reviews.count() == 1


async def test_nothing_is_written_when_a_unit_of_work_is_not_committed(database):
    async with UnitOfWork(database) as uow:
        await uow.reviews.add(a_review(), AT)
        await uow.audit.record(actor="bs", action="review.commissioned", at=AT)
    async with UnitOfWork(database) as uow:
        assert await uow.reviews.count() == 0
        assert await uow.audit.all() == []


async def test_plan_changes_and_milestones_done_are_saved(database):
    async with UnitOfWork(database) as uow:
        review = await uow.reviews.add(a_review(), AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        review = await uow.reviews.get(review.reference)
        review = review.apply(Event.ACCEPT_ALLOCATION, {Role.AUTHOR}, date(2026, 11, 25), CAL)
        from dataclasses import replace
        review = replace(review, plan=review.plan.rebase_to_deadline(
            date(2027, 2, 26), CAL, by="bs", reason="DDSCP agreed", at=AT))
        await uow.reviews.save(review, AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        loaded = await uow.reviews.get(review.reference)
    assert loaded.stage == Stage.ALLOCATED
    assert loaded.plan.done == {Milestone.REQUEST_LOGGED: date(2026, 11, 23),
                                Milestone.ALLOCATION: date(2026, 11, 25)}
    assert loaded.plan.deadline == date(2027, 2, 26)
    assert len(loaded.plan.changes) == len(review.plan.changes) >= 1


async def test_a_stale_save_is_refused(database):
    if database.is_sqlite:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): a second writer waits instead")
    async with UnitOfWork(database) as uow:
        await uow.reviews.add(a_review(), AT)
        await uow.commit()
    async def another_turn() -> None:
        async with UnitOfWork(database) as second:
            theirs = await second.reviews.get("DDSCP/CSPR/2026/014")
            await second.reviews.save(theirs.apply(Event.HOLD, {Role.HEAD_OF_CP},
                                                   date(2026, 11, 24), CAL), AT)
            await second.commit()

    async with UnitOfWork(database) as first:
        mine = await first.reviews.get("DDSCP/CSPR/2026/014")
        # a concurrent turn: its own task, with a fresh context as an HTTP request would have
        await asyncio.create_task(another_turn(), context=contextvars.Context())
        with pytest.raises(ConcurrentChange):
            await first.reviews.save(mine.apply(Event.WITHDRAW, {Role.HEAD_OF_CP},
                                                date(2026, 11, 24), CAL), AT)


async def test_the_audit_log_is_a_hash_chain(database):
    async with UnitOfWork(database) as uow:
        await uow.audit.record(actor="a", action="one", at=AT, review_id=1, field="x")
        await uow.audit.record(actor="b", action="two", at=AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        first, second = await uow.audit.all()
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    assert first.detail == {"field": "x"}


async def test_sqlite_writers_queue_rather_than_fail(database):
    if not database.is_sqlite:
        pytest.skip("SQLite only")

    async def commission(n: int) -> None:
        async with UnitOfWork(database) as uow:
            await uow.reviews.add(a_review(f"REF/{n}"), AT)
            await asyncio.sleep(0.01)
            await uow.commit()

    await asyncio.gather(*(commission(n) for n in range(5)))
    async with UnitOfWork(database, read_only=True) as uow:
        assert await uow.reviews.count() == 5


async def test_sqlite_writers_in_one_process_take_turns_in_the_order_they_came(database):
    """A writer that found SQLite's lock taken used to nap in SQLite's busy handler, and under
    load a few waited seconds while later ones went first."""
    if not database.is_sqlite:
        pytest.skip("SQLite only")
    from imr_bot.store.outbox_queue import OutboxQueue

    order: list[int] = []

    async def write(n: int) -> None:
        if n % 3 == 2:  # the outbox's own short writes queue in the same line
            await OutboxQueue(database).claim(AT, 10)
            order.append(n)
            return
        async with UnitOfWork(database) as uow:
            await uow.reviews.add(a_review(f"REF/{n}"), AT)
            await asyncio.sleep(0.005)
            order.append(n)
            await uow.commit()

    tasks = []
    for n in range(12):
        tasks.append(asyncio.create_task(write(n)))
        await asyncio.sleep(0)  # each has asked for its turn before the next starts
    await asyncio.gather(*tasks)
    assert order == list(range(12))


async def test_sqlite_reads_never_wait_for_a_writer_and_see_what_was_committed(database):
    """Reads on SQLite run on the event loop's thread: one that waited for a writer's lock would
    stall every turn. In WAL mode a reader sees the last commit while a writer holds its lock."""
    if not database.is_sqlite:
        pytest.skip("SQLite only")
    async with UnitOfWork(database) as uow:
        await uow.reviews.add(a_review("REF/1"), AT)
        await uow.commit()
    async with UnitOfWork(database) as writer:  # BEGIN IMMEDIATE: holds the write lock
        await writer.reviews.add(a_review("REF/2"), AT)
        # (a reader that waited would wait for this task's own writer: "database is locked")
        async with UnitOfWork(database, read_only=True) as reader:
            assert await reader.reviews.references() == ["REF/1"]
        await writer.commit()
    async with UnitOfWork(database, read_only=True) as reader:
        assert sorted(await reader.reviews.references()) == ["REF/1", "REF/2"]


async def test_a_write_unit_of_work_inside_another_fails_at_once(database):
    from imr_bot.store.unit_of_work import NestedUnitOfWork

    async with UnitOfWork(database):
        with pytest.raises(NestedUnitOfWork):
            async with UnitOfWork(database):
                pass
        async with UnitOfWork(database, read_only=True) as reader:  # reading is fine
            assert await reader.reviews.count() == 0


async def test_concurrent_audit_writers_keep_one_chain(database):
    async def write(n: int) -> None:
        async with UnitOfWork(database) as uow:
            await uow.audit.record(actor=f"p{n}", action="x", at=AT)
            await uow.commit()

    await asyncio.gather(*(write(n) for n in range(8)))
    async with UnitOfWork(database) as uow:
        entries = await uow.audit.all()
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]


async def test_people_are_upserted_by_email_with_roles_and_leave(database):
    person = Person(email="Alex.Author@Council.test", name="Alex Author",
                    roles=frozenset({Role.AUTHOR, Role.LINE_MANAGER}), aad_object_id="aad-1")
    async with UnitOfWork(database) as uow:
        stored, created = await uow.people.upsert(person, AT)
        await uow.people.replace_leave(stored.id, [LeavePeriod(date(2026, 12, 1), date(2026, 12, 5))])
        again, created_again = await uow.people.upsert(person, AT)
        await uow.commit()
    assert created and not created_again and stored.id == again.id
    async with UnitOfWork(database) as uow:
        found = await uow.people.by_aad("aad-1")
    assert found.email == "alex.author@council.test"
    assert found.roles == {Role.AUTHOR, Role.LINE_MANAGER}
    assert found.leave == (LeavePeriod(date(2026, 12, 1), date(2026, 12, 5)),)


async def test_a_notification_key_is_queued_once(database):
    note = OutgoingNotification("review:1:new:person:3", "person:3", "new_review", {"a": 1}, 1)
    async with UnitOfWork(database) as uow:
        assert await uow.outbox.queue(note, AT)
        assert not await uow.outbox.queue(note, AT)
        await uow.commit()


async def test_state_records_refuse_a_stale_etag(database):
    records = StateRecords(database)
    await records.write({"conv/1": ('{"a": 1}', None)}, AT)
    (first,) = (await records.read(["conv/1"])).values()
    await records.write({"conv/1": ('{"a": 2}', first.etag)}, AT)
    with pytest.raises(StaleRecord):
        await records.write({"conv/1": ('{"a": 3}', first.etag)}, AT)
    assert (await records.read(["conv/1"]))["conv/1"].data == '{"a": 2}'
    await records.delete(["conv/1"])
    assert await records.read(["conv/1"]) == {}


def test_a_database_that_cannot_be_reached_is_told_apart_from_a_bug():
    from sqlalchemy.exc import OperationalError

    from imr_bot.store.database import is_unavailable

    assert is_unavailable(OperationalError("BEGIN", {}, Exception("database is locked")))
    assert is_unavailable(ConnectionRefusedError(111, "Connection refused"))
    assert is_unavailable(OSError("Multiple exceptions: [Errno 111] Connect call failed"))
    try:
        try:
            raise ConnectionResetError("reset by peer")
        except ConnectionResetError as error:
            raise RuntimeError("while saving") from error
    except RuntimeError as wrapped:
        assert is_unavailable(wrapped)
    assert not is_unavailable(ValueError("a bug"))
    assert not is_unavailable(KeyError("reviewId"))


async def test_upgrading_fills_in_each_reviews_next_due_date_from_its_plan(tmp_path):
    from imr_bot.store.database import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, "0008")  # a database from before the column
    old = Database(url)
    async with UnitOfWork(old) as uow:
        await uow.connection.execute(text(
            "INSERT INTO reviews (id, reference, reference_key, review_type, body, received, "
            "tor_start, tor_end, subject_initials, notes, stage, day_one, template_pack, version, "
            "created_at, updated_at) VALUES (1, 'R/1', 'r/1', 'CSPR', 'DDSCP', '2026-11-23', "
            "'2025-01-01', '2026-06-30', 'JS', '', 'midway_held', '2026-11-23', 'derbyshire', 1, "
            "'2026-11-23 10:00:00', '2026-11-23 10:00:00')"))
        await uow.connection.execute(text(
            "INSERT INTO milestones (review_id, milestone, due) VALUES "
            "(1, 'midway_review', '2026-12-11'), (1, 'report_to_qa', '2026-12-24')"))
        await uow.commit()
    await old.dispose()
    await asyncio.to_thread(upgrade, url)
    upgraded = Database(url)
    async with UnitOfWork(upgraded, read_only=True) as uow:
        assert await uow.connection.scalar(text("SELECT next_due FROM reviews")) == "2026-12-24"
    await upgraded.dispose()


async def test_the_bot_copies_sqlites_log_into_the_database_off_every_commits_path(tmp_path):
    """With checkpoints in the background no commit copies the write-ahead log into the database
    file (a sweep's or a user's commit waited for that); `checkpoint`, which the bot calls every
    few seconds, does."""
    path = tmp_path / "imr.db"
    database = Database(f"sqlite:///{path}", checkpoint_in_background=True)
    await database.migrate()
    try:
        before = path.stat().st_size
        async with UnitOfWork(database) as uow:
            for n in range(60):  # some 8 MB: far past SQLite's own 1,000-page checkpoint
                await uow.downloads.add(
                    token_hash=f"{n:064d}", filename="f.docx", content_type="x",
                    content=bytes([n]) * 140_000, created_by="t", review_id=None, at=AT,
                    expires=AT)
            await uow.commit()
        assert path.stat().st_size == before  # all of it still in the log
        await database.checkpoint()
        assert path.stat().st_size > before + 8_000_000
    finally:
        await database.dispose()


async def test_only_one_sweep_claims_the_day_at_a_time(database):
    if database.is_sqlite:
        pytest.skip("SQLite's single writer serialises sweeps; the claim is PostgreSQL's")
    async with UnitOfWork(database, read_only=True, holds_locks=True) as first:
        assert await first.reminder_source.claim_sweep()
        async with UnitOfWork(database, read_only=True, holds_locks=True) as second:
            assert not await second.reminder_source.claim_sweep()  # held until `first` ends
    async with UnitOfWork(database, read_only=True, holds_locks=True) as third:
        assert await third.reminder_source.claim_sweep()


async def test_a_reader_sees_what_was_committed_before_each_statement(database):
    async with UnitOfWork(database, read_only=True) as reader:
        assert await reader.people.by_email("p@c.test") is None
        async with UnitOfWork(database) as writer:
            await writer.people.upsert(Person(email="p@c.test", name="P"), AT)
            await writer.commit()
        if not database.is_sqlite:  # READ COMMITTED; a SQLite reader keeps its snapshot
            assert (await reader.people.by_email("p@c.test")).name == "P"


async def drop_the_pooled_connection(fresh: Database, admin_database: Database) -> int:
    """What a PostgreSQL restart does to `fresh`'s one pooled read connection: the server end
    goes. Returns the backend pid it had."""
    async with UnitOfWork(fresh, read_only=True) as uow:
        pid = await uow.connection.scalar(text("SELECT pg_backend_pid()"))
    async with admin_database.engine.connect() as admin:
        await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await admin.commit()
    return pid


async def test_pooled_connections_dropped_by_the_server_are_replaced_before_use(
        database, monkeypatch):
    """What a PostgreSQL restart leaves behind: pooled connections whose server end is gone.
    A connection idle for a while is pinged on checkout, and a dead one replaced."""
    if database.is_sqlite:
        pytest.skip("SQLite has no server to drop connections")
    import imr_bot.store.database as database_module

    fresh = Database(database.url)
    try:
        pid = await drop_the_pooled_connection(fresh, database)
        monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        async with UnitOfWork(fresh, read_only=True) as uow:
            assert await uow.connection.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await fresh.dispose()


async def test_looking_up_nobody_finds_nobody(database):
    async with UnitOfWork(database, read_only=True) as uow:
        assert await uow.people.by_id(None) is None
        assert await uow.people.by_ids([]) == {}


async def test_a_board_read_on_a_dropped_connection_fails_once_and_the_next_one_reads(database):
    """The board is read past SQLAlchemy's execution layer on PostgreSQL (fetch_rows): a
    connection the server dropped must still be thrown away, not handed to the next turn."""
    if database.is_sqlite:
        pytest.skip("SQLite has no server to drop connections")
    from imr_bot.store.database import is_unavailable

    fresh = Database(database.url)
    try:
        await drop_the_pooled_connection(fresh, database)
        await asyncio.sleep(0.1)
        with pytest.raises(Exception) as failed:  # within a second: not pinged first
            async with UnitOfWork(fresh, read_only=True) as uow:
                await uow.board.board_page(overdue_before=None, mine=None, offset=0, limit=10)
        assert is_unavailable(failed.value)
        async with UnitOfWork(fresh, read_only=True) as uow:
            assert await uow.board.board_page(
                overdue_before=None, mine=None, offset=0, limit=10) == ([], 0)
    finally:
        await fresh.dispose()


async def test_a_claim_takes_lapsed_leases_first_then_the_soonest_due_up_to_its_limit(database):
    from datetime import timedelta

    from imr_bot.store.outbox_queue import OutboxQueue

    def note(key):
        return OutgoingNotification(key=key, recipient="person:1", kind="reminder",
                                    payload={"text": key})

    async with UnitOfWork(database) as uow:
        await uow.outbox.queue_many([note("queued second")], AT + timedelta(minutes=2))
        await uow.outbox.queue_many([note("queued first")], AT + timedelta(minutes=1))
        await uow.outbox.queue_many([note("not due yet")], AT + timedelta(hours=1))
        await uow.outbox.queue_many([note("lapsed lease")], AT)
        await uow.commit()
    queue = OutboxQueue(database, lease=timedelta(minutes=2))
    assert [n.key for n in await queue.claim(AT, 10)] == ["lapsed lease"]  # its sender dies
    later = AT + timedelta(minutes=5)  # the lease ran out; the rest are due, but one
    first = await queue.claim(later, 2)
    assert {n.key for n in first} == {"lapsed lease", "queued first"}
    assert [n.key for n in await queue.claim(later, 10)] == ["queued second"]
    assert await queue.claim(later, 10) == []


@pytest.mark.parametrize("overdue, mine", [(False, False), (True, False), (False, True)])
def test_the_boards_statement_is_sent_without_parameters(overdue, mine):
    """PostgreSQL plans a statement without parameters once (for its values); with parameters,
    on every execution."""
    from sqlalchemy.dialects import postgresql

    from imr_bot.store.board_reads import _board_queries
    from imr_bot.store.database import _compiled

    values = {"offset": 20, "limit": 20, "overdue_before": date(2026, 11, 23), "person_id": 3,
              "stages": ["allocated", "qa_approved"]}
    expanded = _compiled(_board_queries(overdue, mine), postgresql.asyncpg.dialect()
                         ).construct_expanded_state(values)
    assert expanded.positional_parameters == ()
    assert "LIMIT 20 OFFSET 20" in expanded.statement


async def test_a_write_unit_of_work_that_could_not_connect_lets_the_task_open_another(
        database, monkeypatch):
    engine_type = type(database.engine)
    real_connect = engine_type.connect

    def unreachable(_engine):
        raise ConnectionRefusedError("the database system is shutting down")

    monkeypatch.setattr(engine_type, "connect", unreachable)
    with pytest.raises(ConnectionRefusedError):
        async with UnitOfWork(database):
            pass
    monkeypatch.setattr(engine_type, "connect", real_connect)
    async with UnitOfWork(database) as uow:  # not NestedUnitOfWork: the failed one never opened
        await uow.commit()


async def test_a_unit_of_work_reads_the_directory_once_and_sees_its_own_writes(database):
    async with UnitOfWork(database) as uow:
        alex, _ = await uow.people.upsert(Person(email="alex@council.test", name="Alex Author",
                                                 roles=frozenset({Role.AUTHOR}),
                                                 aad_object_id="aad-alex"), AT)
        await uow.commit()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    from sqlalchemy import event
    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with UnitOfWork(database) as uow:
            everyone = await uow.people.all()
            before = len(statements)
            assert before > 0
            assert await uow.people.by_id(alex.id) == alex
            assert await uow.people.by_email(" Alex@Council.test") == alex
            assert await uow.people.by_aad("aad-alex") == alex
            assert await uow.people.by_ids([alex.id, 999]) == {alex.id: alex}
            assert await uow.people.with_role(Role.AUTHOR) == [alex]
            assert await uow.people.by_id(999) is None
            assert len(statements) == before  # all from the directory already read
            await uow.people.upsert(replace(alex, name="Alex Writer"), AT)
            assert (await uow.people.by_id(alex.id)).name == "Alex Writer"
            assert [p.name for p in await uow.people.all()] == ["Alex Writer"]
            assert everyone == [alex]  # what was handed out is not changed behind its back
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)


async def test_a_task_that_writes_while_it_is_already_writing_is_told_at_once(database):
    if not database.is_sqlite:
        pytest.skip("SQLite only")
    from imr_bot.store.outbox_queue import OutboxQueue

    async with UnitOfWork(database) as uow:
        await uow.reviews.add(a_review("REF/1"), AT)
        with pytest.raises(RuntimeError, match="already writing"):
            await OutboxQueue(database).claim(AT, 10)
        await uow.commit()


async def test_upgrading_tells_an_allocation_taken_up_from_an_offer_withdrawn_unanswered(tmp_path):
    """Before 0016 both became "withdrawn" on a reallocation; the author's acceptance in the
    audit, between the offer and its withdrawal, tells the allocation that was taken up."""
    from imr_bot.store.database import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, "0014_personal_reminders")
    old = Database(url)
    at = "'2026-11-23 10:00:00'"
    async with UnitOfWork(old) as uow:
        run = uow.connection.execute
        await run(text(
            "INSERT INTO people (id, email, name, roles, service, active, max_concurrent, "
            f"created_at, updated_at) VALUES (1, 'a@c.test', 'A', 'author', '', 1, 2, {at}, {at}), "
            f"(2, 'b@c.test', 'B', 'author', '', 1, 2, {at}, {at}), "
            f"(3, 'q@c.test', 'Q', 'qa_lead', '', 1, 2, {at}, {at})"))
        await run(text(
            "INSERT INTO reviews (id, reference, reference_key, review_type, body, received, "
            "tor_start, tor_end, subject_initials, notes, stage, day_one, template_pack, version, "
            "created_at, updated_at) VALUES (1, 'R/1', 'r/1', 'CSPR', 'DDSCP', '2026-11-23', "
            "'2025-01-01', '2026-06-30', 'JS', '', 'commissioned', '2026-11-23', 'derbyshire', 1, "
            f"{at}, {at})"))
        await run(text(
            "INSERT INTO allocations (id, review_id, author_id, qa_lead_id, offered_by, offered_at, "
            "status, answered_at, reason) VALUES "
            "(1, 1, 1, 3, 'h@c.test', '2026-11-23 10:00:00', 'withdrawn', '2026-11-24 10:00:00', 'x'), "
            "(2, 1, 2, 3, 'h@c.test', '2026-11-24 11:00:00', 'withdrawn', '2026-11-26 10:00:00', 'y')"))
        await run(text(
            "INSERT INTO audit (at, actor, review_id, action, detail, prev_hash, hash) VALUES "
            "('2026-11-25 09:00:00', 'b@c.test', 1, 'allocation.accepted', '{}', 'p', 'h')"))
        await uow.commit()
    await old.dispose()
    await asyncio.to_thread(upgrade, url)
    upgraded = Database(url)
    async with UnitOfWork(upgraded, read_only=True) as uow:
        rows = (await uow.connection.execute(text(
            "SELECT id, status FROM allocations ORDER BY id"))).all()
    await upgraded.dispose()
    assert [tuple(r) for r in rows] == [(1, "withdrawn"), (2, "reallocated")]
