"""Policy data: one data.json, read by the gateway and decided with by the policy."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.policy.data import load_policy_data, parse_policy_data
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.errors import PolicyLoadError
from gateway.policy.source import PolicyFiles, default_policy_dir
from tests.policy.corpus import CASES, CORPUS_DIR
from tests.policy.factories import COURT, policy_dir_with, report_input


def _data() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((default_policy_dir() / "data.json").read_text())
    return document


def test_policy_data_values() -> None:
    data = load_policy_data()

    assert set(data.purposes) == {
        "loan_underwriting", "post_loan_monitoring", "guarantee_underwriting",
        "insurance_underwriting", "credit_reporting", "supply_chain_finance",
        "procurement", "bidding", "approval", "market_access", "qualification",
        "provincial_sharing",
    }  # fmt: skip
    assert data.financing_purposes == {
        "loan_underwriting", "post_loan_monitoring", "guarantee_underwriting",
        "supply_chain_finance",
    }  # fmt: skip
    assert data.max_authorization_lifetime == timedelta(days=365)
    assert data.verification.bisection_budget_per_day == 3
    assert data.objection_reply_deadline == timedelta(days=20)
    assert (data.penalty_publication.min_months, data.penalty_publication.max_years) == (3, 3)
    assert data.query_roles == ("institution", "government", "province")


def test_data_sits_where_opa_mounts_it() -> None:
    """A bundle's root data.json is data itself: {"credgate": {"params": ...}} is data.credgate."""
    manifest = json.loads((default_policy_dir() / ".manifest").read_text())

    assert "params" in _data()["credgate"]
    assert manifest["roots"] == ["credgate"]
    assert set(_data()) <= set(manifest["roots"])


def test_no_corpus_file_would_be_loaded_as_data() -> None:
    """OPA loads files named data.json anywhere in a bundle; the corpus must never use that name."""
    assert not (CORPUS_DIR / "data.json").exists()
    assert list(default_policy_dir().rglob("data.json")) == [default_policy_dir() / "data.json"]


def test_the_policy_decides_with_the_data_not_with_constants(tmp_path: Path) -> None:
    data = _data()
    params = data["credgate"]["params"]
    params["authorization"]["max_lifetime_days"] = 30
    params["purposes"]["insurance_underwriting"]["financing"] = True
    engine = EmbeddedEngine(
        PolicyFiles.load(policy_dir_with(tmp_path, data_json=json.dumps(data))),
        timeout_seconds=None,
    )

    case = next(c for c in CASES if c.name == "authorization_maximum_lifetime")
    assert not engine.decide(case.input).discloses("tax_payments", "authorized")
    insurer = report_input(purpose="insurance_underwriting", resources=(COURT,))
    assert engine.decide(insurer).discloses("court_judgments", "institution")


def test_revision_changes_with_data(tmp_path: Path) -> None:
    data = _data()
    data["credgate"]["params"]["verification"]["bisection_budget_per_day"] = 4

    changed = PolicyFiles.load(policy_dir_with(tmp_path, data_json=json.dumps(data)))

    assert changed.revision != PolicyFiles.load().revision
    assert PolicyFiles.load().revision == PolicyFiles.load().revision


@pytest.mark.parametrize(
    "breakage",
    [
        lambda p: p.pop("purposes"),
        lambda p: p["authorization"].update(max_lifetime_days="365"),
        lambda p: p["authorization"].update(max_lifetime_days=0),
        lambda p: p["purposes"]["credit_reporting"].update(financing="no"),
        lambda p: p.update(unexpected=1),
        lambda p: p["penalty_publication"].update(min_months=48),
    ],
    ids=["missing", "string-number", "zero", "not-bool", "unknown-key", "min-above-max"],
)
def test_invalid_policy_data_is_refused(breakage: Any) -> None:
    data = _data()
    breakage(data["credgate"]["params"])

    with pytest.raises(PolicyLoadError):
        parse_policy_data(data)


def test_missing_policy_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError):
        PolicyFiles.load(tmp_path / "nowhere")
    with pytest.raises(PolicyLoadError):
        load_policy_data(tmp_path)


def test_nested_data_files_are_refused(tmp_path: Path) -> None:
    directory = policy_dir_with(tmp_path)
    (directory / "extra").mkdir()
    (directory / "extra" / "data.json").write_text("{}")

    with pytest.raises(PolicyLoadError, match="nested"):
        PolicyFiles.load(directory)
