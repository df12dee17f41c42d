"""WalSync: one flush of the WAL shared by concurrent committers, and the engine using it."""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine

from gateway.db import CommitNotDurable, WalSync, make_engine

SLOW_FLUSH_SECONDS = 0.02
SETTLE_SECONDS = 0.05  # for a thread that has just entered sync() to reach its wait
JOIN_SECONDS = 5.0


@dataclass(frozen=True)
class Fsync:
    directory: bool
    start: int
    end: int


class FakeFsync:
    """Replaces ``os.fsync``: records each call that succeeds, after running ``hook`` on each
    file (not directory) flush with its index, so that a test can slow or fail a given one."""

    def __init__(self) -> None:
        self.calls: list[Fsync] = []
        self.hook: Callable[[int], None] = lambda index: None
        self._file_flushes = 0
        self._lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        directory = stat.S_ISDIR(os.fstat(fd).st_mode)
        start = time.perf_counter_ns()
        if not directory:
            with self._lock:
                index = self._file_flushes
                self._file_flushes += 1
            self.hook(index)
        with self._lock:
            self.calls.append(Fsync(directory, start, time.perf_counter_ns()))

    def files(self) -> list[Fsync]:
        return [call for call in self.calls if not call.directory]

    def directories(self) -> list[Fsync]:
        return [call for call in self.calls if call.directory]


@dataclass
class Caller:
    """One thread's ``sync()``: when it entered and left, and what it raised."""

    enter: int = 0
    exit: int = 0
    error: BaseException | None = None


@pytest.fixture
def fsync(monkeypatch: pytest.MonkeyPatch) -> FakeFsync:
    fake = FakeFsync()
    monkeypatch.setattr("gateway.db.os.fsync", fake)
    return fake


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A database path whose WAL file exists."""
    path = tmp_path / "credgate.db"
    Path(f"{path}-wal").write_bytes(b"frames")
    return path


def call_sync(wal_sync: WalSync, caller: Caller, entered: threading.Event | None = None) -> None:
    caller.enter = time.perf_counter_ns()
    if entered is not None:
        entered.set()
    try:
        wal_sync.sync()
    except BaseException as exc:
        caller.error = exc
    caller.exit = time.perf_counter_ns()


def start(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a sync() never returned"


def covered(caller: Caller, flushes: list[Fsync]) -> bool:
    """Whether a flush began after the caller entered and ended before it returned."""
    return any(caller.enter < f.start and f.end < caller.exit for f in flushes)


def test_concurrent_syncs_share_flushes_that_start_after_each_call(
    database: Path, fsync: FakeFsync
) -> None:
    fsync.hook = lambda index: time.sleep(SLOW_FLUSH_SECONDS)
    wal_sync = WalSync(database)
    callers = [Caller() for _ in range(16)]
    barrier = threading.Barrier(len(callers))

    def run(caller: Caller) -> None:
        barrier.wait()
        call_sync(wal_sync, caller)

    join([start(partial(run, caller)) for caller in callers])

    assert [caller.error for caller in callers] == [None] * len(callers)
    flushes = fsync.files()
    assert 1 <= len(flushes) < len(callers) // 2
    assert all(covered(caller, flushes) for caller in callers)


def test_sync_during_a_running_flush_waits_for_a_new_one(database: Path, fsync: FakeFsync) -> None:
    first_running, second_entered = threading.Event(), threading.Event()

    def hook(index: int) -> None:
        if index == 0:
            first_running.set()
            second_entered.wait(JOIN_SECONDS)
            time.sleep(SETTLE_SECONDS)

    fsync.hook = hook
    wal_sync = WalSync(database)
    first, second = Caller(), Caller()
    thread = start(partial(call_sync, wal_sync, first))
    assert first_running.wait(JOIN_SECONDS)
    call_sync(wal_sync, second, second_entered)
    join([thread])

    assert (first.error, second.error) == (None, None)
    running, new = fsync.files()
    assert running.start < second.enter < running.end
    assert covered(second, [new])


def test_a_failed_flush_is_final_for_every_later_caller(database: Path, fsync: FakeFsync) -> None:
    # After a failed fsync the kernel may have dropped the dirty pages, and a later fsync
    # could succeed without them: no later commit may be acknowledged.
    def hook(index: int) -> None:
        if index == 0:
            raise OSError(errno.EIO, "injected fsync failure")

    fsync.hook = hook
    wal_sync = WalSync(database)

    with pytest.raises(OSError, match="injected"):
        wal_sync.sync()
    for _ in range(2):
        with pytest.raises(OSError, match="restart"):
            wal_sync.sync()

    assert fsync.files() == []  # nothing was flushed again
    assert fsync.directories() == []


def start_two_waiters_behind_a_slow_flush(
    wal_sync: WalSync, fsync: FakeFsync, second_flush: Callable[[], None]
) -> tuple[Caller, Caller, Caller]:
    """Caller 0 runs a slow flush; callers 1 and 2 enter during it, so both wait for the
    next flush, which runs ``second_flush`` first."""
    first_running = threading.Event()
    waiters_entered = [threading.Event(), threading.Event()]

    def hook(index: int) -> None:
        if index == 0:
            first_running.set()
            for entered in waiters_entered:
                entered.wait(JOIN_SECONDS)
            time.sleep(SETTLE_SECONDS)
        elif index == 1:
            second_flush()

    fsync.hook = hook
    runner = Caller()
    threads = [start(partial(call_sync, wal_sync, runner))]
    assert first_running.wait(JOIN_SECONDS)
    waiters = Caller(), Caller()
    for waiter, entered in zip(waiters, waiters_entered, strict=True):
        threads.append(start(partial(call_sync, wal_sync, waiter, entered)))
    join(threads)
    return runner, *waiters


def test_every_waiter_for_a_failed_flush_gets_its_error(database: Path, fsync: FakeFsync) -> None:
    # Both waiters' commits were written before the failed flush began; on Linux a retried
    # fsync reports success even if that write-back failed, so neither may be acknowledged.
    def fail() -> None:
        raise OSError(errno.EIO, "injected fsync failure")

    runner, *waiters = start_two_waiters_behind_a_slow_flush(WalSync(database), fsync, fail)

    assert runner.error is None
    assert [type(waiter.error) for waiter in waiters] == [CommitNotDurable, CommitNotDurable]


def test_flush_interrupted_by_another_exception_does_not_count_as_done(
    database: Path, fsync: FakeFsync
) -> None:
    def interrupt() -> None:
        raise RuntimeError("interrupted flush")

    callers = start_two_waiters_behind_a_slow_flush(WalSync(database), fsync, interrupt)

    assert any(isinstance(caller.error, RuntimeError) for caller in callers)
    flushes = fsync.files()
    assert all(covered(caller, flushes) for caller in callers if caller.error is None)


def test_sync_without_a_wal_file_returns_without_flushing(tmp_path: Path, fsync: FakeFsync) -> None:
    WalSync(tmp_path / "checkpointed.db").sync()

    assert fsync.calls == []


def test_first_flush_of_a_wal_file_also_syncs_its_directory(
    database: Path, fsync: FakeFsync
) -> None:
    wal = Path(f"{database}-wal")
    wal_sync = WalSync(database)

    wal_sync.sync()
    wal_sync.sync()
    wal.rename(database.parent / "old-wal")  # kept, so the new file cannot reuse its inode
    wal.write_bytes(b"new frames")
    wal_sync.sync()

    assert [call.directory for call in fsync.calls] == [False, True, False, False, True]


def test_wal_recreated_after_deletion_has_its_directory_synced(
    database: Path, fsync: FakeFsync
) -> None:
    # SQLite deletes the WAL when its last connection closes and creates a new one on the
    # next write; a file system may give the new file the old inode number (ext4 does).
    wal = Path(f"{database}-wal")
    wal_sync = WalSync(database)
    wal_sync.sync()
    wal.unlink()
    wal.write_bytes(b"new frames")
    fsync.calls.clear()

    wal_sync.sync()

    assert [call.directory for call in fsync.calls] == [False, True]


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    grouped = make_engine(f"sqlite:///{tmp_path / 'grouped.db'}", group_sync=True)
    plain = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    yield grouped, plain
    grouped.dispose()
    plain.dispose()


def synchronous(engine: Engine) -> int:
    with engine.connect() as connection:
        value = connection.exec_driver_sql("PRAGMA synchronous").scalar_one()
    assert isinstance(value, int)
    return value


def test_group_synced_engine_writes_with_normal_and_flushes_commits_that_wrote(
    engines: tuple[Engine, Engine], fsync: FakeFsync
) -> None:
    grouped, plain = engines
    assert (synchronous(grouped), synchronous(plain)) == (1, 2)  # NORMAL, FULL
    with grouped.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE item (id INTEGER PRIMARY KEY)")
    fsync.calls.clear()

    with grouped.begin() as connection:
        connection.exec_driver_sql("INSERT INTO item (id) VALUES (1)")
    assert len(fsync.files()) == 1
    fsync.calls.clear()

    with grouped.begin() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM item").scalar_one() == 1
    assert fsync.files() == []


def test_group_synced_commit_of_schema_change_is_flushed(
    engines: tuple[Engine, Engine], fsync: FakeFsync
) -> None:
    # DDL leaves total_changes unchanged, yet with synchronous=NORMAL it is not on disk either.
    grouped, _ = engines
    with grouped.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE item (id INTEGER PRIMARY KEY)")

    assert len(fsync.files()) == 1


def test_a_schema_change_after_a_row_change_on_the_same_connection_is_flushed(
    engines: tuple[Engine, Engine], fsync: FakeFsync
) -> None:
    # The schema version is read only by commits that changed no row: a row-changing commit
    # must not leave a later schema-only change looking already flushed.
    grouped, _ = engines
    with grouped.connect() as connection:
        with connection.begin():
            connection.exec_driver_sql("CREATE TABLE item (id INTEGER PRIMARY KEY)")
            connection.exec_driver_sql("INSERT INTO item (id) VALUES (1)")
        assert len(fsync.files()) == 1
        fsync.calls.clear()
        with connection.begin():
            connection.exec_driver_sql("CREATE TABLE other (id INTEGER PRIMARY KEY)")
        assert len(fsync.files()) == 1
