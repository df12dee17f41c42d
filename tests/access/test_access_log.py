"""The subject's access log: every access about it, with proofs that verify offline."""

from __future__ import annotations

import base64
import json

import pytest

from gateway.bootstrap import Services
from ledger.errors import VerificationError
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.support.world import ENTERPRISE, World


def _verified(page: dict, key: str) -> list[dict]:
    report = verify_subject_page(page, parse_verifier_keys([key]), subject=ENTERPRISE)
    return [e.entry for e in report.entries if e.entry is not None]


def test_every_request_allowed_or_denied_is_in_the_log_and_verifies(
    world: World, http: object
) -> None:
    grant = world.grant()
    world.report()  # allowed
    world.report(purpose="marketing")  # denied
    world.enterprise.post(f"/v1/authorizations/{grant['id']}/revoke")
    world.report()  # allowed, public only
    page = world.enterprise.get("/v1/me/access-log").json()
    key = world.enterprise.http.get("/v1/ledger/key").text.strip()
    assert page["verifier_key"] == key
    entries = _verified(page, key)  # oldest first, signature, inclusion and chain checked
    kinds = [(e["payload"]["type"], e["payload"].get("decision", {}).get("allow")) for e in entries]
    assert kinds == [
        ("authorization.granted", None),
        ("access.report", True),
        ("access.report", False),
        ("authorization.revoked", None),
        ("access.report", True),
    ]
    assert [e["subject_seq"] for e in entries] == [1, 2, 3, 4, 5]


def test_entries_name_fields_never_values(world: World) -> None:
    world.grant()
    report = world.report().json()
    page = world.enterprise.get("/v1/me/access-log").json()
    leaf = base64.b64decode(page["entries"][0]["leaf"]).decode()
    entry = json.loads(leaf)["payload"]
    assert entry["type"] == "access.report" and entry["caller"] == world.bank.id
    assert entry["purpose"] == "loan_underwriting"
    assert "avg_monthly_contributors_12m" in entry["disclosed"]["housing_fund"]
    assert entry["authorizations"] == report["authorizations_used"]
    for dataset in world.records.values():
        for name, value in dataset.items():
            # short numbers could turn up by chance in the nonce or timestamp
            if name not in {"uscc", "report_year"} and len(str(value)) >= 5:
                assert str(value) not in leaf, name
    assert "1234567.89" not in leaf  # the live VAT figure


def test_tampered_page_fails_offline_verification(world: World) -> None:
    world.report()
    page = world.enterprise.get("/v1/me/access-log").json()
    key = world.enterprise.http.get("/v1/ledger/key").text.strip()
    leaf = json.loads(base64.b64decode(page["entries"][0]["leaf"]))
    leaf["payload"]["purpose"] = "post_loan_monitoring"
    page["entries"][0]["leaf"] = base64.b64encode(json.dumps(leaf).encode()).decode()
    with pytest.raises(VerificationError):
        verify_subject_page(page, parse_verifier_keys([key]), subject=ENTERPRISE)


def test_pages_walk_back_through_history(world: World) -> None:
    for _ in range(5):
        world.report()
    first = world.enterprise.get("/v1/me/access-log", params={"limit": 2}).json()
    assert len(first["entries"]) == 2 and first["next_before_index"] is not None
    second = world.enterprise.get(
        "/v1/me/access-log", params={"limit": 2, "before": first["next_before_index"]}
    ).json()
    assert max(e["index"] for e in second["entries"]) < min(e["index"] for e in first["entries"])


def test_the_log_shows_only_the_callers_own_entries(
    world: World, services: Services, make_actor: object
) -> None:
    from gateway.principals.models import Role

    world.report()
    other = make_actor(Role.enterprise)  # type: ignore[operator]
    page = other.get("/v1/me/access-log").json()
    assert page["entries"] == []
