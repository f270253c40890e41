"""Numbers from user text, exactly and without ``eval`` (provisional; see the bad-input branch)."""

from __future__ import annotations

from fractions import Fraction

from derive.errors import DeriveError

__all__ = ["parse_fraction", "torch_literal"]


def parse_fraction(text: str, what: str) -> Fraction:
    """A decimal or fraction from user text, exactly, without ``eval``."""
    if len(text) > 32:
        raise DeriveError(f"{what} is too long: {text[:32]}…")
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise DeriveError(f"{what} must be a number like 0.1 or 1/10, got {text!r}") from None


def torch_literal(value: Fraction) -> str:
    """``value`` as a Python literal for a torch call."""
    return repr(float(value))
