"""Database engine creation for SQLite (embedded) and PostgreSQL (scale)."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


SQLITE_BEGIN_OPTION = "credgate_sqlite_begin"
_LOCKED_FOR_WRITE = "credgate_locked_for_write"


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling breaks
    # SAVEPOINT and cannot take the write lock up front).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged commit survives power loss; the ledger depends on it.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


WRITER_QUEUE_TIMEOUT_SECONDS = 30.0
_WRITER_GATE = "credgate_writer_gate"


_GATES: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def _writer_gate(connection: Any) -> threading.Lock:
    return _GATES[connection.engine]


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    if mode == "IMMEDIATE":
        # Writers of this process queue here and are woken at once when the lock frees,
        # instead of polling SQLite's busy handler (which backs off and starves some).
        if not _writer_gate(connection).acquire(timeout=WRITER_QUEUE_TIMEOUT_SECONDS):
            raise sqlite3.OperationalError("database is locked (writer queue timed out)")
        connection.info[_WRITER_GATE] = True
    try:
        connection.exec_driver_sql(f"BEGIN {mode}")
    except BaseException:
        _release_writer(connection)
        raise


def _release_writer(connection: Any) -> None:
    if connection.info.pop(_WRITER_GATE, False):
        _writer_gate(connection).release()


def lock_for_write(session: Session) -> None:
    """Start ``session``'s transaction holding the write lock on SQLite (BEGIN IMMEDIATE).

    Call it first in a transaction that reads, decides and then writes, so that no other
    writer can slip in between (PostgreSQL uses row locks instead and needs nothing here).
    Calling it again in the same transaction is harmless; calling it after the transaction
    has begun without it is a programming error, raised loudly.
    """
    current = session.get_transaction()
    if current is not None and session.info.get(_LOCKED_FOR_WRITE) is current:
        return
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        raise RuntimeError("lock_for_write must be the first thing in its transaction")
    session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    session.info[_LOCKED_FOR_WRITE] = session.get_transaction()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings every credgate process needs for ``url``."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=kwargs.pop("pool_size", 8),
            max_overflow=kwargs.pop("max_overflow", 16),
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "commit", _release_writer)
        event.listen(engine, "rollback", _release_writer)
        gate = _GATES.setdefault(engine, threading.Lock())

        def release_on_checkin(_: Any, record: Any) -> None:
            # a connection back in the pool holds no transaction: never let it keep the gate
            if record.info.pop(_WRITER_GATE, False):
                gate.release()

        event.listen(engine.pool, "checkin", release_on_checkin)
        return engine
    return create_engine(
        url,
        pool_size=kwargs.pop("pool_size", 10),
        max_overflow=kwargs.pop("max_overflow", 20),
        pool_pre_ping=True,
        **kwargs,
    )


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back on any exception.

    ``write=True`` takes the write lock first (see :func:`lock_for_write`)."""
    with Session(engine, expire_on_commit=False) as session:
        if write:
            lock_for_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
