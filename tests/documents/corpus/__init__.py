"""A corpus of report and chronology pairs written the ways real authors write them, each with
the findings a correct check must report beside it.

`seen()` are the pairs the check was tuned on; `held_out()` are written by a second author
(another generator, another style) and were not looked at while tuning: the figures for each are
reported separately in docs/document-check.md.
"""

from __future__ import annotations

from functools import cache

from .writer import NOT_CHECKED, Case, Pair, Way, build

__all__ = ["NOT_CHECKED", "Case", "Pair", "Way", "build", "held_out", "seen"]


@cache
def seen() -> tuple[Pair, ...]:
    from .cases import CASES

    return tuple(build(case) for case in CASES)


@cache
def held_out() -> tuple[Pair, ...]:
    from .held_out import pairs, round_two

    return (*pairs(), *round_two())


@cache
def round_two() -> tuple[Pair, ...]:
    from .held_out import round_two as written

    return tuple(written())
