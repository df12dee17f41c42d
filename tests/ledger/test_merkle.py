"""RFC 9162 arithmetic against the independent reference: ranges, roots, verification, and
that every kind of tampering with a proof is rejected."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import merkle
from ledger.errors import VerificationError
from tests.ledger.reference import Reference

LEAVES = [os.urandom(8) for _ in range(300)]
REFERENCE = Reference(LEAVES)


def _range_root(start: int, end: int) -> bytes:
    return merkle.fold(
        [REFERENCE.mth(a << b, (a + 1) << b) for b, a in merkle.subtree_nodes(start, end)]
    )


@given(st.integers(0, 299).flatmap(lambda i: st.tuples(st.just(i), st.integers(i + 1, 300))))
def test_inclusion_ranges_fold_to_the_rfc_audit_path(pair: tuple[int, int]) -> None:
    index, size = pair
    path = [_range_root(a, b) for a, b in merkle.inclusion_ranges(index, size)]
    assert path == REFERENCE.inclusion(index, size)


@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_consistency_ranges_fold_to_the_rfc_proof(pair: tuple[int, int]) -> None:
    first, second = pair
    proof = [_range_root(a, b) for a, b in merkle.consistency_ranges(first, second)]
    assert proof == REFERENCE.consistency(first, second)


def test_compact_range_gives_every_root_and_completes_every_node() -> None:
    frontier = merkle.CompactRange.empty()
    assert frontier.root() == merkle.EMPTY_ROOT
    nodes: dict[merkle.NodeId, bytes] = {}
    for size, leaf in enumerate(LEAVES, start=1):
        hashed = merkle.leaf_hash(leaf)
        nodes[(0, size - 1)] = hashed
        nodes.update(frontier.append(hashed))
        assert frontier.root() == REFERENCE.root(size)
        restored = merkle.CompactRange(size, [nodes[n] for n in merkle.compact_range_nodes(size)])
        assert restored.root() == frontier.root()
    for (level, index), value in nodes.items():
        assert value == REFERENCE.mth(index << level, (index + 1) << level)


@given(st.integers(0, 2**40), st.integers(1, 2**20))
def test_subtree_nodes_tile_the_range_with_aligned_perfect_subtrees(start: int, width: int) -> None:
    level = (width - 1).bit_length()
    start = (start >> level) << level  # RFC ranges start on a boundary of their width
    position = start
    for node_level, node_index in merkle.subtree_nodes(start, start + width):
        assert node_index << node_level == position
        position += 1 << node_level
    assert position == start + width


@settings(max_examples=300)
@given(
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))), st.data()
)
def test_inclusion_verification_accepts_the_proof_and_rejects_any_tampering(
    pair: tuple[int, int], data: st.DataObject
) -> None:
    index, size = pair
    proof = REFERENCE.inclusion(index, size)
    leaf, root = REFERENCE.leaf_hash(index), REFERENCE.root(size)
    merkle.verify_inclusion(leaf, index, size, proof, root)
    choices = ["leaf", "root", "index", "add"] + (["hash", "drop"] if proof else [])
    tamper = data.draw(st.sampled_from(choices))
    if tamper == "leaf":
        leaf = _flip(leaf, data)
    elif tamper == "root":
        root = _flip(root, data)
    elif tamper == "index":
        index = data.draw(st.integers(0, size).filter(lambda i: i != index))
    elif tamper == "hash":
        position = data.draw(st.integers(0, len(proof) - 1))
        proof = [*proof[:position], _flip(proof[position], data), *proof[position + 1 :]]
    elif tamper == "drop":
        proof = proof[:-1]
    else:
        proof = [*proof, os.urandom(32)]
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(leaf, index, size, proof, root)


@settings(max_examples=300)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))), st.data())
def test_consistency_verification_accepts_the_proof_and_rejects_any_tampering(
    pair: tuple[int, int], data: st.DataObject
) -> None:
    first, second = pair
    proof = REFERENCE.consistency(first, second)
    old, new = REFERENCE.root(first), REFERENCE.root(second)
    merkle.verify_consistency(first, second, old, new, proof)
    choices = ["old", "new", "add"] + (["hash", "drop"] if proof else [])
    tamper = data.draw(st.sampled_from(choices))
    if tamper == "old":
        old = _flip(old, data)
    elif tamper == "new":
        new = _flip(new, data)
    elif tamper == "hash":
        position = data.draw(st.integers(0, len(proof) - 1))
        proof = [*proof[:position], _flip(proof[position], data), *proof[position + 1 :]]
    elif tamper == "drop":
        proof = proof[:-1]
    else:
        proof = [*proof, os.urandom(32)]
    with pytest.raises(VerificationError):
        merkle.verify_consistency(first, second, old, new, proof)


def test_a_size_is_only_meaningful_with_its_signed_root() -> None:
    """The same proof can verify for two sizes when the roots coincide (RFC 9162's algorithm
    cannot tell), which is why verifiers take size and root together from a signed checkpoint:
    a changed size breaks the signature (tests/ledger/test_verify.py)."""
    proof = REFERENCE.inclusion(0, 33)
    merkle.verify_inclusion(REFERENCE.leaf_hash(0), 0, 33, proof, REFERENCE.root(33))
    merkle.verify_inclusion(REFERENCE.leaf_hash(0), 0, 34, proof, REFERENCE.root(33))
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(REFERENCE.leaf_hash(0), 0, 34, proof, REFERENCE.root(34))


def _flip(value: bytes, data: st.DataObject) -> bytes:
    bit = data.draw(st.integers(0, len(value) * 8 - 1))
    changed = bytearray(value)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)
