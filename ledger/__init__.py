"""credgate's verifiable ledger: an append-only RFC 9162 Merkle log with signed checkpoints.

Framework-free: SQL lives only in ``ledger.sql_store``; ``ledger.verify``, ``ledger.pages`` and
``ledger.omission`` need neither SQL nor HTTP.
"""

from ledger.errors import (
    CheckpointNotFound,
    CheckpointNotKept,
    EntryNotFound,
    InvalidEntry,
    InvalidRequest,
    LedgerCorrupted,
    LedgerError,
    LedgerUnavailable,
    NotCheckpointed,
    SigningKeyError,
    VerificationError,
)
from ledger.integrity import StorageReport
from ledger.log import Ledger, SignedCheckpoint, StoredEntry, SubjectPage
from ledger.sequencer import Receipt

__all__ = [
    "CheckpointNotFound",
    "CheckpointNotKept",
    "EntryNotFound",
    "InvalidEntry",
    "InvalidRequest",
    "Ledger",
    "LedgerCorrupted",
    "LedgerError",
    "LedgerUnavailable",
    "NotCheckpointed",
    "Receipt",
    "SignedCheckpoint",
    "SigningKeyError",
    "StorageReport",
    "StoredEntry",
    "SubjectPage",
    "VerificationError",
]
