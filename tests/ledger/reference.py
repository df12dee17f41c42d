"""An independent RFC 9162 implementation, written from the RFC's own recursive definitions
(section 2.1): MTH, PATH and PROOF/SUBPROOF over a fixed list of leaf inputs. Slow and simple on
purpose; memoized on leaf ranges so tests can afford every size up to a few hundred."""

from __future__ import annotations

import hashlib
from functools import lru_cache


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Reference:
    def __init__(self, leaves: list[bytes]) -> None:
        self.leaves = leaves
        self.mth = lru_cache(maxsize=None)(self._mth)

    def _mth(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n == 1:
            return hashlib.sha256(b"\x00" + self.leaves[start]).digest()
        k = _k(n)
        return hashlib.sha256(
            b"\x01" + self.mth(start, start + k) + self.mth(start + k, end)
        ).digest()

    def root(self, size: int) -> bytes:
        return self.mth(0, size)

    def leaf_hash(self, index: int) -> bytes:
        return self.mth(index, index + 1)

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        """PATH(m, D[start:end]), m relative to start."""
        n = end - start
        if n == 1:
            return []
        k = _k(n)
        if m < k:
            return [*self.path(m, start, start + k), self.mth(start + k, end)]
        return [*self.path(m - k, start + k, end), self.mth(start, start + k)]

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return self.path(index, 0, size)

    def subproof(self, m: int, start: int, end: int, b: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if b else [self.mth(start, end)]
        k = _k(n)
        if m <= k:
            return [*self.subproof(m, start, start + k, b), self.mth(start + k, end)]
        return [*self.subproof(m - k, start + k, end, False), self.mth(start, start + k)]

    def consistency(self, first: int, second: int) -> list[bytes]:
        return self.subproof(first, 0, second, True)
