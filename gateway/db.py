"""Database engine creation for SQLite (embedded) and PostgreSQL (scale)."""

from __future__ import annotations

import os
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


class WalSync:
    """Group fsync of one SQLite database's write-ahead log.

    With ``synchronous=NORMAL`` a WAL commit is written but not flushed; a flush of the WAL
    file afterwards makes it as durable as ``synchronous=FULL`` would have. Doing it after the
    commit, outside SQLite's write lock, lets the next writer in while this one waits for the
    disk, and lets one flush cover every commit written before it started: a caller waits for
    the first flush that *starts* after its commit, running it itself if none is running.
    """

    def __init__(self, database: Path) -> None:
        self._wal = Path(f"{database}-wal")
        self._changed = threading.Condition()
        self._started = 0  # flushes begun
        self._completed = 0  # the latest flush that succeeded
        self._running = False
        self._synced_inode: int | None = None

    def sync(self) -> None:
        """Return once everything committed before the call is on disk; raise ``OSError``
        if the flush fails (the caller must not acknowledge its commit)."""
        with self._changed:
            target = self._started + 1
            while self._completed < target:
                if self._running:
                    self._changed.wait()
                    continue
                self._running = True
                self._started += 1
                generation = self._started
                self._changed.release()
                failure: OSError | None = None
                try:
                    self._flush()
                except OSError as exc:
                    failure = exc
                finally:
                    self._changed.acquire()
                    self._running = False
                    if failure is None:
                        self._completed = generation
                    self._changed.notify_all()
                if failure is not None:
                    raise failure

    def _flush(self) -> None:
        try:
            fd = os.open(self._wal, os.O_RDONLY)
        except FileNotFoundError:
            return  # checkpointed and removed: SQLite synced the database file itself
        try:
            os.fsync(fd)
            inode = os.fstat(fd).st_ino
        finally:
            os.close(fd)
        if inode != self._synced_inode:  # a new WAL file: make its directory entry durable
            directory = os.open(self._wal.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
            self._synced_inode = inode


def _grouped_sync_connection(wal_sync: WalSync) -> type[sqlite3.Connection]:
    class GroupSyncedConnection(sqlite3.Connection):
        """A connection whose commits return only once durable, flushed by :class:`WalSync`
        after SQLite has released its write lock."""

        _changes_synced = 0

        def commit(self) -> None:
            super().commit()
            changes = self.total_changes
            if changes != self._changes_synced:
                wal_sync.sync()
                self._changes_synced = changes

    return GroupSyncedConnection


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling breaks
    # SAVEPOINT and cannot take the write lock up front).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # An acknowledged commit survives power loss: FULL flushes inside the commit; a
    # group-synced connection writes with NORMAL and flushes right after (see WalSync).
    grouped = isinstance(dbapi_connection, sqlite3.Connection) and hasattr(
        dbapi_connection, "_changes_synced"
    )
    cursor.execute(f"PRAGMA synchronous={'NORMAL' if grouped else 'FULL'}")
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


def is_single_writer(session: Session) -> bool:
    """True where a write transaction locks the whole database (SQLite), so that the only
    way to let another writer in is to end the transaction; PostgreSQL locks rows."""
    return session.get_bind().dialect.name == "sqlite"


def make_engine(url: str, *, group_sync: bool = False, **kwargs: Any) -> Engine:
    """An engine with the settings every credgate process needs for ``url``.

    Every SQLite commit is durable when it returns. ``group_sync`` gets there with one WAL
    flush shared by concurrent committers, taken after the write lock is released (see
    :class:`WalSync`); without it each commit flushes inside the lock (``synchronous=FULL``).
    """
    if is_sqlite(url):
        database = make_url(url).database
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 10}
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            if group_sync:
                wal_sync = WalSync(Path(database).resolve())
                connect_args["factory"] = _grouped_sync_connection(wal_sync)
        engine = create_engine(
            url,
            connect_args=connect_args,
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
