"""Signed logs built in memory (no database), for verifier and auditor tests."""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import entry
from ledger.note import Checkpoint, NoteSigner, sign_note
from ledger.subject_head import SubjectHead, sign_subject_head
from ledger.tree import LedgerTree
from tests.ledger.fakes import memory_tree

ORIGIN = "memory.example/log"


class MemoryLog:
    """A log of sealed entries with subject chains, its tree, and checkpoints on demand."""

    def __init__(self, signer: NoteSigner | None = None) -> None:
        self.signer = signer or NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
        self.leaves: list[bytes] = []
        self.heads: dict[str, tuple[int, int]] = {}

    def append(self, payload: dict[str, Any], subject: str | None = None) -> int:
        seq, prev = None, None
        if subject is not None:
            last = self.heads.get(subject)
            seq, prev = (1, None) if last is None else (last[0] + 1, last[1])
        sealed = entry.seal(
            entry.prepare(payload, subject), "2026-11-27T09:00:00.000000Z", seq, prev
        )
        index = len(self.leaves)
        self.leaves.append(sealed.leaf)
        if subject is not None and seq is not None:
            self.heads[subject] = (seq, index)
        return index

    def tree(self) -> LedgerTree:
        return LedgerTree(memory_tree(self.leaves), len(self.leaves))

    def note(self, size: int | None = None) -> str:
        size = len(self.leaves) if size is None else size
        root = self.tree().root(size)
        return sign_note(Checkpoint(ORIGIN, size, root).body(), [self.signer])

    def consistency(self, first: int, second: int) -> list[bytes]:
        return self.tree().consistency_proof(first, second)

    def head(self, subject: str, size: int | None = None) -> str:
        """The signed subject head of ``subject`` in the tree of ``size`` entries."""
        size = len(self.leaves) if size is None else size
        seq, index = 0, None
        for position in reversed(range(size)):
            link = entry.chain_link(entry.decode(self.leaves[position]))
            if link.subject == subject and link.subject_seq is not None:
                seq, index = link.subject_seq, position
                break
        head = SubjectHead(ORIGIN, size, self.tree().root(size), subject, seq, index)
        return sign_subject_head(head, [self.signer])

    def page(self, subject: str, size: int | None = None, *, head: bool = False) -> dict[str, Any]:
        """Every entry of ``subject`` in the tree of ``size`` entries, newest first; with
        its subject head when ``head``."""
        tree = self.tree()
        size = len(self.leaves) if size is None else size
        items = []
        for index in reversed(range(size)):
            if entry.decode(self.leaves[index]).get("subject") != subject:
                continue
            items.append(
                {
                    "index": index,
                    "leaf": base64.b64encode(self.leaves[index]).decode(),
                    "inclusion_proof": [
                        base64.b64encode(h).decode() for h in tree.inclusion_proof(index, size)
                    ],
                }
            )
        page = {"subject": subject, "checkpoint": self.note(size), "entries": items}
        if head:
            page["head"] = self.head(subject, size)
        return page
