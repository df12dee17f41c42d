"""``credgate grant | revoke | authorizations`` (enterprises) and ``credgate report | verify``
(institutions): the exchange from a terminal, through the SDK, signed with the caller's key."""

from __future__ import annotations

import json
import shlex
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gateway.cli_support import (
    DEFAULT_URL,
    AsJson,
    GatewayUrl,
    KeyFile,
    PrincipalId,
    fail,
    print_json,
    user_errors,
)

if TYPE_CHECKING:
    from gateway.access.schemas import ReportOut
    from gateway.authorizations.schemas import AuthorizationOut
    from gateway.sdk import Credgate
    from gateway.verification.schemas import VerificationOut

Purpose = Annotated[str, typer.Option(help="the purpose, e.g. loan_underwriting")]


def _client(url: str, principal: str, key: Any) -> Credgate:
    from gateway.sdk import Credgate

    return Credgate(url, principal, key)


def _authorization_line(a: AuthorizationOut) -> str:
    scope = ", ".join([*a.datasets, *(f"class:{c}" for c in a.classes)])
    uses = f"; uses {a.uses}/{a.use_limit}" if a.use_limit is not None else ""
    return (
        f"{a.id}  {a.state.value}  {a.enterprise} -> {a.institution}  {a.purpose} "
        f"({', '.join(a.modes)}) on {scope}; {a.not_before:%Y-%m-%d %H:%M} to "
        f"{a.expires_at:%Y-%m-%d %H:%M} UTC{uses}"
    )


def grant(
    institution: Annotated[str, typer.Argument(help="the institution's principal id")],
    purpose: Purpose,
    principal: PrincipalId,
    key: KeyFile,
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", help="a catalog dataset id (repeatable)")
    ] = None,
    classes: Annotated[
        list[str] | None,
        typer.Option("--class", help="a disclosure class: institution|authorized|verify_only"),
    ] = None,
    mode: Annotated[
        list[str] | None, typer.Option("--mode", help="report and/or verify (default report)")
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="valid for this many days")] = 30,
    use_limit: Annotated[int | None, typer.Option(min=1, help="at most this many uses")] = None,
    authorization_id: Annotated[
        str | None, typer.Option("--id", help="the authorization id (default: random)")
    ] = None,
    url: GatewayUrl = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """As an enterprise: sign an authorization for an institution and store it."""
    if not dataset and not classes:
        fail("name what is authorized: --dataset and/or --class")
    with user_errors(), _client(url, principal, key) as client:
        granted = client.grant(
            institution,
            purpose,
            datasets=dataset or [],
            classes=classes or [],
            modes=mode or ["report"],
            valid_for=timedelta(days=days),
            use_limit=use_limit,
            authorization_id=authorization_id,
        )
    if as_json:
        print_json(granted.model_dump(mode="json"))
        return
    typer.echo(f"granted (ledger index {granted.grant_ledger_index}):")
    typer.echo(_authorization_line(granted))
    typer.echo(f"revoke with: credgate revoke {granted.id} --principal {principal} --key {key}")


def revoke(
    authorization_id: Annotated[str, typer.Argument(help="the authorization to end")],
    principal: PrincipalId,
    key: KeyFile,
    url: GatewayUrl = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """As an enterprise: end an authorization now."""
    with user_errors(), _client(url, principal, key) as client:
        revoked = client.revoke(authorization_id)
    if as_json:
        print_json(revoked.model_dump(mode="json"))
        return
    typer.echo(f"revoked (ledger index {revoked.revoke_ledger_index}):")
    typer.echo(_authorization_line(revoked))


def authorizations(
    principal: PrincipalId,
    key: KeyFile,
    url: GatewayUrl = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """The authorizations you granted (enterprise) or hold (institution)."""
    with user_errors(), _client(url, principal, key) as client:
        found = client.authorizations()
    if as_json:
        print_json([a.model_dump(mode="json") for a in found])
        return
    for a in found:
        typer.echo(_authorization_line(a))
    if not found:
        typer.echo("no authorizations")


def _value(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _print_report(r: ReportOut) -> None:
    typer.echo(
        f"{r.enterprise} {r.enterprise_name}: report for {r.purpose} "
        f"(ledger index {r.ledger_index}, {r.generated_at:%Y-%m-%d %H:%M:%S} UTC)"
    )
    typer.echo(
        f"decision: {'allow' if r.decision.allow else 'deny'} ({r.decision.reason}); "
        f"authorizations used: {', '.join(r.authorizations_used) or 'none'}"
    )
    for dataset in r.datasets:
        live = " (live)" if dataset.live else ""
        typer.echo(f"\n{dataset.dataset} {dataset.name_zh}{live}")
        if dataset.source_unavailable:
            typer.echo(f"  source unavailable: {dataset.source_unavailable}")
        for record in dataset.records:
            marks = "".join(
                [" [disputed]" if record.disputed else "", " [repaired]" if record.repaired else ""]
            )
            typer.echo(f"  record {record.record_id}{marks}")
            for name, value in record.fields.items():
                typer.echo(f"    {name}: {_value(str(value))}")
    if r.withheld:
        typer.echo("\nwithheld:")
        for w in r.withheld:
            typer.echo(f"  {w.dataset}.{w.field}: {w.reason}")


def report(
    uscc: Annotated[str, typer.Argument(help="the enterprise's USCC")],
    purpose: Purpose,
    principal: PrincipalId,
    key: KeyFile,
    url: GatewayUrl = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """As an institution: an enterprise's report, only what the policy permits."""
    with user_errors(), _client(url, principal, key) as client:
        answer = client.report(uscc, purpose)
    if as_json:
        print_json(answer.model_dump(mode="json"))
    else:
        _print_report(answer)


def _argument_types() -> dict[tuple[str, str], Any]:
    from verifiers import describe

    return {
        (p["name"], a["name"]): a.get("schema", {}).get("type")
        for p in describe()
        for a in p["arguments"]
    }


def parse_check(text: str, types: dict[tuple[str, str], Any]) -> dict[str, Any]:
    """``PREDICATE NAME=VALUE ... NAME:=JSON ...`` -> ``{"predicate", "args"}``. A value is a
    string unless the predicate's argument is an integer, or it is given as ``:=`` JSON."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        fail(f"--check {text!r}: {exc}")
    if not words:
        fail("--check is empty")
    predicate, args = words[0], {}
    for word in words[1:]:
        name, raw_json, value = word.partition(":=")
        if raw_json:
            try:
                args[name] = json.loads(value)
            except json.JSONDecodeError as exc:
                fail(f"--check {predicate}: {name}:= is not JSON: {exc}")
            continue
        name, equals, value = word.partition("=")
        if not equals or not name:
            fail(f"--check {predicate}: {word!r} is not NAME=VALUE")
        if types.get((predicate, name)) == "integer" and value.lstrip("-").isdigit():
            args[name] = int(value)
        else:
            args[name] = value
    return {"predicate": predicate, "args": args}


def _print_verification(v: VerificationOut) -> None:
    typer.echo(f"{v.enterprise}: {v.purpose} (ledger index {v.ledger_index})")
    for result in v.results:
        if not result.permitted:
            said = "not permitted"
        else:
            said = {True: "yes", False: "no", None: "unknown"}[result.holds]
        typer.echo(f"  {result.predicate}: {said} ({result.reason})")


def verify(
    uscc: Annotated[str, typer.Argument(help="the enterprise's USCC")],
    purpose: Purpose,
    principal: PrincipalId,
    key: KeyFile,
    check: Annotated[
        list[str],
        typer.Option(
            "--check",
            help="'PREDICATE NAME=VALUE ...' (repeatable); NAME:=JSON for a JSON value; "
            "the predicates: GET /v1/verifiers",
        ),
    ],
    url: GatewayUrl = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """As an institution: yes/no answers about an enterprise, without the values."""
    types = _argument_types()
    checks = [parse_check(text, types) for text in check]
    with user_errors(), _client(url, principal, key) as client:
        answer = client.verify(uscc, purpose, checks)
    if as_json:
        print_json(answer.model_dump(mode="json"))
    else:
        _print_verification(answer)


def register(app: typer.Typer) -> None:
    for command in (grant, revoke, authorizations, report, verify):
        app.command()(command)
