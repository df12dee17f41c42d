"""The source simulator over real HTTP: records, unknowns, token, delay, failures, shutdown."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI

from gateway import uscc
from gateway.demo import DemoData
from gateway.sources.simulator import create_simulator_app, run_simulator_in_thread

Serve = Callable[[FastAPI], str]


@pytest.fixture
def serve() -> Iterator[Serve]:
    stops: list[Callable[[], None]] = []

    def start(app: FastAPI) -> str:
        base_url, stop = run_simulator_in_thread(app)
        stops.append(stop)
        return base_url

    yield start
    for stop in stops:
        stop()


@pytest.fixture
def base_url(demo: DemoData, serve: Serve) -> str:
    return serve(create_simulator_app(demo.live_records()))


def _in_arrears(demo: DemoData) -> str:
    return str(next(r["uscc"] for r in demo.records["tax_arrears"] if r["in_arrears"]))


def test_serves_an_enterprises_live_records(demo: DemoData, base_url: str) -> None:
    code = _in_arrears(demo)
    for dataset in sorted(demo.live_datasets):
        response = httpx.get(f"{base_url}/live/{dataset}/{code}")
        assert response.status_code == 200
        assert response.json() == {
            "dataset": dataset,
            "uscc": code,
            "records": [r for r in demo.records[dataset] if r["uscc"] == code],
        }
    body = httpx.get(f"{base_url}/live/tax_arrears/{code}").json()
    assert body["records"][0]["in_arrears"] is True


def test_an_unknown_enterprise_has_no_records(demo: DemoData, base_url: str) -> None:
    stranger = uscc.generate(random.Random(99))
    assert stranger not in demo.enterprises
    response = httpx.get(f"{base_url}/live/tax_payments/{stranger}")
    assert response.status_code == 200
    assert response.json()["records"] == []


def test_an_unknown_dataset_is_404(demo: DemoData, base_url: str) -> None:
    response = httpx.get(f"{base_url}/live/business_licence/{demo.enterprises[0]}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_malformed_uscc_is_422(base_url: str) -> None:
    response = httpx.get(f"{base_url}/live/tax_payments/91210502ABCDEFGH00")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"


def test_a_token_is_required_when_configured(demo: DemoData, serve: Serve) -> None:
    url = serve(create_simulator_app(demo.live_records(), token="s3cret"))
    path = f"{url}/live/tax_arrears/{demo.enterprises[0]}"
    assert httpx.get(path).status_code == 401
    assert httpx.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(path, headers={"Authorization": "s3cret"}).status_code == 401
    assert httpx.get(path, headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_failing_datasets_answer_503_and_the_others_still_work(
    demo: DemoData, serve: Serve
) -> None:
    url = serve(create_simulator_app(demo.live_records(), failing_datasets={"tax_payments"}))
    code = demo.enterprises[0]
    failed = httpx.get(f"{url}/live/tax_payments/{code}")
    assert failed.status_code == 503 and failed.json()["error"] == "unavailable"
    assert httpx.get(f"{url}/live/tax_arrears/{code}").status_code == 200


def test_the_delay_makes_a_short_client_timeout_expire(demo: DemoData, serve: Serve) -> None:
    url = serve(create_simulator_app(demo.live_records(), delay_seconds=0.5))
    path = f"{url}/live/tax_arrears/{demo.enterprises[0]}"
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(path, timeout=0.1)
    started = time.monotonic()
    assert httpx.get(path, timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.5


def test_delayed_requests_are_served_concurrently(demo: DemoData, serve: Serve) -> None:
    url = serve(create_simulator_app(demo.live_records(), delay_seconds=0.4))
    paths = [f"{url}/live/tax_arrears/{code}" for code in demo.enterprises[:10]]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda p: httpx.get(p, timeout=5).status_code, paths))
    assert statuses == [200] * 10
    assert time.monotonic() - started < 2.0


def test_requests_that_reach_the_source_are_logged(demo: DemoData, serve: Serve) -> None:
    app = create_simulator_app(demo.live_records())
    url = serve(app)
    code = demo.enterprises[3]
    httpx.get(f"{url}/live/tax_arrears/{code}")
    httpx.get(f"{url}/live/social_insurance_arrears/{code}")
    assert app.state.requests == [("tax_arrears", code), ("social_insurance_arrears", code)]


def test_stopping_closes_the_port(demo: DemoData) -> None:
    url, stop = run_simulator_in_thread(create_simulator_app(demo.live_records()))
    assert httpx.get(f"{url}/health").json()["status"] == "ok"
    stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health", timeout=1)


def test_only_loopback_addresses_are_accepted(demo: DemoData) -> None:
    with pytest.raises(ValueError):
        run_simulator_in_thread(create_simulator_app({}), host="0.0.0.0")
