"""C2SP signed notes (Ed25519) and tlog-checkpoint bodies.

Formats (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint):

* checkpoint body: ``<origin>\\n<decimal size>\\n<base64 root hash>\\n`` plus optional
  extension lines;
* signed note: the body, a blank line, then one line per signature:
  ``\\u2014 <key name> <base64(key hash (4 bytes) || signature)>\\n``;
* key hash: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key);
* verifier key: ``<name>+<key hash as 8 hex digits>+<base64(0x01 || public key)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.errors import VerificationError
from ledger.merkle import HASH_SIZE

ALGORITHM_ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "
MAX_SIGNATURES = 100
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,19})")


def _valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def b64decode_canonical(text: str, what: str) -> bytes:
    """Standard base64 in its one canonical spelling, or ``VerificationError`` naming ``what``.

    A lenient decoder ignores the unused low bits of the last character before ``=`` padding, so
    up to 16 spellings decode to the same bytes; a signature or hash that decodes but does not
    re-encode to ``text`` is refused, as C2SP verifiers should.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise VerificationError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerificationError(f"{what} is not canonical base64")
    return raw


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key hash that identifies an Ed25519 key named ``name``."""
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([ALGORITHM_ED25519]) + public_key
    ).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class NoteVerifier:
    """A key that can check signatures on notes: name, key hash and Ed25519 public key."""

    name: str
    key_hash: bytes
    public_key: bytes

    @classmethod
    def parse(cls, verifier_key: str) -> NoteVerifier:
        """Read ``name+hash+base64(0x01||key)``; raise ``VerificationError`` if malformed."""
        parts = verifier_key.strip().split("+", 2)
        if len(parts) != 3 or not _valid_key_name(parts[0]):
            raise VerificationError("verifier key must look like name+hash8hex+base64key")
        name, hash_hex, key_b64 = parts
        if not re.fullmatch(r"[0-9a-f]{8}", hash_hex):
            raise VerificationError("verifier key hash must be 8 lowercase hex digits")
        raw = b64decode_canonical(key_b64, "verifier key")
        if len(raw) != 33 or raw[0] != ALGORITHM_ED25519:
            raise VerificationError("verifier key is not an Ed25519 (type 0x01) key")
        verifier = cls(name=name, key_hash=bytes.fromhex(hash_hex), public_key=raw[1:])
        if key_hash(name, verifier.public_key) != verifier.key_hash:
            raise VerificationError("verifier key hash does not match its name and key")
        return verifier

    def __str__(self) -> str:
        raw = bytes([ALGORITHM_ED25519]) + self.public_key
        return f"{self.name}+{self.key_hash.hex()}+{base64.b64encode(raw).decode('ascii')}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class NoteSigner:
    """A named Ed25519 private key that signs notes."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        if not _valid_key_name(self.name):
            raise ValueError(f"key name {self.name!r} must be non-empty, without spaces or '+'")

    @property
    def verifier(self) -> NoteVerifier:
        """The matching verifier."""
        public = _raw_public(self.private_key.public_key())
        return NoteVerifier(self.name, key_hash(self.name, public), public)

    @property
    def verifier_key(self) -> str:
        """The verifier key string to publish."""
        return str(self.verifier)

    def signature_line(self, text: str) -> str:
        """The signature line for note text ``text``."""
        signature = self.private_key.sign(text.encode("utf-8"))
        blob = base64.b64encode(self.verifier.key_hash + signature).decode("ascii")
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text:
        raise VerificationError("note text must end in a newline and contain no blank line")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise VerificationError("note text contains control characters")


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note: ``text``, a blank line, one signature line per signer."""
    _check_text(text)
    if not signers:
        raise ValueError("a signed note needs at least one signer")
    return text + "\n" + "".join(signer.signature_line(text) for signer in signers)


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures were checked: its text and the keys that vouch for it."""

    text: str
    verified_by: tuple[NoteVerifier, ...]


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A signed note's text and its signatures as ``(key name, key hash || signature)``."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise VerificationError("not a signed note: no blank line before signatures")
    text, block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise VerificationError("too many signatures on note")
    signatures: list[tuple[str, bytes]] = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise VerificationError("malformed signature line in note")
        name, _, blob_b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not _valid_key_name(name) or not blob_b64:
            raise VerificationError("malformed signature line in note")
        blob = b64decode_canonical(blob_b64, "note signature")
        if len(blob) < 5:
            raise VerificationError("note signature too short")
        signatures.append((name, blob))
    return text, signatures


def signing_key_ids(note: str) -> frozenset[tuple[str, bytes]]:
    """``(key name, key hash)`` of every key whose signature line ``note`` carries.

    Nothing is verified: this says which keys a note claims, for bookkeeping such as
    checkpoint retention; trust comes only from :func:`open_note`. Raises
    ``VerificationError`` for a malformed note.
    """
    return frozenset((name, blob[:4]) for name, blob in _split_note(note)[1])


def open_note(note: str, verifiers: Iterable[NoteVerifier]) -> OpenedNote:
    """Check a signed note against trusted ``verifiers``.

    Signatures by unknown keys are ignored; a bad signature by a trusted key, or no good one,
    raises ``VerificationError``.
    """
    known = {(v.name, v.key_hash): v for v in verifiers}
    text, signatures = _split_note(note)
    good: list[NoteVerifier] = []
    for name, blob in signatures:
        verifier = known.get((name, blob[:4]))
        if verifier is None:
            continue
        if not verifier.verify(text.encode("utf-8"), blob[4:]):
            raise VerificationError(f"invalid signature by trusted key {name}")
        good.append(verifier)
    if not good:
        raise VerificationError("note is not signed by any trusted key")
    return OpenedNote(text=text, verified_by=tuple(good))


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text of this checkpoint."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse checkpoint note text; raise ``VerificationError`` if malformed."""
        if not text.endswith("\n"):
            raise VerificationError("checkpoint must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise VerificationError("checkpoint needs origin, size and root hash lines")
        origin, size, root, *extensions = lines
        if not _DECIMAL.fullmatch(size) or int(size) >= 1 << 63:
            raise VerificationError("checkpoint size is not a canonical decimal number")
        root_hash = b64decode_canonical(root, "checkpoint root hash")
        if len(root_hash) != HASH_SIZE:
            raise VerificationError("checkpoint root hash is not a base64 SHA-256 hash")
        return cls(origin, int(size), root_hash, tuple(extensions))


def verify_checkpoint(
    note: str, verifiers: Iterable[NoteVerifier], origin: str | None = None
) -> Checkpoint:
    """Open a signed checkpoint: signatures by a trusted key, well-formed body, and
    (if given) the expected origin. Raises ``VerificationError`` otherwise."""
    opened = open_note(note, verifiers)
    checkpoint = Checkpoint.parse(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise VerificationError(
            f"checkpoint origin {checkpoint.origin!r} is not the expected {origin!r}"
        )
    return checkpoint
