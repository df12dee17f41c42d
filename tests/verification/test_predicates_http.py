"""Every predicate through HTTP: listed, holds, does not hold, lacks data, refused, bad arguments.

One test per behaviour, parametrized over the 24 predicates of ``predicate_table.TABLE``; each
case runs on an enterprise of its own, so budgets and records never meet.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.databases import BACKENDS
from tests.verification.gateway_harness import (
    ANCHOR_DATASET,
    FINANCING,
    Gateway,
    Records,
    assert_no_protected_value,
    dataset_spec,
    gateway_fixture,
)
from tests.verification.predicate_table import (
    LIVE,
    PUBLIC,
    READS_INSTITUTION,
    READS_VERIFY_ONLY,
    TABLE,
    Outcome,
    Scene,
    records,
    verify_grant_classes,
)
from verifiers import PREDICATES

NAMES = sorted(TABLE)
NON_FINANCING = "insurance_underwriting"
ALL_GRANTABLE = ["institution", "authorized", "verify_only"]
Result = tuple[bool | None, bool, str]


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Gateway]:
    yield from gateway_fixture(request)


def ask(
    server: Gateway,
    name: str,
    scene: Scene,
    *,
    grant: dict[str, Any] | None = None,
    purpose: str = FINANCING,
    suspended: bool = False,
) -> Result:
    """Push ``scene`` for a new enterprise, grant if asked, and ask ``name`` with its good args.

    The answer must carry no protected value of the records pushed.
    """
    bank = server.suspended_bank if suspended else server.bank
    subject = server.enterprise()
    rows: Records = scene(server.today())
    server.push(subject, rows)
    if grant is not None:
        server.grant(subject, bank=bank, **grant)
    check = {"predicate": name, "args": TABLE[name].args}
    response = server.verify(subject, [check], purpose=purpose, bank=bank)
    assert response.status_code == 200, response.text
    assert_no_protected_value(response, rows)
    [result] = response.json()["results"]
    assert result["predicate"] == name
    return result["holds"], result["permitted"], result["reason"]


def verify_grant(name: str) -> dict[str, Any] | None:
    """The least verify-mode grant under which ``name`` may be evaluated, if one is needed."""
    classes = verify_grant_classes(name)
    return {"classes": classes} if classes else None


def answered(outcome: Outcome) -> Result:
    holds, reason = outcome
    return holds, True, reason


def test_the_table_covers_every_predicate_and_the_catalog_agrees(server: Gateway) -> None:
    listing = server.http.get("/v1/verifiers").json()
    assert [entry["name"] for entry in listing] == NAMES == sorted(PREDICATES)
    assert not any(ANCHOR_DATASET in spec.datasets for spec in PREDICATES.values())
    for name in NAMES:
        classes = set()
        for dataset_id, field_id in PREDICATES[name].reads:
            field = dataset_spec(dataset_id).field(field_id)
            assert field is not None, (name, dataset_id, field_id)
            classes.add(field.disclosure.value)
        assert (classes == {"public"}) == (name in PUBLIC), (name, classes)
        assert ("institution" in classes) == (name in READS_INSTITUTION), (name, classes)
        assert ("verify_only" in classes) == (name in READS_VERIFY_ONLY), (name, classes)
        live = any(dataset_spec(d).sharing_method.is_live for d in PREDICATES[name].datasets)
        assert live == (name in LIVE), name


@pytest.mark.parametrize("name", NAMES)
def test_is_documented_in_the_listing(server: Gateway, name: str) -> None:
    listing = {entry["name"]: entry for entry in server.http.get("/v1/verifiers").json()}
    entry, case = listing[name], TABLE[name]
    assert entry["description"].endswith(".") and entry["description_zh"]
    arguments = {argument["name"]: argument for argument in entry["arguments"]}
    assert set(case.args) <= set(arguments)
    assert {a for a, spec in arguments.items() if spec["required"]} <= set(case.args)
    assert all(argument["description"] and argument["schema"] for argument in arguments.values())
    assert entry["threshold_arg"] is None or entry["threshold_arg"] in arguments
    assert [(r["dataset"], r["field"]) for r in entry["reads"]] == list(PREDICATES[name].reads)
    seen = {"ok", case.fails_reason, case.missing_outcome[1], "data_unavailable"}
    assert seen <= set(entry["reasons"])


@pytest.mark.parametrize("name", NAMES)
def test_holds(server: Gateway, name: str) -> None:
    assert ask(server, name, TABLE[name].holds, grant=verify_grant(name)) == (True, True, "ok")


@pytest.mark.parametrize("name", NAMES)
def test_does_not_hold(server: Gateway, name: str) -> None:
    case = TABLE[name]
    got = ask(server, name, case.fails, grant=verify_grant(name))
    assert got == (False, True, case.fails_reason)


@pytest.mark.parametrize("name", NAMES)
def test_missing_data_is_null(server: Gateway, name: str) -> None:
    """Null, except for registers where no record is itself the answer (documented as yes)."""
    case = TABLE[name]
    got = ask(server, name, case.missing, grant=verify_grant(name))
    assert got == answered(case.missing_outcome)


@pytest.mark.parametrize("name", sorted(LIVE))
def test_a_live_source_that_does_not_answer_is_null(server: Gateway, name: str) -> None:
    datasets = PREDICATES[name].datasets
    server.live.down.update(datasets)
    try:
        got = ask(server, name, TABLE[name].holds, grant=verify_grant(name))
    finally:
        server.live.down.difference_update(datasets)
    assert got == (None, True, "data_unavailable")


def _refused_or_answered(name: str, got: Result, reason: str) -> None:
    if name in PUBLIC:
        assert got == (True, True, "ok")  # public reads need no grant, status or purpose
    else:
        assert got == (None, False, reason)


@pytest.mark.parametrize("name", NAMES)
def test_without_a_grant(server: Gateway, name: str) -> None:
    calls = len(server.live.calls)
    got = ask(server, name, TABLE[name].holds)
    _refused_or_answered(name, got, "no_authorization")
    assert server.live.calls[calls:] == []  # nothing is fetched for a refused check


@pytest.mark.parametrize("name", NAMES)
def test_with_a_report_mode_grant(server: Gateway, name: str) -> None:
    grant = {
        "modes": ["report"],
        "datasets": PREDICATES[name].datasets,
        "classes": ALL_GRANTABLE,
    }
    got = ask(server, name, TABLE[name].holds, grant=grant)
    _refused_or_answered(name, got, "no_authorization")


@pytest.mark.parametrize("name", NAMES)
def test_for_a_suspended_institution(server: Gateway, name: str) -> None:
    grant = {"datasets": PREDICATES[name].datasets, "classes": ALL_GRANTABLE}
    got = ask(server, name, TABLE[name].holds, grant=grant, suspended=True)
    _refused_or_answered(name, got, "suspended")


@pytest.mark.parametrize("name", NAMES)
def test_for_a_non_financing_purpose(server: Gateway, name: str) -> None:
    """Under insurance underwriting a grant for authorized and verify-only data is not enough
    for institution-class reads; public reads need nothing."""
    grant = None
    if name not in PUBLIC:
        grant = {"classes": ["authorized", "verify_only"], "purpose": NON_FINANCING}
    got = ask(server, name, TABLE[name].holds, grant=grant, purpose=NON_FINANCING)
    if name in READS_INSTITUTION:
        assert got == (None, False, "not_financing_purpose")
    else:
        assert got == (True, True, "ok")


@pytest.mark.parametrize("name", NAMES)
def test_bad_arguments_are_422_naming_the_argument(server: Gateway, name: str) -> None:
    case = TABLE[name]
    subject = server.enterprise()
    response = server.verify(subject, [{"predicate": name, "args": case.bad_args}])
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == f"checks[0].args.{case.bad_argument}"
    # the problem is described, the value not repeated (it may be personal data)
    bad = case.bad_args[case.bad_argument]
    if isinstance(bad, str) and len(bad) >= 5:
        assert bad not in response.text


def test_today_is_the_platform_day_in_benxi_not_in_utc(server: Gateway) -> None:
    today = server.today()
    assert server.clock.now().date() < today  # the gateway's clock sits across the date line
    established = today.replace(year=today.year - 5)
    subject = server.enterprise()
    server.push(
        subject,
        records(
            today,
            business_licence={
                "established_date": established.isoformat(),
                "operating_term_from": today.isoformat(),
            },
            administrative_penalties={"decision_date": today.isoformat()},
        ),
    )
    checks = [
        {"predicate": "licence_in_force", "args": {}},
        {"predicate": "years_in_operation_at_least", "args": {"years": 5}},
        {"predicate": "no_administrative_penalty_since", "args": {"since": today.isoformat()}},
    ]
    response = server.verify(subject, checks)
    assert response.status_code == 200, response.text
    got = [(r["holds"], r["reason"]) for r in response.json()["results"]]
    assert got == [(True, "ok"), (True, "ok"), (False, "penalised")]
