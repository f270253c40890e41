"""Convexity verdicts with certificates: ``convex``, ``not convex`` or ``unknown``.

The pipeline never guesses:

1. **Structure** (in the spirit of CVXPY's DCP rules, ``cvxpy/atoms/atom.py``):
   each node gets a local fact (affine, convex, concave) from its atom and the
   facts of its arguments — |affine|, affine^(2k), exp(convex), softplus(convex),
   log Σ exp(affine), −log(concave), non-negative combinations. A convex
   verdict names the facts it used.
2. **Curvature**: the second derivative (or a diagonal Hessian) rewritten into
   a manifestly non-negative form — constants, squares, exponentials,
   σ(z), 1 − σ(z), positive symbols, and sums and products of these.
3. **Counterexample**: rational points of the domain where the second
   derivative is negative, or a rational direction v with vᵀHv < 0, confirmed
   on the exact expression (SymPy decides the sign of the exact number).
4. Otherwise ``unknown``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from derive.functions import sigmoid, softplus, to_core

__all__ = ["Verdict", "convexity", "nonnegative", "sigmoid_region"]

CONVEX = "convex"
NOT_CONVEX = "not convex"
UNKNOWN = "unknown"
MAX_POINTS = 4000


@dataclass(frozen=True)
class Verdict:
    """A verdict and its evidence."""

    verdict: str
    wrt: tuple[sp.Symbol, ...]
    reason: str
    certificate: sp.Expr | None = None
    counterexample: tuple[tuple[sp.Symbol, sp.Rational], ...] = ()
    direction: tuple[sp.Rational, ...] = ()
    value: sp.Expr | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_convex(self) -> bool:
        return self.verdict == CONVEX


# ------------------------------------------------------------------ signs


def nonnegative(expr: sp.Expr, facts: Iterable[sp.Expr] = ()) -> bool:
    """A sufficient, manifest test that ``expr`` ≥ 0 on the domain.

    ``facts`` are expressions known to be ≥ 0 there that assumptions cannot
    state (``1 - y`` for y ∈ {0, 1}, ``1 - p`` for a probability).
    """
    known = set(facts)

    def nn(e: sp.Expr, flip: bool = True) -> bool:
        if e in known or e.is_nonnegative:
            return True
        if e.is_Number:
            return bool(e >= 0)
        if isinstance(e, sp.Sum):
            return nn(e.function)
        if isinstance(e, sp.KroneckerDelta):
            return True
        if isinstance(e, (sp.exp, sigmoid, softplus, sp.Abs)):
            return bool(e.args[0].is_extended_real) or isinstance(e, sp.Abs)
        if isinstance(e, sp.Add):
            sig = [a for a in e.atoms(sigmoid)]
            if len(sig) == 1 and sp.expand(e - (1 - sig[0])) == 0:
                return True
            return all(nn(a) for a in e.args)
        if isinstance(e, sp.Mul):
            negatives = 0
            for factor in e.args:
                if nn(factor, flip):
                    continue
                if flip and nn(-factor, False):
                    negatives += 1
                    continue
                return False
            return negatives % 2 == 0
        if isinstance(e, sp.Pow):
            base, exponent = e.args
            if exponent.is_integer and exponent.is_even and base.is_extended_real:
                return True
            return (
                nn(base)
                and bool(exponent.is_extended_real)
                and (not exponent.is_negative or positive_manifest(base, known))
            )
        return False

    return nn(expr)


def positive_manifest(expr: sp.Expr, known: Iterable[sp.Expr] = ()) -> bool:
    """``expr`` > 0 manifestly (used for denominators)."""
    known_set = set(known)
    if expr.is_positive or expr in known_set:
        return True
    if isinstance(expr, (sp.exp, sigmoid, softplus)):
        return bool(expr.args[0].is_extended_real)
    if isinstance(expr, sp.Add):
        sig = list(expr.atoms(sigmoid))
        if len(sig) == 1 and sp.expand(expr - (1 - sig[0])) == 0:
            return True
        return all(nonnegative(a, known_set) for a in expr.args) and any(
            positive_manifest(a, known_set) for a in expr.args
        )
    if isinstance(expr, sp.Mul):
        return all(positive_manifest(a, known_set) for a in expr.args)
    if isinstance(expr, sp.Pow):
        return positive_manifest(expr.base, known_set) and bool(expr.exp.is_extended_real)
    return False


def _forms(expr: sp.Expr) -> list[sp.Expr]:
    """Equivalent forms of a curvature to look for a manifest sign in."""
    forms = [expr]
    for rewrite in (sp.factor, sp.together, lambda e: sp.factor(sp.together(e)), sp.cancel):
        try:
            forms.append(rewrite(expr))
        except (sp.PolynomialError, TypeError, ValueError):  # pragma: no cover - defensive
            continue
    core = sp.powsimp(to_core(expr))
    forms.extend([core, sp.factor(sp.together(core))])
    return forms


# --------------------------------------------------------------- structure


def _affine(expr: sp.Expr, wrt: Sequence[sp.Symbol]) -> bool:
    if not expr.has(*wrt):
        return True
    try:
        poly = sp.Poly(expr, *wrt)
    except sp.PolynomialError:
        return False
    if not all(not c.has(*wrt) for c in poly.coeffs()):
        return False
    return poly.total_degree() <= 1


def _sign_const(expr: sp.Expr, facts: Iterable[sp.Expr]) -> int:
    if nonnegative(expr, facts):
        return 1
    if nonnegative(-expr, facts):
        return -1
    return 0


def _curvature(
    expr: sp.Expr, wrt: Sequence[sp.Symbol], facts: tuple[sp.Expr, ...], why: list[str]
) -> int:
    """+1 convex, −1 concave, 0 affine, None-like 2 for unknown (DCP composition)."""
    if _affine(expr, wrt):
        return 0
    if isinstance(expr, sp.Add):
        signs = [_curvature(a, wrt, facts, why) for a in expr.args]
        if 2 in signs:
            return 2
        if all(s >= 0 for s in signs):
            why.append("a sum of convex and affine terms is convex")
            return 1
        if all(s <= 0 for s in signs):
            return -1
        return 2
    if isinstance(expr, sp.Mul):
        const, rest = expr.as_independent(*wrt, as_Add=False)
        if const != 1:
            inner = _curvature(rest, wrt, facts, why)
            sign = _sign_const(const, facts)
            if inner == 2 or sign == 0:
                return 2
            if inner == 0:
                return 0
            if sign > 0:
                why.append("a non-negative constant times a convex function is convex")
            else:
                why.append("a non-positive constant times a concave function is convex")
            return inner * sign
        return 2
    if isinstance(expr, sp.Abs) and _affine(expr.args[0], wrt):
        why.append("the absolute value of an affine map is convex")
        return 1
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if exponent.is_integer and exponent.is_even and exponent > 0 and _affine(base, wrt):
            why.append("an even power of an affine map is convex")
            return 1
        if exponent == -1 and _affine(base, wrt) and positive_manifest(base, facts):
            why.append("the reciprocal of a positive affine map is convex")
            return 1
        return 2
    if isinstance(expr, (sp.exp, softplus)):
        inner = _curvature(expr.args[0], wrt, facts, why)
        if inner in (0, 1):
            why.append(
                f"{type(expr).__name__} is convex and nondecreasing, of an "
                f"{'affine' if inner == 0 else 'convex'} argument"
            )
            return 1
        return 2
    if isinstance(expr, sp.log):
        arg = expr.args[0]
        terms = sp.Add.make_args(arg)
        if len(terms) >= 2 and all(
            isinstance(t, sp.exp) and _affine(t.args[0], wrt) for t in terms
        ):
            why.append("log Σ exp of affine maps (logsumexp) is convex")
            return 1
        if (
            isinstance(arg, sp.Sum)
            and isinstance(arg.function, sp.exp)
            and _affine(arg.function.args[0], wrt)
        ):
            why.append("log Σ exp (logsumexp) of affine maps is convex")
            return 1
        inner = _curvature(arg, wrt, facts, why)
        if inner in (0, -1):
            why.append(
                "log is concave and nondecreasing, of an "
                f"{'affine' if inner == 0 else 'concave'} argument"
            )
            return -1
        return 2
    return 2


def _structural(expr: sp.Expr, wrt: Sequence[sp.Symbol], facts: tuple[sp.Expr, ...]) -> str | None:
    why: list[str] = []
    if _curvature(expr, wrt, facts, why) in (0, 1):
        if not why:
            why.append("affine")
        unique = list(dict.fromkeys(why))
        return "; ".join(unique)
    return None


# -------------------------------------------------------------- curvature


def _hessian(expr: sp.Expr, wrt: Sequence[sp.Symbol]) -> sp.Matrix:
    return sp.hessian(expr, list(wrt))


def _manifest_curvature(hess: sp.Matrix, facts: tuple[sp.Expr, ...]) -> sp.Expr | None:
    """A manifestly non-negative form of a scalar or diagonal Hessian, if one is found."""
    if not hess.is_diagonal():
        return None
    forms: list[sp.Expr] = []
    for a in range(hess.rows):
        entry = hess[a, a]
        found = next((f for f in _forms(entry) if nonnegative(f, facts)), None)
        if found is None:
            return None
        forms.append(found)
    return forms[0] if len(forms) == 1 else sp.diag(*forms)


# --------------------------------------------------------- counterexamples


def _candidates(symbol: sp.Symbol) -> list[sp.Rational]:
    if symbol.is_integer and symbol.is_nonnegative:
        return [sp.Integer(0), sp.Integer(1)]
    if symbol.is_positive:
        values = ["1/4", "1/2", "1", "2", "4", "1/10", "9/10", "3"]
    else:
        values = ["0", "1", "-1", "2", "-2", "3", "-3", "1/2", "-1/2", "5", "-5", "1/3"]
    return [sp.Rational(v) for v in values]


def _admissible(point: dict[sp.Symbol, sp.Rational], facts: tuple[sp.Expr, ...]) -> bool:
    for fact in facts:
        value = fact.xreplace(point)
        if value.is_number and value.is_negative:
            return False
        if value.is_number and value.is_zero and fact.free_symbols:
            continue
    return True


def _rational(x: float) -> sp.Rational:
    frac = Fraction(x).limit_denominator(1000)
    return sp.Rational(frac.numerator, frac.denominator)


def _counterexample(
    hess: sp.Matrix,
    wrt: Sequence[sp.Symbol],
    facts: tuple[sp.Expr, ...],
) -> tuple[dict[sp.Symbol, sp.Rational], tuple[sp.Rational, ...], sp.Expr] | None:
    core = hess.applyfunc(to_core)
    symbols = sorted(core.free_symbols, key=lambda s: s.name)
    grids = [_candidates(s) for s in symbols]
    numeric = sp.lambdify(symbols, core, modules="mpmath")
    for count, values in enumerate(itertools.product(*grids)):
        if count >= MAX_POINTS:
            break
        point = dict(zip(symbols, values, strict=True))
        if not _admissible(point, facts):
            continue
        try:
            matrix = numeric(*[float(v) for v in values])
        except (ZeroDivisionError, ValueError, OverflowError):
            continue
        direction = _negative_direction(matrix, hess.rows)
        if direction is None:
            continue
        v = sp.Matrix(direction)
        exact = (v.T * hess.xreplace(point) * v)[0, 0]
        if exact.is_number and exact.is_negative:
            compact = sp.factor(exact)
            if sp.count_ops(compact) < sp.count_ops(exact):
                exact = compact  # the same number, written shorter
            return point, tuple(direction), exact
    return None


def _negative_direction(matrix: object, size: int) -> list[sp.Rational] | None:
    import mpmath

    m = mpmath.matrix(matrix)
    if size == 1:
        return [sp.Integer(1)] if m[0, 0] < -1e-12 else None
    values, vectors = mpmath.eigsy(m)
    smallest = min(range(size), key=lambda a: values[a])
    if values[smallest] >= -1e-12:
        return None
    column = [float(vectors[r, smallest]) for r in range(size)]
    scale = max(abs(c) for c in column)
    return [_rational(c / scale) for c in column]


# ------------------------------------------------------------------ entry


def _possible_singularity(
    expr: sp.Expr, wrt: Sequence[sp.Symbol], facts: tuple[sp.Expr, ...]
) -> str | None:
    """A denominator or log argument depending on ``wrt`` that is not manifestly positive
    (or non-zero), in words; ``None`` when every one is. A function undefined somewhere
    inside the domain is never convex there, and piecewise second derivatives miss it."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_negative:
            base = node.base
        elif isinstance(node, sp.log):
            base = node.args[0]
        else:
            continue
        if not base.has(*wrt) or positive_manifest(base, facts):
            continue
        if isinstance(node, sp.Pow) and base.is_nonzero:
            continue
        from derive.render.unicode import unicode

        return unicode(base)
    return None


def convexity(expr: sp.Expr, wrt: Sequence[sp.Symbol], facts: Iterable[sp.Expr] = ()) -> Verdict:
    """The convexity of ``expr`` in the variables ``wrt`` over their domain.

    The domain is what the symbols' assumptions say (a positive symbol ranges
    over (0, ∞)) intersected with ``facts`` ≥ 0; it must be convex.
    """
    wrt = tuple(wrt)
    fact_tuple = tuple(facts)
    singular = _possible_singularity(expr, wrt, fact_tuple)
    if singular is not None:
        return Verdict(
            UNKNOWN,
            wrt,
            f"{singular} may vanish inside the domain, where the function is undefined; "
            "no convexity is claimed",
        )
    reason = _structural(expr, wrt, fact_tuple)
    if reason is not None:
        return Verdict(CONVEX, wrt, reason, certificate=expr)
    hess = _hessian(expr, wrt)
    if hess.has(sp.DiracDelta, sp.sign, sp.Abs):
        return Verdict(UNKNOWN, wrt, "not twice differentiable everywhere; no structural proof")
    form = _manifest_curvature(hess, fact_tuple)
    if form is not None:
        what = "second derivative" if len(wrt) == 1 else "diagonal Hessian"
        return Verdict(CONVEX, wrt, f"the {what} is manifestly non-negative", certificate=form)
    found = _counterexample(hess, wrt, fact_tuple)
    if found is not None:
        point, direction, value = found
        ordered = tuple(sorted(point.items(), key=lambda kv: kv[0].name))
        what = "the second derivative is" if len(wrt) == 1 else "vᵀ∇²v is"
        return Verdict(
            NOT_CONVEX,
            wrt,
            f"{what} negative at an exact point",
            counterexample=ordered,
            direction=direction,
            value=value,
        )
    return Verdict(UNKNOWN, wrt, "no certificate of convexity and no counterexample found")


def sigmoid_region(curvature: sp.Expr, z: sp.Symbol) -> str | None:
    """Where a curvature that depends on z only through σ(z) is negative, in words."""
    s = sp.Symbol("s", positive=True)
    replaced = curvature.xreplace({sigmoid(z): s})
    if replaced.has(z):
        return None
    interval = sp.Interval.open(0, 1)
    try:
        region = sp.solve_univariate_inequality(replaced < 0, s, relational=False, domain=interval)
    except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - defensive
        return None
    region = sp.Intersection(region, interval)
    if region == sp.S.EmptySet:
        return "nowhere"
    if isinstance(region, sp.Interval):
        low, high = region.start, region.end
        if low == 0 and high == 1:
            return "everywhere"
        if low == 0:
            return f"exactly where σ(z) < {high}"
        if high == 1:
            return f"exactly where σ(z) > {low}"
        return f"exactly where {low} < σ(z) < {high}"
    return f"where σ(z) ∈ {region}"
