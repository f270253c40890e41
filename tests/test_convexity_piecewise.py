"""Piecewise functions: convex only when continuous with slopes that never drop."""

from __future__ import annotations

import sympy as sp

from derive.convexity.atoms import CONCAVE, CONVEX, UNKNOWN, Composer
from derive.convexity.piecewise import breakpoints, piecewise_curvature

x, y = sp.symbols("x y", real=True)
d = sp.Symbol("d", positive=True)
tau = sp.Symbol("tau", positive=True)


def kind(pw: sp.Piecewise, facts: tuple[sp.Expr, ...] = ()) -> int:
    return piecewise_curvature(pw, Composer((x, y), facts, piecewise_curvature))


def test_breakpoints_are_found_and_ordered_with_symbolic_constants() -> None:
    huber = sp.Piecewise((x**2 / 2, sp.Abs(x) <= d), (d * (sp.Abs(x) - d / 2), True))
    assert breakpoints(huber, x) == [-d, d]
    assert breakpoints(sp.Piecewise((x, x < 2), (x**2, x < 5), (0, True)), x) == [2, 5]


def test_recognised_convex_forms() -> None:
    huber = sp.Piecewise((x**2 / 2, sp.Abs(x) <= d), (d * (sp.Abs(x) - d / 2), True))
    pinball = sp.Piecewise((tau * x, x >= 0), ((tau - 1) * x, True))
    hinge_squared = sp.Piecewise(((1 - x) ** 2, x < 1), (0, True))
    assert kind(huber) == CONVEX
    assert kind(pinball, (1 - tau,)) == CONVEX
    assert kind(hinge_squared) == CONVEX
    assert kind(sp.Piecewise((x, x >= y), (y, True))) == CONVEX  # max(x, y)


def test_jumps_and_concave_kinks_are_never_certified() -> None:
    assert kind(sp.Piecewise((x, x < 0), (x + 1, True))) == UNKNOWN  # upward jump
    assert kind(sp.Piecewise((x**2, x < 1), (1, True))) == UNKNOWN  # truncated quadratic
    assert kind(sp.Piecewise((1, x < 0), (0, True))) == UNKNOWN  # the 0-1 loss
    assert kind(sp.Piecewise((x, x < 0), (-x, True))) == CONCAVE  # −|x|
    # the slope always rises by τ − (τ − 1) = 1 at 0, whatever τ: convex without 1 − τ ≥ 0
    assert kind(sp.Piecewise((tau * x, x >= 0), ((tau - 1) * x, True))) == CONVEX
    assert kind(sp.Piecewise(((tau - 1) * x, x >= 0), (tau * x, True))) == CONCAVE
