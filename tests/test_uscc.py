import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway import uscc

# Codes published on the national enterprise credit information system.
KNOWN_GOOD = [
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "9144030071526726XG",  # Shenzhen Tencent Computer Systems Co., Ltd.
    "91110000600037341L",
]


@pytest.mark.parametrize("code", KNOWN_GOOD)
def test_known_good_codes_are_valid(code: str) -> None:
    assert uscc.problem(code) is None
    assert str(uscc.parse(code)) == code


@pytest.mark.parametrize("code", KNOWN_GOOD)
def test_every_single_character_corruption_is_caught(code: str) -> None:
    for position in range(18):
        for replacement in uscc.ALPHABET + "IOSVZa-":
            if replacement == code[position]:
                continue
            corrupted = code[:position] + replacement + code[position + 1 :]
            assert uscc.problem(corrupted) is not None, corrupted


def test_adjacent_transpositions_are_caught() -> None:
    code = KNOWN_GOOD[0]
    for i in range(17):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not uscc.is_valid(swapped), swapped


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91440300192203821", "18 characters"),
        ("9144030019220382160", "18 characters"),
        ("914403001922038I16", "character 16"),
        ("Z14403001922038216", "character 1"),
        ("9144A3001922038216", "administrative division"),
        ("914403001922038217", "check character"),
        (None, "string"),
    ],
)
def test_problems_are_named(code: object, fragment: str) -> None:
    problem = uscc.problem(code)
    assert problem is not None and fragment in problem


def test_parse_raises_with_the_problem() -> None:
    with pytest.raises(uscc.InvalidUSCC, match="check character"):
        uscc.parse("914403001922038217")


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_codes_are_valid_benxi_codes(seed: int) -> None:
    code = uscc.generate(random.Random(seed))
    assert uscc.is_valid(code)
    assert code[2:6] == "2105"
    assert code.startswith("91")


def test_generation_is_deterministic_for_a_seed() -> None:
    first = [uscc.generate(random.Random(7)) for _ in range(3)]
    assert first == [uscc.generate(random.Random(7)) for _ in range(3)]


# Cross-check with python-stdnum's stdnum.cn.uscc. The project keeps its own code because it is
# stricter in the two ways GB 32100 asks for and stdnum does not check: the GB 11714
# organisation code's own check character (17th) and the registration authorities A, N, Y
# (stdnum requires 8 leading digits, so it refuses valid codes of those authorities). It also
# refuses lowercase and separators, which stdnum's compact() would silently accept.


def _demo_codes() -> list[str]:
    from datetime import date

    from gateway.demo.generator import generate_demo
    from gateway.demo.parties import AUTHORITIES

    demo = generate_demo(2022, 40, today=date(2025, 11, 24))
    return [*demo.enterprises, *(a.uscc for a in AUTHORITIES.values())]


def _stdnum_valid(code: str) -> bool:
    from stdnum.cn import uscc as stdnum_uscc

    return bool(stdnum_uscc.is_valid(code))


def _why_only_ours_refuses(code: str) -> str:
    """The one reason the two may disagree on ``code`` when stdnum accepts and ours refuses."""
    if code != code.upper() or len(code) != 18:
        return "stdnum compacts (case, separators)"
    if code[16] != uscc._org_check_char(code[8:16].upper()):
        return "organisation code check (GB 11714)"
    return "unexplained"


def test_generated_and_demo_codes_are_valid_for_stdnum_too() -> None:
    rng = random.Random(14)
    codes = [uscc.generate(rng) for _ in range(2000)] + _demo_codes()

    assert all(uscc.is_valid(c) for c in codes)
    assert [c for c in codes if not _stdnum_valid(c)] == []


def test_stdnum_and_ours_agree_on_mutations_except_where_ours_is_stricter() -> None:
    rng = random.Random(2005)
    disagreements: dict[str, int] = {}
    checked = 0
    for code in [uscc.generate(rng) for _ in range(400)] + KNOWN_GOOD:
        for _ in range(10):
            position = rng.randrange(18)
            ch = rng.choice(uscc.ALPHABET + "IOSVZa")
            mutated = code[:position] + ch + code[position + 1 :]
            ours, theirs = uscc.is_valid(mutated), _stdnum_valid(mutated)
            checked += 1
            if ours and not theirs:
                disagreements["stdnum refuses a code ours accepts"] = 1 + disagreements.get(
                    "stdnum refuses a code ours accepts", 0
                )
            elif theirs and not ours:
                reason = _why_only_ours_refuses(mutated)
                disagreements[reason] = disagreements.get(reason, 0) + 1

    assert checked == 4030
    assert set(disagreements) <= {
        "organisation code check (GB 11714)",
        "stdnum compacts (case, separators)",
    }, disagreements


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_letter_registration_authorities_are_valid_here_though_stdnum_refuses_them(
    authority: str,
) -> None:
    code = uscc.generate(random.Random(authority))
    first17 = authority + code[1:17]
    lettered = first17 + uscc._check_char(first17)

    assert uscc.is_valid(lettered)
    assert not _stdnum_valid(lettered)
