from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

REFERENCE = re.compile(r"""(?:src|href|spec-url)="([^"]+)"|url: '([^']+)'""")


def references(html: str) -> list[str]:
    return [a or b for a, b in REFERENCE.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_documentation_pages_load_only_local_assets(http: TestClient, page: str) -> None:
    response = http.get(page)
    assert response.status_code == 200
    assert "cdn" not in response.text.lower() and "googleapis" not in response.text
    urls = references(response.text)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    for url in urls:
        served = http.get(url)
        assert served.status_code == 200, url
        assert served.content


def test_the_vendored_assets_are_served_with_their_types(http: TestClient) -> None:
    js = http.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert js.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert "SwaggerUIBundle" in js.text
    assert (
        http.get("/static/swagger-ui/swagger-ui.css").headers["content-type"].startswith("text/css")
    )
    assert "Redoc" in http.get("/static/redoc/redoc.standalone.js").text
