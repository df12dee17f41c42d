"""End to end through the gateway, on both backends: an enterprise saves the head of its
newest access-log page, is accessed more often than one page holds, fetches the pages with
``before=`` and proves with several ``--page`` that nothing was left out since."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from gateway.bootstrap import Services
from gateway.ledger_api.cli import ledger_app
from tests.access.test_access_log import _dropping_newest, _gateway_signers
from tests.ledger.servers import live_server
from tests.support.actors import Actor
from tests.support.world import ENTERPRISE, World, build_world


@pytest.fixture
def world(make_actor: Callable[..., Actor], services: Services, http: Any) -> World:
    return build_world(make_actor, services)


def _pages(world: World, services: Services, limit: int, count: int) -> list[dict[str, Any]]:
    """The newest ``count`` pages of ``limit`` entries, each older one fetched with
    ``before=`` the newer one's ``next_before_index``."""
    services.ledger.wait_for_checkpoint(services.ledger.size(), 5)
    pages = [world.enterprise.get("/v1/me/access-log", params={"limit": limit}).json()]
    while len(pages) < count:
        before = pages[-1]["next_before_index"]
        assert before is not None
        params = {"limit": limit, "before": before}
        pages.append(world.enterprise.get("/v1/me/access-log", params=params).json())
    return pages


def _save(tmp_path: Path, name: str, value: object) -> str:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return str(path)


def _verify(world: World, tmp_path: Path, pages: list[dict[str, Any]], *more: str) -> Any:
    key = world.enterprise.http.get("/v1/ledger/key").text.strip()
    args = ["verify", "--key", key, "--subject", ENTERPRISE]
    for number, page in enumerate(pages, start=1):
        args += ["--page", _save(tmp_path, f"page{number}.json", page)]
    return CliRunner().invoke(ledger_app, [*args, *more], catch_exceptions=False)


def _first_page_then_one_more_access(
    world: World, services: Services, tmp_path: Path
) -> tuple[str, dict[str, Any]]:
    """A saved head (subject_seq 1), five reports, the newest page of three (6-4), then one
    more access (seq 7) before the next page is fetched: the saved head's file and that page."""
    world.grant()
    saved = _save(tmp_path, "saved.json", world.enterprise.get("/v1/me/access-log").json())
    for _ in range(5):
        world.report()  # subject_seq 2 to 6
    first = _pages(world, services, 3, 1)[0]  # 6-4
    world.report()  # seq 7 arrives before the next page is fetched
    services.ledger.wait_for_checkpoint(services.ledger.size(), 5)
    return saved, first


def test_pages_fetched_with_before_prove_nothing_was_left_out(
    world: World, services: Services, tmp_path: Path
) -> None:
    world.grant()
    world.report()
    saved = _save(tmp_path, "saved.json", world.enterprise.get("/v1/me/access-log").json())
    for _ in range(7):
        world.report()  # subject_seq 3 to 9: more than a page of 3 holds
    pages = _pages(world, services, 3, 3)  # 9-7, 6-4, 3-1
    assert pages[2]["next_before_index"] is None and pages[0]["head"] is not None
    assert len({page["checkpoint"] for page in pages}) == 1
    short = _verify(world, tmp_path, pages[:2], "--previous-head", saved)
    assert short.exit_code == 2 and "not concluded" in short.stderr, short.output
    assert f"before={pages[1]['next_before_index']}" in short.stderr
    assert f"size={pages[0]['tree_size']}" in short.stderr  # older pages share page 1's tree
    result = _verify(world, tmp_path, pages, "--previous-head", saved)
    assert result.exit_code == 0, result.output
    assert f"OK joined 3 pages: 9 entries of {ENTERPRISE}" in result.stdout
    assert "OK no omission" in result.stdout and "on these 3 pages" in result.stdout
    gap = copy.deepcopy(pages)
    del gap[1]["entries"][0]
    result = _verify(world, tmp_path, gap, "--previous-head", saved)
    assert result.exit_code == 1 and "a gap between pages 1 and 2" in result.stderr
    overlap = [pages[0], pages[0], pages[2]]
    assert _verify(world, tmp_path, overlap, "--previous-head", saved).exit_code == 1


def test_pages_fetched_while_the_log_grows_join_through_the_gateways_proof(
    world: World, services: Services, app: FastAPI, tmp_path: Path
) -> None:
    saved, first = _first_page_then_one_more_access(world, services, tmp_path)
    params = {"limit": 3, "before": first["next_before_index"]}
    second = world.enterprise.get("/v1/me/access-log", params=params).json()  # 3-1
    assert first["checkpoint"] != second["checkpoint"]
    offline = _verify(world, tmp_path, [first, second], "--previous-head", saved)
    assert offline.exit_code == 2 and "consistency proof" in offline.stderr, offline.output
    with live_server(app) as url:
        result = _verify(world, tmp_path, [first, second], "--previous-head", saved, "--url", url)
    assert result.exit_code == 0, result.output
    assert "OK consistent: page 2's checkpoint" in result.stdout
    assert "OK no omission" in result.stdout


def test_an_entry_hidden_from_a_saved_head_surfaces_on_an_older_page(
    world: World, services: Services, tmp_path: Path
) -> None:
    world.grant()
    world.report()
    world.report(purpose="marketing")  # denied, subject_seq 3: the entry the lie hides
    lying = _dropping_newest(
        world.enterprise.get("/v1/me/access-log").json(), _gateway_signers(services)
    )
    hidden = world.enterprise.get("/v1/me/access-log").json()["entries"][0]["index"]
    saved = _save(tmp_path, "lying.json", lying)  # the subject cannot tell yet
    for _ in range(4):
        world.report()  # subject_seq 4 to 7
    pages = _pages(world, services, 2, 3)  # 7-6, 5-4, 3-2
    two = _verify(world, tmp_path, pages[:2], "--previous-head", saved)
    assert two.exit_code == 1 and "OMISSION" in two.stderr, two.output  # 4 names 3
    result = _verify(world, tmp_path, pages, "--previous-head", saved)
    assert result.exit_code == 1 and "OMISSION" in result.stderr, result.output
    evidence = json.loads(result.stderr.split("\n", 1)[1])
    assert evidence["previous_head"] == lying["head"] and evidence["entry"]["index"] == hidden
    assert evidence["checkpoint"] == pages[2]["checkpoint"]


def test_pages_pinned_to_the_first_pages_checkpoint_join_offline_while_the_log_grows(
    world: World, services: Services, tmp_path: Path
) -> None:
    saved, first = _first_page_then_one_more_access(world, services, tmp_path)
    size = first["tree_size"]
    params = {"limit": 3, "before": first["next_before_index"], "size": size}
    second = world.enterprise.get("/v1/me/access-log", params=params).json()  # 3-1
    assert second["checkpoint"] == first["checkpoint"] and second["tree_size"] == size
    assert not second.get("head")
    result = _verify(world, tmp_path, [first, second], "--previous-head", saved)  # no --url
    assert result.exit_code == 0, result.output
    assert f"OK joined 2 pages: 6 entries of {ENTERPRISE}" in result.stdout
    assert "OK no omission" in result.stdout
    again = world.enterprise.get("/v1/me/access-log", params={"limit": 3, "size": size}).json()
    assert again["checkpoint"] == first["checkpoint"] and again["head"] == first["head"]
    assert [e["index"] for e in again["entries"]] == [e["index"] for e in first["entries"]]
    latest = world.enterprise.get("/v1/me/access-log", params={"limit": 3}).json()
    assert latest["tree_size"] > size and latest["head"] != first["head"]
