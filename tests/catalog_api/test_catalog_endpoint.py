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


def test_catalog_finds_a_split_item_by_the_lists_label(http: TestClient) -> None:
    response = http.get("/v1/catalog", params={"label": "水用户信息(户名/户号)"})

    assert response.status_code == 200
    datasets = response.json()["datasets"]
    assert [d["id"] for d in datasets] == ["water_bills"]
    fields = datasets[0]["fields"]
    assert {f["label_zh"] for f in fields} == {"水用户信息(户名)", "水用户信息(户号)"}
    assert {f["list_label_zh"] for f in fields} == {"水用户信息(户名/户号)"}


def test_catalog_label_search_matches_labels_exactly(http: TestClient) -> None:
    assert http.get("/v1/catalog", params={"label": "分支机构名称"}).json()["datasets"][0][
        "fields"
    ] == [
        f.model_dump(mode="json")
        for f in load_catalog().dataset("branches").fields  # type: ignore[union-attr]
        if f.id == "branch_name"
    ]
    assert http.get("/v1/catalog", params={"label": "水用户"}).json()["datasets"] == []
