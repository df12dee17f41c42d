from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.observability.logs import LogFormat, RequestIdFilter, logging_config
from gateway.observability.middleware import RequestObserver

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_a_valid_incoming_request_id_is_kept(http: TestClient) -> None:
    response = http.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:1"})
    assert response.headers["x-request-id"] == "lb-7f3a.42:1"


@pytest.mark.parametrize("sent", ["", "has space", "x" * 129, "换行", "a\tb"])
def test_an_unusable_request_id_is_replaced(http: TestClient, sent: str) -> None:
    response = http.get("/healthz", headers={"X-Request-ID": sent.encode("utf-8")})
    assert GENERATED.fullmatch(response.headers["x-request-id"])


def test_every_request_gets_its_own_id_even_on_errors(http: TestClient) -> None:
    ids = {http.get("/v1/principals").headers["x-request-id"] for _ in range(3)}  # 401s
    ids.add(http.get("/nowhere").headers["x-request-id"])  # 404
    assert len(ids) == 4 and all(GENERATED.fullmatch(i) for i in ids)


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The serve command's JSON logging, writing to a buffer."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logging.config.dictConfig(logging_config(LogFormat.json, "INFO"))
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def _app_that_logs() -> FastAPI:
    app = FastAPI()

    @app.get("/sync")
    def in_a_worker_thread() -> dict[str, str]:
        logging.getLogger("gateway.test").info("from a worker thread")
        return {}

    @app.get("/async")
    async def on_the_loop() -> dict[str, str]:
        logging.getLogger("gateway.test").warning("from the event loop")
        return {}

    @app.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError("unhandled")

    built = app.build_middleware_stack
    app.build_middleware_stack = lambda: RequestObserver(built(), None)  # type: ignore[method-assign]
    return app


def test_log_lines_are_json_objects_carrying_the_request_id(json_lines: io.StringIO) -> None:
    client = TestClient(_app_that_logs(), raise_server_exceptions=False)
    client.get("/sync", headers={"X-Request-ID": "req-sync"})
    client.get("/async", headers={"X-Request-ID": "req-async"})
    answer = client.get("/boom", headers={"X-Request-ID": "req-boom"})
    logging.getLogger("gateway.test").info("outside any request")

    assert answer.status_code == 500 and answer.headers["x-request-id"] == "req-boom"
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    by_message = {line["message"]: line for line in lines}
    assert by_message["from a worker thread"]["request_id"] == "req-sync"
    assert by_message["from the event loop"]["request_id"] == "req-async"
    assert by_message["from the event loop"]["level"] == "WARNING"
    assert by_message["outside any request"]["request_id"] == "-"
    assert {"time", "level", "logger", "message", "request_id"} <= by_message[
        "from a worker thread"
    ].keys()


def test_text_lines_carry_the_request_id_too() -> None:
    record = logging.LogRecord("gateway", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdFilter().filter(record)
    formatter = logging.Formatter(logging_config(LogFormat.text)["formatters"]["default"]["format"])
    assert formatter.format(record).endswith("gateway [-] hello")


def test_serve_refuses_an_unknown_log_format() -> None:
    from typer.testing import CliRunner

    from gateway.cli import app as cli

    result = CliRunner().invoke(cli, ["serve", "--log-format", "xml"])
    assert result.exit_code == 2
    assert "--log-format" in result.output


def test_serve_passes_its_logging_configuration_to_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from gateway.cli import app as cli

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr("gateway.cli._ensure_initialised", lambda: None)  # no data dir here
    assert CliRunner().invoke(cli, ["serve", "--log-format", "json"]).exit_code == 0
    assert seen["log_config"] == logging_config(LogFormat.json)
