from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.bootstrap import Services
from gateway.clock import SettableClock
from gateway.db import unit_of_work
from gateway.principals import service as principals
from gateway.principals.keys import generate_private_key, public_pem
from gateway.principals.models import InstitutionKind, KeyAlgorithm, Role
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, NAME, World, build_world

PENALTIES = "administrative_penalties"


def existing_actor(
    services: Services, http: TestClient, clock: SettableClock, principal_id: str, role: Role
) -> Actor:
    """An actor for a principal registered elsewhere (build_world keeps its sources' keys)."""
    key = generate_private_key(KeyAlgorithm.EdDSA)
    with unit_of_work(services.engine) as session:
        principals.add_key(session, principal_id, public_pem(key.public_key()), clock.now())
    return Actor(
        principal_id, role, key, KeyAlgorithm.EdDSA, http, clock, services.settings.audience
    )


@dataclass
class Rights:
    """The access world plus everyone an objection or a repair involves."""

    world: World
    ndrc: Actor  # supplies administrative penalties and the serious-dishonesty list
    regulator: Actor  # supplies licences, annual reports and the market-supervision lists
    operator: Actor
    insurer: Actor
    _batches: int = 0

    @property
    def enterprise(self) -> Actor:
        return self.world.enterprise

    @property
    def bank(self) -> Actor:
        return self.world.bank

    def push(
        self, actor: Actor, dataset: str, *records: dict[str, Any], retract: bool = False
    ) -> dict[str, Any]:
        self._batches += 1
        items = [
            {"record_id": r["record_id"], "retract": True}
            if retract
            else {"fields": {"enterprise_name": NAME, "uscc": ENTERPRISE, **r}}
            for r in records
        ]
        response = actor.post(
            f"/v1/datasets/{dataset}/batches",
            json={
                "batch_id": f"rights-{self._batches}",
                "mode": "all_or_nothing",
                "records": items,
            },
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def penalty(self, **fields: Any) -> str:
        """Push a penalty (amending the seeded one by default); its record id."""
        base = {k: v for k, v in self.world.records[PENALTIES].items() if k not in ("uscc",)}
        result = self.push(self.ndrc, PENALTIES, {**base, **fields})
        record_id: str = result["records"][0]["record_id"]
        return record_id

    def object(
        self,
        record_id: str,
        dataset: str = PENALTIES,
        headers: dict[str, str] | None = None,
        **body: Any,
    ) -> Any:
        payload = {"dataset": dataset, "record_id": record_id, "reason": "金额有误", **body}
        return self.enterprise.post("/v1/me/objections", json=payload, headers=headers)

    def apply(
        self,
        record_id: str,
        dataset: str = PENALTIES,
        headers: dict[str, str] | None = None,
        **body: Any,
    ) -> Any:
        payload = {"dataset": dataset, "record_id": record_id, "reason": "已整改完毕", **body}
        return self.enterprise.post("/v1/me/repairs", json=payload, headers=headers)

    def report(self, actor: Actor | None = None) -> dict[str, Any]:
        actor = actor or self.bank
        if actor is self.enterprise:
            response = actor.get("/v1/me/report")
        else:
            purpose = "insurance_underwriting" if actor is self.insurer else "loan_underwriting"
            response = actor.get(
                f"/v1/enterprises/{ENTERPRISE}/report", params={"purpose": purpose}
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def shown(self, dataset: str, actor: Actor | None = None) -> dict[str, dict[str, Any]]:
        """record_id -> record as ``actor`` (default: the bank) sees it in a report."""
        report = self.report(actor)
        [held] = [d for d in report["datasets"] if d["dataset"] == dataset]
        return {r["record_id"]: r for r in held["records"]}

    def log(self) -> list[dict[str, Any]]:
        """The enterprise's access log, verified offline; payloads oldest first."""
        page = self.enterprise.get("/v1/me/access-log", params={"limit": 500}).json()
        key = self.enterprise.http.get("/v1/ledger/key").text.strip()
        report = verify_subject_page(page, parse_verifier_keys([key]), subject=ENTERPRISE)
        return [e.entry["payload"] for e in report.entries if e.entry is not None]

    def log_of(self, kind: str) -> list[dict[str, Any]]:
        return [p for p in self.log() if p["type"].startswith(kind)]


@pytest.fixture
def rights(
    make_actor: Callable[..., Actor], services: Services, http: TestClient, clock: SettableClock
) -> Rights:
    world = build_world(make_actor, services)
    return Rights(
        world=world,
        ndrc=existing_actor(services, http, clock, "src-ndrc", Role.source),
        regulator=existing_actor(services, http, clock, "src-market-regulator", Role.source),
        operator=make_actor(Role.operator, "operator-benxi"),
        insurer=make_actor(Role.institution, "insurer-bx-001", kind=InstitutionKind.insurer),
    )


@pytest.fixture
def penalty_id(rights: Rights) -> str:
    [record_id] = rights.shown(PENALTIES, rights.enterprise)
    return record_id
