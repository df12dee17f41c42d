"""Fetching checkpoints and proofs from a gateway over HTTP, for the verifier and auditor.

Translates httpx's errors here: a network failure or a 5xx is ``FetchFailed`` (try again
later); a 4xx answer to a proof request is the log refusing to prove, a ``LedgerError``.
Answers are checked for shape only: ``ledger.verify`` decides what they prove.
"""

from __future__ import annotations

from typing import Any

import httpx

from ledger.errors import LedgerError, VerificationError
from ledger.note import b64decode_canonical


class FetchFailed(Exception):
    """The gateway could not be reached or failed (5xx): nothing was learned."""


class HttpLedger:
    """The ledger endpoints of the gateway at ``base_url`` (a ``CheckpointSource``)."""

    def __init__(self, base_url: str, *, timeout: float = 10.0, client: httpx.Client | None = None):
        self._client = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpLedger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, int] | None = None) -> httpx.Response:
        try:
            response = self._client.get(f"/v1/ledger{path}", params=params)
        except httpx.HTTPError as exc:
            raise FetchFailed(f"GET {path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise FetchFailed(f"GET {path}: HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code >= 400:
            try:
                message = response.json().get("detail", response.text)  # RFC 9457
            except ValueError:
                message = response.text
            raise LedgerError(f"GET {path}: HTTP {response.status_code}: {message}")
        return response

    def _json(self, path: str, params: dict[str, int]) -> dict[str, Any]:
        try:
            body = self._get(path, params).json()
        except ValueError as exc:
            raise VerificationError(f"GET {path}: answer is not JSON") from exc
        if not isinstance(body, dict):
            raise VerificationError(f"GET {path}: answer is not a JSON object")
        return body

    def _hashes(self, body: dict[str, Any], echo: dict[str, int]) -> list[bytes]:
        for name, value in echo.items():
            if body.get(name) != value:
                raise VerificationError(f"asked for {name}={value}, got {body.get(name)!r}")
        hashes = body.get("hashes")
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise VerificationError("proof answer has no list of base64 hashes")
        return [b64decode_canonical(h, "proof hash") for h in hashes]

    def latest_checkpoint(self) -> str:
        """The latest signed checkpoint note."""
        return self._get("/checkpoint").text

    def checkpoints_after(self, size: int, limit: int) -> list[str]:
        """Notes of every checkpoint issued with a size above ``size``, oldest first."""
        body = self._json("/checkpoints", {"after": size, "limit": limit})
        items = body.get("checkpoints")
        if not isinstance(items, list):
            raise VerificationError("checkpoint list answer has no checkpoints")
        return [str(item.get("note", "")) for item in items if isinstance(item, dict)]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The gateway's inclusion proof of ``index`` in the tree of ``size``."""
        echo = {"index": index, "size": size}
        return self._hashes(self._json("/proof/inclusion", echo), echo)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """The gateway's consistency proof from ``first`` to ``second``."""
        echo = {"first": first, "second": second}
        return self._hashes(self._json("/proof/consistency", echo), echo)
