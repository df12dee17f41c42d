"""The portal's pages: Jinja2 shells with public content only (labels, the catalog, the
purposes); what is private is fetched by the page's script from the JSON API, signed there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final

import jinja2
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from gateway.catalog.model import DisclosureClass
from gateway.deps import ServicesDep
from gateway.financing.schemas import Collateral
from gateway.portal import i18n

# No inline script or style anywhere: scripts and styles come only from the portal's own
# static files; nothing may frame a page; the API is the only place a page may connect to.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("gateway.portal", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    role: str | None  # the role whose key the page's script expects
    nav: str  # message key of its navigation label
    script: str


PAGES: Final = (
    Page("/portal", "login.html", None, "nav.login", "login.js"),
    Page("/portal/enterprise", "enterprise_home.html", "enterprise", "nav.enterprise.home",
         "enterprise_home.js"),
    Page("/portal/enterprise/grant", "enterprise_grant.html", "enterprise", "nav.enterprise.grant",
         "enterprise_grant.js"),
    Page("/portal/enterprise/data", "enterprise_data.html", "enterprise", "nav.enterprise.data",
         "enterprise_data.js"),
    Page("/portal/enterprise/financing", "enterprise_financing.html", "enterprise",
         "nav.enterprise.financing", "enterprise_financing.js"),
    Page("/portal/enterprise/log", "enterprise_log.html", "enterprise", "nav.enterprise.log",
         "enterprise_log.js"),
    Page("/portal/institution", "institution.html", "institution", "nav.institution.home",
         "institution.js"),
    Page("/portal/assessor", "assessor.html", "assessor", "nav.assessor.home", "assessor.js"),
    Page("/portal/operator", "operator.html", "operator", "nav.operator.home", "operator.js"),
)  # fmt: skip

Lang = Annotated[str | None, Query(pattern="^(zh|en)$")]
router = APIRouter(include_in_schema=False)


def secured(response: Response, cache: str = "no-store") -> Response:
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = cache
    return response


class SecuredStaticFiles(StaticFiles):
    """The vendored scripts and styles, with the portal's security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        return secured(await super().get_response(path, scope), "no-cache")


def _render(page: Page, services: ServicesDep, lang: str | None) -> Response:
    language = i18n.language(lang)
    words = i18n.messages(language)
    catalog = services.catalog
    context: dict[str, Any] = {
        "lang": language,
        "t": words,
        "page": page,
        "pages": [p for p in PAGES if p.role == page.role and p.role is not None],
        "login": PAGES[0],
        "other_lang": "en" if language == "zh" else "zh",
        "audience": services.settings.audience,
        "server_time": int(services.clock.now().timestamp()),
        "purposes": [
            p for p, spec in services.policy_data.purposes.items() if "institution" in spec.roles
        ],
        "datasets": [d for d in catalog.datasets if d.in_sharing_list],
        "classes": [c.value for c in DisclosureClass if c is not DisclosureClass.public],
        "max_days": services.policy_data.max_authorization_lifetime.days,
        "collaterals": [c.value for c in Collateral],
        "roles": ["enterprise", "institution", "assessor", "operator"],
    }
    html = _templates.get_template(page.template).render(context)
    return secured(HTMLResponse(html))


def _page_route(page: Page) -> None:
    def show(services: ServicesDep, lang: Lang = None) -> Response:
        return _render(page, services, lang)

    router.add_api_route(page.path, show, methods=["GET"], response_class=HTMLResponse)


for _page in PAGES:
    _page_route(_page)


@router.get("/portal/")
def portal_root() -> Response:
    return secured(RedirectResponse("/portal", status_code=308))


@router.get("/portal/messages/{lang}.json")
def portal_messages(lang: str) -> Response:
    """The page scripts' words (the same table as the shells')."""
    return secured(JSONResponse(i18n.messages(lang)), "no-cache")
