"""The one interface both engines implement, and the fail-closed wrapper they share."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from gateway.policy.decision import Decision
from gateway.policy.errors import PolicyEngineError
from gateway.policy.inputs import PolicyInput

log = logging.getLogger(__name__)


class PolicyEngine(Protocol):
    """Decides one request.

    ``decide`` raises ``PolicyInputError`` for an input it refuses to send (before any engine
    is asked) and otherwise always returns a ``Decision``: an engine error, an undefined or
    malformed result, or a timeout comes back as a denial with ``failed_closed`` set.
    """

    @property
    def revision(self) -> str:
        """SHA-256 of the policy modules and data this engine decides with."""
        ...

    def decide(self, policy_input: PolicyInput | Mapping[str, Any]) -> Decision: ...


def decide_fail_closed(
    policy_input: PolicyInput,
    *,
    revision: str,
    engine: str,
    evaluate: Callable[[PolicyInput], object],
) -> Decision:
    """Run ``evaluate`` and parse its result; any failure at all becomes a denial."""
    try:
        return Decision.parse(evaluate(policy_input), policy_input, revision=revision)
    except PolicyEngineError as exc:
        log.warning("policy engine %s failed closed (%s): %s", engine, exc.reason, exc.message)
        return Decision.deny(policy_input, exc.reason, revision=revision)
    except Exception:
        # Whatever went wrong, nothing may be disclosed on the strength of it.
        log.exception("policy engine %s raised unexpectedly; failing closed", engine)
        return Decision.deny(policy_input, PolicyEngineError.reason, revision=revision)
