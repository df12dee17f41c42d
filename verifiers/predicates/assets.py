"""Predicates on property and utility accounts."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from verifiers.arguments import Arguments, NoArguments, PropertyUsages
from verifiers.spec import PredicateSpec
from verifiers.values import Records, boolean, text
from verifiers.verdict import (
    IN_ARREARS,
    NO_DATA,
    NONE_REGISTERED,
    Verdict,
    no,
    undecided,
    yes,
)

REAL_ESTATE = "real_estate"
UTILITIES = ("water_bills", "electricity_bills", "gas_bills")


class RealEstateArgs(Arguments):
    usages: PropertyUsages | None = Field(
        default=None,
        description="Count only property registered for one of these uses; any use if absent.",
    )


def owns_real_estate(records: Records, args: RealEstateArgs, today: date) -> Verdict:
    """A title is registered to the enterprise (for one of ``usages``, if given).

    The land registry is the register of titles: no record means none registered.
    """
    titles = records[REAL_ESTATE]
    if args.usages is None:
        return yes() if titles else no(NONE_REGISTERED)
    usages = [text(title, "usage") for title in titles]
    if any(usage in args.usages for usage in usages):
        return yes()
    return undecided() if None in usages else no(NONE_REGISTERED)


OWNS_REAL_ESTATE = PredicateSpec(
    name="owns_real_estate",
    description="Real estate is registered to the enterprise, for one of the given uses if any.",
    description_zh="企业名下有登记的不动产（如给定用途，则为该用途之一）。",
    args_model=RealEstateArgs,
    reads=((REAL_ESTATE, "certificate_no"), (REAL_ESTATE, "usage")),
    rule=owns_real_estate,
    reasons=frozenset({NONE_REGISTERED, NO_DATA}),
)


def no_utility_arrears(records: Records, args: NoArguments, today: date) -> Verdict:
    """No water, electricity or gas account is in arrears; undecided with no account at all."""
    accounts = [account for dataset in UTILITIES for account in records[dataset]]
    flags = [boolean(account, "in_arrears") for account in accounts]
    if True in flags:
        return no(IN_ARREARS)
    if not flags or None in flags:
        return undecided()
    return yes()


NO_UTILITY_ARREARS = PredicateSpec(
    name="no_utility_arrears",
    description="No water, electricity or gas account of the enterprise is currently in arrears.",
    description_zh="企业的水、电、燃气账户当前均无欠费。",
    args_model=NoArguments,
    reads=tuple((dataset, "in_arrears") for dataset in UTILITIES),
    rule=no_utility_arrears,
    reasons=frozenset({IN_ARREARS, NO_DATA}),
)

PREDICATES = (OWNS_REAL_ESTATE, NO_UTILITY_ARREARS)
