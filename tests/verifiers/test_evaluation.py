"""Examples for the SME credit evaluation predicates (issue 11, 二(四))."""

from __future__ import annotations

from datetime import date
from typing import Any

from verifiers import PREDICATES, parse_args

TODAY = date(2026, 3, 31)
EVALUATIONS = "sme_credit_evaluations"


def ask(name: str, rows: list[dict[str, Any]], args: dict[str, Any]) -> tuple[bool | None, str]:
    verdict = PREDICATES[name].evaluate({EVALUATIONS: rows}, parse_args(name, args), TODAY)
    return verdict.holds, verdict.reason


def evaluation(day: str, grade: str = "A") -> dict[str, Any]:
    return {"evaluation_date": day, "credit_grade": grade}


def test_the_newest_evaluation_decides_the_grade() -> None:
    rows = [evaluation("2024-05-01", "AAA"), evaluation("2025-11-02", "BB")]
    assert ask("sme_credit_grade_in", rows, {"grades": ["AAA", "AA"]}) == (
        False,
        "grade_not_accepted",
    )
    assert ask("sme_credit_grade_in", rows, {"grades": ["BB"]}) == (True, "ok")


def test_same_day_results_that_disagree_or_none_are_undecided() -> None:
    tied = [evaluation("2025-11-02", "A"), evaluation("2025-11-02", "B")]
    assert ask("sme_credit_grade_in", tied, {"grades": ["A", "B"]}) == (None, "conflicting_data")
    agreeing = [evaluation("2025-11-02", "A"), evaluation("2025-11-02", "A")]
    assert ask("sme_credit_grade_in", agreeing, {"grades": ["A"]}) == (True, "ok")
    assert ask("sme_credit_grade_in", [], {"grades": ["A"]}) == (None, "no_data")
    assert ask("sme_credit_evaluated_within", [], {"months": 6}) == (None, "no_data")
    undated = [{"credit_grade": "A"}]
    assert ask("sme_credit_grade_in", undated, {"grades": ["A"]}) == (None, "invalid_data")


def test_evaluated_within_counts_calendar_months_to_the_day() -> None:
    # 31 March less one month is the last day of February
    assert ask("sme_credit_evaluated_within", [evaluation("2026-02-28")], {"months": 1}) == (
        True,
        "ok",
    )
    assert ask("sme_credit_evaluated_within", [evaluation("2026-02-27")], {"months": 1}) == (
        False,
        "above_threshold",
    )
    rows = [evaluation("2023-01-01"), evaluation("2025-04-01")]
    assert ask("sme_credit_evaluated_within", rows, {"months": 12}) == (True, "ok")
    assert ask("sme_credit_evaluated_within", rows, {"months": 11}) == (False, "above_threshold")
