"""Answers from memory what nearly every turn reads (who is asking, their conversation's state),
but only while this process learns of every change to it, whichever process made the change:
PostgreSQL's notifications, or SQLite asked before each lookup whether anything was committed
since (see change_feed.py). Without that it holds nothing and every read goes to the database.

A value read from the database is kept only if nothing was forgotten while it was being read: a
change that lands between the read and the keep would otherwise be lost behind a stale copy."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

MISSING: Any = object()  # not in the cache (a cached None means "the database has none")

PEOPLE = "people"
STATE = "state"


class Writes:
    """Which cached topics a unit of work wrote: the repositories say so as they write, and the
    unit of work forgets those topics when it commits (so no use case has to remember to)."""

    def __init__(self) -> None:
        self.topics: set[str] = set()

    def wrote(self, topic: str) -> None:
        self.topics.add(topic)


class ReadCache:
    def __init__(self, max_entries: int = 20_000):
        self._entries: OrderedDict[tuple[str, Hashable], Any] = OrderedDict()
        self._max_entries = max_entries
        self._generation = 0
        self._live = False
        self._changed_since: Callable[[], bool] | None = None
        self.hits = 0
        self.misses = 0

    @property
    def live(self) -> bool:
        return self._live

    def resume(self) -> None:
        """The feed is listening: from now on every change will be reported. Whatever changed
        before it was listening was not, so nothing from before is kept."""
        self._forget_everything()
        self._live = True

    def suspend(self) -> None:
        """The feed stopped listening: changes may go unreported, so keep nothing."""
        self._live = False
        self._changed_since = None
        self._forget_everything()

    def ask_before_each_lookup(self, changed_since: Callable[[], bool]) -> None:
        """For a database that reports no changes but can say, cheaply, whether anything was
        committed since it was last asked (SQLite): asked before each lookup, and when it says
        yes nothing from before is kept."""
        self._changed_since = changed_since
        self.resume()

    def token(self) -> int | None:
        """Take before reading from the database; pass to `put` with what was read."""
        if not self._live:
            return None
        self._catch_up()
        return self._generation

    def get(self, topic: str, key: Hashable) -> Any:
        if not self._live:
            return MISSING
        self._catch_up()
        value = self._entries.get((topic, key), MISSING)
        if value is MISSING:
            self.misses += 1
        else:
            self.hits += 1
            self._entries.move_to_end((topic, key))
        return value

    def put(self, topic: str, key: Hashable, value: Any, token: int | None) -> None:
        if token is None or token != self._generation or not self._live:
            return  # read before a change was reported, or while nobody listens: don't keep
        self._entries[(topic, key)] = value
        self._entries.move_to_end((topic, key))
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def forget(self, topic: str, key: Hashable = MISSING) -> None:
        """A change was made (here, or reported by the feed): `key` of `topic`, or all of it."""
        self._generation += 1
        if key is not MISSING:
            self._entries.pop((topic, key), None)
        else:
            for entry in [entry for entry in self._entries if entry[0] == topic]:
                del self._entries[entry]

    async def get_or_load(self, topic: str, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        """The cached value of `key`, or what `load` reads (kept for next time if it can be).
        Values must not be changed by whoever gets them: they are shared."""
        value = self.get(topic, key)
        if value is not MISSING:
            return value
        token = self.token()
        value = await load()
        self.put(topic, key, value, token)
        return value

    def _catch_up(self) -> None:
        if self._changed_since is not None and self._changed_since():
            self._forget_everything()

    def _forget_everything(self) -> None:
        self._generation += 1
        self._entries.clear()
