"""A stand-in for the sources' live interfaces (市级层面接口调用): the tax bureau and the
social-insurance bureau answer per enterprise at request time, and the platform stores nothing.

``GET /live/{dataset}/{uscc}`` returns ``{"dataset", "uscc", "records"}``. The knobs make the
failures the gateway must survive reproducible: a bearer token, a delay, datasets that fail.
Errors use the gateway's own body, an RFC 9457 problem (``gateway.error_handlers``).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
import uvicorn
from fastapi import Depends, FastAPI, Header
from sqlalchemy import Engine

from gateway import uscc as uscc_codes
from gateway.authorizations.service import AUTHORIZATION_TYP
from gateway.catalog import load_catalog
from gateway.db import unit_of_work
from gateway.error_handlers import install as install_error_handlers
from gateway.errors import Forbidden, InvalidInput, NotFound, ServiceUnavailable, Unauthenticated
from gateway.principals.keys import PublicKey, load_public_key
from gateway.principals.repository import active_keys

Record = dict[str, Any]


def _index(records: Mapping[str, Iterable[Record]]) -> dict[str, dict[str, list[Record]]]:
    index: dict[str, dict[str, list[Record]]] = {}
    for dataset, rows in records.items():
        by_subject: dict[str, list[Record]] = defaultdict(list)
        for row in rows:
            by_subject[row["uscc"]].append(row)
        index[dataset] = dict(by_subject)
    return index


KeysOf = Callable[[str], Sequence[PublicKey]]


@dataclass(frozen=True)
class GrantCheck:
    """How an authorized interface checks the enterprise's forwarded authorization: whose keys
    may have signed it (``keys_of(uscc)``), the audience it names, and the source's clock."""

    keys_of: KeysOf
    audience: str = "credgate"
    now: Callable[[], float] = time.time


def create_simulator_app(
    records: Mapping[str, Iterable[Record]],
    token: str | None = None,
    delay_seconds: float = 0.0,
    failing_datasets: Iterable[str] = frozenset(),
    authorized_datasets: Iterable[str] = frozenset(),
    grant_check: GrantCheck | None = None,
) -> FastAPI:
    """Serve ``records`` (dataset -> rows carrying ``uscc``) as a source's live interface.

    With ``token`` set every request needs ``Authorization: Bearer <token>``. Every answer waits
    ``delay_seconds`` first. Datasets in ``failing_datasets`` answer 503. Datasets in
    ``authorized_datasets`` (the list's 经企业授权 interfaces) answer only to the enterprise
    itself (``Credgate-Subject-Access: 1``) or with the enterprise's authorization forwarded in
    ``Credgate-Authorization``, checked as a source would (``grant_check``): signed by one of
    the enterprise's keys, for this audience, in force now, and covering the dataset asked for.
    (Revocation is the gateway's to enforce: it forwards only grants in force.)
    ``app.state.requests`` lists the (dataset, uscc) pairs that reached the source, in order.
    """
    index = _index(records)
    failing = frozenset(failing_datasets)
    needs_grant = frozenset(authorized_datasets)
    if needs_grant and grant_check is None:
        raise ValueError("authorized interfaces need a grant_check to verify authorizations")
    app = FastAPI(title="credgate source simulator", openapi_url=None)
    install_error_handlers(app)
    app.state.requests = []

    def authenticate(authorization: Annotated[str | None, Header()] = None) -> None:
        if token is None:
            return
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            presented.encode(), token.encode()
        ):
            raise Unauthenticated("the source requires a valid bearer token")

    @app.get("/live/{dataset}/{uscc}", dependencies=[Depends(authenticate)])
    async def live(
        dataset: str,
        uscc: str,
        credgate_authorization: Annotated[str | None, Header()] = None,
        credgate_subject_access: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        app.state.requests.append((dataset, uscc))
        if dataset in needs_grant and credgate_subject_access != "1":
            assert grant_check is not None
            _require_grant(credgate_authorization, uscc, dataset, grant_check)
        if delay_seconds > 0:
            await asyncio.sleep(delay_seconds)
        if dataset in failing:
            raise ServiceUnavailable(f"the source of {dataset} is not answering")
        if dataset not in index:
            raise NotFound(f"the source serves no dataset {dataset!r}")
        problem = uscc_codes.problem(uscc)
        if problem is not None:
            raise InvalidInput(f"not a valid USCC: {problem}", detail={"uscc": uscc})
        return {"dataset": dataset, "uscc": uscc, "records": index[dataset].get(uscc, [])}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "datasets": sorted(index)}

    return app


def _require_grant(token: str | None, uscc: str, dataset: str, check: GrantCheck) -> None:
    if not token:
        raise Forbidden("this interface answers only under the enterprise's authorization")
    try:
        unverified = jwt.decode_complete(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Forbidden("the forwarded authorization is not a JWS") from None
    if unverified["header"].get("typ") != AUTHORIZATION_TYP:
        raise Forbidden("the forwarded token is not an enterprise's authorization")
    if unverified["payload"].get("iss") != uscc:
        raise Forbidden("the forwarded authorization was not granted by this enterprise")
    claims = _verified(token, check.keys_of(uscc), check)
    if dataset not in _covered(claims):
        raise Forbidden(f"the forwarded authorization does not cover {dataset}")


def _verified(token: str, keys: Sequence[PublicKey], check: GrantCheck) -> dict[str, Any]:
    for key in keys:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["EdDSA", "ES256"],
                audience=check.audience,
                options={
                    "require": ["iss", "aud", "nbf", "exp"],
                    "verify_exp": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise Forbidden(f"the forwarded authorization is not valid: {exc}") from None
        now = check.now()
        if not claims["nbf"] <= now < claims["exp"]:
            raise Forbidden("the forwarded authorization is not in force")
        return claims
    raise Forbidden("the forwarded authorization is not signed by this enterprise")


def _covered(claims: dict[str, Any]) -> set[str]:
    """The datasets a grant covers: those it names, and those with a field of a class it
    names."""
    named = {d for d in claims.get("datasets", []) if isinstance(d, str)}
    classes = {c for c in claims.get("classes", []) if isinstance(c, str)}
    return named | {
        d.id
        for d in load_catalog().datasets
        if any(f.disclosure.value in classes for f in d.fields)
    }


def registered_keys(engine: Engine) -> KeysOf:
    """``keys_of`` for a :class:`GrantCheck` reading the keys enterprises registered with the
    platform (the demo's sources trust the platform's key register)."""

    def keys_of(uscc: str) -> list[PublicKey]:
        with unit_of_work(engine) as session:
            return [load_public_key(k.public_key_pem)[0] for k in active_keys(session, uscc)]

    return keys_of


def _require_loopback(host: str) -> None:
    # A simulator holds synthetic personal data and has no real authentication: keep it local.
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the simulator listens on loopback only, not on {host!r}")


def run_simulator_in_thread(
    app: FastAPI, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 10.0
) -> tuple[str, Callable[[], None]]:
    """Serve ``app`` with uvicorn in a daemon thread; return its base URL and a stop function.

    Port 0 picks a free port. The socket is bound before the thread starts, so the URL is
    usable as soon as this returns.
    """
    _require_loopback(host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"simulator:{bound_port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the source simulator did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()

    display_host = f"[{host}]" if family == socket.AF_INET6 else host
    return f"http://{display_host}:{bound_port}", stop
