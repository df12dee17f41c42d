"""The ledger's Merkle tree: pymerkle's engine over stored complete-subtree hashes.

pymerkle computes roots and inclusion paths from ``_get_subroot(offset, width)``. Here that
reads the stored hash of the perfect subtree, never the leaves under it, so a root or a proof
costs O(log n) node reads, all fetched in one query. pymerkle's consistency proofs are not
RFC 9162 proofs, so ``consistency_proof`` builds them from the RFC's ranges instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from pymerkle import BaseMerkleTree

from ledger.entry import SequencedEntry
from ledger.merkle import (
    CompactRange,
    NodeId,
    consistency_ranges,
    inclusion_ranges,
    subtree_nodes,
)


class NodeReader(Protocol):
    """Read access to stored node hashes; level 0 nodes are leaf hashes."""

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """The hashes of ``ids``, in order; raise ``LedgerCorrupted`` if one is missing."""
        ...


class LeafWriter(Protocol):
    """Where appended leaves go (the sequencer's open transaction)."""

    def store_leaf(
        self,
        index: int,
        entry: SequencedEntry,
        leaf_hash: bytes,
        nodes: list[tuple[NodeId, bytes]],
    ) -> None:
        """Record leaf ``index`` and the interior nodes it completes."""
        ...


class LedgerTree(BaseMerkleTree):  # type: ignore[misc]
    """A view of the stored tree at ``size`` leaves; with a writer, also appendable."""

    def __init__(
        self,
        reader: NodeReader,
        size: int,
        *,
        writer: LeafWriter | None = None,
        frontier: CompactRange | None = None,
    ) -> None:
        """A tree of ``size`` leaves over ``reader``; appends need ``writer`` and ``frontier``
        (the compact range of exactly ``size`` leaves)."""
        # Not disable_cache: pymerkle would then bind its leaf-rehashing _get_subroot over ours.
        super().__init__("sha256")
        if frontier is not None and frontier.size != size:
            raise ValueError("frontier does not match the tree size")
        self._reader = reader
        self._size = size
        self._writer = writer
        self._frontier = frontier
        self._prefetched: dict[NodeId, bytes] = {}
        self.last_leaf_hash = b""

    # pymerkle's storage interface (pymerkle counts leaves from 1).

    def _encode_entry(self, data: SequencedEntry) -> bytes:
        return data.leaf

    def _store_leaf(self, data: SequencedEntry, digest: bytes) -> int:
        if self._writer is None or self._frontier is None:
            raise TypeError("this tree view is read-only")
        index = self._size
        nodes = self._frontier.append(digest)
        self._writer.store_leaf(index, data, digest, nodes)
        self._size += 1
        self.last_leaf_hash = digest
        return self._size

    def _get_leaf(self, index: int) -> bytes:
        return self._node((0, index - 1))

    def _get_leaves(self, offset: int, width: int) -> list[bytes]:
        ids = [(0, i) for i in range(offset, offset + width)]
        self._prefetch(ids)
        return [self._prefetched[node] for node in ids]

    def _get_size(self) -> int:
        return self._size

    def _get_subroot(self, offset: int, width: int) -> bytes:
        level = width.bit_length() - 1
        return self._node((level, offset >> level))

    # Reads batched into one query.

    def _node(self, node: NodeId) -> bytes:
        value = self._prefetched.get(node)
        if value is None:
            value = self._reader.read_nodes([node])[0]
            self._prefetched[node] = value
        return value

    def _prefetch(self, ids: Iterable[NodeId]) -> None:
        missing = sorted({node for node in ids if node not in self._prefetched})
        if missing:
            self._prefetched.update(zip(missing, self._reader.read_nodes(missing), strict=True))

    def _prefetch_ranges(self, ranges: Iterable[tuple[int, int]]) -> None:
        self._prefetch(node for start, end in ranges for node in subtree_nodes(start, end))

    # The RFC 9162 interface the ledger uses (leaf indices from 0).

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all)."""
        size = self._size if size is None else size
        self._prefetch_ranges([(0, size)])
        root: bytes = self.get_root(size)
        return root

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The RFC 9162 audit path of leaf ``index`` in the tree of ``size`` leaves."""
        self._prefetch_ranges([(index, index + 1), *inclusion_ranges(index, size)])
        proof: Any = self.prove_inclusion(index + 1, size)
        # pymerkle's path starts with the leaf hash itself; the RFC path is the rest.
        return list(proof.path[1:])

    def inclusion_proofs(self, indices: Sequence[int], size: int) -> list[list[bytes]]:
        """Inclusion proofs of several leaves in the tree of ``size`` leaves, read together."""
        self._prefetch_ranges(
            r for index in indices for r in [(index, index + 1), *inclusion_ranges(index, size)]
        )
        return [self.inclusion_proof(index, size) for index in indices]

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The RFC 9162 consistency proof from ``first`` to ``second`` leaves."""
        if first == second:
            return []
        ranges = consistency_ranges(first, second)
        self._prefetch_ranges(ranges)
        return [self._get_root(start, end) for start, end in ranges]

    def append(self, entry: SequencedEntry) -> int:
        """Append ``entry``; returns its index (from 0). Its leaf hash is ``last_leaf_hash``."""
        position: int = self.append_entry(entry)
        return position - 1
