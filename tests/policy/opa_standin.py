"""A stand-in for an OPA server, for tests only: it is NOT OPA.

No OPA binary can be installed on these machines, so the OPA engine is tested against this small
HTTP server on 127.0.0.1 that speaks the part of OPA's Data API the gateway uses:
``POST /v1/data/<path>`` with ``{"input": ...}`` answers ``{"result": <value>}``, or ``{}`` when
the document is undefined, exactly as OPA does. It evaluates the same ``policies/`` files with
regopy (``RegoEvaluator``), so it shows that the OPA engine's wire handling is right; it cannot
show that OPA's Go evaluator agrees with rego-cpp. Its ``mode`` makes it misbehave on purpose.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gateway.policy.embedded import RegoEvaluator
from gateway.policy.errors import PolicyResultUndefined
from gateway.policy.source import PolicyFiles

DATA_PREFIX = "/v1/data/"


class Mode(StrEnum):
    normal = "normal"
    undefined = "undefined"  # 200 without "result", as OPA answers an undefined document
    error = "error"  # 500 with OPA's error body
    hang = "hang"  # answers only after hang_seconds
    malformed = "malformed"  # 200 with a result that is not a decision
    not_json = "not_json"  # 200 with a body that is not JSON


class OpaStandIn:
    def __init__(self, files: PolicyFiles) -> None:
        self._evaluator = RegoEvaluator(files)
        self.mode = Mode.normal
        self.hang_seconds = 5.0
        self.requests = 0
        self.last_input: Any = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OpaStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, body: bytes) -> tuple[int, bytes]:
        with self._lock:
            self.requests += 1
        try:
            document = json.loads(body or b"{}")
        except ValueError:
            return 400, _json({"code": "invalid_parameter", "message": "body is not JSON"})
        self.last_input = document.get("input")
        mode = self.mode
        if mode is Mode.hang:
            self._stop.wait(self.hang_seconds)
        if mode is Mode.error:
            return 500, _json({"code": "internal_error", "message": "stand-in told to fail"})
        if mode is Mode.undefined:
            return 200, _json({})
        if mode is Mode.malformed:
            return 200, _json({"result": {"allow": "yes", "disclose": "everything"}})
        if mode is Mode.not_json:
            return 200, b"<html>not OPA</html>"
        entrypoint = path.removeprefix(DATA_PREFIX).strip("/")
        if entrypoint not in self._evaluator.entrypoints:
            return 200, _json({})  # OPA: an undefined document, not a 404
        input_json = json.dumps(document.get("input"), ensure_ascii=True)
        try:
            result = self._evaluator.evaluate(entrypoint, input_json)
        except PolicyResultUndefined:
            return 200, _json({})
        except Exception as exc:
            return 500, _json({"code": "internal_error", "message": str(exc)})
        return 200, _json({"result": result})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if not self.path.startswith(DATA_PREFIX):
                    self._send(404, _json({"code": "resource_not_found", "message": self.path}))
                    return
                length = int(self.headers.get("Content-Length") or 0)
                status, body = standin.answer(self.path, self.rfile.read(length))
                self._send(status, body)

            def _send(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _json(document: object) -> bytes:
    return json.dumps(document).encode()


@contextmanager
def running_standin(files: PolicyFiles) -> Iterator[OpaStandIn]:
    standin = OpaStandIn(files).start()
    try:
        yield standin
    finally:
        standin.stop()
