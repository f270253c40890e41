"""Witnesses: candidate points respect assumptions and facts and reach the expression's scale."""

from __future__ import annotations

import sympy as sp

from derive.convexity.search import candidates, hessian_witness, midpoint_witness, scales

x = sp.Symbol("x", real=True)
c = sp.Symbol("c", nonnegative=True)
n = sp.Symbol("n", integer=True, positive=True)


def test_candidates_follow_the_assumptions() -> None:
    assert all(v >= 0 for v in candidates(c))
    assert all(v >= 1 and v.is_integer for v in candidates(n))
    assert any(v < 0 for v in candidates(x))


def test_the_grid_reaches_the_expressions_own_constants() -> None:
    f = sp.log(1 + (x / 10) ** 2)  # bends down only for |x| > 10
    assert 10 in scales(f)
    found = hessian_witness(f, sp.hessian(f, [x]), [x], [])
    assert found is not None
    point = dict(found.point)
    assert abs(point[x]) > 10
    assert sp.diff(f, x, 2).subs(point).is_negative


def test_a_midpoint_witness_is_exact_and_inside_the_domain() -> None:
    f = sp.Piecewise((x, x < 0), (x + 1, True))
    found = midpoint_witness(f, [x], [])
    assert found is not None
    a, b = dict(found.a), dict(found.b)
    gap = f.subs(x, (a[x] + b[x]) / 2) - (f.subs(a) + f.subs(b)) / 2
    assert gap == found.gap and gap > 0


def test_no_witness_for_a_convex_function() -> None:
    assert midpoint_witness(sp.Abs(x) + x**2, [x], []) is None
    f = sp.exp(x)
    assert hessian_witness(f, sp.hessian(f, [x]), [x], []) is None


def test_facts_exclude_points() -> None:
    y = sp.Symbol("y", integer=True, nonnegative=True)
    f = (x - y) ** 2 * (2 - y)  # convex for y ∈ {0, 1}, concave at y = 3
    assert hessian_witness(f, sp.hessian(f, [x]), [x], [1 - y]) is None
