"""What the ledger needs from storage, as Protocols; ``ledger.sql_store`` implements them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ledger.entry import SequencedEntry
from ledger.merkle import NodeId


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """A stored entry; ``leaf`` is ``None`` once redacted."""

    index: int
    leaf_hash: bytes
    leaf: bytes | None
    subject: str | None
    subject_seq: int | None
    prev_index: int | None


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    """A stored signed checkpoint."""

    size: int
    root_hash: bytes
    note: str
    issued_at: datetime


class LogReader(Protocol):
    """Reads; each call sees committed data."""

    def size(self) -> int:
        """Number of sequenced entries."""
        ...

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """Node hashes in order (level 0: leaf hashes); ``LedgerCorrupted`` if one is missing."""
        ...

    def entry(self, index: int) -> EntryRecord | None:
        """The entry at ``index``, if any."""
        ...

    def entries_for_subject(
        self, subject: str, limit: int, before_index: int | None
    ) -> list[EntryRecord]:
        """A subject's entries below ``before_index``, newest first."""
        ...

    def latest_checkpoint(self) -> CheckpointRecord | None:
        """The checkpoint with the largest size."""
        ...

    def checkpoint(self, size: int) -> CheckpointRecord | None:
        """The checkpoint issued for ``size``, if any."""
        ...

    def checkpoints(self, after_size: int, limit: int) -> list[CheckpointRecord]:
        """Checkpoints with size above ``after_size``, oldest first."""
        ...

    def checkpoint_below(self, size: int) -> CheckpointRecord | None:
        """The kept checkpoint with the largest size below ``size``, if any."""
        ...

    def checkpoints_issued_before(
        self, moment: datetime, after_size: int, below_size: int, limit: int
    ) -> list[CheckpointRecord]:
        """Checkpoints issued before ``moment`` with ``after_size < size < below_size``,
        smallest size first."""
        ...

    def verifier_keys(self) -> list[str]:
        """Every verifier key that ever signed, oldest first."""
        ...

    def iter_leaves(self) -> Iterator[tuple[int, bytes, bytes | None]]:
        """``(index, leaf_hash, leaf)`` for every entry in index order."""
        ...

    def iter_nodes(self) -> Iterator[tuple[NodeId, bytes]]:
        """Every stored interior node, ordered by (level, index)."""
        ...


class SequencingTransaction(Protocol):
    """One open write transaction holding the log's sequencer lock."""

    size: int

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """As ``LogReader.read_nodes``, inside the transaction."""
        ...

    def subject_heads(self, subjects: Collection[str]) -> dict[str, tuple[int, int]]:
        """``subject -> (last subject_seq, last index)`` for subjects that have entries."""
        ...

    def store_leaf(
        self,
        index: int,
        entry: SequencedEntry,
        leaf_hash: bytes,
        nodes: list[tuple[NodeId, bytes]],
    ) -> None:
        """Buffer leaf ``index`` and the interior nodes it completes."""
        ...

    def latest_signed(self) -> tuple[int, bytes] | None:
        """Size and root hash of the largest checkpoint issued, inside the transaction."""
        ...

    def store_checkpoint(self, record: CheckpointRecord) -> None:
        """Record an issued checkpoint."""
        ...


class LogStore(Protocol):
    """Storage of one log."""

    def initialize(self) -> None:
        """Make sure the log's bookkeeping exists (idempotent, safe to race)."""
        ...

    def reader(self) -> AbstractContextManager[LogReader]:
        """A reader on a pooled connection."""
        ...

    def sequencing(self) -> AbstractContextManager[SequencingTransaction]:
        """Take the sequencer lock in a new transaction; commit (durably) on clean exit."""
        ...

    def register_keys(self, verifier_keys: Iterable[str], now: datetime) -> None:
        """Remember verifier keys so checkpoints they signed stay verifiable."""
        ...

    def redact(self, index: int) -> bool:
        """Delete entry ``index``'s content, keeping its hashes; false if there is none."""
        ...

    def redact_many(self, indexes: Sequence[int]) -> set[int]:
        """:meth:`redact` for each of ``indexes`` in one transaction; the ones that exist."""
        ...

    def delete_checkpoints(self, sizes: Sequence[int], below_size: int) -> int:
        """Delete the checkpoints of ``sizes`` that are below ``below_size`` (so never the
        latest), in one transaction; how many there were."""
        ...

    def close(self) -> None:
        """Release connections held by the store."""
        ...
