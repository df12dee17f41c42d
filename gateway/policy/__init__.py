"""Access decisions: the Rego policy in ``policies/`` behind one ``PolicyEngine`` interface."""

from gateway.policy.cache import CachedEngine
from gateway.policy.data import PolicyData, load_policy_data
from gateway.policy.decision import Decision, Disclosure, Evaluation, Refusal, Withholding
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.engine import PolicyEngine
from gateway.policy.errors import (
    NonAsciiIdentifier,
    PolicyEngineError,
    PolicyEngineTimeout,
    PolicyEngineUnavailable,
    PolicyInputError,
    PolicyLoadError,
    PolicyResultMalformed,
    PolicyResultUndefined,
)
from gateway.policy.factory import build_engine
from gateway.policy.inputs import (
    AuthorizationGrant,
    Caller,
    PolicyInput,
    Predicate,
    Resource,
    build_policy_input,
)
from gateway.policy.opa import OpaEngine
from gateway.policy.source import PolicyFiles

__all__ = [
    "AuthorizationGrant",
    "CachedEngine",
    "Caller",
    "Decision",
    "Disclosure",
    "EmbeddedEngine",
    "Evaluation",
    "NonAsciiIdentifier",
    "OpaEngine",
    "PolicyData",
    "PolicyEngine",
    "PolicyEngineError",
    "PolicyEngineTimeout",
    "PolicyEngineUnavailable",
    "PolicyFiles",
    "PolicyInput",
    "PolicyInputError",
    "PolicyLoadError",
    "PolicyResultMalformed",
    "PolicyResultUndefined",
    "Predicate",
    "Refusal",
    "Resource",
    "Withholding",
    "build_engine",
    "build_policy_input",
    "load_policy_data",
]
