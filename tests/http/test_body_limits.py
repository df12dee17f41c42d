"""A body is read only when its request could be served, and never beyond the limit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.bootstrap import Services
from gateway.principals.models import Role
from tests.support.actors import Actor

BIG = 27 * 1024 * 1024
CHUNK = 64 * 1024


class Exchange:
    """Drives the ASGI app by hand, counting what it reads of the body."""

    def __init__(self, body_chunks: int) -> None:
        self.chunks_left = body_chunks
        self.chunks_read = 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        self.chunks_read += 1
        self.chunks_left -= 1
        return {"type": "http.request", "body": b" " * CHUNK, "more_body": self.chunks_left > 0}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def body(self) -> dict[str, Any]:
        start = self.sent[0]
        assert (b"content-type", b"application/problem+json") in start["headers"]
        parsed: dict[str, Any] = json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))
        return parsed


def _call(app: FastAPI, path: str, headers: list[tuple[bytes, bytes]], chunks: int) -> Exchange:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }
    exchange = Exchange(chunks)
    anyio.run(app, scope, exchange.receive, exchange.send)
    return exchange


def test_27_mb_without_a_token_is_401_before_any_of_it_is_read(app: FastAPI) -> None:
    length = [(b"content-length", str(BIG).encode())]
    exchange = _call(app, "/v1/principals", length, BIG // CHUNK)
    assert exchange.status == 401 and exchange.chunks_read == 0
    assert exchange.body["detail"] == "missing bearer token: send Authorization: Bearer <JWT>"
    assert (b"www-authenticate", b"Bearer") in exchange.sent[0]["headers"]


def test_a_streamed_body_without_a_token_is_401_before_it_is_read(app: FastAPI) -> None:
    chunked = [(b"transfer-encoding", b"chunked"), (b"authorization", b"Basic eDp5")]
    exchange = _call(app, "/v1/me/objections", chunked, BIG // CHUNK)
    assert exchange.status == 401 and exchange.chunks_read == 0


def test_an_oversize_content_length_is_413_before_any_of_it_is_read(
    app: FastAPI, services: Services
) -> None:
    limit = services.settings.max_body_bytes
    headers = [(b"content-length", str(limit + 1).encode()), (b"authorization", b"Bearer a.b.c")]
    exchange = _call(app, "/v1/principals", headers, (limit + 1) // CHUNK + 1)
    assert exchange.status == 413 and exchange.chunks_read == 0
    assert exchange.body["error"] == "payload_too_large"
    assert str(limit) in exchange.body["detail"]


def test_a_streamed_body_is_cut_off_once_past_the_limit(
    app: FastAPI, services: Services, make_actor: Callable[..., Actor]
) -> None:
    operator = make_actor(Role.operator)
    headers = [
        (b"transfer-encoding", b"chunked"),
        (b"authorization", f"Bearer {operator.token()}".encode()),
    ]
    exchange = _call(app, "/v1/principals", headers, BIG // CHUNK)
    assert exchange.status == 413 and exchange.body["error"] == "payload_too_large"
    assert exchange.chunks_read == services.settings.max_body_bytes // CHUNK + 1


def test_a_public_route_is_not_refused_for_lacking_a_token(http: TestClient) -> None:
    response = http.get("/v1/catalog", headers={"content-length": "0"})
    assert response.status_code == 200


def test_a_batch_may_be_larger_than_other_bodies(
    http: TestClient, services: Services, make_actor: Callable[..., Actor]
) -> None:
    source = make_actor(Role.operator)
    padding = "x" * services.settings.max_body_bytes
    body = {"batch_id": "b-1", "records": [], "padding": padding}
    too_big_elsewhere = source.post("/v1/me/objections", json=body)
    assert too_big_elsewhere.status_code == 413
    batch = source.post("/v1/datasets/business_licence/batches", json=body)
    assert batch.status_code == 422 and batch.json()["error"] == "invalid_input"
