"""Allocation (Days 1-4): suggest report authors and QA senior leads, fairly and safely.

An author must be independent of the case and of its line management. People are left out, with
the reason shown, when they are named as involved in the case's line management (or report to
someone who is), have declared a conflict or declined this review, are on leave during the review's
plan, or are already at their maximum number of IMRs. The rest are ranked by current IMR load, then
by the time since their last allocation, longest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .dates import format_date
from .errors import DomainError
from .people import Person
from .roles import Role

INDEPENDENCE_DECLARATION = "I am independent of this case and of its line management."


@dataclass(frozen=True)
class PoolEntry:
    person: Person
    load: int  # open IMRs in this role, including offers awaiting an answer
    last_allocated: date | None


@dataclass(frozen=True)
class Suggestion:
    person: Person
    why: str


@dataclass(frozen=True)
class Exclusion:
    person: Person
    reason: str


@dataclass(frozen=True)
class CaseContext:
    """What the Head of CP tells us about the case, and what has happened on this review."""
    plan_first: date
    plan_last: date
    involved_emails: frozenset[str] = frozenset()
    conflicts: dict[int, str] | None = None  # person id -> declared conflict
    declined: dict[int, str] | None = None  # person id -> reason given when declining


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _exclusion_reason(entry: PoolEntry, case: CaseContext, *, as_author: bool) -> str | None:
    person = entry.person
    if person.email in case.involved_emails:
        return "named as involved in this case's line management"
    if as_author and person.line_manager_email and person.line_manager_email in case.involved_emails:
        return "their line manager is involved in this case"
    if case.conflicts and person.id in case.conflicts:
        return f"declared a conflict: {case.conflicts[person.id]}"
    if case.declined and person.id in case.declined:
        return f"declined this review: {case.declined[person.id]}"
    for period in person.leave:
        if period.overlaps(case.plan_first, case.plan_last):
            return f"on leave {format_date(period.starts)} to {format_date(period.ends)}"
    if entry.load >= person.max_concurrent:
        return f"at their maximum of {_plural(person.max_concurrent, 'IMR')}"
    return None


def _why(entry: PoolEntry, today: date) -> str:
    load = f"{_plural(entry.load, 'open IMR')} (max {entry.person.max_concurrent})"
    if entry.last_allocated is None:
        # an IMR held without an allocation on record (set up before the bot) is not "never"
        return f"{load}; {'no allocation date recorded' if entry.load else 'never allocated'}"
    days = (today - entry.last_allocated).days
    return f"{load}; last allocated {'today' if days <= 0 else _plural(days, 'day') + ' ago'}"


def suggest(pool: list[PoolEntry], case: CaseContext, today: date, *,
            role: Role) -> tuple[list[Suggestion], list[Exclusion]]:
    """Rank `pool` for `role` (author or QA lead): suggestions first, exclusions with reasons."""
    as_author = role == Role.AUTHOR
    eligible: list[PoolEntry] = []
    excluded: list[Exclusion] = []
    for entry in pool:
        if not entry.person.active or role not in entry.person.roles:
            continue
        reason = _exclusion_reason(entry, case, as_author=as_author)
        if reason:
            excluded.append(Exclusion(entry.person, reason))
        else:
            eligible.append(entry)
    eligible.sort(key=lambda e: (e.load, e.last_allocated or date.min, e.person.name.casefold()))
    return [Suggestion(e.person, _why(e, today)) for e in eligible], excluded


def check_acceptance(declared_independent: bool) -> None:
    if not declared_independent:
        raise DomainError("Please tick the declaration that you are independent of this case and "
                          "of its line management before accepting.")


def check_decline(reason: str) -> str:
    # "because" alone, or punctuation, is no reason: the Head of CP needs words to act on
    reason = re.sub(r"^because\b", "", (reason or "").strip(), flags=re.IGNORECASE).strip()
    if not re.search(r"[^\W\d_]{2}", reason):
        raise DomainError("Please say why you are declining, so the Head of CP can find someone "
                          "else.")
    return reason[:500]
