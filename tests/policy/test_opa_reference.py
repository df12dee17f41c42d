"""The policy under OPA's own Go engine (the reference) and regopy (what the gateway embeds).

The reference engine is OPA's evaluator in-process (``opa_reference.py``), not an OPA server.
The gateway's OPA-server path is tested against the regopy-backed stand-in
(``opa_standin.py``, ``test_fail_closed.py``, the ``opa`` kinds of the ``engine`` fixture).

- every ``test_`` rule of ``policies/*_test.rego`` runs under OPA, one case each, as
  ``opa test -b policies/`` would (regopy aborts on them: ``test_rego_unit.py``);
- every corpus case is decided by OPA exactly as ``expected`` says, byte for byte in list order;
- regopy and OPA give the same raw decision on every corpus input and on deterministic mutations
  of it (an authorization dropped, revoked, used up, expired, narrowed to one mode; another
  purpose, action, role or status; a field missing or every list in reverse order, which the
  builder would never send) and on generated requests with their lists shuffled.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.policy.embedded import RegoEvaluator
from gateway.policy.inputs import PolicyInput
from gateway.policy.source import DECISION_ENTRYPOINT, PolicyFiles, default_policy_dir
from tests.policy.corpus import CASES, Case
from tests.policy.opa_reference import OpaReference, RegoTest, rego_tests
from tests.policy.test_properties import PURPOSES, requests

REGO_TESTS = rego_tests(default_policy_dir())
ACTIONS = ["report", "verify", "self_view", "export"]


@pytest.fixture(scope="module")
def opa(policy_files: PolicyFiles) -> Iterator[OpaReference]:
    reference = OpaReference(policy_files)
    yield reference
    reference.close()


@pytest.fixture(scope="module")
def regopy(policy_files: PolicyFiles) -> RegoEvaluator:
    return RegoEvaluator(policy_files)


def _regopy_decides(regopy: RegoEvaluator, raw_input: dict[str, Any]) -> Any:
    return regopy.evaluate(DECISION_ENTRYPOINT, json.dumps(raw_input, ensure_ascii=False))


def test_the_rego_test_files_hold_enough_tests() -> None:
    assert len(REGO_TESTS) >= 30
    assert len({t.document for t in REGO_TESTS}) == len(REGO_TESTS)


@pytest.mark.parametrize("rego_test", REGO_TESTS, ids=lambda t: t.id)
def test_rego_unit_test_passes_under_opa(opa: OpaReference, rego_test: RegoTest) -> None:
    """Reference engine: OPA. Defined and true passes, as in ``opa test``."""
    assert opa.passes(rego_test)


def test_a_failing_rego_test_is_reported_as_failing(
    policy_files: PolicyFiles, tmp_path: Path
) -> None:
    """The runner is not vacuous: a false and an undefined test rule both fail."""
    (tmp_path / "access.rego").write_text(policy_files.modules[0][1])
    (tmp_path / "data.json").write_text(policy_files.data_json)
    (tmp_path / "broken_test.rego").write_text(
        "package credgate.broken_test\n\nimport rego.v1\n\n"
        "test_false if false\n\ntest_undefined if input.missing == 1\n\n"
        "test_true if data.credgate.access.decision.allow == false\n"
    )
    reference = OpaReference(PolicyFiles.load(tmp_path))
    try:
        outcomes = {t.rule: reference.passes(t) for t in rego_tests(tmp_path)}
    finally:
        reference.close()

    assert outcomes == {"test_false": False, "test_true": True, "test_undefined": False}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_opa_decides_the_corpus_case_exactly_as_expected(opa: OpaReference, case: Case) -> None:
    """Reference engine: OPA, on the stored (normalised) input, compared in list order."""
    assert opa.decide(case.input) == case.expected, case.description


def _mutations(raw: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Deterministic variations of one input; some are not what the builder would send."""

    def changed(**fields: Any) -> dict[str, Any]:
        mutated = copy.deepcopy(raw)
        mutated.update(copy.deepcopy(fields))
        return mutated

    yield "as stored", changed()
    for purpose in [*PURPOSES, raw["purpose"] + "_x"]:
        yield f"purpose {purpose}", changed(purpose=purpose)
    for action in ACTIONS:
        yield f"action {action}", changed(action=action)
    for role in ["institution", "enterprise", "operator"]:
        yield f"role {role}", changed(caller={**raw["caller"], "role": role})
    for status in ["active", "suspended", "pending"]:
        yield f"status {status}", changed(caller={**raw["caller"], "status": status})
    yield "caller is the subject", changed(caller={**raw["caller"], "id": raw["subject"]})
    for key in ["action", "purpose", "subject", "caller", "now_ns", "resources", "predicates"]:
        yield f"no {key}", {k: v for k, v in copy.deepcopy(raw).items() if k != key}
    for key in ["id", "role", "status"]:
        caller = {k: v for k, v in raw["caller"].items() if k != key}
        yield f"no caller.{key}", changed(caller=caller)
    grants = raw["authorizations"]
    for i, grant in enumerate(grants):
        others = grants[:i] + grants[i + 1 :]
        yield f"drop {grant['id']}", changed(authorizations=others)
        variants: dict[str, dict[str, Any]] = {
            "revoked": {"state": "revoked"},
            "used up": {"uses_left": 0},
            "one use left": {"uses_left": 1},
            "report only": {"modes": ["report"]},
            "verify only": {"modes": ["verify"]},
        }
        for name, fields in variants.items():
            yield f"{grant['id']} {name}", changed(authorizations=[*others, {**grant, **fields}])
        for name, now in [
            ("expired", grant["expires_at_ns"]),
            ("about to expire", grant["expires_at_ns"] - 1),
            ("not yet valid", grant["not_before_ns"] - 1),
        ]:
            yield f"{grant['id']} {name}", changed(now_ns=now)
    reversed_reads = [{**p, "reads": p["reads"][::-1]} for p in raw["predicates"]]
    yield "reads reversed", changed(predicates=reversed_reads)
    yield (
        "every list reversed",
        changed(
            resources=raw["resources"][::-1],
            predicates=reversed_reads[::-1],
            authorizations=[
                {**g, "datasets": g["datasets"][::-1], "modes": g["modes"][::-1]}
                for g in grants[::-1]
            ],
        ),
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_regopy_agrees_with_opa_on_the_case_and_its_mutations(
    opa: OpaReference, regopy: RegoEvaluator, case: Case
) -> None:
    """Reference engine: OPA. Raw documents compared, before the gateway sorts anything."""
    disagreements = {
        name: (ours, theirs)
        for name, mutated in _mutations(case.input)
        if (ours := _regopy_decides(regopy, mutated)) != (theirs := opa.decide(mutated))
    }

    assert disagreements == {}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(policy_input=requests(), order=st.randoms(use_true_random=False))
def test_regopy_agrees_with_opa_on_generated_requests_in_any_order(
    opa: OpaReference, regopy: RegoEvaluator, policy_input: PolicyInput, order: Any
) -> None:
    """Reference engine: OPA. Lists shuffled after normalising, so read order cannot matter."""
    raw = policy_input.to_dict()
    for key in ("resources", "predicates", "authorizations"):
        order.shuffle(raw[key])
    for predicate in raw["predicates"]:
        order.shuffle(predicate["reads"])

    assert _regopy_decides(regopy, raw) == opa.decide(raw)
