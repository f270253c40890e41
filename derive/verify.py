"""The step checker: every step of a derivation obeys its law, proved twice.

For ``EQUAL`` / ``UP_TO_CONSTANT`` / ``PROPORTIONAL`` steps the law is
``before == factor * after + dropped`` with ``factor > 0`` and both ``factor`` and
``dropped`` free of the optimised parameters; for ``ARGMIN_EQUIVALENT`` it is
``after == transform(before)`` with ``transform`` strictly decreasing.

1. Symbolically: the residual is brought to 0 by :func:`derive.algebra.proved_zero`
   after the support's facts are substituted (one-hot targets as Kronecker
   deltas, simplex weights summing to one, label-smoothed targets by definition).
2. Numerically: with n = 3 and K = 3, at random rational points of the support,
   evaluated with 40 significant digits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.algebra import free_of, proved_zero
from derive.compile import K, Model, Sampled, j, n
from derive.family import Domain
from derive.functions import to_core
from derive.steps import Derivation, Relation, Step

__all__ = ["StepCheck", "check_derivation", "check_step", "sample_point"]

DIGITS = 40
TOLERANCE = sp.Float("1e-25", DIGITS)


@dataclass(frozen=True)
class StepCheck:
    """The outcome of checking one step."""

    step: Step
    symbolic: bool
    numeric_error: float
    factor_ok: bool
    dropped_ok: bool

    @property
    def ok(self) -> bool:
        return self.symbolic and self.numeric_error < 1e-20 and self.factor_ok and self.dropped_ok


def _support_facts(expr: sp.Expr, model: Model) -> sp.Expr:
    ctx = model.context
    for name, value in ctx.definitions:
        if isinstance(name, sp.Indexed) and len(name.indices) == 2:
            base, k = name.base, name.indices[1]
            expr = expr.replace(
                lambda e, b=base: isinstance(e, sp.Indexed) and e.base == b,
                lambda e, v=value, kk=k: v.xreplace({kk: e.indices[1]}),
            )
        else:
            expr = expr.xreplace({name: value})
    if ctx.one_hot is not None:
        oh = ctx.one_hot
        expr = expr.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == oh.indicator,
            lambda e: sp.KroneckerDelta(e.indices[1], oh.label[e.indices[0]]),
        )
        expr = expr.replace(
            lambda e: (
                isinstance(e, sp.Sum)
                and e.has(sp.KroneckerDelta)
                and e.limits[0][0] == ctx.class_index
            ),
            lambda e: _delta_sum(e),
        )
    return expr


def _delta_sum(s: sp.Sum) -> sp.Expr:
    """Σ_k δ(k, y)·g_k = g_y on the support 1 ≤ y ≤ K (the Piecewise's first branch)."""
    # not deep: a sum over classes inside g (a softmax normaliser) stays a sum
    inner = sp.Sum(s.function, s.limits[0]).doit(deep=False)
    inner = inner.replace(
        lambda e: isinstance(e, sp.Piecewise) and len(e.args) == 2 and e.args[1].expr == 0,
        lambda e: e.args[0].expr,
    )
    return sp.Sum(inner, *s.limits[1:]) if len(s.limits) > 1 else inner


def _substitutions(model: Model) -> dict[sp.Basic, sp.Basic]:
    ctx = model.context
    subs: dict[sp.Basic, sp.Basic] = {}
    if ctx.class_index is not None and ctx.classes is not None:
        for base in ctx.simplex:
            for index in (ctx.class_index, j):  # a sum over either class index
                subs[sp.Sum(base[ctx.sample_index, index], (index, 1, ctx.classes))] = sp.S.One
    for group in ctx.concrete_simplex:
        subs[group[-1]] = 1 - sp.Add(*group[:-1])
    return subs


def _residual(step: Step) -> sp.Expr:
    if step.relation is Relation.ARGMIN_EQUIVALENT:
        assert step.transform is not None
        return step.after - step.transform(step.before)
    return step.before - step.factor * step.after - step.dropped


def check_step(step: Step, model: Model, rng: random.Random | None = None) -> StepCheck:
    """Prove one step symbolically and check it at random points numerically."""
    rng = rng or random.Random(0)
    residual = _residual(step)
    ctx = model.context
    if step.relation is Relation.ARGMIN_EQUIVALENT:
        assert step.transform is not None
        t = step.transform.variables[0]
        slope = sp.diff(step.transform.expr, t)
        factor_ok = bool(t.is_positive and slope.is_negative)
        symbolic = sp.expand(residual) == 0 or proved_zero(residual)
        dropped_ok = True
    else:
        subs = _substitutions(model)
        symbolic = proved_zero(residual, subs) or proved_zero(_support_facts(residual, model), subs)
        factor_ok = bool(step.factor.is_positive) and free_of(step.factor, ctx.optimised)
        dropped_ok = free_of(step.dropped, ctx.optimised)
    error = max(_numeric_error(residual, step, model, rng) for _ in range(3))
    return StepCheck(step, symbolic, error, factor_ok, dropped_ok)


def check_derivation(derivation: Derivation, seed: int = 0) -> list[StepCheck]:
    """Check every step of ``derivation``."""
    rng = random.Random(seed)
    return [check_step(s, derivation.model, rng) for s in derivation.steps]


def _rational(rng: random.Random, low: float, high: float) -> sp.Rational:
    return sp.Rational(round(rng.uniform(low, high) * 997), 997)


def _simplex(rng: random.Random, size: int) -> list[sp.Rational]:
    raw = [rng.randint(1, 50) for _ in range(size)]
    total = sum(raw)
    return [sp.Rational(r, total) for r in raw]


UPPER_SAMPLED = 12  # a bounded count is drawn from 0..min(bound, this)


def _draw(domain: Domain, rng: random.Random, label: int, upper: int | None = None) -> sp.Rational:
    """One exact value of a scalar domain (a label is the sample's class); a discrete
    value bounded by ``upper`` is drawn from the whole range below it (whole numbers)."""
    low, high = domain.sample_range
    if domain is Domain.LABELS:
        return sp.Integer(label)
    if domain.discrete:
        top = int(high) if upper is None else min(upper, UPPER_SAMPLED)
        return sp.Integer(rng.randint(int(low), top))
    return _rational(rng, low, high)


def _vector(domain: Domain, rng: random.Random, label: int, count: int) -> list[sp.Rational]:
    """Exact values of one sample's class vector: a simplex, a one-hot or free entries."""
    if domain is Domain.SIMPLEX:
        return _simplex(rng, count)
    if domain is Domain.ONEHOT:
        return [sp.Integer(1 if c == label else 0) for c in range(1, count + 1)]
    return [_draw(domain, rng, label) for _ in range(count)]


def _assign(
    values: dict[sp.Basic, sp.Basic],
    sampled: Sampled,
    s: int,
    rng: random.Random,
    label: int,
    count: int,
) -> None:
    if sampled.per_class:
        base = sampled.bases[0]
        for c, value in enumerate(_vector(sampled.domain, rng, label, count), 1):
            values[base[s, c]] = value
    elif len(sampled.bases) > 1:
        vector = _vector(sampled.domain, rng, label, len(sampled.bases))
        for base, value in zip(sampled.bases, vector, strict=True):
            values[base[s]] = value
    else:
        upper = None if sampled.upper is None else int(sampled.upper.xreplace(values))
        values[sampled.bases[0][s]] = _draw(sampled.domain, rng, label, upper)


def sample_point(
    expr: sp.Expr, model: Model, rng: random.Random, samples: int = 3, classes: int = 3
) -> dict[sp.Basic, sp.Basic]:
    """Exact random values for every variable of ``expr`` once n and K are concrete.

    Each variable is drawn from its declared domain; defined variables (label-smoothed
    targets) are computed from their definitions.
    """
    values: dict[sp.Basic, sp.Basic] = {}
    for symbol, domain in model.fixed:
        values[symbol] = _draw(domain, rng, 1)
    count = (
        classes
        if model.classes is not None and not model.classes.is_Integer
        else (int(model.classes) if model.classes is not None else 0)
    )
    ctx = model.context
    for s in range(1, samples + 1):
        label = rng.randint(1, count) if count else 1
        for sampled in model.sampled:
            _assign(values, sampled, s, rng, label, count)
        for name, definition in ctx.definitions:
            if not isinstance(name, sp.Indexed):
                continue
            rest = name.indices[1:]
            indices = [tuple(c for _ in rest) for c in range(1, count + 1)] if rest else [()]
            for index in indices:
                key = name.base[(s, *index)]
                local = definition.xreplace({ctx.sample_index: s})
                local = local.xreplace(dict(zip(rest, index)))
                values[key] = local.xreplace({K: count}).xreplace(values)
    return values


def _concrete(expr: sp.Expr, model: Model, samples: int = 3, classes: int = 3) -> sp.Expr:
    subs = {n: samples}
    if model.classes is not None and not model.classes.is_Integer:
        subs[K] = classes
    return expr.xreplace(subs).doit()


class _Unsupported(Exception):
    """A node the direct evaluator does not know: the checker falls back to SymPy."""


def _direct(expr: sp.Basic, values: dict[sp.Basic, sp.Basic], fixed: dict[sp.Basic, int]) -> Any:
    """``expr`` evaluated with mpmath at the sampled values, sums iterated in place.

    SymPy's ``doit`` would first write every sum out as an expression (K² terms for a
    softmax normaliser inside a sum over classes, each a new ``Indexed`` with its
    assumptions); here a sum whose value does not depend on the outer index (the
    normaliser) is computed once, so the cost grows linearly with K.
    """
    import mpmath

    memo: dict[tuple[sp.Basic, tuple[tuple[sp.Basic, int], ...]], Any] = {}

    def index(e: sp.Basic, bound: dict[sp.Basic, int]) -> int:
        value = ev(e, bound)
        as_int = int(value)
        if as_int != value:
            raise _Unsupported(f"index {e} is not a whole number")
        return as_int

    def ev(e: sp.Basic, bound: dict[sp.Basic, int]) -> Any:
        if e.is_Integer or e.is_Rational:
            return mpmath.mpf(int(e.p)) / int(e.q)  # type: ignore[attr-defined]
        if e.is_Number or e in (sp.pi, sp.E):
            return mpmath.mpf(sp.Float(e, DIGITS + 10))
        if isinstance(e, sp.Symbol):
            if e in bound:
                return mpmath.mpf(bound[e])
            if e in values:
                return ev(values[e], bound)
            raise _Unsupported(f"no value for {e}")
        if isinstance(e, sp.Indexed):
            key = e.base[tuple(index(x, bound) for x in e.indices)]
            if key not in values:
                raise _Unsupported(f"no value for {key}")
            return ev(values[key], {})
        if isinstance(e, sp.Add):
            return mpmath.fsum(ev(a, bound) for a in e.args)
        if isinstance(e, sp.Mul):
            return mpmath.fprod(ev(a, bound) for a in e.args)
        if isinstance(e, sp.Pow):
            base, exponent = e.args
            if exponent.is_Integer:
                return ev(base, bound) ** int(exponent)
            return mpmath.power(ev(base, bound), ev(exponent, bound))
        if isinstance(e, sp.exp):
            return mpmath.exp(ev(e.args[0], bound))
        if isinstance(e, sp.log) and len(e.args) == 1:
            return mpmath.log(ev(e.args[0], bound))
        if isinstance(e, sp.Abs):
            return abs(ev(e.args[0], bound))
        if isinstance(e, sp.KroneckerDelta):
            first, second = (index(a, bound) for a in e.args)
            return mpmath.mpf(1 if first == second else 0)
        if isinstance(e, (sp.Sum, sp.Product)):
            free = sorted(e.free_symbols & set(bound), key=lambda x: x.name)
            key = (e, tuple((x, bound[x]) for x in free))
            if key not in memo:
                memo[key] = over(e, dict(bound))
            return memo[key]
        raise _Unsupported(type(e).__name__)

    def over(e: sp.Sum | sp.Product, bound: dict[sp.Basic, int]) -> Any:
        inner = type(e)(e.function, *e.limits[:-1]) if len(e.limits) > 1 else e.function
        variable, low, high = e.limits[-1]
        terms = []
        for value in range(index(low, bound), index(high, bound) + 1):
            terms.append(ev(inner, {**bound, variable: value}))
        return mpmath.fsum(terms) if isinstance(e, sp.Sum) else mpmath.fprod(terms)

    with mpmath.workdps(DIGITS + 10):
        return ev(expr, dict(fixed))


def _numeric_error(residual: sp.Expr, step: Step, model: Model, rng: random.Random) -> float:
    values = sample_point(residual, model, rng)
    fixed = {n: 3}
    if model.classes is not None and not model.classes.is_Integer:
        fixed[K] = 3
    try:
        direct = _direct(to_core(residual), values, fixed)
    except (_Unsupported, ZeroDivisionError, ValueError, TypeError):
        direct = None
    if direct is not None:
        return float(abs(direct))
    label_bases = {
        b for sampled in model.sampled if sampled.domain is Domain.LABELS for b in sampled.bases
    }
    labels = {
        k: v for k, v in values.items() if isinstance(k, sp.Indexed) and k.base in label_bases
    }
    concrete = _concrete(residual, model)
    if labels:
        concrete = concrete.xreplace(labels).doit()
    # whole numbers stay exact; a fraction enters as a DIGITS-digit float: a power with a
    # large exponent ((1 − p)^(N − y) for N = 10⁶ trials) is not expanded exactly, and an
    # exact rational raised to a rational power makes SymPy factor its numerator and
    # denominator (minutes for a Student-t exponent −(ν + 1)/2 at ν = p/997)
    point = {k: v if v.is_integer else sp.Float(v, DIGITS) for k, v in values.items()}
    number = sp.N(to_core(concrete.xreplace(point)), DIGITS)
    if not number.is_number:
        return float("inf")
    return float(abs(number))
