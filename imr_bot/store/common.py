"""What the repositories share: the optimistic-lock refusal, the reference key, and the small
helpers for lists of ids and lists built as JSON by the database."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Text, cast, func, select

from imr_bot.domain.errors import DomainError


class ConcurrentChange(DomainError):
    def __init__(self) -> None:
        super().__init__("Someone else changed this review a moment ago. Please try again.")


def reference_key(reference: str) -> str:
    return reference.strip().casefold()


def json_list(dialect: str, *columns, where, select_from=None):
    """A scalar subquery: the rows matching `where`, as one JSON list of lists of `columns`,
    built by the database (NULL, or '[]' on SQLite, when none match)."""
    aggregate, row = ((func.json_agg, func.json_build_array) if dialect == "postgresql"
                      else (func.json_group_array, func.json_array))
    query = select(cast(aggregate(row(*columns)), Text))
    if select_from is not None:
        query = query.select_from(select_from)
    return query.where(*where).scalar_subquery()


def with_id(item, new_id: int):
    """A frozen domain object with the id the database gave it."""
    return replace(item, id=new_id)


def chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]
