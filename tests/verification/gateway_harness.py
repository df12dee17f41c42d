"""One gateway per test module and backend, and a fresh enterprise for every case.

The per-predicate tests run a few hundred HTTP cases. Building the app on a new database for
each would cost a migration every time (about 0.4 s on PostgreSQL), so a module opens one
gateway per backend (``open_gateway``, on the same throwaway databases as the ``database_url``
fixture) and isolates each case by giving it an enterprise of its own: records, grants and the
bisection budget are all per enterprise. The clock never moves, so nothing ages between cases
and no institution's assessment falls due.
"""

from __future__ import annotations

import itertools
import random
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from gateway import uscc
from gateway.app import create_app
from gateway.bootstrap import Services, build_services
from gateway.catalog import DatasetSpec, load_catalog
from gateway.client import sign_authorization
from gateway.clock import SettableClock
from gateway.db import unit_of_work
from gateway.migrate import upgrade
from gateway.policy.engine import PolicyEngine
from gateway.principals import service as principals
from gateway.principals.models import InstitutionKind, PrincipalStatus, Role
from gateway.settings import Environment, Settings
from tests.databases import database_url_for
from tests.support.actors import Actor, register_actor
from tests.support.world import FakeLiveSources

Records = Mapping[str, Sequence[Mapping[str, Any]]]

CATALOG = load_catalog()
# Late evening in UTC is the next morning in Benxi: an answer computed for "today" in UTC
# rather than on the platform's calendar would be a day behind, and boundary cases would show it.
START = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)
PLATFORM_ZONE = ZoneInfo("Asia/Shanghai")
FINANCING = "loan_underwriting"
PROTECTED_CLASSES = frozenset({"authorized", "verify_only"})
# A dataset no predicate reads: one record in it makes the platform know an enterprise, so a
# case can have no record at all in the datasets it asks about and still not be a 404.
ANCHOR_DATASET = "shareholders"
ANCHORS_PER_BATCH = 50


def dataset_spec(dataset_id: str) -> DatasetSpec:
    spec = CATALOG.dataset(dataset_id)
    assert spec is not None, dataset_id
    return spec


@dataclass
class Enterprise:
    """An enterprise known to the platform; its principal is registered when it first grants."""

    code: str
    actor: Actor | None = None


@dataclass
class Gateway:
    services: Services
    http: TestClient
    clock: SettableClock
    live: FakeLiveSources
    bank: Actor
    suspended_bank: Actor
    sources: dict[str, Actor] = field(default_factory=dict)
    _spare: list[str] = field(default_factory=list)
    _codes: set[str] = field(default_factory=set)
    _seeds: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def today(self) -> date:
        """The platform's calendar day (Asia/Shanghai), as the predicates are answered for."""
        return self.clock.now().astimezone(PLATFORM_ZONE).date()

    def actor(self, role: Role, principal_id: str | None = None, **kwargs: Any) -> Actor:
        return register_actor(self.services, self.http, self.clock, role, principal_id, **kwargs)

    def source(self, source_id: str) -> Actor:
        if source_id not in self.sources:
            self.sources[source_id] = self.actor(Role.source, source_id)
        return self.sources[source_id]

    def _new_code(self) -> str:
        while True:
            code = uscc.generate(random.Random(f"verification-{next(self._seeds)}"))
            if code not in self._codes:
                self._codes.add(code)
                return code

    def enterprise(self) -> Enterprise:
        """A new enterprise the platform knows, with no record in any dataset a predicate reads."""
        if not self._spare:
            codes = [self._new_code() for _ in range(ANCHORS_PER_BATCH)]
            self._push_stored(
                ANCHOR_DATASET,
                [
                    {"uscc": code, "shareholder_name": "示例股东", "shareholder_type": "企业法人"}
                    for code in codes
                ],
            )
            self._spare.extend(reversed(codes))
        return Enterprise(self._spare.pop())

    def push(self, subject: Enterprise, records: Records) -> None:
        """Stored datasets through the batch API as their source; live ones to the fake source."""
        for dataset_id, rows in records.items():
            if not rows:
                continue
            spec = dataset_spec(dataset_id)
            owned = [{**row, spec.subject_field: subject.code} for row in rows]
            if spec.sharing_method.is_live:
                self.live.records.setdefault(dataset_id, []).extend(owned)
            else:
                self._push_stored(dataset_id, owned)

    def _push_stored(self, dataset_id: str, rows: list[dict[str, Any]]) -> None:
        spec = dataset_spec(dataset_id)
        response = self.source(spec.source_id).post(
            f"/v1/datasets/{dataset_id}/batches",
            json={
                "batch_id": f"b-{next(self._seeds)}",
                "mode": "all_or_nothing",
                "records": [{"fields": row} for row in rows],
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["accepted"] == len(rows), response.text

    def grant(
        self,
        subject: Enterprise,
        *,
        modes: Iterable[str] = ("verify",),
        datasets: Iterable[str] = (),
        classes: Iterable[str] = (),
        purpose: str = FINANCING,
        bank: Actor | None = None,
    ) -> None:
        if subject.actor is None:
            subject.actor = self.actor(Role.enterprise, subject.code)
        now = int(self.clock.now().timestamp())
        token = sign_authorization(
            subject.code,
            subject.actor.key,
            institution=(bank or self.bank).id,
            purpose=purpose,
            datasets=list(datasets),
            classes=list(classes),
            modes=list(modes),
            not_before=now,
            expires_at=now + 30 * 86400,
        )
        response = subject.actor.post("/v1/authorizations", json={"token": token})
        assert response.status_code in (200, 201), response.text

    def verify(
        self,
        subject: Enterprise,
        checks: Sequence[Mapping[str, Any]],
        *,
        purpose: str = FINANCING,
        bank: Actor | None = None,
    ) -> Any:
        return (bank or self.bank).post(
            f"/v1/enterprises/{subject.code}/verifications",
            json={"purpose": purpose, "checks": list(checks)},
        )


@contextmanager
def open_gateway(
    backend: str,
    tmp_path: Path,
    policy_engine: PolicyEngine,
    migrated_sqlite_template: Path,
) -> Iterator[Gateway]:
    """A running gateway on a new database of ``backend``, as the root conftest builds one."""
    with database_url_for(backend, tmp_path) as url:
        settings = Settings(
            database_url=url,
            data_dir=tmp_path,
            environment=Environment.test,
            ledger_checkpoint_interval_seconds=0.05,
        )
        if url.startswith("sqlite"):
            shutil.copyfile(migrated_sqlite_template, url.removeprefix("sqlite:///"))
        else:
            upgrade(url)
        clock = SettableClock(START)
        services = build_services(settings, clock, policy_engine)
        live = FakeLiveSources()
        services.live_sources = live
        try:
            with TestClient(create_app(services)) as http:
                bank = register_actor(
                    services, http, clock, Role.institution, "bank-verify", InstitutionKind.bank
                )
                suspended = register_actor(
                    services, http, clock, Role.institution, "bank-suspended", InstitutionKind.bank
                )
                with unit_of_work(services.engine) as session:
                    principals.set_status(session, suspended.id, PrincipalStatus.suspended)
                yield Gateway(services, http, clock, live, bank, suspended)
        finally:
            services.engine.dispose()


def gateway_fixture(request: pytest.FixtureRequest) -> Iterator[Gateway]:
    """The body of a module-scoped ``gateway`` fixture parametrized over the backends."""
    tmp_path = request.getfixturevalue("tmp_path_factory").mktemp(f"gateway-{request.param}")
    with open_gateway(
        request.param,
        tmp_path,
        request.getfixturevalue("policy_engine"),
        request.getfixturevalue("migrated_sqlite_template"),
    ) as gateway:
        yield gateway


def protected_values(records: Records) -> set[str]:
    """The text of every ``authorized`` or ``verify_only`` value long enough to search for.

    The subject's code is left out (the caller named it), and so are booleans and values under
    five characters (years, small counts, ``0.00``), which would match by accident.
    """
    found = set()
    for dataset_id, rows in records.items():
        spec = dataset_spec(dataset_id)
        for row in rows:
            for field_spec in spec.fields:
                value = row.get(field_spec.id)
                if (
                    field_spec.id == spec.subject_field
                    or field_spec.disclosure.value not in PROTECTED_CLASSES
                    or value is None
                    or isinstance(value, bool)
                ):
                    continue
                text = str(value).strip()
                if len(text) >= 5:
                    found.add(text)
    return found


def assert_no_protected_value(response: Any, records: Records) -> None:
    leaked = sorted(value for value in protected_values(records) if value in response.text)
    assert not leaked, f"protected values in the response: {leaked}\n{response.text}"
