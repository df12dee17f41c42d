"""A real gateway on a loopback port, seeded with the portal tests' actors.

uvicorn runs the app in a thread of the test process, so a test can read the server's log
records and its database directly. Principals are registered in the database (as the operator
would); each private key is written to a PEM file, as ``credgate demo`` writes them, which is
what a user imports into the browser.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from gateway.bootstrap import build_services
from gateway.client import sign_authorization, sign_token
from gateway.db import unit_of_work
from gateway.migrate import upgrade
from gateway.policy.engine import PolicyEngine
from gateway.principals import service as principals
from gateway.principals.keys import (
    PrivateKey,
    generate_private_key,
    private_key_algorithm,
    public_pem,
    write_private_key,
)
from gateway.principals.models import InstitutionKind, KeyAlgorithm, Role
from gateway.services import Services
from gateway.settings import Environment, Settings
from tests.databases import database_url_for
from tests.support.world import ENTERPRISE, LIVE_TAX_PAYMENTS, NAME, FakeLiveSources


class LogCapture(logging.Handler):
    """Every log line the server writes, formatted."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class Principal:
    id: str
    role: Role
    key: PrivateKey
    key_file: Path
    base_url: str
    audience: str = "credgate"

    @property
    def pem(self) -> str:
        return self.key_file.read_text()

    def headers(self) -> dict[str, str]:
        algorithm = private_key_algorithm(self.key)
        return {"Authorization": f"Bearer {sign_token(self.id, self.key, algorithm)}"}

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers(), **kwargs.pop("headers", {})}
        return httpx.request(method, self.base_url + path, headers=headers, timeout=10, **kwargs)

    def grant(self, institution: str, **claims: Any) -> dict[str, Any]:
        now = int(time.time())
        token = sign_authorization(
            self.id,
            self.key,
            institution=institution,
            purpose=claims.pop("purpose", "loan_underwriting"),
            datasets=claims.pop("datasets", ["annual_reports"]),
            not_before=now,
            expires_at=now + 30 * 86400,
            **claims,
        )
        response = self.call("POST", "/v1/authorizations", json={"token": token})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


@dataclass
class LiveGateway:
    base_url: str
    services: Services
    logs: LogCapture
    principals: dict[str, Principal] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Principal:
        return self.principals[name]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# GB/T 4754 class of the enterprise (its licence's "industry"): what products match against
INDUSTRY = "C2710 化学药品原料药制造"
RECORDS = {
    "business_licence": (
        "src-market-regulator",
        {
            "enterprise_name": NAME,
            "uscc": ENTERPRISE,
            "legal_representative": "李娜",
            "established_date": "2015-06-01",
            "registration_status": "存续",
            "registered_capital": "3000000",
            "industry": INDUSTRY,
        },
    ),
    "annual_reports": (
        "src-market-regulator",
        {
            "enterprise_name": NAME,
            "uscc": ENTERPRISE,
            "report_year": 2025,
            "total_assets": "9000000.00",
            "total_liabilities": "4000000.00",
            "total_revenue": "12000000.00",
        },
    ),
    "administrative_penalties": (
        "src-ndrc",
        {
            "enterprise_name": NAME,
            "uscc": ENTERPRISE,
            "decision_doc_no": "本市监罚〔2025〕17号",
            "decision_date": "2025-03-02",
            "fine_amount": "5000",
            "legal_rep_name": "李娜",
            "legal_rep_id_no": "210502198001011236",
        },
    ),
}

ACTORS = (
    ("enterprise", ENTERPRISE, Role.enterprise, None, NAME),
    ("bank", "bank-bx-001", Role.institution, InstitutionKind.bank, "本溪银行"),
    ("bank2", "bank-bx-002", Role.institution, InstitutionKind.bank, "本溪农商银行"),
    ("assessor", "assessor-benxi", Role.assessor, None, "信息安全评估组"),
    ("operator", "operator-benxi", Role.operator, None, "本溪市信用中心"),
    ("src-market-regulator", "src-market-regulator", Role.source, None, "市市场监管局"),
    ("src-ndrc", "src-ndrc", Role.source, None, "市发展改革委"),
)


def _register(services: Services, keys: Path, base_url: str, actor: tuple[Any, ...]) -> Principal:
    name, principal_id, role, kind, display = actor
    # the bank signs with P-256, everyone else with Ed25519: both of the browser's paths
    algorithm = KeyAlgorithm.ES256 if name == "bank" else KeyAlgorithm.EdDSA
    key = generate_private_key(algorithm)
    key_file = keys / f"{principal_id}.pem"
    write_private_key(key_file, key)
    with unit_of_work(services.engine) as session:
        now = services.clock.now()
        principals.register(session, principal_id, role, display, now, kind)
        principals.add_key(session, principal_id, public_pem(key.public_key()), now)
    return Principal(principal_id, role, key, key_file, base_url, services.settings.audience)


@contextmanager
def live_gateway(backend: str, workdir: Path, policy_engine: PolicyEngine) -> Iterator[LiveGateway]:
    """A seeded gateway serving on a free loopback port until the block ends."""
    with database_url_for(backend, workdir) as url:
        upgrade(url)
        settings = Settings(
            database_url=url,
            data_dir=workdir,
            environment=Environment.test,
            ledger_checkpoint_interval_seconds=0.05,
        )
        services = build_services(settings, policy_engine=policy_engine)
        services.live_sources = FakeLiveSources({"tax_payments": [LIVE_TAX_PAYMENTS]})
        from gateway.app import create_app

        app = create_app(services)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        logs = LogCapture()
        logs.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        root = logging.getLogger()
        root.addHandler(logs)
        previous_level = root.level
        root.setLevel(logging.DEBUG)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=True)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 20
            while not server.started:
                if time.monotonic() > deadline or not thread.is_alive():
                    raise RuntimeError("the gateway did not start")
                time.sleep(0.02)
            gateway = LiveGateway(base_url, services, logs)
            keys = workdir / "keys"
            keys.mkdir(exist_ok=True)
            for actor in ACTORS:
                gateway.principals[actor[0]] = _register(services, keys, base_url, actor)
            for dataset, (source, fields) in RECORDS.items():
                response = gateway[source].call(
                    "POST",
                    f"/v1/datasets/{dataset}/batches",
                    json={
                        "batch_id": f"seed-{dataset}",
                        "mode": "all_or_nothing",
                        "records": [{"fields": fields}],
                    },
                )
                assert response.status_code == 200, response.text
            yield gateway
        finally:
            server.should_exit = True
            thread.join(timeout=20)
            root.removeHandler(logs)
            root.setLevel(previous_level)
            services.engine.dispose()


# ---------------------------------------------------------------- financing


def publish_product(bank: Principal, **overrides: Any) -> dict[str, Any]:
    """A product the seeded enterprise qualifies for (manufacturing, founded 2015, revenue
    12 million), published by ``bank`` through the API."""
    body: dict[str, Any] = {
        "name_zh": "流动资金贷",
        "kind": "credit_loan",
        "amount_min": 100_000,
        "amount_max": 3_000_000,
        "term_min_months": 6,
        "term_max_months": 36,
        "rate_min_pct": "3.45",
        "rate_max_pct": "5.20",
        "industries": ["C"],
        "eligibility": [
            {"predicate": "years_in_operation_at_least", "args": {"years": 2}},
            {"predicate": "annual_revenue_at_least", "args": {"amount": "5000000"}},
        ],
    }
    body.update(overrides)
    response = bank.call("POST", "/v1/products", json=body)
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    return product


def publish_demand(enterprise: Principal, **overrides: Any) -> dict[str, Any]:
    """A financing demand published by ``enterprise`` through the API, valid for 30 days."""
    body: dict[str, Any] = {
        "amount": 1_000_000,
        "term_months": 12,
        "purpose_zh": "采购原材料",
        "collateral": ["none"],
        "valid_until": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    }
    body.update(overrides)
    response = enterprise.call("POST", "/v1/me/financing-demands", json=body)
    assert response.status_code == 201, response.text
    demand: dict[str, Any] = response.json()
    return demand


def ask_authorization(bank: Principal, enterprise: str, **overrides: Any) -> dict[str, Any]:
    """An authorization request from ``bank`` to ``enterprise`` through the API: its annual
    reports, for reports, for loan underwriting, 30 days once granted."""
    body: dict[str, Any] = {
        "enterprise": enterprise,
        "purpose": "loan_underwriting",
        "datasets": ["annual_reports"],
        "modes": ["report"],
        "valid_days": 30,
    }
    body.update(overrides)
    response = bank.call("POST", "/v1/authorization-requests", json=body)
    assert response.status_code == 201, response.text
    request: dict[str, Any] = response.json()
    return request
