"""Where the policy is read from: the packaged policy, or CREDGATE_POLICY_DIR."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.policy.data import load_policy_data
from gateway.policy.factory import build_engine
from gateway.policy.source import PolicyFiles, default_policy_dir, packaged_policy_dir
from gateway.settings import Settings, get_settings
from tests.policy.factories import policy_dir_with


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    load_policy_data.cache_clear()
    yield
    get_settings.cache_clear()
    load_policy_data.cache_clear()


def _changed_data(tmp_path: Path) -> Path:
    data = json.loads((packaged_policy_dir() / "data.json").read_text())
    data["credgate"]["params"]["authorization"]["max_lifetime_days"] = 7
    return policy_dir_with(tmp_path, data_json=json.dumps(data))


def test_the_packaged_policy_is_the_credgate_policies_package() -> None:
    import credgate_policies

    assert packaged_policy_dir() == Path(credgate_policies.__file__).parent
    assert (packaged_policy_dir() / "access.rego").is_file()


def test_without_a_setting_the_packaged_policy_is_used(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.delenv("CREDGATE_POLICY_DIR", raising=False)

    assert default_policy_dir() == packaged_policy_dir()


def test_credgate_policy_dir_replaces_the_packaged_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    configured = _changed_data(tmp_path)
    monkeypatch.setenv("CREDGATE_POLICY_DIR", str(configured))
    get_settings.cache_clear()

    assert default_policy_dir() == configured
    assert PolicyFiles.load().directory == configured
    assert load_policy_data().authorization.max_lifetime_days == 7


def test_the_engine_is_built_over_the_configured_policy(tmp_path: Path) -> None:
    configured = _changed_data(tmp_path)
    engine = build_engine(Settings(policy_dir=configured), cache_size=0)
    try:
        assert engine.revision == PolicyFiles.load(configured).revision
        assert engine.revision != PolicyFiles.load(packaged_policy_dir()).revision
    finally:
        close = getattr(engine, "close", None)
        if close is not None:
            close()


def test_a_configured_directory_that_does_not_exist_stops_the_engine(tmp_path: Path) -> None:
    from gateway.policy.errors import PolicyLoadError

    with pytest.raises(PolicyLoadError, match="does not exist"):
        build_engine(Settings(policy_dir=tmp_path / "missing"))
