"""Numbers from user text: exact, bounded before they are built; and back for PyTorch."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from derive.errors import DeriveError
from derive.numbers import parse_fraction, torch_literal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.1", Fraction(1, 10)),
        ("1/10", Fraction(1, 10)),
        (" 0.25 ", Fraction(1, 4)),
        (".5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        ("+2", Fraction(2)),
        ("-0.1", Fraction(-1, 10)),
        ("-1/10", Fraction(-1, 10)),
        ("1e-3", Fraction(1, 1000)),
        ("1E-3", Fraction(1, 1000)),
        ("-1e-3", Fraction(-1, 1000)),
        ("12e-1", Fraction(6, 5)),
        ("1.20e2", Fraction(120)),
        ("00001.5000000", Fraction(3, 2)),
        ("0.999999999999", Fraction(999999999999, 10**12)),
        ("1e-12", Fraction(1, 10**12)),  # 0.000000000001: twelve digits written out
        ("123456789012", Fraction(123456789012)),
        ("0", Fraction(0)),
        ("0.000", Fraction(0)),
        ("0e999999", Fraction(0)),
        ("0/5", Fraction(0)),
        ("007/010", Fraction(7, 10)),
    ],
)
def test_exact_values(text: str, value: Fraction) -> None:
    assert parse_fraction(text, "--x") == value


@pytest.mark.parametrize(
    "text",
    [
        "1e-13",  # 13 digits written out
        "1e12",
        "1234567890123",
        "0.999999999999999999999",
        "1e-9999",
        "1e-99999999",
        "1e" + "9" * 60,
        "1/" + "3" * 13,
        "1/0",
        "abc",
        "__import__('os')",
        "1.2.3",
        "e5",
        ".",
        "",
        "1 /2",
        "1_0",
        "inf",
        "nan",
        "0x10",
        "١",  # an Arabic-Indic digit: int() would take it
        "1" * 100,
    ],
)
def test_rejected_with_the_allowed_form(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(DeriveError) as caught:
        parse_fraction(text, "--label-smoothing")
    assert time.perf_counter() - start < 0.1
    message = str(caught.value)
    assert message.startswith(
        "--label-smoothing must be a number like 0.1 or 1/10 with at most 12 digits, got "
    )
    assert "\n" not in message and len(message) < 130


def test_the_digit_cap_is_a_parameter() -> None:
    assert parse_fraction("1e-20", "--x", max_digits=20) == Fraction(1, 10**20)
    with pytest.raises(DeriveError, match="at most 3 digits"):
        parse_fraction("0.0001", "--x", max_digits=3)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 10), "0.1"),
        (Fraction(1, 4), "0.25"),
        (Fraction(1, 100000), "1e-05"),
        (Fraction(3), "3.0"),
        (Fraction(-7, 8), "-0.875"),
        # float() rounds these: the exact decimal, or a/b when none terminates
        (Fraction(999999999999999999999, 10**21), "0.999999999999999999999"),
        (Fraction(1, 2**60), "0.000000000000000000867361737988403547205962240695953369140625"),
        (Fraction(1, 3), "1/3"),
        (Fraction(10**400 + 1, 3), f"{10**400 + 1}/3"),
    ],
)
def test_torch_literal_means_exactly_the_value(value: Fraction, text: str) -> None:
    assert torch_literal(value) == text
    if "/" in text:
        top, bottom = text.split("/")
        assert Fraction(int(top), int(bottom)) == value
    else:
        assert Fraction(text) == value


def test_plain_writes_a_terminating_decimal_or_a_fraction() -> None:
    from derive.numbers import plain

    assert plain(Fraction(5, 2)) == "2.5"
    assert plain(Fraction(1000)) == "1000"
    assert plain(Fraction(1, 3)) == "1/3"
    assert plain(Fraction(-9, 10)) == "-0.9"
