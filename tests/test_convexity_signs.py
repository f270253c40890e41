"""Manifest signs, including polynomials in one symbol decided by root isolation."""

from __future__ import annotations

import sympy as sp

from derive.convexity.signs import nonnegative, positive_manifest
from derive.functions import sigmoid

x = sp.Symbol("x", real=True)
c = sp.Symbol("c", nonnegative=True)


def test_manifest_forms() -> None:
    s = sigmoid(x)
    assert nonnegative(s * (1 - s))
    assert nonnegative(sp.Max(x, 0))
    assert not nonnegative(sp.Min(x, 0))
    assert positive_manifest(sp.cosh(x))
    assert positive_manifest(1 + x**2)
    assert not positive_manifest(x**2)


def test_a_polynomial_is_decided_on_its_symbols_interval() -> None:
    assert nonnegative(c**3 - c**2 + c)  # c(c² − c + 1) ≥ 0 for c ≥ 0
    assert not nonnegative(x**3 - x**2 + x)  # negative for x < 0
    assert nonnegative(x**4 - 2 * x**2 + 1)  # (x² − 1)²
