"""An engine error, an undefined or malformed result, a timeout, a dead server: all deny."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.policy.cache import CachedEngine
from gateway.policy.decision import Decision
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.engine import decide_fail_closed
from gateway.policy.errors import (
    PolicyEngineTimeout,
    PolicyInputError,
    PolicyLoadError,
)
from gateway.policy.inputs import PolicyInput
from gateway.policy.opa import OpaEngine
from gateway.policy.source import PolicyFiles
from tests.policy.factories import policy_dir_with, report_input
from tests.policy.opa_standin import Mode, OpaStandIn

HEADER = "package credgate.access\n\nimport rego.v1\n\n"


def assert_denied_everything(decision: Decision, policy_input: PolicyInput, reason: str) -> None:
    assert decision.allow is False
    assert decision.reason == reason
    assert decision.failed_closed
    assert decision.disclose == ()
    assert decision.evaluate == ()
    assert {(w.dataset, w.disclosure_class.value) for w in decision.withhold} == {
        r.key for r in policy_input.resources
    }
    assert all(w.reason == reason for w in decision.withhold)
    assert [r.predicate for r in decision.refuse] == [p.name for p in policy_input.predicates]
    assert all(r.reason == reason for r in decision.refuse)


def embedded_with(tmp_path: Path, rego: str, timeout: float | None = 5.0) -> EmbeddedEngine:
    return EmbeddedEngine(
        PolicyFiles.load(policy_dir_with(tmp_path, rego=HEADER + rego)), timeout_seconds=timeout
    )


# --- embedded -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rego", "reason"),
    [
        pytest.param("decision := 1 if false\n", "policy_result_undefined", id="undefined"),
        pytest.param('decision := {"allow": true}\n', "policy_result_malformed", id="partial"),
        pytest.param(
            'decision := {"allow": true, "reason": "ok", "disclose": [{"dataset": "tax_payments",'
            ' "class": "authorized", "authorization": null}], "withhold": [], "evaluate": [],'
            ' "refuse": []}\n',
            "policy_result_malformed",
            id="discloses-without-answering-the-rest",
        ),
        pytest.param(
            'decision := {"a": 1} if input.now_ns > 0\ndecision := {"a": 2} if input.now_ns > 0\n',
            "policy_engine_error",
            id="conflicting-values",
        ),
    ],
)
def test_embedded_engine_denies_when_the_policy_misbehaves(
    tmp_path: Path, rego: str, reason: str
) -> None:
    engine = embedded_with(tmp_path, rego)
    policy_input = report_input()
    try:
        decision = engine.decide(policy_input)
    finally:
        engine.close()

    assert_denied_everything(decision, policy_input, reason)


def test_embedded_engine_times_out_and_denies(tmp_path: Path) -> None:
    slow = "decision := {} if count([x | some x in numbers.range(1, 400000)]) > 0\n"
    engine = embedded_with(tmp_path, slow, timeout=0.05)
    policy_input = report_input()
    try:
        decision = engine.decide(policy_input)
    finally:
        engine.close()

    assert_denied_everything(decision, policy_input, PolicyEngineTimeout.reason)


def test_closed_embedded_engine_denies(policy_files: PolicyFiles) -> None:
    engine = EmbeddedEngine(policy_files)
    engine.close()

    decision = engine.decide(report_input())

    assert decision.failed_closed
    assert decision.reason == "policy_engine_error"


def test_a_policy_that_does_not_compile_stops_startup(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError):
        embedded_with(tmp_path, "decision := {\n")


@pytest.mark.parametrize(
    "failure",
    [RuntimeError("segfault avoided"), PolicyEngineTimeout("slow"), KeyError("x")],
    ids=["unexpected", "typed", "key-error"],
)
def test_any_exception_in_evaluation_becomes_a_denial(failure: Exception) -> None:
    def evaluate(_: PolicyInput) -> object:
        raise failure

    policy_input = report_input()
    decision = decide_fail_closed(policy_input, revision="r", engine="fake", evaluate=evaluate)

    expected = getattr(failure, "reason", "policy_engine_error")
    assert_denied_everything(decision, policy_input, expected)


def test_invalid_input_is_an_error_not_a_decision(embedded_engine: EmbeddedEngine) -> None:
    raw = report_input().to_dict()
    raw["caller"]["id"] = "bank 001"

    with pytest.raises(PolicyInputError):
        embedded_engine.decide(raw)


# --- OPA server (the stand-in) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (Mode.undefined, "policy_result_undefined"),
        (Mode.error, "policy_engine_error"),
        (Mode.malformed, "policy_result_malformed"),
        (Mode.not_json, "policy_result_malformed"),
    ],
)
def test_opa_engine_denies_on_bad_answers(
    standin: OpaStandIn, opa_engine: OpaEngine, mode: Mode, reason: str
) -> None:
    standin.mode = mode
    policy_input = report_input()

    assert_denied_everything(opa_engine.decide(policy_input), policy_input, reason)


def test_opa_engine_times_out_and_denies(standin: OpaStandIn, policy_files: PolicyFiles) -> None:
    standin.mode = Mode.hang
    standin.hang_seconds = 2.0
    engine = OpaEngine.from_url(standin.url, revision=policy_files.revision, timeout_seconds=0.2)
    policy_input = report_input()

    assert_denied_everything(engine.decide(policy_input), policy_input, "policy_engine_timeout")


def test_opa_engine_denies_when_the_server_is_down(policy_files: PolicyFiles) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = OpaEngine(host="127.0.0.1", port=port, revision=policy_files.revision)
    policy_input = report_input()

    assert_denied_everything(engine.decide(policy_input), policy_input, "policy_engine_unavailable")


@pytest.mark.parametrize("url", ["ftp://opa:8181", "http://opa:8181/v1/data", "opa:8181"])
def test_opa_url_must_be_a_bare_http_origin(url: str) -> None:
    with pytest.raises(PolicyLoadError):
        OpaEngine.from_url(url, revision="r")


# --- the cache does not remember failures ------------------------------------------------------


def test_cache_does_not_keep_a_failed_closed_decision(
    standin: OpaStandIn, opa_engine: OpaEngine
) -> None:
    cached = CachedEngine(opa_engine)
    policy_input = report_input()
    standin.mode = Mode.error
    assert cached.decide(policy_input).failed_closed

    standin.mode = Mode.normal
    decision = cached.decide(policy_input)

    assert decision.allow and not decision.failed_closed
    assert cached.stats.hits == 0


@pytest.mark.parametrize("make", [lambda e: e, lambda e: CachedEngine(e)], ids=["raw", "cached"])
def test_fail_closed_through_every_wrapper(
    standin: OpaStandIn, opa_engine: OpaEngine, make: Callable[[OpaEngine], object]
) -> None:
    engine = make(opa_engine)
    standin.mode = Mode.undefined

    decision = engine.decide(report_input())  # type: ignore[attr-defined]

    assert decision.failed_closed
    assert not decision.disclose
