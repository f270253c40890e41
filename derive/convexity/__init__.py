"""Convexity verdicts you can trust: ``convex`` with a certificate, ``not convex`` with an
exact witness, or ``unknown`` with its reason — never a guess.

The domain is what the symbols' assumptions say (a positive symbol ranges over
(0, ∞)) intersected with ``facts`` ≥ 0. In order:

1. **Definedness** (:mod:`.domain`): a function that may be undefined, infinite or
   non-real somewhere inside the domain is never ``convex``.
2. **Composition** (:mod:`.atoms`): the atom table (curvature, sign, monotonicity
   per argument) and one composition rule, in the spirit of CVXPY's DCP;
   ``Piecewise`` only through :mod:`.piecewise` (continuity and slopes, exactly).
3. **Curvature** of smooth functions: a constant Hessian decided by LDLᵀ
   (:mod:`.quadratic`); a scalar or diagonal Hessian in a manifestly non-negative
   form; every principal minor manifestly non-negative.
4. **Witnesses** (:mod:`.search`): vᵀ∇²f v < 0 at an exact point (smooth functions)
   or an exact midpoint violation (any function), on points the domain allows.
5. Otherwise ``unknown``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence

import sympy as sp
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from derive.convexity.atoms import AFFINE, curvature
from derive.convexity.atoms import CONVEX as _CONVEX
from derive.convexity.domain import undefined
from derive.convexity.piecewise import piecewise_curvature
from derive.convexity.quadratic import ldl, manifest_minors
from derive.convexity.search import hessian_witness, midpoint_witness
from derive.convexity.signs import forms, nonnegative, positive_manifest
from derive.convexity.verdict import (
    CONVEX,
    NOT_CONVEX,
    UNKNOWN,
    Affine,
    Certificate,
    Composition,
    ConstantHessian,
    Curvature,
    Given,
    HessianWitness,
    MidpointWitness,
    Minors,
    NoProof,
    Reason,
    Undefined,
    Verdict,
    Witness,
)
from derive.functions import huber, sigmoid

__all__ = [
    "CONVEX",
    "NOT_CONVEX",
    "UNKNOWN",
    "Affine",
    "Certificate",
    "Composition",
    "ConstantHessian",
    "Curvature",
    "Given",
    "HessianWitness",
    "MidpointWitness",
    "Minors",
    "NoProof",
    "Reason",
    "Undefined",
    "Verdict",
    "Witness",
    "convexity",
    "nonnegative",
    "positive_manifest",
    "sigmoid_region",
]

# Functions whose second derivative is not a function (kinks, jumps): only midpoints refute.
NONSMOOTH: tuple[type, ...] = (
    sp.Abs,
    sp.Max,
    sp.Min,
    sp.Piecewise,
    sp.sign,
    sp.floor,
    sp.ceiling,
    sp.frac,
    sp.Heaviside,
    huber,
)


def convexity(expr: sp.Expr, wrt: Sequence[sp.Basic], facts: Iterable[sp.Expr] = ()) -> Verdict:
    """The convexity of ``expr`` in the variables ``wrt`` over their domain.

    The domain is what the symbols' assumptions say, intersected with every fact
    ``f ≥ 0`` in ``facts`` (expressions, not relations: ``1 - p``, not ``p < 1``).
    Where a fact bounds a logarithm's argument or a denominator it is read as the
    open bound ``f > 0`` (a probability p in (0, 1) has the fact ``1 - p``).
    """
    wrt = tuple(wrt)
    fact_tuple = tuple(facts)
    for fact in fact_tuple:
        if isinstance(fact, (sp.core.relational.Relational, BooleanFunction, BooleanAtom)):
            raise TypeError(f"a fact is an expression known to be >= 0 (like 1 - p), not {fact}")
    try:
        return _decide(expr, wrt, fact_tuple)
    except (RecursionError, MemoryError):
        raise
    except Exception as error:
        return Verdict(
            UNKNOWN,
            wrt,
            f"the analysis could not finish ({type(error).__name__}); no convexity is claimed",
            why=NoProof(smooth=False),
        )


def _decide(expr: sp.Expr, wrt: tuple[sp.Basic, ...], facts: tuple[sp.Expr, ...]) -> Verdict:
    hole = undefined(expr, wrt, facts)
    smooth = not expr.has(*NONSMOOTH)
    # the Hessian, computed at most once and only when a composition proof did not settle it
    hess = functools.cache(lambda: sp.hessian(expr, list(wrt))) if smooth else None
    if hole is None:
        proved = _prove(expr, wrt, facts, hess)
        if proved is not None:
            return proved
    refuted = _refute(expr, wrt, facts, hess if hole is None else None)
    if refuted is not None and hole is not None:
        return Verdict(
            NOT_CONVEX,
            wrt,
            refuted.reason + " (and " + _hole_words(hole) + ")",
            witness=refuted.witness,
        )
    if refuted is not None:
        return refuted
    if hole is not None:
        return Verdict(UNKNOWN, wrt, _hole_words(hole) + "; no convexity is claimed", why=hole)
    return Verdict(
        UNKNOWN,
        wrt,
        "no certificate of convexity and no counterexample found",
        why=NoProof(smooth=smooth),
    )


def _hole_words(hole: Undefined) -> str:
    from derive.render.unicode import unicode

    where = unicode(hole.where)
    if hole.what in ("not finite", "non-real"):
        return "the function is not finite and real everywhere on the domain"
    if hole.what == "unsupported":
        return f"{where} is not a function the analysis knows"
    if hole.what == "denominator":
        return f"the denominator {where} may vanish inside the domain"
    return f"the argument {where} of a {hole.what} may vanish or be negative inside the domain"


def _abs_powers(expr: sp.Expr) -> sp.Expr:
    """u^{2k}·|u|^a written |u|^{a+2k} (unevaluated: SymPy splits |x|³ into x²·|x|)."""

    def merge(mul: sp.Mul) -> sp.Expr:
        factors = list(mul.args)
        for index, factor in enumerate(factors):
            base, a = factor.as_base_exp()
            if not isinstance(base, sp.Abs):
                continue
            u = base.args[0]
            for other, candidate in enumerate(factors):
                b, k = candidate.as_base_exp()
                if other == index or not (k.is_integer and k.is_even and k > 0):
                    continue
                if sp.expand(b - u) == 0 or sp.expand(b + u) == 0:
                    rest = [f for r, f in enumerate(factors) if r not in (index, other)]
                    return sp.Mul(*rest, sp.Pow(base, a + k, evaluate=False))
        return mul

    return expr.replace(lambda e: isinstance(e, sp.Mul) and e.has(sp.Abs), merge)


def _prove(
    expr: sp.Expr,
    wrt: tuple[sp.Basic, ...],
    facts: tuple[sp.Expr, ...],
    hessian: Callable[[], sp.Matrix] | None,
) -> Verdict | None:
    # log of a product of positive factors is the sum of their logs (expand_log without
    # force only splits what the assumptions prove positive): −log softmax is logsumexp − z
    rewrites: dict[sp.Expr, tuple[str, ...]] = {expr: ()}
    for form, words in (
        (
            sp.expand_log(expr, force=False),
            "the log of a product of positive factors is the sum of their logs",
        ),
        (_abs_powers(expr), "u²ᵏ·|u|ᵃ = |u|ᵃ⁺²ᵏ"),
    ):
        rewrites.setdefault(form, (words,))
    for form, said in rewrites.items():
        kind, used = curvature(form, wrt, facts, piecewise_curvature)
        if kind == AFFINE:
            return Verdict(CONVEX, wrt, "affine", Affine())
        if kind == _CONVEX:
            facts_used = (*said, *used)
            return Verdict(CONVEX, wrt, "; ".join(facts_used), Composition(facts_used))
    if hessian is None:  # not smooth: no Hessian certificate
        return None
    hess = hessian()
    if not hess.has(*wrt):
        decided = ldl(hess, facts)
        if decided is not None and decided[0] == "psd":
            _, lower, pivots, _ = decided
            return Verdict(
                CONVEX,
                wrt,
                "the Hessian is constant and H = L·D·Lᵀ with D ≥ 0",
                ConstantHessian(hess, lower, pivots),
            )
        if decided is not None:
            direction = decided[3]
            v = sp.Matrix(direction)
            value = sp.expand((v.T * hess * v)[0, 0])
            if value.is_negative:
                return Verdict(
                    NOT_CONVEX,
                    wrt,
                    "the Hessian is constant and vᵀHv < 0",
                    witness=HessianWitness(_any_point(expr, wrt), tuple(direction), value),
                )
    if hess.is_diagonal():
        found: list[sp.Expr] = []
        for a in range(hess.rows):
            form = next((f for f in forms(hess[a, a]) if nonnegative(f, facts)), None)
            if form is None:
                break
            found.append(form)
        else:
            what = "second derivative" if len(wrt) == 1 else "diagonal Hessian"
            shown = found[0] if len(found) == 1 else sp.diag(*found)
            return Verdict(CONVEX, wrt, f"the {what} is manifestly non-negative", Curvature(shown))
    minors = manifest_minors(hess, facts)
    if minors is not None:
        return Verdict(
            CONVEX,
            wrt,
            "every principal minor of the Hessian is manifestly non-negative",
            Minors(minors),
        )
    return None


def _any_point(expr: sp.Expr, wrt: tuple[sp.Basic, ...]) -> tuple[tuple[sp.Basic, sp.Expr], ...]:
    """A point of the domain for a witness that holds everywhere (a constant Hessian)."""
    from derive.convexity.search import candidates

    symbols = sorted(expr.free_symbols | set(wrt), key=lambda s: s.name)
    return tuple((s, candidates(s)[0]) for s in symbols)


def _refute(
    expr: sp.Expr,
    wrt: tuple[sp.Basic, ...],
    facts: tuple[sp.Expr, ...],
    hessian: Callable[[], sp.Matrix] | None,
) -> Verdict | None:
    if hessian is not None:  # smooth and defined everywhere: a Hessian witness is valid
        hess = hessian()
        found = hessian_witness(expr, hess, wrt, facts)
        if found is not None:
            v = found.letter
            what = "the second derivative is" if len(wrt) == 1 else f"{v}ᵀ∇²{v} is"
            return Verdict(NOT_CONVEX, wrt, f"{what} negative at an exact point", witness=found)
    mid = midpoint_witness(expr, wrt, facts)
    if mid is not None:
        return Verdict(
            NOT_CONVEX,
            wrt,
            "its value midway between two exact points a, b exceeds the mean of its values there",
            witness=mid,
        )
    return None


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
