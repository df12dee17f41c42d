"""What the ``credgate`` commands share: one-line errors instead of tracebacks, and the
caller's key handling (gateway URL, principal id, key file; options or environment)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

URL_ENV, PRINCIPAL_ENV, KEY_ENV = "CREDGATE_GATEWAY_URL", "CREDGATE_PRINCIPAL", "CREDGATE_KEY_FILE"

GatewayUrl = Annotated[str, typer.Option("--url", envvar=URL_ENV, help="gateway base URL")]
PrincipalId = Annotated[
    str, typer.Option("--principal", envvar=PRINCIPAL_ENV, help="your principal id")
]
KeyFile = Annotated[
    Path, typer.Option("--key", envvar=KEY_ENV, help="your private key (PEM)", dir_okay=False)
]
AsJson = Annotated[bool, typer.Option("--json", help="print the answer as JSON")]
DEFAULT_URL = "http://127.0.0.1:8000"


def fail(message: str, code: int = 1) -> NoReturn:
    """Say what went wrong in one line on stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause (files, keys, input, an unreachable gateway or
    database, refusals) into one line and exit code 1; anything else is a bug and shows."""
    import httpx
    from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

    from gateway import errors as gateway_errors
    from gateway.ingestion.csv_import import CsvImportError
    from gateway.sdk import errors as sdk_errors

    try:
        yield
    except sdk_errors.ApiError as exc:
        fail(f"HTTP {exc.status} {exc.code}: {exc.message}")
    except (sdk_errors.CredgateError, CsvImportError) as exc:
        fail(str(exc))
    except gateway_errors.CredgateError as exc:
        fail(exc.message)
    except httpx.TransportError as exc:
        fail(f"cannot reach the gateway: {exc}")
    except (ArgumentError, OperationalError, ProgrammingError) as exc:
        problem = _first_line(exc)
        if "no such table" in problem or ("relation" in problem and "does not exist" in problem):
            problem += ": run `credgate init` first"
        fail(f"database: {problem}")
    except OSError as exc:
        fail(f"{exc.filename}: {exc.strerror}" if exc.filename else _first_line(exc))


def parse_json_option(text: str, option: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{option} is not JSON: {exc}")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
