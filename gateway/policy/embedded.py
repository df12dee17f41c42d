"""The embedded engine: the Rego policy evaluated in-process by regopy (rego-cpp).

regopy's ``Interpreter`` is not thread-safe (shared between threads it crashes the process or
mis-decides), so each thread compiles its own interpreter once and keeps it: compiling costs
about 15 ms, evaluating a compiled bundle a few milliseconds. Evaluations run on a small pool of
worker threads so that a caller can stop waiting: regopy cannot be interrupted, but a decision
that takes longer than ``timeout_seconds`` is a denial, and the number of interpreters (and of
runaway evaluations) is bounded by the pool size.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from regopy import Bundle, Interpreter

from gateway.policy.decision import Decision
from gateway.policy.engine import decide_fail_closed
from gateway.policy.errors import (
    PolicyEngineError,
    PolicyEngineTimeout,
    PolicyLoadError,
    PolicyResultMalformed,
    PolicyResultUndefined,
)
from gateway.policy.inputs import PolicyInput, coerce_input
from gateway.policy.source import DECISION_ENTRYPOINT, PolicyFiles

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class _Compiled:
    interpreter: Interpreter
    bundle: Bundle


class RegoEvaluator:
    """Evaluates entrypoints of a policy with regopy: one compiled interpreter per thread.

    ``evaluate`` returns the entrypoint's JSON value or raises a ``PolicyEngineError``. It is
    also what the OPA stand-in of the tests serves, so both engines run the same evaluation.
    """

    def __init__(
        self, files: PolicyFiles, entrypoints: Sequence[str] = (DECISION_ENTRYPOINT,)
    ) -> None:
        self._files = files
        self._entrypoints = tuple(entrypoints)
        self._local = threading.local()
        # Compile once here so that a broken policy stops the gateway at startup.
        self._local.compiled = self._compile()

    @property
    def entrypoints(self) -> tuple[str, ...]:
        return self._entrypoints

    def evaluate(self, entrypoint: str, input_json: str) -> Any:
        compiled = self._compiled()
        try:
            compiled.interpreter.set_input_term(input_json)
            output = compiled.interpreter.query_bundle_entrypoint(compiled.bundle, entrypoint)
            ok = output.ok()
            results = output.results
            text = "" if ok else str(output)
        except Exception as exc:
            # A failed set_input_term leaves the *previous* input in place: never reuse this
            # interpreter, or the next query could be answered for someone else's input.
            self._discard()
            raise PolicyEngineError(f"regopy failed: {exc}") from exc
        if not ok:
            self._discard()
            raise PolicyEngineError(f"regopy error: {text[:500]}")
        if len(results) != 1:
            raise PolicyResultMalformed(f"regopy returned {len(results)} results")
        expressions = results[0].expressions
        if not expressions:
            raise PolicyResultUndefined(f"{entrypoint} is undefined")
        if len(expressions) != 1 or results[0].bindings:
            raise PolicyResultMalformed("regopy returned more than one value")
        return expressions[0]

    def _compiled(self) -> _Compiled:
        compiled: _Compiled | None = getattr(self._local, "compiled", None)
        if compiled is None:
            try:
                compiled = self._compile()
            except PolicyLoadError as exc:
                raise PolicyEngineError(exc.message) from exc
            self._local.compiled = compiled
        return compiled

    def _discard(self) -> None:
        self._local.compiled = None

    def _compile(self) -> _Compiled:
        interpreter = Interpreter()
        try:
            for name, source in self._files.modules:
                interpreter.add_module(name, source)
            interpreter.add_data_json(self._files.data_json)
            bundle = interpreter.build(None, list(self._entrypoints))
        except Exception as exc:
            raise PolicyLoadError(f"regopy cannot compile the policy: {exc}") from exc
        if not bundle.ok():
            raise PolicyLoadError("regopy cannot compile the policy")
        return _Compiled(interpreter, bundle)


class EmbeddedEngine:
    """``PolicyEngine`` over regopy. Thread-safe; ``close()`` stops its worker threads.

    With ``timeout_seconds=None`` evaluation runs on the calling thread (no timeout), which is
    what the benchmark's and the stand-in's single-purpose threads use.
    """

    name = "embedded"

    def __init__(
        self,
        files: PolicyFiles,
        *,
        timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS,
        workers: int | None = None,
    ) -> None:
        self._files = files
        self._evaluator = RegoEvaluator(files)
        self._timeout = timeout_seconds
        self._pool: ThreadPoolExecutor | None = None
        if timeout_seconds is not None:
            self._pool = ThreadPoolExecutor(
                max_workers=workers or os.cpu_count() or 1, thread_name_prefix="regopy"
            )

    @property
    def revision(self) -> str:
        return self._files.revision

    def decide(self, policy_input: PolicyInput | Mapping[str, Any]) -> Decision:
        return decide_fail_closed(
            coerce_input(policy_input),
            revision=self.revision,
            engine=self.name,
            evaluate=self._evaluate,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _evaluate(self, policy_input: PolicyInput) -> Any:
        input_json = policy_input.canonical_json()
        if self._pool is None:
            return self._evaluator.evaluate(DECISION_ENTRYPOINT, input_json)
        future = self._pool.submit(self._evaluator.evaluate, DECISION_ENTRYPOINT, input_json)
        try:
            return future.result(timeout=self._timeout)
        except FutureTimeout:
            future.cancel()  # drops it if still queued; a running evaluation finishes unseen
            raise PolicyEngineTimeout(
                f"no decision within {self._timeout} s (regopy busy or slow)"
            ) from None
