"""Unified Social Credit Code (统一社会信用代码), GB 32100-2015.

Layout of the 18 characters::

    1     registration authority code      (1-9, A, N, Y)
    2     entity type code                 (1-9)
    3-8   administrative division code     (6 digits; Benxi is 2105xx)
    9-17  organisation code, GB 11714      (8 body characters + its own check character)
    18    check character over 1-17        (mod 31 over the 31-character alphabet)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The alphabet leaves out I, O, Z, S and V, which read like 1, 0, 2, 5 and U.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG_BODY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
REGISTRATION_AUTHORITIES = "123456789ANY"
BENXI_DIVISIONS = ("210502", "210503", "210504", "210505", "210521", "210522")


class InvalidUSCC(ValueError):
    """The string is not a valid USCC; the message names the first problem found."""


@dataclass(frozen=True, slots=True)
class USCC:
    value: str

    @property
    def division(self) -> str:
        return self.value[2:8]

    def __str__(self) -> str:
        return self.value


def _check_char(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _org_check_char(body8: str) -> str:
    total = sum(int(ch, 36) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def problem(code: object) -> str | None:
    """Return the first problem with ``code`` as a sentence, or ``None`` if it is valid."""
    if not isinstance(code, str):
        return "must be a string of 18 characters"
    if len(code) != 18:
        return f"must be 18 characters long, got {len(code)}"
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            return (
                f"character {position} ({ch!r}) is not allowed; "
                "use 0-9 and A-Y without I, O, S, V, Z"
            )
    if code[0] not in REGISTRATION_AUTHORITIES:
        return f"character 1 ({code[0]!r}) is not a registration authority code"
    if not code[2:8].isdigit():
        return "characters 3-8 must be the six digits of an administrative division code"
    if code[8:16].upper() != code[8:16] or code[16] != _org_check_char(code[8:16]):
        return "character 17 does not match the organisation code's check (GB 11714)"
    expected = _check_char(code[:17])
    if code[17] != expected:
        return "check character (18) does not match"
    return None


def parse(code: object) -> USCC:
    """Validate ``code`` and return it as a :class:`USCC`, or raise :class:`InvalidUSCC`."""
    found = problem(code)
    if found is not None:
        raise InvalidUSCC(found)
    assert isinstance(code, str)
    return USCC(code)


def is_valid(code: object) -> bool:
    return problem(code) is None


def generate(rng: random.Random, division: str | None = None, entity_type: str = "1") -> str:
    """A valid enterprise code (registration authority 9, 工商) in a Benxi division."""
    division = division or rng.choice(BENXI_DIVISIONS)
    digits = "0123456789"
    body = "".join(
        rng.choice(digits + "ABCDEFGHJKLMNPQRTUWXY" if i >= 6 else digits) for i in range(8)
    )
    org = body + _org_check_char(body)  # 0-9 or X: always in the USCC alphabet
    first17 = "9" + entity_type + division + org
    return first17 + _check_char(first17)
