"""The ``credgate`` command."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from gateway.settings import get_settings

app = typer.Typer(
    help="credgate: credit-data exchange gateway with a verifiable ledger", no_args_is_help=True
)
principals_app = typer.Typer(help="Register principals and their keys", no_args_is_help=True)
app.add_typer(principals_app, name="principals")

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
    verifier = init_signing_key(settings.effective_ledger_key_path)
    typer.echo(f"ledger verifier key: {verifier}")


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
    algorithm: Annotated[str, typer.Option(help="EdDSA (Ed25519) or ES256 (P-256)")] = "EdDSA",
) -> None:
    """Make a key pair; prints the public key to register with an operator."""
    from gateway.principals.keys import generate_private_key, public_pem, write_private_key
    from gateway.principals.models import KeyAlgorithm

    key = generate_private_key(KeyAlgorithm(algorithm))
    write_private_key(out, key)
    typer.echo(public_pem(key.public_key()), nl=False)


@principals_app.command("add")
def principals_add(
    principal_id: Annotated[str, typer.Argument(help="id; an enterprise's id is its USCC")],
    role: Annotated[str, typer.Option(help="operator|source|institution|enterprise|assessor")],
    name: Annotated[str, typer.Option()],
    public_key: Annotated[Path, typer.Option(help="PEM file of the principal's public key")],
    kind: Annotated[str | None, typer.Option(help="bank|insurer|guarantor|credit_bureau")] = None,
) -> None:
    """Register a principal directly in the database (bootstraps the first operator)."""
    from gateway.clock import SystemClock
    from gateway.db import make_engine, unit_of_work
    from gateway.errors import CredgateError
    from gateway.principals import service
    from gateway.principals.models import InstitutionKind, Role

    engine = make_engine(get_settings().effective_database_url)
    try:
        with unit_of_work(engine) as session:
            now = SystemClock().now()
            service.register(
                session,
                principal_id,
                Role(role),
                name,
                now,
                InstitutionKind(kind) if kind else None,
            )
            key = service.add_key(session, principal_id, public_key.read_text(), now)
    except CredgateError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"registered {principal_id} ({role}) with key {key.kid}")


@app.command("import")
def import_csv(
    dataset: Annotated[str, typer.Argument(help="catalog dataset id")],
    csv_file: Annotated[Path, typer.Argument(help="CSV with a header row of field ids")],
    url: Annotated[str, typer.Option(help="gateway base URL")],
    principal: Annotated[str, typer.Option(help="the source's principal id")],
    key: Annotated[Path, typer.Option(help="the source's private key (PEM)")],
    batch_id: Annotated[
        str | None, typer.Option(help="defaults to the file name and its digest")
    ] = None,
    all_or_nothing: Annotated[
        bool, typer.Option(help="reject the whole batch if a record is bad")
    ] = False,
) -> None:
    """Push a CSV file to the gateway as one batch (columns are catalog field ids;
    optional columns ``record_id`` and ``retract``)."""
    import hashlib

    from gateway.client import CredgateClient

    raw = csv_file.read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    records = []
    for row in rows:
        record_id = (row.pop("record_id", "") or "").strip() or None
        retract = (row.pop("retract", "") or "").strip().lower() in {"1", "true", "yes"}
        records.append(
            {
                "record_id": record_id,
                "retract": retract,
                "fields": {k: v for k, v in row.items() if v != ""},
            }
        )
    batch_id = batch_id or f"{csv_file.stem}-{hashlib.sha256(raw).hexdigest()[:16]}"
    body = {
        "batch_id": batch_id,
        "mode": "all_or_nothing" if all_or_nothing else "partial",
        "records": records,
    }
    with CredgateClient(url, principal, key) as client:
        response = client.post(f"/v1/datasets/{dataset}/batches", json=body)
    json.dump(response.json(), sys.stdout, ensure_ascii=False, indent=2)
    typer.echo()
    if response.status_code >= 400:
        raise typer.Exit(1)


@app.command()
def call(
    method: Annotated[str, typer.Argument(help="GET or POST")],
    path: Annotated[str, typer.Argument(help="e.g. /v1/me/access-log")],
    principal: Annotated[str, typer.Option(help="your principal id")],
    key: Annotated[Path, typer.Option(help="your private key (PEM)")],
    url: Annotated[str, typer.Option(help="gateway base URL")] = "http://127.0.0.1:8000",
    body: Annotated[str | None, typer.Option(help="JSON body for POST")] = None,
) -> None:
    """Send one signed request and print the answer (a bank's or enterprise's quick check)."""
    from gateway.client import CredgateClient

    with CredgateClient(url, principal, key) as client:
        response = client.request(method.upper(), path, json=json.loads(body) if body else None)
    typer.echo(f"HTTP {response.status_code}", err=True)
    try:
        json.dump(response.json(), sys.stdout, ensure_ascii=False, indent=2)
        typer.echo()
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
    from gateway.errors import CredgateError
    from gateway.retention.runner import run

    try:
        report = run(get_settings(), dry_run=dry_run)
    except CredgateError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    for line in report.lines():
        typer.echo(line)


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="same seed, same enterprises")] = 2022,
    enterprises: Annotated[int, typer.Option(help="how many synthetic enterprises")] = 300,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    data_dir: Annotated[Path, typer.Option(help="wiped and re-seeded")] = Path("var/demo"),
    serve_forever: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve after seeding")
    ] = True,
) -> None:
    """Seed a fresh embedded database with demo Benxi enterprises and serve the gateway."""
    from gateway.demo.run import run_demo

    run_demo(seed, enterprises, host, port, data_dir, serve_forever)


def main() -> None:
    app()
