"""The one place where errors become HTTP responses: ``{"error": ..., "detail": ...}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from gateway import errors
from gateway.db import CommitNotDurable
from ledger import errors as ledger_errors

log = logging.getLogger(__name__)

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


def status_for(exc: Exception) -> int:
    """The status of ``exc``: that of its nearest mapped class, else 500."""
    table: dict[type, int] = {**STATUS_BY_ERROR, **STATUS_BY_LEDGER_ERROR}
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return 500


def _render(status: int, error: str, message: str, detail: object = None) -> JSONResponse:
    body: dict[str, object] = {"error": error, "message": message}
    if detail is not None:
        body["detail"] = detail
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(status_code=status, content=body, headers=headers)


async def _credgate_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.CredgateError)
    status = status_for(exc)
    if status >= 500:
        log.warning("failing closed: %s", exc.message)
    return _render(status, exc.code, exc.message, exc.detail)


async def _ledger_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ledger_errors.LedgerError)
    status = status_for(exc)
    if status >= 500:
        log.warning("ledger failing closed: %s", exc.message)
    response = _render(status, exc.code, exc.message, exc.detail)
    if isinstance(exc, ledger_errors.NotCheckpointed):
        response.headers["Retry-After"] = "1"
    return response


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "location": ".".join(str(part) for part in err.get("loc", ())),
            "problem": err.get("msg", "invalid"),
        }
        for err in exc.errors()
    ]
    names = ", ".join(p["location"] for p in problems)
    return _render(422, "invalid_input", f"invalid request: {names}", problems)


async def _database_busy(_: Request, exc: Exception) -> JSONResponse:
    # A write lock not granted within the busy timeout (SQLite under load): nothing was
    # committed or disclosed, and the caller may retry.
    if "locked" not in str(exc) and "could not obtain lock" not in str(exc):
        raise exc
    log.warning("database busy: %s", exc)
    response = _render(503, "busy", "the database is busy; retry shortly")
    response.headers["Retry-After"] = "1"
    return response


async def _commit_not_durable(_: Request, exc: Exception) -> JSONResponse:
    log.critical("a commit could not be flushed to disk: %s", exc)
    return _render(503, "not_durable", "the database could not store this durably; retry later")


def install(app: FastAPI) -> None:
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(CommitNotDurable, _commit_not_durable)
    app.add_exception_handler(errors.CredgateError, _credgate_error)
    app.add_exception_handler(ledger_errors.LedgerError, _ledger_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
