"""The subject's access log: every access about it, with proofs that verify offline."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gateway.bootstrap import Services
from gateway.ledger_api.cli import ledger_app
from ledger.errors import VerificationError
from ledger.keys import signing_keys
from ledger.note import NoteSigner, verify_checkpoint
from ledger.subject_head import SubjectHead, sign_subject_head
from ledger.thinning import ThinningPolicy
from ledger.verify import parse_verifier_keys, verify_subject_page
from tests.support.actors import Actor
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


def test_a_page_pinned_to_a_size_not_kept_or_beyond_the_latest_is_not_found(
    world: World, services: Services
) -> None:
    world.grant()
    for _ in range(3):
        world.report()
    services.ledger.wait_for_checkpoint(services.ledger.size(), 5)
    pinned = world.enterprise.get("/v1/me/access-log").json()["tree_size"]
    for _ in range(2):
        world.report()
    services.ledger.wait_for_checkpoint(services.ledger.size(), 5)
    latest = services.ledger.latest_checkpoint().size
    beyond = world.enterprise.get("/v1/me/access-log", params={"size": latest + 1})
    assert beyond.status_code == 404 and beyond.json()["error"] == "checkpoint_not_found"
    assert f"latest has size {latest}" in beyond.json()["detail"]
    day = timedelta(days=1)
    services.ledger.thin_checkpoints(ThinningPolicy(day, day), datetime.now(UTC) + 3 * day)
    assert pinned not in [c.size for c in services.ledger.checkpoints()]
    thinned = world.enterprise.get("/v1/me/access-log", params={"size": pinned})
    assert thinned.status_code == 404 and thinned.json()["error"] == "checkpoint_not_kept"
    assert "thinned out" in thinned.json()["detail"]


@pytest.mark.parametrize("size", ["0", "-3", "1.5", "latest"])
def test_an_invalid_size_is_refused_naming_it(world: World, size: str) -> None:
    response = world.enterprise.get("/v1/me/access-log", params={"size": size})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["errors"]] == ["query.size"]


def test_the_log_shows_only_the_callers_own_entries(
    world: World, services: Services, make_actor: object
) -> None:
    from gateway.principals.models import Role

    world.report()
    other = make_actor(Role.enterprise)  # type: ignore[operator]
    page = other.get("/v1/me/access-log").json()
    assert page["entries"] == []


def _save(tmp_path: Path, name: str, value: object) -> str:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return str(path)


def _verify_cli(key: str, page: str, *more: str) -> Any:
    args = ["verify", "--key", key, "--page", page, "--subject", ENTERPRISE, *more]
    return CliRunner().invoke(ledger_app, args, catch_exceptions=False)


def _gateway_signers(services: Services) -> list[NoteSigner]:
    """The gateway's own signing key(s): what a lying operator holds."""
    settings = services.settings
    keys = signing_keys(settings.effective_ledger_key_path)
    return [NoteSigner(settings.ledger_origin, key) for key in keys]


def _dropping_newest(page: dict, signers: list[NoteSigner]) -> dict:
    """The newest page as a lying gateway serves it: the newest entry left out and a head
    signed, with the gateway's own key, naming the one before as the newest."""
    doctored = copy.deepcopy(page)
    del doctored["entries"][0]
    newest = doctored["entries"][0]
    checkpoint = verify_checkpoint(page["checkpoint"], [s.verifier for s in signers])
    head = SubjectHead(
        checkpoint.origin,
        checkpoint.size,
        checkpoint.root_hash,
        ENTERPRISE,
        newest["entry"]["subject_seq"],
        newest["index"],
    )
    doctored["head"] = sign_subject_head(head, signers)
    return doctored


def test_a_subject_saves_its_head_and_a_later_page_proves_nothing_was_left_out(
    world: World, tmp_path: Path
) -> None:
    world.grant()
    world.report()
    first = world.enterprise.get("/v1/me/access-log").json()
    key = world.enterprise.http.get("/v1/ledger/key").text.strip()
    report = verify_subject_page(first, parse_verifier_keys([key]), subject=ENTERPRISE)
    assert report.head is not None and report.head.subject_seq == 2
    assert report.head.index == first["entries"][0]["index"]
    saved = _save(tmp_path, "page1.json", first)
    world.report()
    world.report(purpose="marketing")  # denied, logged all the same
    second = world.enterprise.get("/v1/me/access-log").json()
    result = _verify_cli(key, _save(tmp_path, "page2.json", second), "--previous-head", saved)
    assert result.exit_code == 0, result.output
    assert "OK no omission" in result.stdout
    head_only = _save(tmp_path, "head.txt", first["head"])
    result = _verify_cli(key, _save(tmp_path, "page2.json", second), "--previous-head", head_only)
    assert result.exit_code == 0, result.output
    older = world.enterprise.get("/v1/me/access-log", params={"before": 10**6}).json()
    assert older["head"] is not None  # before beyond the checkpoint: still the newest page
    paged = world.enterprise.get(
        "/v1/me/access-log", params={"limit": 1, "before": second["entries"][0]["index"]}
    ).json()
    assert paged["head"] is None


def test_a_gateway_that_drops_the_newest_entry_is_caught_with_evidence(
    world: World, services: Services, tmp_path: Path
) -> None:
    world.grant()
    world.report()
    key = world.enterprise.http.get("/v1/ledger/key").text.strip()
    honest = world.enterprise.get("/v1/me/access-log").json()
    saved = _save(tmp_path, "honest.json", honest)
    kept_head = copy.deepcopy(honest)
    del kept_head["entries"][0]
    result = _verify_cli(key, _save(tmp_path, "kept.json", kept_head))
    assert result.exit_code == 1 and "leaves out the newest entry" in result.stderr
    world.report(purpose="marketing")
    lying = _dropping_newest(
        world.enterprise.get("/v1/me/access-log").json(), _gateway_signers(services)
    )
    lying_path = _save(tmp_path, "lying.json", lying)
    assert _verify_cli(key, lying_path).exit_code == 0  # alone, the lie does not show
    # The denied access just dropped is not one the subject saw: the saved head cannot tell.
    assert _verify_cli(key, lying_path, "--previous-head", saved).exit_code == 0
    # The head the lie signed is evidence once the dropped entry's successor arrives.
    world.report()
    later = _save(tmp_path, "later.json", world.enterprise.get("/v1/me/access-log").json())
    result = _verify_cli(key, later, "--previous-head", lying_path)
    assert result.exit_code == 1 and "OMISSION" in result.stderr
    evidence = json.loads(result.stderr.split("\n", 1)[1])
    assert evidence["previous_head"] == lying["head"]
    # Dropping an entry the subject has already seen is caught at once (here two heads of
    # one tree that disagree).
    seen = world.enterprise.get("/v1/me/access-log").json()
    again = _dropping_newest(seen, _gateway_signers(services))
    result = _verify_cli(
        key,
        _save(tmp_path, "again.json", again),
        "--previous-head",
        _save(tmp_path, "seen.json", seen),
    )
    assert result.exit_code == 1 and "OMISSION" in result.stderr and "omitted" in result.stderr
    evidence = json.loads(result.stderr.split("\n", 1)[1])
    assert (evidence["previous_head"], evidence["head"]) == (seen["head"], again["head"])


def test_a_subject_without_entries_gets_a_none_head(
    world: World, make_actor: Callable[..., Actor]
) -> None:
    from gateway.principals.models import Role

    world.report()
    other = make_actor(Role.enterprise)
    page = other.get("/v1/me/access-log").json()
    key = world.enterprise.http.get("/v1/ledger/key").text.strip()
    report = verify_subject_page(page, parse_verifier_keys([key]), subject=other.id)
    assert page["entries"] == [] and report.head is not None and report.head.empty
    assert "subject_seq 0\nindex none\n" in page["head"]


def test_the_access_log_schema_describes_the_head(http: Any) -> None:
    schemas = http.get("/openapi.json").json()["components"]["schemas"]
    page = schemas["AccessLogPageOut"]["properties"]
    assert "subject head" in page["head"]["description"]
    assert "inclusion_proof" in schemas["AccessLogEntryOut"]["properties"]
