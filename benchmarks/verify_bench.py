"""Full-path verification benchmark: JWT, policy, data, ledger commit — beside a bare endpoint.

Seeds a small embedded (SQLite) gateway, serves it with uvicorn in a subprocess on 127.0.0.1,
and drives it with 1, 16 and 64 concurrent clients (asyncio + httpx, tokens signed ahead so the
client spends its time sending). Prints requests per second and p50/p99 latency for
``POST /v1/enterprises/{uscc}/verifications`` and, as the baseline, ``GET /healthz`` on the same
server; then the policy decision time on the request path (cached) beside the uncached engine.

    .venv/bin/python benchmarks/verify_bench.py [--requests 1500] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.app import REQUEST_CONCURRENCY  # noqa: E402
from gateway.bootstrap import build_services, close_service_ledger, open_service_ledger  # noqa: E402
from gateway.client import sign_token  # noqa: E402
from gateway.demo.generator import generate_demo  # noqa: E402
from gateway.demo.seed import seed_demo  # noqa: E402
from gateway.migrate import upgrade  # noqa: E402
from gateway.principals.keys import load_private_key  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from gateway.sources.simulator import create_simulator_app, run_simulator_in_thread  # noqa: E402

CHECKS = [
    {"predicate": "housing_fund_contributors_at_least", "args": {"count": 5}},
    {"predicate": "years_in_operation_at_least", "args": {"years": 3}},
    {"predicate": "licence_in_force", "args": {}},
]


@contextmanager
def database(postgres_base: str) -> Iterator[str]:
    if not postgres_base:
        yield ""
        return
    from tests.databases import postgres_schema_url

    with postgres_schema_url(postgres_base) as url:
        yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(data_dir: Path, database_url: str) -> tuple[str, str, Path, str]:
    settings = Settings(data_dir=data_dir, database_url=database_url)
    upgrade(settings.effective_database_url)
    data = generate_demo(2022, 40, today=date.today())
    simulator_url, _stop = run_simulator_in_thread(create_simulator_app(data.live_records()))
    services = build_services(settings)
    from gateway.ledger_api.cli import init_signing_key

    init_signing_key(settings.effective_ledger_key_path)
    services.ledger = open_service_ledger(services)
    seeded = seed_demo(services, data, data_dir / "keys")
    close_service_ledger(services)
    services.engine.dispose()
    return seeded.institutions[0], seeded.enterprises_with_keys[0], seeded.keys_dir, simulator_url


def start_server(
    data_dir: Path, database_url: str, simulator_url: str, port: int, workers: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CREDGATE_DATA_DIR": str(data_dir),
        "CREDGATE_DATABASE_URL": database_url,
        "CREDGATE_LIVE_SOURCE_URL": simulator_url,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "gateway.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        "--limit-concurrency",
        str(REQUEST_CONCURRENCY),
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the gateway did not start")


async def drive(base: str, concurrency: int, total: int, make_request: object) -> list[float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker() -> None:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                response = await make_request(client, i)  # type: ignore[operator]
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def summary(name: str, concurrency: int, latencies: list[float], elapsed: float) -> str:
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rate = len(latencies) / elapsed
    return f"{name:<28} {concurrency:>4} {rate:>10.0f} {p50:>10.2f} {p99:>10.2f}"


def policy_times(data_dir: Path) -> str:
    from gateway.access import policy_input
    from gateway.policy.factory import build_engine
    from gateway.policy.inputs import Predicate, Resource
    from gateway.principals.models import InstitutionKind, Principal, PrincipalStatus, Role

    settings = Settings(data_dir=data_dir)
    bank = Principal(
        id="bank-x",
        role=Role.institution,
        kind=InstitutionKind.bank,
        name="x",
        created_at=date.today(),
    )  # type: ignore[arg-type]
    predicate = Predicate(
        name="housing_fund_contributors_at_least",
        reads=(Resource(dataset="housing_fund", disclosure_class="authorized"),),
    )
    from datetime import UTC, datetime

    request = policy_input.build(
        principal=bank,
        status=PrincipalStatus.active,
        action="verify",
        purpose="loan_underwriting",
        subject="91210502MA0000000X",
        now=datetime.now(UTC),
        predicates=[predicate],
    )
    lines = []
    for label, cache_size in (("uncached engine", 0), ("cached (request path)", 4096)):
        engine = build_engine(settings, cache_size=cache_size)
        engine.decide(request)
        samples = []
        for _ in range(300):
            started = time.perf_counter()
            engine.decide(request)
            samples.append((time.perf_counter() - started) * 1000)
        lines.append(f"policy decision, {label:<22} p50 {statistics.median(samples):.3f} ms")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1500, help="per concurrency level")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--postgres",
        default="",
        help="base PostgreSQL URL (a fresh schema is made in it); default: embedded SQLite",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database(options.postgres) as database_url:
        data_dir = Path(tmp)
        bank, enterprise, keys_dir, simulator_url = seed(data_dir, database_url)
        key, algorithm = load_private_key(keys_dir / f"{bank}.pem")
        port = free_port()
        server = start_server(data_dir, database_url, simulator_url, port, options.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            backend = "PostgreSQL" if options.postgres else "SQLite"
            print(
                f"credgate verification benchmark: {backend}, {options.workers} uvicorn worker(s), "
                f"{os.cpu_count()} CPUs, {options.requests} requests per level"
            )
            print(f"{'endpoint':<28} {'conc':>4} {'req/s':>10} {'p50 ms':>10} {'p99 ms':>10}")
            body = {"purpose": "loan_underwriting", "checks": CHECKS}
            url = f"/v1/enterprises/{enterprise}/verifications"
            for concurrency in (1, 16, 64):
                tokens = [sign_token(bank, key, algorithm) for _ in range(options.requests)]

                async def bare(client: httpx.AsyncClient, i: int) -> httpx.Response:
                    return await client.get("/healthz")

                async def full(
                    client: httpx.AsyncClient, i: int, tokens: list[str] = tokens
                ) -> httpx.Response:
                    return await client.post(
                        url, json=body, headers={"Authorization": f"Bearer {tokens[i]}"}
                    )

                for name, call in (("bare GET /healthz", bare), ("full-path verification", full)):
                    started = time.perf_counter()
                    latencies = asyncio.run(drive(base, concurrency, options.requests, call))
                    print(summary(name, concurrency, latencies, time.perf_counter() - started))
            print(policy_times(data_dir))
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
