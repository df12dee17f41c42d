"""Hand-picked cases per predicate: boundaries, calendars, staleness, conflicts, and the reason
codes; then the demo world's ground truth (its enterprises' traits)."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import pytest

from gateway.demo import DemoData, generate_demo
from verifiers import PREDICATES, parse_args

TODAY = date(2024, 6, 30)
Rows = dict[str, list[dict[str, Any]]]


def ask(
    name: str, records: Rows, args: dict[str, Any] | None = None, today: date = TODAY
) -> tuple[bool | None, str]:
    """(holds, reason), with every dataset the predicate reads present (empty unless given)."""
    full = {dataset: [] for dataset in PREDICATES[name].datasets} | records
    verdict = PREDICATES[name].evaluate(full, parse_args(name, args or {}), today)
    return verdict.holds, verdict.reason


def licence(**fields: Any) -> Rows:
    return {"business_licence": [{"registration_status": "存续"} | fields]}


# ------------------------------------------------------------------ registration


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, (True, "ok")),
        ({"operating_term_to": "2024-06-30"}, (True, "ok")),  # the last day is still in term
        ({"operating_term_to": "2024-06-29"}, (False, "term_ended")),
        ({"operating_term_from": "2024-07-01"}, (False, "term_not_started")),
        ({"operating_term_from": "2024-06-30", "operating_term_to": "2044-06-29"}, (True, "ok")),
        ({"registration_status": "吊销"}, (False, "not_active")),
        ({"registration_status": "注销", "operating_term_to": "2099-01-01"}, (False, "not_active")),
        ({"operating_term_to": "2024-06-31"}, (None, "invalid_data")),
    ],
)
def test_licence_in_force(fields: dict[str, Any], expected: tuple[bool | None, str]) -> None:
    assert ask("licence_in_force", licence(**fields)) == expected


def test_licence_without_a_record_or_with_two_is_undecided() -> None:
    assert ask("licence_in_force", {}) == (None, "no_data")
    two = {"business_licence": [{"registration_status": "存续"}] * 2}
    assert ask("licence_in_force", two) == (None, "invalid_data")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("5000000", (True, "ok")), ("5000000.01", (False, "below_threshold")), (0, (True, "ok"))],
)
def test_registered_capital_at_least(amount: str, expected: tuple[bool, str]) -> None:
    records = licence(registered_capital="5000000.00")
    assert ask("registered_capital_at_least", records, {"amount": amount}) == expected


def test_registered_capital_missing_is_undecided() -> None:
    assert ask("registered_capital_at_least", licence(), {"amount": 1}) == (None, "no_data")


@pytest.mark.parametrize(
    ("established", "years", "today", "holds"),
    [
        ("2019-06-30", 5, date(2024, 6, 30), True),  # the fifth anniversary itself
        ("2019-07-01", 5, date(2024, 6, 30), False),
        ("2020-02-29", 4, date(2024, 2, 28), False),
        ("2020-02-29", 4, date(2024, 2, 29), True),
        ("2020-02-29", 1, date(2021, 2, 28), False),  # no 29 February: complete on 1 March
        ("2020-02-29", 1, date(2021, 3, 1), True),
        ("2024-07-01", 0, date(2024, 6, 30), False),  # established tomorrow: not even 0 years
        ("2024-06-30", 0, date(2024, 6, 30), True),
    ],
)
def test_years_in_operation_count_full_years(
    established: str, years: int, today: date, holds: bool
) -> None:
    records = licence(established_date=established)
    verdict = ask("years_in_operation_at_least", records, {"years": years}, today)
    assert verdict[0] is holds


# ------------------------------------------------------------------ lists and checks


def test_abnormal_operations_listing() -> None:
    name = "not_on_abnormal_operations_list"
    assert ask(name, {"abnormal_operations": [{"is_listed": False}]}) == (True, "ok")
    assert ask(name, {"abnormal_operations": [{"is_listed": True}]}) == (False, "listed")
    assert ask(name, {"abnormal_operations": []}) == (None, "no_data")


@pytest.mark.parametrize(
    "name", ["not_on_serious_violation_list", "not_on_serious_dishonesty_list"]
)
@pytest.mark.parametrize(
    ("listings", "expected"),
    [
        ([], (True, "ok")),
        ([{"listed_date": "2020-01-01"}], (False, "listed")),
        ([{"removal_date": "2024-06-30"}], (True, "ok")),  # removed today
        ([{"removal_date": "2024-07-01"}], (False, "listed")),  # removal still ahead
        ([{"removal_date": "2021-01-01"}, {"listed_date": "2023-01-01"}], (False, "listed")),
    ],
)
def test_listings_are_current_until_removed(
    name: str, listings: list[dict[str, Any]], expected: tuple[bool, str]
) -> None:
    dataset = PREDICATES[name].datasets[0]
    assert ask(name, {dataset: listings}) == expected


def test_spot_check_failures_at_most() -> None:
    name = "spot_check_failures_at_most"
    records = {"spot_checks": [{"failed_checks_3y": 2}]}
    assert ask(name, records, {"count": 2}) == (True, "ok")
    assert ask(name, records, {"count": 1}) == (False, "above_threshold")
    assert ask(name, {"spot_checks": [{}]}, {"count": 1}) == (None, "no_data")


# ------------------------------------------------------------------ tax


def ratings(*pairs: tuple[int, str]) -> Rows:
    return {"tax_credit_rating": [{"rating_year": y, "tax_credit_grade": g} for y, g in pairs]}


def test_tax_grade_of_the_latest_year_counts() -> None:
    name = "tax_credit_grade_in"
    history = ratings((2021, "A"), (2023, "C"), (2022, "A"))
    assert ask(name, history, {"grades": ["A", "B"]}) == (False, "grade_not_accepted")
    assert ask(name, history, {"grades": ["C"]}) == (True, "ok")


def test_tax_grade_stale_or_ambiguous_is_undecided() -> None:
    name = "tax_credit_grade_in"
    assert ask(name, ratings((2022, "A")), {"grades": ["A"]}) == (True, "ok")  # 2024 - 2
    assert ask(name, ratings((2021, "A")), {"grades": ["A"]}) == (None, "stale_data")
    tied = ratings((2023, "A"), (2023, "B"))
    assert ask(name, tied, {"grades": ["A", "B"]}) == (None, "invalid_data")
    assert ask(name, {}, {"grades": ["A"]}) == (None, "no_data")


@pytest.mark.parametrize(
    ("name", "flag", "reason"),
    [
        ("not_abnormal_taxpayer", "is_abnormal_taxpayer", "abnormal_taxpayer"),
        ("no_tax_arrears", "in_arrears", "in_arrears"),
        ("no_social_insurance_arrears", "in_arrears", "in_arrears"),
    ],
)
def test_status_flags(name: str, flag: str, reason: str) -> None:
    dataset = PREDICATES[name].datasets[0]
    assert ask(name, {dataset: [{flag: False}]}) == (True, "ok")
    assert ask(name, {dataset: [{flag: True}]}) == (False, reason)
    assert ask(name, {dataset: []}) == (None, "no_data")
    assert ask(name, {dataset: [{flag: "no"}]}) == (None, "invalid_data")


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("vat_paid_last_year_at_least", "vat_paid_12m"),
        ("income_tax_paid_last_year_at_least", "cit_paid_12m"),
    ],
)
def test_tax_paid_at_least(name: str, field: str) -> None:
    records = {"tax_payments": [{field: "1000000.00", "vat_payable_12m": "9.99"}]}
    assert ask(name, records, {"amount": 1_000_000}) == (True, "ok")
    assert ask(name, records, {"amount": "1000000.01"}) == (False, "below_threshold")
    assert ask(name, {"tax_payments": [{}]}, {"amount": 1}) == (None, "no_data")
    bad = {"tax_payments": [{field: "1,000,000.00"}]}
    assert ask(name, bad, {"amount": 1}) == (None, "invalid_data")


def test_consecutive_normal_tax_months() -> None:
    name = "consecutive_normal_tax_months_at_least"
    records = {"tax_payments": [{"consecutive_normal_months": 12}]}
    assert ask(name, records, {"months": 12}) == (True, "ok")
    assert ask(name, records, {"months": 13}) == (False, "below_threshold")


def test_housing_fund_contributors() -> None:
    name = "housing_fund_contributors_at_least"
    records = {"housing_fund": [{"avg_monthly_contributors_12m": 10}]}
    assert ask(name, records, {"count": 10}) == (True, "ok")
    assert ask(name, records, {"count": 11}) == (False, "below_threshold")
    assert ask(name, {"housing_fund": []}, {"count": 0}) == (None, "no_data")


# ------------------------------------------------------------------ property and utilities


def test_owns_real_estate() -> None:
    name = "owns_real_estate"
    titles = {"real_estate": [{"certificate_no": "1", "usage": "住宅"}, {"certificate_no": "2"}]}
    assert ask(name, titles) == (True, "ok")
    assert ask(name, {"real_estate": []}) == (False, "none_registered")
    assert ask(name, titles, {"usages": ["住宅"]}) == (True, "ok")
    assert ask(name, titles, {"usages": ["工业"]}) == (None, "no_data")  # title 2's use unknown
    one = {"real_estate": [{"certificate_no": "1", "usage": "住宅"}]}
    assert ask(name, one, {"usages": ["工业", "仓储"]}) == (False, "none_registered")


PAID, OWING = {"in_arrears": False}, {"in_arrears": True}


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ({}, (None, "no_data")),
        ({"water_bills": [PAID]}, (True, "ok")),
        ({"gas_bills": [PAID], "electricity_bills": [OWING]}, (False, "in_arrears")),
        ({"water_bills": [{}], "gas_bills": [OWING]}, (False, "in_arrears")),
        ({"water_bills": [{}], "gas_bills": [PAID]}, (None, "no_data")),
    ],
)
def test_no_utility_arrears(records: Rows, expected: tuple[bool | None, str]) -> None:
    assert ask("no_utility_arrears", records) == expected


# ------------------------------------------------------------------ administrative


def test_no_penalty_since_includes_the_day_itself() -> None:
    name = "no_administrative_penalty_since"
    penalties = {"administrative_penalties": [{"decision_date": "2023-03-15"}]}
    assert ask(name, penalties, {"since": "2023-03-15"}) == (False, "penalised")
    assert ask(name, penalties, {"since": "2023-03-16"}) == (True, "ok")
    assert ask(name, {}, {"since": "2000-01-01"}) == (True, "ok")
    undated = {"administrative_penalties": [{"decision_doc_no": "x"}]}
    assert ask(name, undated, {"since": "2023-03-16"}) == (None, "no_data")


REP = "21050419920121199X"
FORMER = "210504197001010011"


def decision(dataset: str, on: str, id_no: str | None) -> Rows:
    day = "executed_on" if dataset == "administrative_coercion" else "decision_date"
    row: dict[str, Any] = {day: on} if on else {}
    if id_no is not None:
        row["legal_rep_id_no"] = id_no
    return {dataset: [row]}


def test_legal_representative_matches_the_newest_record_normalised() -> None:
    name = "legal_representative_id_is"
    records = decision("administrative_licences", "2019-01-01", FORMER) | decision(
        "administrative_penalties", "2023-05-01", " 21050419920121199x"
    )
    assert ask(name, records, {"id_no": REP}) == (True, "ok")
    assert ask(name, records, {"id_no": REP.lower() + " "}) == (True, "ok")
    assert ask(name, records, {"id_no": FORMER}) == (False, "mismatch")


def test_legal_representative_changed_after_the_newest_record_is_stale() -> None:
    name = "legal_representative_id_is"
    records = decision("administrative_licences", "2023-05-01", REP)
    change = {"change_item": "法定代表人变更", "change_date": "2023-05-02"}
    assert ask(name, records | {"registration_changes": [change]}, {"id_no": REP}) == (
        None,
        "stale_data",
    )
    same_day = change | {"change_date": "2023-05-01"}
    assert ask(name, records | {"registration_changes": [same_day]}, {"id_no": REP}) == (
        True,
        "ok",
    )
    other = {"change_item": "住所变更", "change_date": "2024-01-01"}
    assert ask(name, records | {"registration_changes": [other]}, {"id_no": REP})[0] is True


def test_legal_representative_conflicts_and_gaps_are_undecided() -> None:
    name = "legal_representative_id_is"
    conflicting = decision("administrative_licences", "2023-05-01", REP) | decision(
        "administrative_coercion", "2023-05-01", FORMER
    )
    assert ask(name, conflicting, {"id_no": REP}) == (None, "conflicting_data")
    # Coercive measures without an execution date cannot be ordered, so they do not count.
    undated = decision("administrative_coercion", "", REP)
    assert ask(name, undated, {"id_no": REP}) == (None, "no_data")
    assert ask(name, decision("administrative_penalties", "2023-05-01", None), {"id_no": REP}) == (
        None,
        "no_data",
    )


# ------------------------------------------------------------------ science and finance


def test_national_high_tech_enterprise() -> None:
    name = "national_high_tech_enterprise"
    assert ask(name, {"research_development": [{"is_high_tech": True}]}) == (True, "ok")
    assert ask(name, {"research_development": [{"is_high_tech": False}]}) == (
        False,
        "not_high_tech",
    )
    assert ask(name, {}) == (None, "no_data")


def report(year: int, **fields: str) -> dict[str, Any]:
    return {"report_year": year} | fields


def test_revenue_of_the_latest_report_without_falling_back() -> None:
    name = "annual_revenue_at_least"
    reports = {"annual_reports": [report(2022, total_revenue="9000000.00"), report(2023)]}
    assert ask(name, reports, {"amount": 1}) == (None, "no_data")
    reports["annual_reports"][1]["total_revenue"] = "5000000.00"
    assert ask(name, reports, {"amount": "5000000"}) == (True, "ok")
    assert ask(name, reports, {"amount": "5000000.01"}) == (False, "below_threshold")
    early = date(2026, 1, 15)  # the 2025 report is not due yet; 2024 is still current
    recent = {"annual_reports": [report(2024, total_revenue="1.00")]}
    assert ask(name, recent, {"amount": 1}, early) == (True, "ok")
    old = {"annual_reports": [report(2023, total_revenue="1.00")]}
    assert ask(name, old, {"amount": 1}, early) == (None, "stale_data")


@pytest.mark.parametrize(
    ("liabilities", "assets", "ratio", "expected"),
    [
        ("700.00", "1000.00", "0.7", (True, "ok")),  # exactly at the ratio
        ("700.01", "1000.00", "0.7", (False, "above_threshold")),
        ("1.00", "3.00", "0.3333", (False, "above_threshold")),  # 0.33333... > 0.3333
        ("1.00", "3.00", "0.3334", (True, "ok")),
        ("0.00", "0.00", "1", (None, "undefined_ratio")),
        ("5.00", "-1.00", "1", (None, "undefined_ratio")),
        ("-5.00", "10.00", "1", (None, "invalid_data")),
        ("1200.00", "1000.00", "1", (False, "above_threshold")),  # insolvent
    ],
)
def test_debt_ratio_is_exact(
    liabilities: str, assets: str, ratio: str, expected: tuple[bool | None, str]
) -> None:
    reports = {"annual_reports": [report(2023, total_liabilities=liabilities, total_assets=assets)]}
    assert ask("debt_ratio_at_most", reports, {"ratio": ratio}) == expected


def test_debt_ratio_without_assets_is_undecided() -> None:
    reports = {"annual_reports": [report(2023, total_liabilities="1.00")]}
    assert ask("debt_ratio_at_most", reports, {"ratio": 1}) == (None, "no_data")


# ------------------------------------------------------------------ the demo's ground truth


@cache
def world() -> DemoData:
    return generate_demo(20221, 300, today=date(2026, 11, 27))


@pytest.mark.parametrize(
    ("name", "trait", "holds_with_trait"),
    [
        ("no_tax_arrears", "tax_arrears", False),
        ("no_social_insurance_arrears", "si_arrears", False),
        ("no_utility_arrears", "utility_arrears", False),
        ("not_abnormal_taxpayer", "abnormal_taxpayer", False),
        ("not_on_serious_dishonesty_list", "dishonest", False),
        ("national_high_tech_enterprise", "high_tech", True),
    ],
)
def test_demo_enterprises_answer_as_their_traits_say(
    name: str, trait: str, holds_with_trait: bool
) -> None:
    demo = world()
    spec, args = PREDICATES[name], parse_args(name, {})
    for uscc in demo.enterprises:
        holds = spec.evaluate(demo.records_of(uscc), args, demo.today).holds
        if trait in demo.profiles[uscc]["traits"]:
            assert holds is holds_with_trait, uscc
        else:
            assert holds is not holds_with_trait, uscc


ID_DATASETS = ("administrative_licences", "administrative_penalties", "administrative_coercion")


def test_demo_legal_representative_id_belongs_to_the_current_representative() -> None:
    """Where the check decides, the ID it confirms was recorded under today's licence name;
    where it is stale, the newest record names someone else."""
    demo = world()
    spec = PREDICATES["legal_representative_id_is"]
    decided = 0
    for uscc in demo.enterprises:
        records = demo.records_of(uscc)
        name = records["business_licence"][0]["legal_representative"]
        dated = [
            (r.get("decision_date") or r.get("executed_on"), r)
            for dataset in ID_DATASETS
            for r in records[dataset]
            if (r.get("decision_date") or r.get("executed_on")) and "legal_rep_id_no" in r
        ]
        if not dated:
            continue
        newest = max(dated, key=lambda pair: pair[0])[1]
        args = parse_args(spec.name, {"id_no": newest["legal_rep_id_no"]})
        verdict = spec.evaluate(records, args, demo.today)
        if verdict.holds is None:
            # The representative changed after the newest record: it names the former one.
            assert verdict.reason == "stale_data" and newest["legal_rep_name"] != name, uscc
            continue
        decided += 1
        assert verdict.holds and newest["legal_rep_name"] == name, uscc
    assert decided > 100
