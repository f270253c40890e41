"""Exact counterexamples: a point and direction with vᵀ∇²f v < 0 (smooth functions), or
two points a, b with f((a+b)/2) > (f(a)+f(b))/2 (any function), each decided on
the exact expression.

The candidate points respect the symbols' assumptions and the facts, and
reach as far as the expression's own constants suggest (a Cauchy of scale 10
bends down only beyond |r| = 10), not just |r| ≤ 5.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from fractions import Fraction

import sympy as sp

from derive.convexity.verdict import HessianWitness, MidpointWitness, Point
from derive.functions import to_core

__all__ = ["candidates", "hessian_witness", "midpoint_witness", "scales"]

MAX_POINTS = 3000
MAX_PAIRS = 6000
_BASE_POSITIVE = ["1/4", "1/2", "1", "2", "4", "1/10", "9/10", "3", "3/4", "1/100", "99/100"]
_BASE_REAL = ["0", "1", "-1", "2", "-2", "3", "-3", "1/2", "-1/2", "5", "-5", "1/3", "-1/10"]


def scales(expr: sp.Expr) -> list[sp.Rational]:
    """Magnitudes the expression's own constants suggest (c, √c, 1/c, …), rounded, sorted."""
    found: set[sp.Rational] = set()
    for number in expr.atoms(sp.Number):
        if not number.is_finite or number == 0:
            continue
        value = abs(float(number))
        for v in (value, 1 / value, math.sqrt(value), 1 / math.sqrt(value)):
            if 1.5 < v < 1e6:
                found.add(_rational(v))
    return sorted(found)


def _rational(x: float, limit: int = 100) -> sp.Rational:
    frac = Fraction(x).limit_denominator(limit)
    return sp.Rational(frac.numerator, frac.denominator)


def candidates(symbol: sp.Basic, far: Sequence[sp.Rational] = ()) -> list[sp.Rational]:
    """Values of ``symbol`` its assumptions allow: near ones first, then far ones."""
    wide = [sp.Rational(v) for v in ("10", "100", "1000")]
    reach: list[sp.Rational] = []
    for s in (*far, *wide):
        for m in (1, 2, 3):
            if s * m not in reach:
                reach.append(s * m)
    if symbol.is_integer:
        low = 1 if symbol.is_positive else 0 if symbol.is_nonnegative else None
        values = [sp.Integer(v) for v in (0, 1, 2, 3, 5, 4, -1, -2, -3, -4, 6, 7, 9)]
        values += [sp.Integer(round(float(r))) for r in reach]
        values = list(dict.fromkeys(values))
        values = [v for v in values if low is None or v >= low]
    else:
        positive = [sp.Rational(v) for v in _BASE_POSITIVE] + reach
        if symbol.is_positive:
            values = positive
        elif symbol.is_nonnegative:
            values = [sp.Integer(0), *positive]
        elif symbol.is_negative:
            values = [-v for v in positive]
        elif symbol.is_nonpositive:
            values = [sp.Integer(0), *(-v for v in positive)]
        else:
            values = [sp.Rational(v) for v in _BASE_REAL]
            for r in reach:
                values += [r, -r]
    return [v for v in dict.fromkeys(values) if _allowed(symbol, v)]


def admissible(point: dict[sp.Basic, sp.Expr], facts: Sequence[sp.Expr]) -> bool:
    """Every symbol's value keeps every assumption of the symbol (sign, integer, even, odd,
    nonzero, prime, …), and every fact is ≥ 0 at the point (a fact that stays symbolic is
    not decided against)."""
    if not all(_allowed(symbol, value) for symbol, value in point.items()):
        return False
    for fact in facts:
        value = fact.xreplace(point)
        if value.is_number and value.is_negative:
            return False
    return True


def _points(
    symbols: Sequence[sp.Basic], grids: Sequence[list[sp.Rational]], limit: int
) -> list[tuple[sp.Rational, ...]]:
    """Near points first (the product of each grid's first values), then a seeded sample."""
    near = [g[:8] for g in grids]
    out = list(itertools.islice(itertools.product(*near), limit // 2))
    rng = random.Random(0)
    seen = set(out)
    tries = 0
    while len(out) < limit and tries < 4 * limit:
        tries += 1
        point = tuple(rng.choice(g) for g in grids)
        if point not in seen:
            seen.add(point)
            out.append(point)
    return out


def _numeric(expr: sp.Basic, symbols: Sequence[sp.Basic]) -> Callable[..., object]:
    """A fast float evaluation (``None`` when it fails or is not finite and real)."""
    try:
        f = sp.lambdify(list(symbols), to_core(expr), modules=["mpmath"])
    except Exception:
        f = None

    def call(*values: sp.Rational) -> object:
        try:
            if f is not None:
                import mpmath

                with mpmath.workdps(30):
                    out = f(*[mpmath.mpf(v.p) / v.q for v in values])
            else:
                out = expr.xreplace(dict(zip(symbols, values, strict=True))).evalf(30)
        except Exception:
            return None
        return out

    return call


def _real(value: object) -> float | None:
    try:
        x = complex(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    if abs(x.imag) > 1e-25 or not math.isfinite(x.real):
        return None
    return x.real


def hessian_witness(
    expr: sp.Expr, hess: sp.Matrix, wrt: Sequence[sp.Basic], facts: Sequence[sp.Expr]
) -> HessianWitness | None:
    """A rational point of the domain and direction v with vᵀ∇²f v < 0, exactly."""
    symbols = sorted(expr.free_symbols | hess.free_symbols, key=lambda s: s.name)
    far = scales(expr)
    grids = [candidates(s, far) for s in symbols]
    numeric = _numeric(hess, symbols)
    value_of = _numeric(expr, symbols)
    for values in _points(symbols, grids, MAX_POINTS):
        point = dict(zip(symbols, values, strict=True))
        if not admissible(point, facts) or _real(value_of(*values)) is None:
            continue
        matrix = numeric(*values)
        if matrix is None:
            continue
        direction = _negative_direction(matrix, hess.rows)
        if direction is None:
            continue
        v = sp.Matrix(direction)
        exact = sp.expand((v.T * hess.xreplace(point) * v)[0, 0])
        if exact.is_number and exact.is_negative:
            compact = sp.factor(exact)
            if sp.count_ops(compact) < sp.count_ops(exact):
                exact = compact
            ordered: Point = tuple(sorted(point.items(), key=lambda kv: kv[0].name))
            return HessianWitness(ordered, tuple(direction), exact)
    return None


def _negative_direction(matrix: object, size: int) -> list[sp.Rational] | None:
    import mpmath

    try:
        m = mpmath.matrix(matrix)
        if size == 1:
            entry = _real(m[0, 0])
            return [sp.Integer(1)] if entry is not None and entry < -1e-20 else None
        for r in range(size):
            for c in range(size):
                if _real(m[r, c]) is None:
                    return None
        values, vectors = mpmath.eigsy(m)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    smallest = min(range(size), key=lambda a: values[a])
    if values[smallest] >= -1e-20:
        return None
    column = [float(vectors[r, smallest]) for r in range(size)]
    scale = max(abs(c) for c in column)
    return [_rational(c / scale, 1000) for c in column]


def midpoint_witness(
    expr: sp.Expr, wrt: Sequence[sp.Basic], facts: Sequence[sp.Expr]
) -> MidpointWitness | None:
    """Rational a, b of the domain with f((a+b)/2) − (f(a)+f(b))/2 > 0, decided exactly."""
    wrt = list(wrt)
    params = sorted(expr.free_symbols - set(wrt), key=lambda s: s.name)
    far = scales(expr)
    value_of = _numeric(expr, [*wrt, *params])
    param_points = _points(params, [candidates(s, far) for s in params], 40) if params else [()]
    wrt_grids = [candidates(w, far) for w in wrt]
    steps = [sp.Rational(v) for v in ("1/10", "1/2", "1", "2", "7/10")]
    for fixed in param_points:
        base = dict(zip(params, fixed, strict=True))
        if not admissible(base, facts):
            continue
        points = _points(wrt, wrt_grids, 60 if len(wrt) == 1 else 150)
        pairs: list[tuple[tuple[sp.Rational, ...], tuple[sp.Rational, ...]]] = []
        for a in points:  # short segments around each point, along each axis
            for h in steps:
                for axis in range(len(wrt)):
                    lo = tuple(x - h if r == axis else x for r, x in enumerate(a))
                    hi = tuple(x + h if r == axis else x for r, x in enumerate(a))
                    pairs.append((lo, hi))
        pairs += list(itertools.combinations(points, 2))
        found = _first_gap(expr, wrt, params, fixed, pairs[:MAX_PAIRS], value_of, facts)
        if found is not None:
            return found
    return None


def _first_gap(
    expr: sp.Expr,
    wrt: list[sp.Basic],
    params: list[sp.Basic],
    fixed: tuple[sp.Rational, ...],
    pairs: list[tuple[tuple[sp.Rational, ...], tuple[sp.Rational, ...]]],
    value_of: Callable[..., object],
    facts: Sequence[sp.Expr],
) -> MidpointWitness | None:
    cache: dict[tuple[sp.Rational, ...], float | None] = {}

    def f(x: tuple[sp.Rational, ...]) -> float | None:
        if x not in cache:
            point = dict(zip(wrt, x, strict=True)) | dict(zip(params, fixed, strict=True))
            cache[x] = _real(value_of(*x, *fixed)) if admissible(point, facts) else None
        return cache[x]

    for a, b in pairs:
        if any(not _allowed(w, v) for w, v in zip(wrt * 2, a + b, strict=True)):
            continue
        mid = tuple((u + v) / 2 for u, v in zip(a, b, strict=True))
        fa, fb, fm = f(a), f(b), f(mid)
        if fa is None or fb is None or fm is None:
            continue
        gap = fm - (fa + fb) / 2
        if gap <= 1e-12 * (1 + abs(fa) + abs(fb)):
            continue
        exact = _exact_gap(expr, wrt, params, fixed, a, b, mid)
        if exact is not None:
            names = [*wrt, *params]
            pa = tuple(sorted(zip(names, a + fixed, strict=True), key=lambda kv: kv[0].name))
            pb = tuple(sorted(zip(names, b + fixed, strict=True), key=lambda kv: kv[0].name))
            return MidpointWitness(pa, pb, exact)
    return None


def _allowed(symbol: sp.Basic, value: sp.Expr) -> bool:
    """``value`` contradicts none of ``symbol``'s assumptions (each one SymPy knows of the
    symbol, implied ones included: an even symbol is an integer)."""
    for name, holds in symbol.assumptions0.items():
        if name in ("commutative", "complex", "finite", "infinite", "hermitian"):
            continue
        known = getattr(value, f"is_{name}", None)
        if known is not None and known != holds:
            return False
        if known is None and holds:
            return False  # not known to hold: not a point of the domain
    return True


def _exact_gap(
    expr: sp.Expr,
    wrt: list[sp.Basic],
    params: list[sp.Basic],
    fixed: tuple[sp.Rational, ...],
    a: tuple[sp.Rational, ...],
    b: tuple[sp.Rational, ...],
    mid: tuple[sp.Rational, ...],
) -> sp.Expr | None:
    common = dict(zip(params, fixed, strict=True))

    def at(x: tuple[sp.Rational, ...]) -> sp.Expr:
        return to_core(expr).xreplace(common | dict(zip(wrt, x, strict=True)))

    try:
        gap = at(mid) - (at(a) + at(b)) / 2
        if gap.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.I):
            return None
        if not (gap.is_number and gap.is_extended_real and gap.is_positive):
            return None
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return gap  # exact as computed: never rounded to a nearby rational
