"""The one place where errors become HTTP responses: RFC 9457 ``application/problem+json``.

Every error, whether a service's, the ledger's, a validation failure, an unknown route or a
crash, is answered in one shape::

    {"type": "urn:credgate:problem:not_found", "title": "Not found", "status": 404,
     "detail": "<for humans>", "instance": "/v1/...", "error": "not_found", ...}

``error`` is the stable machine code (also the last part of ``type``). A structured
``detail`` of the raising error becomes extension members: a list (field problems, rejected
records) as ``errors``, a mapping key by key (``reason``, ``ledger_index``, ``parameter``...).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway import errors
from gateway.db import CommitNotDurable
from ledger import errors as ledger_errors

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:credgate:problem:"

STATUS_BY_ERROR: dict[type[errors.CredgateError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.RateLimited: 429,
    errors.ServiceUnavailable: 503,
}


# The ledger core raises its own errors (it knows no HTTP); their statuses live here too.
STATUS_BY_LEDGER_ERROR: dict[type[ledger_errors.LedgerError], int] = {
    ledger_errors.LedgerUnavailable: 503,
    ledger_errors.SigningKeyError: 503,
    ledger_errors.NotCheckpointed: 404,
    ledger_errors.InvalidRequest: 422,
    ledger_errors.EntryNotFound: 404,
    ledger_errors.CheckpointNotFound: 404,
    ledger_errors.VerificationError: 422,
    ledger_errors.InvalidEntry: 500,
}

# The framework's own refusals (unknown route, wrong method, unparseable body), by status.
CODE_BY_HTTP_STATUS = {
    400: "malformed_request",
    404: "no_such_route",
    405: "method_not_allowed",
    413: "payload_too_large",
}

_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "error"})


class FieldProblem(BaseModel):
    """One offending part of a request."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(examples=["query.size"], description="where: location and name")
    problem: str = Field(examples=["Input should be greater than or equal to 1"])


class Problem(BaseModel):
    """An RFC 9457 problem detail, as every error response carries it."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "description": "RFC 9457 problem details. A structured context of the error "
            "becomes further members (e.g. `reason`, `ledger_index`, `parameter`)."
        },
    )

    type: str = Field(examples=["urn:credgate:problem:invalid_input"])
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["invalid request: query.size"])
    instance: str = Field(examples=["/v1/me/access-log"])
    error: str = Field(
        examples=["invalid_input"], description="stable machine-readable code of the problem"
    )
    errors: list[dict[str, Any]] | None = Field(
        default=None,
        description="the offending fields ({field, problem}) or records, when there are several",
    )


def status_for(exc: Exception) -> int:
    """The status of ``exc``: that of its nearest mapped class, else 500."""
    table: dict[type, int] = {**STATUS_BY_ERROR, **STATUS_BY_LEDGER_ERROR}
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return 500


def problem_body(
    status: int, error: str, message: str, instance: str, detail: object = None
) -> dict[str, Any]:
    """The problem document; ``detail`` (structured context) becomes extension members."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + error,
        "title": error.replace("_", " ").capitalize(),
        "status": status,
        "detail": message,
        "instance": instance,
        "error": error,
    }
    if isinstance(detail, list):
        body["errors"] = detail
    elif isinstance(detail, dict):
        # the standard members win: an error's context never redefines them
        body.update({k: v for k, v in detail.items() if k not in _STANDARD_MEMBERS})
    elif detail is not None:
        body["context"] = detail
    return body


def problem_response(
    status: int,
    error: str,
    message: str,
    instance: str,
    detail: object = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A ready ASGI response carrying the problem (middlewares answer with it too)."""
    all_headers = dict(headers or {})
    if status == 401:
        all_headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        status_code=status,
        content=problem_body(status, error, message, instance, detail),
        headers=all_headers or None,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _render(
    request: Request,
    status: int,
    error: str,
    message: str,
    detail: object = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return problem_response(status, error, message, request.url.path, detail, headers)


async def _credgate_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.CredgateError)
    status = status_for(exc)
    if status >= 500:
        log.warning("failing closed: %s", exc.message)
    return _render(request, status, exc.code, exc.message, exc.detail)


async def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ledger_errors.LedgerError)
    status = status_for(exc)
    if status >= 500:
        log.warning("ledger failing closed: %s", exc.message)
    retry = {"Retry-After": "1"} if isinstance(exc, ledger_errors.NotCheckpointed) else None
    return _render(request, status, exc.code, exc.message, exc.detail, retry)


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in location)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"field": _field_name(err.get("loc", ())), "problem": err.get("msg", "invalid")}
        for err in exc.errors()
    ]
    names = ", ".join(dict.fromkeys(p["field"] for p in problems))
    return _render(request, 422, "invalid_input", f"invalid request: {names}", problems)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    # The framework's own: unknown routes, wrong methods, bodies it cannot parse.
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = CODE_BY_HTTP_STATUS.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    if status == 400 and exc.detail == "There was an error parsing the body":
        message = "the request body could not be parsed: send UTF-8 JSON, not nested too deeply"
    elif status == 404:
        message = f"no route {request.url.path}"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return _render(request, status, code, message, headers=dict(exc.headers or {}))


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    # A write lock not granted within the busy timeout (SQLite under load): nothing was
    # committed or disclosed, and the caller may retry.
    if "locked" not in str(exc) and "could not obtain lock" not in str(exc):
        raise exc
    log.warning("database busy: %s", exc)
    message = "the database is busy; retry shortly"
    return _render(request, 503, "busy", message, headers={"Retry-After": "1"})


async def _commit_not_durable(request: Request, exc: Exception) -> JSONResponse:
    log.critical("a commit could not be flushed to disk: %s", exc)
    message = "the database could not store this durably; retry later"
    return _render(request, 503, "not_durable", message)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Called by the outermost middleware, which still re-raises (and logs) the error.
    return _render(request, 500, "internal_error", "an unexpected error occurred")


def install(app: FastAPI) -> None:
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(CommitNotDurable, _commit_not_durable)
    app.add_exception_handler(errors.CredgateError, _credgate_error)
    app.add_exception_handler(ledger_errors.LedgerError, _ledger_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
