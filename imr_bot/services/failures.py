"""The failures the edge tells people about, as the use cases see them, so that the edge need not
know the store: the database not answering (nothing was saved: try again in a minute), and a
conversation's saved state changed by another turn meanwhile (send that again)."""

from __future__ import annotations

from imr_bot.store.database import causes, is_unavailable
from imr_bot.store.state_records import StaleRecord

__all__ = ["causes", "database_unavailable", "state_changed_meanwhile"]


def database_unavailable(error: BaseException) -> bool:
    return is_unavailable(error)


def state_changed_meanwhile(error: BaseException) -> bool:
    return isinstance(error, StaleRecord)
