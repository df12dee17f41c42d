"""build_engine: the configured engine behind the cache, refusing to start without a policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.policy.cache import CachedEngine
from gateway.policy.embedded import EmbeddedEngine
from gateway.policy.errors import PolicyLoadError
from gateway.policy.factory import build_engine
from gateway.policy.opa import OpaEngine
from gateway.policy.source import PolicyFiles
from gateway.settings import PolicyEngineKind, Settings
from tests.policy.factories import report_input
from tests.policy.opa_standin import OpaStandIn


def test_embedded_is_the_default() -> None:
    engine = build_engine(Settings())

    assert isinstance(engine, CachedEngine)
    assert engine.revision == PolicyFiles.load().revision
    assert engine.decide(report_input()).allow


def test_opa_engine_from_settings(standin: OpaStandIn) -> None:
    settings = Settings(policy_engine=PolicyEngineKind.opa, opa_url=standin.url)
    asked_before = standin.requests

    engine = build_engine(settings, cache_size=0)

    assert isinstance(engine, OpaEngine)
    assert engine.decide(report_input()).allow
    assert standin.requests == asked_before + 1


def test_cache_can_be_turned_off() -> None:
    assert isinstance(build_engine(Settings(), cache_size=0), EmbeddedEngine)


def test_no_policy_no_engine(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError):
        build_engine(Settings(), policy_dir=tmp_path)
