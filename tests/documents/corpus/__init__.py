"""A corpus of report and chronology pairs written the ways real authors write them, each with
the findings a correct check must report beside it.

`seen()` are the pairs the check was tuned on; `held_out()` are written by a second author
(another generator, another style) and were not looked at while tuning: the figures for each are
reported separately in docs/document-check.md.
"""

from __future__ import annotations

from functools import cache

from .writer import NOT_CHECKED, Case, Pair, Way, build

__all__ = ["NOT_CHECKED", "Case", "Pair", "Way", "build", "clean_derbyshire_pair", "held_out", "seen"]


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


def clean_derbyshire_pair() -> tuple[bytes, bytes, tuple]:
    """A report and chronology filled in from the bot's own Derbyshire templates with nothing wrong,
    and the terms of reference they were written for: for tests that need a pair that passes."""
    from .held_out import TOR, _filled_chronology, _filled_template

    return _filled_template("derbyshire"), _filled_chronology(), TOR
