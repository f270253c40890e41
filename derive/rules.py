"""Named rewrite rules: one small frozen class per law, the law as its docstring.

A :class:`LocalRule` rewrites every node its :meth:`~LocalRule.match` accepts
(children first, SymPy's automatic evaluation off, so each rule changes only
what its law says); ``match`` returns ``None`` where the rule does not apply.
A :class:`WholeRule` looks at the whole objective (negate, drop constants,
divide out a factor, recognise the loss, reduce by the mean).
Modelled on ``sympy/integrals/manualintegrate.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import sympy as sp

from derive.algebra import free_of, is_positive_on_support, parameter_atoms, rewrite_nodes
from derive.functions import sigmoid, softplus
from derive.steps import Relation

__all__ = [
    "DivideOutPositiveFactor",
    "DropConstant",
    "Expand",
    "LogOfExp",
    "LogOfIndexedProduct",
    "LogOfOneMinusSigmoid",
    "LogOfPower",
    "LogOfProduct",
    "LogOfSigmoid",
    "LogOnePlusExp",
    "MeanReduction",
    "NegativeLogLikelihood",
    "OneHot",
    "OneHotSelection",
    "RecogniseLoss",
    "Rewrite",
    "Rule",
    "RuleContext",
    "SeparateConstants",
    "SmoothedTargets",
    "SoftplusReflection",
    "SumLinearity",
    "SumToOne",
    "split_sample_sum",
]


@dataclass(frozen=True)
class OneHot:
    """``indicator[i, k] = [k = label[i]]``: a one-hot target and its class label."""

    indicator: sp.IndexedBase
    label: sp.IndexedBase


@dataclass(frozen=True)
class RuleContext:
    """What the rules may assume: which symbols are optimised, and facts of the support."""

    optimised: tuple[sp.Basic, ...]
    sample_index: sp.Symbol
    n: sp.Symbol
    positive: tuple[sp.Expr, ...] = ()
    class_index: sp.Symbol | None = None
    classes: sp.Expr | None = None
    one_hot: OneHot | None = None
    simplex: tuple[sp.IndexedBase, ...] = ()
    concrete_simplex: tuple[tuple[sp.Expr, ...], ...] = ()
    definitions: tuple[tuple[sp.Expr, sp.Expr], ...] = ()


@dataclass(frozen=True)
class Rewrite:
    """What a rule produced: the new objective and, for inexact steps, what it set aside."""

    after: sp.Expr
    dropped: sp.Expr = field(default=sp.S.Zero)
    factor: sp.Expr = field(default=sp.S.One)
    transform: sp.Lambda | None = None


class Rule(ABC):
    """A named law; ``relation`` says how the result relates to the input."""

    relation: ClassVar[Relation] = Relation.EQUAL
    title: ClassVar[str] = ""

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def law(self) -> str:
        return (type(self).__doc__ or "").strip().splitlines()[0]

    @abstractmethod
    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        """The rewritten objective, or ``None`` when the rule does not apply."""

    def relation_for(self, rewrite: Rewrite) -> Relation:
        """The relation of the step this rewrite records."""
        return self.relation


class LocalRule(Rule):
    """A rule that rewrites matching sub-expressions wherever they occur."""

    @abstractmethod
    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        """The replacement for ``node``, or ``None``."""

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        after = rewrite_nodes(expr, lambda node: self.match(node, ctx))
        return None if after == expr else Rewrite(_as_expr(after))


def inner_sum(node: sp.Basic, index: sp.Symbol | None) -> tuple[sp.Expr, tuple, tuple] | None:
    """A sum whose innermost index is ``index``, as (summand, its limit, outer limits)."""
    if index is None or not isinstance(node, sp.Sum) or node.limits[0][0] != index:
        return None
    return node.function, node.limits[0], node.limits[1:]


def wrap(expr: sp.Expr, limits: tuple) -> sp.Expr:
    """``Σ_{limits} expr``; just ``expr`` when there are no limits."""
    return sp.Sum(expr, *limits) if limits else expr


def _as_expr(node: sp.Basic) -> sp.Expr:
    """A rewritten objective is still an expression (no text is parsed here)."""
    if not isinstance(node, sp.Expr):  # pragma: no cover - rules only build expressions
        raise TypeError(f"a rule produced {type(node).__name__}, not an expression")
    return node


def _involves(expr: sp.Basic, ctx: RuleContext) -> bool:
    return not free_of(expr, ctx.optimised)


# --------------------------------------------------------------------------- logs


@dataclass(frozen=True)
class NegativeLogLikelihood(Rule):
    """argmax_θ L(θ) = argmin_θ −log L(θ), since t ↦ −log t is strictly decreasing on (0, ∞)."""

    relation: ClassVar[Relation] = Relation.ARGMIN_EQUIVALENT
    title: ClassVar[str] = "maximise L ⇔ minimise −log L"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        if not isinstance(expr, sp.Product):
            return None
        t = sp.Dummy("t", positive=True)
        neg_log = sp.Mul(-1, sp.log(expr, evaluate=False), evaluate=False)
        return Rewrite(neg_log, transform=sp.Lambda(t, -sp.log(t)))


@dataclass(frozen=True)
class LogOfIndexedProduct(LocalRule):
    """log ∏_j a_j = Σ_j log a_j, for a_j > 0."""

    title: ClassVar[str] = "log of a product is the sum of the logs"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if isinstance(node, sp.log) and isinstance(node.args[0], sp.Product):
            prod = node.args[0]
            if is_positive_on_support(prod.function, ctx.positive):
                return sp.Sum(sp.log(prod.function, evaluate=False), *prod.limits)
        return None


@dataclass(frozen=True)
class LogOfProduct(LocalRule):
    """log(a·b) = log a + log b, for a, b > 0."""

    title: ClassVar[str] = "log of a product"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not (isinstance(node, sp.log) and isinstance(node.args[0], sp.Mul)):
            return None
        fixed: list[sp.Basic] = []
        varying: list[sp.Basic] = []
        for factor in node.args[0].args:
            (varying if _involves(factor, ctx) else fixed).append(factor)
        if not varying or (len(varying) == 1 and not fixed):
            return None
        parts = ([sp.Mul(*fixed, evaluate=False)] if fixed else []) + varying
        if not all(is_positive_on_support(p, ctx.positive) for p in parts):
            return None
        return sp.Add(*(sp.log(p, evaluate=False) for p in parts), evaluate=False)


@dataclass(frozen=True)
class LogOfPower(LocalRule):
    """log(a^r) = r·log a, for a > 0 and real r."""

    title: ClassVar[str] = "log of a power"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if isinstance(node, sp.log) and isinstance(node.args[0], sp.Pow):
            base, exponent = node.args[0].args
            if is_positive_on_support(base, ctx.positive) and exponent.is_extended_real:
                return sp.Mul(exponent, sp.log(base, evaluate=False), evaluate=False)
        return None


@dataclass(frozen=True)
class LogOfExp(LocalRule):
    """log(e^u) = u, for real u."""

    title: ClassVar[str] = "log of an exponential"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if isinstance(node, sp.log) and isinstance(node.args[0], sp.exp):
            u = node.args[0].args[0]
            if u.is_extended_real:
                return u
        return None


@dataclass(frozen=True)
class LogOnePlusExp(LocalRule):
    """log(1 + e^u) = softplus(u), for real u."""

    title: ClassVar[str] = "definition of softplus"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not (isinstance(node, sp.log) and isinstance(node.args[0], sp.Add)):
            return None
        terms = node.args[0].args
        if len(terms) != 2 or sp.S.One not in terms:
            return None
        (power,) = (t for t in terms if t != sp.S.One)
        if isinstance(power, sp.exp) and power.args[0].is_extended_real:
            return softplus(power.args[0])
        return None


@dataclass(frozen=True)
class LogOfSigmoid(LocalRule):
    """log σ(z) = −softplus(−z)."""

    title: ClassVar[str] = "log-sigmoid"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if isinstance(node, sp.log) and isinstance(node.args[0], sigmoid):
            z = node.args[0].args[0]
            return sp.Mul(-1, softplus(-z), evaluate=False)
        return None


@dataclass(frozen=True)
class LogOfOneMinusSigmoid(LocalRule):
    """log(1 − σ(z)) = −softplus(z)."""

    title: ClassVar[str] = "log of one minus the sigmoid"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not (isinstance(node, sp.log) and isinstance(node.args[0], sp.Add)):
            return None
        arg = node.args[0]
        sigmoids = [a for a in arg.atoms(sigmoid)]
        if len(sigmoids) == 1 and sp.expand(arg - (1 - sigmoids[0])) == 0:
            return sp.Mul(-1, softplus(sigmoids[0].args[0]), evaluate=False)
        return None


@dataclass(frozen=True)
class SoftplusReflection(LocalRule):
    """softplus(−z) = softplus(z) − z."""

    title: ClassVar[str] = "softplus reflection"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if isinstance(node, softplus) and node.args[0].could_extract_minus_sign():
            z = -node.args[0]
            return sp.Add(softplus(z), -z, evaluate=False)
        return None


# ---------------------------------------------------------------- sums and targets


@dataclass(frozen=True)
class Expand(Rule):
    """a·(b + c) = a·b + a·c, then like terms are collected."""

    title: ClassVar[str] = "expand and collect"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        def distribute(node: sp.Basic) -> sp.Basic | None:
            if isinstance(node, sp.Sum):
                return sp.Sum(
                    sp.expand(
                        node.function,
                        multinomial=False,
                        power_exp=False,
                        power_base=False,
                        log=False,
                    ),
                    *node.limits,
                )
            return None

        after = _as_expr(rewrite_nodes(expr, distribute))
        # only the order of the terms changed (an unevaluated sum put in SymPy's order):
        # the same expression, no step
        if after == expr or sp.srepr(after) == sp.srepr(expr):
            return None
        return Rewrite(after)


@dataclass(frozen=True)
class SumLinearity(Rule):
    """Σ_k (a_k + b_k) = Σ_k a_k + Σ_k b_k and Σ_k c·a_k = c·Σ_k a_k, for c free of k."""

    title: ClassVar[str] = "linearity of the sum over classes"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        k = ctx.class_index
        if k is None:
            return None

        def split(node: sp.Basic) -> sp.Basic | None:
            found = inner_sum(node, k)
            if found is None:
                return None
            summand, limit, outer = found
            summand = sp.expand(
                summand, multinomial=False, power_exp=False, power_base=False, log=False
            )
            parts = []
            for term in sp.Add.make_args(summand):
                coeff, rest = term.as_independent(k, as_Add=False)
                parts.append(coeff * sp.Sum(rest, limit))
            total = sp.Add(*parts)
            return None if total == sp.Sum(node.function, limit) else wrap(total, outer)

        after = _as_expr(rewrite_nodes(expr, split))
        return None if after == expr else Rewrite(after)


@dataclass(frozen=True)
class OneHotSelection(LocalRule):
    """Σ_k t_{ik} g_k = g_{y_i} for a one-hot target t_{ik} = [k = y_i]."""

    title: ClassVar[str] = "a one-hot target selects its class"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        oh, i = ctx.one_hot, ctx.sample_index
        found = inner_sum(node, ctx.class_index)
        if oh is None or found is None:
            return None
        summand, limit, outer = found
        indicator = oh.indicator[i, limit[0]]
        coeff, rest = summand.as_independent(indicator, as_Add=False)
        if rest != indicator:
            return None
        return wrap(coeff.xreplace({limit[0]: oh.label[i]}), outer)


@dataclass(frozen=True)
class SumToOne(Rule):
    """Σ_k p_k (g_k + c) = Σ_k p_k g_k + c when Σ_k p_k = 1 and c is free of k."""

    title: ClassVar[str] = "the target probabilities sum to one"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        def symbolic(node: sp.Basic) -> sp.Basic | None:
            found = inner_sum(node, ctx.class_index)
            if found is None:
                return None
            summand, limit, outer = found
            k = limit[0]
            for base in ctx.simplex:
                weight = base[ctx.sample_index, k]
                coeff, rest = summand.as_independent(weight, as_Add=False)
                if rest != weight or not isinstance(coeff, sp.Add):
                    continue
                free, bound = coeff.as_independent(k, as_Add=True)
                if free == 0:
                    continue
                kept = sp.Sum(weight * bound, limit) if bound != 0 else sp.S.Zero
                return wrap(sp.Add(kept, free, evaluate=False), outer)
            return None

        def concrete(node: sp.Basic) -> sp.Basic | None:
            if not isinstance(node, sp.Add):
                return None
            terms = sp.Add.make_args(
                sp.expand(node, multinomial=False, power_exp=False, power_base=False, log=False)
            )
            for group in ctx.concrete_simplex:
                by_coeff: dict[sp.Basic, list[sp.Basic]] = {}
                for term in terms:
                    for w in group:
                        coeff, rest = term.as_independent(w, as_Add=False)
                        if rest == w and free_of(coeff, group):
                            by_coeff.setdefault(coeff, []).append(term)
                for coeff in sorted(by_coeff, key=sp.default_sort_key):
                    members = by_coeff[coeff]
                    if len(members) == len(group):
                        remaining = [t for t in terms if t not in members]
                        return sp.Add(*remaining, coeff)
            return None

        rule = symbolic if ctx.simplex else concrete
        after = _as_expr(rewrite_nodes(expr, rule))
        return None if after == expr else Rewrite(after)


@dataclass(frozen=True)
class SmoothedTargets(LocalRule):
    """A label-smoothed target is t̃_{ik} = (1 − ε)·[k = y_i] + ε/K."""

    title: ClassVar[str] = "definition of the label-smoothed target"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        for name, value in ctx.definitions:
            if isinstance(node, sp.Indexed) and isinstance(name, sp.Indexed):
                if node.base == name.base:
                    return value.xreplace(dict(zip(name.indices, node.indices)))
            elif node == name:
                return value
        return None


# ------------------------------------------------------------- whole objective


def split_sample_sum(expr: sp.Expr, ctx: RuleContext) -> tuple[sp.Expr, tuple] | None:
    """``c·Σ_i g_i`` (c free of i) as ``(c·g_i, limits)``; ``None`` for any other shape."""
    coeff: list[sp.Basic] = []
    found: sp.Sum | None = None
    for factor in sp.Mul.make_args(expr):
        if (
            isinstance(factor, sp.Sum)
            and factor.limits[-1][0] == ctx.sample_index
            and found is None
        ):
            found = factor
        else:
            coeff.append(factor)
    if found is None or not free_of(sp.Mul(*coeff), [ctx.sample_index]):
        return None
    summand = wrap(found.function, found.limits[:-1])
    return sp.Mul(*coeff) * summand, (found.limits[-1],)


@dataclass(frozen=True)
class SeparateConstants(Rule):
    """Σ_i (c + a·g_i) = n·c + a·Σ_i g_i, for c and a free of the sample index."""

    title: ClassVar[str] = "linearity of the sum over samples"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        split = split_sample_sum(expr, ctx)
        if split is None:
            return None
        summand, limits = split
        i = ctx.sample_index
        terms = sp.Add.make_args(sp.expand(summand, deep=False, log=False))
        fixed = sp.Add(*(t for t in terms if not _involves(t, ctx)))
        varying = sp.factor_terms(sp.Add(*(t for t in terms if _involves(t, ctx))))
        coeff, g = varying.as_independent(i, as_Add=False)
        if coeff.is_negative:
            coeff, g = -coeff, -g
        count = limits[0][2] - limits[0][1] + 1
        fixed_total = count * fixed if free_of(fixed, [i]) else sp.Sum(fixed, *limits)
        after = fixed_total + coeff * sp.Sum(g, *limits)
        return None if after == expr else Rewrite(after)


@dataclass(frozen=True)
class DropConstant(Rule):
    """argmin_θ (g(θ) + c) = argmin_θ g(θ) for c free of θ."""

    relation: ClassVar[Relation] = Relation.UP_TO_CONSTANT
    title: ClassVar[str] = "drop terms free of the parameters"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        if not isinstance(expr, sp.Add):
            return None
        dropped, kept = expr.as_independent(*_optimised_atoms(expr, ctx), as_Add=True)
        if dropped == 0 or kept == 0:
            return None
        return Rewrite(kept, dropped=dropped)


def _optimised_atoms(expr: sp.Expr, ctx: RuleContext) -> list[sp.Basic]:
    return parameter_atoms(expr, ctx.optimised) or list(ctx.optimised)


@dataclass(frozen=True)
class DivideOutPositiveFactor(Rule):
    """argmin_θ a·g(θ) = argmin_θ g(θ) for a > 0 free of θ."""

    relation: ClassVar[Relation] = Relation.PROPORTIONAL
    title: ClassVar[str] = "divide out a positive factor"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        coeff, rest = expr.as_independent(*_optimised_atoms(expr, ctx), as_Add=False)
        if coeff == 1 or not coeff.is_positive or not free_of(coeff, ctx.optimised):
            return None
        return Rewrite(rest, factor=coeff)


@dataclass(frozen=True)
class RecogniseLoss(Rule):
    """Σ_i g_i = a·Σ_i ℓ_i + Σ_i b_i, where g = a·ℓ + b is proved by the loss matcher."""

    loss_name: str
    per_sample: sp.Expr
    scale: sp.Expr
    offset: sp.Expr
    title: ClassVar[str] = "recognise the per-sample loss"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        split = split_sample_sum(expr, ctx)
        if split is None:
            return None
        _, limits = split
        after = sp.Sum(self.per_sample, *limits)
        if after == expr:
            return None
        offset_total = (
            (limits[0][2] - limits[0][1] + 1) * self.offset
            if free_of(self.offset, [ctx.sample_index])
            else sp.Sum(self.offset, *limits)
        )
        return Rewrite(after, dropped=offset_total, factor=self.scale)

    def relation_for(self, rewrite: Rewrite) -> Relation:
        if self.offset != 0:
            return Relation.UP_TO_CONSTANT
        return Relation.EQUAL if self.scale == 1 else Relation.PROPORTIONAL


@dataclass(frozen=True)
class MeanReduction(Rule):
    """Σ_{i=1}^n ℓ_i = n · (1/n) Σ_{i=1}^n ℓ_i: the sum and the mean have the same minimisers."""

    relation: ClassVar[Relation] = Relation.PROPORTIONAL
    title: ClassVar[str] = "mean reduction"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        if not (isinstance(expr, sp.Sum) and expr.limits[-1][0] == ctx.sample_index):
            return None
        n = ctx.n
        return Rewrite(sp.Mul(1 / n, expr, evaluate=False), factor=n)
