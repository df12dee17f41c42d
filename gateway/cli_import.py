"""``credgate import``: a source's CSV file, streamed to the gateway in batches."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gateway.cli_support import (
    DEFAULT_URL,
    AsJson,
    GatewayUrl,
    KeyFile,
    PrincipalId,
    print_json,
    user_errors,
)
from gateway.ingestion.schemas import MAX_BATCH_RECORDS

if TYPE_CHECKING:
    from gateway.ingestion.csv_import import CsvReader, ImportSummary


def import_csv(
    dataset: Annotated[str, typer.Argument(help="catalog dataset id")],
    csv_file: Annotated[
        Path,
        typer.Argument(
            help="CSV with a header row of field ids", exists=True, dir_okay=False, readable=True
        ),
    ],
    principal: PrincipalId,
    key: KeyFile,
    url: GatewayUrl = DEFAULT_URL,
    batch_id: Annotated[
        str | None,
        typer.Option(
            help="batch id prefix: batches are <prefix>-1, <prefix>-2, ... (default: the "
            "file's name and digest, so the same file again changes nothing)"
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=MAX_BATCH_RECORDS, help="records per batch")
    ] = 1000,
    encoding: Annotated[
        str, typer.Option(help="the file's encoding: utf-8 (a BOM is allowed) or gb18030")
    ] = "utf-8",
    all_or_nothing: Annotated[
        bool,
        typer.Option(
            help="store each batch whole or not at all; the first bad batch stops the import"
        ),
    ] = False,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="a progress bar (default: on a terminal)"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Push a CSV file to the gateway in batches (columns are catalog field ids; optional
    columns ``record_id`` and ``retract``). Problems name the line in the file (the header
    is line 1); rejected records do not change the exit code, a stopped import exits 1."""
    from gateway.ingestion import csv_import

    with user_errors():
        reader = csv_import.CsvReader(csv_file, encoding)
        prefix = batch_id or csv_import.default_batch_prefix(
            csv_file, csv_import.file_digest(csv_file)
        )
        show = sys.stderr.isatty() if progress is None else progress
        summary = _send(
            dataset, reader, prefix, batch_size, all_or_nothing, show, url, principal, key
        )
    if as_json:
        print_json(summary.as_dict())
    else:
        _print(csv_file, summary)
    if summary.stopped is not None:
        raise typer.Exit(1)


def _send(
    dataset: str,
    reader: CsvReader,
    prefix: str,
    batch_size: int,
    all_or_nothing: bool,
    show_progress: bool,
    url: str,
    principal: str,
    key: Path,
) -> ImportSummary:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from gateway.ingestion import csv_import
    from gateway.ingestion.schemas import BatchResult
    from gateway.sdk import Credgate, InvalidRequest

    mode = "all_or_nothing" if all_or_nothing else "partial"
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not show_progress,
        transient=True,
    )
    task = bar.add_task(f"import {reader.path.name}", total=reader.path.stat().st_size)

    with Credgate(url, principal, key) as client, bar:

        def send(batch_id: str, records: list[dict[str, Any]]) -> BatchResult:
            try:
                result = client.push_batch(dataset, batch_id, records, mode)
            except InvalidRequest as exc:
                # all-or-nothing: the gateway lists the bad records of the refused batch
                listed = exc.detail if isinstance(exc.detail, list) else []
                if all_or_nothing and listed and "index" in listed[0]:
                    raise csv_import.BatchRejected(exc.message, listed) from None
                raise
            bar.update(task, completed=reader.bytes_read)
            return result

        return csv_import.import_rows(
            reader.rows(), dataset, prefix, batch_size, send, all_or_nothing
        )


def _print(csv_file: Path, summary: ImportSummary) -> None:
    counts = ", ".join(f"{n} {name}" for name, n in summary.counts.items())
    stored = len(summary.batches)
    first = f", first {summary.batches[0]}" if stored else ""
    typer.echo(f"{csv_file} -> {summary.dataset}: {counts} ({stored} batches stored{first})")
    for problem in summary.problems:
        typer.echo(str(problem))
    if summary.stopped is not None:
        typer.echo(f"stopped: {summary.stopped}", err=True)


def register(app: typer.Typer) -> None:
    app.command("import")(import_csv)
