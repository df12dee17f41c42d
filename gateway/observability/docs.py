"""Swagger UI and ReDoc from assets shipped in the package (``gateway/static``), not a CDN:
the gateway runs on intranets without internet access, and a page that pulls scripts from a
third party at every view is a supply-chain risk. Versions and licences: gateway/static/README.md.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_PATH = "/static"


def install_docs(app: FastAPI, *, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve ``gateway/static`` and the two documentation pages built on it. The app must be
    created with ``docs_url=None, redoc_url=None`` (FastAPI's own pages use a CDN)."""
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
    title = app.title

    def _url(request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '')}{path}"

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=_url(request, app.openapi_url or "/openapi.json"),
            title=f"{title} — Swagger UI",
            swagger_js_url=_url(request, f"{STATIC_PATH}/swagger-ui/swagger-ui-bundle.js"),
            swagger_css_url=_url(request, f"{STATIC_PATH}/swagger-ui/swagger-ui.css"),
            swagger_favicon_url=_url(request, f"{STATIC_PATH}/swagger-ui/favicon-32x32.png"),
        )

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=_url(request, app.openapi_url or "/openapi.json"),
            title=f"{title} — ReDoc",
            redoc_js_url=_url(request, f"{STATIC_PATH}/redoc/redoc.standalone.js"),
            redoc_favicon_url=_url(request, f"{STATIC_PATH}/swagger-ui/favicon-32x32.png"),
            with_google_fonts=False,
        )
