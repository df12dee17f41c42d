"""The ledger on real databases (SQLite and PostgreSQL): appends, receipts, subject chains,
checkpoints, proofs that agree with the RFC, and the errors callers see."""

from __future__ import annotations

import base64
import itertools
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, event, text

from ledger import (
    EntryNotFound,
    InvalidEntry,
    InvalidRequest,
    Ledger,
    LedgerCorrupted,
    LedgerUnavailable,
    NotCheckpointed,
    Receipt,
    merkle,
)
from ledger.entry import prepare
from ledger.note import NoteSigner, NoteVerifier, verify_checkpoint
from ledger.verify import verify_checkpoint_consistency, verify_entry, verify_subject_page
from tests.ledger.conftest import ORIGIN
from tests.ledger.reference import Reference


def _leaves(ledger: Ledger, size: int) -> list[bytes]:
    return [ledger.entry(i).leaf or b"" for i in range(size)]


def test_an_append_returns_a_receipt_for_a_durable_entry(
    ledger: Ledger, engine: Engine, make_ledger: Callable[..., Ledger]
) -> None:
    receipt = ledger.append({"event": "access", "fields": ["tax"], "ok": True}, subject="S1")
    assert (receipt.index, receipt.subject_seq, receipt.prev_index) == (0, 1, None)
    stored = ledger.entry(0)
    assert stored.leaf is not None and merkle.leaf_hash(stored.leaf) == receipt.leaf_hash
    assert stored.entry is not None
    assert stored.entry["payload"] == {"event": "access", "fields": ["tax"], "ok": True}
    assert stored.entry["timestamp"] == receipt.timestamp and receipt.timestamp.endswith("Z")
    assert len(base64.b64decode(stored.entry["nonce"])) == 16
    ledger.close()
    reopened = make_ledger()
    assert reopened.size() == 1 and reopened.entry(0).leaf_hash == receipt.leaf_hash


def test_each_subject_gets_its_own_gap_free_chain(ledger: Ledger) -> None:
    receipts = [
        ledger.append({"n": n}, subject=subject)
        for n, subject in enumerate(["A", "B", "A", None, "A", "B"])
    ]
    chains = [(r.index, r.subject, r.subject_seq, r.prev_index) for r in receipts]
    assert chains == [
        (0, "A", 1, None),
        (1, "B", 1, None),
        (2, "A", 2, 0),
        (3, None, None, None),
        (4, "A", 3, 2),
        (5, "B", 2, 1),
    ]
    newest_first = ledger.entries_for_subject("A", limit=2)
    assert [e.index for e in newest_first] == [4, 2]
    assert [e.index for e in ledger.entries_for_subject("A", 10, before_index=4)] == [2, 0]
    assert ledger.entries_for_subject("nobody") == []


def test_a_subject_chain_continues_after_a_restart(
    ledger: Ledger, make_ledger: Callable[..., Ledger]
) -> None:
    ledger.append({}, subject="A")
    ledger.close()
    assert make_ledger().append({}, subject="A").subject_seq == 2


def test_roots_and_proofs_agree_with_the_rfc_on_the_stored_tree(ledger: Ledger) -> None:
    count = 130
    for n in range(count):
        ledger.append({"n": n}, subject=f"S{n % 7}")
    checkpoint = ledger.wait_for_checkpoint(count, 5)
    reference = Reference(_leaves(ledger, checkpoint.size))
    assert checkpoint.root_hash == reference.root(checkpoint.size)
    rng = random.Random(6962)
    for size in range(1, checkpoint.size + 1):
        if size > 40 and size % 3:
            continue
        for index in {0, size - 1, rng.randrange(size)}:
            assert ledger.inclusion_proof(index, size) == reference.inclusion(index, size)
        for first in {1, size, rng.randint(1, size)}:
            assert ledger.consistency_proof(first, size) == reference.consistency(first, size)


def test_a_proof_is_one_query_of_o_log_n_rows(ledger: Ledger, engine: Engine) -> None:
    for n in range(300):
        ledger.append({"n": n})
    size = ledger.wait_for_checkpoint(300, 5).size
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        ledger.inclusion_proof(137, size)
        ledger.consistency_proof(77, size)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    node_reads = [s for s in statements if "UNION ALL" in s or "ledger_nodes" in s]
    assert len(node_reads) == 2
    assert all(s.count("SELECT") <= 2 * size.bit_length() + 2 for s in node_reads)


def test_every_checkpoint_is_signed_kept_and_consistent_with_the_last(
    ledger: Ledger, verifiers: list[NoteVerifier]
) -> None:
    for batch in range(5):
        for n in range(7):
            ledger.append({"batch": batch, "n": n})
        ledger.wait_for_checkpoint(7 * (batch + 1), 5)
    issued = ledger.checkpoints()
    assert [c.size for c in issued] == sorted({c.size for c in issued})
    assert issued[0].size == 0 and issued[-1].size == 35
    parsed = [verify_checkpoint(c.note_text, verifiers, ORIGIN) for c in issued]
    for older, newer in itertools.pairwise(parsed):
        proof = ledger.consistency_proof(older.size, newer.size) if older.size else []
        verify_checkpoint_consistency(older, newer, proof)
    assert ledger.checkpoint_for_size(35).note_text == issued[-1].note_text


def test_proofs_beyond_the_latest_checkpoint_say_so(make_ledger: Callable[..., Ledger]) -> None:
    ledger = make_ledger(checkpoint_interval=3600)
    ledger.append({"first": True})
    assert ledger.latest_checkpoint().size == 0
    with pytest.raises(NotCheckpointed, match="not in a signed checkpoint yet") as caught:
        ledger.inclusion_proof(0, 1)
    assert caught.value.detail == {"parameter": "index", "latest_checkpoint_size": 0}
    with pytest.raises(NotCheckpointed) as caught:
        ledger.consistency_proof(1, 1)
    assert caught.value.parameter == "second"
    with pytest.raises(LedgerUnavailable, match="no checkpoint covers size 1"):
        ledger.wait_for_checkpoint(1, 0.2)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda led: led.inclusion_proof(-1, 3), "index"),
        (lambda led: led.inclusion_proof(0, 0), "size"),
        (lambda led: led.inclusion_proof(2, 1), "index"),
        (lambda led: led.inclusion_proof(1, 9), "size"),
        (lambda led: led.consistency_proof(0, 3), "first"),
        (lambda led: led.consistency_proof(3, 2), "first"),
        (lambda led: led.entries_for_subject("A", limit=0), "limit"),
    ],
)
def test_impossible_requests_name_the_parameter(
    ledger: Ledger, call: Callable[[Ledger], object], parameter: str
) -> None:
    for n in range(3):
        ledger.append({"n": n})
    ledger.wait_for_checkpoint(3, 5)
    with pytest.raises(InvalidRequest) as caught:
        call(ledger)
    assert caught.value.parameter == parameter


def test_bad_payloads_and_missing_entries_raise_ledger_errors(ledger: Ledger) -> None:
    with pytest.raises(InvalidEntry):
        ledger.append({"amount": 1.5})
    with pytest.raises(EntryNotFound):
        ledger.entry(0)
    assert ledger.size() == 0


def test_redaction_drops_content_but_proofs_stay_valid(
    ledger: Ledger, verifiers: list[NoteVerifier]
) -> None:
    receipts = [ledger.append({"secret": n}, subject="A") for n in range(5)]
    ledger.redact(2)
    stored = ledger.entry(2)
    assert stored.redacted and stored.entry is None and stored.leaf_hash == receipts[2].leaf_hash
    checkpoint = verify_checkpoint(ledger.wait_for_checkpoint(5, 5).note_text, verifiers)
    merkle.verify_inclusion(
        stored.leaf_hash, 2, 5, ledger.inclusion_proof(2, 5), checkpoint.root_hash
    )
    report = verify_subject_page(ledger.subject_page("A").to_json(), verifiers, subject="A")
    assert report.redacted == 1 and len(report.entries) == 5
    assert ledger.check_storage().redacted == 1
    with pytest.raises(EntryNotFound):
        ledger.redact(99)


def test_many_entries_are_redacted_in_one_call_and_the_log_still_verifies(
    ledger: Ledger, verifiers: list[NoteVerifier]
) -> None:
    receipts = [ledger.append({"secret": n}, subject="A") for n in range(6)]
    assert ledger.redact_many([1, 3, 3, 4, 99]) == [99]  # what does not exist is named
    assert [ledger.entry(i).redacted for i in range(6)] == [False, True, False, True, True, False]
    assert [ledger.entry(i).leaf_hash for i in range(6)] == [r.leaf_hash for r in receipts]
    verify_checkpoint(ledger.wait_for_checkpoint(6, 5).note_text, verifiers)
    report = verify_subject_page(ledger.subject_page("A").to_json(), verifiers, subject="A")
    assert report.redacted == 3 and len(report.entries) == 6
    assert ledger.redact_many([]) == []


def test_a_subject_page_verifies_offline(ledger: Ledger, verifiers: list[NoteVerifier]) -> None:
    for n in range(12):
        ledger.append({"n": n}, subject="A" if n % 3 else "B")
    ledger.wait_for_checkpoint(12, 5)
    page = ledger.subject_page("A", limit=5)
    document = page.to_json()
    report = verify_subject_page(document, verifiers, subject="A")
    assert [e.index for e in report.entries] == sorted(e.index for e in page.entries)
    assert page.next_before_index == page.entries[-1].index
    rest = verify_subject_page(
        ledger.subject_page("A", limit=5, before_index=page.next_before_index).to_json(),
        verifiers,
        subject="A",
    )
    assert len(rest.entries) == 3
    checkpoint = report.checkpoint
    for item in document["entries"]:
        verify_entry(
            checkpoint,
            base64.b64decode(item["leaf"]),
            item["index"],
            [base64.b64decode(h) for h in item["inclusion_proof"]],
        )


def test_the_newest_page_carries_a_signed_head_and_older_pages_none(
    ledger: Ledger, verifiers: list[NoteVerifier]
) -> None:
    for n in range(12):
        ledger.append({"n": n}, subject="A" if n % 3 else "B")
    ledger.wait_for_checkpoint(12, 5)
    page = ledger.subject_page("A", limit=3)
    report = verify_subject_page(page.to_json(), verifiers, subject="A")
    assert report.head is not None and report.head.index == page.entries[0].index == 11
    assert (report.head.subject_seq, report.head.size) == (8, 12)
    assert report.head.root_hash == report.checkpoint.root_hash
    older = ledger.subject_page("A", limit=3, before_index=page.next_before_index)
    assert older.head is None and older.to_json()["head"] is None
    assert ledger.subject_page("A", limit=3, before_index=10**6).head is not None
    empty = verify_subject_page(ledger.subject_page("C").to_json(), verifiers, subject="C")
    assert empty.entries == [] and empty.head is not None and empty.head.empty


def test_a_redacted_newest_entry_is_still_named_by_its_head(
    ledger: Ledger, verifiers: list[NoteVerifier]
) -> None:
    for n in range(3):
        ledger.append({"n": n}, subject="A")
    ledger.redact(2)
    ledger.wait_for_checkpoint(3, 5)
    report = verify_subject_page(ledger.subject_page("A").to_json(), verifiers, subject="A")
    assert report.head is not None and (report.head.index, report.head.subject_seq) == (2, 3)


def test_heads_are_co_signed_during_a_key_rotation(
    make_ledger: Callable[..., Ledger], signer: NoteSigner
) -> None:
    new = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    ledger = make_ledger(signers=[new, signer])
    ledger.append({"n": 0}, subject="A")
    ledger.wait_for_checkpoint(1, 5)
    document = ledger.subject_page("A").to_json()
    assert document["head"].count("\n\u2014 ") == 2
    for trusted in ([signer.verifier], [new.verifier]):
        report = verify_subject_page(document, trusted, subject="A")
        assert report.head is not None and report.head.index == 0


def test_concurrent_appenders_get_a_gap_free_log_and_unbroken_chains(ledger: Ledger) -> None:
    results: list[Any] = []
    lock = threading.Lock()

    def appender(worker: int) -> None:
        for n in range(40):
            receipt = ledger.append({"worker": worker, "n": n}, subject=f"S{n % 3}")
            with lock:
                results.append(receipt)

    threads = [threading.Thread(target=appender, args=(w,)) for w in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.index for r in results) == list(range(16 * 40))
    for subject in ["S0", "S1", "S2"]:
        chain = sorted((r for r in results if r.subject == subject), key=lambda r: r.index)
        assert [r.subject_seq for r in chain] == list(range(1, len(chain) + 1))
        assert [r.prev_index for r in chain] == [None] + [r.index for r in chain[:-1]]
    assert ledger.check_storage().size == 640


def test_under_load_a_checkpoint_covers_each_entry_within_a_second(
    make_ledger: Callable[..., Ledger],
) -> None:
    ledger = make_ledger(checkpoint_interval=0.5)
    stop = threading.Event()
    delays: list[float] = []

    def appender() -> None:
        while not stop.is_set():
            receipt = ledger.append({"load": True})
            acknowledged = time.monotonic()
            if receipt.index % 50 == 0:
                ledger.wait_for_checkpoint(receipt.index + 1, 5)
                delays.append(time.monotonic() - acknowledged)

    threads = [threading.Thread(target=appender) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(2.5)
    stop.set()
    for thread in threads:
        thread.join()
    assert delays and max(delays) < 1.0


def test_a_tampered_node_stops_checkpoint_signing(
    ledger: Ledger, engine: Engine, make_ledger: Callable[..., Ledger]
) -> None:
    for n in range(8):
        ledger.append({"n": n})
    ledger.wait_for_checkpoint(8, 5)
    ledger.close()
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger_nodes SET hash = :h WHERE level = 3 AND idx = 0"),
            {"h": b"\x00" * 32},
        )
    with pytest.raises(LedgerCorrupted, match="refusing to sign"):
        make_ledger().append({"n": 8})


def test_storage_check_finds_a_changed_leaf(ledger: Ledger, engine: Engine) -> None:
    for n in range(5):
        ledger.append({"n": n})
    ledger.wait_for_checkpoint(5, 5)
    assert ledger.check_storage().size == 5
    with engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET leaf = :l WHERE idx = 3"), {"l": b"{}"})
    with pytest.raises(LedgerCorrupted, match="entry 3"):
        ledger.check_storage()


def test_a_closed_ledger_refuses_appends(ledger: Ledger) -> None:
    ledger.close()
    with pytest.raises(LedgerUnavailable, match="closed"):
        ledger.append({})


def test_an_appender_that_gives_up_does_not_stall_the_others(
    make_ledger: Callable[..., Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = make_ledger()
    sequencer = ledger._sequencer
    slow_write = sequencer._write

    def write(batch: list[Any], force: bool) -> Any:
        if batch:
            time.sleep(0.5)
        return slow_write(batch, force)

    monkeypatch.setattr(sequencer, "_write", write)
    outcomes: dict[str, object] = {}

    def appender(name: str, timeout: float) -> None:
        try:
            outcomes[name] = sequencer.submit(prepare({"who": name}), timeout)
        except LedgerUnavailable as exc:
            outcomes[name] = exc

    blocker = threading.Thread(target=appender, args=("blocker", 10))
    blocker.start()
    time.sleep(0.1)  # the blocker's batch is being written: the next ones queue up
    threads = [threading.Thread(target=appender, args=("impatient", 0.2))]
    threads[0].start()
    time.sleep(0.02)
    threads += [threading.Thread(target=appender, args=(n, 10)) for n in ("b", "c")]
    for thread in threads[1:]:
        thread.start()
    for thread in [blocker, *threads]:
        thread.join(15)
    assert isinstance(outcomes["impatient"], LedgerUnavailable)
    assert all(isinstance(outcomes[n], Receipt) for n in ("blocker", "b", "c"))
    assert ledger.size() == 4  # the impatient entry was committed all the same
