"""The offline verifier catches tampering with any leaf, proof hash, index, size or
checkpoint byte, and any gap or reordering in a subject's page."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import merkle
from ledger.errors import VerificationError
from ledger.merkle import EMPTY_ROOT
from ledger.note import Checkpoint, verify_checkpoint
from ledger.verify import (
    parse_verifier_keys,
    verify_checkpoint_consistency,
    verify_entry,
    verify_subject_page,
)
from tests.ledger.logs import ORIGIN, MemoryLog


@pytest.fixture(scope="module")
def log() -> MemoryLog:
    log = MemoryLog()
    for n in range(23):
        log.append({"n": n, "who": "bank-1"}, subject="A" if n % 3 else "B")
    return log


def _flip(text: str, position: int) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[position % len(raw)] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_a_good_entry_verifies_and_its_leaf_hash_is_computed_here(log: MemoryLog) -> None:
    checkpoint = verify_checkpoint(log.note(), [log.signer.verifier])
    proof = log.tree().inclusion_proof(7, checkpoint.size)
    leaf_hash = verify_entry(checkpoint, log.leaves[7], 7, proof)
    assert leaf_hash == merkle.leaf_hash(log.leaves[7])


@settings(max_examples=200)
@given(st.data())
def test_any_tampering_with_an_entry_bundle_is_caught(log: MemoryLog, data: st.DataObject) -> None:
    size = len(log.leaves)
    note = log.note()
    index = data.draw(st.integers(0, size - 1))
    leaf = log.leaves[index]
    proof = log.tree().inclusion_proof(index, size)
    what = data.draw(st.sampled_from(["leaf", "proof", "index", "note"]))
    if what == "leaf":
        position = data.draw(st.integers(0, len(leaf) - 1))
        leaf = leaf[:position] + bytes([leaf[position] ^ 0x20]) + leaf[position + 1 :]
    elif what == "proof":
        position = data.draw(st.integers(0, len(proof) - 1))
        proof[position] = bytes([proof[position][0] ^ 1]) + proof[position][1:]
    elif what == "index":
        index = data.draw(st.integers(0, size + 3).filter(lambda i: i != index))
    else:
        position = data.draw(st.integers(0, len(note) - 1))
        note = note[:position] + ("x" if note[position] != "x" else "y") + note[position + 1 :]
    with pytest.raises(VerificationError):
        checkpoint = verify_checkpoint(note, [log.signer.verifier], ORIGIN)
        verify_entry(checkpoint, leaf, index, proof)


def test_a_checkpoint_with_another_size_or_root_does_not_verify(log: MemoryLog) -> None:
    note = log.note()
    good = verify_checkpoint(note, [log.signer.verifier])
    for forged in [
        note.replace(f"\n{good.size}\n", f"\n{good.size + 1}\n"),
        note.replace(
            base64.b64encode(good.root_hash).decode(), base64.b64encode(EMPTY_ROOT).decode()
        ),
    ]:
        assert forged != note
        with pytest.raises(VerificationError, match="signature"):
            verify_checkpoint(forged, [log.signer.verifier])


def test_a_subject_page_verifies(log: MemoryLog) -> None:
    report = verify_subject_page(log.page("A"), [log.signer.verifier], origin=ORIGIN)
    assert report.subject == "A"
    assert [e.link.subject_seq for e in report.entries if e.link] == list(range(1, 16))


def _tampered_pages(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    pages: dict[str, dict[str, Any]] = {}

    def variant(name: str) -> dict[str, Any]:
        pages[name] = copy.deepcopy(page)
        return pages[name]

    variant("leaf byte")["entries"][2]["leaf"] = _flip(page["entries"][2]["leaf"], 30)
    variant("proof hash")["entries"][0]["inclusion_proof"][1] = _flip(
        page["entries"][0]["inclusion_proof"][1], 3
    )
    variant("index")["entries"][1]["index"] += 1
    del variant("gap")["entries"][4]
    variant("duplicate")["entries"].append(page["entries"][0])
    swapped = variant("swapped leaves")["entries"]
    swapped[0]["leaf"], swapped[1]["leaf"] = swapped[1]["leaf"], swapped[0]["leaf"]
    variant("checkpoint")["checkpoint"] = page["checkpoint"].replace("\n2", "\n3", 1)
    variant("no proof")["entries"][0].pop("inclusion_proof")
    return pages


def test_every_tampered_page_is_rejected(log: MemoryLog) -> None:
    accepted = []
    for name, tampered in _tampered_pages(log.page("A")).items():
        try:
            verify_subject_page(tampered, [log.signer.verifier], origin=ORIGIN)
        except VerificationError:
            continue
        accepted.append(name)
    assert accepted == []


def test_a_page_that_hides_an_entry_in_the_middle_shows_a_gap() -> None:
    log = MemoryLog()
    for n in range(6):
        log.append({"n": n}, subject="A")
    page = log.page("A")
    del page["entries"][2]
    with pytest.raises(VerificationError, match=r"previous entry|gap"):
        verify_subject_page(page, [log.signer.verifier])


def test_a_page_mixing_in_another_subjects_entry_is_rejected(log: MemoryLog) -> None:
    page = log.page("A")
    page["entries"].append(log.page("B")["entries"][0])
    with pytest.raises(VerificationError, match="mixes subjects"):
        verify_subject_page(page, [log.signer.verifier])
    with pytest.raises(VerificationError, match="not 'A'"):
        verify_subject_page(log.page("B"), [log.signer.verifier], subject="A")


def test_a_page_signed_by_an_untrusted_key_is_rejected(log: MemoryLog) -> None:
    stranger = MemoryLog()
    with pytest.raises(VerificationError, match="trusted"):
        verify_subject_page(log.page("A"), [stranger.signer.verifier])


def test_consistency_between_checkpoints(log: MemoryLog) -> None:
    verifiers = [log.signer.verifier]
    old = verify_checkpoint(log.note(9), verifiers)
    new = verify_checkpoint(log.note(), verifiers)
    verify_checkpoint_consistency(old, new, log.consistency(9, new.size))
    verify_checkpoint_consistency(new, old, log.consistency(9, new.size))
    empty = verify_checkpoint(log.note(0), verifiers)
    verify_checkpoint_consistency(empty, new, [])
    with pytest.raises(VerificationError):
        verify_checkpoint_consistency(old, new, log.consistency(8, new.size))
    with pytest.raises(VerificationError):
        verify_checkpoint_consistency(Checkpoint("other/log", 9, old.root_hash), new, [])


def test_verifier_keys_are_required() -> None:
    with pytest.raises(VerificationError):
        parse_verifier_keys(["", "  "])
