"""A stand-in for the sources' live interfaces (市级层面接口调用): the tax bureau and the
social-insurance bureau answer per enterprise at request time, and the platform stores nothing.

``GET /live/{dataset}/{uscc}`` returns ``{"dataset", "uscc", "records"}``. The knobs make the
failures the gateway must survive reproducible: a bearer token, a delay, datasets that fail.
Errors use the gateway's own body, ``{"error": ..., "message": ..., "detail": ...}``.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any

import jwt
import uvicorn
from fastapi import Depends, FastAPI, Header

from gateway import uscc as uscc_codes
from gateway.error_handlers import install as install_error_handlers
from gateway.errors import Forbidden, InvalidInput, NotFound, ServiceUnavailable, Unauthenticated

Record = dict[str, Any]


def _index(records: Mapping[str, Iterable[Record]]) -> dict[str, dict[str, list[Record]]]:
    index: dict[str, dict[str, list[Record]]] = {}
    for dataset, rows in records.items():
        by_subject: dict[str, list[Record]] = defaultdict(list)
        for row in rows:
            by_subject[row["uscc"]].append(row)
        index[dataset] = dict(by_subject)
    return index


def create_simulator_app(
    records: Mapping[str, Iterable[Record]],
    token: str | None = None,
    delay_seconds: float = 0.0,
    failing_datasets: Iterable[str] = frozenset(),
    authorized_datasets: Iterable[str] = frozenset(),
) -> FastAPI:
    """Serve ``records`` (dataset -> rows carrying ``uscc``) as a source's live interface.

    With ``token`` set every request needs ``Authorization: Bearer <token>``. Every answer waits
    ``delay_seconds`` first. Datasets in ``failing_datasets`` answer 503. Datasets in
    ``authorized_datasets`` (the list's 经企业授权 interfaces) answer only with the enterprise's
    authorization forwarded in ``Credgate-Authorization`` (its issuer must be the enterprise
    asked about; a real source would also check the signature), or to the enterprise itself
    (``Credgate-Subject-Access: 1``). ``app.state.requests`` lists the (dataset, uscc) pairs that
    reached the source, in order.
    """
    index = _index(records)
    failing = frozenset(failing_datasets)
    needs_grant = frozenset(authorized_datasets)
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
            _require_grant(credgate_authorization, uscc)
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


def _require_grant(token: str | None, uscc: str) -> None:
    if not token:
        raise Forbidden("this interface answers only under the enterprise's authorization")
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        raise Forbidden("the forwarded authorization is not a JWS") from None
    if issuer != uscc:
        raise Forbidden("the forwarded authorization was not granted by this enterprise")


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
