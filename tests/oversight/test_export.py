"""Exports of one institution's accesses: the JSON one verifies offline with ledger/verify.py."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.errors import VerificationError
from ledger.merkle import leaf_hash
from ledger.note import NoteSigner
from ledger.verify import (
    b64decode,
    parse_verifier_keys,
    verify_checkpoint,
    verify_entry,
    verify_subject_page,
)
from tests.oversight.conftest import iso
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, World

VAT = "vat_paid_last_year_at_least"


def activity(world: World) -> None:
    world.grant(modes=["report", "verify"], datasets=["housing_fund", "tax_payments"])
    world.report()
    world.report(purpose="marketing")
    world.bank.post(
        f"/v1/enterprises/{ENTERPRISE}/verifications",
        json={
            "purpose": "loan_underwriting",
            "checks": [{"predicate": VAT, "args": {"amount": "1"}}],
        },
    )


def export(assessor: Actor, institution: str, fmt: str, **params: Any) -> Any:
    response = assessor.get(
        f"/v1/audit/institutions/{institution}/export", params={"format": fmt, **params}
    )
    assert response.status_code == 200, response.text
    return response


def check_export(document: dict[str, Any], trusted_key: str) -> list[dict[str, Any]]:
    """What an assessor's own tool does: trust only the key obtained out of band."""
    checkpoint = verify_checkpoint(document["checkpoint"], parse_verifier_keys([trusted_key]))
    assert checkpoint.size == document["tree_size"]
    payloads = []
    for item in document["entries"]:
        leaf = b64decode(item["leaf"], "leaf")
        proof = [b64decode(h, "proof") for h in item["inclusion_proof"]]
        verify_entry(checkpoint, leaf, item["index"], proof)
        payload = json.loads(leaf)["payload"]
        event = item["event"]
        assert event["ledger_index"] == item["index"]
        assert payload["type"] == f"access.{event['action']}"
        assert (payload["caller"], payload["enterprise"], payload["purpose"]) == (
            event["caller"], event["subject"], event["purpose"],
        )  # fmt: skip
        assert payload["decision"]["allow"] == event["allowed"]
        assert payload["decision"]["reason"] == event["reason"]
        assert payload["authorizations"] == event["authorizations"]
        payloads.append(payload)
    return payloads


def test_the_json_export_verifies_with_the_ledger_verifier(world: World, assessor: Actor) -> None:
    activity(world)
    response = export(assessor, world.bank.id, "json")
    document = response.json()
    key = world.bank.http.get("/v1/ledger/key").text.strip()
    assert document["verifier_key"] == key
    assert document["institution"] == world.bank.id and document["format"].startswith("credgate")
    payloads = check_export(document, key)
    assert [(p["type"], p["decision"]["allow"]) for p in payloads] == [
        ("access.report", True),
        ("access.report", False),
        ("access.verify", True),
    ]


def test_a_tampered_export_fails_verification(world: World, assessor: Actor) -> None:
    activity(world)
    document = export(assessor, world.bank.id, "json").json()
    key = world.bank.http.get("/v1/ledger/key").text.strip()
    leaf = json.loads(base64.b64decode(document["entries"][1]["leaf"]))
    leaf["payload"]["decision"]["allow"] = True  # hide the denial
    document["entries"][1]["leaf"] = base64.b64encode(json.dumps(leaf).encode()).decode()
    with pytest.raises(VerificationError):
        check_export(document, key)
    genuine = export(assessor, world.bank.id, "json").json()
    check_export(genuine, key)
    origin = key.split("+", 1)[0]
    impostor = NoteSigner(origin, Ed25519PrivateKey.generate()).verifier_key
    with pytest.raises(VerificationError):
        check_export(genuine, impostor)  # the export's own key is not to be trusted


def test_the_csv_export_ties_each_row_to_its_leaf(world: World, assessor: Actor) -> None:
    activity(world)
    response = export(assessor, world.bank.id, "csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="bank-bx-001-accesses.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    document = export(assessor, world.bank.id, "json").json()
    assert [int(r["ledger_index"]) for r in rows] == [e["index"] for e in document["entries"]]
    for row, item in zip(rows, document["entries"], strict=True):
        assert (
            row["leaf_hash"] == base64.b64encode(leaf_hash(base64.b64decode(item["leaf"]))).decode()
        )
    report, denied, verification = rows
    assert (report["action"], report["allowed"], report["subject"]) == (
        "report",
        "true",
        ENTERPRISE,
    )
    assert "housing_fund" in report["datasets"].split(";") and report["authorizations"]
    assert (denied["allowed"], denied["reason"], denied["purpose"]) == (
        "false", "unknown_purpose", "marketing",
    )  # fmt: skip
    assert json.loads(verification["checks"])[0]["threshold"] == "1.00"
    assert report["local_time"].endswith("+08:00")


def test_exports_are_bounded_by_the_period_and_recorded(world: World, assessor: Actor) -> None:
    activity(world)
    later = world.bank.clock.now() + timedelta(hours=1)
    world.bank.clock.set(later)
    world.report()
    response = export(assessor, world.bank.id, "json", since=iso(later))
    assert len(response.json()["entries"]) == 1
    index = int(response.headers["Credgate-Ledger-Index"])
    page = assessor.get(f"/v1/audit/institutions/{world.bank.id}/ledger").json()
    key = world.bank.http.get("/v1/ledger/key").text.strip()
    [entry] = verify_subject_page(page, parse_verifier_keys([key])).entries
    assert entry.index == index and entry.entry is not None
    payload = entry.entry["payload"]
    assert payload["type"] == "oversight.export" and payload["assessor"] == assessor.id
    assert payload["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert payload["entries"] == 1 and payload["format"] == "json"


def test_an_empty_period_exports_nothing_but_a_checkpoint(world: World, assessor: Actor) -> None:
    world.report()
    document = export(
        assessor, world.bank.id, "json", until=iso(world.bank.clock.now() - timedelta(days=1))
    ).json()
    assert document["entries"] == [] and document["checkpoint"]
    assert (
        export(assessor, world.bank.id, "csv", until=iso(world.bank.clock.now())).text.count("\n")
        == 1
    )


def test_only_assessors_export(world: World, assessor: Actor) -> None:
    url = f"/v1/audit/institutions/{world.bank.id}/export"
    assert world.bank.get(url).status_code == 403
    assert assessor.get(url, params={"format": "xml"}).status_code == 422
    assert assessor.get("/v1/audit/institutions/bank-x/export").status_code == 404
