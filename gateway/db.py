"""Database engine creation for SQLite (embedded) and PostgreSQL (scale)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, Enum, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


SQLITE_BEGIN_OPTION = "credgate_sqlite_begin"
_LOCKED_FOR_WRITE = "credgate_locked_for_write"


class CommitNotDurable(OSError):
    """A commit was written but could not be flushed to disk: it must not be acknowledged."""


class WalSync:
    """Group fsync of one SQLite database's write-ahead log.

    With ``synchronous=NORMAL`` a WAL commit is written but not flushed; a flush of the WAL
    file afterwards makes it as durable as ``synchronous=FULL`` would have. Doing it after the
    commit, outside SQLite's write lock, lets the next writer in while this one waits for the
    disk, and lets one flush cover every commit written before it started: a caller waits for
    the first flush that *starts* after its commit, running it itself if none is running.

    A failed flush is final. After a failed fsync the kernel may have dropped the dirty pages
    and a later fsync can succeed without them; and WAL frames are chained, so recovery would
    also drop every commit after the lost ones. So every waiter, and every later caller, gets
    the error: the process stops acknowledging writes (fail closed) until it is restarted.
    """

    def __init__(self, database: Path) -> None:
        self._wal = Path(f"{database}-wal")
        self._changed = threading.Condition()
        self._started = 0  # flushes begun
        self._completed = 0  # the latest flush that succeeded
        self._running = False
        self._failure: BaseException | None = None
        # The WAL file whose directory entry is known durable, held open so that its inode
        # number cannot be reused by a new WAL file.
        self._synced_wal: int | None = None
        # Told how long each successful flush took (metrics); must be cheap and not raise.
        self.on_flush: Callable[[float], None] | None = None

    def sync(self) -> None:
        """Return once everything committed before the call is on disk; raise
        :class:`CommitNotDurable` if that cannot be made so (the commit must not be
        acknowledged)."""
        with self._changed:
            target = self._started + 1
            while self._completed < target:
                self._raise_if_failed()
                if self._running:
                    self._changed.wait()
                    continue
                self._running = True
                self._started += 1
                generation = self._started
                self._changed.release()
                started = time.perf_counter()
                try:
                    self._flush()
                except BaseException as exc:
                    self._changed.acquire()
                    self._failure = exc
                    if isinstance(exc, OSError):
                        raise CommitNotDurable(
                            exc.errno, f"flushing {self._wal} failed: {exc.strerror or exc}"
                        ) from exc
                    raise
                else:
                    elapsed = time.perf_counter() - started
                    self._changed.acquire()
                    self._completed = generation
                    if self.on_flush is not None:
                        self.on_flush(elapsed)
                finally:
                    self._running = False
                    self._changed.notify_all()

    @property
    def failure(self) -> str | None:
        """Why this database can no longer acknowledge writes, if a flush failed."""
        return None if self._failure is None else f"flushing {self._wal} failed: {self._failure!r}"

    def _raise_if_failed(self) -> None:
        if self._failure is not None:
            raise CommitNotDurable(
                f"an earlier flush of {self._wal} failed ({self._failure!r}); "
                "restart the gateway to go on writing"
            )

    def _flush(self) -> None:
        try:
            fd = os.open(self._wal, os.O_RDONLY)
        except FileNotFoundError:
            return  # checkpointed and removed: SQLite synced the database file itself
        try:
            os.fsync(fd)
            new_file = self._synced_wal is None or not os.path.sameopenfile(fd, self._synced_wal)
            if new_file:  # make its directory entry durable too
                directory = os.open(self._wal.parent, os.O_RDONLY)
                try:
                    os.fsync(directory)
                finally:
                    os.close(directory)
                if self._synced_wal is not None:
                    os.close(self._synced_wal)
                self._synced_wal, fd = fd, -1
        finally:
            if fd >= 0:
                os.close(fd)


WRITER_QUEUE_TIMEOUT_SECONDS = 30.0


class _Connection(sqlite3.Connection):
    """A credgate SQLite connection (its class is made per engine, see :func:`_connection_class`).

    Writers of one process queue on the engine's ``gate`` before ``BEGIN IMMEDIATE`` and are
    woken at once when it frees, instead of polling SQLite's busy handler (which backs off and
    starves some); the gate opens after SQLite's own lock is released. With a ``wal_sync`` the
    connection writes with ``synchronous=NORMAL`` and a commit that changed anything returns
    only after :class:`WalSync` has flushed it.
    """

    gate: threading.Lock
    wal_sync: WalSync | None = None
    holds_gate = False
    _synced_changes = 0
    _synced_schema = -1

    def take_gate(self) -> None:
        if not self.gate.acquire(timeout=WRITER_QUEUE_TIMEOUT_SECONDS):
            raise sqlite3.OperationalError("database is locked (writer queue timed out)")
        self.holds_gate = True

    def release_gate(self) -> None:
        if self.holds_gate:
            self.holds_gate = False
            self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_gate()
        if self.wal_sync is None:
            return
        # Row changes move total_changes; schema changes move schema_version, which is only
        # read when no row changed (a commit that changed rows is flushed anyway, DDL with it).
        changes = self.total_changes
        schema = self._synced_schema
        if changes == self._synced_changes:
            schema = self.execute("PRAGMA schema_version").fetchone()[0]
            if schema == self._synced_schema:
                return
        self.wal_sync.sync()
        self._synced_changes, self._synced_schema = changes, schema

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_gate()


_WAL_SYNCS: weakref.WeakKeyDictionary[Engine, WalSync] = weakref.WeakKeyDictionary()


def durability_failure(engine: Engine) -> str | None:
    """Why ``engine``'s database can no longer acknowledge writes (a failed WAL flush), or
    None. Health checks report it, so that a load balancer stops sending requests here."""
    wal_sync = _WAL_SYNCS.get(engine)
    return None if wal_sync is None else wal_sync.failure


def observe_wal_flushes(engine: Engine, on_flush: Callable[[float], None]) -> bool:
    """Have ``on_flush(seconds)`` told of every group WAL flush of ``engine``'s database;
    False when it has none (PostgreSQL, or SQLite without group sync)."""
    wal_sync = _WAL_SYNCS.get(engine)
    if wal_sync is not None:
        wal_sync.on_flush = on_flush
    return wal_sync is not None


def _connection_class(wal_sync: WalSync | None) -> type[_Connection]:
    return type(
        "CredgateSqliteConnection",
        (_Connection,),
        {"gate": threading.Lock(), "wal_sync": wal_sync},
    )


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling breaks
    # SAVEPOINT and cannot take the write lock up front).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # An acknowledged commit survives power loss: FULL flushes inside the commit; a
    # connection with a WalSync writes with NORMAL and flushes right after (see WalSync).
    grouped = getattr(dbapi_connection, "wal_sync", None) is not None
    cursor.execute(f"PRAGMA synchronous={'NORMAL' if grouped else 'FULL'}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    if grouped:
        dbapi_connection._synced_changes = dbapi_connection.total_changes
        dbapi_connection._synced_schema = cursor.execute("PRAGMA schema_version").fetchone()[0]
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    dbapi_connection = connection.connection.dbapi_connection
    if mode == "IMMEDIATE":
        dbapi_connection.take_gate()
    try:
        connection.exec_driver_sql(f"BEGIN {mode}")
    except BaseException:
        dbapi_connection.release_gate()
        raise


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


class AlreadyServed(RuntimeError):
    """Another process already serves this embedded database."""


_SERVED: dict[str, tuple[int, int]] = {}  # database -> (locked file descriptor, apps serving)
_SERVED_LOCK = threading.Lock()


@contextmanager
def sole_server(engine: Engine) -> Iterator[None]:
    """Hold, while serving, the right to be the one process serving ``engine``'s SQLite file.

    The ledger's order follows SQLite's write lock only within one process (see
    ``gateway.ledger_port.record_in_lock_order``), so the embedded database has one serving
    process (which may run several apps on it); several workers need PostgreSQL. A server in
    another process fails to start, with :class:`AlreadyServed`. Other engines need nothing.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    key = str(Path(database).resolve())
    with _SERVED_LOCK:
        fd, apps = _SERVED.get(key, (-1, 0))
        if fd < 0:
            fd = _lock_serving(key)
        _SERVED[key] = (fd, apps + 1)
    try:
        yield
    finally:
        with _SERVED_LOCK:
            fd, apps = _SERVED.pop(key)
            if apps > 1:
                _SERVED[key] = (fd, apps - 1)
            else:
                os.close(fd)  # releases the lock


def _lock_serving(database: str) -> int:
    fd = os.open(f"{database}.serving", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyServed(
            f"another process already serves {database}; the embedded database is served by "
            "one process (run several workers with PostgreSQL: CREDGATE_DATABASE_URL)"
        ) from None
    return fd


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
        wal_sync = None
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            if group_sync:
                wal_sync = WalSync(Path(database).resolve())
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": 10,
                "factory": _connection_class(wal_sync),
            },
            pool_size=kwargs.pop("pool_size", 8),
            max_overflow=kwargs.pop("max_overflow", 16),
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        if wal_sync is not None:
            _WAL_SYNCS[engine] = wal_sync

        def release_on_checkin(dbapi_connection: Any, _: Any) -> None:
            # a connection back in the pool holds no transaction: never let it keep the gate
            if isinstance(dbapi_connection, _Connection):
                dbapi_connection.release_gate()

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


def string_enum(cls: type[StrEnum], length: int = 16) -> Enum:
    """A column type for ``cls``: stored as VARCHAR (no database enum type, no CHECK, so a new
    member needs no migration), loaded back as the Python enum."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


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
