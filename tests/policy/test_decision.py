"""Decision.parse: anything that is not exactly a decision for this input is malformed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from gateway.catalog.model import DisclosureClass
from gateway.policy.decision import Decision
from gateway.policy.errors import PolicyResultMalformed
from tests.policy.factories import report_input

INPUT = report_input()


def valid() -> dict[str, Any]:
    return {
        "allow": True,
        "reason": "ok",
        "disclose": [
            {"dataset": "tax_payments", "class": "authorized", "authorization": "auth-1"},
            {"dataset": "business_licence", "class": "public", "authorization": None},
            {"dataset": "court_judgments", "class": "institution", "authorization": None},
        ],
        "withhold": [
            {"dataset": "utility_payments", "class": "verify_only", "reason": "verify_only"}
        ],
        "evaluate": [{"predicate": "vat_paid_last_year_at_least", "authorizations": ["auth-1"]}],
        "refuse": [],
    }


def test_valid_result_is_parsed_and_sorted() -> None:
    decision = Decision.parse(valid(), INPUT, revision="rev")

    assert [d.dataset for d in decision.disclose] == [
        "business_licence", "court_judgments", "tax_payments",
    ]  # fmt: skip
    assert decision.discloses("tax_payments", DisclosureClass.authorized)
    assert decision.discloses("tax_payments", "authorized")
    assert not decision.discloses("utility_payments", "verify_only")
    assert decision.evaluates("vat_paid_last_year_at_least")
    assert decision.authorizations_used == frozenset({"auth-1"})
    assert decision.revision == "rev"
    assert not decision.failed_closed
    assert Decision.parse(decision.to_dict(), INPUT, revision="rev") == decision


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        node: Any = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        node: Any = document
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _append(key: str, item: Any) -> Callable[[dict[str, Any]], None]:
    return lambda document: document[key].append(item)


MUTATIONS = {
    "allow-as-string": _set(("allow",), "true"),
    "allow-as-int": _set(("allow",), 1),
    "reason-not-a-code": _set(("reason",), "OK!"),
    "extra-key": _set(("explanation",), "because"),
    "missing-key": _delete(("refuse",)),
    "disclose-not-a-list": _set(("disclose",), {"tax_payments": "authorized"}),
    "disclose-item-missing-key": _delete(("disclose", 0, "authorization")),
    "disclose-unknown-class": _set(("disclose", 0, "class"), "secret"),
    "disclose-unknown-authorization": _set(("disclose", 0, "authorization"), "auth-forged"),
    "disclose-authorization-not-a-string": _set(("disclose", 0, "authorization"), ["auth-1"]),
    "resource-answered-twice": _append(
        "withhold", {"dataset": "tax_payments", "class": "authorized", "reason": "x"}
    ),
    "resource-not-answered": _delete(("withhold", 0)),
    "resource-not-asked-for": _append(
        "disclose", {"dataset": "salaries", "class": "authorized", "authorization": None}
    ),
    "same-dataset-other-class": _set(("disclose", 0, "class"), "public"),
    "predicate-not-answered": _delete(("evaluate", 0)),
    "predicate-answered-twice": _append(
        "refuse", {"predicate": "vat_paid_last_year_at_least", "reason": "no_authorization"}
    ),
    "predicate-not-asked-for": _append("refuse", {"predicate": "other", "reason": "x"}),
    "evaluate-duplicate-ids": _set(("evaluate", 0, "authorizations"), ["auth-1", "auth-1"]),
    "evaluate-ids-not-a-list": _set(("evaluate", 0, "authorizations"), "auth-1"),
    "denied-but-discloses": _set(("allow",), False),
    "empty-dataset": _set(("withhold", 0, "dataset"), ""),
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_malformed_results_are_rejected(mutate: Callable[[dict[str, Any]], None]) -> None:
    document = copy.deepcopy(valid())
    mutate(document)

    with pytest.raises(PolicyResultMalformed):
        Decision.parse(document, INPUT, revision="rev")


@pytest.mark.parametrize("result", [None, [], "allow", True, 1], ids=repr)
def test_non_objects_are_rejected(result: object) -> None:
    with pytest.raises(PolicyResultMalformed):
        Decision.parse(result, INPUT, revision="rev")


def test_deny_withholds_and_refuses_everything() -> None:
    decision = Decision.deny(INPUT, "policy_engine_timeout", revision="rev")

    assert decision.allow is False
    assert decision.failed_closed
    assert len(decision.withhold) == len(INPUT.resources)
    assert [r.predicate for r in decision.refuse] == ["vat_paid_last_year_at_least"]
    assert decision.authorizations_used == frozenset()


def test_a_policy_denial_is_not_a_failure() -> None:
    assert not Decision.deny(INPUT, "unknown_purpose", revision="rev").failed_closed
