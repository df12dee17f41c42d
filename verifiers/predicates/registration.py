"""Predicates on the business licence: in force, registered capital, years in operation."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from verifiers.arguments import Arguments, Money, NoArguments
from verifiers.predicates.common import single_at_least
from verifiers.spec import PredicateSpec
from verifiers.values import Records, iso_date, money, single, text
from verifiers.verdict import (
    BELOW_THRESHOLD,
    NO_DATA,
    NOT_ACTIVE,
    TERM_ENDED,
    TERM_NOT_STARTED,
    Verdict,
    no,
    undecided,
    yes,
)

LICENCE = "business_licence"
ACTIVE = "存续"  # the only registration status under which an enterprise may trade
MAX_YEARS = 200


def licence_in_force(records: Records, args: NoArguments, today: date) -> Verdict:
    """Registration status 存续 and ``today`` within the operating term (open end if absent)."""
    licence = single(records[LICENCE], LICENCE)
    status = None if licence is None else text(licence, "registration_status")
    if licence is None or status is None:
        return undecided()
    if status != ACTIVE:
        return no(NOT_ACTIVE)
    start = iso_date(licence, "operating_term_from")
    end = iso_date(licence, "operating_term_to")
    if start is not None and start > today:
        return no(TERM_NOT_STARTED)
    if end is not None and end < today:
        return no(TERM_ENDED)
    return yes()


LICENCE_IN_FORCE = PredicateSpec(
    name="licence_in_force",
    description=(
        "The business licence is in force: registration status is active (cunxu) and today "
        "lies within the operating term."
    ),
    description_zh="营业执照有效：登记状态为存续，且今日在营业期限内（营业期限至为空视为长期）。",
    args_model=NoArguments,
    reads=(
        (LICENCE, "registration_status"),
        (LICENCE, "operating_term_from"),
        (LICENCE, "operating_term_to"),
    ),
    rule=licence_in_force,
    reasons=frozenset({NOT_ACTIVE, TERM_NOT_STARTED, TERM_ENDED, NO_DATA}),
)


class CapitalArgs(Arguments):
    amount: Money = Field(description="Least registered capital, CNY.")


REGISTERED_CAPITAL_AT_LEAST = PredicateSpec(
    name="registered_capital_at_least",
    description="The registered capital on the business licence is at least the amount.",
    description_zh="营业执照登记的注册资本不低于给定金额。",
    args_model=CapitalArgs,
    reads=((LICENCE, "registered_capital"),),
    rule=single_at_least(LICENCE, "registered_capital", money, lambda a: a.amount),
    reasons=frozenset({BELOW_THRESHOLD, NO_DATA}),
    threshold_arg="amount",
)


class YearsArgs(Arguments):
    years: int = Field(ge=0, le=MAX_YEARS, description="Least number of full years.")


def full_years(start: date, today: date) -> int:
    """Whole years from ``start`` to ``today``; a 29 February start completes on 1 March."""
    years = today.year - start.year
    if (today.month, today.day) < (start.month, start.day):
        years -= 1
    return years


def years_in_operation_at_least(records: Records, args: YearsArgs, today: date) -> Verdict:
    """At least ``years`` full years between the date of establishment and ``today``."""
    licence = single(records[LICENCE], LICENCE)
    established = None if licence is None else iso_date(licence, "established_date")
    if established is None:
        return undecided()
    return yes() if full_years(established, today) >= args.years else no(BELOW_THRESHOLD)


YEARS_IN_OPERATION_AT_LEAST = PredicateSpec(
    name="years_in_operation_at_least",
    description="At least the given number of full years have passed since establishment.",
    description_zh="自成立日期起已满给定年数。",
    args_model=YearsArgs,
    reads=((LICENCE, "established_date"),),
    rule=years_in_operation_at_least,
    reasons=frozenset({BELOW_THRESHOLD, NO_DATA}),
    threshold_arg="years",
)

PREDICATES = (LICENCE_IN_FORCE, REGISTERED_CAPITAL_AT_LEAST, YEARS_IN_OPERATION_AT_LEAST)
