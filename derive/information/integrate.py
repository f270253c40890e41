"""E_{y∼P}[φ(y)] by the engine: a finite sum, a series, or an integral split at its kinks.

SymPy's ``integrate`` over ℝ of a density with |y − a| and a φ with |y − c|
fails or returns an unusable Piecewise (the Laplace pair). The integral is split
at every kink y = a, y = c into pieces on which each |·| has one sign, for each
order of the kinks; when every order gives the same expression once the
difference of the kinks is written as an absolute value, that expression is the
value (checked on each order); otherwise there is no value.

An answer SymPy gives only under conditions it cannot decide (a Piecewise: E[y^c]
is Γ(c + 1)/λ^c only for c > −1) is no value either, and a series SymPy cannot sum
is kept as the series, which is exact. A value found is written neatly — grouped by
its transcendental factors, coefficients cancelled — when that is proved the same.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from derive.algebra import proved_zero
from derive.information.expectation import Expectation
from derive.information.rules import neat

__all__ = ["Computed", "compute", "kinks"]

MAX_KINKS = 2


@dataclass(frozen=True)
class Computed:
    """A value of E[φ] and how it was found: ``"sum"``, ``"series"``, ``"integral"``,
    or ``"split"`` with the kinks the integral was split at."""

    value: sp.Expr
    how: str
    at: tuple[sp.Expr, ...] = ()


def kinks(expr: sp.Expr, y: sp.Symbol) -> list[sp.Expr] | None:
    """The points where an |a·y + b| or sign(a·y + b) of ``expr`` changes sign
    (``None`` when one is not linear in y with a coefficient of known sign)."""
    points: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.sign)) and node.has(y):
            arg = sp.expand(node.args[0])
            poly = sp.Poly(arg, y) if arg.is_polynomial(y) else None
            if poly is None or poly.degree() != 1:
                return None
            a, b = poly.all_coeffs()
            if not (a.is_positive or a.is_negative):
                return None
            point = sp.cancel(-b / a)
            if point not in points:
                points.append(point)
    return points


def _piece(
    expr: sp.Expr, y: sp.Symbol, inside: sp.Expr, subs: dict[sp.Basic, sp.Expr]
) -> sp.Expr | None:
    """``expr`` with each |u| and sign(u) resolved by the sign of u at ``inside``, a
    point of the piece (the kinks placed by ``subs``: a later kink is an earlier
    one plus a positive gap); between two kinks each u keeps one sign."""

    def resolve(node: sp.Basic) -> sp.Basic:
        u = node.args[0]
        value = sp.expand(u.xreplace({y: inside}).xreplace(subs))
        sign = sp.sign(value)
        if sign not in (1, -1):
            raise _Undecided
        if isinstance(node, sp.Abs):
            return sign * u
        return sign

    try:
        return expr.replace(  # type: ignore[no-any-return]
            lambda e: isinstance(e, (sp.Abs, sp.sign)) and e.has(y), resolve
        )
    except _Undecided:
        return None


class _Undecided(Exception):
    pass


def _integral(f: sp.Expr, y: sp.Symbol, a: sp.Expr, b: sp.Expr) -> sp.Expr | None:
    """∫_a^b f dy, or ``None`` when SymPy leaves an integral or answers only under
    conditions it could not decide from the assumptions (a Piecewise): a value that
    holds only for some parameters is never taken for one that holds for all."""
    value = sp.integrate(f, (y, a, b))
    if value.has(sp.Integral, sp.Piecewise, sp.nan, sp.zoo) or value.has(sp.oo, -sp.oo):
        return None
    return value  # type: ignore[no-any-return]


def _gap(a: sp.Expr, c: sp.Expr, gap: sp.Expr) -> dict[sp.Basic, sp.Expr] | None:
    """A substitution making c = a + gap (solved for a symbol of c that a lacks)."""
    for target in sorted(c.free_symbols - a.free_symbols, key=str):
        solved = sp.solve(sp.Eq(c, a + gap), target)
        if len(solved) == 1:
            return {target: solved[0]}
    return None


def _pieces(
    f: sp.Expr,
    y: sp.Symbol,
    edges: list[sp.Expr],
    inside: list[sp.Expr],
    subs: dict[sp.Basic, sp.Expr],
) -> sp.Expr | None:
    total = sp.S.Zero
    for (left, right), point in zip(itertools.pairwise(edges), inside):
        piece = _piece(f, y, point, subs)
        if piece is None:
            return None
        value = _integral(piece, y, left, right)
        if value is None:
            return None
        total += value
    return total


def _split(f: sp.Expr, y: sp.Symbol, points: list[sp.Expr]) -> Computed | None:
    """∫ f over ℝ split at one kink, or at two kinks a, c for each of their orders.

    With two kinks, each order's value is written as a function of the gap
    d = |c − a| > 0 (c = a + d, or c = a − d); when the two functions are proved
    equal, that function of |c − a| is the value in every order.
    """
    inf = sp.S.Infinity
    if len(points) == 1:
        (a,) = points
        total = _pieces(f, y, [-inf, a, inf], [a - 1, a + 1], {})
        return None if total is None else Computed(sp.expand(total), "split", (a,))
    a, c = points
    d = sp.Dummy("d", positive=True)
    gapped: list[sp.Expr] = []
    for sign in (1, -1):
        subs = _gap(a, c, sign * d)
        if subs is None:
            return None
        if sign == 1:  # a < c
            edges, inside = [-inf, a, c, inf], [a - 1, a + d / 2, a + d + 1]
        else:  # c < a
            edges, inside = [-inf, c, a, inf], [a - d - 1, a - d / 2, a + 1]
        total = _pieces(f, y, edges, inside, subs)
        if total is None:
            return None
        gapped.append(sp.expand(total.xreplace(subs)))
    if not proved_zero(gapped[0] - gapped[1]):
        return None
    return Computed(sp.expand(gapped[0].xreplace({d: sp.Abs(c - a)})), "split", (a, c))


def _neat(found: Computed) -> Computed:
    """The value grouped by its transcendental factors, when that is proved the same value
    (SymPy's integrals carry factors like (1 − μ₂/μ₁)³ that cancel)."""
    tidied = neat(found.value)
    if tidied == found.value or not proved_zero(found.value - tidied):
        return found
    return Computed(tidied, found.how, found.at)


def compute(e: Expectation) -> Computed | None:
    """E[φ] by summation or integration over the support, or ``None`` if SymPy cannot.

    A value that is not real is no value: SymPy has been seen to integrate
    y·e^{y − e^y} over ℝ to −γ − iπ (the expectation is −γ)."""
    found = _compute(e)
    if found is None or found.value.has(sp.I) or found.value.is_extended_real is False:
        return None
    return found


def _compute(e: Expectation) -> Computed | None:
    y = e.variable
    low, high = e.bounds
    bound = {
        limit[0]
        for node in sp.preorder_traversal(e.density)
        if isinstance(node, (sp.Sum, sp.Product))
        for limit in node.limits
    }
    if bound & e.integrand.free_symbols:
        # φ names an index the density binds (δ(y, k) against ∏_k p_k^{δ(y, k)}):
        # SymPy's summation would capture it and answer for the wrong k
        return None
    f = e.integrand * e.density
    if e.discrete:
        if low.is_Integer and high.is_Integer:
            support = range(int(low), int(high) + 1)
            value = sp.Add(*(f.xreplace({y: sp.Integer(v)}) for v in support))
            return Computed(value, "sum")
        value = sp.summation(f, (y, low, high))
        if value.has(sp.Sum, sp.Piecewise, sp.nan, sp.zoo):
            return Computed(sp.Sum(f, (y, low, high)), "series")
        return Computed(value, "sum")
    points = kinks(f, y)
    if points is None or len(points) > MAX_KINKS:
        return None
    if points:
        if not (low == -sp.oo and high == sp.oo):
            return None
        split = _split(f, y, points)
        return None if split is None else _neat(split)
    value = _integral(f, y, low, high)
    return None if value is None else _neat(Computed(value, "integral"))
