"""The atom table and the composition rule: each atom's facts, and the rule applied once."""

from __future__ import annotations

import sympy as sp

from derive.convexity.atoms import AFFINE, CONCAVE, CONVEX, UNKNOWN, affine, curvature
from derive.functions import sigmoid, softplus

x, y = sp.symbols("x y", real=True)
p = sp.Symbol("p", positive=True)


def kind(expr: sp.Expr, *wrt: sp.Symbol) -> int:
    return curvature(expr, wrt or (x,))[0]


def test_affine_maps_are_recognised_and_products_are_not() -> None:
    assert affine(3 * x - 2 * y + 1, [x, y])
    assert affine(p * x, [x])
    assert not affine(x * y, [x, y])
    assert not affine(sp.exp(x), [x])


def test_each_atom_has_its_curvature() -> None:
    assert kind(sp.exp(x)) == CONVEX
    assert kind(softplus(x)) == CONVEX
    assert kind(sp.log(sp.cosh(x))) == CONVEX
    assert kind(sp.log(sp.exp(x) + sp.exp(y) + 1), x, y) == CONVEX
    assert kind(sp.Max(x, y, 0), x, y) == CONVEX
    assert kind(sp.Min(x, y), x, y) == CONCAVE
    assert kind(sp.sqrt(x**2 + y**2 + 1), x, y) == CONVEX
    assert kind(x**2 / p, x, p) == CONVEX
    assert kind(sp.log(sigmoid(x))) == CONCAVE
    assert kind(p * sp.log(p), p) == CONVEX


def test_composition_needs_the_right_monotonicity() -> None:
    assert kind(sp.exp(x**2)) == CONVEX  # nondecreasing of convex
    assert kind(sp.exp(-(x**2))) == UNKNOWN  # nondecreasing of concave
    assert kind(sp.Abs(x**2 - 1)) == UNKNOWN  # |·| is not monotone on a sign-changing argument
    assert kind(sp.Max(0, 1 - x) ** 2) == CONVEX  # x² is increasing on x ≥ 0
    assert kind(-sp.log(1 + x**2)) == UNKNOWN


def test_powers_respect_their_domain() -> None:
    q = sp.Symbol("q", nonnegative=True)
    assert kind(q ** sp.Rational(3, 2), q) == CONVEX
    assert kind(-sp.sqrt(q), q) == CONVEX
    assert kind(x ** sp.Rational(3, 2)) == UNKNOWN  # x may be negative
    assert kind(x**3) == UNKNOWN
    assert kind(1 / p, p) == CONVEX
    assert kind(3 * x + 1) == AFFINE


def test_the_facts_used_are_named() -> None:
    _, used = curvature(sp.Abs(x - 1) + sp.exp(x), (x,))
    assert any("|·|" in u for u in used) and any("exp" in u for u in used)
