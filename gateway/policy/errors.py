"""Errors of the policy layer. No HTTP here: ``gateway.error_handlers`` maps the base classes.

Two tiers, as everywhere in the gateway: ``PolicyInputError`` is raised *before* the engine is
asked (the request itself is wrong); the ``PolicyEngineError`` family describes an engine that
could not give a usable answer. Engines never let the latter escape ``decide()``: they turn it
into a fail-closed deny ``Decision`` whose ``reason`` is the error's ``reason``.
"""

from __future__ import annotations

from gateway.errors import CredgateError, InvalidInput, ServiceUnavailable


class PolicyInputError(InvalidInput):
    """The policy input is malformed; it was not sent to any engine."""


class NonAsciiIdentifier(PolicyInputError):
    """An identifier contains non-ASCII text, which regopy compares in escaped form."""


class PolicyLoadError(CredgateError):
    """The policy files or ``data.json`` are missing, unreadable or invalid (a startup error)."""

    code = "policy_load_error"


class PolicyEngineError(ServiceUnavailable):
    """The engine failed; the decision is a denial with ``reason``."""

    reason = "policy_engine_error"


class PolicyEngineUnavailable(PolicyEngineError):
    """The engine could not be reached (OPA server down, connection refused)."""

    reason = "policy_engine_unavailable"


class PolicyEngineTimeout(PolicyEngineError):
    """The engine did not answer within the configured time."""

    reason = "policy_engine_timeout"


class PolicyResultUndefined(PolicyEngineError):
    """The decision rule was undefined (no ``result`` from OPA, ``undefined`` from regopy)."""

    reason = "policy_result_undefined"


class PolicyResultMalformed(PolicyEngineError):
    """The engine answered, but not with a decision that matches the schema and the input."""

    reason = "policy_result_malformed"


ENGINE_FAILURE_REASONS = frozenset(
    cls.reason
    for cls in (
        PolicyEngineError,
        PolicyEngineUnavailable,
        PolicyEngineTimeout,
        PolicyResultUndefined,
        PolicyResultMalformed,
    )
)
