"""The ``credgate`` command.

A user's mistake (a missing file, a bad key, bad JSON, an unreachable gateway, a refusal)
ends in one line on stderr and a non-zero exit (``gateway.cli_support.user_errors``); a
traceback means a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gateway import cli_exchange, cli_import
from gateway.cli_support import (
    DEFAULT_URL,
    GatewayUrl,
    KeyFile,
    PrincipalId,
    fail,
    parse_json_option,
    print_json,
    user_errors,
)
from gateway.demo.generator import MIN_ENTERPRISES
from gateway.principals.models import InstitutionKind, KeyAlgorithm, Role
from gateway.settings import get_settings

app = typer.Typer(
    help="credgate: credit-data exchange gateway with a verifiable ledger", no_args_is_help=True
)
principals_app = typer.Typer(help="Register principals and their keys", no_args_is_help=True)
app.add_typer(principals_app, name="principals")
cli_import.register(app)
cli_exchange.register(app)

try:
    from gateway.ledger_api.cli import ledger_app

    app.add_typer(ledger_app, name="ledger")
except ModuleNotFoundError:  # the ledger adds its commands when it is installed
    pass


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    from gateway.migrate import upgrade

    settings = get_settings()
    with user_errors():
        if settings.effective_database_url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(settings.effective_database_url)
    typer.echo(f"schema up to date: {settings.effective_database_url}")


@app.command()
def init() -> None:
    """Create the schema and the ledger signing key (if missing)."""
    migrate()
    settings = get_settings()
    try:
        from gateway.ledger_api.cli import init_signing_key
    except ModuleNotFoundError:
        return
    with user_errors():
        verifier = init_signing_key(settings.effective_ledger_key_path)
    typer.echo(f"ledger verifier key: {verifier}")


def _ensure_initialised() -> None:
    """Refuse to serve a database without the current schema, or a ledger without its key."""
    from gateway.migrate import schema_problem

    settings = get_settings()
    with user_errors():
        problem = schema_problem(settings.effective_database_url)
    if problem is not None:
        fail(f"{problem}: run `credgate init` first")
    key = settings.effective_ledger_key_path
    if not key.exists():
        fail(f"no ledger signing key at {key}: run `credgate init` first")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
    log_format: Annotated[
        str | None,
        typer.Option(help="json (one object per line) or text; default: CREDGATE_LOG_FORMAT"),
    ] = None,
) -> None:
    """Serve the gateway (schema must exist: run ``credgate init`` first)."""
    import uvicorn

    from gateway.app import REQUEST_CONCURRENCY
    from gateway.db import is_sqlite
    from gateway.observability.logs import LogFormat, logging_config

    try:
        chosen = LogFormat(log_format or get_settings().log_format)
    except ValueError:
        raise typer.BadParameter("json or text", param_hint="--log-format") from None

    if workers > 1 and is_sqlite(get_settings().effective_database_url):
        raise typer.BadParameter(
            "the embedded SQLite database is served by one process; "
            "set CREDGATE_DATABASE_URL to PostgreSQL to run several workers",
            param_hint="--workers",
        )
    _ensure_initialised()

    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        limit_concurrency=REQUEST_CONCURRENCY,
        log_config=logging_config(chosen),
    )


@app.command()
def keygen(
    out: Annotated[Path, typer.Argument(help="where to write the private key (PEM)")],
    algorithm: Annotated[
        KeyAlgorithm, typer.Option(help="EdDSA (Ed25519) or ES256 (P-256)")
    ] = KeyAlgorithm.EdDSA,
) -> None:
    """Make a key pair; prints the public key to register with an operator."""
    from gateway.principals.keys import generate_private_key, public_pem, write_private_key

    key = generate_private_key(algorithm)
    with user_errors():
        write_private_key(out, key)
    typer.echo(public_pem(key.public_key()), nl=False)


@principals_app.command("add")
def principals_add(
    principal_id: Annotated[str, typer.Argument(help="id; an enterprise's id is its USCC")],
    role: Annotated[Role, typer.Option(help="the principal's role")],
    name: Annotated[str, typer.Option()],
    public_key: Annotated[
        Path, typer.Option(help="PEM file of the principal's public key", dir_okay=False)
    ],
    kind: Annotated[InstitutionKind | None, typer.Option(help="an institution's kind")] = None,
) -> None:
    """Register a principal directly in the database (bootstraps the first operator)."""
    from gateway.clock import SystemClock
    from gateway.db import make_engine, unit_of_work
    from gateway.principals import service

    with user_errors():
        pem = public_key.read_text()
        engine = make_engine(get_settings().effective_database_url)
        try:
            with unit_of_work(engine) as session:
                now = SystemClock().now()
                service.register(session, principal_id, role, name, now, kind)
                key = service.add_key(session, principal_id, pem, now)
        finally:
            engine.dispose()
    typer.echo(f"registered {principal_id} ({role.value}) with key {key.kid}")


@app.command()
def call(
    method: Annotated[str, typer.Argument(help="GET or POST")],
    path: Annotated[str, typer.Argument(help="e.g. /v1/me/access-log")],
    principal: PrincipalId,
    key: KeyFile,
    url: GatewayUrl = DEFAULT_URL,
    body: Annotated[str | None, typer.Option(help="JSON body for POST")] = None,
) -> None:
    """Send one signed request and print the answer (a bank's or enterprise's quick check)."""
    from gateway.client import CredgateClient
    from gateway.sdk.calls import load_key

    payload = parse_json_option(body, "--body") if body is not None else None
    with user_errors():
        private_key = load_key(key)
        with CredgateClient(url, principal, private_key=private_key) as client:
            response = client.request(method.upper(), path, json=payload)
    typer.echo(f"HTTP {response.status_code}", err=True)
    try:
        print_json(response.json())
    except ValueError:
        typer.echo(response.text)
    if response.status_code >= 400:
        raise typer.Exit(1)


@app.command()
def retention(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="count what would go; change nothing")
    ] = False,
) -> None:
    """Delete access records, ended authorizations and superseded record versions older than
    the policy data's retention periods; the ledger keeps only the hashes of what it drops.
    Then thin the ledger's old signed checkpoints (settings ``ledger_checkpoint_*``)."""
    from gateway.retention.runner import run

    with user_errors():
        report = run(get_settings(), dry_run=dry_run)
    for line in report.lines():
        typer.echo(line)


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="same seed, same enterprises")] = 2022,
    enterprises: Annotated[
        int, typer.Option(min=MIN_ENTERPRISES, help="how many synthetic enterprises")
    ] = 300,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    data_dir: Annotated[Path, typer.Option(help="wiped and re-seeded", file_okay=False)] = Path(
        "var/demo"
    ),
    serve_forever: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve after seeding")
    ] = True,
) -> None:
    """Seed a fresh embedded database with demo Benxi enterprises and serve the gateway."""
    from gateway.demo.run import run_demo

    with user_errors():
        run_demo(seed, enterprises, host, port, data_dir, serve_forever)


def main() -> None:
    app()
