"""Seed an embedded database with the demo world: principals with key files, every stored
dataset ingested through the same service sources use, and one sample authorization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from gateway.client import sign_authorization
from gateway.db import unit_of_work
from gateway.demo.generator import DemoData
from gateway.deps import request_context
from gateway.ingestion.schemas import BatchIn, BatchMode, BatchRecordIn
from gateway.ingestion.service import ingest_batch
from gateway.principals import repository as principal_repository
from gateway.principals import service as principals
from gateway.principals.keys import (
    PrivateKey,
    generate_private_key,
    public_pem,
    write_private_key,
)
from gateway.principals.models import InstitutionKind, Principal, Role
from gateway.services import Services

BATCH_SIZE = 1_000
INSTITUTIONS = (
    ("bank-icbc-benxi", InstitutionKind.bank, "工商银行本溪分行"),
    ("bank-benxi-rcb", InstitutionKind.bank, "本溪农村商业银行"),
    ("insurer-picc-benxi", InstitutionKind.insurer, "人保财险本溪分公司"),
    ("guarantor-benxi-finance", InstitutionKind.guarantor, "本溪市融资担保有限公司"),
    ("bureau-baihang", InstitutionKind.credit_bureau, "百行征信"),
)
DEMO_ENTERPRISES_WITH_KEYS = 5


@dataclass(frozen=True)
class SeededDemo:
    keys_dir: Path
    operator: str
    institutions: list[str]
    enterprises_with_keys: list[str]
    assessor: str
    sample_authorization: str


def _register(
    services: Services,
    keys_dir: Path,
    principal_id: str,
    role: Role,
    name: str,
    kind: InstitutionKind | None = None,
) -> None:
    key = generate_private_key()
    write_private_key(keys_dir / f"{principal_id}.pem", key)
    now = services.clock.now()
    with unit_of_work(services.engine) as session:
        principals.register(session, principal_id, role, name, now, kind)
        principals.add_key(session, principal_id, public_pem(key.public_key()), now)


def _ingest(services: Services, data: DemoData) -> dict[str, int]:
    counts: dict[str, int] = {}
    for dataset_id, rows in data.stored_records().items():
        dataset = services.catalog.dataset(dataset_id)
        assert dataset is not None
        with unit_of_work(services.engine) as session:
            source = principal_repository.get(session, dataset.source_id)
            assert isinstance(source, Principal)
            session.expunge(source)
        for start in range(0, len(rows), BATCH_SIZE):
            chunk = rows[start : start + BATCH_SIZE]
            batch = BatchIn(
                batch_id=f"demo-{data.seed}-{dataset_id}-{start // BATCH_SIZE}",
                mode=BatchMode.all_or_nothing,
                records=[BatchRecordIn(fields=row) for row in chunk],
            )
            with unit_of_work(services.engine) as session:
                result = ingest_batch(
                    session, services.catalog, source, dataset_id, batch, services.clock.now()
                )
            counts[dataset_id] = counts.get(dataset_id, 0) + result.result.accepted
    return counts


def seed_demo(services: Services, data: DemoData, keys_dir: Path) -> SeededDemo:
    """Register every principal (private keys into ``keys_dir``) and ingest the stored data."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    _register(services, keys_dir, "operator-benxi", Role.operator, "本溪市信用中心")
    _register(services, keys_dir, "assessor-benxi", Role.assessor, "信息安全评估组")
    for source_id in sorted({d.source_id for d in services.catalog.datasets}):
        units = {
            d.responsible_unit_zh for d in services.catalog.datasets if d.source_id == source_id
        }
        _register(services, keys_dir, source_id, Role.source, " / ".join(sorted(units)))
    for principal_id, kind, name in INSTITUTIONS:
        _register(services, keys_dir, principal_id, Role.institution, name, kind)
    enterprises = data.enterprises[:DEMO_ENTERPRISES_WITH_KEYS]
    for code in enterprises:
        _register(services, keys_dir, code, Role.enterprise, data.profiles[code].get("name", code))
    _ingest(services, data)
    authorization_id = _sample_authorization(services, keys_dir, enterprises[0], INSTITUTIONS[0][0])
    from gateway.demo.financing import seed_financing

    seed_financing(services, enterprises)
    return SeededDemo(
        keys_dir,
        "operator-benxi",
        [i[0] for i in INSTITUTIONS],
        enterprises,
        "assessor-benxi",
        authorization_id,
    )


def _sample_authorization(
    services: Services, keys_dir: Path, enterprise: str, institution: str
) -> str:
    """The first demo enterprise authorizes the first bank for its tax and housing-fund data."""
    from gateway.principals.keys import load_private_key

    key, _ = load_private_key(keys_dir / f"{enterprise}.pem")
    return grant_authorization(
        services,
        enterprise,
        key,
        institution=institution,
        datasets=["tax_payments", "tax_credit_rating", "housing_fund", "annual_reports"],
        modes=["report", "verify"],
        days=90,
        authorization_id=f"demo-{enterprise[-6:]}-{institution}",
    )


def grant_authorization(
    services: Services,
    enterprise: str,
    key: PrivateKey,
    *,
    institution: str,
    datasets: list[str],
    modes: list[str],
    days: int,
    authorization_id: str,
    purpose: str = "loan_underwriting",
) -> str:
    """Sign an authorization as ``enterprise`` (with its private ``key``) and grant it, as the
    enterprise would through the API; returns its id."""
    from gateway.authorizations import service as authorizations

    now = services.clock.now()
    start = int(now.timestamp())
    token = sign_authorization(
        enterprise,
        key,
        institution=institution,
        purpose=purpose,
        datasets=datasets,
        modes=modes,
        not_before=start,
        expires_at=start + int(timedelta(days=days).total_seconds()),
        authorization_id=authorization_id,
    )
    with unit_of_work(services.engine, write=True) as session:
        owner = principal_repository.get(session, enterprise)
        assert owner is not None
        grant, _ = authorizations.grant(request_context(services, session, owner, now), token)
        return grant.id
