"""A small world for access tests: one enterprise with records, a bank, sources, grants."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from gateway import uscc
from gateway.access.live_sources import LiveAnswer
from gateway.catalog.model import DatasetSpec
from gateway.client import sign_authorization
from gateway.principals.models import InstitutionKind, Role
from tests.support.actors import Actor

ENTERPRISE = uscc.generate(random.Random(4242))
NAME = "本溪市示范药业有限公司"
LEGAL_REP_ID = "210502198001011236"
VAT_PAID = "1234567.89"


@dataclass
class FakeLiveSources:
    """Stands in for the tax bureau's live interface in unit-speed tests."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    grants: list[tuple[str, str | None, bool]] = field(default_factory=list)

    def fetch(
        self, dataset: DatasetSpec, code: str, grant: str | None = None, for_subject: bool = False
    ) -> LiveAnswer:
        self.calls.append(dataset.id)
        self.grants.append((dataset.id, grant, for_subject))
        if dataset.id in self.down:
            return LiveAnswer(dataset.id, [], "the source did not answer in time")
        return LiveAnswer(
            dataset.id, [r for r in self.records.get(dataset.id, []) if r["uscc"] == code]
        )


LIVE_TAX_PAYMENTS = {
    "enterprise_name": NAME,
    "uscc": ENTERPRISE,
    "vat_paid_12m": VAT_PAID,
    "vat_payable_12m": VAT_PAID,
    "consecutive_normal_months": 18,
}


@dataclass
class World:
    enterprise: Actor
    bank: Actor
    records: dict[str, dict[str, Any]]
    live: FakeLiveSources
    sources: dict[str, Actor] = field(default_factory=dict)

    def grant(self, **overrides: Any) -> dict[str, Any]:
        now = int(self.bank.clock.now().timestamp())
        claims: dict[str, Any] = {
            "institution": self.bank.id,
            "purpose": "loan_underwriting",
            "datasets": ["housing_fund", "tax_payments"],
            "modes": ["report"],
            "not_before": now,
            "expires_at": now + 30 * 86400,
        }
        claims.update(overrides)
        token = sign_authorization(self.enterprise.id, self.enterprise.key, **claims)
        response = self.enterprise.post("/v1/authorizations", json={"token": token})
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    def report(self, purpose: str = "loan_underwriting", actor: Actor | None = None) -> Any:
        return (actor or self.bank).get(
            f"/v1/enterprises/{ENTERPRISE}/report", params={"purpose": purpose}
        )


def disclosed(report: dict[str, Any]) -> dict[str, set[str]]:
    """dataset -> field ids that left in the report."""
    out: dict[str, set[str]] = {}
    for dataset in report["datasets"]:
        fields = {name for record in dataset["records"] for name in record["fields"]}
        if fields:
            out[dataset["dataset"]] = fields
    return out


def build_world(make_actor: Callable[..., Actor], services: Any) -> World:
    regulator = make_actor(Role.source, "src-market-regulator")
    housing = make_actor(Role.source, "src-housing-fund")
    ndrc = make_actor(Role.source, "src-ndrc")
    records = {
        "business_licence": {
            "enterprise_name": NAME,
            "uscc": ENTERPRISE,
            "legal_representative": "李娜",
            "established_date": "2015-06-01",
            "registration_status": "存续",
            "registered_capital": "3000000",
        },
        "annual_reports": {
            "enterprise_name": NAME,
            "uscc": ENTERPRISE,
            "report_year": 2025,
            "total_assets": "9000000.00",
            "total_liabilities": "4000000.00",
        },
        "housing_fund": {
            "enterprise_name": NAME,
            "uscc": ENTERPRISE,
            "avg_monthly_contributors_12m": 37,
        },
        "administrative_penalties": {
            "enterprise_name": NAME,
            "uscc": ENTERPRISE,
            "decision_doc_no": "本市监罚〔2025〕17号",
            "decision_date": "2025-03-02",
            "fine_amount": "5000",
            "legal_rep_name": "李娜",
            "legal_rep_id_no": LEGAL_REP_ID,
        },
    }
    pushes = [
        (regulator, "business_licence"),
        (regulator, "annual_reports"),
        (housing, "housing_fund"),
        (ndrc, "administrative_penalties"),
    ]
    for actor, dataset in pushes:
        response = actor.post(
            f"/v1/datasets/{dataset}/batches",
            json={
                "batch_id": f"seed-{dataset}",
                "mode": "all_or_nothing",
                "records": [{"fields": records[dataset]}],
            },
        )
        assert response.status_code == 200, response.text
    enterprise = make_actor(Role.enterprise, ENTERPRISE)
    bank = make_actor(Role.institution, "bank-bx-001", kind=InstitutionKind.bank)
    live = FakeLiveSources({"tax_payments": [LIVE_TAX_PAYMENTS]})
    services.live_sources = live
    sources = {actor.id: actor for actor in (regulator, housing, ndrc)}
    return World(enterprise, bank, records, live, sources)


def later(actor: Actor, days: int) -> None:
    actor.clock.advance(timedelta(days=days))
