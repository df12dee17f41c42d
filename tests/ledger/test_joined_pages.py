"""Several pages of a subject's access log joined into one history: what joins, what does
not (a gap, an overlap, pages of different trees), and non-omission concluded across pages."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from ledger.entry import prepare, seal
from ledger.errors import VerificationError
from ledger.merkle import leaf_hash
from ledger.note import verify_checkpoint
from ledger.omission import Omission, verify_no_omission
from ledger.pages import Inconclusive, JoinedPages, join_subject_pages
from ledger.verify import PageReport, verify_subject_page
from tests.ledger.logs import MemoryLog
from tests.ledger.test_non_omission import _drop_newest, _lying_head


def _log(a_entries: int) -> MemoryLog:
    log = MemoryLog()
    for n in range(a_entries):
        log.append({"n": n}, subject="A")
        log.append({"n": n}, subject="B")
    return log


def _pages(log: MemoryLog, limit: int, size: int | None = None) -> list[dict[str, Any]]:
    """A's pages as the gateway serves them: newest first, ``limit`` entries each, each
    older one what ``before=<the newer one's oldest index>`` returns; the first with a head."""
    whole = log.page("A", size, head=True)
    pages = []
    for start in range(0, max(len(whole["entries"]), 1), limit):
        page = {**whole, "entries": whole["entries"][start : start + limit]}
        page["head"] = whole["head"] if start == 0 else None
        pages.append(page)
    return pages


def _report(log: MemoryLog, page: dict[str, Any]) -> PageReport:
    return verify_subject_page(page, [log.signer.verifier], subject="A")


def _join(log: MemoryLog, pages: list[dict[str, Any]], **options: Any) -> JoinedPages:
    return join_subject_pages([_report(log, page) for page in pages], **options)


def _seqs(joined: JoinedPages) -> list[int]:
    return [e.link.subject_seq for e in joined.entries if e.link and e.link.subject_seq]


def test_two_pages_join_into_one_history_oldest_first() -> None:
    log = _log(5)
    pages = _pages(log, 3)
    assert len(pages) == 2
    joined = _join(log, pages)
    assert _seqs(joined) == [1, 2, 3, 4, 5]
    assert [e.index for e in joined.entries] == sorted(
        e["index"] for p in pages for e in p["entries"]
    )
    assert joined.newest.head is not None and joined.next_before_index is None


def test_three_pages_join_and_say_where_the_next_older_page_starts() -> None:
    log = _log(11)
    pages = _pages(log, 3)
    joined = _join(log, pages[:3])
    assert _seqs(joined) == list(range(3, 12))
    assert joined.next_before_index == pages[2]["entries"][-1]["index"]
    assert _seqs(_join(log, pages)) == list(range(1, 12))


def test_an_entry_missing_at_the_boundary_is_a_gap_naming_both_pages() -> None:
    log = _log(9)
    pages = _pages(log, 3)
    dropped = pages[1]["entries"][0]["index"]
    pages[1]["entries"] = pages[1]["entries"][1:]  # still a sound page on its own
    _report(log, pages[1])
    with pytest.raises(VerificationError, match="a gap between pages 1 and 2") as caught:
        _join(log, pages)
    message = caught.value.message
    assert f"names entry {dropped}" in message and f"entry {dropped} is on neither page" in message
    assert "page 1 holds 3 entries, indices" in message and "page 2 holds 2 entries" in message


def test_a_skipped_page_is_a_gap() -> None:
    log = _log(9)
    pages = _pages(log, 3)
    with pytest.raises(VerificationError, match="a gap between pages 1 and 2"):
        _join(log, [pages[0], pages[2]])


def test_overlapping_pages_are_refused_not_deduplicated() -> None:
    log = _log(9)
    whole = log.page("A", head=True)["entries"]
    first, second = _pages(log, 4)[:2]
    second["entries"] = whole[3:7]  # fetched with before= one too high: shares one entry
    with pytest.raises(VerificationError, match="pages 1 and 2 overlap") as caught:
        _join(log, [first, second])
    assert f"both hold {whole[3]['index']}" in caught.value.message
    assert "page 1 holds 4 entries" in caught.value.message
    with pytest.raises(VerificationError, match="overlap"):
        _join(log, [first, first])


def test_pages_given_oldest_first_conclude_nothing() -> None:
    log = _log(6)
    pages = _pages(log, 3)
    with pytest.raises(Inconclusive, match="not newest first"):
        _join(log, [pages[1], pages[0]])


def test_an_older_page_from_another_chain_does_not_join() -> None:
    log = _log(6)  # A's entries at even indices
    other = MemoryLog(signer=log.signer)
    for n in range(6):
        other.append({"other": n}, subject="B")
        other.append({"other": n}, subject="A")  # A's entries at odd indices
    foreign = _pages(other, 3)[1]
    with pytest.raises(VerificationError, match="pages 1 and 2 do not join") as caught:
        _join(log, [_pages(log, 3)[0], foreign], consistency_proof=log.consistency)
    assert "names entry 4" in caught.value.message and "newest is entry 5" in caught.value.message


def test_pages_of_different_trees_join_only_with_a_consistency_proof() -> None:
    log = _log(6)
    first = _pages(log, 3)[0]
    for n in range(3):
        log.append({"later": n}, subject="B")  # the log grows between the two fetches
    second = _pages(log, 3)[1]
    with pytest.raises(Inconclusive, match="consistency proof") as caught:
        _join(log, [first, second])
    assert "size 15" in caught.value.message and "size 12" in caught.value.message
    asked: list[tuple[int, int]] = []

    def prover(first_size: int, second_size: int) -> list[bytes]:
        asked.append((first_size, second_size))
        return log.consistency(first_size, second_size)

    joined = _join(log, [first, second], consistency_proof=prover)
    assert _seqs(joined) == [1, 2, 3, 4, 5, 6] and asked == [(12, 15)]
    with pytest.raises(VerificationError, match="not consistent"):
        _join(log, [first, second], consistency_proof=lambda a, b: log.consistency(a - 1, b))


def test_pages_of_one_size_with_different_roots_are_a_fork() -> None:
    log = _log(6)
    fork = MemoryLog(signer=log.signer)
    fork.leaves = list(log.leaves)
    fork.heads = dict(log.heads)
    b_entry = len(log.leaves) - 1
    fork.leaves[b_entry] = seal(prepare({"other": 1}, "B"), "2026-11-27T09:00:00Z", 1, None).leaf
    with pytest.raises(VerificationError, match="one size 12 with different roots"):
        _join(log, [_pages(log, 3)[0], _pages(fork, 3)[1]], consistency_proof=log.consistency)


def test_only_the_first_page_may_carry_the_head_of_the_tree_they_share() -> None:
    log = _log(6)
    pages = _pages(log, 3)
    size = verify_checkpoint(pages[0]["checkpoint"], [log.signer.verifier]).size
    newest_older = pages[1]["entries"][0]["index"]
    pages[1]["head"] = _lying_head(log, size, 3, newest_older)  # signed with the log's key
    _report(log, pages[1])  # on its own the page and its head agree
    with pytest.raises(VerificationError, match="page 2 carries a subject head"):
        _join(log, pages)


def test_an_old_newest_page_joins_below_a_newer_one() -> None:
    log = _log(3)
    saved = log.page("A", head=True)  # the newest page at size 6, with its head
    for n in range(3):
        log.append({"later": n}, subject="A")
    newest = _pages(log, 3)[0]
    joined = _join(log, [newest, saved], consistency_proof=log.consistency)
    assert _seqs(joined) == [1, 2, 3, 4, 5, 6]


def test_non_omission_is_concluded_over_several_pages() -> None:
    log = _log(3)
    saved = log.head("A")  # subject_seq 3
    for n in range(7):
        log.append({"later": n}, subject="A")
    pages = _pages(log, 3)  # seq 10..8, 7..5, 4..2, 1
    verifiers = [log.signer.verifier]
    result = verify_no_omission(saved, verifiers, _join(log, pages[:2]))
    assert result.unproven is not None and "2 pages do not reach back" in result.unproven
    assert result.missing == 1 and result.before == pages[1]["entries"][-1]["index"]
    assert f"before={result.before}" in result.unproven
    concluded = verify_no_omission(saved, verifiers, _join(log, pages[:3]))
    assert concluded.unproven is None and concluded.previous.subject_seq == 3
    assert verify_no_omission(saved, verifiers, _join(log, pages)).unproven is None
    one = verify_no_omission(saved, verifiers, _join(log, pages[:1]))
    assert one.unproven is not None and "limit of at least 7" in one.unproven
    assert one.missing == 4


def test_an_omission_shown_by_the_second_page_is_evidence_with_that_pages_checkpoint() -> None:
    log = _log(4)
    lying = _drop_newest(log, log.page("A", head=True))  # the subject saves a lying head
    hidden = log.heads["A"][1]
    for n in range(5):
        log.append({"later": n}, subject="A")  # subject_seq 5 to 9
    first = _pages(log, 3)[0]  # 9, 8, 7: nothing contradicts the lying head
    assert verify_no_omission(lying["head"], [log.signer.verifier], _join(log, [first]))
    log.append({"later": "B"}, subject="B")
    second = _pages(log, 3)[1]  # 6, 5, 4, fetched after the log grew: another checkpoint
    joined = _join(log, [first, second], consistency_proof=log.consistency)
    assert hidden == joined.pages[1].entries[0].index
    with pytest.raises(Omission, match="omitted") as caught:
        verify_no_omission(lying["head"], [log.signer.verifier], joined)
    evidence = caught.value.detail
    assert evidence["previous_head"] == lying["head"] and evidence["entry"]["index"] == hidden
    assert evidence["checkpoint"] == second["checkpoint"] != first["checkpoint"]


def test_a_headless_first_page_concludes_nothing_and_says_to_give_the_newest_first() -> None:
    log = _log(6)
    saved = log.head("A", 4)
    pages = _pages(log, 3)
    headless = copy.deepcopy(pages[0])
    headless["head"] = None
    result = verify_no_omission(saved, [log.signer.verifier], _join(log, [headless, pages[1]]))
    assert result.unproven is not None and "give it first" in result.unproven


def _redacted(item: dict[str, Any]) -> dict[str, Any]:
    leaf = base64.b64decode(item["leaf"])
    hashed = base64.b64encode(leaf_hash(leaf)).decode()
    return {"index": item["index"], "redacted": True, "leaf_hash": hashed,
            "inclusion_proof": item["inclusion_proof"]}  # fmt: skip


def test_a_redacted_entry_at_the_boundary_counts_one_in_the_joined_chain() -> None:
    log = _log(9)
    pages = _pages(log, 3)
    pages[1]["entries"][0] = _redacted(pages[1]["entries"][0])  # page 2's newest
    pages[0]["entries"][-1] = _redacted(pages[0]["entries"][-1])  # page 1's oldest
    joined = _join(log, pages)
    assert len(joined.entries) == 9 and joined.redacted == 2
    pages[1]["entries"] = pages[1]["entries"][1:]  # the redacted boundary entry dropped
    with pytest.raises(VerificationError, match="pages 1 and 2 do not join"):
        _join(log, pages)
