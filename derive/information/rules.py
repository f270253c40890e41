"""The rules of an information derivation, one law each (see :mod:`derive.rules`).

Every step of an entropy, cross-entropy or KL derivation is an equality; the
laws are the change of base, the densities of the laws, the log rules of
:mod:`derive.rules` (applied inside the expectation), linearity of
expectation, one moment per step (from the law, or computed by a sum, a series
or an integral split at its kinks), and collecting terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from derive.algebra import is_positive_on_support, proved_zero, rebuild, rewrite_nodes
from derive.information.expectation import Expectation, LogBase, linear_terms
from derive.rules import LocalRule, Rewrite, Rule, RuleContext

__all__ = [
    "ChangeOfBase",
    "CollectTerms",
    "Densities",
    "Linearity",
    "Moment",
    "expand_logs",
    "linearise",
    "neat",
    "tidy",
]


@dataclass(frozen=True)
class ChangeOfBase(LocalRule):
    """log_b x = log x / log b."""

    title: ClassVar[str] = "change of base"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if isinstance(node, LogBase):
            x, base = node.args
            return sp.Mul(
                sp.log(x, evaluate=False), sp.Pow(sp.log(base), -1, evaluate=False), evaluate=False
            )
        return None


@dataclass(frozen=True)
class Densities(LocalRule):
    """p(y), q(y) are the densities (mass functions) of the laws P, Q."""

    title: ClassVar[str] = "the densities"
    densities: tuple[tuple[sp.Expr, sp.Expr], ...] = ()

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        for name, density in self.densities:
            if node == name:
                return density
        return None


def linearise(expr: sp.Expr) -> sp.Expr:
    """Every E[Σ c·φ] as Σ c·E[φ]; E[c] = c; E[Σ_k g_k] = Σ_k E[g_k] for a finite sum."""

    def split(node: sp.Basic) -> sp.Basic | None:
        if not isinstance(node, Expectation):
            return None
        y = node.variable
        pairs = linear_terms(node.integrand, y)
        if len(pairs) == 1 and pairs[0][0] == 1 and not isinstance(pairs[0][1], sp.Sum):
            return None  # E[φ] is already linear
        terms: list[sp.Expr] = []
        for coefficient, phi in pairs:
            if phi == 1:
                terms.append(coefficient)
            elif isinstance(phi, sp.Sum) and all(
                not any(bound.has(y) for bound in limit[1:]) for limit in phi.limits
            ):
                inner = linearise(node.with_integrand(phi.function))
                terms.append(coefficient * sp.Sum(inner, *phi.limits))
            else:
                terms.append(coefficient * node.with_integrand(phi))
        return sp.Add(*terms)

    return rewrite_nodes(expr, split)  # type: ignore[return-value]


@dataclass(frozen=True)
class Linearity(Rule):
    """E[a·u + b·v] = a·E[u] + b·E[v], E[c] = c (a, b, c free of y), E[Σ_k u_k] = Σ_k E[u_k]."""

    title: ClassVar[str] = "linearity of expectation"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        after = linearise(expr)
        if after == expr:
            return None
        return Rewrite(sp.expand(after, deep=False, log=False, power_exp=False, power_base=False))


@dataclass(frozen=True)
class Moment(LocalRule):
    """E_P[φ(y)] = m: a moment of the law P, or computed from its density."""

    title: ClassVar[str] = "a moment"
    term: Expectation | None = None
    value: sp.Expr = sp.S.Zero
    how: str = "law"  # law | sum | series | integral | split
    at: tuple[sp.Expr, ...] = ()
    law: str = ""

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        return self.value if node == self.term else None

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        # An expectation is replaced whole or not at all: no need to visit its density.
        def replace(node: sp.Basic) -> sp.Basic:
            if node == self.term:
                return self.value
            if isinstance(node, Expectation) or not node.args:
                return node
            return rebuild(node, (replace(a) for a in node.args))

        after = replace(expr)
        return None if after == expr else Rewrite(after)  # type: ignore[arg-type]


def _positive(expr: sp.Expr, positive: tuple[sp.Expr, ...]) -> bool:
    return is_positive_on_support(expr, positive)


def expand_logs(expr: sp.Expr, positive: tuple[sp.Expr, ...] = ()) -> sp.Expr:
    """log(a·b) = log a + log b and log(a^r) = r·log a wherever a, b > 0 (r real)."""

    def split(arg: sp.Expr) -> sp.Expr:
        if isinstance(arg, sp.Mul) and all(_positive(f, positive) for f in arg.args):
            return sp.Add(*(split(f) for f in arg.args))
        if isinstance(arg, sp.Pow) and arg.exp.is_extended_real and _positive(arg.base, positive):
            return arg.exp * split(arg.base)
        if isinstance(arg, sp.exp) and arg.args[0].is_extended_real:
            return arg.args[0]  # type: ignore[no-any-return]
        return sp.log(arg)

    def rewrite(node: sp.Basic) -> sp.Basic | None:
        if isinstance(node, sp.log) and isinstance(node.args[0], (sp.Mul, sp.Pow, sp.exp)):
            after = split(node.args[0])
            return None if after == node else after
        return None

    return rewrite_nodes(expr, rewrite)  # type: ignore[return-value]


def _collect_logs(expr: sp.Expr, positive: tuple[sp.Expr, ...]) -> sp.Expr:
    """Σ c·log a with equal (or opposite) coefficients as c·log(∏ a^{±1}).

    A group of several logs takes the orientation whose coefficient is known
    positive (log(σ₂/σ₁), not −log(σ₁/σ₂)); a lone log keeps its argument, and a
    coefficient known negative is written −c (−(1 − p)·log(1 − p)).
    """
    collected: dict[sp.Expr, sp.Expr] = {}
    rest = sp.S.Zero
    for term in sp.Add.make_args(expr):
        factors = sp.Mul.make_args(term)
        logs = [f for f in factors if isinstance(f, sp.log)]
        coefficient = sp.Mul(*(f for f in factors if not isinstance(f, sp.log)))
        if len(logs) != 1 or coefficient.has(sp.log):
            if term.has(sp.log):
                return expr  # a product of logs, or a log inside another function
            rest += term
            continue
        collected[logs[0]] = collected.get(logs[0], sp.S.Zero) + coefficient
    groups: list[tuple[sp.Expr, list[tuple[int, sp.Expr]]]] = []
    where: dict[sp.Expr, tuple[int, int]] = {}  # expanded coefficient → (group, sign)
    for log_term in sorted(collected, key=sp.default_sort_key):
        c = sp.factor_terms(collected[log_term])
        key = sp.expand(c)
        if key == 0:
            continue
        if key in where:
            index, sign = where[key]
            groups[index][1].append((sign, log_term.args[0]))
            continue
        where[key], where[sp.expand(-c)] = (len(groups), 1), (len(groups), -1)
        groups.append((c, [(1, log_term.args[0])]))
    out = [rest]
    for coefficient, members in groups:
        flip = False  # a lone log keeps its argument: its sign is +1
        if len(members) > 1 and not _positive(coefficient, positive):
            negatives = sum(1 for s, _ in members if s < 0)
            flip = _positive(-coefficient, positive) or 2 * negatives > len(members)
        if flip:
            coefficient, members = -coefficient, [(-s, a) for s, a in members]
        argument = sp.Mul(*(a if s > 0 else 1 / a for s, a in members))
        log = sp.log(argument, evaluate=False)
        if not coefficient.is_Number and _positive(-coefficient, positive):
            out.append(sp.Mul(sp.S.NegativeOne, -coefficient, log))
        else:
            out.append(sp.Mul(coefficient, log))
    return sp.Add(*out)


def _square_groups(expr: sp.Expr) -> sp.Expr:
    """Terms that share symbols factored together: μ₁² − 2μ₁μ₂ + μ₂² = (μ₁ − μ₂)²."""
    groups: list[list[sp.Expr]] = []
    for term in sp.Add.make_args(sp.expand(expr)):
        symbols = term.free_symbols
        joined = [g for g in groups if any(symbols & t.free_symbols for t in g)]
        merged = [t for g in joined for t in g] + [term]
        groups = [g for g in groups if g not in joined] + [merged]
    out = []
    for group in groups:
        total = sp.Add(*group)
        factored = sp.factor(total) if len(group) > 1 else total
        out.append(factored if sp.count_ops(factored) < sp.count_ops(total) else total)
    return sp.Add(*out)


def _rational(expr: sp.Expr) -> sp.Expr:
    """A rational function over one denominator (common factors cancelled, squares
    recognised), unless it reads shorter term by term (γ·α + β/λ, not (γ·α·λ + β)/λ)."""
    if expr == 0:
        return sp.S.Zero
    numerator, denominator = sp.fraction(sp.cancel(sp.together(expr)))
    together = _square_groups(numerator) / denominator
    apart = sp.Add(*(sp.cancel(t) for t in sp.Add.make_args(sp.expand(expr))))
    return together if sp.count_ops(together) <= sp.count_ops(apart) else apart  # type: ignore[no-any-return]


def _transcendental(factor: sp.Basic) -> bool:
    """e^u, erf u, ψ(u) … (or a power of one): the atoms a coefficient is collected by."""
    base = factor.base if isinstance(factor, sp.Pow) else factor
    return (
        isinstance(base, sp.Function)
        and not isinstance(base, (sp.Abs, sp.sign))
        and bool(base.free_symbols)
    )


def _tidy_argument(arg: sp.Expr) -> sp.Expr:
    factored = sp.factor(arg)
    return factored if sp.count_ops(factored) < sp.count_ops(arg) else arg


def _key(factors: list[sp.Basic]) -> sp.Expr:
    """The product of transcendental factors with the exponentials merged into one."""
    exponent = sp.S.Zero
    others: list[sp.Expr] = []
    for factor in factors:
        base, power = factor.as_base_exp()
        if isinstance(base, sp.exp):
            exponent += power * base.args[0]
        elif base == sp.E:
            exponent += power
        else:
            others.append(base.func(*(_tidy_argument(a) for a in base.args)) ** power)
    merged = sp.exp(_tidy_argument(sp.expand(exponent))) if exponent != 0 else sp.S.One
    return sp.Mul(merged, *others)


def _neat_once(expr: sp.Expr) -> sp.Expr:
    expanded = sp.expand(sp.powsimp(sp.expand(expr), combine="exp"))
    if expanded.has(sp.Sum):
        return expanded  # type: ignore[no-any-return]
    by_key: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(expanded):
        factors = sp.Mul.make_args(term)
        key = _key([f for f in factors if _transcendental(f)])
        rest = sp.Mul(*(f for f in factors if not _transcendental(f)))
        by_key[key] = by_key.get(key, sp.S.Zero) + rest
    out: list[sp.Expr] = []
    for key in sorted(by_key, key=sp.default_sort_key):
        coefficient = by_key[key]
        if key == 1:
            constant, varying = coefficient, sp.S.Zero
            if coefficient.free_symbols:
                constant, varying = coefficient.as_independent(
                    *sorted(coefficient.free_symbols, key=str), as_Add=True
                )
            out.extend((_rational(varying), constant))
        else:
            out.append(_rational(coefficient) * key)
    return sp.Add(*out)


def neat(expr: sp.Expr) -> sp.Expr:
    """Terms grouped by their transcendental factors (e^u merged into one exponential),
    each coefficient a rational function over one denominator.

    Repeated until it settles (cancelling a denominator can bring exponentials out
    that the next round merges), at most three times.
    """
    for _ in range(3):
        after = _neat_once(expr)
        if after == expr:
            break
        expr = after
    return expr


def _merge_sums(terms: list[sp.Expr], positive: tuple[sp.Expr, ...]) -> sp.Expr:
    """c₁·Σ_k a_k + c₂·Σ_k b_k = Σ_k (c₁·a_k + c₂·b_k) over the same limits, the summand tidied."""
    groups: dict[tuple[sp.Basic, ...], list[tuple[sp.Expr, sp.Expr]]] = {}
    kept: list[sp.Expr] = []
    for term in terms:
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        if len(sums) != 1:
            kept.append(term)
            continue
        (s,) = sums
        coefficient = term / s
        if coefficient.has(*(limit[0] for limit in s.limits)):
            kept.append(term)
            continue
        groups.setdefault(s.limits, []).append((term, coefficient * s.function))
    for limits in sorted(groups, key=sp.default_sort_key):
        members = groups[limits]
        if len(members) == 1:
            kept.append(members[0][0])
            continue
        summand = _tidy(sp.Add(*(m for _, m in members)), positive)
        if summand.could_extract_minus_sign():
            kept.append(-sp.Sum(-summand, *limits))
        else:
            kept.append(sp.Sum(summand, *limits))
    return sp.Add(*kept)


def _tidy(expr: sp.Expr, positive: tuple[sp.Expr, ...]) -> sp.Expr:
    expr = sp.expand(expand_logs(expr, positive), log=False, power_exp=False, power_base=False)
    sums: list[sp.Expr] = []
    logs, rest = sp.S.Zero, sp.S.Zero
    for term in sp.Add.make_args(expr):
        if term.has(sp.Sum):
            sums.append(term)
        elif term.has(sp.log):
            logs += term
        else:
            rest += term
    return sp.Add(  # type: ignore[no-any-return]
        _collect_logs(logs, positive), _merge_sums(sums, positive), neat(rest)
    )


def _scaled(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """(``expr`` · log b, log b) when every term of ``expr`` has the factor 1/log b (b = 2, 10)."""
    terms = sp.Add.make_args(sp.expand(expr, log=False, power_exp=False, power_base=False))
    for base in (2, 10):
        scale = sp.log(base)
        if all(sp.Mul.make_args(t).count(1 / scale) == 1 for t in terms):
            return sp.Add(*(t * scale for t in terms)), scale
    return None


def tidy(expr: sp.Expr, positive: tuple[sp.Expr, ...] = ()) -> sp.Expr:
    """Logs expanded and like logs combined, sums over the same classes merged, the rest
    grouped by its transcendental factors over one denominator with squares recognised;
    a value in bits or bans (a factor 1/log b) is tidied in nats and divided by log b.
    ``positive`` lists expressions known positive (1 − p) that assumptions cannot state."""
    scaled = _scaled(expr)
    if scaled is not None:
        nats, scale = scaled
        return sp.Mul(_tidy(nats, positive), sp.Pow(scale, -1), evaluate=False)
    return _tidy(expr, positive)


@dataclass(frozen=True)
class CollectTerms(Rule):
    """Like terms collected: c·log a − c·log b = c·log(a/b), fractions over one denominator."""

    title: ClassVar[str] = "collect terms"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        after = tidy(expr, ctx.positive)
        if after == expr or sp.srepr(after) == sp.srepr(expr):
            return None
        if not proved_zero(expr - after):  # collecting never changes the value
            return None
        return Rewrite(after)
