"""Sequencing with group commit, then integration into signed checkpoints.

Request threads hand prepared entries to one sequencer thread and block. The sequencer takes
everything queued (up to ``max_batch``) and, in one transaction holding the database's
sequencer lock, gives each entry its index and subject-chain fields, appends it to the tree
(leaf plus the subtree hashes it completes) and commits: one fsync for the whole batch, so the
more appenders wait, the more each commit carries. Only after the commit returns are the
waiting threads told their receipts.

At most every ``checkpoint_interval`` seconds, and whenever entries are left unsigned, the
sequencer signs a checkpoint of the committed tree inside the same kind of locked transaction,
after checking that the tree still has the root of the last checkpoint issued (so it never
signs two inconsistent checkpoints, whichever process signed the last one).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ledger.entry import PreparedEntry, format_timestamp, seal
from ledger.errors import LedgerCorrupted, LedgerError, LedgerUnavailable
from ledger.merkle import CompactRange, compact_range_nodes
from ledger.note import Checkpoint, NoteSigner, sign_note
from ledger.storage import CheckpointRecord, LogStore, SequencingTransaction
from ledger.tree import LedgerTree

log = logging.getLogger(__name__)

MAX_CACHED_SUBJECTS = 100_000
LINGER_SECONDS = 0.001


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof of sequencing: the entry is durably in the log at ``index``."""

    index: int
    leaf_hash: bytes
    timestamp: str
    subject: str | None
    subject_seq: int | None
    prev_index: int | None


class _Pending:
    __slots__ = ("abandoned", "done", "error", "next", "prepared", "receipt")

    def __init__(self, prepared: PreparedEntry) -> None:
        self.prepared = prepared
        self.receipt: Receipt | None = None
        self.error: LedgerError | None = None
        # Waiters of one batch form a chain; see Sequencer._wake.
        self.next: _Pending | None = None
        self.abandoned = False
        # A bare lock is the cheapest way to park a thread until the commit.
        self.done = threading.Lock()
        self.done.acquire()


def _chained(batch: list[_Pending]) -> _Pending | None:
    """Link ``batch`` into a wake-up chain; returns its head."""
    for pending, following in itertools.pairwise(batch):
        pending.next = following
    return batch[0] if batch else None


_STOP = object()


class BatchObserver(Protocol):
    """Told of every batch the sequencer wrote: how many entries, how long the locked write
    transaction took up to its durable commit, and whether it committed. Called on the
    sequencer thread after the waiters are woken; it must be cheap and must not raise."""

    def __call__(self, entries: int, seconds: float, committed: bool) -> None: ...


class Sequencer:
    """The one thread that writes the log in this process."""

    def __init__(
        self,
        store: LogStore,
        signers: Sequence[NoteSigner],
        *,
        origin: str,
        clock: Callable[[], datetime],
        checkpoint_interval: float,
        max_batch: int,
        observer: BatchObserver | None = None,
    ) -> None:
        """A sequencer for ``store``; call ``start`` to run it. ``observer`` (optional) is
        told of each batch written (metrics)."""
        if not signers:
            raise ValueError("the sequencer needs at least one checkpoint signer")
        self._store = store
        self._signers = list(signers)
        self._origin = origin
        self._clock = clock
        self._interval = checkpoint_interval
        self._max_batch = max_batch
        self._observer = observer
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._handoff = threading.Lock()
        self._closed = False
        # Caches valid only while the stored size is the one we last wrote or read.
        self._frontier = CompactRange.empty()
        self._known_size = -1
        self._heads: dict[str, tuple[int, int]] = {}
        self._signed_size = -1
        self._last_signed = float("-inf")
        self._signed = threading.Condition()
        self._started = threading.Event()
        self._start_error: LedgerError | None = None
        # The error of the last batch or checkpoint written, None once one succeeds again.
        self._write_error: LedgerError | None = None
        self._thread = threading.Thread(target=self._run, name="ledger-sequencer", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        """Start the sequencer thread and wait until it has checkpointed the stored log.

        Raises ``LedgerUnavailable`` (and stops the thread) if that fails.
        """
        self._thread.start()
        if not self._started.wait(timeout):
            self.close(0)
            raise LedgerUnavailable(f"the ledger did not start within {timeout}s")
        if self._start_error is not None:
            self.close()
            raise self._start_error

    def submit(self, prepared: PreparedEntry, timeout: float) -> Receipt:
        """Queue ``prepared`` and block until it is durably committed; returns its receipt."""
        return self.wait(self.enqueue(prepared), timeout)

    def enqueue(self, prepared: PreparedEntry) -> _Pending:
        """Queue ``prepared`` without waiting. Entries queued by this process are sequenced
        in the order they were queued."""
        if self._closed:
            raise LedgerUnavailable("the ledger is closed")
        pending = _Pending(prepared)
        self._queue.put(pending)
        return pending

    def wait(self, pending: _Pending, timeout: float) -> Receipt:
        """Block until ``pending`` (from :meth:`enqueue`) is durably committed."""
        deadline = time.monotonic() + timeout
        while not pending.done.acquire(timeout=min(1.0, max(0.0, deadline - time.monotonic()))):
            if self._thread.is_alive() and time.monotonic() < deadline:
                continue
            with self._handoff:
                if not pending.done.acquire(blocking=False):
                    pending.abandoned = True
                    if not self._thread.is_alive():
                        # Queued after the sequencer drained its queue for the last time.
                        raise LedgerUnavailable("the ledger is closed")
                    raise LedgerUnavailable(
                        f"the ledger did not commit the entry within {timeout}s"
                    )
            break
        self._wake(pending.next)
        if pending.error is not None:
            raise pending.error
        assert pending.receipt is not None
        return pending.receipt

    def _wake(self, pending: _Pending | None) -> None:
        """Release the first waiter of a chain that has not given up.

        The sequencer wakes only a batch's first waiter; each waiter wakes the next as it
        resumes. Waking all at once would have every one of them fight the others (and the
        sequencer) for the GIL; passed along, each finds it free. Halves context switches.
        """
        while pending is not None:
            with self._handoff:
                if not pending.abandoned:
                    pending.done.release()
                    return
            pending = pending.next

    def wait_signed(self, timeout: float) -> None:
        """Block until this process signs a checkpoint, or ``timeout`` seconds pass."""
        with self._signed:
            self._signed.wait(timeout)

    def write_failure(self) -> str | None:
        """Why entries cannot be committed now, or None: the sequencer stopped, or the last
        write (a batch, or the checkpoint retried every interval) failed."""
        if self._closed or not self._thread.is_alive():
            return "the ledger sequencer is not running"
        error = self._write_error
        return None if error is None else error.message

    def close(self, timeout: float = 30.0) -> None:
        """Commit what is queued, sign a last checkpoint and stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:
            # A bug, not a storage failure (those are handled per batch): fail closed.
            log.exception("the ledger sequencer stopped")
            self._closed = True
            self._start_error = LedgerUnavailable(f"the ledger sequencer stopped: {exc!r}")
            self._started.set()
            raise
        finally:
            self._fail_leftovers()

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            batch: list[_Pending] = []
            wait = self._checkpoint_wait()
            try:
                item = self._queue.get(timeout=wait) if wait != 0 else self._queue.get_nowait()
            except queue.Empty:
                item = None
            if item is not None:
                stopping = self._gather(item, batch)
            self._process(batch, force_checkpoint=stopping)

    def _gather(self, item: object, batch: list[_Pending]) -> bool:
        """Fill ``batch`` starting with ``item``; true when told to stop.

        Lingers (at most ``LINGER_SECONDS``) while more entries keep arriving: the appenders
        woken by the previous commit are coming back, and taking more of them at once
        amortizes the fsync; those still coming run while this thread waits on the disk.
        """
        deadline = time.perf_counter() + LINGER_SECONDS
        while True:
            while item is not None:
                if item is _STOP:
                    return True
                assert isinstance(item, _Pending)
                batch.append(item)
                if len(batch) >= self._max_batch:
                    return False
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    item = None
            if time.perf_counter() > deadline:
                return False
            queued = self._queue.qsize()
            time.sleep(0)  # yield the GIL to appenders about to enqueue
            if self._queue.qsize() == queued:
                return False
            item = self._queue.get_nowait()

    def _fail_leftovers(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Pending):
                item.error = LedgerUnavailable("the ledger is closed")
                self._wake(item)

    def _checkpoint_wait(self) -> float | None:
        """Seconds until a checkpoint is due, or ``None`` when everything is signed."""
        if self._known_size >= 0 and self._known_size <= self._signed_size:
            return None
        return max(0.0, self._last_signed + self._interval - time.monotonic())

    def _process(self, batch: list[_Pending], *, force_checkpoint: bool = False) -> None:
        if not batch and self._checkpoint_wait() != 0 and not force_checkpoint:
            return
        started = time.perf_counter()
        try:
            receipts, frontier, heads, signed = self._write(batch, force_checkpoint)
        except Exception as exc:
            self._known_size = -1
            self._heads.clear()
            error = (
                exc
                if isinstance(exc, LedgerError)
                else LedgerUnavailable(f"the ledger could not commit: {type(exc).__name__}: {exc}")
            )
            log.error("ledger batch of %d failed: %s", len(batch), error.message)
            self._write_error = error
            for pending in batch:
                pending.error = error
            self._wake(_chained(batch))
            if not batch:
                # Do not spin on a failing checkpoint: retry after one interval.
                self._last_signed = time.monotonic()
            if not self._started.is_set():
                self._start_error = error
                self._started.set()
            self._observe(len(batch), started, committed=False)
            return
        self._write_error = None
        self._frontier, self._known_size = frontier, frontier.size
        if len(self._heads) + len(heads) > MAX_CACHED_SUBJECTS:
            self._heads.clear()
        self._heads.update(heads)
        for pending, receipt in zip(batch, receipts, strict=True):
            pending.receipt = receipt
        self._wake(_chained(batch))
        self._started.set()
        self._observe(len(batch), started, committed=True)
        if signed is not None:
            with self._signed:
                self._signed_size = signed
                self._last_signed = time.monotonic()
                self._signed.notify_all()

    def _observe(self, entries: int, started: float, *, committed: bool) -> None:
        if self._observer is not None and entries:
            self._observer(entries, time.perf_counter() - started, committed)

    def _write(
        self, batch: list[_Pending], force_checkpoint: bool
    ) -> tuple[list[Receipt], CompactRange, dict[str, tuple[int, int]], int | None]:
        with self._store.sequencing() as txn:
            if txn.size != self._known_size:
                # Another process wrote, or we failed: reload what we cached.
                hashes = txn.read_nodes(compact_range_nodes(txn.size))
                self._frontier = CompactRange(txn.size, hashes)
                self._known_size = txn.size
                self._heads.clear()
            frontier = self._frontier.copy()
            tree = LedgerTree(txn, txn.size, writer=txn, frontier=frontier)
            heads = self._heads_for(txn, batch)
            receipts: list[Receipt] = []
            timestamp = format_timestamp(self._clock())
            for pending in batch:
                subject = pending.prepared.subject
                seq: int | None = None
                prev: int | None = None
                if subject is not None:
                    last = heads.get(subject)
                    seq, prev = (1, None) if last is None else (last[0] + 1, last[1])
                entry = seal(pending.prepared, timestamp, seq, prev)
                index = tree.append(entry)
                if subject is not None and seq is not None:
                    heads[subject] = (seq, index)
                receipts.append(Receipt(index, tree.last_leaf_hash, timestamp, subject, seq, prev))
            signed = None
            due = time.monotonic() >= self._last_signed + self._interval
            if (force_checkpoint or due) and frontier.size > self._signed_size:
                signed = self._sign(txn, tree, frontier)
        return receipts, frontier, heads, signed

    def _heads_for(
        self, txn: SequencingTransaction, batch: list[_Pending]
    ) -> dict[str, tuple[int, int]]:
        wanted = {p.prepared.subject for p in batch if p.prepared.subject is not None}
        heads = {s: self._heads[s] for s in wanted if s in self._heads}
        missing = wanted - heads.keys()
        if missing:
            heads.update(txn.subject_heads(missing))
        return heads

    def _sign(self, txn: SequencingTransaction, tree: LedgerTree, frontier: CompactRange) -> int:
        """Sign a checkpoint of ``frontier`` unless one exists; returns the signed size."""
        latest = txn.latest_signed()
        if latest is not None:
            size, root_hash = latest
            if size > frontier.size:
                raise LedgerCorrupted(
                    f"a checkpoint of size {size} exists but the log has {frontier.size}"
                )
            if tree.root(size) != root_hash:
                raise LedgerCorrupted(
                    f"stored tree no longer has the root of checkpoint {size}: "
                    "refusing to sign an inconsistent checkpoint"
                )
            if size == frontier.size:
                return size
        root = frontier.root()
        note = sign_note(Checkpoint(self._origin, frontier.size, root).body(), self._signers)
        txn.store_checkpoint(CheckpointRecord(frontier.size, root, note, self._clock()))
        return frontier.size
