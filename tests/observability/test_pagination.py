"""One convention on every list endpoint: limit (1..500, default 50) and cursor in, a
Link: <...>; rel="next" header out while more items follow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.clock import SettableClock
from gateway.pagination import decode_cursor, encode_cursor
from gateway.principals.models import Role
from tests.support.actors import Actor
from tests.support.world import World


def walk(actor: Actor, url: str) -> tuple[list[Any], int]:
    """Every item, following Link headers; and how many pages that took."""
    items: list[Any] = []
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        response = actor.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body if isinstance(body, list) else body[_list_field(body)])
        pages += 1
        next_url = response.links.get("next", {}).get("url")
        assert pages < 50
    return items, pages


def _list_field(body: dict[str, Any]) -> str:
    [name] = [k for k, v in body.items() if isinstance(v, list)]
    return name


def test_pages_of_principals_join_without_gaps_or_repeats(
    http: TestClient, make_actor: Any
) -> None:
    operator = make_actor(Role.operator)
    for _ in range(6):
        make_actor(Role.institution)
    everything = operator.get("/v1/principals").json()
    assert len(everything) == 7

    first = operator.get("/v1/principals?limit=3&role=institution")
    assert len(first.json()) == 3
    link = first.headers["link"]
    assert link.startswith("</v1/principals?") and link.endswith('>; rel="next"')
    assert "role=institution" in link and "limit=3" in link

    walked, pages = walk(operator, "/v1/principals?limit=3")
    assert [p["id"] for p in walked] == [p["id"] for p in everything]
    assert pages == 3  # 3 + 3 + 1; the last page has no Link
    assert "link" not in operator.get("/v1/principals").headers


def test_a_page_is_stable_while_items_are_added(http: TestClient, make_actor: Any) -> None:
    operator = make_actor(Role.operator, "operator-m")
    for name in ("institution-a", "institution-b", "institution-y", "institution-z"):
        make_actor(Role.institution, name)
    first = operator.get("/v1/principals?limit=2")
    assert [p["id"] for p in first.json()] == ["institution-a", "institution-b"]
    make_actor(Role.institution, "institution-0")  # sorts before the cursor: not repeated
    make_actor(Role.institution, "institution-c")  # after it: seen
    rest, _ = walk(operator, first.links["next"]["url"])
    assert [p["id"] for p in rest] == [
        "institution-c",
        "institution-y",
        "institution-z",
        "operator-m",
    ]


def test_the_oversight_lists_page_inside_their_objects(http: TestClient, make_actor: Any) -> None:
    assessor = make_actor(Role.assessor)
    made = sorted(make_actor(Role.institution).id for _ in range(5))
    first = assessor.get("/v1/audit/institutions?limit=2")
    assert first.status_code == 200
    assert "period" in first.json()
    walked, pages = walk(assessor, "/v1/audit/institutions?limit=2")
    assert [i["id"] for i in walked] == made and pages == 3
    anomalies = assessor.get("/v1/audit/anomalies?limit=1")
    assert anomalies.status_code == 200 and "link" not in anomalies.headers


def test_datasets_page_in_catalog_order(http: TestClient, make_actor: Any) -> None:
    source = make_actor(Role.operator)
    everything = source.get("/v1/datasets").json()
    walked, pages = walk(source, "/v1/datasets?limit=10")
    assert walked == everything and pages == -(-len(everything) // 10)


@pytest.mark.parametrize(
    "url", ["/v1/principals", "/v1/authorizations", "/v1/datasets", "/v1/audit/institutions"]
)
@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=x"])
def test_limits_are_bounded(http: TestClient, make_actor: Any, url: str, query: str) -> None:
    operator = make_actor(Role.assessor if "audit" in url else Role.operator)
    response = operator.get(f"{url}?{query}")
    assert response.status_code == 422
    assert "query.limit" in response.text


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        encode_cursor(("a", "b", "c")),  # another list's
        encode_cursor((1,)),  # wrong type for an id
        "W10",  # []
        "x" * 600,
    ],
)
def test_a_foreign_or_forged_cursor_is_refused(
    http: TestClient, make_actor: Any, cursor: str
) -> None:
    operator = make_actor(Role.operator)
    response = operator.get("/v1/principals", params={"cursor": cursor})
    assert response.status_code == 422, response.text
    assert "query.cursor" in response.text


def test_cursors_carry_timestamps_and_lists() -> None:
    from datetime import UTC, datetime

    key = (datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "id-1", (3, 4))
    assert decode_cursor(encode_cursor(key)) == key


def test_newest_first_lists_page_by_time_then_id(
    http: TestClient, world: World, clock: SettableClock
) -> None:
    for step in range(5):
        if step % 2 == 0:  # pairs share a timestamp: the id breaks the tie
            clock.advance(timedelta(minutes=1))
        world.grant(purpose=("loan_underwriting", "post_loan_monitoring")[step % 2])
    everything = world.enterprise.get("/v1/authorizations").json()
    assert len(everything) == 5
    walked, pages = walk(world.enterprise, "/v1/authorizations?limit=2")
    assert [a["id"] for a in walked] == [a["id"] for a in everything] and pages == 3
    bank_view, _ = walk(world.bank, "/v1/authorizations?limit=4")
    assert [a["id"] for a in bank_view] == [a["id"] for a in everything]
