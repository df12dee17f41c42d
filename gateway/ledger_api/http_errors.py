"""HTTP statuses for the ledger's errors, rendered like the gateway's other errors:
``{"error": code, "message": ..., "detail": ...}``. ``install`` adds the handler to an app."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ledger import errors

log = logging.getLogger(__name__)

STATUS_BY_LEDGER_ERROR: dict[type[errors.LedgerError], int] = {
    errors.LedgerUnavailable: 503,
    errors.LedgerCorrupted: 503,
    errors.SigningKeyError: 503,
    errors.NotCheckpointed: 404,
    errors.InvalidRequest: 422,
    errors.EntryNotFound: 404,
    errors.CheckpointNotFound: 404,
    errors.VerificationError: 422,
    errors.InvalidEntry: 500,
}


def status_for(exc: errors.LedgerError) -> int:
    """The status of ``exc``: that of its nearest mapped class, else 500."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_LEDGER_ERROR:
            return STATUS_BY_LEDGER_ERROR[cls]
    return 500


async def _ledger_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.LedgerError)
    status = status_for(exc)
    if status >= 500:
        log.warning("ledger failing closed: %s", exc.message)
    body: dict[str, object] = {"error": exc.code, "message": exc.message}
    if exc.detail is not None:
        body["detail"] = exc.detail
    headers = {"Retry-After": "1"} if isinstance(exc, errors.NotCheckpointed) else None
    return JSONResponse(status_code=status, content=body, headers=headers)


def install(app: FastAPI) -> None:
    """Render every ``LedgerError`` raised in ``app`` with its status."""
    app.add_exception_handler(errors.LedgerError, _ledger_error)
