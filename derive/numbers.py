"""Numbers from user text, exactly and cheaply, and back to text for PyTorch.

:func:`parse_fraction` reads ``0.1``, ``1/10``, ``1e-3`` and ``-.5`` with a
regular expression and bounds the size of the number *before* building it: a
``Fraction`` of ``1e-99999999`` takes a minute and ``1e-9999`` breaks
``str``/``int`` conversions later (Python's 4300-digit limit). No ``eval``,
no ``sympify``.

:func:`torch_literal` prints a value for a PyTorch call: the short float text
when it means exactly the value, else the exact decimal or ``a/b``, never a
float that rounded (``0.999999999999999999999`` is not ``1.0``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from derive.errors import DeriveError

__all__ = ["MAX_DIGITS", "parse_fraction", "plain", "torch_literal"]

MAX_DIGITS = 12

_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_RATIO = re.compile(r"([+-]?)([0-9]+)/([0-9]+)")
_LONGEST = 64  # characters of text looked at; more is rejected unread
_SHOWN = 32  # characters of bad text echoed in an error


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def _decimal(digits: str, point: int) -> tuple[int, int, int]:
    """``(written, mantissa, shift)`` for the digit string ``digits`` with the decimal
    point before index ``point`` (may lie outside it): the value is
    ``mantissa · 10**shift``, and ``written`` is how many digits it takes written
    out without an exponent, leading and trailing zeros dropped (``0.001``: 3)."""
    first = len(digits) - len(digits.lstrip("0"))
    end = len(digits.rstrip("0"))  # one past the last nonzero digit
    if end == 0:
        return 0, 0, 0
    return max(end, point) - min(first, point), int(digits[first:end]), point - end


def parse_fraction(text: str, what: str, *, max_digits: int = MAX_DIGITS) -> Fraction:
    """The exact value of ``text``: a decimal (``0.1``, ``.5``, ``1e-3``) or ``a/b``.

    At most ``max_digits`` digits when written out as a plain decimal
    (``1e-3`` is ``0.001``, three digits; ``1e-9999`` has 9999), and at most
    ``max_digits`` digits in each of ``a`` and ``b``. Everything else is a
    :class:`DeriveError` that names ``what`` and the allowed form. The size is
    checked on the text, before any number is built.
    """
    bad = DeriveError(
        f"{what} must be a number like 0.1 or 1/10 with at most {max_digits} digits, "
        f"got {_shown(text)}"
    )
    stripped = text.strip()
    if len(stripped) > _LONGEST:
        raise bad
    ratio = _RATIO.fullmatch(stripped)
    if ratio is not None:
        sign, top, bottom = ratio.groups()
        top, bottom = top.lstrip("0") or "0", bottom.lstrip("0")
        if not bottom or len(top) > max_digits or len(bottom) > max_digits:
            raise bad
        value = Fraction(int(top), int(bottom))
        return -value if sign == "-" else value
    decimal = _DECIMAL.fullmatch(stripped)
    if decimal is None:
        raise bad
    sign, whole, part, exponent = decimal.groups()
    part = part or ""
    if not (whole or part):
        raise bad
    # at most 64 characters, so int() is cheap; 10**shift is bounded by max_digits
    written, mantissa, shift = _decimal(whole + part, len(whole) + int(exponent or "0"))
    if written > max_digits:
        raise bad
    value = Fraction(mantissa * 10**shift) if shift >= 0 else Fraction(mantissa, 10**-shift)
    return -value if sign == "-" else value


def _terminating_decimal(value: Fraction) -> str | None:
    """``value`` as an exact plain decimal, or ``None`` when it does not terminate."""
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        return None
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    sign = "-" if value < 0 else ""
    if places == 0:
        return f"{sign}{scaled}"
    whole, part = divmod(scaled, 10**places)
    return f"{sign}{whole}.{part:0{places}d}"


def plain(value: Fraction) -> str:
    """``value`` as a person writes it: an exact decimal when it terminates (``2.5``,
    ``1000`` for ``1e3``), else ``a/b``."""
    exact = _terminating_decimal(value)
    return exact if exact is not None else f"{value.numerator}/{value.denominator}"


def torch_literal(value: Fraction) -> str:
    """Python text for ``value`` in a PyTorch call, meaning exactly ``value``.

    ``repr(float(value))`` when that text is ``value`` exactly (``0.1``, ``1e-05``);
    else the exact decimal (``0.999999999999999999999``, which float would print as
    ``1.0``), else ``a/b`` (``1/3``).
    """
    try:
        short = repr(float(value))
    except OverflowError:
        short = ""
    if short and Fraction(short) == value:
        return short
    exact = _terminating_decimal(value)
    if exact is not None:
        return exact
    return f"{value.numerator}/{value.denominator}"
