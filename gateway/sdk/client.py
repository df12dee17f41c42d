"""Typed clients for the gateway: ``Credgate`` (sync) and ``AsyncCredgate`` (async).

    from gateway.sdk import Credgate
    with Credgate("http://127.0.0.1:8000", "bank-icbc-benxi", "bank-icbc-benxi.pem") as bank:
        report = bank.report("91210502...", purpose="loan_underwriting")

Every request carries a fresh token signed with the caller's key; answers come back as the
gateway's own pydantic models, errors as ``gateway.sdk.errors`` exceptions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from gateway.access.schemas import AccessLogPageOut, ReportOut
from gateway.authorizations.schemas import AuthorizationOut
from gateway.ingestion.schemas import BatchResult
from gateway.principals.keys import PrivateKey
from gateway.sdk.calls import DEFAULT_GRANT_LIFETIME, Call, Calls, Check, load_key
from gateway.sdk.errors import GatewayUnreachable, error_from_response
from gateway.verification.schemas import BatchVerificationOut, BudgetOut, VerificationOut

T = TypeVar("T")


def _calls(
    principal_id: str,
    key_file: Path | str | None,
    private_key: PrivateKey | None,
    audience: str,
    clock: Callable[[], float] | None,
) -> Calls:
    if private_key is None:
        if key_file is None:
            raise ValueError("give key_file or private_key")
        private_key = load_key(key_file)
    return Calls(principal_id, private_key, audience, clock)


def _answer(call: Call[T], response: httpx.Response) -> T:
    if response.status_code >= 400:
        raise error_from_response(response)
    return call.answer.validate_json(response.content)


def _unreachable(base_url: object, exc: httpx.TransportError) -> GatewayUnreachable:
    return GatewayUnreachable(f"cannot reach the gateway at {base_url}: {exc}")


class Credgate:
    """A synchronous client for one principal."""

    def __init__(
        self,
        base_url: str,
        principal_id: str,
        key_file: Path | str | None = None,
        *,
        private_key: PrivateKey | None = None,
        audience: str = "credgate",
        clock: Callable[[], float] | None = None,
        transport: httpx.BaseTransport | None = None,
        http: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._calls = _calls(principal_id, key_file, private_key, audience, clock)
        self._http = http or httpx.Client(base_url=base_url, transport=transport, timeout=timeout)

    @property
    def principal_id(self) -> str:
        return self._calls.principal_id

    def _send(self, call: Call[T]) -> T:
        headers = {**call.headers, **self._calls.authorization_header()}
        try:
            response = self._http.request(
                call.method, call.path, params=call.params, json=call.json, headers=headers
            )
        except httpx.TransportError as exc:
            raise _unreachable(self._http.base_url, exc) from exc
        return _answer(call, response)

    def report(self, uscc: str, purpose: str) -> ReportOut:
        """An institution's report on an enterprise, only what the policy permits."""
        return self._send(self._calls.report(uscc, purpose))

    def my_report(self) -> ReportOut:
        """An enterprise's own report: everything held on it."""
        return self._send(self._calls.my_report())

    def verify(self, uscc: str, purpose: str, checks: Sequence[Check]) -> VerificationOut:
        """Yes/no answers to ``checks`` (``{"predicate": ..., "args": {...}}``) without values."""
        return self._send(self._calls.verify(uscc, purpose, checks))

    def verify_many(
        self, enterprises: Sequence[str], purpose: str, checks: Sequence[Check]
    ) -> BatchVerificationOut:
        """The same ``checks`` about up to 64 enterprises in one request (screening a list of
        demands). Each item has its own status: 200 with ``result``, or the error that
        enterprise alone got (``error``, ``detail``); only a failure of the whole request
        raises."""
        return self._send(self._calls.verify_many(enterprises, purpose, checks))

    def verification_budget(self) -> BudgetOut:
        """As an institution: distinct thresholds tested today per enterprise and predicate."""
        return self._send(self._calls.verification_budget())

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
    ) -> AuthorizationOut:
        """As an enterprise: sign an authorization for ``institution`` and store it."""
        return self._send(
            self._calls.grant(
                institution,
                purpose,
                datasets=datasets,
                classes=classes,
                modes=modes,
                valid_for=valid_for,
                not_before=not_before,
                use_limit=use_limit,
                authorization_id=authorization_id,
                idempotency_key=idempotency_key,
            )
        )

    def revoke(self, authorization_id: str, idempotency_key: str | None = None) -> AuthorizationOut:
        """As an enterprise: end an authorization now."""
        return self._send(self._calls.revoke(authorization_id, idempotency_key))

    def authorizations(self) -> list[AuthorizationOut]:
        """The authorizations the caller granted (enterprise) or holds (institution)."""
        return self._send(self._calls.authorizations())

    def authorization(self, authorization_id: str) -> AuthorizationOut:
        return self._send(self._calls.authorization(authorization_id))

    def access_log(
        self, limit: int = 50, before: int | None = None, size: int | None = None
    ) -> AccessLogPageOut:
        """A page of the enterprise's own ledger entries with inclusion proofs."""
        return self._send(self._calls.access_log(limit, before, size))

    def push_batch(
        self,
        dataset: str,
        batch_id: str,
        records: Sequence[Mapping[str, Any]],
        mode: str = "partial",
    ) -> BatchResult:
        """As a source: push records (``{"record_id", "retract", "fields"}``) as one batch;
        in ``all_or_nothing`` mode a bad record raises ``InvalidRequest`` for the whole."""
        return self._send(self._calls.push_batch(dataset, batch_id, records, mode))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Credgate:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncCredgate:
    """An asynchronous client for one principal (``httpx.AsyncClient``)."""

    def __init__(
        self,
        base_url: str,
        principal_id: str,
        key_file: Path | str | None = None,
        *,
        private_key: PrivateKey | None = None,
        audience: str = "credgate",
        clock: Callable[[], float] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._calls = _calls(principal_id, key_file, private_key, audience, clock)
        self._http = http or httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=timeout
        )

    @property
    def principal_id(self) -> str:
        return self._calls.principal_id

    async def _send(self, call: Call[T]) -> T:
        headers = {**call.headers, **self._calls.authorization_header()}
        try:
            response = await self._http.request(
                call.method, call.path, params=call.params, json=call.json, headers=headers
            )
        except httpx.TransportError as exc:
            raise _unreachable(self._http.base_url, exc) from exc
        return _answer(call, response)

    async def report(self, uscc: str, purpose: str) -> ReportOut:
        return await self._send(self._calls.report(uscc, purpose))

    async def my_report(self) -> ReportOut:
        return await self._send(self._calls.my_report())

    async def verify(self, uscc: str, purpose: str, checks: Sequence[Check]) -> VerificationOut:
        return await self._send(self._calls.verify(uscc, purpose, checks))

    async def verify_many(
        self, enterprises: Sequence[str], purpose: str, checks: Sequence[Check]
    ) -> BatchVerificationOut:
        return await self._send(self._calls.verify_many(enterprises, purpose, checks))

    async def verification_budget(self) -> BudgetOut:
        return await self._send(self._calls.verification_budget())

    async def grant(
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
    ) -> AuthorizationOut:
        return await self._send(
            self._calls.grant(
                institution,
                purpose,
                datasets=datasets,
                classes=classes,
                modes=modes,
                valid_for=valid_for,
                not_before=not_before,
                use_limit=use_limit,
                authorization_id=authorization_id,
                idempotency_key=idempotency_key,
            )
        )

    async def revoke(
        self, authorization_id: str, idempotency_key: str | None = None
    ) -> AuthorizationOut:
        return await self._send(self._calls.revoke(authorization_id, idempotency_key))

    async def authorizations(self) -> list[AuthorizationOut]:
        return await self._send(self._calls.authorizations())

    async def authorization(self, authorization_id: str) -> AuthorizationOut:
        return await self._send(self._calls.authorization(authorization_id))

    async def access_log(
        self, limit: int = 50, before: int | None = None, size: int | None = None
    ) -> AccessLogPageOut:
        return await self._send(self._calls.access_log(limit, before, size))

    async def push_batch(
        self,
        dataset: str,
        batch_id: str,
        records: Sequence[Mapping[str, Any]],
        mode: str = "partial",
    ) -> BatchResult:
        return await self._send(self._calls.push_batch(dataset, batch_id, records, mode))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncCredgate:
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.aclose()
