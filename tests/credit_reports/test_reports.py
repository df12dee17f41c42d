"""Government credit reports: what the policy lets a purpose see, signed, logged, verifiable."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from gateway.credit_reports.verify import verify_report_bytes
from ledger.errors import VerificationError
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, LEGAL_REP_ID, World

runner = CliRunner()


def _issue(council: Actor, purpose: str = "procurement") -> Any:
    return council.post(f"/v1/enterprises/{ENTERPRISE}/credit-reports", json={"purpose": purpose})


def _datasets(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {d["dataset"]: d["records"] for s in document["sections"] for d in s.get("datasets", [])}


def test_government_report_covers_its_purposes_datasets_and_nothing_else(
    world: World, council: Actor
) -> None:
    response = _issue(council)
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert document["enterprise"]["uscc"] == ENTERPRISE
    assert document["purpose"] == "procurement"
    assert [s["section"] for s in document["sections"]] == [
        "registration", "licences", "penalties", "coercion", "dishonesty_lists", "honours",
        "supervision", "credit_repairs",
    ]  # fmt: skip
    datasets = _datasets(document)
    assert set(datasets) >= {"business_licence", "administrative_penalties"}
    assert "housing_fund" not in datasets  # authorized data is never in a government report
    assert "annual_reports" not in datasets  # not a procurement dataset
    penalty = datasets["administrative_penalties"][0]
    labels = {f["label_zh"] for f in penalty["fields"]}
    assert "行政处罚决定文书号" in labels
    assert LEGAL_REP_ID not in json.dumps(document, ensure_ascii=False)
    assert penalty["provenance"] == ["src-ndrc"]
    assert {"dataset": "annual_reports", "field": "total_assets", "reason": "not_for_purpose"} in (
        document["withheld"]
    )


def test_issuance_is_in_the_enterprises_chain(
    world: World, council: Actor, verifier_key: str
) -> None:
    envelope = _issue(council).json()
    page = world.enterprise.get("/v1/me/access-log").json()
    checked = verify_subject_page(page, parse_verifier_keys([verifier_key]), subject=ENTERPRISE)
    entries = [e.entry["payload"] for e in checked.entries if e.entry is not None]
    types = [e.get("type") for e in entries]
    assert "credit_report.issued" in types
    issued = next(e for e in entries if e.get("type") == "credit_report.issued")
    assert issued["report_id"] == envelope["document"]["report_id"]
    assert issued["caller"] == council.id


def test_report_verifies_offline_and_any_changed_byte_fails(
    world: World, council: Actor, verifier_key: str
) -> None:
    raw = _issue(council).content
    verifiers = parse_verifier_keys([verifier_key])
    checked = verify_report_bytes(raw, verifiers)
    assert checked.document["enterprise"]["uscc"] == ENTERPRISE
    # every byte position in a stride across the whole file, and each field's first bytes
    positions = set(range(0, len(raw), max(1, len(raw) // 300)))
    for position in sorted(positions):
        changed = bytearray(raw)
        changed[position] = changed[position] ^ 0x01
        with pytest.raises(VerificationError):
            verify_report_bytes(bytes(changed), verifiers)


def test_report_from_another_key_fails(world: World, council: Actor) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.note import NoteSigner

    stranger = NoteSigner("credgate", Ed25519PrivateKey.generate()).verifier_key
    with pytest.raises(VerificationError):
        verify_report_bytes(_issue(council).content, parse_verifier_keys([stranger]))


def test_cli_verifies_a_saved_report_and_rejects_a_tampered_one(
    world: World, council: Actor, verifier_key: str, tmp_path: Path
) -> None:
    from gateway.ledger_api.cli import ledger_app

    raw = _issue(council).content
    good = tmp_path / "report.json"
    good.write_bytes(raw)
    result = runner.invoke(ledger_app, ["verify", "--key", verifier_key, "--report", str(good)])
    assert result.exit_code == 0, result.output
    assert "OK credit report" in result.output
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(raw.replace("本溪市示范药业".encode(), "本溪市优秀药业".encode()))
    result = runner.invoke(ledger_app, ["verify", "--key", verifier_key, "--report", str(tampered)])
    assert result.exit_code == 1
    assert "FAILED credit report" in result.output


def test_pdf_renders_the_zh_labels(world: World, council: Actor) -> None:
    report_id = _issue(council).json()["document"]["report_id"]
    response = council.get(f"/v1/credit-reports/{report_id}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for label in (
        "企业信用报告",
        "统一社会信用代码",
        "行政处罚信息",
        "失信名单信息",
        "信用修复信息",
    ):
        assert label in text
    assert ENTERPRISE in text


def test_the_enterprise_gets_its_own_report_to_hand_over(world: World, verifier_key: str) -> None:
    response = world.enterprise.post("/v1/me/credit-reports", json={"purpose": "bidding"})
    assert response.status_code == 201, response.text
    checked = verify_report_bytes(response.content, parse_verifier_keys([verifier_key]))
    datasets = _datasets(checked.document)
    assert "business_licence" in datasets
    assert "housing_fund" not in datasets  # what a government would see, not the self view
    assert world.enterprise.get(f"/v1/credit-reports/{checked.document['report_id']}").content == (
        response.content
    )


def test_only_government_purposes_and_only_government_callers(world: World, council: Actor) -> None:
    assert _issue(council, "loan_underwriting").status_code == 422
    response = world.bank.post(
        f"/v1/enterprises/{ENTERPRISE}/credit-reports", json={"purpose": "procurement"}
    )
    assert response.status_code == 403


def test_others_cannot_fetch_a_report(world: World, council: Actor) -> None:
    report_id = _issue(council).json()["document"]["report_id"]
    assert world.bank.get(f"/v1/credit-reports/{report_id}").status_code == 403
    assert world.enterprise.get(f"/v1/credit-reports/{report_id}").status_code == 200
