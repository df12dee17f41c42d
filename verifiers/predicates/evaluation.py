"""Predicates on the national and provincial SME credit evaluation results (二(四) of the plan):
the grade of the newest evaluation, and how recent it is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import Field

from verifiers.arguments import Arguments, SmeCreditGrades
from verifiers.spec import PredicateSpec
from verifiers.values import BadRecord, Record, Records, iso_date, text
from verifiers.verdict import (
    ABOVE_THRESHOLD,
    CONFLICTING_DATA,
    GRADE_NOT_ACCEPTED,
    NO_DATA,
    Verdict,
    no,
    undecided,
    yes,
)

EVALUATIONS = "sme_credit_evaluations"
MAX_MONTHS = 120


def newest(rows: Sequence[Record]) -> list[Record]:
    """The evaluations of the latest evaluation date (several if bodies evaluated the same day)."""
    dated = []
    for row in rows:
        day = iso_date(row, "evaluation_date")
        if day is None:
            raise BadRecord(f"{EVALUATIONS}: an evaluation without its date")
        dated.append((day, row))
    if not dated:
        return []
    last = max(day for day, _ in dated)
    return [row for day, row in dated if day == last]


class GradesArgs(Arguments):
    grades: SmeCreditGrades = Field(description="Accepted grades, from AAA, AA, A, BBB, BB, B, C.")


def sme_credit_grade_in(records: Records, args: GradesArgs, today: date) -> Verdict:
    """The newest evaluation's grade is one of ``grades``; same-day results that disagree
    leave it undecided."""
    latest = newest(records[EVALUATIONS])
    grades = {text(row, "credit_grade") for row in latest}
    if not latest or None in grades:
        return undecided(NO_DATA)
    if len(grades) > 1:
        return undecided(CONFLICTING_DATA)
    return yes() if grades.pop() in args.grades else no(GRADE_NOT_ACCEPTED)


SME_CREDIT_GRADE_IN = PredicateSpec(
    name="sme_credit_grade_in",
    description="The grade of the newest SME credit evaluation is one of the given grades.",
    description_zh="最近一次中小企业信用评价结果等级属于给定等级之一。",
    args_model=GradesArgs,
    reads=((EVALUATIONS, "evaluation_date"), (EVALUATIONS, "credit_grade")),
    rule=sme_credit_grade_in,
    reasons=frozenset({GRADE_NOT_ACCEPTED, CONFLICTING_DATA, NO_DATA}),
)


def months_before(today: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in range(today.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(today.day, 28))


class MonthsArgs(Arguments):
    months: int = Field(ge=1, le=MAX_MONTHS, description="Most months since the evaluation.")


def sme_credit_evaluated_within(records: Records, args: MonthsArgs, today: date) -> Verdict:
    latest = newest(records[EVALUATIONS])
    if not latest:
        return undecided(NO_DATA)
    day = iso_date(latest[0], "evaluation_date")
    assert day is not None  # newest() refuses undated rows
    return yes() if day >= months_before(today, args.months) else no(ABOVE_THRESHOLD)


SME_CREDIT_EVALUATED_WITHIN = PredicateSpec(
    name="sme_credit_evaluated_within",
    description="The enterprise had an SME credit evaluation within the given number of months.",
    description_zh="企业在给定月数内获得过中小企业信用评价。",
    args_model=MonthsArgs,
    reads=((EVALUATIONS, "evaluation_date"),),
    rule=sme_credit_evaluated_within,
    reasons=frozenset({ABOVE_THRESHOLD, NO_DATA}),
    threshold_arg="months",
)

PREDICATES = (SME_CREDIT_GRADE_IN, SME_CREDIT_EVALUATED_WITHIN)
