"""Steps a user takes in the portal, shared by the browser tests and ``make screenshots``."""

from __future__ import annotations

from typing import Any

from tests.portal.live import Principal

LOADED = "table, .empty, .error"
HOMES = {
    "enterprise": "/portal/enterprise",
    "institution": "/portal/institution",
    "assessor": "/portal/assessor",
    "operator": "/portal/operator",
}


def sign_in(page: Any, base_url: str, principal: Principal, lang: str = "zh") -> None:
    """Import ``principal``'s key file on the key page, as a user would, and land on its home."""
    page.goto(f"{base_url}/portal?lang={lang}")
    page.set_input_files("#key-file", str(principal.key_file))
    page.fill("#principal", principal.id)
    page.select_option("#role", principal.role.value)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"**{HOMES[principal.role.value]}**")


def wait_loaded(page: Any, selector: str) -> None:
    page.wait_for_selector(f"{selector}:not([aria-busy])", timeout=10_000)
