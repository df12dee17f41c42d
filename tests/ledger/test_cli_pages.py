"""``credgate ledger verify`` with several ``--page``: newest first, joined, and checked
against a saved head; on both backends, from files and with a live gateway."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledger import Ledger
from ledger.note import NoteSigner
from tests.ledger.servers import ledger_app as http_app
from tests.ledger.servers import live_server
from tests.ledger.test_cli import _filled, _lying_page, _run, _write


def _pages(ledger: Ledger, limit: int, count: int) -> list[dict[str, Any]]:
    """A's newest ``count`` pages, each older one fetched with the newer one's
    ``next_before_index``."""
    pages = [ledger.subject_page("A", limit).to_json()]
    while len(pages) < count:
        pages.append(ledger.subject_page("A", limit, pages[-1]["next_before_index"]).to_json())
    return pages


def _verify(key: str, tmp_path: Path, pages: list[dict[str, Any]], *more: str) -> Any:
    args = ["verify", "--key", key, "--subject", "A"]
    for number, page in enumerate(pages, start=1):
        args += ["--page", str(_write(tmp_path / f"page{number}.json", page))]
    return _run(*args, *more)


def test_several_pages_prove_nothing_was_left_out_since_a_saved_head(
    ledger: Ledger, tmp_path: Path
) -> None:
    _filled(ledger, 8)  # A: subject_seq 1 to 4
    saved = str(_write(tmp_path / "saved.json", ledger.subject_page("A").to_json()))
    _filled(ledger, 14)  # A: 5 to 11, more than a page of 3 holds
    key = ledger.verifier_key()
    pages = _pages(ledger, 3, 3)  # 11-9, 8-6, 5-3
    result = _verify(key, tmp_path, pages, "--previous-head", saved)
    assert result.exit_code == 0, result.output
    assert "OK joined 3 pages: 9 entries of A" in result.stdout
    assert "OK no omission" in result.stdout and "on these 3 pages" in result.stdout
    assert "OK page 2 (" in result.stdout and "OK page 3 (" in result.stdout
    alone = _verify(key, tmp_path, pages)  # joined without a saved head
    assert alone.exit_code == 0 and "OK joined 3 pages" in alone.stdout, alone.output


def test_pages_not_reaching_the_saved_head_say_where_the_next_page_starts(
    ledger: Ledger, tmp_path: Path
) -> None:
    _filled(ledger, 8)
    saved = str(_write(tmp_path / "head.txt", ledger.subject_page("A").head or ""))
    _filled(ledger, 14)
    key = ledger.verifier_key()
    pages = _pages(ledger, 3, 2)
    result = _verify(key, tmp_path, pages, "--previous-head", saved)
    assert result.exit_code == 2 and "not concluded" in result.stderr, result.output
    assert "OK joined 2 pages" in result.stdout
    before = pages[-1]["next_before_index"]
    assert f"before={before}" in result.stderr and "1 more entry" in result.stderr
    assert "at least 1 more page" in result.stderr and "credgate call GET" in result.stderr


def test_pages_that_do_not_join_fail_naming_both_pages(ledger: Ledger, tmp_path: Path) -> None:
    _filled(ledger, 18)
    key = ledger.verifier_key()
    pages = _pages(ledger, 3, 3)
    gap = [pages[0], {**pages[1], "entries": pages[1]["entries"][1:]}]
    result = _verify(key, tmp_path, gap)
    assert result.exit_code == 1 and "a gap between pages 1 and 2" in result.stderr
    assert "page 1 holds 3 entries" in result.stderr and "page 2 holds 2 entries" in result.stderr
    skipped = _verify(key, tmp_path, [pages[0], pages[2]])
    assert skipped.exit_code == 1 and "a gap between pages 1 and 2" in skipped.stderr
    overlap = _verify(key, tmp_path, [pages[0], pages[0]])
    assert overlap.exit_code == 1 and "overlap" in overlap.stderr
    reversed_order = _verify(key, tmp_path, [pages[1], pages[0]])
    assert reversed_order.exit_code == 2 and "not newest first" in reversed_order.stderr
    broken = {**pages[1], "entries": pages[1]["entries"][:1] + pages[1]["entries"][2:]}
    result = _verify(key, tmp_path, [pages[0], broken])
    assert result.exit_code == 1 and "page 2 (" in result.stderr  # the page itself fails


def test_pages_of_different_checkpoints_join_only_with_a_gateway(
    ledger: Ledger, tmp_path: Path
) -> None:
    _filled(ledger, 12)
    key = ledger.verifier_key()
    first = ledger.subject_page("A", 3).to_json()
    _filled(ledger, 2, subject="B")  # the log grows between the two fetches
    second = ledger.subject_page("A", 3, first["next_before_index"]).to_json()
    assert first["checkpoint"] != second["checkpoint"]
    offline = _verify(key, tmp_path, [first, second])
    assert offline.exit_code == 2 and "consistency proof" in offline.stderr, offline.output
    assert "give --url" in offline.stderr
    with live_server(http_app(ledger)) as url:
        result = _verify(key, tmp_path, [first, second], "--url", url)
    assert result.exit_code == 0, result.output
    assert "OK consistent: page 2's checkpoint (size 14) and page 1's (size 12)" in result.stdout
    assert "OK joined 2 pages: 6 entries of A" in result.stdout


def test_an_omission_shown_by_an_older_page_is_reported_with_evidence(
    ledger: Ledger, signer: NoteSigner, tmp_path: Path
) -> None:
    _filled(ledger, 8)  # A: 1 to 4
    lying = _lying_page(ledger, signer)  # leaves out subject_seq 4 under a matching head
    hidden = ledger.subject_page("A").entries[0].index
    lying_path = str(_write(tmp_path / "lying.json", lying))
    _filled(ledger, 8)  # A: 5 to 8
    pages = _pages(ledger, 3, 2)  # 8-6, then 5-3: the hidden entry is on page 2
    key = ledger.verifier_key()
    assert _verify(key, tmp_path, pages[:1], "--previous-head", lying_path).exit_code == 2
    result = _verify(key, tmp_path, pages, "--previous-head", lying_path)
    assert result.exit_code == 1 and "OMISSION" in result.stderr, result.output
    evidence = json.loads(result.stderr.split("\n", 1)[1])
    assert evidence["previous_head"] == lying["head"] and evidence["entry"]["index"] == hidden
    assert evidence["checkpoint"] == pages[1]["checkpoint"]
