"""``Ledger``: the append-only, verifiable log the gateway writes every decision to.

Blocking and thread-safe. Writes go through the ``Sequencer`` (group commit, checkpoints);
reads go straight to storage and are bounded by the latest signed checkpoint, so every proof
handed out can be checked against a checkpoint someone may already hold.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ledger.entry import prepare
from ledger.errors import (
    CheckpointNotFound,
    CheckpointNotKept,
    EntryNotFound,
    InvalidRequest,
    LedgerCorrupted,
    LedgerUnavailable,
    NotCheckpointed,
)
from ledger.integrity import StorageReport, check_storage
from ledger.note import NoteSigner
from ledger.sequencer import BatchObserver, Receipt, Sequencer
from ledger.statement import sign_statement
from ledger.storage import CheckpointRecord, EntryRecord, LogReader, LogStore
from ledger.subject_head import SubjectHead, sign_subject_head
from ledger.thinning import ThinningPolicy, ThinningReport, thin_checkpoints
from ledger.tree import LedgerTree

MAX_PAGE = 1000


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as stored: ``leaf`` and ``entry`` are ``None`` once redacted."""

    index: int
    leaf_hash: bytes
    leaf: bytes | None
    entry: dict[str, Any] | None
    subject: str | None
    subject_seq: int | None
    prev_index: int | None

    @property
    def redacted(self) -> bool:
        """Whether retention deleted this entry's content."""
        return self.leaf is None

    @classmethod
    def from_record(cls, record: EntryRecord) -> StoredEntry:
        """Decode a storage record."""
        entry = None if record.leaf is None else json.loads(record.leaf)
        return cls(
            record.index,
            record.leaf_hash,
            record.leaf,
            entry,
            record.subject,
            record.subject_seq,
            record.prev_index,
        )


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A signed tree head: ``note_text`` is the C2SP signed note to hand out."""

    size: int
    root_hash: bytes
    note_text: str
    issued_at: datetime

    @classmethod
    def from_record(cls, record: CheckpointRecord) -> SignedCheckpoint:
        """From a storage record."""
        return cls(record.size, record.root_hash, record.note, record.issued_at)


@dataclass(frozen=True)
class SubjectPage:
    """A page of one subject's history, each entry with its inclusion proof, all against one
    checkpoint; ``to_json`` gives the format ``ledger.verify.verify_subject_page`` checks.

    ``head`` (on the newest page only) is the signed subject head naming the subject's newest
    entry in the checkpoint's tree (``ledger.subject_head``)."""

    subject: str
    checkpoint: SignedCheckpoint
    entries: list[StoredEntry]
    proofs: list[list[bytes]] = field(repr=False)
    next_before_index: int | None
    head: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The page as JSON-ready data (hashes and leaves base64)."""
        items: list[dict[str, Any]] = []
        for entry, proof in zip(self.entries, self.proofs, strict=True):
            item: dict[str, Any] = {"index": entry.index}
            if entry.leaf is None:
                item.update(
                    redacted=True,
                    leaf_hash=_b64(entry.leaf_hash),
                    subject_seq=entry.subject_seq,
                    prev_index=entry.prev_index,
                )
            else:
                item["leaf"] = _b64(entry.leaf)
            item["inclusion_proof"] = [_b64(h) for h in proof]
            items.append(item)
        return {
            "subject": self.subject,
            "checkpoint": self.checkpoint.note_text,
            "entries": items,
            "next_before_index": self.next_before_index,
            "head": self.head,
        }


def _require(condition: bool, message: str, parameter: str) -> None:
    if not condition:
        raise InvalidRequest(message, parameter=parameter)


class PendingAppend:
    """An entry queued by :meth:`Ledger.enqueue`, not yet known to be durable."""

    __slots__ = ("_pending", "_sequencer", "_timeout")

    def __init__(self, sequencer: Sequencer, pending: Any, timeout: float) -> None:
        self._sequencer = sequencer
        self._pending = pending
        self._timeout = timeout

    def wait(self) -> Receipt:
        """Block until the entry is durably committed; its receipt, or ``LedgerUnavailable``."""
        return self._sequencer.wait(self._pending, self._timeout)


class Ledger:
    """The verifiable log. Construct with a store and signers; ``close`` when done."""

    def __init__(
        self,
        store: LogStore,
        signers: Sequence[NoteSigner],
        *,
        origin: str | None = None,
        checkpoint_interval: float = 0.5,
        clock: Callable[[], datetime] = _utcnow,
        max_batch: int = 1024,
        append_timeout: float = 30.0,
        observer: BatchObserver | None = None,
    ) -> None:
        """Open the log in ``store`` and start its sequencer.

        ``signers[0]`` is the current checkpoint key; further signers co-sign during a key
        rotation. ``origin`` (default: the first key's name) is the checkpoint origin line.
        ``observer`` is told of every batch the sequencer commits (see ``BatchObserver``).
        """
        if not signers:
            raise ValueError("a ledger needs a checkpoint signing key")
        self.origin = origin or signers[0].name
        self._store = store
        self._signers = list(signers)
        self._append_timeout = append_timeout
        self._signed = 0
        store.initialize()
        store.register_keys([s.verifier_key for s in self._signers], clock())
        self._sequencer = Sequencer(
            store,
            self._signers,
            origin=self.origin,
            clock=clock,
            checkpoint_interval=checkpoint_interval,
            max_batch=max_batch,
            observer=observer,
        )
        self._sequencer.start()

    # Writing.

    def append(self, payload: dict[str, Any], subject: str | None = None) -> Receipt:
        """Append an entry and block until it is durably committed.

        The ledger adds a nonce, the timestamp and, for a ``subject``, its chain fields.
        Raises ``InvalidEntry`` for a payload that is not canonical JSON and
        ``LedgerUnavailable`` on any failure to commit: the caller must then fail closed.
        """
        return self._sequencer.submit(prepare(payload, subject), self._append_timeout)

    def enqueue(self, payload: dict[str, Any], subject: str | None = None) -> PendingAppend:
        """Queue an entry without waiting for it; ``wait()`` on the result blocks until it is
        durable (raising as :meth:`append` does).

        Entries queued by one process take their places in the log in the order they were
        queued, so a caller can fix an entry's place while it holds a lock and wait for the
        disk after letting go. Validation errors (``InvalidEntry``) are raised here.
        """
        pending = self._sequencer.enqueue(prepare(payload, subject))
        return PendingAppend(self._sequencer, pending, self._append_timeout)

    def redact(self, index: int) -> None:
        """Delete entry ``index``'s content; its leaf hash stays, so every proof stays valid."""
        if not self._store.redact(index):
            raise EntryNotFound(f"no ledger entry {index}")

    def redact_many(self, indexes: Sequence[int]) -> list[int]:
        """:meth:`redact` for many entries in one transaction; returns the indexes that do
        not exist (nothing is raised for them)."""
        found = self._store.redact_many(indexes)
        return sorted(set(indexes) - found)

    # Reading entries.

    def size(self) -> int:
        """Number of entries sequenced (some may not be in a checkpoint yet)."""
        with self._store.reader() as reader:
            return reader.size()

    def entry(self, index: int) -> StoredEntry:
        """The entry at ``index`` (``EntryNotFound`` if none)."""
        with self._store.reader() as reader:
            record = reader.entry(index)
        if record is None:
            raise EntryNotFound(f"no ledger entry {index}")
        return StoredEntry.from_record(record)

    def entries_for_subject(
        self, subject: str, limit: int = 50, before_index: int | None = None
    ) -> list[StoredEntry]:
        """A subject's entries, newest first, below ``before_index`` when given."""
        _require(1 <= limit <= MAX_PAGE, f"limit must be between 1 and {MAX_PAGE}", "limit")
        with self._store.reader() as reader:
            records = reader.entries_for_subject(subject, limit, before_index)
        return [StoredEntry.from_record(r) for r in records]

    def subject_page(
        self,
        subject: str,
        limit: int = 50,
        before_index: int | None = None,
        size: int | None = None,
    ) -> SubjectPage:
        """A subject's entries covered by the latest checkpoint, newest first, with proofs.

        With ``size``, the page is against the kept checkpoint of that tree size instead, so
        that every page of one walk back (``before_index``) can share one checkpoint and join
        offline; a size beyond the latest checkpoint raises ``CheckpointNotFound``, one no kept
        checkpoint has ``CheckpointNotKept`` (as :meth:`checkpoint_for_size`). The newest page
        (``before_index`` absent or beyond the checkpoint) also carries a signed subject head:
        the subject's newest entry in the checkpoint's tree, or none.
        """
        _require(1 <= limit <= MAX_PAGE, f"limit must be between 1 and {MAX_PAGE}", "limit")
        _require(size is None or size >= 1, "size must be at least 1", "size")
        with self._store.reader() as reader:
            checkpoint = self._latest(reader) if size is None else self._kept(reader, size)
            bound = checkpoint.size if before_index is None else min(before_index, checkpoint.size)
            records = reader.entries_for_subject(subject, limit, bound)
            tree = LedgerTree(reader, checkpoint.size)
            proofs = tree.inclusion_proofs([r.index for r in records], checkpoint.size)
        # True by construction: every entry below a checkpoint's size was committed before
        # the checkpoint became visible and none is ever moved, so the first record read
        # below ``checkpoint.size`` is the subject's newest in that tree.
        head = None
        if bound == checkpoint.size:
            head = self._sign_head(subject, checkpoint, records[0] if records else None)
        entries = [StoredEntry.from_record(r) for r in records]
        more = len(entries) == limit and entries[-1].subject_seq != 1
        return SubjectPage(
            subject, checkpoint, entries, proofs, entries[-1].index if more else None, head
        )

    def _sign_head(
        self, subject: str, checkpoint: SignedCheckpoint, newest: EntryRecord | None
    ) -> str:
        seq, index = (0, None) if newest is None else (newest.subject_seq, newest.index)
        if seq is None:
            raise LedgerCorrupted(f"ledger entry {index} of a subject has no subject_seq")
        origin = checkpoint.note_text.partition("\n")[0]  # the checkpoint's own origin line
        head = SubjectHead(origin, checkpoint.size, checkpoint.root_hash, subject, seq, index)
        return sign_subject_head(head, self._signers)

    # Checkpoints.

    def _latest(self, reader: LogReader) -> SignedCheckpoint:
        record = reader.latest_checkpoint()
        if record is None:
            raise LedgerUnavailable("the ledger has not issued a checkpoint yet")
        return SignedCheckpoint.from_record(record)

    def latest_checkpoint(self) -> SignedCheckpoint:
        """The most recent signed checkpoint."""
        with self._store.reader() as reader:
            return self._latest(reader)

    def checkpoint_for_size(self, size: int) -> SignedCheckpoint:
        """The checkpoint kept for tree size ``size``.

        Raises ``CheckpointNotFound`` for a size beyond the latest checkpoint and
        ``CheckpointNotKept`` (naming the nearest kept sizes) for one the tree has but no
        kept checkpoint does.
        """
        with self._store.reader() as reader:
            return self._kept(reader, size)

    def _kept(self, reader: LogReader, size: int) -> SignedCheckpoint:
        record = reader.checkpoint(size)
        if record is not None:
            return SignedCheckpoint.from_record(record)
        latest = reader.latest_checkpoint()
        if latest is None or size > latest.size:
            raise CheckpointNotFound(
                f"no checkpoint was issued for size {size}"
                + ("" if latest is None else f" (the latest has size {latest.size})")
            )
        below = reader.checkpoint_below(size)
        above = reader.checkpoints(size, 1)[0].size
        nearest = ([] if below is None else [below.size]) + [above]
        raise CheckpointNotKept(
            f"no checkpoint of size {size} is kept: none was issued for that size, or it was "
            f"thinned out by checkpoint retention; the nearest kept are sizes "
            f"{' and '.join(map(str, nearest))}. Inclusion and consistency proofs for size "
            f"{size} still work: they come from the tree, not from stored checkpoints",
            detail={"size": size, "nearest_kept": nearest, "latest": latest.size},
        )

    def checkpoints(self, after_size: int = -1, limit: int = 100) -> list[SignedCheckpoint]:
        """Every checkpoint kept with size above ``after_size``, oldest first."""
        _require(1 <= limit <= MAX_PAGE, f"limit must be between 1 and {MAX_PAGE}", "limit")
        with self._store.reader() as reader:
            records = reader.checkpoints(after_size, limit)
        return [SignedCheckpoint.from_record(r) for r in records]

    def wait_for_checkpoint(self, size: int, timeout: float = 5.0) -> SignedCheckpoint:
        """Block until a checkpoint covers the first ``size`` entries; return it.

        Raises ``LedgerUnavailable`` after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            checkpoint = self.latest_checkpoint()
            if checkpoint.size >= size:
                return checkpoint
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LedgerUnavailable(
                    f"no checkpoint covers size {size} after {timeout}s "
                    f"(latest covers {checkpoint.size})"
                )
            # Another process may sign it: look at storage again at least every 50 ms.
            self._sequencer.wait_signed(min(remaining, 0.05))

    def sign_statement(self, kind: str, digest: str) -> str:
        """The platform's signed statement (``ledger.statement``) that it issued the document
        with ``digest``, signed by the checkpoint key(s)."""
        return sign_statement(kind, digest, self._signers)

    def verifier_key(self) -> str:
        """The verifier key (C2SP signed-note form) of the current checkpoint key."""
        return self._signers[0].verifier_key

    def verifier_keys(self) -> list[str]:
        """Every verifier key that has signed checkpoints of this log, oldest first."""
        with self._store.reader() as reader:
            known = reader.verifier_keys()
        return known + [s.verifier_key for s in self._signers if s.verifier_key not in known]

    # Proofs.

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries.

        ``size`` may be any size up to the latest checkpoint's. Raises ``NotCheckpointed``
        when the entry or size is beyond the latest checkpoint, ``InvalidRequest`` otherwise.
        """
        _require(index >= 0, "index must not be negative", "index")
        _require(size >= 1, "size must be at least 1", "size")
        with self._store.reader() as reader:
            signed = self._signed_size(reader, max(index + 1, size))
            if index >= signed:
                raise NotCheckpointed(
                    f"entry {index} is not in a signed checkpoint yet "
                    f"(the latest has size {signed}); retry shortly",
                    parameter="index",
                    latest_checkpoint_size=signed,
                )
            if size > signed:
                raise NotCheckpointed(
                    f"size {size} is beyond the latest checkpoint (size {signed})",
                    parameter="size",
                    latest_checkpoint_size=signed,
                )
            _require(index < size, f"index {index} must be below size {size}", "index")
            return LedgerTree(reader, signed).inclusion_proof(index, size)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """RFC 9162 consistency proof between tree sizes ``first`` <= ``second``.

        ``second`` may be any size up to the latest checkpoint's.
        """
        _require(first >= 1, "first must be at least 1", "first")
        _require(first <= second, f"first ({first}) must not exceed second ({second})", "first")
        with self._store.reader() as reader:
            signed = self._signed_size(reader, second)
            if second > signed:
                raise NotCheckpointed(
                    f"size {second} is beyond the latest checkpoint (size {signed})",
                    parameter="second",
                    latest_checkpoint_size=signed,
                )
            return LedgerTree(reader, signed).consistency_proof(first, second)

    def _signed_size(self, reader: LogReader, needed: int) -> int:
        """The latest checkpoint's size, read from storage again only when ``needed`` is
        beyond the last size seen (checkpoints only grow): most proofs cost one query."""
        if needed > self._signed:
            self._signed = max(self._signed, self._latest(reader).size)
        return self._signed

    # Operations.

    def thin_checkpoints(
        self, policy: ThinningPolicy, now: datetime, *, dry_run: bool = False
    ) -> ThinningReport:
        """Delete the checkpoints ``policy`` does not keep at ``now`` (``ledger.thinning``);
        the latest is always kept. With ``dry_run``, only count them."""
        return thin_checkpoints(self._store, policy, now, dry_run=dry_run)

    def check_storage(self) -> StorageReport:
        """Recompute every stored hash and check every checkpoint (O(n); for audits and
        after crashes). Raises ``LedgerCorrupted`` on the first inconsistency."""
        with self._store.reader() as reader:
            return check_storage(reader, self.verifier_keys(), self.origin)

    def write_failure(self) -> str | None:
        """Why this ledger cannot commit entries now (for readiness checks), or None.

        Cheap: reports the sequencer's state and its last write's outcome (a failing store
        is seen by the next append or checkpoint; a pending checkpoint is retried every
        interval, so recovery is seen too).
        """
        return self._sequencer.write_failure()

    def close(self) -> None:
        """Commit queued entries, sign a last checkpoint, stop the sequencer."""
        self._sequencer.close()
        self._store.close()
