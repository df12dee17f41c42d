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
