from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.bootstrap import Services, build_services
from gateway.clock import SettableClock
from gateway.migrate import upgrade
from gateway.policy.engine import PolicyEngine
from gateway.policy.factory import build_engine
from gateway.settings import Environment, Settings
from tests.databases import BACKENDS, database_url_for
from tests.support.actors import Actor, register_actor

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend (SQLite file, fresh PostgreSQL schema)."""
    with database_url_for(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(NOW)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        environment=Environment.test,
        ledger_checkpoint_interval_seconds=0.05,
    )


@pytest.fixture(scope="session")
def policy_engine() -> PolicyEngine:
    """Compiling the policy takes a while: once per test session (decisions are pure)."""
    return build_engine(Settings())


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "credgate.db"
    upgrade(f"sqlite:///{path.as_posix()}")
    return path


@pytest.fixture
def services(
    settings: Settings,
    clock: SettableClock,
    policy_engine: PolicyEngine,
    migrated_sqlite_template: Path,
) -> Iterator[Services]:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        # a copy of a database migrated once per session; migrations are tested on their own
        shutil.copyfile(migrated_sqlite_template, url.removeprefix("sqlite:///"))
    else:
        upgrade(url)
    built = build_services(settings, clock, policy_engine)
    yield built
    built.engine.dispose()


@pytest.fixture
def app(services: Services) -> FastAPI:
    from gateway.app import create_app  # imported here so core-only test runs need no web stack

    return create_app(services)


@pytest.fixture
def http(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def make_actor(services: Services, http: TestClient, clock: SettableClock) -> Callable[..., Actor]:
    def factory(role: Any, principal_id: str | None = None, **kwargs: Any) -> Actor:
        return register_actor(services, http, clock, role, principal_id, **kwargs)

    return factory
