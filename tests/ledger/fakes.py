"""Hand-written in-memory storage for tree tests that need no database."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.entry import SequencedEntry
from ledger.merkle import CompactRange, NodeId
from ledger.tree import LedgerTree


class MemoryNodes:
    """NodeReader and LeafWriter over a dict; counts reads to check O(log n) access."""

    def __init__(self) -> None:
        self.nodes: dict[NodeId, bytes] = {}
        self.reads = 0
        self.queries = 0

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        self.queries += 1
        self.reads += len(ids)
        return [self.nodes[node] for node in ids]

    def store_leaf(
        self,
        index: int,
        entry: SequencedEntry,
        leaf_hash: bytes,
        nodes: list[tuple[NodeId, bytes]],
    ) -> None:
        self.nodes[(0, index)] = leaf_hash
        self.nodes.update(nodes)


def memory_tree(leaves: Sequence[bytes]) -> MemoryNodes:
    """Append ``leaves`` through LedgerTree (pymerkle's append path) into memory."""
    store = MemoryNodes()
    tree = LedgerTree(store, 0, writer=store, frontier=CompactRange.empty())
    for leaf in leaves:
        tree.append(SequencedEntry(leaf, None, None, None))
    return store
