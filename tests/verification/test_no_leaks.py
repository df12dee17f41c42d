"""Random records through HTTP: every answer is the oracle's, and no protected value comes back.

Each example is a new enterprise with records drawn from the catalog's field types in every
dataset a predicate reads (``tests/verifiers/strategies.py``: every field possibly filled, not
only those read), stored through the batch API or served by the fake live source, and a verify
grant; one request then asks all 24 predicates (some twice), so every predicate is checked in
every example. Answers are compared with ``tests/verifiers/oracles.py`` computed on what an
institution may see of the same records, and the response searched for every ``authorized``
and ``verify_only`` value.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from gateway.policy.data import load_policy_data
from gateway.verification.schemas import MAX_CHECKS
from tests.databases import BACKENDS
from tests.verification.gateway_harness import (
    Gateway,
    assert_no_protected_value,
    dataset_spec,
    gateway_fixture,
)
from tests.verifiers.oracles import ORACLES, expected
from tests.verifiers.strategies import dataset, record, value_for
from verifiers import PREDICATES

Rows = dict[str, list[dict[str, Any]]]
NAMES = sorted(PREDICATES)
ARGUED = [name for name in NAMES if PREDICATES[name].args_model.model_fields]
READ_FIELDS: dict[str, set[str]] = {}
for _spec in PREDICATES.values():
    for _dataset_id, _field_id in _spec.reads:
        READ_FIELDS.setdefault(_dataset_id, set()).add(_field_id)
DATASETS = sorted(READ_FIELDS)
PUBLICATION_YEARS = load_policy_data().penalty_publication.max_years


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Gateway]:
    yield from gateway_fixture(request)


def published_until(penalty: dict[str, Any]) -> date:
    """The first day a penalty is no longer shown to institutions: ``max_years`` after its
    decision, or the day after its own 公示截止期 if that comes first."""
    day = date.fromisoformat(penalty["decision_date"])
    years = day.year + PUBLICATION_YEARS
    until = date(years, 2, 28) if (day.month, day.day) == (2, 29) else day.replace(year=years)
    try:
        deadline = date.fromisoformat(penalty.get("publication_deadline") or "")
    except (TypeError, ValueError):
        return until
    return min(until, deadline + timedelta(days=1))


def storable(records: Rows) -> Rows:
    """What the platform would hold of ``records``.

    A stored dataset keeps the records that have every required field, one per record key
    (the subject alone for a single-record dataset), as the batch API does; a live source
    answers with whatever it has.
    """
    kept: Rows = {}
    for dataset_id, rows in records.items():
        spec = dataset_spec(dataset_id)
        if spec.sharing_method.is_live:
            kept[dataset_id] = rows
            continue
        required = [f.id for f in spec.fields if f.required]
        keys: set[tuple[Any, ...]] = set()
        kept[dataset_id] = []
        for row in rows:
            key = tuple(row.get(k) for k in spec.key_fields)
            if all(f in row for f in required) and key not in keys:
                keys.add(key)
                kept[dataset_id].append(row)
    return kept


def shown(records: Rows, today: date) -> Rows:
    """What an institution's question is answered from: penalties are published for a few
    years after their decision only (policy data ``penalty_publication.max_years``)."""
    penalties = [row for row in records["administrative_penalties"] if today < published_until(row)]
    return {**records, "administrative_penalties": penalties}


@st.composite
def every_dataset(draw: st.DrawFn, today: date) -> Rows:
    """Records of every dataset a predicate reads, from the catalog's field types.

    As ``catalog_records`` draws them, but with a dataset three times in four non-empty and a
    field a predicate reads usually present: with only a few dozen examples, yes and no must
    come up as often as undecided.
    """
    drawn: Rows = {}
    for dataset_id in DATASETS:
        spec = dataset(dataset_id)
        most = 4 if spec.multi_row else draw(st.sampled_from([1] * 9 + [2]))
        least = draw(st.sampled_from([0, 1, 1, 1]))
        rows = draw(st.lists(record(spec, today), min_size=least, max_size=most), label=dataset_id)
        for row in rows:
            for field_id in READ_FIELDS[dataset_id]:
                if field_id not in row and draw(st.integers(0, 4)) > 0:
                    field = spec.field(field_id)
                    assert field is not None
                    row[field_id] = draw(value_for(field, today))
        drawn[dataset_id] = rows
    return drawn


# An example costs a dozen requests, so a failure is reported as found, not shrunk (shrinking
# would take minutes); the assertions name the predicate, its arguments and the records it read.
@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_every_answer_is_the_oracles_and_carries_no_protected_value(
    server: Gateway, data: st.DataObject
) -> None:
    today = server.today()
    records = storable(data.draw(every_dataset(today), label="records"))
    visible = shown(records, today)
    # Each predicate once, some twice: at most two thresholds each stays within the budget.
    twice = data.draw(
        st.lists(st.sampled_from(ARGUED), max_size=MAX_CHECKS - len(NAMES), unique=True)
    )
    asked = data.draw(st.permutations([*NAMES, *twice]), label="order")
    checks: list[dict[str, Any]] = [
        {"predicate": name, "args": data.draw(ORACLES[name].args(visible, today), label=name)}
        for name in asked
    ]
    subject = server.enterprise()
    server.push(subject, records)
    server.grant(subject, classes=["authorized", "verify_only"])
    response = server.verify(subject, checks)
    assert response.status_code == 200, response.text
    assert_no_protected_value(response, records)
    for check, result in zip(checks, response.json()["results"], strict=True):
        name, args = check["predicate"], check["args"]
        want = expected(name, visible, args, today)
        reads = {d: visible[d] for d in PREDICATES[name].datasets}
        assert result["predicate"] == name
        assert (result["holds"], result["permitted"]) == (want, True), (name, args, reads, result)
        assert result["reason"] in PREDICATES[name].possible_reasons, (name, result)
        assert (result["reason"] == "ok") == (want is True), (name, result)
