from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.policy.cache import CachedEngine
from gateway.policy.data import PolicyData, load_policy_data
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.engine import PolicyEngine
from gateway.policy.opa import OpaEngine
from gateway.policy.source import PolicyFiles
from tests.policy.opa_standin import Mode, OpaStandIn, running_standin


@pytest.fixture(scope="session")
def policy_files() -> PolicyFiles:
    return PolicyFiles.load()


@pytest.fixture(scope="session")
def policy_data() -> PolicyData:
    return load_policy_data()


@pytest.fixture(scope="session")
def embedded_engine(policy_files: PolicyFiles) -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(policy_files, timeout_seconds=10.0)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def session_standin(policy_files: PolicyFiles) -> Iterator[OpaStandIn]:
    with running_standin(policy_files) as standin:
        yield standin


@pytest.fixture
def standin(session_standin: OpaStandIn) -> Iterator[OpaStandIn]:
    """The OPA stand-in, back in normal mode after each test."""
    session_standin.mode = Mode.normal
    yield session_standin
    session_standin.mode = Mode.normal


@pytest.fixture(scope="session")
def opa_engine(session_standin: OpaStandIn, policy_files: PolicyFiles) -> OpaEngine:
    return OpaEngine.from_url(
        session_standin.url, revision=policy_files.revision, timeout_seconds=5.0
    )


ENGINE_KINDS = ["embedded", "opa", "cached-embedded", "cached-opa"]


@pytest.fixture(params=ENGINE_KINDS)
def engine(
    request: pytest.FixtureRequest,
    embedded_engine: EmbeddedEngine,
    opa_engine: OpaEngine,
    standin: OpaStandIn,
) -> PolicyEngine:
    """Every engine the gateway can be configured with, each behind the same interface."""
    kind = request.param
    base: PolicyEngine = opa_engine if kind.endswith("opa") else embedded_engine
    return CachedEngine(base) if kind.startswith("cached") else base
