"""botbuilder Storage on our database, so conversation and dialog state survive a restart.

Dialog state holds SDK objects (DialogState, DialogInstance); they are stored as jsonpickle JSON,
as the SDK's own Azure storages do. Etags are enforced: a turn that read stale state cannot
overwrite a newer one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import jsonpickle
from botbuilder.core import Storage

from imr_bot.clock import Clock


class SavedRecord(Protocol):
    @property
    def data(self) -> str: ...

    @property
    def etag(self) -> int: ...


class StateRecordStore(Protocol):
    """Where conversation state is kept (the store's StateRecords, given by the app): a write
    whose expected etag is not the record's raises, so a stale turn cannot overwrite."""

    async def read(self, keys: list[str]) -> dict[str, SavedRecord]: ...

    async def write(self, records: dict[str, tuple[str, int | None]], at: datetime) -> None: ...

    async def delete(self, keys: list[str]) -> None: ...


class DatabaseStorage(Storage):
    def __init__(self, records: StateRecordStore, clock: Clock):
        self._records = records
        self._clock = clock

    async def read(self, keys: list[str]) -> dict[str, Any]:
        found = await self._records.read(list(keys))
        items: dict[str, Any] = {}
        for key, record in found.items():
            value = jsonpickle.decode(record.data, keys=True)
            if isinstance(value, dict):
                value["e_tag"] = str(record.etag)
            items[key] = value
        return items

    async def write(self, changes: dict[str, Any]) -> None:
        if not changes:
            return
        batch: dict[str, tuple[str, int | None]] = {}
        for key, value in changes.items():
            e_tag = value.get("e_tag") if isinstance(value, dict) else getattr(value, "e_tag", None)
            expected = int(e_tag) if e_tag not in (None, "", "*") else None
            if isinstance(value, dict):
                value = {k: v for k, v in value.items() if k != "e_tag"}
            batch[key] = (jsonpickle.encode(value, keys=True), expected)
        await self._records.write(batch, self._clock.now())

    async def delete(self, keys: list[str]) -> None:
        await self._records.delete(list(keys))
