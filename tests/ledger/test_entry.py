"""Leaf bytes are RFC 8785 canonical JSON of the entry, exactly as the rfc8785 package writes
it, whichever path produced them."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from ledger import entry
from ledger.errors import InvalidEntry, VerificationError

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
KEYS = st.one_of(st.text(st.characters(max_codepoint=127), max_size=8), TEXT)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)


@given(JSON)
def test_canonical_json_is_what_rfc8785_writes(value: Any) -> None:
    assert entry.canonical_json(value).encode("utf-8") == rfc8785.dumps(value)


@given(
    st.dictionaries(KEYS, JSON, max_size=6),
    st.one_of(st.none(), TEXT.filter(bool)),
    st.integers(1, 2**40),
    st.one_of(st.none(), st.integers(0, 2**40)),
)
def test_sealed_leaf_is_rfc8785_of_the_whole_entry(
    payload: dict[str, Any], subject: str | None, seq: int, prev: int | None
) -> None:
    prepared = entry.prepare(payload, subject)
    sealed = entry.seal(prepared, "2026-11-27T09:00:00.000000Z", seq, prev)
    expected: dict[str, Any] = {
        "nonce": prepared.nonce,
        "payload": payload,
        "timestamp": "2026-11-27T09:00:00.000000Z",
        "v": 1,
    }
    if subject is not None:
        expected.update(subject=subject, subject_seq=seq, prev_index=prev)
    assert sealed.leaf == rfc8785.dumps(expected)
    assert entry.decode(sealed.leaf) == json.loads(sealed.leaf)


def test_every_entry_gets_a_fresh_16_byte_nonce() -> None:
    nonces = {entry.prepare({}).nonce for _ in range(1000)}
    assert len(nonces) == 1000
    assert all(len(n) == 24 for n in nonces)


@pytest.mark.parametrize(
    "payload",
    [
        {"x": 1.5},
        {"é": [2.0**53]},
        {"x": 2**53},
        {1: "non-string key"},
        {"x": "\ud800"},
        {"x": object()},
    ],
)
def test_payloads_without_a_canonical_form_are_refused(payload: Any) -> None:
    with pytest.raises(InvalidEntry):
        entry.prepare(payload)


def test_a_payload_must_be_an_object_and_a_subject_a_short_string() -> None:
    with pytest.raises(InvalidEntry):
        entry.prepare(["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(InvalidEntry):
        entry.prepare({}, subject="")
    with pytest.raises(InvalidEntry):
        entry.prepare({}, subject="x" * 201)


def test_decoding_refuses_non_canonical_or_ambiguous_leaves() -> None:
    good = entry.seal(entry.prepare({"a": 1}), "2026-11-27T09:00:00.000000Z").leaf
    assert entry.decode(good)["payload"] == {"a": 1}
    for bad in [
        good.replace(b'{"a":1}', b'{"a": 1}'),
        good.replace(b'{"a":1}', b'{"a":1,"a":2}'),
        good.replace(b'"v":1', b'"v":2'),
        b"\xff",
        b"[]",
    ]:
        with pytest.raises(VerificationError):
            entry.decode(bad)


def test_chain_fields_are_checked_for_shape() -> None:
    assert entry.chain_link({"subject": "S", "subject_seq": 1, "prev_index": None}) == (
        entry.ChainLink("S", 1, None)
    )
    for bad in [
        {"subject": "S", "subject_seq": 2, "prev_index": None},
        {"subject": "S", "subject_seq": 1, "prev_index": 3},
        {"subject": "S", "subject_seq": 0, "prev_index": None},
        {"subject": "S", "subject_seq": True, "prev_index": None},
        {"subject_seq": 1},
    ]:
        with pytest.raises(VerificationError):
            entry.chain_link(bad)


def test_timestamps_are_utc_with_microseconds() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2026, 11, 27, 17, 0, 0, 5, tzinfo=timezone(timedelta(hours=8)))
    assert entry.format_timestamp(moment) == "2026-11-27T09:00:00.000005Z"
    assert entry.format_timestamp(datetime(2026, 1, 1, tzinfo=UTC)).endswith("00.000000Z")
    with pytest.raises(ValueError):
        entry.format_timestamp(datetime(2026, 1, 1))
