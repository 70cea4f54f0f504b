"""Backup and restore of the whole database as one JSON document, consistent while the server runs.

The dump is read in a single transaction (SQLite's write lock, PostgreSQL's
repeatable read), so it is a consistent snapshot even during a café. Restore
loads it into an empty, migrated database of either kind: a backup of SQLite
restores into PostgreSQL and back.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import IO, Any

from alembic.migration import MigrationContext
from sqlalchemy import Date, DateTime, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from cafe.db import db
from cafe.errors import CafeError

FORMAT = "cafe-backup/1"


def _plain(value: Any) -> Any:
    """A column value as JSON."""
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def dump(out: IO[str]) -> dict[str, int]:
    """Write every table to `out` as JSON; returns the row count of each table."""
    counts: dict[str, int] = {}
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        revision = MigrationContext.configure(connection).get_current_revision()
        tables = {}
        for table in db.metadata.sorted_tables:
            rows = [{k: _plain(v) for k, v in row._mapping.items()} for row in connection.execute(select(table))]
            tables[table.name] = rows
            counts[table.name] = len(rows)
    json.dump({"format": FORMAT, "revision": revision, "tables": tables}, out, ensure_ascii=False)
    return counts


def _typed(column: Any, value: Any) -> Any:
    """A JSON value back as its column's type."""
    if value is None:
        return None
    kind = column.type.impl if hasattr(column.type, "impl") else column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def restore(source: IO[str]) -> dict[str, int]:
    """Load a backup into this empty, migrated database; refuses a non-empty one or another schema revision."""
    try:
        data = json.load(source)
    except json.JSONDecodeError as error:
        raise CafeError(f"This is not a cafe backup: {error}.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CafeError(f"This is not a cafe backup (expected the format {FORMAT}).")
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(
            isinstance(rows, list) and all(isinstance(row, dict) for row in rows) for rows in tables.values()):
        raise CafeError("This backup is damaged: its tables are not lists of rows.")
    counts: dict[str, int] = {}
    with db.engine.begin() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision != data.get("revision"):
            raise CafeError(f"The backup is of schema {data.get('revision')}, the database is at {revision}; "
                            "run `flask --app wsgi db upgrade` on a database at the backup's revision first.")
        if any(connection.execute(select(func.count()).select_from(t)).scalar() for t in db.metadata.sorted_tables):
            raise CafeError("The database is not empty: restore only into a new, migrated database.")
        for table in db.metadata.sorted_tables:
            rows = tables.get(table.name, [])
            if rows:
                try:
                    connection.execute(table.insert(), [{k: _typed(table.c[k], v) for k, v in row.items()} for row in rows])
                except (KeyError, TypeError, ValueError, OverflowError, SQLAlchemyError) as error:
                    # Raised inside the transaction: nothing of the backup stays.
                    raise CafeError(f"This backup is damaged: its {table.name} cannot be loaded "
                                    f"({type(error).__name__}).") from None
            counts[table.name] = len(rows)
        _reset_sequences(connection)
    return counts


def _reset_sequences(connection: Connection) -> None:
    """After inserting explicit ids, PostgreSQL's id sequences must continue past them."""
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
