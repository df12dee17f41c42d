"""A small financing world: two enterprises with registration records, three banks, an
operator and an assessor, the tax bureau's live interface faked."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy import text

from gateway import uscc
from gateway.bootstrap import Services
from gateway.principals.keys import key_id
from gateway.principals.models import InstitutionKind, Role
from tests.support.actors import Actor
from tests.support.world import FakeLiveSources

ENTERPRISE = uscc.generate(random.Random(1101))
OTHER = uscc.generate(random.Random(1102))
INDUSTRY = "C2710 化学药品原料药制造"


def licence(code: str, name: str, industry: str) -> dict[str, Any]:
    return {
        "enterprise_name": name,
        "uscc": code,
        "legal_representative": "王敏",
        "established_date": "2016-04-01",
        "registration_status": "存续",
        "registered_capital": "5000000",
        "industry": industry,
    }


@dataclass
class Financing:
    services: Services
    enterprise: Actor
    other: Actor
    bank: Actor
    bank2: Actor
    bank3: Actor
    operator: Actor
    assessor: Actor
    live: FakeLiveSources
    _made: int = field(default=0)

    def product(self, bank: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name_zh": "税易贷",
            "kind": "tax_based",
            "amount_min": 100_000,
            "amount_max": 3_000_000,
            "term_min_months": 6,
            "term_max_months": 36,
            "rate_min_pct": "3.45",
            "rate_max_pct": "5.20",
            "industries": ["C"],
            "eligibility": [
                {"predicate": "tax_credit_grade_in", "args": {"grades": ["A", "B"]}},
                {"predicate": "years_in_operation_at_least", "args": {"years": 2}},
                {"predicate": "no_tax_arrears", "args": {}},
            ],
        }
        body.update(overrides)
        response = (bank or self.bank).post("/v1/products", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def demand(self, enterprise: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        actor = enterprise or self.enterprise
        body: dict[str, Any] = {
            "amount": 1_000_000,
            "term_months": 12,
            "purpose_zh": "采购原材料",
            "collateral": ["none"],
            "valid_until": (actor.clock.now() + timedelta(days=30)).isoformat(),
        }
        body.update(overrides)
        response = actor.post("/v1/me/financing-demands", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def ledger(self) -> list[tuple[str | None, dict[str, Any]]]:
        """Every ledger entry as (subject, payload), in log order."""
        engine = self.services.extras.get("ledger_engine", self.services.engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT subject, leaf FROM ledger_entries ORDER BY idx")).all()
        out = []
        for subject, leaf in rows:
            entry = json.loads(bytes(leaf))
            out.append((subject, entry.get("payload", entry)))
        return out


def sign_claims(actor: Actor, claims: dict[str, Any], typ: str) -> str:
    headers = {"kid": key_id(actor.key.public_key()), "typ": typ}
    return jwt.encode(claims, actor.key, algorithm=actor.algorithm.value, headers=headers)


@pytest.fixture
def fin(make_actor: Callable[..., Actor], services: Services) -> Financing:
    regulator = make_actor(Role.source, "src-market-regulator")
    response = regulator.post(
        "/v1/datasets/business_licence/batches",
        json={
            "batch_id": "seed-licences",
            "mode": "all_or_nothing",
            "records": [
                {"fields": licence(ENTERPRISE, "本溪市示范制药有限公司", INDUSTRY)},
                {"fields": licence(OTHER, "本溪市示范餐饮有限公司", "H6210 正餐服务")},
            ],
        },
    )
    assert response.status_code == 200, response.text
    live = FakeLiveSources(
        {
            "tax_credit_rating": [
                {
                    "enterprise_name": "x",
                    "uscc": ENTERPRISE,
                    "rating_year": 2025,
                    "tax_credit_grade": "A",
                },
                {
                    "enterprise_name": "y",
                    "uscc": OTHER,
                    "rating_year": 2025,
                    "tax_credit_grade": "C",
                },
            ],
        }
    )
    services.live_sources = live
    return Financing(
        services=services,
        enterprise=make_actor(Role.enterprise, ENTERPRISE),
        other=make_actor(Role.enterprise, OTHER),
        bank=make_actor(Role.institution, "bank-fin-001", kind=InstitutionKind.bank),
        bank2=make_actor(Role.institution, "bank-fin-002", kind=InstitutionKind.bank),
        bank3=make_actor(Role.institution, "bank-fin-003", kind=InstitutionKind.bank),
        operator=make_actor(Role.operator),
        assessor=make_actor(Role.assessor),
        live=live,
    )
