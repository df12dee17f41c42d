"""Fixtures for the portal: a live gateway per backend and module, one chromium for the package.

The browser is Debian's chromium (``apt-get install chromium``), driven by playwright through
``executable_path``; playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.policy.engine import PolicyEngine
from tests.databases import BACKENDS
from tests.portal.live import LiveGateway, live_gateway

CHROMIUM = os.environ.get("CREDGATE_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module", params=BACKENDS)
def gateway(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    policy_engine: PolicyEngine,
) -> Iterator[LiveGateway]:
    with live_gateway(request.param, tmp_path_factory.mktemp("portal"), policy_engine) as live:
        yield live


# Package scope, not session: playwright's sync API keeps its event loop running in this thread
# while the browser is open, and the async tests that run after the portal's (tests/sdk) could
# not start their own loop.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: apt-get install -y chromium")
        pytest.skip("no chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (its own IndexedDB and localStorage) per test."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    yield context
    context.close()
