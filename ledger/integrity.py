"""A full storage check: recompute every hash from the leaves and every checkpoint's root.

O(n) time and memory: for audits, after a crash, and in tests; never on a request path. Safe
while others append: it checks the log as of the size it reads first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.errors import LedgerCorrupted, VerificationError
from ledger.merkle import fold, leaf_hash, node_hash, subtree_nodes
from ledger.note import NoteVerifier, verify_checkpoint
from ledger.storage import LogReader


@dataclass(frozen=True)
class StorageReport:
    """What a clean storage check saw."""

    size: int
    redacted: int
    nodes: int
    checkpoints: int
    root_hash: bytes


def _levels(reader: LogReader, size: int) -> tuple[list[list[bytes]], int]:
    leaves: list[bytes] = []
    redacted = 0
    for index, stored_hash, leaf in reader.iter_leaves():
        if index >= size:
            break
        if index != len(leaves):
            raise LedgerCorrupted(f"entry {len(leaves)} is missing from storage")
        if leaf is None:
            redacted += 1
        elif leaf_hash(leaf) != stored_hash:
            raise LedgerCorrupted(f"entry {index}: stored leaf hash does not match its content")
        leaves.append(stored_hash)
    if len(leaves) != size:
        raise LedgerCorrupted(f"the log size is {size} but {len(leaves)} entries are stored")
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return levels, redacted


def check_storage(reader: LogReader, verifier_keys: Sequence[str], origin: str) -> StorageReport:
    """Check every leaf hash, stored node and checkpoint (signature and root) in ``reader``.

    Raises ``LedgerCorrupted`` naming the first inconsistency.
    """
    size = reader.size()
    levels, redacted = _levels(reader, size)
    nodes = 0
    for (level, index), value in reader.iter_nodes():
        if (index + 1) << level > size:
            continue
        if level >= len(levels) or levels[level][index] != value:
            raise LedgerCorrupted(f"stored node ({level}, {index}) has the wrong hash")
        nodes += 1
    if nodes != sum(len(level) for level in levels[1:]):
        raise LedgerCorrupted("stored tree nodes are missing")

    def root(n: int) -> bytes:
        return fold([levels[level][index] for level, index in subtree_nodes(0, n)])

    verifiers = [NoteVerifier.parse(key) for key in verifier_keys]
    checked, after = 0, -1
    while page := reader.checkpoints(after, 1000):
        for record in page:
            if record.size > size:
                continue
            try:
                checkpoint = verify_checkpoint(record.note, verifiers, origin)
            except VerificationError as exc:
                raise LedgerCorrupted(f"checkpoint {record.size}: {exc.message}") from exc
            if (checkpoint.size, checkpoint.root_hash) != (record.size, record.root_hash):
                raise LedgerCorrupted(f"checkpoint {record.size}: note and record differ")
            if root(record.size) != record.root_hash:
                raise LedgerCorrupted(f"checkpoint {record.size}: root does not match the tree")
            checked += 1
        after = page[-1].size
    return StorageReport(size, redacted, nodes, checked, root(size))
