"""Independent referees for convexity verdicts; they trust nothing the engine says.

- :func:`witness_problems` re-checks a "not convex" verdict exactly: a Hessian witness
  (point, direction v, value) by recomputing vᵀ∇²f v with SymPy at the rational point and
  by a second difference of f along v, which is itself a midpoint violation; a midpoint
  witness (a, b, gap) by computing f(a), f(b), f((a+b)/2). Every point must assign
  every free symbol and lie in the domain (assumptions and every fact ≥ 0).
- :func:`midpoint_violations` tests a "convex" verdict at 30 digits: many pairs of
  rational points of the domain (near the constants of the expression and far away),
  f finite and real at each, f((a+b)/2) ≤ (f(a)+f(b))/2 within a relative margin.
- :func:`nonconvexity_evidence` is the same search turned round, used to check that the
  corpus itself is what it claims (a midpoint violation or a point of the domain where
  f is undefined, infinite from below, or not real).

Verdicts of both APIs are read: the new ``witness`` (``HessianWitness`` with ``point``,
``direction``, ``value``; ``MidpointWitness`` with ``a``, ``b``, ``gap``) and the old
``counterexample`` + ``direction`` + ``value`` fields, which form a Hessian witness.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import mpmath
import sympy as sp

from derive.functions import sigmoid, softplus

__all__ = [
    "assumption_problems",
    "core",
    "decided_sign",
    "domain_problems",
    "midpoint_violations",
    "nonconvexity_evidence",
    "numeric",
    "witness_problems",
]

Point = dict[sp.Symbol, sp.Rational]

DIGITS = 30
"""Working precision of every numerical test, in decimal digits."""

MARGIN = mpmath.mpf(10) ** -20
"""Relative margin of a numerical midpoint test: a 30-digit evaluation is trusted to
20 digits of the sizes involved, so a gap smaller than that is not decided."""

_UNDECIDED = (sp.nan, sp.zoo, sp.oo, -sp.oo)


# ------------------------------------------------------------------ core SymPy


def core(expr: sp.Expr) -> sp.Expr:
    """σ and softplus written with exp and log, and nothing else rewritten.

    (Deliberately not ``derive.functions.to_core``: the referee reuses none of the
    engine's algebra, and ``rewrite(exp)`` also turns the powers inside the argument into
    exp(k·log(…)), whose principal branch leaves an imaginary rounding residue.)"""
    return sp.sympify(expr).replace(
        lambda e: isinstance(e, (sigmoid, softplus)),
        lambda e: (
            1 / (1 + sp.exp(-e.args[0]))
            if isinstance(e, sigmoid)
            else sp.log(1 + sp.exp(e.args[0]))
        ),
    )


# ------------------------------------------------------------------ exact signs


def decided_sign(value: Any, scale: Any = 0) -> int | None:
    """The sign (−1, 0, 1) of a real number, or ``None`` when it cannot be decided.

    Rationals are decided exactly. Other numbers are evaluated to 30 digits with
    ``strict=True`` (SymPy raises unless every digit is right, which makes the sign of a
    non-zero result certain); when ``scale`` is given the result must also exceed a
    relative margin of it. Zero is only ever decided exactly. Non-real numbers,
    infinities and NaN are undecided.
    """
    value = sp.sympify(value)
    if value.is_Rational:
        return int(sp.sign(value))
    if not value.is_number or value.has(*_UNDECIDED):
        return None
    try:
        num = value.evalf(DIGITS, strict=True, maxn=400)
    except (sp.core.evalf.PrecisionExhausted, ValueError, TypeError, ZeroDivisionError):
        return None
    if not isinstance(num, sp.Float):
        return None  # non-real, or left unevaluated
    if num == 0:
        return None
    if scale:
        size = sp.Abs(sp.sympify(scale)).evalf(DIGITS)
        if not isinstance(size, sp.Float) or abs(num) <= 10**-20 * (1 + size):
            return None
    return 1 if num > 0 else -1


# ------------------------------------------------------------------ domains


def assumption_problems(symbol: sp.Symbol, value: sp.Rational) -> list[str]:
    """What ``value`` breaks among the assumptions of ``symbol`` (none: it is allowed)."""
    broken = [
        key
        for key, holds in symbol.assumptions0.items()
        if getattr(value, f"is_{key}", None) != holds
    ]
    if not broken:
        return []
    return [f"{symbol} = {value} breaks its assumption(s) {', '.join(sorted(broken))}"]


def domain_problems(point: Mapping[sp.Symbol, sp.Rational], facts: Iterable[sp.Expr]) -> list[str]:
    """Why ``point`` is outside the domain: each symbol's assumptions, every fact ≥ 0."""
    problems: list[str] = []
    for symbol, value in point.items():
        problems.extend(assumption_problems(symbol, value))
    for fact in facts:
        at = sp.sympify(fact).xreplace(dict(point))
        if at.free_symbols:
            problems.append(f"fact {fact} ≥ 0 is not decided at the point (free {at.free_symbols})")
            continue
        sign = decided_sign(at)
        if sign is None and at.is_zero:
            sign = 0
        if sign is None or sign < 0:
            problems.append(f"fact {fact} ≥ 0 fails at the point ({fact} = {at})")
    return problems


def _assignment(pairs: Any, expr: sp.Expr, what: str) -> tuple[Point, list[str]]:
    """A point given as (Symbol, Rational) pairs, and what is wrong with its form."""
    problems: list[str] = []
    point: Point = {}
    try:
        items = list(pairs)
    except TypeError:
        return {}, [f"{what}: {pairs!r} is not a sequence of (symbol, value) pairs"]
    for item in items:
        try:
            symbol, value = item
        except (TypeError, ValueError):
            problems.append(f"{what}: {item!r} is not a (symbol, value) pair")
            continue
        if not isinstance(symbol, sp.Symbol):
            problems.append(f"{what}: {symbol!r} is not a Symbol")
            continue
        if not isinstance(value, sp.Rational):
            problems.append(f"{what}: {symbol} = {value!r} is not an exact sp.Rational")
            continue
        if symbol in point:
            problems.append(f"{what}: {symbol} is assigned twice")
        point[symbol] = value
    missing = expr.free_symbols - set(point)
    if missing:
        names = ", ".join(sorted(str(s) for s in missing))
        problems.append(f"{what}: no value for the free symbol(s) {names}")
    return point, problems


# ------------------------------------------------------------------ witnesses


def _witness(verdict: Any) -> tuple[str, tuple[Any, ...]]:
    """("hessian", (point, direction, value)), ("midpoint", (a, b, gap)) or ("none", why)."""
    witness = getattr(verdict, "witness", None)
    if witness is not None:
        if all(hasattr(witness, a) for a in ("point", "direction", "value")):
            return "hessian", (witness.point, witness.direction, witness.value)
        if all(hasattr(witness, a) for a in ("a", "b", "gap")):
            return "midpoint", (witness.a, witness.b, witness.gap)
        return "none", (f"a witness of unknown shape {type(witness).__name__}",)
    point = getattr(verdict, "counterexample", ())
    direction = getattr(verdict, "direction", ())
    if point or direction:  # the old API: a Hessian witness in three fields
        return "hessian", (point, direction, getattr(verdict, "value", None))
    return "none", ("no witness and no counterexample",)


def witness_problems(
    expr: sp.Expr, wrt: Sequence[sp.Symbol], facts: Sequence[sp.Expr], verdict: Any
) -> list[str]:
    """Everything wrong with the evidence of a "not convex" verdict (empty: it proves it)."""
    kind, data = _witness(verdict)
    if kind == "hessian":
        return hessian_witness_problems(expr, wrt, facts, *data)
    if kind == "midpoint":
        return midpoint_witness_problems(expr, wrt, facts, *data)
    return [f"'not convex' without a usable witness: {data[0]}"]


def _same(reported: Any, exact: sp.Expr) -> bool:
    """``reported`` is the number ``exact`` (exactly, or to 20 digits)."""
    try:
        difference = sp.sympify(reported) - exact
    except (sp.SympifyError, TypeError):
        return False
    if difference.is_Rational:
        return bool(difference == 0)
    if not difference.is_number:
        return False
    value = difference.evalf(DIGITS)
    size = sp.Abs(exact).evalf(DIGITS)
    return bool(
        isinstance(value, sp.Float)
        and isinstance(size, sp.Float)
        and abs(value) <= 10**-20 * (1 + size)
    )


def _value_at(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Rational]) -> sp.Expr:
    return core(expr).xreplace(dict(point))


def hessian_witness_problems(
    expr: sp.Expr,
    wrt: Sequence[sp.Symbol],
    facts: Sequence[sp.Expr],
    pairs: Any,
    direction: Any,
    value: Any,
) -> list[str]:
    """A Hessian witness proves non-convexity when vᵀ∇²f v < 0 exactly at a point of the
    domain, and f is twice differentiable there. The second condition is checked by a
    second difference of f along v at the point: negative for some small step, with its
    three points in the domain (that difference is a midpoint violation by itself, so
    a witness on a kink, a jump or a one-point piece of a ``Piecewise`` is refused)."""
    point, problems = _assignment(pairs, expr, "point")
    problems += domain_problems(point, facts)
    try:
        v = list(direction)
    except TypeError:
        return [*problems, f"direction {direction!r} is not a sequence"]
    if len(v) != len(wrt):
        return [*problems, f"direction {v} has {len(v)} entries for {len(wrt)} variables"]
    if not all(isinstance(c, sp.Rational) for c in v):
        problems.append(f"direction {v} is not made of exact sp.Rational")
    if all(c == 0 for c in v):
        return [*problems, "direction is zero"]
    if problems:
        return problems
    vec = sp.Matrix(v)
    hess = sp.hessian(core(expr), list(wrt))
    exact = (vec.T * hess * vec)[0, 0].xreplace(point).doit()
    if decided_sign(exact) != -1:
        problems.append(f"vᵀ∇²f v at the point is {exact}, not decidedly negative")
    if value is None or decided_sign(value) != -1:
        problems.append(f"reported value {value} is not negative")
    elif sp.sympify(value).has(sp.Float):
        problems.append(f"reported value {value} is not exact")
    elif not problems and not _same(value, exact):
        problems.append(f"reported value {value} differs from the recomputed {exact}")
    if not problems:
        problems += _second_difference_problems(expr, wrt, facts, point, v)
    return problems


def _second_difference_problems(
    expr: sp.Expr,
    wrt: Sequence[sp.Symbol],
    facts: Sequence[sp.Expr],
    point: Point,
    v: Sequence[sp.Rational],
) -> list[str]:
    f = core(expr)

    def moved(t: sp.Rational) -> Point:
        shifted = dict(point)
        for symbol, c in zip(wrt, v, strict=True):
            if symbol in point:  # else f does not depend on it (checked before)
                shifted[symbol] = point[symbol] + t * c
        return shifted

    for k in (3, 5, 2, 1, 7, 9, 12):
        h = sp.Rational(1, 10**k)
        for left, centre, right in ((-h, 0, h), (0, h, 2 * h), (-2 * h, -h, 0)):
            points = [moved(t) for t in (left, centre, right)]
            if any(domain_problems(p, facts) for p in points):
                continue
            fl, fc, fr = (f.xreplace(p) for p in points)
            if any(value.has(*_UNDECIDED) for value in (fl, fc, fr)):
                continue
            # no margin: a far-out witness may have a curvature of e⁻⁵⁰, and the strict
            # 30-digit evaluation decides the sign of the exact number by itself
            if decided_sign(fl + fr - 2 * fc) == -1:
                return []
    return [
        "no second difference of f along v near the point is negative: f is not twice "
        "differentiable there (a kink, jump or isolated piece), or the curvature is too small"
    ]


def midpoint_witness_problems(
    expr: sp.Expr,
    wrt: Sequence[sp.Symbol],
    facts: Sequence[sp.Expr],
    pairs_a: Any,
    pairs_b: Any,
    gap: Any,
) -> list[str]:
    """A midpoint witness proves non-convexity when a, b and (a+b)/2 are in the domain,
    f is finite and real at all three, and f((a+b)/2) − (f(a)+f(b))/2 > 0."""
    a, problems = _assignment(pairs_a, expr, "a")
    b, more = _assignment(pairs_b, expr, "b")
    problems += more
    if problems:
        return problems
    if set(a) != set(b):
        return ["a and b assign different symbols"]
    others = [s for s in a if s not in wrt and a[s] != b[s]]
    if others:
        problems.append(f"a and b differ outside the variables: {others}")
    if a == b:
        problems.append("a and b are the same point")
    mid = {s: (a[s] + b[s]) / 2 for s in a}
    for name, point in (("a", a), ("b", b), ("(a+b)/2", mid)):
        problems += [f"{name}: {p}" for p in domain_problems(point, facts)]
    if problems:
        return problems
    fa, fb, fm = (_value_at(expr, p) for p in (a, b, mid))
    for name, f in (("f(a)", fa), ("f(b)", fb), ("f((a+b)/2)", fm)):
        if not f.is_number or f.has(*_UNDECIDED) or f.is_extended_real is False:
            problems.append(f"{name} = {f} is not a finite real number")
    if problems:
        return problems
    exact = fm - (fa + fb) / 2
    if decided_sign(exact, scale=abs(fa) + abs(fb) + abs(fm)) != 1:
        problems.append(f"f((a+b)/2) − (f(a)+f(b))/2 = {exact} is not decidedly positive")
    if gap is None or decided_sign(gap) != 1:
        problems.append(f"reported gap {gap} is not positive")
    elif sp.sympify(gap).has(sp.Float):
        problems.append(f"reported gap {gap} is not exact")
    elif not problems and not _same(gap, exact):
        problems.append(f"reported gap {gap} differs from the recomputed {exact}")
    return problems


# ------------------------------------------------------------------ numerical tests

Numeric = Callable[[Mapping[sp.Symbol, sp.Rational]], Any]


def numeric(expr: sp.Expr, symbols: Sequence[sp.Symbol], digits: int = DIGITS) -> Numeric:
    """f at a rational point, at ``digits`` digits: an ``mpf`` (possibly ±inf), or ``None``
    when f is undefined, NaN or not real there."""
    function = sp.lambdify(list(symbols), core(expr), modules="mpmath")

    def at(point: Mapping[sp.Symbol, sp.Rational]) -> Any:
        with mpmath.workdps(digits):
            args = [mpmath.mpf(int(point[s].p)) / int(point[s].q) for s in symbols]
            try:
                value = function(*args)
            except (ZeroDivisionError, ValueError, TypeError, OverflowError):
                return None
            if isinstance(value, mpmath.mpc):
                if value.imag != 0:
                    return None
                value = value.real
            try:
                value = mpmath.mpf(value)
            except (TypeError, ValueError):
                return None
            return None if mpmath.isnan(value) else value

    return at


_REAL = [
    *(sp.Rational(v) for v in ("0", "1/10", "1/4", "1/3", "1/2", "1", "3/2", "2", "3", "5")),
    *(sp.Integer(v) for v in (10, 50, 1000)),
]
_POSITIVE = [
    *(sp.Rational(v) for v in ("1/1000", "1/100", "1/10", "1/4", "1/3", "1/2", "3/4", "1")),
    *(sp.Rational(v) for v in ("3/2", "2", "3", "5", "10", "50", "1000")),
]
_PARAMETER_REAL = [sp.Rational(v) for v in ("-2", "-1", "-1/2", "0", "1/3", "1/2", "1", "3")]
_PARAMETER_POSITIVE = [sp.Rational(v) for v in ("1/10", "1/3", "1/2", "1", "2", "10")]


def candidates(symbol: sp.Symbol, parameter: bool = False) -> list[sp.Rational]:
    """Rational values that ``symbol``'s assumptions allow, small and large."""
    if symbol.is_integer:
        if symbol.is_nonnegative:
            values = [0, 1, 2, 3, 5, 10]
        elif symbol.is_nonpositive:
            values = [0, -1, -2, -3, -5, -10]
        else:
            values = [-3, -2, -1, 0, 1, 2, 3]
        return [sp.Integer(v) for v in values if not (v == 0 and symbol.is_nonzero)]
    positive = _PARAMETER_POSITIVE if parameter else _POSITIVE
    real = _PARAMETER_REAL if parameter else [*_REAL, *(-v for v in _REAL if v)]
    if symbol.is_positive:
        return list(positive)
    if symbol.is_nonnegative:
        return [sp.Integer(0), *positive]
    if symbol.is_negative:
        return [-v for v in positive]
    if symbol.is_nonpositive:
        return [sp.Integer(0), *(-v for v in positive)]
    return list(real)


def _constants(expr: sp.Expr, params: Mapping[sp.Symbol, sp.Rational]) -> set[sp.Rational]:
    """±c for the constants c of ``expr`` and the parameter values (kinks sit there)."""
    found = {abs(n) for n in expr.atoms(sp.Rational) if abs(n) <= 1000}
    found |= {abs(v) for v in params.values()}
    return found | {-c for c in found}


def _near(constants: Iterable[sp.Rational]) -> list[sp.Rational]:
    """Values near the constants, for the random pairs."""
    near: set[sp.Rational] = set()
    for c in constants:
        for d in (0, sp.Rational(1, 97), sp.Rational(1, 7), sp.Rational(1, 2)):
            near |= {c + d, c - d}
    return sorted(near)


_STRADDLE = [
    (sp.Rational(lo, 10**7), sp.Rational(hi, 10**7)) for lo, hi in ((-3, 1), (-1, 3), (-1, 1))
]
"""Pairs around a point c: (c − 3δ, c + δ) has its midpoint left of c, (c − δ, c + 3δ)
right of it, (c − δ, c + δ) on it; together they expose a jump at c of either sign, and a
concave kink, however steep f is next to it."""


def _kinks(expr: sp.Expr) -> list[sp.Expr]:
    """Expressions whose zeros are where f may have a kink or a jump: the two sides of
    every condition, the arguments of |·|, H, sign, ⌊·⌋, ⌈·⌉, differences of Max/Min
    arguments."""
    found: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.core.relational.Relational):
            found.append(node.lhs - node.rhs)
        elif isinstance(node, (sp.Abs, sp.Heaviside, sp.sign)):
            found.append(node.args[0])
        elif isinstance(node, (sp.floor, sp.ceiling)):
            found += [node.args[0] - n for n in range(-3, 4)]
        elif isinstance(node, (sp.Max, sp.Min)):
            found += [p - q for p, q in itertools.combinations(node.args, 2)]
    return sorted(set(found), key=sp.default_sort_key)  # not by hash: reproducible


def _roots(g: sp.Expr, s: sp.Symbol) -> list[sp.Rational]:
    """Real zeros of ``g`` in ``s`` when g is a polynomial of degree ≤ 4 in s alone (exact
    when rational, else to 15 digits), or none."""
    if g.free_symbols != {s}:
        return []
    try:
        poly = sp.Poly(g, s)
    except sp.PolynomialError:
        return []
    if not 1 <= poly.degree() <= 4 or not all(c.is_Rational for c in poly.all_coeffs()):
        return []
    if poly.degree() == 1:
        slope, const = poly.all_coeffs()
        return [-const / slope]
    return [sp.Rational(str(sp.Float(r, 15))) for r in poly.nroots(n=15) if r.is_real]


def _parameter_points(
    params: Sequence[sp.Symbol], facts: Sequence[sp.Expr], limit: int, rng: random.Random
) -> list[Point]:
    """Parameter values allowed by their assumptions and by the facts about them alone."""
    grids = [candidates(s, parameter=True) for s in params]
    own = [f for f in facts if sp.sympify(f).free_symbols <= set(params)]
    every = [dict(zip(params, values, strict=True)) for values in itertools.product(*grids)]
    every = [point for point in every if not domain_problems(point, own)]
    if len(every) > limit:
        every = rng.sample(every, limit)
    return every


def _pairs(
    expr: sp.Expr,
    wrt: Sequence[sp.Symbol],
    facts: Sequence[sp.Expr],
    rng: random.Random,
    pairs: int,
    parameter_points: int,
) -> Iterable[tuple[Point, Point, Point]]:
    """(a, b, (a+b)/2) triples in the domain, parameters fixed along each pair: up to
    ``pairs`` straddling a possible kink or a constant, then ``pairs`` at random."""
    params = sorted(expr.free_symbols - set(wrt), key=lambda s: s.name)
    wrt = list(wrt)
    rest = [f for f in facts if sp.sympify(f).free_symbols & set(wrt)]
    kink = _kinks(expr)

    def in_domain(*points: Point) -> bool:
        # the assumptions are checked where the points are made; the facts remain
        return not any(
            domain_problems({}, [sp.sympify(f).xreplace(point) for f in rest]) for point in points
        )

    for fixed in _parameter_points(params, facts, parameter_points, rng):
        constants = _constants(expr, fixed)
        grids = [
            sorted(
                set(candidates(s)) | {v for v in _near(constants) if not assumption_problems(s, v)}
            )
            for s in wrt
        ]
        # first pairs straddling closely, along one variable, the zeros of the kink
        # expressions at a random point, then the constants
        kinks = [(i, g, step) for i in range(len(wrt)) for g in kink for step in _STRADDLE]
        near = [
            (i, c, step) for i in range(len(wrt)) for c in sorted(constants) for step in _STRADDLE
        ]
        rng.shuffle(kinks)
        rng.shuffle(near)
        made = 0
        for i, where, (lo, hi) in kinks + near:
            if made >= pairs:
                break
            s = wrt[i]
            a = {**fixed, **{t: rng.choice(grid) for t, grid in zip(wrt, grids, strict=True)}}
            if isinstance(where, sp.Rational):
                centres = [where]
            else:
                centres = _roots(where.xreplace({t: v for t, v in a.items() if t != s}), s)
            for c in centres[:2]:
                if assumption_problems(s, c + lo) or assumption_problems(s, c + hi):
                    continue
                a = {**a, s: c + lo}
                b = {**a, s: c + hi}
                mid = {t: (a[t] + b[t]) / 2 for t in a}
                if in_domain(a, b, mid):
                    made += 1
                    yield a, b, mid
        # then random pairs of the grid: near the constants, small, large
        made = tries = 0
        while made < pairs and tries < 20 * pairs:
            tries += 1
            a = {**fixed, **{s: rng.choice(grid) for s, grid in zip(wrt, grids, strict=True)}}
            b = {**fixed, **{s: rng.choice(grid) for s, grid in zip(wrt, grids, strict=True)}}
            if tries % 3 == 0:  # a pair along one axis (symmetric around a constant, often)
                i = rng.randrange(len(wrt))
                b = {**a, wrt[i]: rng.choice(grids[i])}
            if a == b:
                continue
            mid = {s: (a[s] + b[s]) / 2 for s in a}
            if in_domain(a, b, mid):
                made += 1
                yield a, b, mid


def midpoint_violations(
    expr: sp.Expr,
    wrt: Sequence[sp.Symbol],
    facts: Sequence[sp.Expr] = (),
    *,
    seed: int = 0,
    pairs: int = 60,
    parameter_points: int = 6,
    allow_infinite: bool = False,
    limit: int = 3,
) -> list[str]:
    """Evidence against "``expr`` is convex in ``wrt``", from 30-digit midpoint tests.

    Each pair also checks that f is finite and real at its three points (a function
    undefined somewhere in the domain is not convex there); with ``allow_infinite``,
    +∞ is accepted as a value (an extended-value convex function, −log(1 − x) at x = 1).
    """
    rng = random.Random(seed)
    symbols = sorted(expr.free_symbols | set(wrt), key=lambda s: s.name)
    f = numeric(expr, symbols)
    precise = numeric(expr, symbols, digits=3 * DIGITS)
    cache: dict[tuple[sp.Rational, ...], Any] = {}
    found: list[str] = []

    def gap_of(fa: Any, fb: Any, fm: Any, digits: int) -> Any:
        """f(mid) − mean when it exceeds the margin (a violation), else ``None``."""
        with mpmath.workdps(digits):
            if mpmath.isinf(fa) or mpmath.isinf(fb):
                return None
            gap = mpmath.inf if mpmath.isinf(fm) else fm - (fa + fb) / 2
            return gap if gap > MARGIN * (1 + abs(fa) + abs(fb)) else None

    def value(point: Point) -> Any:
        key = tuple(point[s] for s in symbols)
        if key not in cache:
            cache[key] = f(point)
        return cache[key]

    def bad(v: Any) -> bool:
        return v is None or v == mpmath.ninf or (v == mpmath.inf and not allow_infinite)

    for a, b, mid in _pairs(expr, wrt, facts, rng, pairs, parameter_points):
        if len(found) >= limit:
            break
        fa, fb, fm = value(a), value(b), value(mid)
        for point, v in ((a, fa), (b, fb), (mid, fm)):
            if bad(v):
                found.append(f"f is {v} (undefined, infinite or not real) at {_show(point)}")
        if any(bad(v) for v in (fa, fb, fm)) or gap_of(fa, fb, fm, DIGITS) is None:
            continue
        # confirmed at 90 digits, so that cancellation at 30 digits is never reported;
        # values that move between 30 and 90 digits (exp(e³⁰⁰⁰)) are not trusted at all
        again = [precise(point) for point in (a, b, mid)]
        if any(bad(v) for v in again) or not all(
            _agree(v, w) for v, w in zip((fa, fb, fm), again, strict=True)
        ):
            continue
        gap = gap_of(*again, 3 * DIGITS)
        if gap is not None:
            found.append(
                f"f((a+b)/2) > (f(a)+f(b))/2 by {mpmath.nstr(gap, 8)} "
                f"at a = {_show(a)}, b = {_show(b)}"
            )
    return list(dict.fromkeys(found))


def _agree(low: Any, high: Any) -> bool:
    """A 30-digit value agrees with the 90-digit one to 20 digits (or both are ±∞)."""
    with mpmath.workdps(3 * DIGITS):
        if mpmath.isinf(low) or mpmath.isinf(high):
            return bool(low == high)
        return bool(abs(low - high) <= MARGIN * (1 + abs(high)))


def nonconvexity_evidence(
    expr: sp.Expr,
    wrt: Sequence[sp.Symbol],
    facts: Sequence[sp.Expr] = (),
    *,
    seed: int = 0,
    pairs: int = 400,
) -> str | None:
    """One reason ``expr`` is not convex in ``wrt``, found numerically, or ``None``.

    +∞ is allowed as a value (so that 1/x² on ℝ is refuted by a finite midpoint
    violation across 0, and −log(1 − x) at x = 1 is not mistaken for evidence).
    """
    found = midpoint_violations(
        expr, wrt, facts, seed=seed, pairs=pairs, parameter_points=12, allow_infinite=True, limit=1
    )
    return found[0] if found else None


def _show(point: Mapping[sp.Symbol, sp.Rational]) -> str:
    return "(" + ", ".join(f"{s}={v}" for s, v in point.items()) + ")"
