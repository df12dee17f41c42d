"""The demo generator: deterministic, valid against the catalog, and a realistic mix."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from gateway import uscc
from gateway.catalog import Catalog, FieldType
from gateway.demo import DemoData, generate_demo
from gateway.ingestion.validation import validate_record
from tests.demo.conftest import FUTURE_DATES, SEED, TODAY


def _dump(data: DemoData) -> str:
    return json.dumps([data.enterprises, data.profiles, data.records], ensure_ascii=False)


def test_the_same_seed_gives_the_same_data(demo: DemoData) -> None:
    assert _dump(generate_demo(SEED, 300, today=TODAY)) == _dump(demo)


def test_another_seed_gives_other_data(demo: DemoData) -> None:
    other = generate_demo(SEED + 1, 300, today=TODAY)
    assert not set(other.enterprises) & set(demo.enterprises)


def test_too_few_enterprises_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_demo(SEED, 5, today=TODAY)


def test_every_record_validates_against_the_catalog(demo: DemoData, catalog: Catalog) -> None:
    assert set(demo.records) == {d.id for d in catalog.datasets}
    problems: Counter[str] = Counter()
    for dataset_id, rows in demo.records.items():
        spec = catalog.dataset(dataset_id)
        assert spec is not None
        for row in rows:
            _, found = validate_record(spec, row)
            problems.update(f"{dataset_id}.{p.field}: {p.problem}" for p in found)
    assert not problems, problems.most_common(5)


def test_values_are_json_friendly(demo: DemoData) -> None:
    for rows in demo.records.values():
        for row in rows:
            assert all(isinstance(v, str | int | bool) for v in row.values()), row


def test_every_dataset_has_records(demo: DemoData) -> None:
    empty = [k for k, rows in demo.records.items() if not rows]
    assert not empty


def test_a_subject_and_its_key_identify_one_record(demo: DemoData, catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        keys = [
            (row["uscc"], *(row.get(k) for k in dataset.key_fields))
            for row in demo.records[dataset.id]
        ]
        assert len(keys) == len(set(keys)), dataset.id


def test_every_record_belongs_to_a_generated_enterprise(demo: DemoData) -> None:
    assert len(demo.enterprises) == 300 == len(set(demo.enterprises))
    assert all(uscc.is_valid(code) and code[2:6] == "2105" for code in demo.enterprises)
    known = set(demo.enterprises)
    for rows in demo.records.values():
        assert {row["uscc"] for row in rows} <= known


def test_every_enterprise_has_its_status_records(demo: DemoData) -> None:
    for dataset_id in (
        "business_licence",
        "abnormal_operations",
        "spot_checks",
        "abnormal_taxpayer_status",
        "tax_arrears",
        "tax_payments",
        "social_insurance_contributions",
        "social_insurance_arrears",
        "electricity_bills",
    ):
        assert {row["uscc"] for row in demo.records[dataset_id]} == set(demo.enterprises)


def test_live_datasets_are_the_catalogs_and_are_kept_apart(
    demo: DemoData, catalog: Catalog
) -> None:
    live = {d.id for d in catalog.datasets if d.sharing_method.is_live}
    assert demo.live_datasets == live
    assert set(demo.live_records()) == live
    assert not set(demo.stored_records()) & live
    assert set(demo.stored_records()) | live == set(demo.records)


def test_sizes_and_industries_are_mixed(demo: DemoData) -> None:
    sizes = Counter(p["size"] for p in demo.profiles.values())
    assert sizes["micro"] > sizes["small"] > sizes["medium"] > 10
    industries = Counter(p["industry"] for p in demo.profiles.values())
    assert len(industries) >= 10
    assert {"steel", "mining", "pharma", "tourism", "logistics", "retail"} <= set(industries)


def _enterprises_with(demo: DemoData, dataset_id: str, **where: object) -> set[str]:
    return {
        row["uscc"]
        for row in demo.records[dataset_id]
        if all(row.get(k) == v for k, v in where.items())
    }


ADVERSE_AND_NOTABLE: list[tuple[str, dict[str, object]]] = [
    ("administrative_penalties", {}),
    ("administrative_coercion", {}),
    ("tax_arrears", {"in_arrears": True}),
    ("abnormal_taxpayer_status", {"is_abnormal_taxpayer": True}),
    ("tax_credit_rating", {"tax_credit_grade": "D"}),
    ("tax_credit_rating", {"tax_credit_grade": "C"}),
    ("tax_a_grade_taxpayers", {}),
    ("social_insurance_arrears", {"in_arrears": True}),
    ("water_bills", {"in_arrears": True}),
    ("electricity_bills", {"in_arrears": True}),
    ("abnormal_operations", {"listing_reason": "未依照规定报送年度报告"}),
    ("abnormal_operations", {"listing_reason": "通过登记的住所或者经营场所无法联系"}),
    ("serious_violations", {}),
    ("spot_checks", {"failed_checks_3y": 1}),
    ("equity_pledges", {"status": "有效"}),
    ("real_estate_mortgages", {}),
    ("serious_dishonesty_list", {}),
    ("research_development", {"is_high_tech": True}),
    ("honours", {}),
    ("branches", {}),
    ("registration_changes", {"change_item": "法定代表人变更"}),
]


@pytest.mark.parametrize(("dataset_id", "where"), ADVERSE_AND_NOTABLE, ids=str)
def test_some_enterprises_have_each_kind_of_record(
    demo: DemoData, dataset_id: str, where: dict[str, object]
) -> None:
    assert _enterprises_with(demo, dataset_id, **where)


def test_removed_serious_violations_occur(demo: DemoData) -> None:
    rows = demo.records["serious_violations"]
    assert any("removal_date" in r for r in rows)
    assert any("removal_date" not in r for r in rows)


def test_adverse_records_are_the_exception(demo: DemoData) -> None:
    share = len(_enterprises_with(demo, "tax_arrears", in_arrears=True)) / len(demo.enterprises)
    assert 0.01 < share < 0.2
    penalised = len(_enterprises_with(demo, "administrative_penalties")) / len(demo.enterprises)
    assert 0.05 < penalised < 0.35


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_even_a_small_demo_has_every_kind_of_adverse_record(seed: int) -> None:
    small = generate_demo(seed, 20, today=TODAY)
    for dataset_id, where in ADVERSE_AND_NOTABLE:
        if dataset_id in ("branches", "registration_changes", "tax_credit_rating", "spot_checks"):
            continue  # not guaranteed by quota; common enough in larger demos
        if dataset_id in ("water_bills", "electricity_bills", "abnormal_operations"):
            continue  # which utility or reason varies; checked below in aggregate
        assert _enterprises_with(small, dataset_id, **where), dataset_id
    owing = {
        u
        for d in ("water_bills", "electricity_bills", "gas_bills")
        for u in _enterprises_with(small, d, in_arrears=True)
    }
    assert owing
    assert _enterprises_with(small, "abnormal_operations", is_listed=True)


@pytest.mark.parametrize(
    ("seed", "today"),
    [(0, date(2025, 1, 2)), (1, date(2024, 2, 29)), (2, date(2026, 12, 31))],
    ids=str,
)
def test_other_seeds_and_days_give_valid_records(seed: int, today: date, catalog: Catalog) -> None:
    data = generate_demo(seed, 60, today=today)
    founded = {r["uscc"]: r["established_date"] for r in data.records["business_licence"]}
    for dataset in catalog.datasets:
        dates = [f.id for f in dataset.fields if f.type is FieldType.date]
        for row in data.records[dataset.id]:
            assert validate_record(dataset, row)[1] == [], (dataset.id, row)
            for field_id in dates:
                if field_id in row and field_id not in FUTURE_DATES:
                    assert founded[row["uscc"]] <= row[field_id] <= today.isoformat()
