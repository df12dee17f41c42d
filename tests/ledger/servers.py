"""A FastAPI app serving one ledger, and a live uvicorn server on 127.0.0.1 for URL tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import uvicorn
from fastapi import FastAPI

from gateway import error_handlers
from gateway.ledger_api.endpoints import router
from ledger import Ledger


def ledger_app(ledger: Ledger | None) -> FastAPI:
    app = FastAPI()
    app.state.services = SimpleNamespace(ledger=ledger)
    error_handlers.install(app)
    app.include_router(router)
    return app


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
