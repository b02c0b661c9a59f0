"""A notification to send: to a person or to the tracker channel, under a unique key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutgoingNotification:
    key: str  # unique: the same key is never sent twice
    recipient: str  # "person:<id>" or "tracker"
    kind: str
    payload: dict[str, Any]  # {"card": name, "data": {...}} or {"text": "..."}
    review_id: int | None = None
