"""The demo's records agree with each other the way real registers would."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from gateway import uscc
from gateway.catalog import Catalog, FieldType
from gateway.demo import DemoData
from gateway.demo.people import is_valid_resident_id
from tests.demo.conftest import FUTURE_DATES, TODAY

Row = dict[str, Any]
# Identity numbers: a USCC for organisations, a resident ID for persons.
ID_FIELDS = ("legal_rep_id_no", "pledgor_id_no", "pledgee_id_no", "holder_id_no", "mortgagee_id_no")


def _by_uscc(rows: list[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row["uscc"]].append(row)
    return grouped


def _one(demo: DemoData, dataset_id: str) -> dict[str, Row]:
    return {row["uscc"]: row for row in demo.records[dataset_id]}


def _established(demo: DemoData) -> dict[str, date]:
    licences = _one(demo, "business_licence")
    return {u: date.fromisoformat(r["established_date"]) for u, r in licences.items()}


def test_dates_lie_between_founding_and_today(demo: DemoData, catalog: Catalog) -> None:
    founded = _established(demo)
    for dataset in catalog.datasets:
        dates = [f.id for f in dataset.fields if f.type is FieldType.date]
        for row in demo.records[dataset.id]:
            for field_id in dates:
                if field_id in row and field_id not in FUTURE_DATES:
                    day = date.fromisoformat(row[field_id])
                    assert founded[row["uscc"]] <= day <= TODAY, (dataset.id, field_id, row)


def test_annual_reports_balance(demo: DemoData) -> None:
    founded = _established(demo)
    for r in demo.records["annual_reports"]:
        assets, liabilities, equity = (
            Decimal(r[k]) for k in ("total_assets", "total_liabilities", "owners_equity")
        )
        assert assets == liabilities + equity
        assert Decimal(r["net_profit"]) <= Decimal(r["total_profit"])
        assert founded[r["uscc"]].year <= r["report_year"] < TODAY.year


def test_tax_arrears_flag_amount_and_kinds_agree(demo: DemoData) -> None:
    payments = _one(demo, "tax_payments")
    for r in demo.records["tax_arrears"]:
        owed = Decimal(r["arrears_amount"])
        assert r["in_arrears"] == (owed > 0) == ("tax_types" in r)
        p = payments[r["uscc"]]
        shortfall = sum(
            Decimal(p[f"{tax}_payable_12m"]) - Decimal(p[f"{tax}_paid_12m"])
            for tax in ("vat", "cit")
        )
        assert 0 <= shortfall <= owed
        if r["in_arrears"]:
            assert p["consecutive_normal_months"] == 0


def test_tax_follows_revenue(demo: DemoData) -> None:
    for r in demo.records["tax_payments"]:
        profile = demo.profiles[r["uscc"]]
        revenue = Decimal(profile["revenue_12m"])
        assert Decimal(r["vat_payable_12m"]) <= revenue * Decimal("0.13")
        assert Decimal(r["cit_payable_12m"]) <= revenue * Decimal("0.25")
        if "zombie" not in profile["traits"] and profile["industry"] != "herbs":
            assert Decimal(r["vat_payable_12m"]) >= revenue * Decimal("0.01")


def test_a_grade_list_is_the_a_grades(demo: DemoData) -> None:
    grades = {
        (r["uscc"], r["rating_year"])
        for r in demo.records["tax_credit_rating"]
        if r["tax_credit_grade"] == "A"
    }
    listed = {(r["uscc"], r["rating_year"]) for r in demo.records["tax_a_grade_taxpayers"]}
    assert grades == listed


def test_abnormal_taxpayers_are_graded_d_for_the_latest_year(demo: DemoData) -> None:
    latest = max(r["rating_year"] for r in demo.records["tax_credit_rating"])
    ratings = {
        (r["uscc"], r["rating_year"]): r["tax_credit_grade"]
        for r in demo.records["tax_credit_rating"]
    }
    for r in demo.records["abnormal_taxpayer_status"]:
        if r["is_abnormal_taxpayer"] and (r["uscc"], latest) in ratings:
            assert ratings[(r["uscc"], latest)] == "D"


def test_social_insurance_arrears_agree_with_the_last_paid_month(demo: DemoData) -> None:
    contributions = _one(demo, "social_insurance_contributions")
    latest_due = (
        f"{TODAY.year}-{TODAY.month - 1:02d}" if TODAY.month > 1 else f"{TODAY.year - 1}-12"
    )
    for r in demo.records["social_insurance_arrears"]:
        last_paid = contributions[r["uscc"]]["last_normal_payment_month"]
        assert re.fullmatch(r"\d{4}-\d{2}", last_paid)
        assert r["in_arrears"] == ("arrears_detail" in r) == (last_paid < latest_due)


def _band_index(catalog: Catalog, dataset_id: str, field_id: str, value: str) -> int:
    dataset = catalog.dataset(dataset_id)
    assert dataset is not None
    spec = dataset.field(field_id)
    assert spec is not None and spec.values is not None
    return spec.values.index(value)


def test_headcount_bands_fit_the_headcount(demo: DemoData, catalog: Catalog) -> None:
    limits = (9, 49, 99, 299, 999)
    for r in demo.records["social_insurance_contributions"]:
        staff = demo.profiles[r["uscc"]]["employees"]
        band = _band_index(
            catalog,
            "social_insurance_contributions",
            "insured_headcount_band",
            r["insured_headcount_band"],
        )
        assert band == 0 or staff > limits[band - 1]  # insured never exceed staff


def test_bigger_enterprises_have_bigger_numbers(demo: DemoData, catalog: Catalog) -> None:
    by_size: dict[str, list[int]] = defaultdict(list)
    for r in demo.records["social_insurance_contributions"]:
        band = _band_index(
            catalog,
            "social_insurance_contributions",
            "employer_contribution_band",
            r["employer_contribution_band"],
        )
        by_size[demo.profiles[r["uscc"]]["size"]].append(band)
    mean = {size: sum(v) / len(v) for size, v in by_size.items()}
    assert mean["micro"] < mean["small"] < mean["medium"]
    revenue: dict[str, list[Decimal]] = defaultdict(list)
    for p in demo.profiles.values():
        revenue[p["size"]].append(Decimal(p["revenue_12m"]))
    median = {size: sorted(v)[len(v) // 2] for size, v in revenue.items()}
    assert median["micro"] < median["small"] < median["medium"]


def test_housing_fund_contributors_are_staff(demo: DemoData) -> None:
    for r in demo.records["housing_fund"]:
        assert 1 <= r["avg_monthly_contributors_12m"] <= demo.profiles[r["uscc"]]["employees"]
        assert 0 <= r["consecutive_normal_months"] <= 12


def test_shareholdings_add_up(demo: DemoData) -> None:
    licences = _one(demo, "business_licence")
    for code, rows in _by_uscc(demo.records["shareholders"]).items():
        capital = Decimal(licences[code]["registered_capital"])
        assert sum(Decimal(r["share_ratio"]) for r in rows) == 1
        assert sum(Decimal(r["subscribed_amount"]) for r in rows) == capital
        for r in rows:
            assert Decimal(r["paid_in_amount"]) <= Decimal(r["subscribed_amount"])
            assert (
                abs(Decimal(r["share_ratio"]) * capital - Decimal(r["subscribed_amount"]))
                <= capital / 1000
            )
            assert (r["shareholder_type"] == "自然人股东") == ("shareholder_uscc" not in r)


def test_pledges_are_of_a_shareholders_equity(demo: DemoData) -> None:
    holdings = {(r["uscc"], r["shareholder_name"]): r for r in demo.records["shareholders"]}
    for r in demo.records["equity_pledges"]:
        holding = holdings[(r["uscc"], r["pledgor"])]
        assert Decimal(r["pledged_amount"]) <= Decimal(holding["subscribed_amount"])
        assert r["registration_date"] <= r["publication_date"]


def test_identity_numbers_are_valid(demo: DemoData) -> None:
    for rows in demo.records.values():
        for row in rows:
            for field_id in ID_FIELDS:
                if field_id in row:
                    value = row[field_id]
                    assert uscc.is_valid(value) or (
                        is_valid_resident_id(value) and value.startswith("21")
                    ), (field_id, value)


def test_branches_have_their_own_valid_codes(demo: DemoData) -> None:
    founded = _established(demo)
    enterprises = set(demo.enterprises)
    for r in demo.records["branches"]:
        assert uscc.is_valid(r["branch_uscc"]) and r["branch_uscc"] not in enterprises
        assert r["branch_name"].startswith(r["enterprise_name"]) and r["branch_name"].endswith(
            "分公司"
        )
        assert date.fromisoformat(r["branch_established_date"]) > founded[r["uscc"]]


def test_legal_representative_of_the_day_signs_administrative_records(demo: DemoData) -> None:
    licences = _one(demo, "business_licence")
    rep_changes = {
        r["uscc"]: r
        for r in demo.records["registration_changes"]
        if r["change_item"] == "法定代表人变更"
    }
    for dataset_id, day_field in (
        ("administrative_licences", "decision_date"),
        ("administrative_penalties", "decision_date"),
        ("administrative_coercion", "executed_on"),
    ):
        for r in demo.records[dataset_id]:
            change = rep_changes.get(r["uscc"])
            expected = licences[r["uscc"]]["legal_representative"]
            if change is not None and r[day_field] < change["change_date"]:
                expected = change["content_before"]
            assert r["legal_rep_name"] == expected


def test_licence_status_follows_validity(demo: DemoData) -> None:
    for r in demo.records["administrative_licences"]:
        in_force = "valid_until" not in r or date.fromisoformat(r["valid_until"]) >= TODAY
        assert (r["licence_status"] == "有效") == in_force
        if "valid_until" in r:
            assert r["valid_until"] > r["decision_date"]


def test_penalties_are_published_after_the_decision(demo: DemoData) -> None:
    for r in demo.records["administrative_penalties"]:
        assert r["decision_date"] < r["publication_deadline"]
        assert Decimal(r["fine_amount"]) > 0
        assert r["authority_name"] == r["data_provider"]


def test_mortgages_are_on_the_enterprises_own_property(demo: DemoData) -> None:
    estates = {(r["uscc"], r["unit_no"]): r for r in demo.records["real_estate"]}
    for r in demo.records["real_estate_mortgages"]:
        estate = estates[(r["uscc"], r["unit_no"])]
        assert r["registered_at"] > estate["registered_at"]
        assert r["mortgagor"] == estate["holder_name"]
    for r in demo.records["real_estate"]:
        assert len(r["unit_no"]) == 28 and Decimal(r["area_sqm"]) > 0


def test_abnormal_listings_and_serious_violations_agree(demo: DemoData) -> None:
    abnormal = _one(demo, "abnormal_operations")
    reports = _by_uscc(demo.records["annual_reports"])
    for r in abnormal.values():
        assert r["is_listed"] == ("listing_reason" in r) == ("listed_date" in r)
        if r.get("listing_reason") == "未依照规定报送年度报告":
            unfiled = int(r["listed_date"][:4]) - 1
            assert all(rep["report_year"] < unfiled for rep in reports.get(r["uscc"], []))
    for r in demo.records["serious_violations"]:
        if "removal_date" in r:
            assert r["listed_date"] < r["removal_date"]
            continue
        listing = abnormal[r["uscc"]]
        assert listing["is_listed"]
        three_years_on = date.fromisoformat(listing["listed_date"]).replace(
            year=int(listing["listed_date"][:4]) + 3
        )
        assert date.fromisoformat(r["listed_date"]) >= three_years_on


def _bill_lines(detail: str) -> list[tuple[int, Decimal, Decimal]]:
    pattern = r"\d{4}-\d{2} 用[水气](\d+)(?:吨|立方米) 应缴([\d.]+)元 实缴([\d.]+)元"
    return [(int(v), Decimal(d), Decimal(p)) for v, d, p in re.findall(pattern, detail)]


def test_utility_bills_agree_with_their_detail(demo: DemoData) -> None:
    for dataset_id in ("water_bills", "gas_bills"):
        for r in demo.records[dataset_id]:
            lines = _bill_lines(r["payment_detail"])
            assert 1 <= len(lines) <= 6 and len(lines) == r["payment_detail"].count("；") + 1
            volumes = [v for v, _, _ in lines]
            assert r["avg_volume_3m"] == round(sum(volumes[:3]) / len(volumes[:3]))
            assert r["avg_volume_6m"] == round(sum(volumes) / len(volumes))
            assert r["in_arrears"] == any(paid < due for _, due, paid in lines)
    for r in demo.records["electricity_bills"]:
        assert r["account_opened"] >= demo.profiles[r["uscc"]]["established"]
        if r["in_arrears"]:
            assert r["risk_grade"] in ("较高", "高")


def test_troubled_enterprises_show_it_across_sources(demo: DemoData) -> None:
    tax = _one(demo, "tax_arrears")
    social = _one(demo, "social_insurance_arrears")
    for code in demo.with_trait("zombie"):
        assert social[code]["in_arrears"]
        assert _one(demo, "abnormal_taxpayer_status")[code]["is_abnormal_taxpayer"]
    for code in demo.with_trait("tax_arrears"):
        assert tax[code]["in_arrears"]
    healthy = [u for u in demo.enterprises if not demo.profiles[u]["traits"]]
    assert healthy and not any(tax[u]["in_arrears"] or social[u]["in_arrears"] for u in healthy)
