"""The benchmark's framework floor answers like the verification route, without doing its work."""

from __future__ import annotations

from fastapi.testclient import TestClient

from benchmarks.framework_floor import app

BODY = {
    "purpose": "loan_underwriting",
    "checks": [{"predicate": "licence_in_force", "args": {}}, {"predicate": "x", "args": {}}],
}


def test_the_floor_validates_like_the_route_and_answers_canned_results() -> None:
    with TestClient(app) as client:
        path = "/v1/enterprises/91210502MA0000000X/verifications"
        answer = client.post(path, json=BODY, headers={"Authorization": "Bearer t"})
        assert answer.status_code == 200
        assert [r["predicate"] for r in answer.json()["results"]] == ["licence_in_force", "x"]
        assert client.post(path, json=BODY).status_code == 401
        unparsed = client.post(path, json={"checks": []}, headers={"Authorization": "Bearer t"})
        assert unparsed.status_code == 422
