"""What each SDK method sends and what it expects back, shared by the sync and async clients
(they differ only in how the request travels)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

from cryptography.exceptions import UnsupportedAlgorithm
from pydantic import TypeAdapter

from gateway.access.schemas import AccessLogPageOut, ReportOut
from gateway.authorizations.schemas import AuthorizationOut
from gateway.client import sign_authorization, sign_token
from gateway.ingestion.schemas import BatchResult
from gateway.principals.keys import PrivateKey, load_private_key, private_key_algorithm
from gateway.sdk.errors import KeyFileError
from gateway.verification.schemas import (
    BatchVerificationOut,
    BudgetOut,
    CheckIn,
    VerificationOut,
)

T = TypeVar("T")

Check = CheckIn | Mapping[str, Any]
DEFAULT_GRANT_LIFETIME = timedelta(days=30)

_REPORT = TypeAdapter(ReportOut)
_VERIFICATION = TypeAdapter(VerificationOut)
_AUTHORIZATION = TypeAdapter(AuthorizationOut)
_AUTHORIZATIONS = TypeAdapter(list[AuthorizationOut])
_ACCESS_LOG = TypeAdapter(AccessLogPageOut)
_BATCH = TypeAdapter(BatchResult)
_BATCH_VERIFICATION = TypeAdapter(BatchVerificationOut)
_BUDGET = TypeAdapter(BudgetOut)


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    method: str
    path: str
    answer: TypeAdapter[T]
    params: dict[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def load_key(key_file: Path | str) -> PrivateKey:
    """The private key in a PEM file, or ``KeyFileError`` saying why not."""
    path = Path(key_file)
    try:
        key, _ = load_private_key(path)
    except FileNotFoundError:
        raise KeyFileError(f"key file {path} does not exist") from None
    except IsADirectoryError:
        raise KeyFileError(f"key file {path} is a directory") from None
    except OSError as exc:
        raise KeyFileError(f"key file {path} cannot be read: {exc.strerror}") from None
    except (ValueError, TypeError, UnsupportedAlgorithm, AssertionError) as exc:
        raise KeyFileError(
            f"key file {path} is not an unencrypted Ed25519 or P-256 private key (PEM): {exc}"
        ) from None
    return key


class Calls:
    """One principal's requests, each signed with its own key."""

    def __init__(
        self,
        principal_id: str,
        private_key: PrivateKey,
        audience: str,
        clock: Callable[[], float] | None,
    ) -> None:
        self.principal_id = principal_id
        self._key = private_key
        self._algorithm = private_key_algorithm(private_key)
        self._audience = audience
        self._clock = clock or time.time

    def authorization_header(self) -> dict[str, str]:
        token = sign_token(
            self.principal_id, self._key, self._algorithm, self._audience, now=self._clock()
        )
        return {"Authorization": f"Bearer {token}"}

    def report(self, uscc: str, purpose: str) -> Call[ReportOut]:
        return Call("GET", f"/v1/enterprises/{uscc}/report", _REPORT, {"purpose": purpose})

    def my_report(self) -> Call[ReportOut]:
        return Call("GET", "/v1/me/report", _REPORT)

    def verify(self, uscc: str, purpose: str, checks: Sequence[Check]) -> Call[VerificationOut]:
        # The gateway judges the request (InvalidRequest names what is wrong), not the SDK.
        body = {"purpose": purpose, "checks": _checks(checks)}
        return Call(
            "POST",
            f"/v1/enterprises/{uscc}/verifications",
            _VERIFICATION,
            json=body,
        )

    def verify_many(
        self, enterprises: Sequence[str], purpose: str, checks: Sequence[Check]
    ) -> Call[BatchVerificationOut]:
        body = {"purpose": purpose, "enterprises": list(enterprises), "checks": _checks(checks)}
        return Call("POST", "/v1/verifications", _BATCH_VERIFICATION, json=body)

    def verification_budget(self) -> Call[BudgetOut]:
        return Call("GET", "/v1/me/verification-budget", _BUDGET)

    def grant(
        self,
        institution: str,
        purpose: str,
        *,
        datasets: Sequence[str] = (),
        classes: Sequence[str] = (),
        modes: Sequence[str] = ("report",),
        valid_for: timedelta = DEFAULT_GRANT_LIFETIME,
        not_before: datetime | None = None,
        use_limit: int | None = None,
        authorization_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Call[AuthorizationOut]:
        start = int(not_before.timestamp()) if not_before else int(self._clock())
        token = sign_authorization(
            self.principal_id,
            self._key,
            institution=institution,
            purpose=purpose,
            datasets=list(datasets),
            classes=list(classes),
            modes=list(modes),
            not_before=start,
            expires_at=start + int(valid_for.total_seconds()),
            use_limit=use_limit,
            authorization_id=authorization_id,
            audience=self._audience,
        )
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return Call(
            "POST", "/v1/authorizations", _AUTHORIZATION, json={"token": token}, headers=headers
        )

    def revoke(
        self, authorization_id: str, idempotency_key: str | None = None
    ) -> Call[AuthorizationOut]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return Call(
            "POST",
            f"/v1/authorizations/{authorization_id}/revoke",
            _AUTHORIZATION,
            headers=headers,
        )

    def authorizations(self) -> Call[list[AuthorizationOut]]:
        return Call("GET", "/v1/authorizations", _AUTHORIZATIONS)

    def authorization(self, authorization_id: str) -> Call[AuthorizationOut]:
        return Call("GET", f"/v1/authorizations/{authorization_id}", _AUTHORIZATION)

    def access_log(
        self, limit: int = 50, before: int | None = None, size: int | None = None
    ) -> Call[AccessLogPageOut]:
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        if size is not None:
            params["size"] = size
        return Call("GET", "/v1/me/access-log", _ACCESS_LOG, params)

    def push_batch(
        self, dataset: str, batch_id: str, records: Sequence[Mapping[str, Any]], mode: str
    ) -> Call[BatchResult]:
        body = {"batch_id": batch_id, "mode": mode, "records": [dict(r) for r in records]}
        return Call("POST", f"/v1/datasets/{dataset}/batches", _BATCH, json=body)


def _checks(checks: Sequence[Check]) -> list[dict[str, Any]]:
    return [c.model_dump() if isinstance(c, CheckIn) else dict(c) for c in checks]
