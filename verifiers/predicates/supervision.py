"""Predicates on market supervision and the credit lists: listings and spot checks."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from verifiers.arguments import Arguments, NoArguments
from verifiers.predicates.common import Rule, single_at_most, single_flag
from verifiers.spec import PredicateSpec
from verifiers.values import Records, integer, iso_date
from verifiers.verdict import ABOVE_THRESHOLD, LISTED, NO_DATA, Verdict, no, yes

ABNORMAL = "abnormal_operations"
VIOLATIONS = "serious_violations"
DISHONESTY = "serious_dishonesty_list"
SPOT_CHECKS = "spot_checks"
MAX_FAILURES = 1000

NOT_ON_ABNORMAL_OPERATIONS_LIST = PredicateSpec(
    name="not_on_abnormal_operations_list",
    description="The enterprise is not currently on the abnormal-operations list.",
    description_zh="企业当前未被列入经营异常名录。",
    args_model=NoArguments,
    reads=((ABNORMAL, "is_listed"),),
    rule=single_flag(ABNORMAL, "is_listed", wanted=False, failing=LISTED),
    reasons=frozenset({LISTED, NO_DATA}),
)


def not_listed(dataset: str) -> Rule[NoArguments]:
    """Holds unless a listing of ``dataset`` has no removal date, or a removal date ahead.

    These are registers of listings: an enterprise with no record was never listed.
    """

    def rule(records: Records, args: NoArguments, today: date) -> Verdict:
        for record in records[dataset]:
            removed = iso_date(record, "removal_date")
            if removed is None or removed > today:
                return no(LISTED)
        return yes()

    return rule


NOT_ON_SERIOUS_VIOLATION_LIST = PredicateSpec(
    name="not_on_serious_violation_list",
    description="The enterprise is not on the list of seriously illegal and dishonest enterprises.",
    description_zh="企业未被列入严重违法失信企业名单（或已移出）。",
    args_model=NoArguments,
    reads=((VIOLATIONS, "removal_date"),),
    rule=not_listed(VIOLATIONS),
    reasons=frozenset({LISTED}),
)

NOT_ON_SERIOUS_DISHONESTY_LIST = PredicateSpec(
    name="not_on_serious_dishonesty_list",
    description="The enterprise is not on any statutory list of seriously dishonest parties.",
    description_zh="企业未被列入任何严重失信主体名单（或已移出）。",
    args_model=NoArguments,
    reads=((DISHONESTY, "removal_date"),),
    rule=not_listed(DISHONESTY),
    reasons=frozenset({LISTED}),
)


class FailuresArgs(Arguments):
    count: int = Field(
        ge=0, le=MAX_FAILURES, description="Most failed spot checks allowed in three years."
    )


SPOT_CHECK_FAILURES_AT_MOST = PredicateSpec(
    name="spot_check_failures_at_most",
    description="The enterprise failed at most the given number of spot checks in three years.",
    description_zh="近三年抽查不合格次数不超过给定次数。",
    args_model=FailuresArgs,
    reads=((SPOT_CHECKS, "failed_checks_3y"),),
    rule=single_at_most(SPOT_CHECKS, "failed_checks_3y", integer, lambda a: a.count),
    reasons=frozenset({ABOVE_THRESHOLD, NO_DATA}),
    threshold_arg="count",
)

PREDICATES = (
    NOT_ON_ABNORMAL_OPERATIONS_LIST,
    NOT_ON_SERIOUS_VIOLATION_LIST,
    NOT_ON_SERIOUS_DISHONESTY_LIST,
    SPOT_CHECK_FAILURES_AT_MOST,
)
