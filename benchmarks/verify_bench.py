"""Full-path verification benchmark: JWT, policy, data, ledger commit — beside a bare endpoint.

Seeds a small gateway (embedded SQLite, or a fresh PostgreSQL schema), lets ``--enterprises``
enterprises each authorize a benchmarking bank to verify for ``loan_underwriting``, serves the
gateway with uvicorn in a subprocess on 127.0.0.1 and drives it with wrk (one thread, so the
load generator leaves the other core to the server) at 1, 16 and 64 connections. Each request is
``POST /v1/enterprises/{uscc}/verifications`` with a fresh pre-signed token (the gateway refuses
a replayed ``jti``), round-robin over the enterprises; the baseline is ``GET /healthz`` on the
same server; the framework's floor is the same route doing no work, served alike by another
uvicorn process (``benchmarks/framework_floor.py``). Prints requests per second, p50/p99
latency, the server's CPU milliseconds per request and errors per level, the issue's target at
64 connections, then the policy decision time (cached beside uncached).

Without wrk on PATH (``apt-get install -y wrk``) an asyncio + httpx client stands in; it shares
the CPUs with the server, so its figures understate the gateway.

    .venv/bin/python benchmarks/verify_bench.py [--seconds 10] [--workers 1] [--enterprises 16]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.access import policy_input  # noqa: E402
from gateway.app import REQUEST_CONCURRENCY  # noqa: E402
from gateway.bootstrap import (  # noqa: E402
    Services,
    build_services,
    close_service_ledger,
    open_service_ledger,
)
from gateway.client import sign_token  # noqa: E402
from gateway.db import unit_of_work  # noqa: E402
from gateway.demo.generator import generate_demo  # noqa: E402
from gateway.demo.seed import grant_authorization, seed_demo  # noqa: E402
from gateway.ledger_api.cli import init_signing_key  # noqa: E402
from gateway.migrate import upgrade  # noqa: E402
from gateway.policy.factory import build_engine  # noqa: E402
from gateway.policy.inputs import Predicate, Resource  # noqa: E402
from gateway.principals import service as principals  # noqa: E402
from gateway.principals.keys import (  # noqa: E402
    PrivateKey,
    generate_private_key,
    load_private_key,
    private_key_algorithm,
    public_pem,
)
from gateway.principals.models import (  # noqa: E402
    InstitutionKind,
    Principal,
    PrincipalStatus,
    Role,
)
from gateway.settings import Settings  # noqa: E402
from gateway.sources.simulator import create_simulator_app, run_simulator_in_thread  # noqa: E402
from verifiers import get_predicate  # noqa: E402

LUA_SCRIPT = Path(__file__).with_suffix(".lua")
LEVELS = (1, 16, 64)
WRK_THREADS = 1  # the other core serves
WARM_UP_SECONDS = 2
WARM_UP_CONNECTIONS = 16
DEMO_ENTERPRISES = 40
BANK = "bank-bench"
PURPOSE = "loan_underwriting"
CHECKS = [
    {"predicate": "housing_fund_contributors_at_least", "args": {"count": 5}},
    {"predicate": "years_in_operation_at_least", "args": {"years": 3}},
    {"predicate": "licence_in_force", "args": {}},
]
BODY = {"purpose": PURPOSE, "checks": CHECKS}
HEALTHZ = "/healthz"
# Issue 13's targets at 64 clients, beside the framework floor of the same run.
TARGET_SHARE_OF_FLOOR = 0.30
TARGET_P99_MS = 150.0
TARGET_CPU_MS = 1.3
STRETCH_RATE = 1_000
STRETCH_P99_MS = 50.0
BATCH_ENTERPRISES = 16
BATCH_CONNECTIONS = 16
TARGET_BATCH_CHECKS_PER_CORE = 1_500


@dataclass(frozen=True)
class World:
    """What the load needs from the seeded gateway."""

    bank_key: PrivateKey
    enterprises: list[str]
    simulator_url: str
    token_lifetime: int

    @property
    def paths(self) -> list[str]:
        return [f"/v1/enterprises/{code}/verifications" for code in self.enterprises]

    def tokens(self, count: int) -> list[str]:
        algorithm = private_key_algorithm(self.bank_key)
        return [
            sign_token(BANK, self.bank_key, algorithm, lifetime_seconds=self.token_lifetime)
            for _ in range(count)
        ]


@dataclass(frozen=True)
class Job:
    """A full-path run: one single-use token per request, paths cycled through."""

    tokens: list[str]
    paths: list[str]
    body: dict[str, object] = field(default_factory=lambda: BODY)


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    status_errors: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    sent: int
    replayed: int  # requests sent after the tokens ran out (they come back 401)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        return self.status_errors + self.socket_errors

    def problem(self, what: str) -> str | None:
        if not self.errors:
            return None
        text = (
            f"ERROR {what}: {self.status_errors} non-2xx responses, "
            f"{self.socket_errors} socket errors"
        )
        if self.replayed:
            text += f"; tokens ran out ({self.replayed} replayed): raise --tokens-per-second"
        return text


Load = Callable[[str, int, int, Job | None], Result]


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


def _register(
    services: Services, principal_id: str, role: Role, name: str, kind: InstitutionKind | None
) -> PrivateKey:
    key = generate_private_key()
    now = services.clock.now()
    with unit_of_work(services.engine) as session:
        principals.register(session, principal_id, role, name, now, kind)
        principals.add_key(session, principal_id, public_pem(key.public_key()), now)
    return key


def _grant(services: Services, enterprise: str, key: PrivateKey) -> None:
    """``enterprise`` lets the bank verify what the checks read, with no use limit, for a day."""
    grant_authorization(
        services,
        enterprise,
        key,
        institution=BANK,
        purpose=PURPOSE,
        datasets=sorted({d for c in CHECKS for d in get_predicate(c["predicate"]).datasets}),
        modes=["verify"],
        days=1,
        authorization_id=f"bench-{enterprise}",
    )


def seed(data_dir: Path, database_url: str, enterprises: int) -> World:
    settings = Settings(data_dir=data_dir, database_url=database_url)
    upgrade(settings.effective_database_url)
    data = generate_demo(2022, max(DEMO_ENTERPRISES, enterprises), today=date.today())
    simulator_url, _stop = run_simulator_in_thread(create_simulator_app(data.live_records()))
    services = build_services(settings)
    init_signing_key(settings.effective_ledger_key_path)
    services.ledger = open_service_ledger(services)
    try:
        seeded = seed_demo(services, data, data_dir / "keys")
        bank_key = _register(services, BANK, Role.institution, "基准测试银行", InstitutionKind.bank)
        codes = data.enterprises[:enterprises]
        for code in codes:
            if code in seeded.enterprises_with_keys:
                key, _ = load_private_key(seeded.keys_dir / f"{code}.pem")
            else:
                name = data.profiles[code].get("name", code)
                key = _register(services, code, Role.enterprise, name, None)
            _grant(services, code, key)
    finally:
        close_service_ledger(services)
        services.engine.dispose()
    return World(bank_key, codes, simulator_url, settings.max_token_lifetime_seconds)


GATEWAY_APP = ["gateway.app:create_app", "--factory"]
FLOOR_APP = ["benchmarks.framework_floor:app"]


def start_server(
    data_dir: Path,
    database_url: str,
    simulator_url: str,
    port: int,
    workers: int,
    app: list[str] = GATEWAY_APP,
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
        *app,
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
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the gateway did not start")


def check_enterprises(base: str, world: World) -> None:
    """One real request per enterprise: the load must measure answers, not denials."""
    with httpx.Client(base_url=base, timeout=30) as client:
        for path, token in zip(world.paths, world.tokens(len(world.paths)), strict=True):
            response = client.post(path, json=BODY, headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 200:
                raise SystemExit(f"POST {path}: HTTP {response.status_code} {response.text[:300]}")
            refused = [r for r in response.json()["results"] if not r["permitted"]]
            if refused:
                raise SystemExit(f"POST {path}: checks not permitted: {refused}")


def _parse_wrk(stdout: str) -> Result:
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            requests, duration_us, status, sockets, p50, p99, sent, replayed = line.split()[1:]
            return Result(
                int(requests),
                int(duration_us) / 1e6,
                int(status),
                int(sockets),
                float(p50),
                float(p99),
                int(sent),
                int(replayed),
            )
    raise RuntimeError(f"no RESULT line from wrk:\n{stdout}")


def wrk_load(wrk: str, work_dir: Path) -> Load:
    def run(base: str, connections: int, seconds: int, job: Job | None) -> Result:
        command = [wrk, f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s"]
        command += ["--timeout", "10s", "-s", str(LUA_SCRIPT)]
        if job is None:
            command.append(base + HEALTHZ)
        else:
            files = {"tokens": job.tokens, "body": [json.dumps(job.body)], "paths": job.paths}
            for name, lines in files.items():
                (work_dir / f"{name}.txt").write_text("\n".join(lines) + "\n")
            command += [base, "--", str(work_dir / "tokens.txt"), str(WRK_THREADS)]
            command += [str(work_dir / "body.txt"), str(work_dir / "paths.txt")]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return _parse_wrk(done.stdout)

    return run


async def _httpx_drive(base: str, connections: int, seconds: int, job: Job | None) -> Result:
    latencies: list[float] = []
    counts = {"sent": 0, "status": 0, "socket": 0}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:

        async def one(i: int) -> httpx.Response:
            if job is None:
                return await client.get(HEALTHZ)
            token = job.tokens[i % len(job.tokens)]
            path = job.paths[i % len(job.paths)]
            return await client.post(
                path, json=job.body, headers={"Authorization": f"Bearer {token}"}
            )

        async def worker() -> None:
            while time.perf_counter() < deadline:
                i = counts["sent"]
                counts["sent"] += 1
                began = time.perf_counter()
                try:
                    response = await one(i)
                except httpx.HTTPError:
                    counts["socket"] += 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)
                counts["status"] += response.status_code >= 400

        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [math.nan]
    return Result(
        len(latencies),
        elapsed,
        counts["status"],
        counts["socket"],
        ordered[len(ordered) // 2],
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        counts["sent"],
        max(0, counts["sent"] - len(job.tokens)) if job else 0,
    )


def httpx_load(base: str, connections: int, seconds: int, job: Job | None) -> Result:
    return asyncio.run(_httpx_drive(base, connections, seconds, job))


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by the server and its worker processes, read from
    Linux's /proc; None elsewhere."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(entry.name) == pid or int(fields[1]) == pid:
                total += int(fields[11]) + int(fields[12])
        return total / ticks
    except (OSError, ValueError):
        return None


def measured(load: Load, pid: int) -> Callable[[str, int, int, Job | None], tuple[Result, str]]:
    """``load``, also giving the server's CPU milliseconds per answered request."""

    def run(base: str, connections: int, seconds: int, job: Job | None) -> tuple[Result, str]:
        before = server_cpu_seconds(pid)
        result = load(base, connections, seconds, job)
        after = server_cpu_seconds(pid)
        if before is None or after is None or not result.requests:
            return result, "-"
        return result, f"{(after - before) * 1000 / result.requests:.2f}"

    return run


def row(name: str, connections: int, result: Result, cpu: str) -> str:
    return (
        f"{name:<28} {connections:>5} {result.rate:>10.0f} {result.p50_ms:>10.2f} "
        f"{result.p99_ms:>10.2f} {cpu:>12} {result.errors:>7}"
    )


def target_lines(full: Result, cpu: str, floor: Result) -> list[str]:
    """Issue 13's targets at 64 clients, each with its verdict."""
    share = full.rate / floor.rate if floor.rate else 0.0
    cpu_ms = float(cpu) if cpu != "-" else math.inf

    def verdict(met: bool) -> str:
        return "MET" if met and not full.errors else "NOT MET"

    return [
        f"target: full path >= {TARGET_SHARE_OF_FLOOR:.0%} of the floor's req/s at 64 clients: "
        f"{share:.1%} ({full.rate:,.0f} / {floor.rate:,.0f}) -> "
        f"{verdict(share >= TARGET_SHARE_OF_FLOOR)}",
        f"target: p99 at 64 clients <= {TARGET_P99_MS:.0f} ms: {full.p99_ms:.1f} ms -> "
        f"{verdict(full.p99_ms <= TARGET_P99_MS)}",
        f"target: CPU per verification <= {TARGET_CPU_MS} ms: {cpu} ms -> "
        f"{verdict(cpu_ms <= TARGET_CPU_MS)}",
        f"stretch: >= {STRETCH_RATE:,} req/s with p99 <= {STRETCH_P99_MS:.0f} ms: "
        f"{full.rate:,.0f} req/s, p99 {full.p99_ms:.1f} ms -> "
        f"{verdict(full.rate >= STRETCH_RATE and full.p99_ms <= STRETCH_P99_MS)}",
    ]


def batch_line(result: Result, cpu: str) -> str:
    """Enterprise checks per second, and per core (per second of the server's CPU)."""
    checks = result.rate * BATCH_ENTERPRISES
    per_core = BATCH_ENTERPRISES * 1000 / float(cpu) if cpu != "-" else 0.0
    met = per_core >= TARGET_BATCH_CHECKS_PER_CORE and not result.errors
    return (
        f"batch: {BATCH_ENTERPRISES} enterprises per POST /v1/verifications at "
        f"{BATCH_CONNECTIONS} clients: {checks:,.0f} enterprise checks/s, {per_core:,.0f} per "
        f"core (target >= {TARGET_BATCH_CHECKS_PER_CORE:,}) -> {'MET' if met else 'NOT MET'}"
    )


def policy_times(data_dir: Path) -> str:
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
    request = policy_input.build(
        principal=bank,
        status=PrincipalStatus.active,
        action="verify",
        purpose=PURPOSE,
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


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each level")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--enterprises", type=int, default=16, help="enterprises the requests round-robin over"
    )
    parser.add_argument(
        "--tokens-per-second",
        type=int,
        default=2500,
        help="tokens signed per second of a level; more than the gateway can answer",
    )
    parser.add_argument(
        "--postgres",
        default="",
        help="base PostgreSQL URL (a fresh schema is made in it); default: embedded SQLite",
    )
    options = parser.parse_args()
    if options.seconds < 1 or options.enterprises < 1 or options.tokens_per_second < 1:
        parser.error("--seconds, --enterprises and --tokens-per-second must be positive")
    return options


def header(options: argparse.Namespace, wrk: str | None) -> str:
    backend = "PostgreSQL" if options.postgres else "SQLite"
    if wrk:
        version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split()[1]
        load = f"wrk {version}, {WRK_THREADS} thread"
    else:
        load = "httpx fallback (wrk not on PATH: apt-get install -y wrk); it shares the CPUs"
    return (
        f"credgate verification benchmark: {backend}, {options.workers} uvicorn worker(s), "
        f"{os.cpu_count()} CPUs, load: {load}, {options.seconds} s per level, "
        f"{options.enterprises} enterprises round-robin"
    )


def bench(
    options: argparse.Namespace,
    base: str,
    world: World,
    load: Load,
    server_pid: int,
    floor: tuple[str, int],
) -> list[str]:
    """Warm up, then run each level; print the table and return the problems seen.
    ``floor`` is the base URL and process of the framework floor's server."""
    check_enterprises(base, world)
    warm_up = Job(world.tokens(options.tokens_per_second * WARM_UP_SECONDS), world.paths)
    problems = [load(base, WARM_UP_CONNECTIONS, WARM_UP_SECONDS, warm_up).problem("warm-up")]
    print(
        f"{'endpoint':<28} {'conns':>5} {'req/s':>10} {'p50 ms':>10} {'p99 ms':>10} "
        f"{'cpu ms/req':>12} {'errors':>7}"
    )
    run = measured(load, server_pid)
    floor_base, floor_pid = floor
    run_floor = measured(load, floor_pid)
    full = nothing = None
    full_cpu = "-"
    for connections in LEVELS:
        bare, cpu = run(base, connections, options.seconds, None)
        print(row("bare GET /healthz", connections, bare, cpu), flush=True)
        # signed just before the run: a token lives only minutes
        job = Job(world.tokens(options.tokens_per_second * options.seconds), world.paths)
        full, full_cpu = run(base, connections, options.seconds, job)
        print(row("full-path verification", connections, full, full_cpu), flush=True)
        job = Job(world.tokens(1), world.paths)  # the floor checks no token
        nothing, cpu = run_floor(floor_base, connections, options.seconds, job)
        print(row("framework floor (no work)", connections, nothing, cpu), flush=True)
        for name, result in (
            ("bare GET /healthz", bare),
            ("full-path verification", full),
            ("framework floor", nothing),
        ):
            problems.append(result.problem(f"{name} at {connections} connections"))
    assert full is not None and nothing is not None
    batch_body = {
        "purpose": PURPOSE,
        "enterprises": world.enterprises[:BATCH_ENTERPRISES],
        "checks": CHECKS,
    }
    tokens = world.tokens(max(options.tokens_per_second // 4, 50) * options.seconds)
    batch_job = Job(tokens, ["/v1/verifications"], batch_body)
    batch, batch_cpu = run(base, BATCH_CONNECTIONS, options.seconds, batch_job)
    print(row("batch of 16 verifications", BATCH_CONNECTIONS, batch, batch_cpu), flush=True)
    problems.append(batch.problem("batch verification"))
    for line in target_lines(full, full_cpu, nothing):
        print(line)
    print(batch_line(batch, batch_cpu))
    return [p for p in problems if p]


def main() -> None:
    options = parse_options()
    if options.workers > 1 and not options.postgres:
        raise SystemExit("--workers > 1 needs --postgres: SQLite is served by one process")
    wrk = shutil.which("wrk")
    with tempfile.TemporaryDirectory() as tmp, database(options.postgres) as database_url:
        data_dir = Path(tmp)
        world = seed(data_dir, database_url, options.enterprises)
        if options.seconds + 60 > world.token_lifetime:
            raise SystemExit(f"--seconds must leave a minute of the {world.token_lifetime} s")
        port, floor_port = free_port(), free_port()
        server = start_server(data_dir, database_url, world.simulator_url, port, options.workers)
        floor = start_server(
            data_dir, database_url, world.simulator_url, floor_port, options.workers, FLOOR_APP
        )
        try:
            print(header(options, wrk), flush=True)
            load = wrk_load(wrk, data_dir) if wrk else httpx_load
            floor_base = f"http://127.0.0.1:{floor_port}"
            base = f"http://127.0.0.1:{port}"
            problems = bench(options, base, world, load, server.pid, (floor_base, floor.pid))
            print(policy_times(data_dir))
        finally:
            for process in (server, floor):
                process.terminate()
                process.wait(10)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
