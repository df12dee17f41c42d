"""Bounds shared by every integer query or path parameter.

Unbounded, a size or index of 2**63 or more passes validation and then overflows the
databases' 64-bit integers (a 500). Every integer parameter is declared through one of these
aliases, so it is refused with 422 naming the parameter instead.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Le

# Far beyond any real ledger or page, far below where the databases' integers overflow
# (and leaves room for the `+ 1` in range arithmetic).
MAX_INT = 2**62

BoundedInt = Annotated[int, Le(MAX_INT)]
