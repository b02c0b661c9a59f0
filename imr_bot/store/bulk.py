"""Many rows in one statement. SQLite takes them as an executemany; PostgreSQL as one
INSERT ... SELECT FROM unnest(arrays), one array per column: a sweep queues tens of thousands of
rows, and row-by-row parameters cost PostgreSQL's driver ten times as long. And rows sent as one
JSON document, for a statement to join with tables in the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Table,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_many(connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]], *,
                      conflict: list[str], update: Sequence[str] = (), returning=None):
    """Insert `rows` (all with the same keys); on a conflict over `conflict` do nothing, or set the
    `update` columns from the new row. Returns the result (its rows when `returning` is given)."""
    names = list(rows[0])
    if connection.dialect.name == "postgresql":
        arrays = [cast(bindparam(f"values_{name}", [row[name] for row in rows],
                                 type_=ARRAY(table.c[name].type)), ARRAY(table.c[name].type))
                  for name in names]
        source = func.unnest(*arrays).table_valued(*names).render_derived()
        statement = postgresql_insert(table).from_select(names, select(*source.c))
        parameters = None
    else:
        statement = sqlite_insert(table)
        parameters = list(rows)
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=conflict, set_={name: statement.excluded[name] for name in update})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=conflict)
    if returning is not None:
        statement = statement.returning(returning)
    return await connection.execute(statement, parameters)


def json_rows(connection: AsyncConnection, name: str, columns: dict[str, Any],
              rows: Sequence[dict[str, Any]]):
    """`rows` as a table to select from and join, sent as one JSON parameter (`name`) and taken
    apart by the database itself: PostgreSQL's jsonb_to_recordset, SQLite's json_each."""
    document = json.dumps(rows, default=str)
    if connection.dialect.name == "postgresql":
        return (func.jsonb_to_recordset(cast(bindparam(name, document, type_=Text), JSONB))
                .table_valued(*(column(key, type_) for key, type_ in columns.items()))
                .render_derived(name=name, with_types=True))
    value = literal_column("value")
    # no CAST on SQLite: its DATE cast would make '2026-11-23' the number 2026
    return (select(*(type_coerce(func.json_extract(value, f"$.{key}"), type_).label(key)
                     for key, type_ in columns.items()))
            .select_from(func.json_each(bindparam(name, document, type_=Text)))
            .subquery(name))
