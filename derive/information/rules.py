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

from derive.algebra import proved_zero, rewrite_nodes
from derive.information.expectation import Expectation, LogBase, linear_terms
from derive.rules import LocalRule, Rewrite, Rule, RuleContext

__all__ = [
    "ChangeOfBase",
    "CollectTerms",
    "Densities",
    "Linearity",
    "Moment",
    "linearise",
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


def _log_atoms(expr: sp.Expr) -> list[sp.log]:
    """The logs of ``expr`` whose argument has a symbol (log 2, log π are numbers)."""
    return sorted(
        (a for a in expr.atoms(sp.log) if a.args[0].free_symbols), key=sp.default_sort_key
    )


def _collect_logs(expr: sp.Expr) -> sp.Expr:
    """Σ c·log a with equal (or opposite) coefficients as c·log(∏ a^{±1})."""
    logs = _log_atoms(expr)
    if len(logs) < 2:
        return expr
    collected = sp.collect(expr, logs, evaluate=False)
    if any(c.has(*logs) for c in collected.values()):
        return expr
    rest = collected.pop(sp.S.One, sp.S.Zero)
    groups: list[tuple[sp.Expr, list[tuple[int, sp.Expr]]]] = []
    for log_term in logs:
        if log_term not in collected:
            continue
        c = sp.factor_terms(collected[log_term])
        for coefficient, members in groups:
            if sp.expand(c - coefficient) == 0:
                members.append((1, log_term.args[0]))
                break
            if sp.expand(c + coefficient) == 0:
                members.append((-1, log_term.args[0]))
                break
        else:
            groups.append((c, [(1, log_term.args[0])]))
    out = [rest]
    for coefficient, members in groups:
        if coefficient.could_extract_minus_sign() and any(s < 0 for s, _ in members):
            coefficient, members = -coefficient, [(-s, a) for s, a in members]
        argument = sp.Mul(*(a if s > 0 else 1 / a for s, a in members))
        out.append(sp.Mul(coefficient, sp.log(argument, evaluate=False), evaluate=False))
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


def _tidy(expr: sp.Expr) -> sp.Expr:
    expr = sp.expand(expr, log=False, power_exp=False, power_base=False)
    logs = _log_atoms(expr)
    log_part, rest = sp.S.Zero, sp.S.Zero
    for term in sp.Add.make_args(expr):
        if term.has(*logs) if logs else False:
            log_part += term
        else:
            rest += term
    constant, varying = rest, sp.S.Zero
    if rest.free_symbols:
        symbols = sorted(rest.free_symbols, key=str)
        constant, varying = rest.as_independent(*symbols, as_Add=True)
    if varying != 0:
        numerator, denominator = sp.fraction(sp.together(varying))
        varying = _square_groups(numerator) / denominator
    return sp.Add(_collect_logs(log_part), varying, constant)  # type: ignore[no-any-return]


def tidy(expr: sp.Expr) -> sp.Expr:
    """Like logs combined, the rational part over one denominator, squares recognised;
    a value in bits or bans (a factor 1/log b) is tidied in nats and divided by log b."""
    for base in (2, 10):
        scale = sp.log(base)
        scaled = sp.expand(expr * scale, log=False, power_exp=False, power_base=False)
        if not scaled.has(scale) and expr.has(scale):
            return sp.Mul(_tidy(scaled), sp.Pow(scale, -1), evaluate=False)
    return _tidy(expr)


@dataclass(frozen=True)
class CollectTerms(Rule):
    """Like terms collected: c·log a − c·log b = c·log(a/b), fractions over one denominator."""

    title: ClassVar[str] = "collect terms"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        after = tidy(expr)
        if after == expr or sp.srepr(after) == sp.srepr(expr):
            return None
        if not proved_zero(expr - after):  # collecting never changes the value
            return None
        return Rewrite(after)
