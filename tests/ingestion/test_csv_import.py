"""Reading a source's CSV: lines as the file numbers them, strict decoding, streamed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.ingestion.csv_import import (
    BatchRejected,
    CsvImportError,
    CsvReader,
    default_batch_prefix,
    import_rows,
)
from gateway.ingestion.schemas import BatchRecordResult, BatchResult, RecordOutcome

HEADER = "enterprise_name,uscc,registered_capital\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_rows_carry_the_physical_line_where_they_start(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeff"
        + HEADER
        + "甲公司,A1,100\n"
        + "\n"  # a blank line still counts
        + '"乙公司\n（分部）",A2,200\n'  # a quoted field spanning two lines
        + "丙公司,A3,300\n",
    )
    rows = list(CsvReader(path).rows())
    assert [row.line for row in rows] == [2, 4, 6]
    assert rows[1].record == {
        "record_id": None,
        "retract": False,
        "fields": {
            "enterprise_name": "乙公司\n（分部）",
            "uscc": "A2",
            "registered_capital": "200",
        },
    }


def test_extra_and_missing_columns_name_the_line_not_a_null_field(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "甲,A1,1,x,y\n乙,A2\n丙,A3,3\n")
    rows = list(CsvReader(path).rows())
    assert [str(row.problem) for row in rows[:2]] == [
        "line 2: extra columns: 2",
        "line 3: missing columns: 1 (the header has 3)",
    ]
    assert rows[0].problem is not None and rows[0].problem.as_dict() == {
        "line": 2,
        "problem": "extra columns: 2",
    }
    assert rows[2].problem is None and rows[2].record is not None


def test_non_utf8_names_the_file_line_and_byte_offset(tmp_path: Path) -> None:
    text = HEADER + "甲公司,A1,100\n乙公司,A2,200\n"
    path = write(tmp_path, text, encoding="gb18030")
    reader = CsvReader(path)
    with pytest.raises(CsvImportError) as refused:
        list(reader.rows())
    offset = len(HEADER.encode())  # the first byte of line 2 is already GB18030
    assert str(refused.value) == (
        f"{path}: line 2, byte offset {offset}: byte 0x{'甲'.encode('gb18030')[0]:02x} is not "
        "valid utf-8; if it is GB18030 (GBK), pass --encoding gb18030"
    )
    rows = list(CsvReader(path, "gb18030").rows())
    assert [r.record["fields"]["enterprise_name"] for r in rows if r.record] == ["甲公司", "乙公司"]


def test_the_file_is_read_as_a_stream(tmp_path: Path) -> None:
    # rows before a bad byte come out before the bad byte is reached
    path = tmp_path / "f.csv"
    path.write_bytes((HEADER + "甲,A1,1\n").encode() + b"\xff\xfe,A2,2\n")
    rows = CsvReader(path).rows()
    assert next(rows).line == 2
    with pytest.raises(CsvImportError, match="line 3, byte offset"):
        next(rows)


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "no header row"),
        ("uscc,uscc\nA,B\n", "line 1: repeated columns: uscc"),
        ("uscc,,x\n", "line 1: column 2 has no name"),
    ],
)
def test_a_bad_header_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CsvImportError, match=message):
        list(CsvReader(write(tmp_path, text)).rows())


def test_unsupported_encodings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CsvImportError, match="unknown encoding"):
        CsvReader(write(tmp_path, HEADER), "no-such-codec")
    with pytest.raises(CsvImportError, match="not supported"):
        CsvReader(write(tmp_path, HEADER), "utf-16")


def test_batch_ids_are_safe_for_any_file_name(tmp_path: Path) -> None:
    assert default_batch_prefix(Path("营业执照 2026.csv"), "ab" * 32) == "2026-abababababababab"
    assert default_batch_prefix(Path("x.csv"), "0" * 64) == "x-0000000000000000"


class FakeGateway:
    """Answers batches like the gateway: a record whose name is 'bad' is rejected."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[dict[str, Any]]]] = []

    def __call__(self, batch_id: str, records: list[dict[str, Any]]) -> BatchResult:
        self.sent.append((batch_id, records))
        results = [
            BatchRecordResult(
                index=i,
                record_id=None if bad else f"r{i}",
                outcome=RecordOutcome.rejected if bad else RecordOutcome.created,
                errors=[{"field": "enterprise_name", "problem": "is bad"}] if bad else [],
            )
            for i, r in enumerate(records)
            for bad in [r["fields"].get("enterprise_name") == "bad"]
        ]
        rejected = sum(r.outcome is RecordOutcome.rejected for r in results)
        return BatchResult(
            batch_id=batch_id,
            dataset="d",
            source_id="s",
            received_at="2026-11-27T00:00:00Z",  # type: ignore[arg-type]
            accepted=len(records) - rejected,
            unchanged=0,
            superseded=0,
            retracted=0,
            rejected=rejected,
            records=results,
        )


def test_batches_of_the_configured_size_report_problems_by_line(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "a,1,1\nb,2,2\nbad,3,3\nc,4,4,extra\nd,5,5\n")
    gateway = FakeGateway()
    summary = import_rows(CsvReader(path).rows(), "d", "p", 2, gateway)
    assert [(batch_id, len(records)) for batch_id, records in gateway.sent] == [
        ("p-1", 2),
        ("p-2", 2),
    ]
    assert summary.batches == ["p-1", "p-2"]
    assert (summary.counts["accepted"], summary.counts["rejected"]) == (3, 2)
    assert [str(p) for p in summary.problems] == [
        "line 4: enterprise_name: is bad",
        "line 5: extra columns: 1",
    ]
    assert summary.stopped is None


def test_all_or_nothing_stops_at_the_first_refused_batch(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "a,1,1\nb,2,2\nbad,3,3\nc,4,4\nd,5,5\n")

    def refuse_bad(batch_id: str, records: list[dict[str, Any]]) -> BatchResult:
        bad = [i for i, r in enumerate(records) if r["fields"]["enterprise_name"] == "bad"]
        if bad:
            raise BatchRejected(
                "rejected whole",
                [
                    {"index": i, "record_id": None, "errors": [{"field": "x", "problem": "bad"}]}
                    for i in bad
                ],
            )
        return FakeGateway()(batch_id, records)

    summary = import_rows(CsvReader(path).rows(), "d", "p", 2, refuse_bad, all_or_nothing=True)
    assert summary.batches == ["p-1"]
    assert [str(p) for p in summary.problems] == ["line 4: x: bad"]
    assert summary.stopped == "batch p-2 (lines 4-5) rejected whole"
