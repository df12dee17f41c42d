"""Rules every catalog entry obeys: subject keys, disclosure classes, sharing methods."""

from __future__ import annotations

import pytest

from gateway.catalog import Catalog, DisclosureClass, FieldType, SharingMethod, load_catalog

GRANT_ONLY_CATEGORIES = {"tax", "social_insurance", "housing_fund", "utilities", "real_estate"}
LIVE_DATASETS = {
    "tax_credit_rating",
    "abnormal_taxpayer_status",
    "tax_arrears",
    "tax_payments",
    "social_insurance_arrears",
}
PRIVATE = {DisclosureClass.authorized, DisclosureClass.verify_only}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _is_id_number(label: str) -> bool:
    return "证件号" in label


def test_every_dataset_is_keyed_by_a_required_uscc(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        subject = dataset.field("uscc")
        assert dataset.subject_field == "uscc", dataset.id
        assert subject is not None and subject.type is FieldType.uscc, dataset.id
        assert subject.required and subject.label_zh == "统一社会信用代码", dataset.id


def test_key_fields_are_required_and_only_multi_row_datasets_have_them(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        assert bool(dataset.key_fields) == dataset.multi_row, dataset.id
        for key in dataset.key_fields:
            field = dataset.field(key)
            assert field is not None and field.required, (dataset.id, key)


def test_grant_only_categories_disclose_nothing_without_a_grant(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        if dataset.category in GRANT_ONLY_CATEGORIES:
            loose = [f.id for f in dataset.fields if f.disclosure not in PRIVATE]
            assert not loose, f"{dataset.id}: {loose} disclosed without a grant"


def test_identity_document_numbers_are_verify_only_and_nothing_else_is(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        for field in dataset.fields:
            is_id = _is_id_number(field.label_zh)
            assert (field.disclosure is DisclosureClass.verify_only) == is_id, (
                dataset.id,
                field.id,
            )


def test_annual_report_figures_need_a_grant(catalog: Catalog) -> None:
    reports = catalog.dataset("annual_reports")
    assert reports is not None
    for field in reports.fields:
        if field.type in (FieldType.money, FieldType.integer) and field.id != "report_year":
            assert field.disclosure is DisclosureClass.authorized, field.id


def test_publicised_licences_and_penalties_are_public_but_for_id_numbers(catalog: Catalog) -> None:
    for dataset_id in ("administrative_licences", "administrative_penalties"):
        dataset = catalog.dataset(dataset_id)
        assert dataset is not None
        for field in dataset.fields:
            expected = (
                DisclosureClass.verify_only
                if _is_id_number(field.label_zh)
                else DisclosureClass.public
            )
            assert field.disclosure is expected, (dataset_id, field.id)


def test_live_datasets_are_the_tax_and_social_insurance_interfaces(catalog: Catalog) -> None:
    live = {d.id for d in catalog.datasets if d.sharing_method.is_live}
    assert live == LIVE_DATASETS
    for dataset_id in live:
        dataset = catalog.dataset(dataset_id)
        assert dataset is not None
        assert dataset.source_id in {"src-tax-bureau", "src-social-insurance"}
    rating = catalog.dataset("tax_credit_rating")
    assert rating is not None
    assert rating.sharing_method is SharingMethod.live_interface_authorized


def test_back_office_entry_is_the_platform_operators(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        if dataset.sharing_method is SharingMethod.manual_entry:
            assert dataset.source_id == "src-ndrc", dataset.id


def test_only_honours_the_dishonesty_list_and_evaluations_are_beyond_the_list(
    catalog: Catalog,
) -> None:
    beyond = {d.id for d in catalog.datasets if not d.in_sharing_list}
    assert beyond == {"honours", "serious_dishonesty_list", "sme_credit_evaluations"}
    evaluations = catalog.dataset("sme_credit_evaluations")
    assert evaluations is not None and "beyond the 2022 sharing list" in evaluations.description


def test_enterprise_name_is_always_the_same_field(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        name = dataset.field("enterprise_name")
        if name is not None:
            assert (name.label_zh, name.type, name.required) == ("企业名称", FieldType.string, True)


def test_enum_and_band_values_are_distinct(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        for field in dataset.fields:
            if field.values:
                assert len(field.values) == len(set(field.values)), (dataset.id, field.id)


def test_field_labels_are_unique_within_a_dataset(catalog: Catalog) -> None:
    for dataset in catalog.datasets:
        labels = [f.label_zh for f in dataset.fields]
        assert len(labels) == len(set(labels)), dataset.id
