"""Errors the ledger raises. No HTTP here: the gateway maps each class to a status code.

Every error carries ``code`` (a stable machine-readable name), ``message`` (for humans) and
``detail`` (structured, e.g. the offending parameter), the same shape as
``gateway.errors.CredgateError``.
"""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""

    code = "ledger_error"

    def __init__(self, message: str, *, detail: Any = None) -> None:
        """An error with a human ``message`` and structured ``detail``."""
        super().__init__(message)
        self.message = message
        self.detail = detail


class LedgerUnavailable(LedgerError):
    """The ledger could not record or read durably (storage down, timeout, closed).

    Callers must fail closed: an access that cannot be logged must not happen.
    """

    code = "ledger_unavailable"


class LedgerCorrupted(LedgerUnavailable):
    """Stored data contradicts itself or an issued checkpoint; the ledger refuses to go on."""

    code = "ledger_corrupted"


class InvalidRequest(LedgerError):
    """A caller asked for something impossible; ``detail["parameter"]`` names the culprit."""

    code = "invalid_request"

    def __init__(self, message: str, *, parameter: str, **detail: Any) -> None:
        """An error about request parameter ``parameter``; ``detail`` adds context."""
        super().__init__(message, detail={"parameter": parameter, **detail})
        self.parameter = parameter


class NotCheckpointed(InvalidRequest):
    """The entry or tree size asked for is not covered by a signed checkpoint yet."""

    code = "not_checkpointed"


class EntryNotFound(LedgerError):
    """No entry has this index."""

    code = "entry_not_found"


class CheckpointNotFound(LedgerError):
    """No checkpoint was issued for this tree size."""

    code = "checkpoint_not_found"


class CheckpointNotKept(CheckpointNotFound):
    """No checkpoint of this size is kept, though the tree has the size: none was issued for
    it, or retention thinned it out. ``detail`` names the nearest kept sizes; proofs for the
    size still work (they are computed from the tree, not from checkpoints)."""

    code = "checkpoint_not_kept"


class InvalidEntry(LedgerError, ValueError):
    """A payload the ledger cannot canonicalize (floats, non-string keys, unpaired surrogates).

    This is a bug in the calling code, not bad client input.
    """

    code = "invalid_entry"


class SigningKeyError(LedgerError):
    """The signing key file is missing, unreadable, malformed or too widely readable."""

    code = "signing_key_error"


class VerificationError(LedgerError):
    """Something a verifier checked is false: a signature, a proof, a chain, a format."""

    code = "verification_failed"
