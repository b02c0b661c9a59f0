"""The cache of what every turn reads keeps a value only while changes are being reported, and
never one that was read from before a change it was told of."""

import asyncio

from imr_bot.store.read_cache import MISSING, PEOPLE, STATE, ReadCache


async def test_without_a_listening_feed_nothing_is_kept():
    cache = ReadCache()
    loads = []

    async def load():
        loads.append(1)
        return "ann"

    assert await cache.get_or_load(PEOPLE, "aad-1", load) == "ann"
    assert await cache.get_or_load(PEOPLE, "aad-1", load) == "ann"
    assert len(loads) == 2


async def test_while_listening_a_value_is_read_once():
    cache = ReadCache()
    cache.resume()
    loads = []

    async def load():
        loads.append(1)
        return None  # "nobody": kept too, or a stranger would cost a read on every turn

    assert await cache.get_or_load(PEOPLE, "aad-1", load) is None
    assert await cache.get_or_load(PEOPLE, "aad-1", load) is None
    assert len(loads) == 1
    assert (cache.hits, cache.misses) == (1, 1)


async def test_a_change_reported_while_a_value_was_being_read_keeps_it_out():
    cache = ReadCache()
    cache.resume()
    reading = asyncio.Event()
    release = asyncio.Event()

    async def slow_load():
        reading.set()
        await release.wait()
        return "the directory before the change"

    task = asyncio.create_task(cache.get_or_load(PEOPLE, "aad-1", slow_load))
    await reading.wait()
    cache.forget(PEOPLE)  # the change commits while the read is under way
    release.set()
    assert await task == "the directory before the change"  # this turn saw the old one...
    assert cache.get(PEOPLE, "aad-1") is MISSING  # ...but the next one reads again


def test_forgetting_one_key_leaves_the_others():
    cache = ReadCache()
    cache.resume()
    for key in ("user:a", "user:b"):
        cache.put(STATE, key, key.upper(), cache.token())
    cache.put(PEOPLE, "aad-1", "ann", cache.token())
    cache.forget(STATE, "user:a")
    assert cache.get(STATE, "user:a") is MISSING
    assert cache.get(STATE, "user:b") == "USER:B"
    cache.forget(STATE)
    assert cache.get(STATE, "user:b") is MISSING
    assert cache.get(PEOPLE, "aad-1") == "ann"


def test_when_the_feed_stops_listening_everything_is_dropped_and_nothing_kept():
    cache = ReadCache()
    cache.resume()
    cache.put(PEOPLE, "aad-1", "ann", cache.token())
    token = cache.token()
    cache.suspend()
    assert cache.get(PEOPLE, "aad-1") is MISSING
    cache.put(PEOPLE, "aad-1", "ann", token)
    cache.resume()
    assert cache.get(PEOPLE, "aad-1") is MISSING  # not from before the feed listened again


def test_the_cache_holds_at_most_its_size_dropping_the_least_recently_used():
    cache = ReadCache(max_entries=2)
    cache.resume()
    cache.put(STATE, "a", 1, cache.token())
    cache.put(STATE, "b", 2, cache.token())
    assert cache.get(STATE, "a") == 1
    cache.put(STATE, "c", 3, cache.token())
    assert cache.get(STATE, "b") is MISSING
    assert (cache.get(STATE, "a"), cache.get(STATE, "c")) == (1, 3)


def test_a_cache_that_asks_before_each_lookup_keeps_nothing_from_before_a_commit():
    committed = []  # SQLite's answer to "anything committed since I last asked?"
    cache = ReadCache()
    cache.ask_before_each_lookup(lambda: bool(committed and committed.pop()))
    token = cache.token()
    committed.append(True)  # lands while the value is being read: it may be stale
    cache.put(PEOPLE, "aad-ann", "Ann", token)
    assert cache.get(PEOPLE, "aad-ann") is MISSING  # the next lookup hears of it
    cache.put(PEOPLE, "aad-ann", "Ann", cache.token())
    assert cache.get(PEOPLE, "aad-ann") == "Ann"
    cache.suspend()
    assert cache.get(PEOPLE, "aad-ann") is MISSING and not cache.live


async def test_a_unit_of_work_forgets_on_commit_the_cached_topics_it_wrote(database):
    from datetime import UTC, datetime

    from imr_bot.domain.people import Person
    from imr_bot.store.unit_of_work import UnitOfWork

    at = datetime(2026, 11, 23, 10, tzinfo=UTC)
    cache = database.cache
    cache.resume()

    def keep() -> None:
        cache.put(PEOPLE, "aad-ann", "Ann as she was", cache.token())

    keep()
    async with UnitOfWork(database) as uow:
        await uow.audit.record(actor="a", action="nothing.of.people", at=at)
        await uow.commit()
    assert cache.get(PEOPLE, "aad-ann") == "Ann as she was"  # nobody wrote the directory
    async with UnitOfWork(database) as uow:
        await uow.people.upsert(Person(email="ann@c.test", name="Ann"), at)
    assert cache.get(PEOPLE, "aad-ann") == "Ann as she was"  # not committed: nothing changed
    async with UnitOfWork(database) as uow:
        await uow.people.upsert(Person(email="ann@c.test", name="Ann"), at)
        await uow.commit()
    assert cache.get(PEOPLE, "aad-ann") is MISSING
    cache.suspend()
