"""LedgerTree (pymerkle over stored subtree hashes) against the independent reference on
every tree size up to a few hundred and on a large tree, and its O(log n) reads."""

from __future__ import annotations

import os
import random

import pytest
from pymerkle import InmemoryTree

from ledger import merkle
from ledger.entry import SequencedEntry
from ledger.tree import LedgerTree
from tests.ledger.fakes import MemoryNodes, memory_tree
from tests.ledger.reference import Reference

SMALL = 300


@pytest.fixture(scope="module")
def small() -> tuple[list[bytes], MemoryNodes]:
    leaves = [os.urandom(random.randint(0, 40)) for _ in range(SMALL)]
    return leaves, memory_tree(leaves)


def test_every_root_and_proof_of_every_size_matches_the_rfc(
    small: tuple[list[bytes], MemoryNodes],
) -> None:
    leaves, store = small
    reference = Reference(leaves)
    tree = LedgerTree(store, SMALL)
    for size in range(0, SMALL + 1):
        assert tree.root(size) == reference.root(size)
        for index in range(size):
            assert tree.inclusion_proof(index, size) == reference.inclusion(index, size)
        for first in range(1, size + 1):
            assert tree.consistency_proof(first, size) == reference.consistency(first, size)


def test_roots_and_audit_paths_agree_with_plain_pymerkle(
    small: tuple[list[bytes], MemoryNodes],
) -> None:
    leaves, store = small
    plain = InmemoryTree()
    tree = LedgerTree(store, SMALL)
    for size, leaf in enumerate(leaves[:80], start=1):
        plain.append_entry(leaf)
        assert plain.get_root() == tree.root(size)
        for index in range(size):
            assert plain.prove_inclusion(index + 1, size).path[1:] == tree.inclusion_proof(
                index, size
            )


def test_a_large_tree_agrees_with_the_reference_on_sampled_proofs() -> None:
    count = (1 << 16) + (1 << 9) + 3
    leaves = [i.to_bytes(4, "big") for i in range(count)]
    store = memory_tree(leaves)
    reference = Reference(leaves)
    tree = LedgerTree(store, count)
    rng = random.Random(9162)
    sizes = [count, 1 << 16, (1 << 16) + 1, *(rng.randint(1, count) for _ in range(20))]
    for size in sizes:
        assert tree.root(size) == reference.root(size)
        for index in [0, size - 1, *(rng.randrange(size) for _ in range(5))]:
            assert tree.inclusion_proof(index, size) == reference.inclusion(index, size)
        for first in [1, size, *(rng.randint(1, size) for _ in range(5))]:
            assert tree.consistency_proof(first, size) == reference.consistency(first, size)


def test_a_proof_reads_o_log_n_nodes_in_one_query() -> None:
    count = (1 << 14) - 1
    store = memory_tree([i.to_bytes(4, "big") for i in range(count)])
    depth = count.bit_length()
    for index, size, first in [(0, count, 1), (count // 2, count, count // 3), (5, 99, 98)]:
        store.reads = store.queries = 0
        LedgerTree(store, count).inclusion_proof(index, size)
        assert store.queries == 1
        assert store.reads <= 2 * depth + 2
        store.reads = store.queries = 0
        LedgerTree(store, count).consistency_proof(first, size)
        assert store.queries == 1
        assert store.reads <= 2 * depth + 2


def test_appends_store_exactly_the_complete_subtrees() -> None:
    store = MemoryNodes()
    tree = LedgerTree(store, 0, writer=store, frontier=merkle.CompactRange.empty())
    for i in range(13):
        assert tree.append(SequencedEntry(bytes([i]), None, None, None)) == i
        assert tree.last_leaf_hash == merkle.leaf_hash(bytes([i]))
    interior = sorted(node for node in store.nodes if node[0] > 0)
    assert interior == [
        (1, 0),
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (1, 5),
        (2, 0),
        (2, 1),
        (2, 2),
        (3, 0),
    ]


def test_a_read_only_view_refuses_appends() -> None:
    tree = LedgerTree(MemoryNodes(), 0)
    with pytest.raises(TypeError):
        tree.append(SequencedEntry(b"x", None, None, None))
