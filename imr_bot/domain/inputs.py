"""Numbers people send (card data, typed values) read strictly, within what the database holds.

A card's data is attacker-controlled: an id of 10**100, or "99999999999999999999999", must be
refused as a bad choice, not reach the database and overflow its integer column."""

from __future__ import annotations

import re

DATABASE_INT_MAX = 2**31 - 1  # PostgreSQL's INTEGER: ids, versions, counts and minutes
_WHOLE = re.compile(r"[+-]?[0-9]{1,12}")  # ASCII digits only (int() also reads "١٢" and "1_0")


def whole_number(value: object, *, low: int = 0, high: int = DATABASE_INT_MAX) -> int | None:
    """`value` as a whole number between `low` and `high`, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if low <= number <= high else None
