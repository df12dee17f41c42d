"""Subject heads on pages, and pages checked against a head saved earlier: what a lying log
can no longer do unnoticed (hide a subject's newest entries, fork its chain, reuse a
subject_seq), and where the verifier honestly says it cannot conclude."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from ledger.errors import VerificationError
from ledger.merkle import leaf_hash
from ledger.note import verify_checkpoint
from ledger.omission import Omission, check_entry_not_omitted, verify_no_omission
from ledger.subject_head import SubjectHead, sign_subject_head
from ledger.verify import verified_entry, verify_subject_page
from tests.ledger.logs import ORIGIN, MemoryLog


def _log(subject_entries: int = 5) -> MemoryLog:
    log = MemoryLog()
    for n in range(subject_entries):
        log.append({"n": n}, subject="A")
        log.append({"n": n}, subject="B")
    return log


def _verify(log: MemoryLog, page: dict[str, Any]) -> Any:
    return verify_subject_page(page, [log.signer.verifier], origin=ORIGIN, subject="A")


def _lying_head(log: MemoryLog, size: int, seq: int, index: int | None) -> str:
    """What a gateway holding the log's key can sign: any claim at all."""
    root = log.tree().root(size)
    return sign_subject_head(SubjectHead(ORIGIN, size, root, "A", seq, index), [log.signer])


def entry_index(log: MemoryLog, subject: str, seq: int) -> int:
    """The index of ``subject``'s entry with ``subject_seq`` (the first, if forked)."""
    for index, leaf in enumerate(log.leaves):
        decoded = json.loads(leaf)
        if (decoded.get("subject"), decoded.get("subject_seq")) == (subject, seq):
            return index
    raise AssertionError(f"no entry {seq} of {subject}")


def _drop_newest(log: MemoryLog, page: dict[str, Any]) -> dict[str, Any]:
    """The page a lying gateway serves: the newest entry left out, a head signed to match."""
    doctored = copy.deepcopy(page)
    del doctored["entries"][0]
    newest = doctored["entries"][0]
    seq = log.heads["A"][0] - 1
    size = verify_checkpoint(page["checkpoint"], [log.signer.verifier]).size
    doctored["head"] = _lying_head(log, size, seq, newest["index"])
    return doctored


def test_the_newest_page_carries_a_head_naming_its_newest_entry() -> None:
    log = _log()
    report = _verify(log, log.page("A", head=True))
    assert report.head is not None
    assert (report.head.subject_seq, report.head.index) == (5, report.entries[-1].index)
    assert report.head.size == report.checkpoint.size


def test_a_subject_without_entries_gets_a_none_head() -> None:
    log = _log()
    report = verify_subject_page(log.page("C", head=True), [log.signer.verifier], subject="C")
    assert report.entries == [] and report.head is not None and report.head.empty


def test_pages_without_a_head_still_verify() -> None:
    log = _log()
    assert _verify(log, log.page("A")).head is None


def _mismatched_heads(log: MemoryLog) -> dict[str, dict[str, Any]]:
    page = log.page("A", head=True)
    size = len(log.leaves)
    newest = log.heads["A"]
    pages: dict[str, dict[str, Any]] = {}

    def variant(name: str, **changes: Any) -> None:
        pages[name] = {**copy.deepcopy(page), **changes}

    variant("newest entry dropped", entries=page["entries"][1:])
    variant("another subject's head", head=log.head("B"))
    variant("an older tree's head", head=log.head("A", size - 1))
    variant("a none head", head=_lying_head(log, size, 0, None))
    variant("a wrong subject_seq", head=_lying_head(log, size, newest[0] + 1, newest[1]))
    variant("the checkpoint as head", head=page["checkpoint"])
    variant("not a note", head=42)
    variant("an untrusted head", head=MemoryLog().head("A"))
    variant("a forged head", head=page["head"].replace(f"index {newest[1]}", "index 1"))
    return pages


def test_a_head_that_does_not_match_its_page_is_rejected() -> None:
    log = _log()
    accepted = []
    for name, page in _mismatched_heads(log).items():
        try:
            _verify(log, page)
        except VerificationError:
            continue
        accepted.append(name)
    assert accepted == []
    with pytest.raises(VerificationError, match="leaves out the newest entry"):
        _verify(log, _mismatched_heads(log)["newest entry dropped"])


def test_a_later_page_shows_nothing_was_left_out_since_a_saved_head() -> None:
    log = _log(3)
    saved = log.head("A")
    for n in range(4):
        log.append({"later": n}, subject="A")
    result = verify_no_omission(
        saved, [log.signer.verifier], _verify(log, log.page("A", head=True))
    )
    assert result.unproven is None and result.previous.subject_seq == 3


def test_a_saved_head_with_nothing_new_and_a_saved_none_head_are_fine() -> None:
    log = MemoryLog()
    log.append({"n": 0}, subject="B")
    none_head = log.head("A")
    report = _verify(log, log.page("A", head=True))
    assert verify_no_omission(none_head, [log.signer.verifier], report).unproven is None
    log.append({"n": 1}, subject="A")
    log.append({"n": 2}, subject="B")
    saved = log.head("A")
    report = _verify(log, log.page("A", head=True))
    assert verify_no_omission(none_head, [log.signer.verifier], report).unproven is None
    log.append({"n": 3}, subject="B")
    report = _verify(log, log.page("A", head=True))
    assert verify_no_omission(saved, [log.signer.verifier], report).unproven is None


def test_dropping_an_entry_the_subject_already_saw_is_evidence_of_omission() -> None:
    log = _log()
    saved = log.head("A")  # names A's newest entry
    log.append({"n": "later"}, subject="B")
    page = log.page("A", head=True)
    doctored = _drop_newest(log, page)
    report = _verify(log, doctored)  # self-consistent: nothing on the page shows the lie
    with pytest.raises(Omission, match="omitted") as caught:
        verify_no_omission(saved, [log.signer.verifier], report)
    assert caught.value.detail["previous_head"] == saved
    assert caught.value.detail["head"] == doctored["head"]


def test_a_lying_head_is_caught_once_the_hidden_entry_surfaces() -> None:
    log = _log()
    lying_page = _drop_newest(log, log.page("A", head=True))
    lying_head = lying_page["head"]
    hidden = log.heads["A"][1]
    _verify(log, lying_page)  # the subject cannot tell yet, and saves the head
    log.append({"n": "next"}, subject="A")  # its prev_index is the hidden entry
    page = log.page("A", head=True)
    with pytest.raises(Omission, match="omitted") as caught:
        verify_no_omission(lying_head, [log.signer.verifier], _verify(log, page))
    evidence = caught.value.detail
    assert evidence["previous_head"] == lying_head and evidence["checkpoint"] == page["checkpoint"]
    assert evidence["entry"]["index"] == hidden


def test_a_hidden_entry_surfacing_only_as_a_prev_index_is_evidence_too() -> None:
    log = _log()
    lying_head = _drop_newest(log, log.page("A", head=True))["head"]
    log.append({"n": "next"}, subject="A")
    page = log.page("A", head=True)
    page["entries"] = page["entries"][:1]  # without the hidden entry: its successor names it
    page["head"] = log.head("A")
    with pytest.raises(Omission, match="omitted"):
        verify_no_omission(lying_head, [log.signer.verifier], _verify(log, page))


def test_a_forked_subject_chain_reusing_a_subject_seq_is_evidence() -> None:
    log = _log(3)
    saved = log.head("A")  # seq 3 at some index
    seq3 = log.heads["A"][1]
    second = entry_index(log, "A", 2)
    log.heads["A"] = (2, second)  # the lying sequencer forks after seq 2
    log.append({"n": "fork"}, subject="A")
    page = log.page("A", head=True)
    page["entries"] = [e for e in page["entries"] if e["index"] != seq3]
    with pytest.raises(Omission, match="forked or a subject_seq reused"):
        verify_no_omission(saved, [log.signer.verifier], _verify(log, page))


def test_a_chain_forked_right_after_the_head_is_evidence() -> None:
    log = _log(3)
    saved = log.head("A")
    log.heads["A"] = (3, entry_index(log, "A", 2))  # seq 4 points at seq 2's entry
    log.append({"n": "fork"}, subject="A")
    page = log.page("A", head=True)
    page["entries"] = page["entries"][:1]  # just the new entry: the page's chain is fine
    with pytest.raises(Omission, match="chain was forked"):
        verify_no_omission(saved, [log.signer.verifier], _verify(log, page))


def test_a_head_and_a_checkpoint_of_one_size_with_different_roots_are_a_fork() -> None:
    log = _log()
    other = MemoryLog(signer=log.signer)
    for n in range(len(log.leaves)):
        other.append({"other": n}, subject="A" if n % 2 else "B")
    with pytest.raises(Omission, match="forked log"):
        verify_no_omission(other.head("A"), [log.signer.verifier], _verify(log, log.page("A")))
    with pytest.raises(Omission, match="different roots"):
        verify_no_omission(
            other.head("A"), [log.signer.verifier], _verify(log, log.page("A", head=True))
        )


def test_what_cannot_be_concluded_is_said() -> None:
    log = _log(2)
    saved = log.head("A")
    for n in range(5):
        log.append({"later": n}, subject="A")
    truncated = log.page("A", head=True)
    truncated["entries"] = truncated["entries"][:3]  # like ?limit=3
    result = verify_no_omission(saved, [log.signer.verifier], _verify(log, truncated))
    assert result.unproven is not None and "limit of at least 5" in result.unproven
    headless = verify_no_omission(saved, [log.signer.verifier], _verify(log, log.page("A")))
    assert headless.unproven is not None and "no head" in headless.unproven
    old_page = log.page("A", 2, head=True)
    older = verify_no_omission(saved, [log.signer.verifier], _verify(log, old_page))
    assert older.unproven is not None and "older" in older.unproven


def test_a_previous_head_must_be_trusted_and_about_the_same_subject() -> None:
    log = _log()
    report = _verify(log, log.page("A", head=True))
    with pytest.raises(VerificationError, match=r"previous head: .*trusted"):
        verify_no_omission(MemoryLog().head("A"), [log.signer.verifier], report)
    with pytest.raises(VerificationError, match="about 'B'"):
        verify_no_omission(log.head("B"), [log.signer.verifier], report)
    with pytest.raises(VerificationError, match="not a subject head"):
        verify_no_omission(log.note(), [log.signer.verifier], report)


def test_an_entry_bundle_can_prove_a_head_left_it_out() -> None:
    log = _log()
    lying_head = _drop_newest(log, log.page("A", head=True))["head"]
    hidden = log.heads["A"][1]
    log.append({"n": "later"}, subject="B")
    note = log.note()
    checkpoint = verify_checkpoint(note, [log.signer.verifier])
    verifiers = [log.signer.verifier]

    def bundle(index: int) -> Any:
        proof = log.tree().inclusion_proof(index, checkpoint.size)
        return verified_entry(checkpoint, log.leaves[index], index, proof)

    with pytest.raises(Omission, match="omitted") as caught:
        check_entry_not_omitted(lying_head, verifiers, checkpoint, note, bundle(hidden))
    evidence = caught.value.detail["entry"]
    assert base64.b64decode(evidence["leaf"]) == log.leaves[hidden]
    assert leaf_hash(log.leaves[hidden]) == bundle(hidden).leaf_hash
    b_entry = len(log.leaves) - 1
    assert not check_entry_not_omitted(lying_head, verifiers, checkpoint, note, bundle(b_entry))
    older = entry_index(log, "A", 2)
    assert check_entry_not_omitted(lying_head, verifiers, checkpoint, note, bundle(older))
