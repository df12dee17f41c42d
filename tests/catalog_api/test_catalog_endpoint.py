from fastapi.testclient import TestClient

from gateway.catalog import load_catalog


def test_catalog_is_served_without_auth_with_chinese_labels(http: TestClient) -> None:
    response = http.get("/v1/catalog")
    assert response.status_code == 200
    body = response.json()
    catalog = load_catalog()
    assert [d["id"] for d in body["datasets"]] == [d.id for d in catalog.datasets]
    licence = next(d for d in body["datasets"] if d["id"] == "business_licence")
    labels = {f["id"]: f["label_zh"] for f in licence["fields"]}
    assert labels["uscc"] == "统一社会信用代码"
    assert all(
        f["disclosure"] in {"public", "institution", "authorized", "verify_only"}
        for d in body["datasets"]
        for f in d["fields"]
    )
