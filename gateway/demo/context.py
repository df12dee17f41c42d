"""What record builders share besides the profile: the demo's date and document serials."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gateway.demo.profiles import Profile

Record = dict[str, Any]
Records = dict[str, list[Record]]


@dataclass
class Context:
    today: date
    _serials: dict[str, int] = field(default_factory=dict)

    def serial(self, series: str) -> int:
        """The next number in a document series (one per authority and year, say)."""
        self._serials[series] = self._serials.get(series, 0) + 1
        return self._serials[series]


Builder = Callable[["Profile", random.Random, Context], Records]
