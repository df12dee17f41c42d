"""Every predicate against its oracle, on generated records and on mutated demo enterprises.

One property test per predicate (parametrized by name): the verdict's ``holds`` equals the
oracle's answer computed independently from the full records; its reason is a code the
predicate declares; and nothing in the verdict repeats a record value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from gateway.catalog import FieldType
from tests.verifiers.oracles import ORACLES, expected
from tests.verifiers.strategies import catalog_records, dataset, demo_records, todays
from verifiers import PREDICATES, Verdict, parse_args
from verifiers.verdict import DATA_UNAVAILABLE, INVALID_DATA

NAMES = sorted(PREDICATES)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# For the framework's properties, which hold for every predicate alike.
LIGHT = settings(SETTINGS, max_examples=60)
# Registers of listings: no record means not listed, so these are never undecided.
NEVER_UNDECIDED = {"not_on_serious_violation_list", "not_on_serious_dishonesty_list"}
# A value of the wrong type for each catalog type.
MALFORMED = {
    FieldType.date: "2024/01/01",
    FieldType.money: "12,000.00",
    FieldType.ratio: "half",
    FieldType.integer: "7",
    FieldType.boolean: "true",
    FieldType.enum: 42,
    FieldType.band: 42,
    FieldType.string: 42,
    FieldType.text: 42,
    FieldType.uscc: 42,
}

Rows = Mapping[str, Sequence[Mapping[str, Any]]]


def record_values(records: Rows) -> set[str]:
    """Every value in the records as text; booleans only say what ``holds`` says anyway."""
    return {
        str(value)
        for rows in records.values()
        for row in rows
        for value in row.values()
        if not isinstance(value, bool)
    }


def evaluate(name: str, records: Rows, raw: dict[str, Any], today: date) -> Verdict:
    return PREDICATES[name].evaluate(records, parse_args(name, raw), today)


def check(name: str, records: Rows, raw: dict[str, Any], today: date) -> Verdict:
    verdict = evaluate(name, records, raw, today)
    assert verdict.holds is expected(name, records, raw, today), verdict
    assert verdict.reason in PREDICATES[name].possible_reasons
    shown = f"{verdict!s} {verdict!r} {verdict.reason}"
    leaked = {value for value in record_values(records) if value in shown}
    assert not leaked, (verdict, leaked)
    return verdict


def test_every_predicate_has_an_oracle() -> None:
    assert set(ORACLES) == set(PREDICATES)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_agrees_with_oracle_on_generated_records(name: str, data: st.DataObject) -> None:
    today = data.draw(todays, label="today")
    records = data.draw(catalog_records(PREDICATES[name], today), label="records")
    raw = data.draw(ORACLES[name].args(records, today), label="args")
    check(name, records, raw, today)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_agrees_with_oracle_on_demo_enterprises(name: str, data: st.DataObject) -> None:
    records, today = data.draw(demo_records(PREDICATES[name]), label="records")
    raw = data.draw(ORACLES[name].args(records, today), label="args")
    check(name, records, raw, today)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("outcome", [True, False, None])
def test_generated_records_reach_every_outcome(name: str, outcome: bool | None) -> None:
    """The strategies are not degenerate: yes, no and undecided all occur for each predicate."""
    if outcome is None and name in NEVER_UNDECIDED:
        pytest.skip("a register of listings always decides")
    spec = PREDICATES[name]

    @st.composite
    def case(draw: st.DrawFn) -> tuple[Rows, dict[str, Any], date]:
        today = draw(todays)
        records = draw(catalog_records(spec, today))
        return records, draw(ORACLES[name].args(records, today)), today

    found = find(
        case(),
        lambda c: evaluate(name, c[0], c[1], c[2]).holds is outcome,
        # The first example found will do: shrinking it would only cost time.
        settings=settings(max_examples=5000, database=None, phases=[Phase.generate]),
    )
    assert evaluate(name, *found).holds is outcome


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_a_dataset_left_out_is_unavailable_not_empty(name: str, data: st.DataObject) -> None:
    spec = PREDICATES[name]
    records, today = data.draw(demo_records(spec), label="records")
    raw = data.draw(ORACLES[name].args(records, today), label="args")
    left_out = data.draw(st.sampled_from(spec.datasets), label="left out")
    partial = {k: v for k, v in records.items() if k != left_out}
    assert evaluate(name, partial, raw, today) == Verdict(None, DATA_UNAVAILABLE)


@pytest.mark.parametrize("name", NAMES)
@LIGHT
@given(data=st.data())
def test_a_malformed_value_is_never_read_as_an_answer(name: str, data: st.DataObject) -> None:
    """Either the rule reads the bad value and is undecided, or it never looked at it."""
    spec = PREDICATES[name]
    records, today = data.draw(demo_records(spec), label="records")
    raw = data.draw(ORACLES[name].args(records, today), label="args")
    dataset_id, field_id = data.draw(st.sampled_from(spec.reads), label="field")
    rows = records[dataset_id]
    if not rows:
        return
    index = data.draw(st.integers(0, len(rows) - 1), label="row")
    field = dataset(dataset_id).field(field_id)
    assert field is not None

    def with_field(value: Any) -> Rows:
        changed = [dict(row) for row in rows]
        changed[index].pop(field_id, None)
        if value is not None:
            changed[index][field_id] = value
        return {**records, dataset_id: changed}

    bad = evaluate(name, with_field(MALFORMED[field.type]), raw, today)
    absent = evaluate(name, with_field(None), raw, today)
    assert bad == absent or bad == Verdict(None, INVALID_DATA)


@pytest.mark.parametrize("name", NAMES)
@LIGHT
@given(data=st.data())
def test_fields_not_declared_in_reads_do_not_matter(name: str, data: st.DataObject) -> None:
    spec = PREDICATES[name]
    records, today = data.draw(demo_records(spec), label="records")
    raw = data.draw(ORACLES[name].args(records, today), label="args")
    declared = set(spec.reads)
    scrambled = {
        dataset_id: [
            {k: (v if (dataset_id, k) in declared else object()) for k, v in row.items()}
            for row in rows
        ]
        for dataset_id, rows in records.items()
    }
    assert evaluate(name, scrambled, raw, today) == evaluate(name, records, raw, today)
