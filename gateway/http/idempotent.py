"""One creating or changing POST answered once per ``Idempotency-Key`` (see gateway.idempotency).

A retry of the same request (same caller, path and body) gets the first reply and changes
nothing; the key reused for another request is a 409. Without a key the request simply runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gateway import idempotency
from gateway.context import RequestContext


def replied_once(
    ctx: RequestContext,
    key: str | None,
    *,
    path: str,
    body: BaseModel | None,
    status: int,
    make: Callable[[], BaseModel],
) -> JSONResponse:
    """``status`` with what ``make()`` returns, or the reply first given under ``key``."""
    ctx.write()  # the key's lookup and the change form one locked unit

    def run() -> tuple[int, dict[str, Any]]:
        return status, make().model_dump(mode="json")

    request_body = None if body is None else body.model_dump(mode="json")
    code, reply = idempotency.once_for_post(
        ctx.session, ctx.caller.id, key, ctx.now, run, path=path, body=request_body
    )
    return JSONResponse(reply, status_code=code)
