"""The web portal: server-rendered page shells whose scripts sign each API call in the browser.

The portal adds no way in. Its pages hold no data and need no authentication; their scripts
call the same JSON API (``/v1/...``) as any client, with a bearer token signed per request by
the principal's own key, imported into WebCrypto as non-extractable (docs/portal.md).
"""

from __future__ import annotations

from fastapi import FastAPI

from gateway.portal.pages import SecuredStaticFiles, router

STATIC_PATH = "/portal/static"


def install(app: FastAPI) -> None:
    """Serve the portal's pages and its vendored static files from ``app``."""
    app.include_router(router)
    app.mount(
        STATIC_PATH,
        SecuredStaticFiles(packages=[("gateway.portal", "static")]),
        name="portal-static",
    )
