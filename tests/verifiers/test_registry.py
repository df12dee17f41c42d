"""The registry and describe(): every predicate listed, documented, and reading real fields."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gateway.catalog import DisclosureClass, load_catalog
from verifiers import PREDICATES, describe, get_predicate
from verifiers.spec import PredicateSpec

CATALOG = load_catalog()
# The brief's list, by the names chosen for it (plus the dishonesty list).
EXPECTED = {
    "licence_in_force",
    "registered_capital_at_least",
    "years_in_operation_at_least",
    "not_on_abnormal_operations_list",
    "not_on_serious_violation_list",
    "not_on_serious_dishonesty_list",
    "spot_check_failures_at_most",
    "tax_credit_grade_in",
    "not_abnormal_taxpayer",
    "no_tax_arrears",
    "vat_paid_last_year_at_least",
    "income_tax_paid_last_year_at_least",
    "consecutive_normal_tax_months_at_least",
    "housing_fund_contributors_at_least",
    "no_social_insurance_arrears",
    "owns_real_estate",
    "no_utility_arrears",
    "no_administrative_penalty_since",
    "national_high_tech_enterprise",
    "legal_representative_id_is",
    "annual_revenue_at_least",
    "debt_ratio_at_most",
    # issue 11, 二(四): SME credit evaluation results
    "sme_credit_grade_in",
    "sme_credit_evaluated_within",
}


def test_the_registry_holds_the_agreed_predicates_by_name() -> None:
    assert set(PREDICATES) == EXPECTED
    assert all(spec.name == name for name, spec in PREDICATES.items())
    assert get_predicate("no_tax_arrears") is PREDICATES["no_tax_arrears"]


def test_the_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        PREDICATES["x"] = PREDICATES["no_tax_arrears"]


def test_describe_covers_every_predicate_once_in_name_order() -> None:
    listing = describe()
    assert [entry["name"] for entry in listing] == sorted(PREDICATES)
    json.dumps(listing)  # ready for the wire as it is


@pytest.mark.parametrize("entry", describe(), ids=lambda e: e["name"])
def test_describe_documents_arguments_reads_and_threshold(entry: dict[str, Any]) -> None:
    spec = PREDICATES[entry["name"]]
    assert entry["description"] == spec.description
    assert entry["description_zh"]
    assert [a["name"] for a in entry["arguments"]] == list(spec.args_model.model_fields)
    for argument in entry["arguments"]:
        assert argument["description"], argument
        assert argument["schema"], argument
        assert "type" in argument["schema"] or "anyOf" in argument["schema"], argument
        assert argument["personal"] == (argument["name"] in spec.personal_args)
    assert [(r["dataset"], r["field"]) for r in entry["reads"]] == list(spec.reads)
    assert entry["threshold_arg"] == spec.threshold_arg
    assert set(entry["reasons"]) == spec.possible_reasons


def test_described_bounds_are_the_enforced_ones() -> None:
    by_name = {entry["name"]: entry for entry in describe()}
    years = by_name["years_in_operation_at_least"]["arguments"][0]["schema"]
    assert (years["type"], years["minimum"], years["maximum"]) == ("integer", 0, 200)
    amount = by_name["vat_paid_last_year_at_least"]["arguments"][0]["schema"]
    assert amount["minimum"] == 0 and amount["x-decimal-places"] == 2
    id_no = by_name["legal_representative_id_is"]["arguments"][0]
    assert id_no["personal"] and id_no["schema"]["pattern"] and id_no["schema"]["maxLength"] == 32
    grades = by_name["tax_credit_grade_in"]["arguments"][0]["schema"]
    assert grades["items"]["enum"] == ["A", "B", "M", "C", "D"]


@pytest.mark.parametrize("spec", PREDICATES.values(), ids=lambda s: s.name)
def test_every_read_is_a_catalog_field(spec: PredicateSpec[Any]) -> None:
    for dataset_id, field_id in spec.reads:
        dataset = CATALOG.dataset(dataset_id)
        assert dataset is not None, dataset_id
        assert dataset.field(field_id) is not None, (dataset_id, field_id)


def test_only_the_identity_check_reads_verify_only_fields() -> None:
    readers = {
        spec.name
        for spec in PREDICATES.values()
        for dataset_id, field_id in spec.reads
        if CATALOG.dataset(dataset_id).field(field_id).disclosure is DisclosureClass.verify_only
    }
    assert readers == {"legal_representative_id_is"}


def test_the_identity_check_reads_every_legal_rep_id_number_in_the_catalog() -> None:
    carriers = {d.id for d in CATALOG.datasets if d.field("legal_rep_id_no") is not None}
    reads = set(PREDICATES["legal_representative_id_is"].reads)
    assert carriers and {(d, "legal_rep_id_no") for d in carriers} <= reads


@pytest.mark.parametrize(
    "spec", [s for s in PREDICATES.values() if s.threshold_arg], ids=lambda s: s.name
)
def test_thresholds_are_ordered_and_not_personal(spec: PredicateSpec[Any]) -> None:
    assert spec.threshold_arg not in spec.personal_args
    kind = spec.args_model.model_fields[spec.threshold_arg].annotation
    assert kind in (Decimal, int, date)


def test_importing_the_verifiers_pulls_in_no_framework() -> None:
    code = (
        "import sys, verifiers\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'starlette', 'sqlalchemy', 'sqlmodel', 'psycopg', 'gateway', 'httpx'})\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
