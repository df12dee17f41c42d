"""RFC 9162 Merkle tree arithmetic: hashes, proof layouts, proof verification, compact ranges.

Pure functions only (no storage): the offline verifier and the storage-backed tree share them.
A node is named ``(level, index)``: it is the root of the perfect subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 nodes are leaf hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from ledger.errors import VerificationError

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeId = tuple[int, int]
Range = tuple[int, int]


def leaf_hash(leaf: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d) (RFC 9162, section 2.1.1)."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The interior node hash SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(width: int) -> int:
    """The largest power of two strictly less than ``width`` (``width`` >= 2)."""
    return 1 << ((width - 1).bit_length() - 1)


def subtree_nodes(start: int, end: int) -> list[NodeId]:
    """The perfect subtrees, left to right, whose roots fold into MTH(D[start:end]).

    Valid for the ranges RFC 9162 proofs use, whose ``start`` is a multiple of a power of two
    at least ``end - start``.
    """
    nodes: list[NodeId] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The root over perfect-subtree roots given left to right (RFC 9162's right-leaning fold)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """Leaf ranges whose roots make up PATH(index, D[0:size]), in proof order (leaf upwards)."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not below size {size}")
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[Range]:
    """Leaf ranges whose roots make up PROOF(first, D[0:second]) (RFC 9162, 2.1.4.1)."""
    if not 0 < first <= second:
        raise ValueError(f"need 0 < first <= second, got first={first} second={second}")
    ranges: list[Range] = []
    start, m, n, whole = 0, first, second, True
    # SUBPROOF(m, D[start:start+n], whole), unrolled; siblings are collected top-down.
    while m != n:
        k = split_point(n)
        if m <= k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:
        ranges.append((start, start + n))
    ranges.reverse()
    return ranges


def _check_hashes(proof: Sequence[bytes]) -> None:
    for position, element in enumerate(proof):
        if not isinstance(element, bytes) or len(element) != HASH_SIZE:
            raise VerificationError(f"proof element {position} is not a {HASH_SIZE}-byte hash")


def _same(a: bytes, b: bytes) -> bool:
    return isinstance(a, bytes) and isinstance(b, bytes) and hmac.compare_digest(a, b)


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162, 2.1.3.2 steps 1-4), or raise."""
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is not below tree size {size}")
    if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
        raise VerificationError(f"leaf hash is not a {HASH_SIZE}-byte hash")
    _check_hashes(proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf hash ``leaf`` sits at ``index`` of the tree of ``size`` with ``root``.

    Raises ``VerificationError`` on any mismatch.
    """
    if not _same(root_from_inclusion_proof(leaf, index, size, proof), root):
        raise VerificationError(
            f"inclusion proof for index {index} does not lead to the root of size {size}"
        )


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``second`` leaves extends the tree of ``first`` leaves.

    Follows RFC 9162, 2.1.4.2; a proof from the empty tree is refused as meaningless (every
    tree extends it; callers compare an empty tree's root with ``EMPTY_ROOT`` themselves).
    Raises ``VerificationError`` on any mismatch.
    """
    if first < 0 or second < first:
        raise VerificationError(f"first size {first} exceeds second size {second}")
    if first == 0:
        raise VerificationError("a consistency proof from the empty tree proves nothing")
    if first == second:
        if proof:
            raise VerificationError("equal sizes need an empty consistency proof")
        if not _same(first_root, second_root):
            raise VerificationError(f"two different roots for the same size {first}")
        return
    if not proof:
        raise VerificationError("empty consistency proof for different sizes")
    _check_hashes(proof)
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("consistency proof is longer than needed")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("consistency proof is shorter than needed")
    if not _same(fr, first_root):
        raise VerificationError(f"consistency proof does not lead to the root of size {first}")
    if not _same(sr, second_root):
        raise VerificationError(f"consistency proof does not lead to the root of size {second}")


def compact_range_nodes(size: int) -> list[NodeId]:
    """The maximal perfect subtrees of a tree of ``size`` leaves, left to right."""
    return [
        (level, (size >> level) - 1)
        for level in reversed(range(size.bit_length()))
        if size >> level & 1
    ]


class CompactRange:
    """The roots of the maximal perfect subtrees of a tree: all one needs to append and to
    compute the root without reading anything else."""

    def __init__(self, size: int, hashes: Sequence[bytes]) -> None:
        """A compact range of ``size`` leaves from its subtree roots, left to right."""
        if len(hashes) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} subtree roots")
        self.size = size
        self._hashes = list(hashes)

    @classmethod
    def empty(cls) -> CompactRange:
        """The compact range of the empty tree."""
        return cls(0, [])

    def copy(self) -> CompactRange:
        """An independent copy, for appending speculatively."""
        return CompactRange(self.size, self._hashes)

    def append(self, leaf: bytes) -> list[tuple[NodeId, bytes]]:
        """Append leaf hash ``leaf``; returns the interior nodes (level >= 1) it completes."""
        index, level, value = self.size, 0, leaf
        completed: list[tuple[NodeId, bytes]] = []
        while index & 1:
            value = node_hash(self._hashes.pop(), value)
            index >>= 1
            level += 1
            completed.append(((level, index), value))
        self._hashes.append(value)
        self.size += 1
        return completed

    def root(self) -> bytes:
        """MTH of the whole tree."""
        return fold(self._hashes)
