"""The public ledger endpoints: plain-text checkpoints and keys, JSON proofs, clear 4xx."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger import Ledger
from ledger.note import NoteVerifier, verify_checkpoint
from ledger.verify import verify_checkpoint_consistency, verify_entry
from tests.ledger.servers import ledger_app


@pytest.fixture
def http(ledger: Ledger) -> Iterator[TestClient]:
    for n in range(10):
        ledger.append({"n": n}, subject="A")
    ledger.wait_for_checkpoint(10, 5)
    with TestClient(ledger_app(ledger)) as client:
        yield client


def _hashes(body: dict[str, object]) -> list[bytes]:
    hashes = body["hashes"]
    assert isinstance(hashes, list)
    return [base64.b64decode(h) for h in hashes]


def test_checkpoint_and_key_are_plain_text_that_verifies(http: TestClient, ledger: Ledger) -> None:
    key = http.get("/v1/ledger/key")
    assert key.status_code == 200 and key.headers["content-type"].startswith("text/plain")
    assert key.text.strip() == ledger.verifier_key()
    assert http.get("/v1/ledger/keys").text.splitlines() == [ledger.verifier_key()]
    note = http.get("/v1/ledger/checkpoint")
    assert note.headers["content-type"].startswith("text/plain")
    checkpoint = verify_checkpoint(note.text, [NoteVerifier.parse(key.text)])
    assert checkpoint.size == 10
    old = http.get("/v1/ledger/checkpoint", params={"size": 0})
    assert "immutable" in old.headers["cache-control"]
    assert verify_checkpoint(old.text, [NoteVerifier.parse(key.text)]).size == 0
    listed = http.get("/v1/ledger/checkpoints", params={"after": 0}).json()["checkpoints"]
    assert listed[-1] == {"size": 10, "note": note.text}


def test_inclusion_and_consistency_proofs_verify(http: TestClient, ledger: Ledger) -> None:
    verifier = NoteVerifier.parse(ledger.verifier_key())
    checkpoint = verify_checkpoint(http.get("/v1/ledger/checkpoint").text, [verifier])
    body = http.get("/v1/ledger/proof/inclusion", params={"index": 4}).json()
    assert (body["index"], body["size"]) == (4, 10)
    verify_entry(checkpoint, ledger.entry(4).leaf or b"", 4, _hashes(body))
    older = verify_checkpoint(
        http.get("/v1/ledger/checkpoint", params={"size": 0}).text, [verifier]
    )
    verify_checkpoint_consistency(older, checkpoint, [])
    body = http.get("/v1/ledger/proof/consistency", params={"first": 3, "second": 10}).json()
    assert (body["first"], body["second"]) == (3, 10)
    assert _hashes(body) == ledger.consistency_proof(3, 10)


@pytest.mark.parametrize(
    ("path", "params", "status", "parameter"),
    [
        ("/v1/ledger/proof/inclusion", {"index": "x"}, 422, "query.index"),
        ("/v1/ledger/proof/inclusion", {}, 422, "query.index"),
        ("/v1/ledger/proof/inclusion", {"index": -1}, 422, "query.index"),
        ("/v1/ledger/proof/inclusion", {"index": 5, "size": 3}, 422, "index"),
        ("/v1/ledger/proof/inclusion", {"index": 10}, 404, "index"),
        ("/v1/ledger/proof/inclusion", {"index": 1, "size": 11}, 404, "size"),
        ("/v1/ledger/proof/consistency", {"first": 0}, 422, "query.first"),
        ("/v1/ledger/proof/consistency", {"first": 5, "second": 4}, 422, "first"),
        ("/v1/ledger/proof/consistency", {"first": 5, "second": 50}, 404, "second"),
        ("/v1/ledger/checkpoint", {"size": 10**6}, 404, None),
    ],
)
def test_bad_parameters_get_a_clear_4xx_naming_them(
    http: TestClient, path: str, params: dict[str, object], status: int, parameter: str | None
) -> None:
    response = http.get(path, params=params)
    assert response.status_code == status
    body = response.json()
    assert body["detail"]
    if parameter is None:
        return
    named = body["parameter"] if "parameter" in body else body["errors"][0]["field"]
    assert named == parameter
    if status == 404:
        assert "checkpoint" in body["detail"] and response.headers["retry-after"] == "1"


def test_without_a_ledger_the_endpoints_fail_closed() -> None:
    with TestClient(ledger_app(None)) as client:
        response = client.get("/v1/ledger/checkpoint")
    assert response.status_code == 503
    assert response.json()["error"] == "ledger_unavailable"
