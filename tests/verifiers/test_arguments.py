"""parse_args: canonical forms, and InvalidArguments naming the bad argument without its value."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifiers import (
    PREDICATES,
    InvalidArguments,
    UnknownPredicate,
    VerifierError,
    get_predicate,
    parse_args,
)

# One valid value and several invalid ones per kind of argument.
VALID: dict[str, Any] = {
    "money": "1000000",
    "ratio": "0.7",
    "years": 5,
    "count": 3,
    "date": "2024-01-01",
    "grades": ["A", "B"],
    "usages": ["工业"],
    "id_number": "21050419920121199X",
    "sme_grades": ["AAA", "A"],
    "months": 12,
}
INVALID: dict[str, list[Any]] = {
    "money": [
        -1, "-0.01", "1.234", 1.234, 0.1 + 0.2, "1e6", "1,000,000", "", "abc", True, None,
        [1], {"amount": 1}, float("nan"), float("inf"), 10**15 + 1, "1000000000000000.01",
    ],
    "ratio": [-0.1, "1.0001", 1.5, 2, "0.12345", "half", True, None, float("nan")],
    "years": [-1, 201, True, "5", 5.0, None, [5]],
    "count": [-1, True, "3", 3.0, 2.5, None, 10**9],
    "date": [
        "2024-13-01", "2023-02-29", "20240101", "2024-1-1", 20240101, "1899-12-31",
        "2100-01-01", datetime(2024, 1, 1, 12, 0), "", None, True,
    ],
    "grades": [[], ["E"], "A", ["A", 1], [None], "AB", None, {"A": 1}],
    "usages": [[], ["工厂"], "工业", [1], {"工业": 1}],
    "id_number": ["", "a", "x" * 33, "12 34", "中文身份证号", 123, "21050419920121199X#", None],
    "sme_grades": [[], ["E"], "AAA", [1], None, ["AAAA"], {"AAA": 1}],
    "months": [0, 121, -1, True, "12", 12.0, None],
}  # fmt: skip
KINDS = {
    ("registered_capital_at_least", "amount"): "money",
    ("vat_paid_last_year_at_least", "amount"): "money",
    ("income_tax_paid_last_year_at_least", "amount"): "money",
    ("annual_revenue_at_least", "amount"): "money",
    ("debt_ratio_at_most", "ratio"): "ratio",
    ("years_in_operation_at_least", "years"): "years",
    ("spot_check_failures_at_most", "count"): "count",
    ("consecutive_normal_tax_months_at_least", "months"): "count",
    ("housing_fund_contributors_at_least", "count"): "count",
    ("no_administrative_penalty_since", "since"): "date",
    ("tax_credit_grade_in", "grades"): "grades",
    ("owns_real_estate", "usages"): "usages",
    ("legal_representative_id_is", "id_no"): "id_number",
    ("sme_credit_grade_in", "grades"): "sme_grades",
    ("sme_credit_evaluated_within", "months"): "months",
}
OPTIONAL = {("owns_real_estate", "usages")}


def valid_args(name: str) -> dict[str, Any]:
    fields = PREDICATES[name].args_model.model_fields
    return {arg: VALID[KINDS[(name, arg)]] for arg in fields}


def arguments() -> list[tuple[str, str]]:
    return [(n, a) for n, spec in sorted(PREDICATES.items()) for a in spec.args_model.model_fields]


def test_every_argument_of_every_predicate_has_test_values() -> None:
    assert set(arguments()) == set(KINDS)


@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_valid_arguments_parse(name: str) -> None:
    args = parse_args(name, valid_args(name))
    assert isinstance(args, PREDICATES[name].args_model)


@pytest.mark.parametrize(("name", "argument"), arguments())
def test_each_bad_value_is_refused_naming_the_argument(name: str, argument: str) -> None:
    for bad in INVALID[KINDS[(name, argument)]]:
        if bad is None and (name, argument) in OPTIONAL:
            continue  # None means "absent" for an optional argument
        raw = valid_args(name) | {argument: bad}
        with pytest.raises(InvalidArguments) as caught:
            parse_args(name, raw)
        assert (caught.value.predicate, caught.value.argument) == (name, argument), bad
        assert caught.value.problem


@pytest.mark.parametrize(("name", "argument"), arguments())
def test_a_missing_required_argument_is_named(name: str, argument: str) -> None:
    if (name, argument) in OPTIONAL:
        parse_args(name, {})
        return
    raw = valid_args(name)
    del raw[argument]
    with pytest.raises(InvalidArguments) as caught:
        parse_args(name, raw)
    assert caught.value.argument == argument
    assert caught.value.problem == "Field required"


@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_an_unknown_argument_is_named(name: str) -> None:
    with pytest.raises(InvalidArguments) as caught:
        parse_args(name, valid_args(name) | {"threshold": 1})
    assert (caught.value.argument, caught.value.problem) == ("threshold", "unknown argument")


def test_arguments_must_be_a_mapping_with_string_names() -> None:
    with pytest.raises(InvalidArguments) as caught:
        parse_args("licence_in_force", ["amount"])
    assert caught.value.argument == ""
    with pytest.raises(InvalidArguments):
        parse_args("licence_in_force", {1: "x"})


def test_an_unknown_predicate_is_its_own_error() -> None:
    with pytest.raises(UnknownPredicate) as caught:
        parse_args("vat_paid_at_least", {"amount": 1})
    assert caught.value.predicate == "vat_paid_at_least"
    with pytest.raises(UnknownPredicate):
        get_predicate("__class__")
    assert issubclass(UnknownPredicate, VerifierError)
    assert issubclass(InvalidArguments, VerifierError)


@pytest.mark.parametrize(
    "raw", ["1000000", 1000000, "1000000.00", "1000000.0", 1000000.0, Decimal("1000000.000")]
)
def test_money_has_one_canonical_form(raw: Any) -> None:
    args = parse_args("vat_paid_last_year_at_least", {"amount": raw})
    assert str(args.amount) == "1000000.00"
    assert args.model_dump(mode="json") == {"amount": "1000000.00"}


def test_money_keeps_fen_and_floats_with_two_places() -> None:
    args = parse_args("vat_paid_last_year_at_least", {"amount": 1234.56})
    assert args.amount == Decimal("1234.56")
    assert parse_args("vat_paid_last_year_at_least", {"amount": "0"}).amount == 0


@pytest.mark.parametrize("raw", ["0.7", 0.7, "0.70", "0.7000", Decimal("0.7")])
def test_ratio_has_one_canonical_form(raw: Any) -> None:
    args = parse_args("debt_ratio_at_most", {"ratio": raw})
    assert str(args.ratio) == "0.7000"


@pytest.mark.parametrize("raw", [0, 1, "0", "1", "1.0000"])
def test_ratio_bounds_are_inclusive(raw: Any) -> None:
    parse_args("debt_ratio_at_most", {"ratio": raw})


def test_dates_are_calendar_dates() -> None:
    since = parse_args("no_administrative_penalty_since", {"since": "2024-02-29"})
    assert since.since == date(2024, 2, 29)
    same = parse_args("no_administrative_penalty_since", {"since": date(2024, 2, 29)})
    assert same == since


def test_grade_sets_are_sorted_and_unique() -> None:
    args = parse_args("tax_credit_grade_in", {"grades": ["B", "A", "B", "M"]})
    assert args.grades == ("A", "B", "M")
    assert args == parse_args("tax_credit_grade_in", {"grades": ("M", "A", "B")})


def test_id_numbers_are_stripped_and_upper_cased() -> None:
    args = parse_args("legal_representative_id_is", {"id_no": "  21050419920121199x "})
    assert args.id_no == "21050419920121199X"


def test_parsed_arguments_are_frozen() -> None:
    args = parse_args("vat_paid_last_year_at_least", {"amount": 1})
    with pytest.raises(ValueError):
        args.amount = Decimal(2)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text("abcdefxyz0123456789#! ", min_size=6, max_size=40).filter(
            lambda s: "#" in s or "!" in s
        ),
        st.text("0123456789", min_size=33, max_size=60),
    )
)
def test_a_refused_personal_argument_is_never_repeated(value: str) -> None:
    with pytest.raises(InvalidArguments) as caught:
        parse_args("legal_representative_id_is", {"id_no": value})
    error = caught.value
    assert error.argument == "id_no"
    for text in (str(error), repr(error), error.problem, str(error.args)):
        assert value not in text
        assert value.strip().upper() not in text
