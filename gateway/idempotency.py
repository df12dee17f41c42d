"""Replies remembered under a caller's ``Idempotency-Key`` so a retry gets the same answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import rfc8785
from sqlmodel import Session, select

from gateway.authorizations.models import IdempotentReply
from gateway.errors import Conflict, InvalidInput

MAX_KEY = 128


def request_digest(method: str, path: str, body: Any) -> str:
    """SHA-256 of the request in canonical JSON (RFC 8785); a body RFC 8785 cannot hold (an
    integer beyond 2**53) is digested as sorted, compact JSON instead: equal requests still
    get equal digests, and such a body never reaches a 500 here."""
    request = {"method": method, "path": path, "body": body}
    try:
        canonical = rfc8785.dumps(request)
    except rfc8785.CanonicalizationError:
        canonical = json.dumps(request, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY or not key.isascii():
        raise InvalidInput(
            "Idempotency-Key must be 1-128 ASCII characters",
            detail=[{"field": "Idempotency-Key", "problem": "1-128 ASCII characters"}],
        )
    return key


def previous_reply(
    session: Session, principal_id: str, key: str, digest: str
) -> IdempotentReply | None:
    reply = session.exec(
        select(IdempotentReply).where(
            IdempotentReply.principal_id == principal_id, IdempotentReply.key == key
        )
    ).first()
    if reply is not None and reply.request_digest != digest:
        raise Conflict("this Idempotency-Key was used for a different request")
    return reply


def remember(
    session: Session,
    principal_id: str,
    key: str,
    digest: str,
    status_code: int,
    body: dict[str, Any],
    now: datetime,
) -> None:
    session.add(
        IdempotentReply(
            principal_id=principal_id,
            key=key,
            request_digest=digest,
            status_code=status_code,
            body=body,
            created_at=now,
        )
    )


def once(
    session: Session,
    principal_id: str,
    key: str | None,
    digest: str,
    now: datetime,
    run: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any]]:
    """``run()``'s (status, body); with a key, the first reply to that key is replayed."""
    if key is None:
        return run()
    previous = previous_reply(session, principal_id, check_key(key), digest)
    if previous is not None:
        return previous.status_code, previous.body
    status_code, body = run()
    remember(session, principal_id, key, digest, status_code, body, now)
    return status_code, body


def once_for_post(
    session: Session,
    principal_id: str,
    key: str | None,
    now: datetime,
    run: Callable[[], tuple[int, dict[str, Any]]],
    *,
    path: str,
    body: Any = None,
) -> tuple[int, dict[str, Any]]:
    """:func:`once` for ``POST path`` with ``body``: the request digest is made here."""
    return once(session, principal_id, key, request_digest("POST", path, body), now, run)
