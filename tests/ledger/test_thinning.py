"""Checkpoint retention on real databases: which checkpoints stay, that the latest always does,
that a second run changes nothing, and that every proof still verifies for a thinned-out size."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from gateway.clock import SettableClock
from ledger import Ledger
from ledger.note import NoteSigner, NoteVerifier, verify_checkpoint
from ledger.sql_store import DELETE_CHUNK, SqlStore
from ledger.thinning import PAGE, ThinningPolicy, thin_checkpoints
from ledger.verify import verify_checkpoint_consistency, verify_entry
from tests.ledger.conftest import ORIGIN
from tests.ledger.servers import ledger_app

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
POLICY = ThinningPolicy(keep_all=timedelta(hours=24), keep_hourly=timedelta(days=30))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Size n is the checkpoint issued at ISSUED[n] (one entry each after the first, of size 0).
ISSUED = [
    at("2026-10-01T08:00"),  # 0: 57 days old: first of its day (and of the key)
    at("2026-10-01T09:00"),  # 1: same day: goes
    at("2026-10-02T23:59"),  # 2: first of 2 October
    at("2026-10-03T00:01"),  # 3: first of 3 October, two minutes later
    at("2026-10-03T18:00"),  # 4: goes
    at("2026-11-20T10:05"),  # 5: a week old: first of its hour
    at("2026-11-20T10:20"),  # 6: goes
    at("2026-11-20T10:59"),  # 7: goes
    at("2026-11-20T11:00"),  # 8: first of the next hour
    at("2026-11-26T11:30"),  # 9: 24.5 hours old: first of its hour
    at("2026-11-26T11:45"),  # 10: 24.25 hours old, same hour: goes
    at("2026-11-26T12:10"),  # 11: younger than a day: stays
    at("2026-11-26T12:20"),  # 12: stays
    at("2026-11-27T11:59"),  # 13: the latest
]
KEPT = [0, 2, 3, 5, 8, 9, 11, 12, 13]
THINNED = [1, 4, 6, 7, 10]


def issue(ledger: Ledger, clock: SettableClock, moments: Sequence[datetime]) -> None:
    """One entry and one checkpoint at each of ``moments`` (the clock stands still meanwhile)."""
    for moment in moments:
        clock.set(moment)
        ledger.append({"issued": moment.isoformat()})
        ledger.wait_for_checkpoint(ledger.size(), 5)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(ISSUED[0])


@pytest.fixture
def open_at(make_ledger: Callable[..., Ledger], clock: SettableClock) -> Callable[..., Ledger]:
    def factory(moment: datetime, **options: object) -> Ledger:
        clock.set(moment)  # the first checkpoint (of the stored log) is issued on opening
        return make_ledger(clock=clock.now, checkpoint_interval=0, **options)

    return factory


@pytest.fixture
def seeded(open_at: Callable[..., Ledger], clock: SettableClock) -> Ledger:
    ledger = open_at(ISSUED[0])
    issue(ledger, clock, ISSUED[1:])
    assert [c.size for c in ledger.checkpoints()] == list(range(len(ISSUED)))
    assert [c.issued_at for c in ledger.checkpoints()] == ISSUED
    return ledger


def kept_sizes(ledger: Ledger) -> list[int]:
    return [c.size for c in ledger.checkpoints(limit=1000)]


def test_the_rule_buckets_by_age_then_by_utc_hour_or_day() -> None:
    day, hour = (
        POLICY.bucket(at("2026-10-01T08:30"), NOW),
        POLICY.bucket(at("2026-11-20T10:30"), NOW),
    )
    assert day == ("day", at("2026-10-01T00:00"))
    assert hour == ("hour", at("2026-11-20T10:00"))
    assert POLICY.bucket(NOW - timedelta(hours=24) + timedelta(microseconds=1), NOW) is None
    assert POLICY.bucket(NOW - timedelta(hours=24), NOW) == ("hour", at("2026-11-26T12:00"))
    assert POLICY.bucket(NOW - timedelta(days=30), NOW) == ("day", at("2026-10-28T00:00"))
    assert "first of each UTC hour until 30 days old" in POLICY.describe()
    with pytest.raises(ValueError):
        ThinningPolicy(keep_all=timedelta(0))


@pytest.mark.parametrize("page", [2, PAGE])
def test_old_checkpoints_thin_to_one_per_hour_then_one_per_day(
    seeded: Ledger, engine: Engine, page: int
) -> None:
    report = thin_checkpoints(SqlStore(engine), POLICY, NOW, page=page)

    assert kept_sizes(seeded) == KEPT
    assert (report.examined, report.deleted, report.latest_size) == (11, 5, 13)
    assert seeded.check_storage().checkpoints == len(KEPT)


def test_a_dry_run_counts_and_deletes_nothing(seeded: Ledger) -> None:
    report = seeded.thin_checkpoints(POLICY, NOW, dry_run=True)
    assert report.deleted == 5 and "would delete 5 of 11" in report.line()
    assert kept_sizes(seeded) == list(range(len(ISSUED)))


def test_thinning_twice_deletes_nothing_more(seeded: Ledger) -> None:
    assert seeded.thin_checkpoints(POLICY, NOW).deleted == 5
    again = seeded.thin_checkpoints(POLICY, NOW)
    assert (again.examined, again.deleted) == (6, 0)
    assert kept_sizes(seeded) == KEPT


def test_the_latest_stays_however_old(open_at: Callable[..., Ledger], clock: SettableClock) -> None:
    ledger = open_at(at("2026-10-01T08:00"))
    issue(ledger, clock, [at("2026-10-01T09:00"), at("2026-10-01T10:00"), at("2026-10-01T11:00")])
    report = ledger.thin_checkpoints(POLICY, NOW)
    assert kept_sizes(ledger) == [0, 3] and report.deleted == 2
    # The sequencer checks the tree against the latest before signing the next: it still can.
    clock.set(NOW)
    ledger.append({"after": "thinning"})
    assert ledger.wait_for_checkpoint(4, 5).size == 4
    assert kept_sizes(ledger) == [0, 3, 4]


def test_the_first_checkpoint_each_key_signed_stays(
    open_at: Callable[..., Ledger], clock: SettableClock, signer: NoteSigner
) -> None:
    new = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    old_only = open_at(at("2026-10-01T08:00"))  # 0
    issue(old_only, clock, [at("2026-10-01T09:00")])  # 1
    old_only.close()
    rotating = open_at(at("2026-10-01T10:00"), signers=[new, signer])
    issue(rotating, clock, [at("2026-10-01T10:30"), at("2026-10-01T11:00")])  # 2, 3 co-signed
    rotating.close()
    new_only = open_at(at("2026-10-01T12:00"), signers=[new])
    issue(new_only, clock, [at("2026-10-01T12:30"), at("2026-10-01T13:00")])  # 4, 5

    new_only.thin_checkpoints(POLICY, NOW)

    # The old key's first, the hand-over (the new key's first, co-signed) and the latest.
    assert kept_sizes(new_only) == [0, 2, 5]
    handover = new_only.checkpoint_for_size(2).note_text
    for verifier in (signer.verifier, new.verifier):
        assert verify_checkpoint(handover, [verifier]).size == 2
    assert new_only.check_storage().checkpoints == 3


def test_proofs_for_a_thinned_out_size_still_verify(
    seeded: Ledger, verifiers: list[NoteVerifier]
) -> None:
    held = {c.size: c.note_text for c in seeded.checkpoints()}  # what clients kept
    seeded.thin_checkpoints(POLICY, NOW)
    latest = verify_checkpoint(seeded.latest_checkpoint().note_text, verifiers, ORIGIN)
    for size in THINNED:
        older = verify_checkpoint(held[size], verifiers, ORIGIN)
        verify_checkpoint_consistency(older, latest, seeded.consistency_proof(size, latest.size))
        for index in (0, size - 1):
            leaf = seeded.entry(index).leaf or b""
            verify_entry(older, leaf, index, seeded.inclusion_proof(index, size))
            verify_entry(latest, leaf, index, seeded.inclusion_proof(index, latest.size))
    for first, second in [(1, 4), (4, 6), (6, 10), (10, 12)]:  # between two thinned sizes
        verify_checkpoint_consistency(
            verify_checkpoint(held[first], verifiers),
            verify_checkpoint(held[second], verifiers),
            seeded.consistency_proof(first, second),
        )


@pytest.fixture
def http(seeded: Ledger) -> Iterator[TestClient]:
    seeded.thin_checkpoints(POLICY, NOW)
    with TestClient(ledger_app(seeded)) as client:
        yield client


def test_a_thinned_out_size_gets_a_404_naming_the_nearest_kept(http: TestClient) -> None:
    response = http.get("/v1/ledger/checkpoint", params={"size": 6})
    assert response.status_code == 404 and "retry-after" not in response.headers
    body = response.json()
    assert body["error"] == "checkpoint_not_kept"
    assert body["detail"].startswith("no checkpoint of size 6 is kept")
    assert "thinned out by checkpoint retention" in body["detail"]
    assert "the nearest kept are sizes 5 and 8" in body["detail"]
    assert (body["size"], body["nearest_kept"], body["latest"]) == (6, [5, 8], 13)
    # ... while a kept one is served, and proofs for the thinned size still are.
    assert http.get("/v1/ledger/checkpoint", params={"size": 5}).status_code == 200
    proof = http.get("/v1/ledger/proof/consistency", params={"first": 6})
    assert proof.status_code == 200 and proof.json()["second"] == 13
    inclusion = http.get("/v1/ledger/proof/inclusion", params={"index": 5, "size": 6})
    assert inclusion.status_code == 200


def test_beyond_the_latest_the_404_says_no_checkpoint_was_issued(http: TestClient) -> None:
    body = http.get("/v1/ledger/checkpoint", params={"size": 14}).json()
    assert body["error"] == "checkpoint_not_found"
    assert body["detail"] == "no checkpoint was issued for size 14 (the latest has size 13)"


def test_the_listing_shows_what_is_kept(http: TestClient) -> None:
    listed = http.get("/v1/ledger/checkpoints").json()["checkpoints"]
    assert [c["size"] for c in listed] == KEPT
    page = http.get("/v1/ledger/checkpoints", params={"after": 5, "limit": 2}).json()
    assert [c["size"] for c in page["checkpoints"]] == [8, 9]


def test_deletes_are_bounded_per_statement_and_never_take_the_latest(
    seeded: Ledger, engine: Engine
) -> None:
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            statements.append(statement)

    store = SqlStore(engine)
    assert store.delete_checkpoints([12, 13, 14], below_size=13) == 1  # the bound holds
    assert kept_sizes(seeded)[-2:] == [11, 13]
    event.listen(engine, "before_cursor_execute", count)
    try:
        # More sizes than SQLite allows parameters in one statement (32,766).
        sizes = range(8 * DELETE_CHUNK)
        assert store.delete_checkpoints(sizes, below_size=len(sizes)) == 13
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 8 and kept_sizes(seeded) == []
