"""Many concurrent writing requests all get answered (no lock/thread starvation)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.support.world import ENTERPRISE, World

CONCURRENCY = 64  # more than the database pool and AnyIO's default 40 worker threads


def test_64_concurrent_verifications_all_answer(world: World) -> None:
    world.grant(modes=["verify"], datasets=["housing_fund"])
    body = {
        "purpose": "loan_underwriting",
        "checks": [{"predicate": "housing_fund_contributors_at_least", "args": {"count": 5}}],
    }

    def ask(_: int) -> int:
        response = world.bank.post(f"/v1/enterprises/{ENTERPRISE}/verifications", json=body)
        return int(response.status_code)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        codes = list(pool.map(ask, range(3 * CONCURRENCY)))
    assert codes == [200] * len(codes)
    log = world.enterprise.get("/v1/me/access-log", params={"limit": 500}).json()
    assert sum(e["entry"]["payload"]["type"] == "access.verify" for e in log["entries"]) == len(
        codes
    )
