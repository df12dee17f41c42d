"""Per predicate: records that make it hold, not hold and lack data, and good and bad arguments.

Records are written relative to the platform's day and carry, besides what the case is about,
only the fields the catalog requires (``records`` fills those in). Outcomes are written out
from docs/verifiers.md, not computed by the verifiers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from gateway.catalog import FieldType
from tests.verification.gateway_harness import dataset_spec

Rows = dict[str, list[dict[str, Any]]]
Scene = Callable[[date], Rows]
Outcome = tuple[bool | None, str]

LEGAL_REP_ID = "210502198001011236"
OTHER_ID = "21050219750505002X"
NO_DATA: Outcome = (None, "no_data")
OK: Outcome = (True, "ok")

# Predicates whose every read is public: permitted to anyone, suspended or not, for any purpose.
PUBLIC = frozenset(
    {
        "licence_in_force",
        "registered_capital_at_least",
        "years_in_operation_at_least",
        "not_on_abnormal_operations_list",
        "not_on_serious_violation_list",
        "not_on_serious_dishonesty_list",
        "spot_check_failures_at_most",
        "no_administrative_penalty_since",
        "national_high_tech_enterprise",
    }
)
# Predicates that read institution-class fields: free for a financing purpose, refused otherwise
# unless a grant covers them.
READS_INSTITUTION = frozenset({"legal_representative_id_is"})
READS_VERIFY_ONLY = frozenset({"legal_representative_id_is"})
# Predicates reading live datasets (the tax bureau, social insurance).
LIVE = frozenset(
    {
        "tax_credit_grade_in",
        "not_abnormal_taxpayer",
        "no_tax_arrears",
        "vat_paid_last_year_at_least",
        "income_tax_paid_last_year_at_least",
        "consecutive_normal_tax_months_at_least",
        "no_social_insurance_arrears",
    }
)

_unique = itertools.count(1)


def day(today: date, offset: int) -> str:
    return (today + timedelta(days=offset)).isoformat()


def _default(field_type: FieldType, values: list[str] | None, today: date) -> Any:
    match field_type:
        case FieldType.string | FieldType.text:
            return f"示例{next(_unique)}"  # unique, so that key fields never collide
        case FieldType.date:
            return day(today, -400)
        case FieldType.boolean:
            return False
        case FieldType.integer:
            return today.year - 1
        case FieldType.enum | FieldType.band:
            assert values
            return values[0]
        case FieldType.money:
            return "0.00"
        case FieldType.ratio:
            return "0"
    raise AssertionError(f"no default for {field_type}")


def records(today: date, **datasets: dict[str, Any] | list[dict[str, Any]]) -> Rows:
    """``{dataset: [row, ...]}``, each row completed with the fields its dataset requires.

    The subject's code is left out: the harness writes the case's enterprise into each row.
    """
    out: Rows = {}
    for dataset_id, given in datasets.items():
        spec = dataset_spec(dataset_id)
        known = {f.id for f in spec.fields}
        rows = [given] if isinstance(given, dict) else given
        out[dataset_id] = []
        for row in rows:
            assert set(row) <= known, (dataset_id, set(row) - known)
            required = {
                f.id: _default(f.type, f.values, today)
                for f in spec.fields
                if f.required and f.id != spec.subject_field and f.id not in row
            }
            out[dataset_id].append(required | row)
    return out


def nothing(today: date) -> Rows:
    return {}


@dataclass(frozen=True)
class Case:
    args: dict[str, Any]
    bad_args: dict[str, Any]
    bad_argument: str  # the argument the 422 names
    holds: Scene
    fails: Scene
    fails_reason: str
    missing: Scene
    missing_outcome: Outcome = NO_DATA  # registers of listings and penalties say yes on nothing


def _licence(**fields: Any) -> Scene:
    return lambda t: records(t, business_licence=fields)


def _tax_payments(**fields: Any) -> Scene:
    return lambda t: records(t, tax_payments=fields)


def _flag(dataset_id: str, name: str, value: bool, **extra: Any) -> Scene:
    return lambda t: records(t, **{dataset_id: {name: value, **extra}})


def _report(**fields: Any) -> Scene:
    return lambda t: records(t, annual_reports={"report_year": t.year - 1, **fields})


TABLE: dict[str, Case] = {
    "licence_in_force": Case(
        args={},
        bad_args={"strict": True},
        bad_argument="strict",
        holds=lambda t: records(
            t,
            business_licence={
                "registration_status": "存续",
                "operating_term_from": day(t, -3650),
                "operating_term_to": day(t, 3650),
            },
        ),
        fails=_licence(registration_status="吊销"),
        fails_reason="not_active",
        missing=nothing,
    ),
    "registered_capital_at_least": Case(
        args={"amount": "1000000"},
        bad_args={"amount": "1e6"},
        bad_argument="amount",
        holds=_licence(registered_capital="3000000.00"),
        fails=_licence(registered_capital="999999.99"),
        fails_reason="below_threshold",
        missing=_licence(),
    ),
    "years_in_operation_at_least": Case(
        args={"years": 5},
        bad_args={"years": "5"},
        bad_argument="years",
        holds=lambda t: records(t, business_licence={"established_date": day(t, -3660)}),
        fails=lambda t: records(t, business_licence={"established_date": day(t, -1000)}),
        fails_reason="below_threshold",
        missing=nothing,
    ),
    "not_on_abnormal_operations_list": Case(
        args={},
        bad_args={"since": "2020-01-01"},
        bad_argument="since",
        holds=_flag("abnormal_operations", "is_listed", False),
        fails=_flag("abnormal_operations", "is_listed", True),
        fails_reason="listed",
        missing=nothing,
    ),
    "not_on_serious_violation_list": Case(
        args={},
        bad_args={"listed": False},
        bad_argument="listed",
        holds=lambda t: records(
            t, serious_violations={"listed_date": day(t, -900), "removal_date": day(t, -300)}
        ),
        fails=lambda t: records(t, serious_violations={"listed_date": day(t, -200)}),
        fails_reason="listed",
        missing=nothing,
        missing_outcome=OK,
    ),
    "not_on_serious_dishonesty_list": Case(
        args={},
        bad_args={"list_name": "失信被执行人"},
        bad_argument="list_name",
        holds=lambda t: records(
            t, serious_dishonesty_list={"listed_date": day(t, -700), "removal_date": day(t, -10)}
        ),
        # removal decided but not yet effective
        fails=lambda t: records(
            t, serious_dishonesty_list={"listed_date": day(t, -700), "removal_date": day(t, 30)}
        ),
        fails_reason="listed",
        missing=nothing,
        missing_outcome=OK,
    ),
    "spot_check_failures_at_most": Case(
        args={"count": 2},
        bad_args={"count": -1},
        bad_argument="count",
        holds=lambda t: records(t, spot_checks={"failed_checks_3y": 1}),
        fails=lambda t: records(t, spot_checks={"failed_checks_3y": 3}),
        fails_reason="above_threshold",
        missing=nothing,
    ),
    "tax_credit_grade_in": Case(
        args={"grades": ["A", "B"]},
        bad_args={"grades": ["A", "E"]},
        bad_argument="grades",
        holds=lambda t: records(
            t,
            tax_credit_rating=[
                {"rating_year": t.year - 2, "tax_credit_grade": "C"},
                {"rating_year": t.year - 1, "tax_credit_grade": "A"},
            ],
        ),
        fails=lambda t: records(
            t, tax_credit_rating={"rating_year": t.year - 1, "tax_credit_grade": "M"}
        ),
        fails_reason="grade_not_accepted",
        missing=nothing,
    ),
    "not_abnormal_taxpayer": Case(
        args={},
        bad_args={"year": 2025},
        bad_argument="year",
        holds=_flag("abnormal_taxpayer_status", "is_abnormal_taxpayer", False),
        fails=_flag("abnormal_taxpayer_status", "is_abnormal_taxpayer", True),
        fails_reason="abnormal_taxpayer",
        missing=nothing,
    ),
    "no_tax_arrears": Case(
        args={},
        bad_args={"amount": "0"},
        bad_argument="amount",
        holds=_flag("tax_arrears", "in_arrears", False),
        fails=_flag("tax_arrears", "in_arrears", True, arrears_amount="52341.17"),
        fails_reason="in_arrears",
        missing=nothing,
    ),
    "vat_paid_last_year_at_least": Case(
        args={"amount": "1000000"},
        bad_args={"amount": "1000000.001"},
        bad_argument="amount",
        holds=_tax_payments(vat_paid_12m="1234567.89", vat_payable_12m="1250000.00"),
        fails=_tax_payments(vat_paid_12m="999999.99"),
        fails_reason="below_threshold",
        missing=_tax_payments(cit_paid_12m="250000.00"),
    ),
    "income_tax_paid_last_year_at_least": Case(
        args={"amount": "200000"},
        bad_args={"amount": True},
        bad_argument="amount",
        holds=_tax_payments(cit_paid_12m="250000.00", cit_payable_12m="260000.00"),
        fails=_tax_payments(cit_paid_12m="199999.99"),
        fails_reason="below_threshold",
        missing=_tax_payments(vat_paid_12m="1234567.89"),
    ),
    "consecutive_normal_tax_months_at_least": Case(
        args={"months": 12},
        bad_args={"months": 601},
        bad_argument="months",
        holds=_tax_payments(consecutive_normal_months=18, vat_paid_12m="1234567.89"),
        fails=_tax_payments(consecutive_normal_months=11),
        fails_reason="below_threshold",
        missing=_tax_payments(vat_paid_12m="1234567.89"),
    ),
    "housing_fund_contributors_at_least": Case(
        args={"count": 10},
        bad_args={"count": 2.5},
        bad_argument="count",
        holds=lambda t: records(
            t,
            housing_fund={
                "avg_monthly_contributors_12m": 37,
                "total_contributions_12m": "88000.00",
            },
        ),
        fails=lambda t: records(t, housing_fund={"avg_monthly_contributors_12m": 9}),
        fails_reason="below_threshold",
        # a housing-fund account without the figure is no data, not zero contributors
        missing=lambda t: records(t, housing_fund={"total_contributions_12m": "88000.00"}),
    ),
    "no_social_insurance_arrears": Case(
        args={},
        bad_args={"months": 3},
        bad_argument="months",
        holds=_flag("social_insurance_arrears", "in_arrears", False),
        fails=_flag(
            "social_insurance_arrears", "in_arrears", True, arrears_detail="2026年10月欠缴"
        ),
        fails_reason="in_arrears",
        missing=nothing,
    ),
    "owns_real_estate": Case(
        args={"usages": ["工业", "仓储"]},
        bad_args={"usages": []},
        bad_argument="usages",
        holds=lambda t: records(
            t,
            real_estate=[
                {"usage": "住宅", "certificate_no": "辽(2019)本溪市不动产权第0001234号"},
                {"usage": "工业", "certificate_no": "辽(2021)本溪市不动产权第0012345号"},
            ],
        ),
        fails=lambda t: records(
            t, real_estate={"usage": "住宅", "certificate_no": "辽(2019)本溪市不动产权第0001234号"}
        ),
        fails_reason="none_registered",
        # a title of unknown use may be the one asked about
        missing=lambda t: records(
            t, real_estate={"certificate_no": "辽(2020)本溪市不动产权第0005678号"}
        ),
    ),
    "no_utility_arrears": Case(
        args={},
        bad_args={"utility": "water"},
        bad_argument="utility",
        holds=lambda t: records(
            t,
            water_bills={"in_arrears": False, "account_no": "W-20190001"},
            electricity_bills={"in_arrears": False, "grid_account_no": "0512345678"},
        ),
        fails=lambda t: records(
            t,
            water_bills={"in_arrears": False, "account_no": "W-20190001"},
            gas_bills={"in_arrears": True, "account_no": "G-20200042"},
        ),
        fails_reason="in_arrears",
        missing=nothing,
    ),
    "no_administrative_penalty_since": Case(
        args={"since": "2025-11-27"},
        bad_args={"since": "2026-02-30"},
        bad_argument="since",
        holds=lambda t: records(t, administrative_penalties={"decision_date": "2025-11-26"}),
        fails=lambda t: records(t, administrative_penalties={"decision_date": "2025-11-27"}),
        fails_reason="penalised",
        missing=nothing,
        missing_outcome=OK,
    ),
    "legal_representative_id_is": Case(
        args={"id_no": LEGAL_REP_ID},
        bad_args={"id_no": "21050219800101123*"},
        bad_argument="id_no",
        # the newest dated record decides; the change of representative came before it
        holds=lambda t: records(
            t,
            administrative_penalties={
                "decision_date": day(t, -100),
                "legal_rep_id_no": LEGAL_REP_ID,
            },
            administrative_licences={"decision_date": day(t, -400), "legal_rep_id_no": OTHER_ID},
            administrative_coercion={"executed_on": day(t, -500), "legal_rep_id_no": OTHER_ID},
            registration_changes={"change_item": "法定代表人变更", "change_date": day(t, -200)},
        ),
        fails=lambda t: records(
            t,
            administrative_penalties={
                "decision_date": day(t, -400),
                "legal_rep_id_no": LEGAL_REP_ID,
            },
            administrative_coercion={"executed_on": day(t, -100), "legal_rep_id_no": OTHER_ID},
        ),
        fails_reason="mismatch",
        missing=lambda t: records(t, administrative_penalties={"decision_date": day(t, -100)}),
    ),
    "national_high_tech_enterprise": Case(
        args={},
        bad_args={"level": "national"},
        bad_argument="level",
        holds=_flag("research_development", "is_high_tech", True),
        fails=_flag("research_development", "is_high_tech", False),
        fails_reason="not_high_tech",
        missing=nothing,
    ),
    "annual_revenue_at_least": Case(
        args={"amount": "5000000"},
        bad_args={"amount": "-1"},
        bad_argument="amount",
        holds=_report(total_revenue="8000000.00", net_profit="612345.67"),
        fails=_report(total_revenue="4999999.99"),
        fails_reason="below_threshold",
        missing=_report(total_assets="9000000.00"),
    ),
    "debt_ratio_at_most": Case(
        args={"ratio": "0.6"},
        bad_args={"ratio": "1.5"},
        bad_argument="ratio",
        holds=_report(total_liabilities="4000000.00", total_assets="9000000.00"),
        # 0.600000001: above by less than a fen in ten million
        fails=_report(total_liabilities="6000000.01", total_assets="10000000.00"),
        fails_reason="above_threshold",
        missing=_report(total_assets="9000000.00"),
    ),
    "sme_credit_grade_in": Case(
        args={"grades": ["AAA", "AA", "A"]},
        bad_args={"grades": ["AAAA"]},
        bad_argument="grades",
        holds=lambda t: records(
            t,
            sme_credit_evaluations=[
                {"evaluation_level": "省级", "evaluation_date": day(t, -500), "credit_grade": "B"},
                {
                    "evaluation_level": "国家级",
                    "evaluation_date": day(t, -30),
                    "credit_grade": "AA",
                },
            ],
        ),
        fails=lambda t: records(
            t, sme_credit_evaluations={"evaluation_date": day(t, -30), "credit_grade": "BBB"}
        ),
        fails_reason="grade_not_accepted",
        missing=nothing,
    ),
    "sme_credit_evaluated_within": Case(
        args={"months": 12},
        bad_args={"months": 0},
        bad_argument="months",
        holds=lambda t: records(t, sme_credit_evaluations={"evaluation_date": day(t, -300)}),
        fails=lambda t: records(t, sme_credit_evaluations={"evaluation_date": day(t, -400)}),
        fails_reason="above_threshold",
        missing=nothing,
    ),
}


def verify_grant_classes(name: str) -> list[str]:
    """The disclosure classes a verify-mode grant must cover for ``name`` (loan underwriting)."""
    if name in PUBLIC:
        return []
    return ["verify_only"] if name in READS_VERIFY_ONLY else ["authorized"]
