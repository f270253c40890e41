"""What the identities of information theory are proved with: exact comparisons, a lemma, rules.

- :func:`log_sign` decides the sign of Σ c_i·log r_i (c_i, r_i rational) exactly:
  with D the least common denominator of the c_i, the sum is (1/D)·log R with
  R = ∏ r_i^{c_i·D} rational, so its sign is the sign of R − 1, found in integer
  arithmetic (no floating point). :func:`holds` decides a relation between two
  such sums the same way; :func:`kl_terms` writes a KL divergence between
  categorical laws with rational probabilities as such a sum.
- :func:`log_lemma` proves log x ≤ x − 1 for x > 0, with equality only at x = 1,
  as g(x) = x − 1 − log x ≥ 0: g is convex (a certificate from
  :mod:`derive.convexity`), g′(1) = 0 and g(1) = 0, so g ≥ g(1) = 0; g″ = 1/x² > 0
  makes x = 1 the only minimiser.
- Rules, one law each (see :mod:`derive.rules`). A :class:`Certified` rule proves
  its own step with ``certify(before, after)``: an inequality (``≤``, Gibbs) or an
  equality between integrals, which :func:`derive.algebra.proved_zero` cannot see.
"""

from __future__ import annotations

import functools
import itertools
import math
from abc import abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

import sympy as sp

from derive.algebra import is_positive_on_support, proved_zero, rewrite_nodes
from derive.convexity import CONVEX, Verdict, convexity
from derive.functions import sigmoid
from derive.rules import LocalRule, Rewrite, Rule, RuleContext
from derive.steps import Relation

__all__ = [
    "AbsOnHalfLine",
    "AtTheWitness",
    "Certified",
    "Definition",
    "ExpandAndCollect",
    "HalfOfDensity",
    "IntegralOfMultiple",
    "Integrate",
    "Lemma",
    "LogAtMostLinear",
    "LogSign",
    "LogTerms",
    "LogsOfPrimes",
    "MultiplyAndDivide",
    "NegatedLog",
    "Normalised",
    "OneHotSifting",
    "SoftmaxOfTwoLogits",
    "SplitSum",
    "UniformCrossEntropy",
    "holds",
    "kl_terms",
    "kl_value",
    "log_lemma",
    "log_sign",
    "log_terms",
    "simplex_points",
]

# --------------------------------------------------------------- exact comparison

LogTerms = tuple[tuple[sp.Rational, sp.Rational], ...]

MAX_BITS = 1 << 20  # R = ∏ r^{c·D} is refused (None) beyond about this many bits


def log_terms(expr: sp.Expr) -> LogTerms | None:
    """``expr`` = Σ c_i·log r_i as its pairs (c_i, r_i), c_i rational, r_i positive rational;
    ``None`` when ``expr`` has any other shape (a symbol, a rational constant, log π)."""
    expanded = sp.expand(sp.S(expr), log=False, power_exp=False, power_base=False)
    pairs: list[tuple[sp.Rational, sp.Rational]] = []
    for term in sp.Add.make_args(expanded):
        if term == 0:
            continue
        c, rest = term.as_coeff_Mul()
        if not (isinstance(rest, sp.log) and c.is_Rational):
            return None
        r = rest.args[0]
        if not (r.is_Rational and r.is_positive):
            return None
        pairs.append((sp.Rational(c), sp.Rational(r)))
    return tuple(pairs)


@dataclass(frozen=True)
class LogSign:
    """The exact sign of Σ c_i·log r_i and its certificate.

    ``scale`` is D, the least common denominator of the c_i; ``ratio`` is
    R = ∏ r_i^{c_i·D}, a rational; Σ c_i·log r_i = (1/D)·log R, so ``sign`` is
    −1, 0 or 1 as R is below, equal to or above 1.
    """

    terms: LogTerms
    scale: int
    ratio: sp.Rational
    sign: int


def log_sign(terms: Iterable[tuple[sp.Rational, sp.Rational]]) -> LogSign | None:
    """The sign of Σ c·log r over ``terms`` in exact integer arithmetic (``None`` when R
    would be too large to form: more than :data:`MAX_BITS` bits)."""
    pairs = tuple((Fraction(int(c.p), int(c.q)), Fraction(int(r.p), int(r.q))) for c, r in terms)
    if any(r <= 0 for _, r in pairs):
        raise ValueError("a logarithm of a non-positive number")
    scale = math.lcm(*(c.denominator for c, _ in pairs)) if pairs else 1
    bits = sum(
        abs(c * scale) * (r.numerator.bit_length() + r.denominator.bit_length()) for c, r in pairs
    )
    if bits > MAX_BITS:
        return None
    top, bottom = 1, 1
    for c, r in pairs:
        power = int(c * scale)
        if power > 0:
            top *= r.numerator**power
            bottom *= r.denominator**power
        elif power < 0:
            top *= r.denominator ** (-power)
            bottom *= r.numerator ** (-power)
    sign = (top > bottom) - (top < bottom)
    exact = tuple(
        (sp.Rational(c.numerator, c.denominator), sp.Rational(r.numerator, r.denominator))
        for c, r in pairs
    )
    return LogSign(exact, scale, sp.Rational(top, bottom), sign)


_DECIDE = {
    sp.StrictGreaterThan: lambda s: s > 0,
    sp.GreaterThan: lambda s: s >= 0,
    sp.StrictLessThan: lambda s: s < 0,
    sp.LessThan: lambda s: s <= 0,
    sp.Equality: lambda s: s == 0,
    sp.Unequality: lambda s: s != 0,
}


def holds(relation: sp.Basic) -> bool | None:
    """Whether ``lhs ⋈ rhs`` holds, both sides sums of rational·log(rational), decided
    exactly by :func:`log_sign` of lhs − rhs (``None``: not of that shape)."""
    decide = _DECIDE.get(type(relation))
    if decide is None:
        return None
    lhs, rhs = relation.args
    terms = log_terms(lhs - rhs)
    if terms is None:
        return None
    found = log_sign(terms)
    return None if found is None else bool(decide(found.sign))


def kl_terms(p: Sequence[sp.Rational], q: Sequence[sp.Rational]) -> LogTerms:
    """KL(P‖Q) = Σ_k p_k·log(p_k/q_k) as (p_k, p_k/q_k) pairs (categorical, rational)."""
    if len(p) != len(q):
        raise ValueError("two laws over different numbers of classes")
    return tuple((sp.Rational(a), sp.Rational(a) / sp.Rational(b)) for a, b in zip(p, q))


def kl_value(p: Sequence[sp.Rational], q: Sequence[sp.Rational]) -> sp.Expr:
    """KL(P‖Q) as the exact expression Σ_k p_k·log(p_k/q_k)."""
    return sp.Add(*(c * sp.log(r) for c, r in kl_terms(p, q)))


def simplex_points(classes: int, max_denominator: int) -> tuple[tuple[sp.Rational, ...], ...]:
    """Every probability vector of ``classes`` positive entries with a common denominator
    at most ``max_denominator``, simplest first (by that denominator, then entry by entry)."""
    found: dict[tuple[sp.Rational, ...], int] = {}
    for d in range(classes, max_denominator + 1):
        for head in itertools.product(range(1, d), repeat=classes - 1):
            last = d - sum(head)
            if last < 1:
                continue
            point = tuple(sp.Rational(n, d) for n in (*head, last))
            found.setdefault(point, d)
    return tuple(sorted(found, key=lambda v: (found[v], v)))


# ------------------------------------------------------------------------- lemma


@dataclass(frozen=True)
class Lemma:
    """g(x) ≥ 0 for x > 0 with equality only at ``point``, proved by convexity.

    ``verdict`` certifies g convex on x > 0; g′(point) = 0 makes ``point`` a
    minimiser of the convex g (a convex function lies above its tangents), and
    g(point) = 0 is the minimum; ``second`` (g″) > 0 makes g strictly convex, so
    the minimiser is unique: equality only at ``point``.
    """

    function: sp.Expr
    variable: sp.Symbol
    verdict: Verdict
    derivative: sp.Expr
    second: sp.Expr
    point: sp.Expr

    @property
    def proved(self) -> bool:
        at = {self.variable: self.point}
        return (
            self.verdict.verdict == CONVEX
            and bool(self.variable.is_positive)
            and self.derivative.xreplace(at) == 0
            and self.function.xreplace(at) == 0
            and bool(self.second.is_positive)
        )


@functools.cache
def log_lemma() -> Lemma:
    """log x ≤ x − 1 for x > 0, equality only at x = 1: g(x) = x − 1 − log x ≥ 0."""
    x = sp.Symbol("x", positive=True)
    g = x - 1 - sp.log(x)
    return Lemma(
        function=g,
        variable=x,
        verdict=convexity(g, [x]),
        derivative=sp.diff(g, x),
        second=sp.diff(g, x, 2),
        point=sp.S.One,
    )


# -------------------------------------------------------------------------- rules


class Certified(Rule):
    """A rule that proves its own step: ``certify`` is True only when it has proved the
    rule's ``relation`` between ``before`` and ``after`` (``after − before ≥ 0`` for ``≤``,
    equality for ``=``); a step with any other relation is not proved by it."""

    @abstractmethod
    def certify(self, before: sp.Expr, after: sp.Expr) -> bool:
        """True only when the step from ``before`` to ``after`` is proved."""


def _factors(expr: sp.Basic) -> list[sp.Basic]:
    """The factors of a (possibly unevaluated, nested) product."""
    if isinstance(expr, sp.Mul):
        return [f for a in expr.args for f in _factors(a)]
    return [expr]


def _product(factors: Sequence[sp.Basic]) -> sp.Expr:
    if not factors:
        return sp.S.One
    if len(factors) == 1:
        return factors[0]  # type: ignore[return-value]
    return sp.Mul(*factors, evaluate=False)


def _at(expr: sp.Basic, index: sp.Symbol, value: sp.Expr) -> sp.Basic:
    """``expr`` with ``index`` replaced by ``value`` (inside indexed elements too), nothing
    else evaluated."""

    def one(node: sp.Basic) -> sp.Basic | None:
        if node == index:
            return value
        if isinstance(node, sp.Indexed) and node.has(index):
            return node.base[tuple(i.xreplace({index: value}) for i in node.indices)]
        return None

    return rewrite_nodes(expr, one)


@dataclass(frozen=True)
class Definition(LocalRule):
    """A defined symbol is its definition."""

    title: ClassVar[str] = "by definition"
    definitions: tuple[tuple[sp.Expr, sp.Expr], ...] = ()
    meaning: str = ""

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        for name, value in self.definitions:
            if isinstance(name, sp.Indexed) and isinstance(node, sp.Indexed):
                if node.base == name.base and len(node.indices) == len(name.indices):
                    return value.xreplace(dict(zip(name.indices, node.indices)))
            elif node == name:
                return value
        return None


@dataclass(frozen=True)
class AtTheWitness(LocalRule):
    """Each probability takes its exact value in the witness."""

    title: ClassVar[str] = "at the witness"
    values: tuple[tuple[sp.Symbol, sp.Rational], ...] = ()

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        for name, value in self.values:
            if node == name:
                return value
        return None

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        """The values in place, each log's argument worked out to one rational."""
        rewrite = super().apply(expr, ctx)
        if rewrite is None:
            return None
        after = rewrite_nodes(
            rewrite.after,
            lambda node: (
                sp.log(_evaluated(node.args[0]), evaluate=False)
                if isinstance(node, sp.log) and not node.args[0].free_symbols
                else None
            ),
        )
        return Rewrite(after)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MultiplyAndDivide(LocalRule):
    """a = b·(a/b), for b > 0."""

    title: ClassVar[str] = "multiply and divide"
    target: sp.Expr
    by: sp.Expr

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if node == self.target and is_positive_on_support(self.by, ctx.positive):
            return sp.Mul(self.by, self.target / self.by, evaluate=False)
        return None


@dataclass(frozen=True)
class NegatedLog(LocalRule):
    """−Σ_k w_k·log(a_k/b_k) = Σ_k w_k·log(b_k/a_k), for a_k, b_k > 0."""

    title: ClassVar[str] = "minus the log of a quotient"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not (isinstance(node, sp.Mul) and len(node.args) == 2 and sp.S.NegativeOne in node.args):
            return None
        (inner,) = (a for a in node.args if a != sp.S.NegativeOne)
        if not isinstance(inner, sp.Sum):
            return None
        factors = _factors(inner.function)
        logs = [f for f in factors if isinstance(f, sp.log)]
        if len(logs) != 1:
            return None
        numerator, denominator = sp.fraction(logs[0].args[0])
        if denominator == 1 or not all(
            is_positive_on_support(e, ctx.positive) for e in (numerator, denominator)
        ):
            return None
        flipped = sp.log(denominator / numerator, evaluate=False)
        rest = [f if f is not logs[0] else flipped for f in factors]
        return sp.Sum(_product(rest), *inner.limits)


@dataclass(frozen=True)
class SplitSum(LocalRule):
    """Σ_k (a·u_k + b·v_k) = a·Σ_k u_k + b·Σ_k v_k, for a and b free of k."""

    title: ClassVar[str] = "linearity of the sum"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not (isinstance(node, sp.Sum) and len(node.limits) == 1):
            return None
        index = node.limits[0][0]
        summand = node.function
        sums = [f for f in _factors(summand) if isinstance(f, sp.Add)]
        if isinstance(summand, sp.Add):
            terms = list(summand.args)
        elif len(sums) == 1:
            others = [f for f in _factors(summand) if f is not sums[0]]
            terms = [_product([a, *others]) for a in sums[0].args]
        else:
            terms = [summand]
        parts: list[sp.Expr] = []
        for term in terms:
            factors = _factors(term)
            free = [f for f in factors if not f.has(index)]
            bound = [f for f in factors if f.has(index)]
            inner = sp.Sum(_product(bound), *node.limits)
            parts.append(_product([*free, inner]) if free else inner)
        if len(parts) == 1 and parts[0] == node:
            return None
        return parts[0] if len(parts) == 1 else sp.Add(*parts, evaluate=False)


@dataclass(frozen=True)
class OneHotSifting(LocalRule):
    """Σ_k [k = y]·g_k = g_y, for a class y ∈ {1, …, K}."""

    title: ClassVar[str] = "a one-hot target selects its class"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not (isinstance(node, sp.Sum) and len(node.limits) == 1):
            return None
        index, low, _ = node.limits[0]
        factors = _factors(node.function)
        for f in factors:
            if isinstance(f, sp.KroneckerDelta) and index in f.args:
                (label,) = [a for a in f.args if a != index] or [index]
                whole = bool(label.is_integer and label.is_positive)  # y ≥ 1; y ≤ K is assumed
                if label == index or label.has(index) or low != 1 or not whole:
                    return None
                rest = [g for g in factors if g is not f]
                return _at(_product(rest), index, label)
        return None


@dataclass(frozen=True)
class UniformCrossEntropy(LocalRule):
    """(1/K)·Σ_{k=1}^{K} log(1/q_k) = log K + Σ_k (1/K)·log((1/K)/q_k) = log K + KL(u‖q),
    for the uniform law u_k = 1/K: the cross-entropy from u is H(u) = log K plus KL(u‖q)."""

    title: ClassVar[str] = "cross-entropy from the uniform law"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not isinstance(node, sp.Mul):
            return None
        factors = _factors(node)
        sums = [f for f in factors if isinstance(f, sp.Sum) and len(f.limits) == 1]
        if len(sums) != 1:
            return None
        (total,) = sums
        index, low, count = total.limits[0]
        summand = total.function
        if not (low == 1 and isinstance(summand, sp.log)):
            return None
        numerator, denominator = sp.fraction(summand.args[0])
        if numerator != 1 or not is_positive_on_support(denominator, ctx.positive):
            return None
        coefficient = _product([f for f in factors if f is not total])
        weight = sp.cancel(coefficient * count)  # ε for the coefficient ε/K
        if weight.has(count) or weight.has(index):
            return None
        uniform = sp.Pow(count, -1)
        kl = sp.Sum(
            sp.Mul(uniform, sp.log(uniform / denominator, evaluate=False), evaluate=False),
            total.limits[0],
        )
        inside = sp.Add(sp.log(count), kl, evaluate=False)
        return inside if weight == 1 else sp.Mul(weight, inside, evaluate=False)


@dataclass(frozen=True)
class Normalised(Rule):
    """Σ_k p_k = 1: the probabilities of a law sum to one."""

    title: ClassVar[str] = "probabilities sum to one"
    totals: tuple[sp.Expr, ...] = ()

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        after = expr.xreplace({total: sp.S.One for total in self.totals})
        return None if after == expr else Rewrite(after)


@dataclass(frozen=True)
class SoftmaxOfTwoLogits(LocalRule):
    """e^{z₁}/(e^{z₁} + e^{z₂}) = σ(z₁ − z₂) and e^{z₂}/(e^{z₁} + e^{z₂}) = 1 − σ(z₁ − z₂)."""

    title: ClassVar[str] = "the softmax of two logits"
    first: sp.Expr
    second: sp.Expr

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        a, b = sp.exp(self.first), sp.exp(self.second)
        difference = self.first - self.second
        if node == a / (a + b):
            return sigmoid(difference)
        if node == b / (a + b):
            return sp.Add(1, -sigmoid(difference), evaluate=False)
        return None


@dataclass(frozen=True)
class ExpandAndCollect(Rule):
    """a·(b + c) = a·b + a·c, like terms collected (each quantity in ``keep`` as one)."""

    title: ClassVar[str] = "expand and collect"
    keep: tuple[sp.Expr, ...] = ()

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        held = {sp.Dummy(f"kept{i}"): kept for i, kept in enumerate(self.keep)}
        e = _evaluated(expr)
        for dummy, kept in held.items():
            e = e.subs(kept, dummy)
        e = sp.expand(e, log=False, power_exp=False, power_base=False)
        after = e.xreplace(held)
        return None if after == expr else Rewrite(after)


def _evaluated(expr: sp.Basic) -> sp.Expr:
    """``expr`` rebuilt with SymPy's automatic evaluation (undoes ``evaluate=False``)."""
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase, sp.Symbol)):
        return expr  # type: ignore[return-value]
    return expr.func(*(_evaluated(a) for a in expr.args))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class LogsOfPrimes(Rule):
    """log(a/b) = Σ_j e_j·log π_j for a positive rational a/b = ∏_j π_j^{e_j} (π_j prime);
    like terms collected."""

    title: ClassVar[str] = "logs of rationals as logs of primes"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        def split(node: sp.Basic) -> sp.Basic:
            factors = sp.factorrat(node.args[0])
            return sp.Add(*(power * sp.log(prime) for prime, power in sorted(factors.items())))

        e = _evaluated(expr).replace(
            lambda n: isinstance(n, sp.log) and n.args[0].is_Rational and n.args[0].is_positive,
            split,
        )
        after = sp.expand(e, log=False)
        return None if after == expr else Rewrite(after)


@dataclass(frozen=True)
class AbsOnHalfLine(LocalRule):
    """|y| = y for y > 0."""

    title: ClassVar[str] = "on the positive half-line"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if isinstance(node, sp.Abs) and node.args[0].is_positive:
            return node.args[0]
        return None


@dataclass(frozen=True)
class HalfOfDensity(LocalRule):
    """f(y) = c·g(y): the integrand is a constant multiple of another law's density g."""

    title: ClassVar[str] = "a multiple of another density"
    density: sp.Expr
    ratio: sp.Expr
    law: str = ""

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not isinstance(node, sp.Integral):
            return None
        f = node.function
        if f == self.density or not proved_zero(f - self.ratio * self.density):
            return None
        return sp.Integral(sp.Mul(self.ratio, self.density, evaluate=False), *node.limits)


def _variables(integral: sp.Integral) -> set[sp.Symbol]:
    return {limit[0] for limit in integral.limits}


def _pull_constants(expr: sp.Basic) -> sp.Basic:
    """Every ∫ c·f dy written c·∫ f dy, for the factors c free of y."""

    def pull(node: sp.Basic) -> sp.Basic | None:
        if not isinstance(node, sp.Integral):
            return None
        variables = _variables(node)
        factors = _factors(node.function)
        free = [f for f in factors if not (f.free_symbols & variables)]
        if not free:
            return None
        bound = [f for f in factors if f.free_symbols & variables]
        return sp.Mul(*free) * sp.Integral(sp.Mul(*bound), *node.limits)

    return rewrite_nodes(expr, pull)


@dataclass(frozen=True)
class IntegralOfMultiple(LocalRule, Certified):
    """∫ c·f(y) dy = c·∫ f(y) dy, for c free of y."""

    title: ClassVar[str] = "linearity of the integral"

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        if not isinstance(node, sp.Integral):
            return None
        variables = _variables(node)
        factors = sp.Mul.make_args(node.function)  # as written: a density stays whole
        free = [f for f in factors if not (f.free_symbols & variables)]
        bound = [f for f in factors if f.free_symbols & variables]
        if not free or not bound:
            return None
        return sp.Mul(_product(free), sp.Integral(_product(bound), *node.limits), evaluate=False)

    def certify(self, before: sp.Expr, after: sp.Expr) -> bool:
        return proved_zero(_pull_constants(before) - _pull_constants(after))


@dataclass(frozen=True)
class Integrate(LocalRule, Certified):
    """∫_a^b f(y) dy = F(b) − F(a), for an antiderivative F of f (F′ = f, proved);
    F(∞) is the limit."""

    title: ClassVar[str] = "fundamental theorem of calculus"
    variable: sp.Symbol
    antiderivative: sp.Expr

    def _value(self, node: sp.Integral) -> sp.Expr | None:
        if len(node.limits) != 1 or len(node.limits[0]) != 3:
            return None
        y, low, high = node.limits[0]
        if y != self.variable or not proved_zero(sp.diff(self.antiderivative, y) - node.function):
            return None
        ends = []
        for end in (low, high):
            if end.is_infinite:
                value = sp.limit(self.antiderivative, y, end)
            else:
                value = self.antiderivative.xreplace({y: end})
            if value.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.Limit):
                return None
            ends.append(value)
        return ends[1] - ends[0]  # type: ignore[no-any-return]

    def match(self, node: sp.Basic, ctx: RuleContext) -> sp.Basic | None:
        return self._value(node) if isinstance(node, sp.Integral) else None

    def certify(self, before: sp.Expr, after: sp.Expr) -> bool:
        failed = False

        def value(node: sp.Basic) -> sp.Basic | None:
            nonlocal failed
            if not isinstance(node, sp.Integral):
                return None
            found = self._value(node)
            failed = failed or found is None
            return found

        evaluated = rewrite_nodes(before, value)
        return not failed and proved_zero(evaluated - after)


def _one_sum(before: sp.Expr, after: sp.Expr) -> tuple[sp.Expr, tuple] | None:
    """after − before as one summand and its limits (both sums over the same range), or as
    a plain expression with no limits (neither has a sum)."""
    if isinstance(before, sp.Sum) and isinstance(after, sp.Sum):
        if before.limits != after.limits or len(before.limits) != 1:
            return None
        _, low, high = before.limits[0]
        if not (high - low + 1).is_nonnegative:  # SymPy's Σ over a reversed range is negative
            return None
        return after.function - before.function, before.limits
    if before.has(sp.Sum) or after.has(sp.Sum):
        return None
    return after - before, ()


@dataclass(frozen=True)
class LogAtMostLinear(Certified):
    """log x ≤ x − 1 for x > 0 (equality only at x = 1), so Σ_k w_k·log x_k ≤ Σ_k w_k·(x_k − 1)
    for weights w_k ≥ 0."""

    relation: ClassVar[Relation] = Relation.AT_MOST
    title: ClassVar[str] = "log x ≤ x − 1"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        if not (isinstance(expr, sp.Sum) and len(expr.limits) == 1):
            return None  # only a whole sum: inside a larger expression the sign could flip
        factors = _factors(expr.function)
        logs = [f for f in factors if isinstance(f, sp.log)]
        if len(logs) != 1:
            return None
        (log_x,) = logs
        weight = _product([f for f in factors if f is not log_x])
        x = log_x.args[0]
        if not (is_positive_on_support(x, ctx.positive) and _nonnegative(weight, ctx)):
            return None
        linear = sp.Add(x, -1, evaluate=False)
        return Rewrite(sp.Sum(sp.Mul(weight, linear, evaluate=False), *expr.limits))

    def certify(self, before: sp.Expr, after: sp.Expr) -> bool:
        """after − before = Σ_k w_k·(x_k − 1 − log x_k) with w_k ≥ 0, x_k > 0, and the lemma
        x − 1 − log x ≥ 0 proved: then after − before ≥ 0."""
        lemma = log_lemma()
        if not lemma.proved:
            return False
        found = _one_sum(before, after)
        if found is None:
            return False
        gap, _ = found
        gap = sp.expand(gap, log=False, power_exp=False, power_base=False)
        ctx = RuleContext(optimised=(), sample_index=sp.Dummy("i"), n=sp.S.One)
        for log_x in sorted(gap.atoms(sp.log), key=sp.default_sort_key):
            weight = -gap.coeff(log_x)
            x = log_x.args[0]
            if weight == 0 or weight.has(log_x):
                continue
            if not (is_positive_on_support(x, ()) and _nonnegative(weight, ctx)):
                continue
            g = lemma.function.xreplace({lemma.variable: x})
            if proved_zero(gap - weight * g):
                return True
        return False


def _nonnegative(expr: sp.Expr, ctx: RuleContext) -> bool:
    return bool(expr.is_nonnegative) or is_positive_on_support(expr, ctx.positive)
