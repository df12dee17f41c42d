"""Typed shape of the catalog file (``catalog.yaml``)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FieldType(StrEnum):
    string = "string"
    text = "text"  # free text (decision documents, facts of a violation)
    date = "date"  # ISO 8601 calendar date
    money = "money"  # CNY, Decimal with at most 2 places, sent as a string or number
    integer = "integer"
    ratio = "ratio"  # a share in [0, 1], Decimal
    boolean = "boolean"
    enum = "enum"  # one of ``values``
    band = "band"  # an ordered band label, one of ``values``
    uscc = "uscc"  # a Unified Social Credit Code, validated


class DisclosureClass(StrEnum):
    public = "public"
    institution = "institution"
    authorized = "authorized"
    verify_only = "verify_only"


class SharingMethod(StrEnum):
    physical_collection = "physical_collection"
    live_interface = "live_interface"
    live_interface_authorized = "live_interface_authorized"
    verification_only = "verification_only"
    manual_entry = "manual_entry"

    @property
    def is_live(self) -> bool:
        return self in (SharingMethod.live_interface, SharingMethod.live_interface_authorized)


class UpdateFrequency(StrEnum):
    realtime = "realtime"
    monthly = "monthly"
    annual = "annual"

    @property
    def overdue_after(self) -> timedelta:
        """How long a dataset may go without an update before it is flagged stale."""
        return {
            UpdateFrequency.realtime: timedelta(days=2),
            UpdateFrequency.monthly: timedelta(days=31 + 7),
            UpdateFrequency.annual: timedelta(days=366 + 31),
        }[self]


class FieldSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_zh: str
    # The sharing list's own wording when it names this field and another in one item
    # (分支机构名称和统一社会信用代码): the split fields each carry it, so it is still findable.
    list_label_zh: str | None = None
    type: FieldType
    disclosure: DisclosureClass
    required: bool = False
    values: list[str] | None = None  # for enum and band
    description: str = ""

    @model_validator(mode="after")
    def _values_only_for_enums(self) -> FieldSpec:
        has_values = bool(self.values)
        needs_values = self.type in (FieldType.enum, FieldType.band)
        if has_values != needs_values:
            raise ValueError(f"field {self.id}: 'values' is required exactly for enum and band")
        return self


class DatasetSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str  # 信息种类 (and sub-kind) as the list writes it
    category: str  # stable English grouping: registration, market_supervision, tax, ...
    responsible_unit_zh: str
    source_id: str  # principal id of the source that supplies it
    sharing_method: SharingMethod
    sharing_method_zh: str  # 共享方式 as the list writes it
    update_frequency: UpdateFrequency
    multi_row: bool
    subject_field: str = "uscc"  # which field carries the enterprise's USCC
    key_fields: list[str] = Field(default_factory=list)  # identify a record within a subject
    in_sharing_list: bool = True  # False for categories named only in the plan's text
    description: str = ""  # why a dataset beyond the list is here
    # 总对总 数据回流: the provincial platform may push this dataset back (docs/exchange.md)
    provincial_backflow: bool = False
    fields: list[FieldSpec]

    @model_validator(mode="after")
    def _consistent(self) -> DatasetSpec:
        ids = [f.id for f in self.fields]
        if len(ids) != len(set(ids)):
            raise ValueError(f"dataset {self.id}: duplicate field ids")
        if self.subject_field not in ids:
            raise ValueError(f"dataset {self.id}: subject_field {self.subject_field} not a field")
        missing = [k for k in self.key_fields if k not in ids]
        if missing:
            raise ValueError(f"dataset {self.id}: key_fields not fields: {missing}")
        if self.multi_row and not self.key_fields:
            raise ValueError(f"dataset {self.id}: a multi-row dataset needs key_fields")
        return self

    def field(self, field_id: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.id == field_id), None)


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    source_document: str
    datasets: list[DatasetSpec]

    @model_validator(mode="after")
    def _unique_datasets(self) -> Catalog:
        ids = [d.id for d in self.datasets]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate dataset ids")
        return self

    def dataset(self, dataset_id: str) -> DatasetSpec | None:
        return next((d for d in self.datasets if d.id == dataset_id), None)

    def find_label(self, label: str) -> list[tuple[DatasetSpec, FieldSpec]]:
        """Fields whose label, or the list item they were split from, is exactly ``label``."""
        return [
            (dataset, field)
            for dataset in self.datasets
            for field in dataset.fields
            if label in (field.label_zh, field.list_label_zh)
        ]

    def labelled(self, label: str) -> Catalog:
        """This catalog cut down to the datasets and fields ``find_label(label)`` finds."""
        found = self.find_label(label)
        datasets = [
            dataset.model_copy(update={"fields": [f for d, f in found if d is dataset]})
            for dataset in self.datasets
            if any(d is dataset for d, _ in found)
        ]
        return self.model_copy(update={"datasets": datasets})
