"""``credgate demo``: a fresh embedded gateway with demo data, a live-source simulator, and
instructions to try it."""

from __future__ import annotations

import shlex
import shutil
import sys
from datetime import date
from pathlib import Path

import typer

from gateway.bootstrap import build_services, close_service_ledger, open_service_ledger
from gateway.catalog import load_catalog
from gateway.catalog.model import SharingMethod
from gateway.db import make_engine
from gateway.demo.generator import generate_demo
from gateway.demo.seed import SeededDemo, seed_demo
from gateway.migrate import upgrade
from gateway.settings import Settings
from gateway.sources.simulator import (
    GrantCheck,
    create_simulator_app,
    registered_keys,
    run_simulator_in_thread,
)


def _fresh(data_dir: Path) -> None:
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)


def credgate_command() -> str:
    """The ``credgate`` that runs now, quoted for a shell that has no venv active."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "credgate" and argv0.is_file():
        return shlex.quote(str(argv0.absolute()))
    found = Path(sys.executable).parent / "credgate"
    if found.is_file() or (found := Path(shutil.which("credgate") or "")).is_file():
        return shlex.quote(str(found))
    return f"{shlex.quote(sys.executable)} -c 'from gateway.cli import main; main()'"


def _instructions(seeded: SeededDemo, base: str, data_dir: Path) -> str:
    keys = seeded.keys_dir.absolute()
    bank, enterprise = seeded.institutions[0], seeded.enterprises_with_keys[0]
    other = seeded.enterprises_with_keys[1]
    cg = credgate_command()

    def as_(principal: str) -> str:
        return f"--principal {principal} --key {shlex.quote(str(keys / principal))}.pem"

    call = f"{cg} call --url {base}"
    demo_grant = "authz-demo-0001"
    question = (
        '{"purpose": "loan_underwriting", "checks": '
        '[{"predicate": "vat_paid_last_year_at_least", "args": {"amount": "500000"}}]}'
    )
    report = "report?purpose=loan_underwriting"
    return f"""
credgate demo is serving on {base}  (data in {data_dir}, private keys in {keys})

Catalog (no auth):
  curl {base}/v1/catalog
Latest signed checkpoint and its verifier key:
  curl {base}/v1/ledger/checkpoint; curl {base}/v1/ledger/key
A bank's report on an enterprise that authorized it (tax, housing fund, annual figures):
  {call} GET "/v1/enterprises/{enterprise}/{report}" {as_(bank)}
The same bank on an enterprise that did not (public and institution fields only):
  {call} GET "/v1/enterprises/{other}/{report}" {as_(bank)}
The enterprise's own data, free:
  {call} GET /v1/me/report {as_(enterprise)}
Its access log with inclusion proofs, then checked offline:
  {call} GET /v1/me/access-log {as_(enterprise)} > page.json
  {cg} ledger verify --key "$(curl -s {base}/v1/ledger/key)" --page page.json \\
      --subject {enterprise}
Keep page.json: a later page proves nothing was left out since (its signed subject head):
  {cg} ledger verify --key "$(curl -s {base}/v1/ledger/key)" --page new-page.json \\
      --subject {enterprise} --previous-head page.json
A yes/no question (VAT paid last year at least 500,000 CNY?) without the figure:
  {call} POST /v1/enterprises/{enterprise}/verifications {as_(bank)} \\
      --body '{question}'
The predicates:  curl {base}/v1/verifiers
Its authorizations:
  {call} GET /v1/authorizations {as_(enterprise)}
Dataset staleness (operator):
  {call} GET /v1/datasets {as_(seeded.operator)}

Financing: the banks' products, the demands pushed to the bank, and (free, seen by no bank)
the products the enterprise would qualify for:
  {call} GET /v1/products {as_(bank)}
  {call} GET /v1/financing-demands/pushed {as_(bank)}
  {call} GET /v1/me/product-matches {as_(enterprise)}

In a browser, the portal: {base}/portal
  sign in with a principal id and its key file (the key stays in the browser), e.g.
  enterprise {enterprise}  {keys / enterprise}.pem
  bank       {bank}  {keys / bank}.pem
  assessor   {seeded.assessor}  {keys / seeded.assessor}.pem
  operator   {seeded.operator}  {keys / seeded.operator}.pem
  (WebCrypto needs a secure context: open it as 127.0.0.1 or localhost, or over HTTPS.)

The same as commands (add --json for JSON; CREDGATE_GATEWAY_URL, CREDGATE_PRINCIPAL and
CREDGATE_KEY_FILE stand in for --url, --principal and --key):
The second enterprise authorizes the bank (tax payments, reports and yes/no checks, 30 days):
  {cg} grant {bank} --purpose loan_underwriting --dataset tax_payments --mode report \\
      --mode verify --id {demo_grant} --url {base} {as_(other)}
The bank's report on it, then a yes/no question:
  {cg} report {other} --purpose loan_underwriting --url {base} {as_(bank)}
  {cg} verify {other} --purpose loan_underwriting --url {base} {as_(bank)} \\
      --check 'vat_paid_last_year_at_least amount=500000'
Its authorizations, then the revocation (the bank's next report withholds tax again):
  {cg} authorizations --url {base} {as_(other)}
  {cg} revoke {demo_grant} --url {base} {as_(other)}

OpenAPI docs: {base}/docs     Stop with Ctrl-C.
"""


def run_demo(
    seed: int, enterprises: int, host: str, port: int, data_dir: Path, serve: bool
) -> None:
    # Everything that can refuse the options runs before the data directory is wiped.
    data = generate_demo(seed, enterprises, today=date.today())
    _fresh(data_dir)
    settings = Settings(data_dir=data_dir)
    upgrade(settings.effective_database_url)
    # The sources' 经企业授权 interfaces answer only under a grant signed with a key the
    # enterprise registered with the platform.
    authorized = {
        d.id
        for d in load_catalog().datasets
        if d.sharing_method is SharingMethod.live_interface_authorized
    }
    key_register = make_engine(settings.effective_database_url)
    simulator_url, stop_simulator = run_simulator_in_thread(
        create_simulator_app(
            data.live_records(),
            authorized_datasets=authorized,
            grant_check=GrantCheck(registered_keys(key_register)),
        )
    )
    settings.live_source_url = simulator_url
    services = build_services(settings)
    try:
        from gateway.ledger_api.cli import init_signing_key

        init_signing_key(settings.effective_ledger_key_path)
        services.ledger = open_service_ledger(services)
        seeded = seed_demo(services, data, data_dir / "keys")
        typer.echo(
            f"seeded {len(data.enterprises)} enterprises, "
            f"{sum(len(v) for v in data.stored_records().values())} stored records; "
            f"live datasets served by the simulator at {simulator_url}"
        )
        base = f"http://{host}:{port}"
        typer.echo(_instructions(seeded, base, data_dir))
        if serve:
            import uvicorn

            from gateway.app import REQUEST_CONCURRENCY, create_app

            uvicorn.run(
                create_app(services), host=host, port=port, limit_concurrency=REQUEST_CONCURRENCY
            )
    finally:
        close_service_ledger(services)
        services.engine.dispose()
        stop_simulator()
        key_register.dispose()
