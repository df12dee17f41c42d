"""``credgate ledger`` commands, from files and against a live gateway on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gateway.db import make_engine
from gateway.ledger_api.cli import init_signing_key, ledger_app
from gateway.ledger_api.wiring import open_ledger
from gateway.settings import Environment, Settings
from ledger import Ledger
from ledger.keys import ensure_signing_key
from ledger.note import NoteSigner, NoteVerifier, verify_checkpoint
from ledger.sql_store import SqlStore, create_tables
from ledger.subject_head import SubjectHead, sign_subject_head
from tests.ledger.conftest import ORIGIN
from tests.ledger.servers import ledger_app as http_app
from tests.ledger.servers import live_server

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(ledger_app, list(args), catch_exceptions=False)


def _write(path: Path, value: object) -> Path:
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


def _filled(ledger: Ledger, count: int, subject: str = "A") -> None:
    for n in range(count):
        ledger.append({"n": n}, subject=subject if n % 2 else "B")
    ledger.wait_for_checkpoint(ledger.size(), 5)


def _bundle(ledger: Ledger, index: int, size: int | None = None) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "index": index,
        "leaf": base64.b64encode(ledger.entry(index).leaf or b"").decode(),
    }
    if size is not None:
        bundle["inclusion_proof"] = [
            base64.b64encode(h).decode() for h in ledger.inclusion_proof(index, size)
        ]
    return bundle


def test_init_signing_key_creates_a_private_key_file_and_returns_its_verifier_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "var" / "ledger.pem"
    verifier_key = init_signing_key(path, "credgate.example/ledger")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert NoteVerifier.parse(verifier_key).name == "credgate.example/ledger"
    assert init_signing_key(path, "credgate.example/ledger") == verifier_key
    shown = _run("key", "--key-path", str(path)).stdout.strip()
    assert shown.split("+", 2)[2] == verifier_key.split("+", 2)[2]


def test_verify_from_files_accepts_good_input_and_fails_on_tampering(
    ledger: Ledger, tmp_path: Path
) -> None:
    _filled(ledger, 6)
    old = ledger.latest_checkpoint()
    _filled(ledger, 5)
    new = ledger.latest_checkpoint()
    key = ledger.verifier_key()
    files = {
        "checkpoint": _write(tmp_path / "cp.txt", new.note_text),
        "previous": _write(tmp_path / "old.txt", old.note_text),
        "consistency": _write(
            tmp_path / "cons.json",
            {
                "hashes": [
                    base64.b64encode(h).decode()
                    for h in ledger.consistency_proof(old.size, new.size)
                ]
            },
        ),
        "entry": _write(tmp_path / "entry.json", _bundle(ledger, 3, new.size)),
        "page": _write(tmp_path / "page.json", ledger.subject_page("A").to_json()),
    }
    result = _run(
        "verify",
        "--key",
        key,
        "--checkpoint",
        str(files["checkpoint"]),
        "--entry",
        str(files["entry"]),
        "--previous",
        str(files["previous"]),
        "--consistency-proof",
        str(files["consistency"]),
        "--page",
        str(files["page"]),
        "--subject",
        "A",
    )
    assert result.exit_code == 0, result.output
    # checkpoint, entry, consistency, page, and the page's subject head
    assert sum(line.startswith("OK ") for line in result.stdout.splitlines()) == 5
    bad_bundle = _bundle(ledger, 3, new.size)
    bad_bundle["index"] = 4
    _write(files["entry"], bad_bundle)
    result = _run(
        "verify",
        "--key",
        key,
        "--checkpoint",
        str(files["checkpoint"]),
        "--entry",
        str(files["entry"]),
    )
    assert result.exit_code == 1 and "FAILED" in result.stderr
    _write(files["checkpoint"], new.note_text.replace(str(new.size), str(new.size + 1), 1))
    result = _run("verify", "--key", key, "--checkpoint", str(files["checkpoint"]))
    assert result.exit_code == 1 and "signature" in result.stderr


def test_verify_needs_a_trusted_key_and_something_to_check(tmp_path: Path) -> None:
    assert _run("verify").exit_code == 2
    assert _run("verify", "--key", "nonsense").exit_code == 2
    key = NoteSigner("x.example/log", ensure_signing_key(tmp_path / "k.pem")).verifier_key
    assert _run("verify", "--key", key).exit_code == 2


def test_verify_against_a_live_gateway_fetches_what_it_needs(
    ledger: Ledger, tmp_path: Path
) -> None:
    _filled(ledger, 5)
    old = ledger.latest_checkpoint()
    page = _write(tmp_path / "page.json", ledger.subject_page("A").to_json())
    _filled(ledger, 4)
    key_file = _write(tmp_path / "keys.txt", ledger.verifier_key() + "\n")
    with live_server(http_app(ledger)) as url:
        result = _run(
            "verify",
            "--url",
            url,
            "--key-file",
            str(key_file),
            "--entry",
            str(_write(tmp_path / "e.json", _bundle(ledger, 7))),
            "--previous",
            str(_write(tmp_path / "old.txt", old.note_text)),
            "--page",
            str(page),
        )
        assert result.exit_code == 0, result.output
        assert "OK entry 7" in result.stdout
        assert f"extends size {old.size}" in result.stdout
        unreachable = _run("verify", "--url", "http://127.0.0.1:9", "--key-file", str(key_file))
        assert unreachable.exit_code == 2


def _lying_page(ledger: Ledger, signer: NoteSigner) -> dict[str, Any]:
    """The newest page of A as a lying gateway serves it: its newest entry left out and a head
    signed (with the log's own key) to match."""
    page = ledger.subject_page("A").to_json()
    checkpoint = verify_checkpoint(page["checkpoint"], [signer.verifier])
    del page["entries"][0]
    newest = page["entries"][0]["index"]
    seq = json.loads(base64.b64decode(page["entries"][0]["leaf"]))["subject_seq"]
    head = SubjectHead(ORIGIN, checkpoint.size, checkpoint.root_hash, "A", seq, newest)
    page["head"] = sign_subject_head(head, [signer])
    return page


def test_verify_with_a_previous_head_proves_nothing_was_left_out(
    ledger: Ledger, tmp_path: Path
) -> None:
    _filled(ledger, 6)
    first = ledger.subject_page("A").to_json()
    saved_page = _write(tmp_path / "page1.json", first)
    saved_head = _write(tmp_path / "head.txt", first["head"])
    _filled(ledger, 5)
    page = _write(tmp_path / "page2.json", ledger.subject_page("A").to_json())
    key = ledger.verifier_key()
    for source in (saved_head, saved_page):
        result = _run(
            "verify", "--key", key, "--page", str(page), "--subject", "A", "--previous-head",
            str(source),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "OK head: A's newest entry below size 11 is 9" in result.stdout
        assert "OK no omission" in result.stdout
        assert "give --url" in result.stdout  # the two trees are related only with a gateway
    with live_server(http_app(ledger)) as url:
        result = _run(
            "verify", "--key", key, "--url", url, "--page", str(page), "--previous-head",
            str(saved_head),
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "OK consistent: size 11 extends size 6" in result.stdout


def test_verify_reports_a_dropped_entry_as_omission_with_both_signed_statements(
    ledger: Ledger, signer: NoteSigner, tmp_path: Path
) -> None:
    _filled(ledger, 8)
    honest = ledger.subject_page("A").to_json()
    saved = _write(tmp_path / "head.txt", honest["head"])
    _filled(ledger, 2, subject="B")  # only B's entries: A's newest is the same
    lying = _lying_page(ledger, signer)
    page = _write(tmp_path / "lying.json", lying)
    key = ledger.verifier_key()
    alone = _run("verify", "--key", key, "--page", str(page))
    assert alone.exit_code == 0, alone.output  # on its own the lie cannot be seen
    result = _run("verify", "--key", key, "--page", str(page), "--previous-head", str(saved))
    assert result.exit_code == 1
    assert "OMISSION" in result.stderr and "omitted" in result.stderr
    evidence = json.loads(result.stderr.split("\n", 1)[1])
    assert evidence["previous_head"] == honest["head"] and evidence["head"] == lying["head"]
    assert evidence["checkpoint"] == lying["checkpoint"]


def test_verify_catches_a_lying_head_once_the_hidden_entry_surfaces(
    ledger: Ledger, signer: NoteSigner, tmp_path: Path
) -> None:
    _filled(ledger, 8)
    lying = _write(tmp_path / "lying.json", _lying_page(ledger, signer))
    hidden = ledger.subject_page("A").entries[0].index
    key = ledger.verifier_key()
    assert _run("verify", "--key", key, "--page", str(lying)).exit_code == 0
    _filled(ledger, 4)
    page = _write(tmp_path / "page.json", ledger.subject_page("A").to_json())
    result = _run("verify", "--key", key, "--page", str(page), "--previous-head", str(lying))
    assert result.exit_code == 1 and "OMISSION" in result.stderr
    assert json.loads(result.stderr.split("\n", 1)[1])["entry"]["index"] == hidden
    # An entry bundle (say, from the institution's receipt) is evidence on its own too.
    checkpoint = _write(tmp_path / "cp.txt", ledger.latest_checkpoint().note_text)
    size = ledger.latest_checkpoint().size
    bundle = _write(tmp_path / "entry.json", _bundle(ledger, hidden, size))
    result = _run(
        "verify", "--key", key, "--checkpoint", str(checkpoint), "--entry", str(bundle),
        "--previous-head", str(lying),
    )  # fmt: skip
    assert result.exit_code == 1 and "OMISSION" in result.stderr, result.output
    fitting = _write(tmp_path / "fits.json", _bundle(ledger, hidden + 2, size))
    result = _run(
        "verify", "--key", key, "--checkpoint", str(checkpoint), "--entry", str(fitting),
        "--previous-head", str(page),
    )  # fmt: skip
    assert result.exit_code == 0 and "fits the previous head" in result.stdout, result.output


def test_verify_with_a_previous_head_says_when_nothing_can_be_concluded(
    ledger: Ledger, tmp_path: Path
) -> None:
    _filled(ledger, 4)
    saved = _write(tmp_path / "head.txt", ledger.subject_page("A").head or "")
    _filled(ledger, 12)
    key = ledger.verifier_key()
    short = _write(tmp_path / "short.json", ledger.subject_page("A", limit=2).to_json())
    result = _run("verify", "--key", key, "--page", str(short), "--previous-head", str(saved))
    assert result.exit_code == 2 and "not concluded" in result.stderr
    assert "limit of at least 6" in result.stderr
    before = ledger.subject_page("A", limit=2).next_before_index
    older = ledger.subject_page("A", before_index=before).to_json()
    headless = _write(tmp_path / "older.json", older)
    result = _run("verify", "--key", key, "--page", str(headless), "--previous-head", str(saved))
    assert result.exit_code == 2 and "no head" in result.stderr
    result = _run("verify", "--key", key, "--page", str(short), "--previous-head", str(headless))
    assert result.exit_code == 2 and "holds no subject head" in result.stderr
    result = _run("verify", "--key", key, "--checkpoint", str(saved), "--previous-head", str(saved))
    assert result.exit_code == 2 and "needs a --page or an --entry" in result.stderr
    stranger = NoteSigner(ORIGIN, ensure_signing_key(tmp_path / "stranger.pem"))
    claimed = SubjectHead(ORIGIN, 1, bytes(32), "A", 0, None)
    untrusted = _write(tmp_path / "untrusted.txt", sign_subject_head(claimed, [stranger]))
    result = _run("verify", "--key", key, "--page", str(short), "--previous-head", str(untrusted))
    assert result.exit_code == 1 and "previous head" in result.stderr


def test_audit_follows_a_gateway_and_catches_a_fork_signed_with_its_key(
    ledger: Ledger, signer: NoteSigner, tmp_path: Path
) -> None:
    _filled(ledger, 4)
    state = tmp_path / "audit-state.txt"
    key = ledger.verifier_key()
    with live_server(http_app(ledger)) as url:
        result = _run(
            "audit",
            url,
            "--key",
            key,
            "--state",
            str(state),
            "--count",
            "2",
            "--interval",
            "0.05",
            "--history",
        )
        assert result.exit_code == 0, result.output
        assert "first:" in result.stdout
        _filled(ledger, 3)
        result = _run("audit", url, "--key", key, "--state", str(state))
        assert result.exit_code == 0 and "extended:" in result.stdout, result.output
    fork_engine = make_engine(f"sqlite:///{tmp_path / 'fork.db'}")
    create_tables(fork_engine)
    fork = Ledger(SqlStore(fork_engine), [signer], checkpoint_interval=0.05)
    try:
        _filled(fork, 9)
        with live_server(http_app(fork)) as url:
            result = _run("audit", url, "--key", key, "--state", str(state))
        assert result.exit_code == 1
        assert "INCONSISTENT" in result.stderr and "older" in result.stderr
    finally:
        fork.close()
        fork_engine.dispose()


def test_rotation_keeps_old_checkpoints_verifiable_and_cosigns_new_ones(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        environment=Environment.test,
        data_dir=tmp_path,
        database_url=database_url,
        ledger_checkpoint_interval_seconds=0.05,
    )
    engine = make_engine(database_url)
    create_tables(engine)
    open_ledgers: list[Ledger] = []

    def reopen() -> Ledger:
        ledger = open_ledger(settings, engine)
        open_ledgers.append(ledger)
        return ledger

    try:
        first = reopen()
        old_key = first.verifier_key()
        _filled(first, 3)
        old_checkpoint = first.latest_checkpoint()
        first.close()
        key_path = str(settings.effective_ledger_key_path)
        rotated = _run("rotate-key", "--key-path", key_path)
        assert rotated.exit_code == 0 and "new verifier key" in rotated.stdout
        second = reopen()
        new_key = second.verifier_key()
        assert new_key != old_key and second.verifier_keys() == [old_key, new_key]
        _filled(second, 3)
        cosigned = second.latest_checkpoint().note_text
        for trusted in (old_key, new_key):
            verify_checkpoint(cosigned, [NoteVerifier.parse(trusted)])
        verify_checkpoint(old_checkpoint.note_text, [NoteVerifier.parse(old_key)])
        second.close()
        assert _run("rotate-key", "--key-path", key_path, "--complete").exit_code == 0
        third = reopen()
        _filled(third, 2)
        with pytest.raises(Exception, match="trusted"):
            verify_checkpoint(third.latest_checkpoint().note_text, [NoteVerifier.parse(old_key)])
        assert third.verifier_keys() == [old_key, new_key]
        monkeypatch.setenv("CREDGATE_DATA_DIR", str(tmp_path))
        checked = _run("check", "--database-url", database_url)
        assert checked.exit_code == 0 and "OK 8 entries" in checked.stdout, checked.output
    finally:
        for ledger in open_ledgers:
            ledger.close()
        engine.dispose()


def test_check_reports_a_corrupted_database(
    ledger: Ledger, database_url: str, make_ledger: Callable[..., Ledger]
) -> None:
    _filled(ledger, 4)
    ledger.close()
    from sqlalchemy import text

    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger_entries SET leaf_hash = :h WHERE idx = 1"), {"h": b"\x01" * 32}
        )
    engine.dispose()
    result = _run("check", "--database-url", database_url, "--origin", "test.credgate.local/ledger")
    assert result.exit_code == 1 and "entry 1" in result.stderr
