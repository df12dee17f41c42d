"""Signed subject heads: the exact format, signatures, domain separation from checkpoints, and
which pairs of heads (or a head and an entry) cannot both be true."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from ledger.entry import ChainLink
from ledger.errors import VerificationError
from ledger.note import Checkpoint, NoteSigner, sign_note, verify_checkpoint
from ledger.subject_head import (
    SubjectHead,
    contradiction,
    entry_contradiction,
    link_contradiction,
    sign_subject_head,
    verify_subject_head,
)

ORIGIN = "credgate.example/ledger"
ROOT = bytes(range(32))
SUBJECT = "91350100M000100Y43"
# Ed25519 is deterministic: a fixed key gives fixed signatures.
TEST_SIGNER = NoteSigner(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
TEST_VERIFIER_KEY = "credgate.example/ledger+a71788bc+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
HEAD = SubjectHead(ORIGIN, 1342, ROOT, SUBJECT, 7, 1337)
GOLDEN_HEAD = (
    "credgate subject head v1\n"
    "origin credgate.example/ledger\n"
    "size 1342\n"
    "root AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    'subject "91350100M000100Y43"\n'
    "subject_seq 7\n"
    "index 1337\n"
    "\n"
    "\u2014 credgate.example/ledger pxeIvP4ECUYLcIew67LEEGqaSl93HmCxpOv3R9l1yUNkiFobsozGkLYF7i"
    "AhhTHVNLUjkbpmfstfJhyGbvlIqnajLwA=\n"
)
GOLDEN_EMPTY_HEAD = (
    "credgate subject head v1\n"
    "origin credgate.example/ledger\n"
    "size 1342\n"
    "root AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    'subject "91350100M000100Y43"\n'
    "subject_seq 0\n"
    "index none\n"
    "\n"
    "\u2014 credgate.example/ledger pxeIvFlv/n3Dfcjmsi4Ctr4VpXnelIoQONlRyGMljRqJHbbICFXGO4+yPGEt"
    "w4e14ZMed/gmouprJkoBOQSLTOQVnQA=\n"
)


def _signer(name: str = ORIGIN) -> NoteSigner:
    return NoteSigner(name, Ed25519PrivateKey.generate())


def test_a_head_is_exactly_the_documented_bytes() -> None:
    assert TEST_SIGNER.verifier_key == TEST_VERIFIER_KEY
    assert sign_subject_head(HEAD, [TEST_SIGNER]) == GOLDEN_HEAD
    empty = dataclasses.replace(HEAD, subject_seq=0, index=None)
    assert sign_subject_head(empty, [TEST_SIGNER]) == GOLDEN_EMPTY_HEAD
    assert empty.empty and not HEAD.empty


def test_golden_heads_verify_with_the_published_key() -> None:
    verifiers = [TEST_SIGNER.verifier]
    assert verify_subject_head(GOLDEN_HEAD, verifiers, origin=ORIGIN, subject=SUBJECT) == HEAD
    empty = verify_subject_head(GOLDEN_EMPTY_HEAD, verifiers)
    assert (empty.subject_seq, empty.index) == (0, None)


def test_sign_and_verify_round_trip() -> None:
    signer = _signer()
    for head in [HEAD, SubjectHead(ORIGIN, 1, ROOT, "institution:bank-1", 1, 0)]:
        note = sign_subject_head(head, [signer])
        assert verify_subject_head(note, [signer.verifier]) == head
        assert SubjectHead.parse(head.body()) == head


@st.composite
def _heads(draw: st.DrawFn) -> SubjectHead:
    size = draw(st.integers(0, 2**63 - 1))
    seq = draw(st.integers(0, min(size, 2**40)))
    index = None if seq == 0 else draw(st.integers(seq - 1, size - 1))
    subject = draw(st.text(min_size=1, max_size=200))
    root = draw(st.binary(min_size=32, max_size=32))
    return SubjectHead(ORIGIN, size, root, subject, seq, index)


@given(_heads())
def test_any_head_survives_its_own_format(head: SubjectHead) -> None:
    body = head.body()
    assert SubjectHead.parse(body) == head
    assert body.count("\n") == 7  # whatever the subject holds, it stays on its line


def test_a_subject_with_a_newline_cannot_break_the_format() -> None:
    head = SubjectHead(ORIGIN, 10, ROOT, "A\nsubject_seq 99", 1, 3)
    body = head.body()
    assert 'subject "A\\nsubject_seq 99"\n' in body
    assert SubjectHead.parse(body) == head


def _replace_line(note: str, field: str, value: str) -> str:
    lines = note.split("\n")
    position = next(i for i, line in enumerate(lines) if line.startswith(field + " "))
    lines[position] = f"{field} {value}"
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("origin", "credgate.example/other"),
        ("size", "1343"),
        ("root", "AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
        ("subject", '"91350100M000100Y44"'),
        ("subject_seq", "6"),
        ("index", "1336"),
        ("index", "none"),
    ],
)
def test_changing_any_field_breaks_the_signature(field: str, value: str) -> None:
    tampered = _replace_line(GOLDEN_HEAD, field, value)
    assert tampered != GOLDEN_HEAD
    with pytest.raises(VerificationError, match="signature"):
        verify_subject_head(tampered, [TEST_SIGNER.verifier])


def test_changing_any_byte_of_a_signed_head_is_caught() -> None:
    for position in range(len(GOLDEN_HEAD)):
        for replacement in {"A", "\n", "0"} - {GOLDEN_HEAD[position]}:
            tampered = GOLDEN_HEAD[:position] + replacement + GOLDEN_HEAD[position + 1 :]
            with pytest.raises(VerificationError):
                verify_subject_head(tampered, [TEST_SIGNER.verifier])


def test_a_head_about_another_origin_or_subject_is_refused() -> None:
    with pytest.raises(VerificationError, match="origin"):
        verify_subject_head(GOLDEN_HEAD, [TEST_SIGNER.verifier], origin="other.example/log")
    with pytest.raises(VerificationError, match="not 'B'"):
        verify_subject_head(GOLDEN_HEAD, [TEST_SIGNER.verifier], subject="B")
    with pytest.raises(VerificationError, match="trusted"):
        verify_subject_head(GOLDEN_HEAD, [_signer().verifier])


def test_a_checkpoint_is_not_a_head_and_a_head_is_not_a_checkpoint() -> None:
    signer = _signer()
    checkpoint = sign_note(Checkpoint(ORIGIN, 1342, ROOT).body(), [signer])
    with pytest.raises(VerificationError, match="not a subject head"):
        verify_subject_head(checkpoint, [signer.verifier])
    head = sign_subject_head(HEAD, [signer])
    with pytest.raises(VerificationError, match="size"):
        verify_checkpoint(head, [signer.verifier])
    # Even a log whose origin is the head's first line: its size line is no "origin ..." line.
    confusing = sign_note(Checkpoint("credgate subject head v1", 7, ROOT).body(), [signer])
    with pytest.raises(VerificationError, match="subject head"):
        verify_subject_head(confusing, [signer.verifier])


def test_heads_co_signed_during_a_rotation_verify_with_either_key() -> None:
    new, old = _signer(), _signer()
    note = sign_subject_head(HEAD, [new, old])
    for trusted in ([new.verifier], [old.verifier], [old.verifier, new.verifier]):
        assert verify_subject_head(note, trusted) == HEAD


@pytest.mark.parametrize(
    "body",
    [
        GOLDEN_HEAD.split("\n\n")[0],  # no final newline
        "credgate subject head v2\n" + HEAD.body().split("\n", 1)[1],
        HEAD.body() + "extra line\n",
        HEAD.body().replace("index 1337\n", ""),
        HEAD.body().replace("size 1342", "size 01342"),
        HEAD.body().replace("size 1342", "size +1342"),
        HEAD.body().replace("size 1342", "size 9223372036854775808"),
        HEAD.body().replace("subject_seq 7", "subject_seq 0"),
        HEAD.body().replace("index 1337", "index none"),
        HEAD.body().replace("index 1337", "index 1342"),
        HEAD.body().replace("index 1337", "index 5"),  # seq 7 needs 7 indices up to it
        HEAD.body().replace("Hh8=", "Hh9="),  # not canonical base64
        HEAD.body().replace("root AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "root AAEC"),
        HEAD.body().replace('"91350100M000100Y43"', "91350100M000100Y43"),
        HEAD.body().replace('"91350100M000100Y43"', '"\\u0039"'),  # not canonical JSON
        HEAD.body().replace('"91350100M000100Y43"', '""'),
        HEAD.body().replace("origin credgate", "origin  credgate"),
        HEAD.body().replace("subject_seq 7\nindex 1337", "index 1337\nsubject_seq 7"),
        HEAD.body().replace("\n", "\r\n"),
    ],
)
def test_malformed_head_text_is_refused(body: str) -> None:
    with pytest.raises(VerificationError):
        SubjectHead.parse(body)


def _head(size: int, seq: int, index: int | None, root: bytes = ROOT) -> SubjectHead:
    return SubjectHead(ORIGIN, size, root, SUBJECT, seq, index)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (_head(100, 3, 40), _head(100, 3, 40)),
        (_head(100, 3, 40), _head(200, 3, 40)),  # nothing new
        (_head(100, 3, 40), _head(200, 5, 150)),
        (_head(100, 3, 40), _head(200, 4, 100)),  # the next one, at the old size exactly
        (_head(100, 0, None), _head(200, 1, 120)),
        (_head(100, 0, None), _head(200, 0, None)),
        (_head(50, 2, 30), _head(100, 3, 60)),  # older first
    ],
)
def test_heads_that_can_both_be_true(first: SubjectHead, second: SubjectHead) -> None:
    assert contradiction(first, second) is None
    assert contradiction(second, first) is None


@pytest.mark.parametrize(
    ("first", "second", "match"),
    [
        (_head(100, 3, 40), _head(100, 3, 40, bytes(32)), "different roots"),
        (_head(100, 3, 40), _head(100, 4, 60), "omitted"),
        (_head(100, 3, 40), _head(200, 4, 90), "omitted"),  # entry 90 hidden from size 100
        (_head(100, 3, 40), _head(200, 3, 41), "forked"),  # seq 3 reused
        (_head(100, 3, 40), _head(200, 2, 30), "omitted"),  # the count went down
        (_head(100, 3, 40), _head(200, 0, None), "omitted"),  # the entries vanished
        (_head(100, 0, None), _head(200, 1, 50), "omitted"),
        (_head(100, 3, 40), _head(90, 2, 45), "does not come before"),
    ],
)
def test_heads_that_contradict_each_other(
    first: SubjectHead, second: SubjectHead, match: str
) -> None:
    found = [contradiction(first, second), contradiction(second, first)]
    assert None not in found
    assert any(match in str(reason) for reason in found), found


def test_an_entry_after_the_head_must_point_back_at_it() -> None:
    head = _head(100, 3, 40)
    assert link_contradiction(head, 120, ChainLink(SUBJECT, 4, 40)) is None
    assert "forked" in (link_contradiction(head, 120, ChainLink(SUBJECT, 4, 38)) or "")
    assert "omitted" in (link_contradiction(head, 99, ChainLink(SUBJECT, 4, 40)) or "")
    assert entry_contradiction(head, 20, 2) is None
    assert entry_contradiction(_head(100, 0, None), 100, 1) is None
    assert link_contradiction(_head(100, 0, None), 100, ChainLink(SUBJECT, 1, None)) is None


def test_a_head_signature_in_non_canonical_base64_is_refused() -> None:
    signer = _signer()
    note = sign_subject_head(HEAD, [signer])
    blob = note.rstrip("\n").rsplit(" ", 1)[1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    spelled = blob[:-2] + alphabet[alphabet.index(blob[-2]) | 0b10] + "="
    assert spelled != blob and base64.b64decode(spelled) == base64.b64decode(blob)

    with pytest.raises(VerificationError, match="canonical"):
        verify_subject_head(note.replace(blob, spelled), [signer.verifier])
