"""The published RFC 6962/9162 test vectors (transparency-dev/merkle, Apache-2.0, in vectors/):
every happy path verifies, every tampered case is rejected, and our tree reproduces the roots
and the happy-path proofs byte for byte."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ledger import merkle
from ledger.errors import VerificationError
from ledger.tree import LedgerTree
from tests.ledger.fakes import memory_tree

VECTORS = Path(__file__).parent / "vectors"
LEAVES_AND_ROOTS = json.loads((VECTORS / "leaves-and-roots.json").read_text())
LEAVES = [bytes.fromhex(h) for h in LEAVES_AND_ROOTS["leaf_inputs_hex"]]
ROOTS = [bytes.fromhex(h) for h in LEAVES_AND_ROOTS["root_hashes_hex_by_size"]]


def _cases(kind: str) -> list[Any]:
    files = sorted((VECTORS / "testdata" / kind).rglob("*.json"))
    assert files, f"no {kind} vectors found"
    return [
        pytest.param(json.loads(f.read_text()), id=str(f.relative_to(VECTORS / "testdata")))
        for f in files
    ]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _proof(case: dict[str, Any]) -> list[bytes]:
    return [_b64(p) for p in case["proof"] or []]


@pytest.mark.parametrize("case", _cases("inclusion"))
def test_inclusion_vector(case: dict[str, Any]) -> None:
    def verify() -> None:
        merkle.verify_inclusion(
            _b64(case["leafHash"]),
            case["leafIdx"],
            case["treeSize"],
            _proof(case),
            _b64(case["root"]),
        )

    if case["wantErr"]:
        with pytest.raises(VerificationError):
            verify()
    else:
        verify()


@pytest.mark.parametrize("case", _cases("consistency"))
def test_consistency_vector(case: dict[str, Any]) -> None:
    def verify() -> None:
        merkle.verify_consistency(
            case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), _proof(case)
        )

    if case["wantErr"]:
        with pytest.raises(VerificationError):
            verify()
    else:
        verify()


def test_roots_of_the_vector_leaves_match_for_every_size() -> None:
    store = memory_tree(LEAVES)
    tree = LedgerTree(store, len(LEAVES))
    for size, expected in enumerate(ROOTS):
        assert tree.root(size) == expected
        frontier = merkle.CompactRange.empty()
        for leaf in LEAVES[:size]:
            frontier.append(merkle.leaf_hash(leaf))
        assert frontier.root() == expected


def test_our_proofs_equal_the_happy_path_vectors() -> None:
    store = memory_tree(LEAVES)
    tree = LedgerTree(store, len(LEAVES))
    checked = 0
    for param in _cases("inclusion"):
        case = param.values[0]
        if case["wantErr"] or case["treeSize"] > len(LEAVES) or not case["proof"]:
            continue
        assert tree.inclusion_proof(case["leafIdx"], case["treeSize"]) == _proof(case)
        checked += 1
    for param in _cases("consistency"):
        case = param.values[0]
        if case["wantErr"] or case["size2"] > len(LEAVES) or case["size1"] < 1:
            continue
        if case["root2"] != base64.b64encode(ROOTS[case["size2"]]).decode():
            continue
        assert tree.consistency_proof(case["size1"], case["size2"]) == _proof(case)
        checked += 1
    assert checked >= 8
