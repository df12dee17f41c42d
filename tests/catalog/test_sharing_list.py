"""The catalog carries every row and every item of the sharing list, as the list words them."""

from __future__ import annotations

import pytest

from gateway.catalog import Catalog, DatasetSpec, SharingMethod, UpdateFrequency, load_catalog
from tests.catalog.sharing_list import ListRow, load_rows

# List row (信息种类[/sub-kind], ordinal among rows of that kind) -> the datasets that carry it.
ROW_DATASETS: dict[tuple[str, int], tuple[str, ...]] = {
    ("营业执照信息", 1): ("business_licence",),
    ("营业执照信息", 2): ("business_licence",),
    ("变更信息", 1): ("registration_changes",),
    ("变更信息", 2): ("business_licence",),  # 所属行业类型: a licence attribute
    ("市场主体登记信息", 1): ("shareholders",),
    ("分支机构信息", 1): ("branches",),
    ("股权出质登记信息", 1): ("equity_pledges",),
    ("企业年报", 1): ("annual_reports",),
    ("列入经营异常名录信息", 1): ("abnormal_operations",),
    ("列入严重违法失信企业情况", 1): ("serious_violations",),
    ("抽查信息", 1): ("spot_checks",),
    ("纳税信用等级信息", 1): ("tax_credit_rating", "tax_a_grade_taxpayers"),
    ("非正常纳税户信息", 1): ("abnormal_taxpayer_status",),
    ("纳税信息", 1): ("tax_arrears",),
    ("纳税信息", 2): ("tax_payments",),
    ("住房公积金信息", 1): ("housing_fund",),
    ("社会保险费缴纳情况", 1): ("social_insurance_contributions",),
    ("社会保险信息", 1): ("social_insurance_arrears",),
    ("不动产信息/企业名下不动产登记情况", 1): ("real_estate",),
    ("不动产信息/企业名下房产抵押信息", 1): ("real_estate_mortgages",),
    ("行政许可信息", 1): ("administrative_licences",),
    ("行政处罚信息", 1): ("administrative_penalties",),
    ("行政强制、行政奖励、行政确认、行政裁决、行政监督检查", 1): ("administrative_coercion",),
    ("水费信息", 1): ("water_bills",),
    ("电费信息", 1): ("electricity_bills",),
    ("燃气费信息", 1): ("gas_bills",),
    ("科技研发信息", 1): ("research_development",),
}

# Items that name two attributes (or lost their separator in the PDF) -> the labels that carry
# them. Everything else must appear verbatim. See docs/catalog.md.
ITEM_SPLITS: dict[str, tuple[str, ...]] = {
    "分支机构名称和统一社会信用代码": ("分支机构名称", "分支机构统一社会信用代码"),
    "当前是否欠缴欠缴信息": ("当前是否欠缴", "欠缴信息"),  # "当前是否欠缴 欠缴信息"
    "水用户信息(户名/户号)": ("水用户信息(户名)", "水用户信息(户号)"),
    "燃气用户信息(户名/户号)": ("燃气用户信息(户名)", "燃气用户信息(户号)"),
}

FREQUENCIES = {
    "实时": UpdateFrequency.realtime,
    "月度": UpdateFrequency.monthly,
    "年度": UpdateFrequency.annual,
}

ROWS = load_rows()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _datasets(catalog: Catalog, row: ListRow) -> list[DatasetSpec]:
    found = [catalog.dataset(i) for i in ROW_DATASETS[row.key]]
    assert all(found), f"row {row.key} maps to unknown datasets {ROW_DATASETS[row.key]}"
    return [d for d in found if d is not None]


def test_the_parser_finds_all_27_rows_of_the_table() -> None:
    assert len(ROWS) == 27
    assert all(row.items and row.method and row.unit for row in ROWS)
    assert {row.frequency for row in ROWS} == set(FREQUENCIES)


def test_every_row_is_mapped_and_every_listed_dataset_comes_from_a_row(catalog: Catalog) -> None:
    assert {row.key for row in ROWS} == set(ROW_DATASETS)
    mapped = {d for ids in ROW_DATASETS.values() for d in ids}
    listed = {d.id for d in catalog.datasets if d.in_sharing_list}
    assert mapped == listed


def test_every_item_split_still_matches_an_item_of_the_list() -> None:
    items = {item for row in ROWS for item in row.items}
    assert set(ITEM_SPLITS) <= items


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.kind}#{r.ordinal}")
def test_every_item_of_the_row_is_a_label_of_its_dataset(catalog: Catalog, row: ListRow) -> None:
    expected = [label for item in row.items for label in ITEM_SPLITS.get(item, (item,))]
    for dataset in _datasets(catalog, row):
        labels = {f.label_zh for f in dataset.fields}
        missing = [label for label in expected if label not in labels]
        assert not missing, f"{dataset.id} lacks labels {missing}"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.kind}#{r.ordinal}")
def test_unit_method_and_frequency_are_the_rows(catalog: Catalog, row: ListRow) -> None:
    for dataset in _datasets(catalog, row):
        assert dataset.responsible_unit_zh == row.unit
        assert dataset.sharing_method_zh in row.method
        assert dataset.update_frequency is FREQUENCIES[row.frequency]


def test_each_listed_dataset_is_named_after_one_of_its_rows(catalog: Catalog) -> None:
    for dataset in (d for d in catalog.datasets if d.in_sharing_list):
        kinds = [key[0] for key, ids in ROW_DATASETS.items() if dataset.id in ids]
        assert any(
            dataset.name_zh == kind or dataset.name_zh.startswith(kind + "/") for kind in kinds
        ), dataset.id


def _method_from_wording(wording: str) -> SharingMethod:
    if "接口调用" in wording:
        return (
            SharingMethod.live_interface_authorized
            if "授权" in wording
            else SharingMethod.live_interface
        )
    if "后台录入" in wording:
        return SharingMethod.manual_entry
    if "物理" in wording or "挂接" in wording:
        return SharingMethod.physical_collection
    raise AssertionError(f"no sharing method recognised in {wording!r}")


def test_sharing_method_follows_the_lists_wording(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        assert _method_from_wording(dataset.sharing_method_zh) is dataset.sharing_method, dataset.id


def test_labels_carry_no_stray_whitespace(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        for field in dataset.fields:
            assert field.label_zh == "".join(field.label_zh.split()), (dataset.id, field.id)


@pytest.mark.parametrize("item", sorted(ITEM_SPLITS))
def test_a_split_item_is_found_by_the_lists_own_label(catalog: Catalog, item: str) -> None:
    """The list's wording finds every field it was split into, each carrying that wording."""
    found = catalog.find_label(item)

    assert sorted(f.label_zh for _, f in found) == sorted(ITEM_SPLITS[item])
    assert all(f.list_label_zh == item for _, f in found)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.kind}#{r.ordinal}")
def test_every_item_of_the_list_is_found_exactly_as_written(catalog: Catalog, row: ListRow) -> None:
    for item in row.items:
        datasets = {d.id for d, _ in catalog.find_label(item)}
        assert set(ROW_DATASETS[row.key]) <= datasets, item


def test_only_split_fields_carry_a_list_label(catalog: Catalog) -> None:
    carried = {f.list_label_zh for d in catalog.datasets for f in d.fields if f.list_label_zh}
    assert carried == set(ITEM_SPLITS)
