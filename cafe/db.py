"""The database extension, its SQLite tuning and the migrations that build its schema."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from gevent import monkey
from gevent.lock import BoundedSemaphore
from sqlalchemy import Engine, MetaData, Pool, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model, with constraint names Alembic can follow."""

    metadata = MetaData(naming_convention=NAMING)


LOCK_WAIT_SECONDS = 5
db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys and a busy timeout; transactions are begun by _begin_immediate."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Under gevent SQLite's own wait would block every greenlet, the lock's holder too: we wait in _begin_immediate.
        cursor.execute(f"PRAGMA busy_timeout={0 if _cooperative() else LOCK_WAIT_SECONDS * 1000}")
        cursor.close()


def _cooperative() -> bool:
    """Whether this process runs on gevent's patched standard library (the server), not real threads."""
    return monkey.is_module_patched("threading")


# Under gevent the greenlets of this process take turns at SQLite's write lock: a waiter sleeps until the holder
# commits or rolls back, instead of polling the lock (which burns CPU and leaves it idle between polls).
_TURN = BoundedSemaphore(1)
TURN = "cafe.sqlite_turn"  # set in a connection's info while it holds this process's turn


@event.listens_for(Engine, "begin")
def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock up front: a read-then-write transaction never hits 'database is locked'.

    Under gevent a greenlet first waits for its process's turn, then for the lock across processes, sleeping
    cooperatively, so the greenlet holding it can finish meanwhile.
    """
    if connection.dialect.name != "sqlite":
        return
    if _cooperative():
        if not _TURN.acquire(timeout=LOCK_WAIT_SECONDS):
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
        connection.info[TURN] = True
    deadline, pause = time.monotonic() + LOCK_WAIT_SECONDS, 0.002
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as error:
            if "locked" not in str(error.orig) or not _cooperative() or time.monotonic() > deadline:
                _end_turn(connection)
                raise
            time.sleep(pause)  # gevent's sleep: other greenlets run (another process holds the lock)
            pause = min(pause * 2, 0.05)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _end_turn(connection: Any) -> None:
    """The transaction is over: the next greenlet waiting in this process may begin."""
    _give_back_turn(connection.info)


@event.listens_for(Pool, "reset")
def _end_turn_on_reset(dbapi_connection: Any, record: Any, reset_state: Any) -> None:  # noqa: ARG001 - named as the event passes them
    """A connection returned to the pool mid-transaction gives up its turn too."""
    _give_back_turn(record.info)


def _give_back_turn(info: dict[str, Any]) -> None:
    """Release this process's turn if the connection with this info holds it."""
    if info.pop(TURN, False):
        _TURN.release()


def init_app(app: Flask) -> None:
    """Bind the database and the migrations to the app."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # A server database may drop idle connections (a restart): check each before use. A SQLite file cannot.
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": not sqlite})
    db.init_app(app)
    migrate.init_app(app, db)
