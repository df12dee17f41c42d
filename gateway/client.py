"""A small client that signs each request with the caller's own key.

from gateway.client import CredgateClient
bank = CredgateClient("http://127.0.0.1:8000", "bank-001", "bank-001.pem")
bank.get("/v1/enterprises/91210502.../report", params={"purpose": "loan_underwriting"})
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt

from gateway.principals.keys import PrivateKey, key_id, load_private_key, private_key_algorithm
from gateway.principals.models import KeyAlgorithm


def sign_token(
    principal_id: str,
    private_key: PrivateKey,
    algorithm: KeyAlgorithm,
    audience: str = "credgate",
    lifetime_seconds: int = 120,
    now: float | None = None,
    **extra: Any,
) -> str:
    """A fresh bearer token: ``iss``, ``aud``, ``iat``, ``exp``, a random ``jti`` and ``kid``."""
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": principal_id,
        "aud": audience,
        "iat": issued,
        "exp": issued + lifetime_seconds,
        "jti": uuid.uuid4().hex,
        **extra,
    }
    headers = {"kid": key_id(private_key.public_key())}
    return jwt.encode(claims, private_key, algorithm=algorithm.value, headers=headers)


class CredgateClient:
    """An httpx client for one principal; every request gets a new signed token."""

    def __init__(
        self,
        base_url: str,
        principal_id: str,
        key_file: Path | str | None = None,
        *,
        private_key: PrivateKey | None = None,
        audience: str = "credgate",
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        if private_key is None:
            if key_file is None:
                raise ValueError("give key_file or private_key")
            private_key, algorithm = load_private_key(Path(key_file))
        else:
            algorithm = private_key_algorithm(private_key)
        self.principal_id = principal_id
        self._key = private_key
        self._algorithm = algorithm
        self._audience = audience
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=timeout)

    def token(self) -> str:
        return sign_token(self.principal_id, self._key, self._algorithm, self._audience)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        headers["Authorization"] = f"Bearer {self.token()}"
        return self._http.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CredgateClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def sign_authorization(
    enterprise_uscc: str,
    private_key: PrivateKey,
    *,
    institution: str,
    purpose: str,
    datasets: list[str] | None = None,
    classes: list[str] | None = None,
    modes: list[str] | None = None,
    not_before: int,
    expires_at: int,
    use_limit: int | None = None,
    authorization_id: str | None = None,
    audience: str = "credgate",
) -> str:
    """The compact JWS an enterprise signs to authorize an institution (see the service doc)."""
    claims: dict[str, Any] = {
        "iss": enterprise_uscc,
        "aud": audience,
        "iat": not_before,
        "nbf": not_before,
        "exp": expires_at,
        "jti": authorization_id or f"authz-{uuid.uuid4().hex}",
        "institution": institution,
        "purpose": purpose,
        "datasets": datasets or [],
        "classes": classes or [],
        "modes": modes or ["report"],
    }
    if use_limit is not None:
        claims["use_limit"] = use_limit
    headers = {"kid": key_id(private_key.public_key()), "typ": "credgate-authorization+jwt"}
    return jwt.encode(
        claims, private_key, algorithm=private_key_algorithm(private_key).value, headers=headers
    )
