"""Retention: old access records, ended authorizations and superseded versions go; the ledger
keeps their hashes, so every proof and every subject page still verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from gateway.access_index import AccessEvent
from gateway.authorizations.models import Authorization
from gateway.bootstrap import Services
from gateway.clock import SettableClock
from gateway.db import unit_of_work
from gateway.policy.data import load_policy_data
from gateway.principals.models import Role
from gateway.records.models import DatasetRecord
from gateway.retention.service import RetentionReport, apply, index_ranges, years_before
from gateway.verification.models import ThresholdProbe
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.oversight.conftest import second_key
from tests.support.world import ENTERPRISE, NAME, World

RULES = load_policy_data().retention
FIVE_YEARS_AND_A_DAY = timedelta(days=5 * 365 + 2)  # 2028 brings a leap day
# Past five years from the end of everything old_activity made (its grant ends after 30 days).
LATER = FIVE_YEARS_AND_A_DAY + timedelta(days=30)


def old_activity(world: World) -> dict[str, Any]:
    """At the start: a grant (ends in 30 days), a revoked grant, reports, a denial, a check."""
    grant = world.grant(modes=["report", "verify"], datasets=["housing_fund", "tax_payments"])
    revoked = world.grant(purpose="post_loan_monitoring")
    world.enterprise.post(f"/v1/authorizations/{revoked['id']}/revoke")
    indexes = [
        world.report().json()["ledger_index"],
        world.report(purpose="marketing").json()["ledger_index"],
        world.bank.post(
            f"/v1/enterprises/{ENTERPRISE}/verifications",
            json={
                "purpose": "loan_underwriting",
                "checks": [
                    {"predicate": "vat_paid_last_year_at_least", "args": {"amount": "1000000"}}
                ],
            },
        ).json()["ledger_index"],
        world.enterprise.get("/v1/me/report").json()["ledger_index"],
    ]
    return {"grant": grant, "revoked": revoked, "access_indexes": indexes}


def count(services: Services, model: Any) -> int:
    with Session(services.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def run(services: Services, clock: SettableClock, dry_run: bool = False) -> RetentionReport:
    return apply(services.engine, services.ledger, RULES, clock.now(), dry_run=dry_run)


def verified_page(world: World) -> Any:
    page = world.enterprise.get("/v1/me/access-log", params={"limit": 500}).json()
    key = world.enterprise.http.get("/v1/ledger/key").text.strip()
    return verify_subject_page(page, parse_verifier_keys([key]), subject=ENTERPRISE)


def test_the_policy_keeps_records_five_years() -> None:
    assert (
        RULES.access_records_years,
        RULES.ended_authorizations_years,
        RULES.superseded_records_years,
    ) == (5, 5, 5)
    leap = datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert years_before(leap, 5) == datetime(2023, 2, 28, 12, tzinfo=UTC)
    assert index_ranges([7, 3, 4, 5, 9, 4]) == [[3, 5], [7, 7], [9, 9]]


def test_after_five_years_old_records_go_and_proofs_still_verify(
    world: World, services: Services, clock: SettableClock
) -> None:
    old = old_activity(world)
    with Session(services.engine) as session:
        grants = session.exec(select(Authorization)).all()
    grant_entries = {a.grant_ledger_index for a in grants} | {
        a.revoke_ledger_index for a in grants if a.revoke_ledger_index is not None
    }
    assert len(grant_entries) == 3  # two grants, one revocation
    clock.advance(LATER)
    recent = world.report().json()["ledger_index"]
    before = verified_page(world)
    assert len(before.entries) == 8 and before.redacted == 0

    report = run(services, clock)

    assert (report.access_events, report.threshold_probes, report.authorizations) == (4, 1, 2)
    assert report.superseded_records == 0 and report.missing_in_ledger == 0
    assert sorted(report.redacted) == sorted([*old["access_indexes"], *grant_entries])
    assert count(services, AccessEvent) == 1 and count(services, Authorization) == 0
    assert count(services, ThresholdProbe) == 0
    for index in report.redacted:
        assert services.ledger.entry(index).redacted
    assert not services.ledger.entry(recent).redacted
    after = verified_page(world)  # signatures, inclusion of every entry, the chain: all hold
    assert [e.index for e in after.entries] == [e.index for e in before.entries]
    assert after.redacted == 7
    [kept] = [e for e in after.entries if e.entry is not None]
    assert kept.index == recent and kept.entry["payload"]["type"] == "access.report"
    storage = services.ledger.check_storage()
    assert storage.redacted == 7

    entry = services.ledger.entry(report.ledger_index).entry
    assert entry is not None and "subject" not in entry  # about no enterprise
    payload = entry["payload"]
    assert payload["type"] == "retention.applied"
    assert payload["deleted"] == {
        "access_events": 4, "threshold_probes": 1, "authorizations": 2, "superseded_records": 0,
    }  # fmt: skip
    assert sum(b - a + 1 for a, b in payload["redacted"]) == 7
    assert payload["rules"] == RULES.model_dump()
    assert any("redacted the content of 7 entries" in line for line in report.lines())

    again = run(services, clock)  # nothing left to do, nothing recorded
    assert not again.changed and again.ledger_index is None


def test_a_dry_run_counts_and_changes_nothing(
    world: World, services: Services, clock: SettableClock
) -> None:
    old_activity(world)
    clock.advance(LATER)
    size = services.ledger.size()
    dry = run(services, clock, dry_run=True)
    assert (dry.access_events, dry.threshold_probes, dry.authorizations) == (4, 1, 2)
    assert dry.redacted == [] and dry.ledger_index is None
    assert count(services, AccessEvent) == 4 and count(services, Authorization) == 2
    assert services.ledger.size() == size
    assert "would delete 4" in "\n".join(dry.lines())
    real = run(services, clock)
    assert (real.access_events, real.threshold_probes, real.authorizations) == (4, 1, 2)


def test_nothing_younger_than_the_period_goes(
    world: World, services: Services, clock: SettableClock
) -> None:
    old_activity(world)
    clock.advance(timedelta(days=5 * 365))  # a day short of five calendar years
    size = services.ledger.size()
    report = run(services, clock)
    assert not report.changed and report.ledger_index is None
    assert count(services, AccessEvent) == 4 and services.ledger.size() == size


def test_an_authorization_revoked_long_ago_goes_though_it_would_expire_later(
    world: World, services: Services, clock: SettableClock
) -> None:
    now = int(clock.now().timestamp())
    long = world.grant(expires_at=now + 364 * 86400)
    world.enterprise.post(f"/v1/authorizations/{long['id']}/revoke")
    recent = world.grant(purpose="post_loan_monitoring")  # expires after 30 days
    clock.advance(FIVE_YEARS_AND_A_DAY)  # revoked over five years ago, would expire under five
    report = run(services, clock)
    assert report.authorizations == 1
    with Session(services.engine) as session:
        assert [a.id for a in session.exec(select(Authorization))] == [recent["id"]]


def _push_licence(services: Services, http: TestClient, clock: SettableClock, capital: str) -> None:
    regulator = second_key(services, http, clock, "src-market-regulator", Role.source)
    response = regulator.post(
        "/v1/datasets/business_licence/batches",
        json={
            "batch_id": f"licence-{capital}",
            "mode": "all_or_nothing",
            "records": [
                {
                    "fields": {
                        "enterprise_name": NAME,
                        "uscc": ENTERPRISE,
                        "legal_representative": "李娜",
                        "established_date": "2015-06-01",
                        "registration_status": "存续",
                        "registered_capital": capital,
                    }
                }
            ],
        },
    )
    assert response.status_code == 200, response.text


def licence_versions(services: Services) -> list[int]:
    with Session(services.engine) as session:
        rows = session.exec(
            select(DatasetRecord.version)
            .where(DatasetRecord.dataset == "business_licence")
            .order_by(col(DatasetRecord.version))
        )
        return list(rows)


def test_superseded_versions_go_unless_a_dispute_names_them(
    world: World, services: Services, http: TestClient, clock: SettableClock
) -> None:
    clock.advance(timedelta(days=1))
    _push_licence(services, http, clock, "4000000")  # supersedes version 1
    clock.advance(timedelta(days=1))
    _push_licence(services, http, clock, "5000000")  # supersedes version 2
    assert licence_versions(services) == [1, 2, 3]
    _dispute(services, clock, version=2)
    clock.advance(FIVE_YEARS_AND_A_DAY)
    dry = run(services, clock, dry_run=True)
    assert (dry.superseded_records, dry.records_held) == (1, 1)
    report = run(services, clock)
    assert (report.superseded_records, report.records_held) == (1, 1)
    assert licence_versions(services) == [2, 3]  # the disputed one and the current one
    current = world.enterprise.get("/v1/me/report").json()
    licence = next(d for d in current["datasets"] if d["dataset"] == "business_licence")
    assert licence["records"][0]["fields"]["registered_capital"] == "5000000.00"


def _dispute(services: Services, clock: SettableClock, version: int) -> None:
    models = pytest.importorskip("gateway.subject_rights.models")
    with Session(services.engine) as session:
        record_id = session.exec(
            select(DatasetRecord.record_id).where(DatasetRecord.dataset == "business_licence")
        ).first()
    with unit_of_work(services.engine) as session:
        session.add(
            models.Objection(
                id="obj-1",
                enterprise=ENTERPRISE,
                dataset="business_licence",
                record_id=record_id,
                record_version=version,
                source_id="src-market-regulator",
                reason="capital misstated",
                evidence=[],
                state=models.ObjectionState.rejected,
                filed_at=clock.now(),
                deadline=clock.now() + timedelta(days=20),
                updated_at=clock.now(),
                history=[],
            )
        )
