"""Verdict and PredicateSpec: the invariants every predicate inherits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import Field

from verifiers import PREDICATES, Arguments, NoArguments, PredicateSpec, Verdict, parse_args
from verifiers.values import Records
from verifiers.verdict import (
    DATA_UNAVAILABLE,
    FAILING_REASONS,
    INVALID_DATA,
    LISTED,
    NO_DATA,
    OK,
    UNDECIDED_REASONS,
    no,
    undecided,
    yes,
)

TODAY = date(2024, 6, 30)


class LimitArgs(Arguments):
    limit: int = Field(ge=0, le=10, description="A limit.")
    who: str = Field(default="x", description="Someone.")


def spy(seen: list[Mapping[str, Any]]) -> PredicateSpec[NoArguments]:
    def rule(records: Records, args: NoArguments, today: date) -> Verdict:
        seen.append(records)
        return yes()

    return PredicateSpec(
        name="spy",
        description="Records what it is shown.",
        args_model=NoArguments,
        reads=(("tax_arrears", "in_arrears"), ("water_bills", "in_arrears")),
        rule=rule,
        reasons=frozenset(),
    )


def test_a_verdict_reason_fits_its_answer() -> None:
    assert yes() == Verdict(True, OK)
    assert no(LISTED).holds is False
    assert undecided().reason == NO_DATA
    for reason in FAILING_REASONS | UNDECIDED_REASONS:
        with pytest.raises(ValueError):
            Verdict(True, reason)
    for reason in {OK} | UNDECIDED_REASONS:
        with pytest.raises(ValueError):
            Verdict(False, reason)
    for reason in {OK} | FAILING_REASONS:
        with pytest.raises(ValueError):
            Verdict(None, reason)


@pytest.mark.parametrize("reason", ["vat 1234.00", "below_threshold:1000", "", "OK", "张三"])
def test_a_verdict_cannot_carry_free_text(reason: str) -> None:
    with pytest.raises(ValueError):
        Verdict(False, reason)


def test_holds_must_be_a_boolean_or_none() -> None:
    with pytest.raises(TypeError):
        Verdict(1, OK)  # type: ignore[arg-type]


def test_evaluate_shows_the_rule_only_declared_datasets_and_fields() -> None:
    seen: list[Mapping[str, Any]] = []
    records = {
        "tax_arrears": [{"in_arrears": False, "arrears_amount": "0.00", "uscc": "U"}],
        "water_bills": [{"in_arrears": True, "account_no": "1"}, {"account_no": "2"}],
        "tax_payments": [{"vat_paid_12m": "1.00"}],
    }
    spy(seen).evaluate(records, NoArguments(), TODAY)
    assert seen == [
        {"tax_arrears": ({"in_arrears": False},), "water_bills": ({"in_arrears": True}, {})}
    ]


def test_a_dataset_not_supplied_is_unavailable_and_an_empty_one_is_not() -> None:
    seen: list[Mapping[str, Any]] = []
    assert spy(seen).evaluate({"tax_arrears": []}, NoArguments(), TODAY) == Verdict(
        None, DATA_UNAVAILABLE
    )
    assert seen == []
    assert spy(seen).evaluate({"tax_arrears": [], "water_bills": []}, NoArguments(), TODAY).holds


@pytest.mark.parametrize("rows", ["abc", {"in_arrears": True}, [["in_arrears"]], [None]])
def test_records_of_the_wrong_shape_are_invalid_data(rows: Any) -> None:
    records = {"tax_arrears": rows, "water_bills": []}
    assert spy([]).evaluate(records, NoArguments(), TODAY) == Verdict(None, INVALID_DATA)


def test_evaluate_refuses_unparsed_arguments_and_datetimes() -> None:
    spec = spy([])
    records: dict[str, list[Any]] = {"tax_arrears": [], "water_bills": []}
    with pytest.raises(TypeError):
        spec.evaluate(records, LimitArgs(limit=1), TODAY)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        spec.evaluate(records, {}, TODAY)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        spec.evaluate(records, NoArguments(), datetime(2024, 6, 30, 12))


def test_a_rule_giving_an_undeclared_reason_is_a_bug_not_an_answer() -> None:
    spec = PredicateSpec(
        name="sloppy",
        description="Gives a reason it never declared.",
        args_model=NoArguments,
        reads=(("tax_arrears", "in_arrears"),),
        rule=lambda records, args, today: no(LISTED),
        reasons=frozenset(),
    )
    with pytest.raises(RuntimeError):
        spec.evaluate({"tax_arrears": []}, NoArguments(), TODAY)


def make(**changes: Any) -> PredicateSpec[Any]:
    fields: dict[str, Any] = {
        "name": "ok_name",
        "description": "A sentence.",
        "args_model": LimitArgs,
        "reads": (("tax_arrears", "in_arrears"),),
        "rule": lambda records, args, today: yes(),
        "reasons": frozenset({NO_DATA}),
        "threshold_arg": "limit",
        "personal_args": frozenset({"who"}),
    }
    return PredicateSpec(**(fields | changes))


def test_a_well_formed_spec_is_accepted() -> None:
    assert make().possible_reasons == {OK, NO_DATA, DATA_UNAVAILABLE, INVALID_DATA}


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "Bad-Name"},
        {"name": "名称"},
        {"description": "no capital."},
        {"description": "Two sentences. Here."},
        {"description": "Not ASCII 存续."},
        {"description": "No full stop"},
        {"reads": ()},
        {"reads": (("tax_arrears", "in_arrears"), ("tax_arrears", "in_arrears"))},
        {"reads": (("Tax Arrears", "in_arrears"),)},
        {"threshold_arg": "nope"},
        {"threshold_arg": "who"},  # a string cannot be bisected
        {"personal_args": frozenset({"nope"})},
        {"reasons": frozenset({"made_up"})},
    ],
)
def test_a_malformed_spec_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make(**changes)


def test_parse_args_then_evaluate_is_the_whole_protocol() -> None:
    args = parse_args("no_tax_arrears", {})
    records = {"tax_arrears": [{"in_arrears": True}]}
    verdict = PREDICATES["no_tax_arrears"].evaluate(records, args, TODAY)
    assert verdict == Verdict(False, "in_arrears")
