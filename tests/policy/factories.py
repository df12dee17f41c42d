"""Small builders for policy inputs and throwaway policy directories."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from gateway.policy.inputs import AuthorizationGrant, Caller, PolicyInput, Predicate, Resource
from gateway.policy.source import default_policy_dir

NOW_NS = 1_764_000_000_000_000_000  # 2025-11-24T16:00:00Z
DAY_NS = 86_400 * 10**9
SUBJECT = "91210502MA0XXXXXXX"

LICENCE = Resource(dataset="business_licence", disclosure_class="public")
COURT = Resource(dataset="court_judgments", disclosure_class="institution")
TAX = Resource(dataset="tax_payments", disclosure_class="authorized")
UTILITIES = Resource(dataset="utility_payments", disclosure_class="verify_only")


def bank(status: str = "active") -> Caller:
    return Caller(id="bank-001", role="institution", kind="bank", status=status)


def grant(**overrides: Any) -> AuthorizationGrant:
    fields: dict[str, Any] = {
        "id": "auth-1",
        "institution": "bank-001",
        "enterprise": SUBJECT,
        "purpose": "loan_underwriting",
        "datasets": ("tax_payments", "utility_payments"),
        "modes": ("report", "verify"),
        "not_before_ns": NOW_NS - DAY_NS,
        "expires_at_ns": NOW_NS + 30 * DAY_NS,
        "state": "active",
    }
    fields.update(overrides)
    return AuthorizationGrant(**fields)


def report_input(**overrides: Any) -> PolicyInput:
    fields: dict[str, Any] = {
        "now_ns": NOW_NS,
        "caller": bank(),
        "action": "report",
        "purpose": "loan_underwriting",
        "subject": SUBJECT,
        "resources": (LICENCE, COURT, TAX, UTILITIES),
        "predicates": (Predicate(name="vat_paid_last_year_at_least", reads=(TAX,)),),
        "authorizations": (grant(),),
    }
    fields.update(overrides)
    return PolicyInput(**fields)


def policy_dir_with(tmp_path: Path, rego: str | None = None, data_json: str | None = None) -> Path:
    """A copy of the real policy directory with ``access.rego`` and/or ``data.json`` replaced."""
    target = tmp_path / "policies"
    source = default_policy_dir()
    target.mkdir(parents=True)
    shutil.copy(source / "access.rego", target / "access.rego")
    shutil.copy(source / "data.json", target / "data.json")
    if rego is not None:
        (target / "access.rego").write_text(rego)
    if data_json is not None:
        (target / "data.json").write_text(data_json)
    return target
