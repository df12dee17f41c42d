"""What protects the portal without a browser: headers on every page and static file, no
cookies, the API refusing a cross-site form post, and no permissive CORS."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.portal.i18n import messages
from gateway.portal.pages import PAGES

STATIC = ("/portal/static/js/portal.js", "/portal/static/css/portal.css")


def _csp(response: Any) -> dict[str, str]:
    directives = (
        d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";")
    )
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


@pytest.mark.parametrize("path", [p.path for p in PAGES] + list(STATIC))
def test_pages_and_assets_carry_the_security_headers(http: Any, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    assert csp["frame-ancestors"] == "'none'" and csp["default-src"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in response.headers


def test_pages_speak_chinese_by_default_and_english_on_request(http: Any) -> None:
    zh = http.get("/portal/enterprise")
    en = http.get("/portal/enterprise", params={"lang": "en"})
    assert '<html lang="zh-CN">' in zh.text and "有效授权" in zh.text
    assert '<html lang="en">' in en.text and "Active grants" in en.text
    assert http.get("/portal/enterprise", params={"lang": "fr"}).status_code == 422


def test_both_languages_have_every_message() -> None:
    zh, en = messages("zh"), messages("en")
    assert zh.keys() == en.keys()
    assert all(zh[k] and en[k] for k in zh)


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/v1/authorizations", {"token": "x" * 40}),
        ("/v1/authorizations/authz-00000000/revoke", {}),
        ("/v1/me/objections", {"dataset": "business_licence", "record_id": "r", "reason": "x"}),
    ],
)
def test_a_cross_site_form_post_without_the_signed_header_is_refused(
    http: Any, path: str, form: dict[str, str]
) -> None:
    """CSRF: a form on another site can make the browser post, but cannot add the
    Authorization header signed per request, and the gateway reads no cookie."""
    response = http.post(
        path,
        data=form,
        headers={"Origin": "https://evil.example", "Referer": "https://evil.example/form"},
        cookies={"session": "anything"},
    )
    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers


def test_the_api_sends_no_permissive_cors_headers(http: Any) -> None:
    preflight = http.options(
        "/v1/authorizations",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code >= 400
    for response in (
        preflight,
        http.get("/v1/catalog", headers={"Origin": "https://evil.example"}),
    ):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers
