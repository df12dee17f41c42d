"""Read a source's CSV file as a stream of batches, each record tagged with its line.

The file is read line by line (never whole); every problem names the physical line in the
file (the header is line 1). Decoding is strict: a byte that is not valid in the file's
encoding stops the import with the line and byte offset, and nothing is guessed.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from gateway.ingestion.schemas import BatchResult

SPECIAL_COLUMNS = ("record_id", "retract")
_TRUE = {"1", "true", "yes"}
_BATCH_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")


class CsvImportError(Exception):
    """The file cannot be imported as it is; the message is one line naming the place."""


@dataclass(frozen=True, slots=True)
class LineProblem:
    line: int
    problem: str
    field: str | None = None  # None: the row as a whole (extra or missing columns)
    record_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line}
        if self.record_id is not None:
            out["record_id"] = self.record_id
        if self.field is not None:
            out["field"] = self.field
        out["problem"] = self.problem
        return out

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"line {self.line}: {where}{self.problem}"


@dataclass(slots=True)
class Row:
    line: int
    record: dict[str, Any] | None  # a BatchRecordIn's JSON; None when the row is malformed
    problem: LineProblem | None = None


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; only encodings where a newline is the byte 0x0A
    (UTF-8, GB18030, GBK, ...) are read line by line safely."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise CsvImportError(f"unknown encoding {encoding!r}") from None
    if "\n".encode(name) != b"\n" or name.startswith(("utf-16", "utf-32")):
        raise CsvImportError(f"encoding {encoding!r} is not supported; use UTF-8 or GB18030")
    return name


def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def default_batch_prefix(path: Path, digest: str) -> str:
    stem = _BATCH_ID_UNSAFE.sub("_", path.stem).strip("._:-") or "csv"
    return f"{stem[:80]}-{digest[:16]}"


class CsvReader:
    """Rows of one CSV file, read lazily; ``bytes_read`` follows the position for progress."""

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path = path
        self.encoding = check_encoding(encoding)
        self.bytes_read = 0
        self.header: list[str] = []

    def _lines(self, handle: BinaryIO) -> Iterator[str]:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                offset = self.bytes_read + exc.start
                bad = raw[exc.start : exc.start + 1].hex()
                hint = (
                    "; if it is GB18030 (GBK), pass --encoding gb18030"
                    if self.encoding == "utf-8"
                    else ""
                )
                raise CsvImportError(
                    f"{self.path}: line {number}, byte offset {offset}: byte 0x{bad} is not "
                    f"valid {self.encoding}{hint}"
                ) from None
            if number == 1:
                text = text.removeprefix("\ufeff")
            self.bytes_read += len(raw)
            yield text

    def rows(self) -> Iterator[Row]:
        with self.path.open("rb") as handle:
            reader = csv.reader(self._lines(handle), strict=True)
            try:
                yield from self._rows(reader)
            except csv.Error as exc:
                raise CsvImportError(f"{self.path}: line {reader.line_num}: {exc}") from None

    def _rows(self, reader: Any) -> Iterator[Row]:
        for cells in reader:
            if cells:
                self.header = self._checked_header(cells)
                break
        else:
            raise CsvImportError(f"{self.path}: no header row")
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            if cells:
                yield self._row(line, cells)

    def _checked_header(self, cells: list[str]) -> list[str]:
        header = [c.strip() for c in cells]
        for position, name in enumerate(header, start=1):
            if not name:
                raise CsvImportError(f"{self.path}: line 1: column {position} has no name")
        duplicates = sorted({n for n in header if header.count(n) > 1})
        if duplicates:
            raise CsvImportError(f"{self.path}: line 1: repeated columns: {', '.join(duplicates)}")
        return header

    def _row(self, line: int, cells: list[str]) -> Row:
        width = len(self.header)
        if len(cells) != width:
            difference = len(cells) - width
            problem = (
                f"extra columns: {difference}"
                if difference > 0
                else f"missing columns: {-difference} (the header has {width})"
            )
            return Row(line, None, LineProblem(line, problem))
        values = dict(zip(self.header, cells, strict=True))
        record_id = values.pop("record_id", "").strip() or None
        retract = values.pop("retract", "").strip().lower() in _TRUE
        fields = {k: v for k, v in values.items() if v != ""}
        return Row(line, {"record_id": record_id, "retract": retract, "fields": fields})


@dataclass(slots=True)
class ImportSummary:
    dataset: str
    batches: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("accepted", "unchanged", "superseded", "retracted", "rejected"), 0
        )
    )
    problems: list[LineProblem] = field(default_factory=list)
    stopped: str | None = None  # why the import ended before the end of the file

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "batches": self.batches,
            **self.counts,
            "problems": [p.as_dict() for p in self.problems],
            "complete": self.stopped is None,
            "stopped": self.stopped,
        }


class BatchRejected(Exception):
    """An all-or-nothing batch refused whole; ``rejections`` as the gateway lists them
    (``index`` within the batch, ``record_id``, ``errors``)."""

    def __init__(self, message: str, rejections: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.rejections = rejections


# Sends one batch: (batch_id, records) -> the gateway's result; raises BatchRejected.
SendBatch = Callable[[str, list[dict[str, Any]]], BatchResult]


def _server_problems(
    lines: list[int], rejections: list[dict[str, Any]] | list[Any]
) -> Iterator[LineProblem]:
    for rejection in rejections:
        data = rejection if isinstance(rejection, dict) else rejection.model_dump()
        line = lines[data["index"]]
        for error in data.get("errors") or [{"field": None, "problem": "rejected"}]:
            yield LineProblem(line, error.get("problem", ""), error.get("field"), data["record_id"])


def import_rows(
    rows: Iterator[Row],
    dataset: str,
    batch_prefix: str,
    batch_size: int,
    send: SendBatch,
    all_or_nothing: bool = False,
) -> ImportSummary:
    """Send ``rows`` in batches named ``<prefix>-<n>``; a malformed row is reported, not sent.
    In all-or-nothing mode each batch is stored whole or not at all, and the first batch that
    is not stops the import (the batches before it stay stored)."""
    summary = ImportSummary(dataset)
    number = 0
    pending: list[Row] = []
    local: list[LineProblem] = []

    def flush() -> bool:
        nonlocal number
        if not pending and not local:
            return True
        if all_or_nothing and local:
            summary.problems.extend(local)
            summary.counts["rejected"] += len(local) + len(pending)
            summary.stopped = f"{len(local)} malformed row(s) in the batch that would follow"
            return False
        summary.problems.extend(local)
        summary.counts["rejected"] += len(local)
        local.clear()
        if not pending:
            return True
        number += 1
        batch_id = f"{batch_prefix}-{number}"
        lines = [row.line for row in pending]
        records = [row.record for row in pending if row.record is not None]
        pending.clear()
        try:
            result = send(batch_id, records)
        except BatchRejected as exc:
            summary.problems.extend(_server_problems(lines, exc.rejections))
            summary.counts["rejected"] += len(records)
            summary.stopped = f"batch {batch_id} (lines {lines[0]}-{lines[-1]}) rejected whole"
            return False
        summary.batches.append(batch_id)
        for name in summary.counts:
            summary.counts[name] += getattr(result, name)
        summary.problems.extend(
            _server_problems(
                lines, [r for r in result.records if r.errors or r.outcome == "rejected"]
            )
        )
        return True

    for row in rows:
        if row.problem is not None:
            local.append(row.problem)
        else:
            pending.append(row)
        if len(pending) >= batch_size and not flush():
            break
    else:
        flush()
    summary.problems.sort(key=lambda p: p.line)
    return summary
