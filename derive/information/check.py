"""The step checker of information derivations and identity chains: every step obeys its
law, proved twice (the counterpart of :mod:`derive.verify` for E_P[·] expressions).

An ``EQUAL`` step claims before = after; an ``AT_MOST`` step (Gibbs) claims
before ≤ after. Each step is checked

1. **symbolically**. An equality's residual before − after is proved zero by
   linearity and normalisation of expectation: every E_L[g] (L a law: its
   label, density and support) is replaced by g at a fresh point y_L of L's
   support, one point per law, and :func:`derive.algebra.proved_zero` must
   bring the result to 0. If Σ c·g(y_L) + r = 0 for every y_L (c and r free of
   y_L), then Σ c·E_L[g] + r = E_L[Σ c·g + r] = 0 — the expectations must
   enter the residual linearly (through sums, finite sums over classes and
   factors free of y), which is checked first. Failing that, an expectation
   over a finite support is replaced by its definition Σ_y g(y)·p(y) and the
   result proved zero. ``p(y)`` (the undefined function the engine's start
   writes) is the density of the law whose label is ``P``; ``log_b x`` is
   ``log x / log b``. Normalisation (E_L[c] = c, Σ_y p(y) = 1) is used only
   for a law whose family is normalised (a user's density may not be); that
   each expectation exists (the integrand is integrable, so that linearity
   holds) is what the numeric check computes.

   A :class:`~derive.information.rules.Moment` step is proved *given its own
   moment fact*: the fact's term is replaced by its value before the residual
   is formed. The fact itself (E_P[φ] = m, from a law's hook, a sum, a series or
   an integral) is not proved here; the numeric check below is what verifies
   it, by computing E_P[φ] from the density.

   An ``AT_MOST`` step is proved only by its rule: ``rule.certify(before,
   after)`` must return ``True`` (the rule proved after − before ≥ 0). The
   checker proves no inequality itself. Any other relation is rejected.

2. **numerically**, at random points of the parameter domains (each domain's
   ``sample_range``; a probability vector as random positive weights
   normalised; a symbolic number of classes K = 3), with mpmath at
   :data:`DIGITS` significant digits. Each expectation is computed from the
   density: by quadrature over the support, split at the kinks of |a·y + b|
   that :func:`derive.information.integrate.kinks` finds (the density's own
   and the integrand's), or by summation (a finite support term by term, an
   infinite one until the terms fall below the working precision with a ratio
   below ½). Before and after must agree within :data:`TOLERANCE` relative to
   max(1, |before|, |after|); for ``AT_MOST``, after ≥ before − tolerance.

A symbol whose domain no law gives (a smoothing weight ε, a logit z in an
identity) is drawn by its assumptions (an integer 1…6, a positive number, a
real number; an indexed family with positive entries as a probability vector),
and a point where an expression is undefined (a log of a negative number) is
drawn again. A density written as an undefined function (an identity about
every P) is, numerically, a random law on the expectation's support.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.algebra import proved_zero
from derive.errors import DeriveError
from derive.family import Domain, families
from derive.functions import to_core
from derive.information.engine import Information
from derive.information.expectation import Expectation, LogBase, expectations
from derive.information.identity import Identity
from derive.information.instance import Instance, K, instance
from derive.information.integrate import kinks
from derive.information.rules import Moment
from derive.steps import Relation, Step

__all__ = [
    "CLASSES",
    "DIGITS",
    "POINTS",
    "TOLERANCE",
    "Certifying",
    "StepCheck",
    "check_identity",
    "check_information",
    "check_step",
]

DIGITS = 30  # significant digits of every numeric evaluation
TOLERANCE = 1e-20  # |before − after| / max(1, |before|, |after|)
POINTS = 3  # random points per step
CLASSES = 3  # a symbolic number of classes K is checked at K = 3
ATTEMPTS = 8  # draws per wanted point before a step is called undefined
MAX_TERMS = 5000  # a series is summed to at most this many terms
MIN_TERMS = 8  # … and to at least this many before the tail test applies

Number = Any  # an mpmath mpf or mpc


@runtime_checkable
class Certifying(Protocol):
    """A rule of an ``AT_MOST`` step: it proves its own inequality."""

    def certify(self, before: sp.Expr, after: sp.Expr) -> bool:
        """True only when after − before ≥ 0 is proved symbolically."""
        ...


@dataclass(frozen=True)
class StepCheck:
    """The outcome of checking one step.

    ``symbolic``: the step's law was proved (a ``Moment`` step given its fact,
    an ``AT_MOST`` step by its rule's certificate); ``numeric_error``: the
    largest disagreement over the random points, relative to
    max(1, |before|, |after|) (for ``AT_MOST`` the amount by which before
    exceeds after; ``inf`` when no point could be evaluated); ``note`` says why
    a check failed, in words.
    """

    step: Step
    symbolic: bool
    numeric_error: float
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.symbolic and self.numeric_error <= TOLERANCE


# ---------------------------------------------------------------- what the symbols mean


@dataclass(frozen=True)
class _Density:
    """A density of the chain: its variable, its expression (``None``: known only by name,
    numerically a random law on the support) and its support [low, high]."""

    variable: sp.Symbol
    value: sp.Expr | None
    low: sp.Expr
    high: sp.Expr

    @property
    def discrete(self) -> bool:
        return bool(self.variable.is_integer)

    def normalised(self, name: str) -> tuple[sp.Basic, sp.Expr] | None:
        """Σ_y p(y) = 1 over a finite support, as a substitution for the proof."""
        if not self.discrete or self.high.has(sp.oo):
            return None
        y = self.variable
        density = sp.Function(name)(y) if self.value is None else self.value
        return sp.Sum(density, (y, self.low, self.high)), sp.S.One


@dataclass
class _Scope:
    """What the symbols of a chain mean.

    ``densities`` maps each density's name (``p`` is the density of the law
    labelled ``P``) to its :class:`_Density`; ``scalars`` and ``vectors`` give
    each parameter its domain (a vector's entries up to :data:`CLASSES`);
    ``groups`` are the written-out entries of a law's probability vector,
    ``simplex`` its vectors over a symbolic K; ``unnormalised`` the densities of
    laws not known to sum (integrate) to one.
    """

    densities: dict[str, _Density] = field(default_factory=dict)
    scalars: dict[sp.Symbol, Domain] = field(default_factory=dict)
    vectors: dict[sp.IndexedBase, Domain] = field(default_factory=dict)
    groups: list[tuple[sp.Symbol, ...]] = field(default_factory=list)
    unnormalised: set[sp.Expr] = field(default_factory=set)
    simplex: list[sp.IndexedBase] = field(default_factory=list)

    def add_law(self, law: Instance) -> None:
        if not law.family.normalised:
            self.unnormalised.add(law.density)
        self.densities.setdefault(
            law.label.name.lower(), _Density(law.variable, law.density, law.low, law.high)
        )
        for var in law.law.parameters:
            value = law.values[var.name]
            if var.domain is Domain.SIMPLEX and law.entries:
                if law.entries not in self.groups:
                    self.groups.append(law.entries)
            elif isinstance(value, sp.IndexedBase):
                self.vectors[value] = var.domain
                if var.domain is Domain.SIMPLEX:
                    self.simplex.append(value)
            elif isinstance(value, sp.Symbol):
                self.scalars[value] = var.domain

    def known(self) -> set[sp.Basic]:
        out: set[sp.Basic] = set(self.scalars) | set(self.vectors)
        out.update(s for group in self.groups for s in group)
        return out

    def complete(self, exprs: Iterable[sp.Expr]) -> None:
        """Domains for the symbols no law gave, from their assumptions; a density known
        only by name (an undefined function of the variable of an expectation) lives on
        that expectation's support."""
        known = self.known()
        for expr in exprs:
            for e in expectations(expr):
                for node in sp.preorder_traversal(sp.Tuple(e.density, e.integrand)):
                    if isinstance(node, AppliedUndef) and node.args == (e.variable,):
                        self.densities.setdefault(
                            node.func.__name__, _Density(e.variable, None, *e.bounds)
                        )
            for node in sp.preorder_traversal(expr):
                if isinstance(node, sp.Indexed) and node.base not in known:
                    positive = bool(node.base.label.is_positive or node.is_positive)
                    self.vectors[node.base] = Domain.SIMPLEX if positive else Domain.REAL
                    known.add(node.base)
            for symbol in sorted(_free(expr), key=str):
                if symbol not in known and symbol != K:
                    self.scalars[symbol] = _assumed(symbol)
                    known.add(symbol)

    def facts(self) -> dict[sp.Basic, sp.Expr]:
        """Facts of the laws for the symbolic proof: a law's probability vector sums to
        one (its last written-out entry is one minus the others), a density over a finite
        support sums to one. A vector no law declares is only *sampled* as a probability
        vector (when its entries are positive); no fact is assumed of it."""
        from derive.information.instance import k

        subs: dict[sp.Basic, sp.Expr] = {}
        for base in self.simplex:
            subs[sp.Sum(base[k], (k, 1, K))] = sp.S.One
        for group in self.groups:
            subs[group[-1]] = 1 - sp.Add(*group[:-1])
        for name, density in self.densities.items():
            if density.value in self.unnormalised:
                continue
            fact = density.normalised(name)
            if fact is not None:
                subs[fact[0]] = fact[1]
        return subs


def _free(expr: sp.Basic) -> set[sp.Symbol]:
    return {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}


def _assumed(symbol: sp.Symbol) -> Domain:
    if symbol.is_integer:
        return Domain.NATURAL if symbol.is_positive else Domain.COUNT
    if symbol.is_positive or symbol.is_nonnegative:  # t ≥ 0 drawn from (0.5, 2): inside
        return Domain.POSITIVE
    return Domain.REAL


def _scope(laws: Sequence[Instance], exprs: Sequence[sp.Expr]) -> _Scope:
    scope = _Scope()
    for law in laws:
        scope.add_law(law)
    scope.complete(exprs)
    return scope


def _recognise(e: Expectation) -> Instance | None:
    """The built-in law (label, number, classes) whose instance wrote ``e``'s density."""
    if isinstance(e.density, AppliedUndef):
        return None
    high = e.bounds[1]
    counts: list[int | None] = [None]
    if e.discrete and high.is_Integer:
        counts.append(int(high))
    for family in families():
        if family.law is None:
            continue
        for number in (None, 1, 2, 3, 4, 5):
            for count in counts:
                try:
                    law = instance(family, e.label.name, number, count)
                except DeriveError:
                    continue
                if law.density == e.density and law.variable == e.variable:
                    return law
    return None


# ---------------------------------------------------------------- the symbolic proof


def _prepare(expr: sp.Expr, scope: _Scope) -> sp.Expr:
    """log_b x as log x / log b, p(u) as P's density at u, named functions in core SymPy."""
    expr = expr.replace(
        lambda e: isinstance(e, LogBase), lambda e: sp.log(e.args[0]) / sp.log(e.args[1])
    )

    def known(node: sp.Basic) -> bool:
        if not isinstance(node, AppliedUndef) or len(node.args) != 1:
            return False
        density = scope.densities.get(node.func.__name__)
        return density is not None and density.value is not None

    def density(node: sp.Basic) -> sp.Basic:
        found = scope.densities[node.func.__name__]
        assert found.value is not None
        return found.value.xreplace({found.variable: node.args[0]})

    expr = expr.replace(known, density)
    return to_core(expr)


def _finite(limits: tuple[sp.Basic, ...]) -> bool:
    return not any(bound.has(sp.oo, -sp.oo, Expectation) for bound in limits[1:])


def _linear(expr: sp.Basic) -> bool:
    """True when the expectations of ``expr`` enter it linearly (sums, finite sums over an
    index, factors without expectations), none inside another."""
    if not expr.has(Expectation):
        return True
    if isinstance(expr, Expectation):
        return not any(part.has(Expectation) for part in expr.args)
    if isinstance(expr, sp.Add):
        return all(_linear(a) for a in expr.args)
    if isinstance(expr, sp.Mul):
        inner = [a for a in expr.args if a.has(Expectation)]
        return len(inner) == 1 and _linear(inner[0])
    if isinstance(expr, sp.Sum):
        return all(_finite(limit) for limit in expr.limits) and _linear(expr.function)
    return False


def _pointwise(expr: sp.Expr) -> sp.Expr:
    """Every E_L[g] as g(y_L): one fresh point y_L per law L (label, density, support)."""
    points: dict[tuple[sp.Basic, ...], sp.Dummy] = {}

    def at_point(e: Expectation) -> sp.Expr:
        key = (e.variable, e.label, e.density, *e.bounds)
        if key not in points:
            points[key] = sp.Dummy(e.variable.name, **e.variable.assumptions0)
        return e.integrand.xreplace({e.variable: points[key]})

    return expr.replace(lambda e: isinstance(e, Expectation), at_point)  # type: ignore[no-any-return]


def _by_definition(expr: sp.Expr) -> sp.Expr | None:
    """Every E_L[g] over a finite support as Σ_y g(y)·p(y); ``None`` if one is not."""
    terms = list(expectations(expr))
    if not all(e.discrete and not e.bounds[1].has(sp.oo) for e in terms):
        return None

    def as_sum(e: Expectation) -> sp.Expr:
        return sp.Sum(e.integrand * e.density, (e.variable, *e.bounds))

    return expr.replace(lambda e: isinstance(e, Expectation), as_sum)  # type: ignore[no-any-return]


def _proved_equal(before: sp.Expr, after: sp.Expr, scope: _Scope) -> bool:
    laws = {e.density for expr in (before, after) for e in expectations(expr)}
    normalised = not laws & scope.unnormalised
    residual = _prepare(before, scope) - _prepare(after, scope)
    facts = scope.facts()
    if not residual.has(Expectation):
        return proved_zero(residual, facts)
    if normalised and _linear(residual) and proved_zero(_pointwise(residual), facts):
        return True
    defined = _by_definition(residual)
    return defined is not None and proved_zero(defined, facts)


def _symbolic(step: Step, scope: _Scope) -> tuple[bool, str]:
    if step.relation is Relation.AT_MOST:
        if not isinstance(step.rule, Certifying):
            return False, f"{step.rule.name} proves no inequality (it has no certify)"
        if step.rule.certify(step.before, step.after) is True:
            return True, ""
        return False, f"{step.rule.name} did not certify after − before ≥ 0"
    before = step.before
    if isinstance(step.rule, Moment) and step.rule.term is not None:
        before = before.xreplace({step.rule.term: step.rule.value})
    if _proved_equal(before, step.after, scope):
        return True, ""
    return False, "before − after was not proved zero"


# ---------------------------------------------------------------- numbers


class _Undefined(Exception):
    """An expression has no real value at a point (or a node the evaluator does not know)."""


def _mpf(value: sp.Basic) -> Number:
    """An exact rational (or whole number) as an mpmath number at the working precision."""
    rational = sp.Rational(value)
    return mpmath.mpf(int(rational.p)) / int(rational.q)


def _rational(rng: random.Random, low: float, high: float) -> sp.Rational:
    return sp.Rational(round(rng.uniform(low, high) * 997), 997)


def _simplex(rng: random.Random, size: int) -> list[sp.Rational]:
    raw = [rng.randint(1, 50) for _ in range(size)]
    return [sp.Rational(r, sum(raw)) for r in raw]


def _draw(domain: Domain, rng: random.Random) -> sp.Rational:
    low, high = domain.sample_range
    if domain.discrete:
        return sp.Integer(rng.randint(int(low), int(high)))
    return _rational(rng, low, high)


@dataclass(frozen=True)
class _Point:
    """Exact values of every parameter, and the random laws standing for undefined densities."""

    values: dict[sp.Basic, sp.Basic]
    functions: dict[str, Callable[[Number], Number]]


def _sample(scope: _Scope, rng: random.Random) -> _Point:
    values: dict[sp.Basic, sp.Basic] = {K: sp.Integer(CLASSES)}
    for symbol, domain in sorted(scope.scalars.items(), key=lambda item: str(item[0])):
        values[symbol] = _draw(domain, rng)
    for base, domain in sorted(scope.vectors.items(), key=lambda item: str(item[0])):
        if domain is Domain.SIMPLEX:
            entries = _simplex(rng, CLASSES)
        else:
            entries = [_draw(domain, rng) for _ in range(CLASSES)]
        for c, value in enumerate(entries, 1):
            values[base[c]] = value
    for group in scope.groups:
        values.update(zip(group, _simplex(rng, len(group)), strict=True))
    functions = {
        name: _random_law(density, rng, values)
        for name, density in sorted(scope.densities.items())
        if density.value is None
    }
    return _Point(values, functions)


def _random_law(
    density: _Density, rng: random.Random, values: Mapping[sp.Basic, sp.Basic]
) -> Callable[[Number], Number]:
    """A random density on the support [low, high]: a table of weights on a finite set of
    whole numbers, a shifted Poisson on an infinite one, a normal on ℝ, a shifted gamma
    on a half-line, a scaled beta on an interval."""
    low, high = (b.xreplace(dict(values)) for b in (density.low, density.high))
    if density.discrete:
        if high.is_Integer and low.is_Integer:
            first = int(low)
            weights = [_mpf(w) for w in _simplex(rng, int(high) - first + 1)]

            def table(y: Number) -> Number:
                index = int(y) - first
                return weights[index] if 0 <= index < len(weights) else mpmath.mpf(0)

            return table
        rate, start = _mpf(_rational(rng, 0.5, 2.5)), int(low)
        return lambda y: (
            rate ** (int(y) - start) * mpmath.exp(-rate) / mpmath.factorial(int(y) - start)
        )
    if low == -sp.oo and high == sp.oo:
        mu, sigma = _mpf(_rational(rng, -1, 1)), _mpf(_rational(rng, 0.5, 1.5))
        return lambda y: mpmath.npdf(y, mu, sigma)
    shape, rate = _mpf(_rational(rng, 1.5, 3)), _mpf(_rational(rng, 0.5, 2))
    if high == sp.oo or low == -sp.oo:
        edge, sign = (_mpf(low), 1) if high == sp.oo else (_mpf(high), -1)

        def gamma(y: Number) -> Number:
            u = sign * (y - edge)
            return rate**shape * u ** (shape - 1) * mpmath.exp(-rate * u) / mpmath.gamma(shape)

        return gamma
    a, b = _mpf(low), _mpf(high)
    alpha, beta = shape, _mpf(_rational(rng, 1.5, 3))

    def scaled_beta(y: Number) -> Number:
        u = (y - a) / (b - a)
        return u ** (alpha - 1) * (1 - u) ** (beta - 1) / mpmath.beta(alpha, beta) / (b - a)

    return scaled_beta


_CONSTANTS: dict[sp.Basic, str] = {sp.pi: "pi", sp.E: "e", sp.EulerGamma: "euler"}
_OPAQUE = (Expectation, sp.Sum, sp.Product, sp.Piecewise, sp.KroneckerDelta)


def _log(x: Number) -> Number:
    if x == 0:
        raise _Undefined("log 0")
    return mpmath.log(x)


def _direct() -> dict[type, Callable[..., Number]]:
    """SymPy's functions that mpmath computes by the same name and arguments."""
    return {
        sp.exp: mpmath.exp,
        sp.log: _log,
        sp.Abs: abs,
        sp.sign: mpmath.sign,
        sp.factorial: mpmath.factorial,
        sp.gamma: mpmath.gamma,
        sp.loggamma: mpmath.loggamma,
        sp.polygamma: mpmath.polygamma,
        sp.digamma: mpmath.digamma,
        sp.binomial: mpmath.binomial,
        sp.beta: mpmath.beta,
        sp.erf: mpmath.erf,
        sp.erfc: mpmath.erfc,
    }


_DIRECT = _direct()


class _Evaluator:
    """Expressions evaluated with mpmath at one point; expectations by quadrature or sums.

    Every expression here was built by the engine or a rule (never parsed from
    user text). Sums and expectations are memoised by the bound indices they
    depend on.
    """

    def __init__(self, point: _Point) -> None:
        self.point = point
        self.memo: dict[tuple[sp.Basic, tuple[tuple[sp.Basic, Any], ...]], Number] = {}

    def __call__(self, expr: sp.Expr) -> Number:
        return self.ev(expr, {})

    def index(self, e: sp.Basic, bound: dict[sp.Basic, Any]) -> int:
        value = self.ev(e, bound)
        if mpmath.im(value) != 0 or mpmath.re(value) != int(mpmath.re(value)):
            raise _Undefined(f"index {e} is not a whole number")
        return int(mpmath.re(value))

    def ev(self, e: sp.Basic, bound: dict[sp.Basic, Any]) -> Number:
        if isinstance(e, sp.Rational):
            return _mpf(e)
        if isinstance(e, sp.Float):
            return mpmath.mpf(e)
        if e in _CONSTANTS:
            return getattr(mpmath, _CONSTANTS[e])
        if e is sp.oo:
            return mpmath.inf
        if e is -sp.oo:
            return -mpmath.inf
        if isinstance(e, sp.Symbol):
            if e in bound:
                return mpmath.mpf(bound[e])
            if e in self.point.values:
                return self.ev(self.point.values[e], {})
            raise _Undefined(f"no value for {e}")
        if isinstance(e, sp.Indexed):
            key = e.base[tuple(self.index(x, bound) for x in e.indices)]
            if key not in self.point.values:
                raise _Undefined(f"no value for {key}")
            return self.ev(self.point.values[key], {})
        if isinstance(e, sp.Add):
            return mpmath.fsum(self.ev(a, bound) for a in e.args)
        if isinstance(e, sp.Mul):
            return mpmath.fprod(self.ev(a, bound) for a in e.args)
        if isinstance(e, sp.Pow):
            base, exponent = e.args
            if exponent.is_Integer:
                value = self.ev(base, bound)
                if value == 0 and exponent < 0:
                    raise _Undefined("division by zero")
                return value ** int(exponent)
            return mpmath.power(self.ev(base, bound), self.ev(exponent, bound))
        if isinstance(e, (Expectation, sp.Sum, sp.Product)):
            free = sorted(e.free_symbols & set(bound), key=str)
            key = (e, tuple((x, bound[x]) for x in free))
            if key not in self.memo:
                local = {x: bound[x] for x in free}
                if isinstance(e, Expectation):
                    self.memo[key] = self.expectation(e, local)
                else:
                    self.memo[key] = self.over(e, local)
            return self.memo[key]
        if isinstance(e, sp.Integral) and len(e.limits) == 1 and len(e.limits[0]) == 3:
            variable, low, high = e.limits[0]
            a, b = self.ev(low, bound), self.ev(high, bound)
            edges = [a, b]
            if a < 0 < b:  # the kink of |y| at 0 (a Laplace density) as a breakpoint
                edges = [a, mpmath.mpf(0), b]
            return mpmath.quad(lambda t: self.ev(e.function, {**bound, variable: t}), edges)
        if isinstance(e, sp.Piecewise):
            for piece, condition in e.args:
                if self.truth(condition, bound):
                    return self.ev(piece, bound)
            raise _Undefined("no branch of a Piecewise holds")
        if isinstance(e, sp.KroneckerDelta):
            first, second = (self.index(a, bound) for a in e.args)
            return mpmath.mpf(1 if first == second else 0)
        if isinstance(e, AppliedUndef):
            name = e.func.__name__
            if name in self.point.functions and len(e.args) == 1:
                return self.point.functions[name](self.ev(e.args[0], bound))
            raise _Undefined(f"no value for {name}")
        if isinstance(e, sp.Function):
            return self.function(e, bound)
        raise _Undefined(f"cannot evaluate a {type(e).__name__}")

    def function(self, e: sp.Function, bound: dict[sp.Basic, Any]) -> Number:
        args = [self.ev(a, bound) for a in e.args]
        function = _DIRECT.get(type(e))
        if isinstance(e, sp.log):
            return _log(*args)
        if function is not None:
            return function(*args)
        if isinstance(e, (sp.Max, sp.Min)):
            return max(args) if isinstance(e, sp.Max) else min(args)
        # any other function of SymPy's, at the numbers (SymPy's evalf runs mpmath)
        exact = [sp.Float(mpmath.nstr(a, DIGITS + 5), DIGITS + 5) for a in args]
        value = sp.N(e.func(*exact), DIGITS + 5)
        if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise _Undefined(f"{e.func} has no value here")
        real, imaginary = value.as_real_imag()
        return mpmath.mpc(mpmath.mpf(real), mpmath.mpf(imaginary))

    def truth(self, condition: sp.Basic, bound: dict[sp.Basic, Any]) -> bool:
        if condition is sp.true:
            return True
        if condition is sp.false:
            return False
        if isinstance(condition, sp.And):
            return all(self.truth(c, bound) for c in condition.args)
        if isinstance(condition, sp.Or):
            return any(self.truth(c, bound) for c in condition.args)
        if isinstance(condition, sp.Not):
            return not self.truth(condition.args[0], bound)
        if isinstance(condition, sp.core.relational.Relational):
            left, right = (self.ev(side, bound) for side in condition.args)
            if isinstance(condition, sp.Eq):
                return bool(left == right)
            if isinstance(condition, sp.Ne):
                return bool(left != right)
            return bool(
                {
                    ">=": left >= right,
                    ">": left > right,
                    "<=": left <= right,
                    "<": left < right,
                }[condition.rel_op]
            )
        raise _Undefined(f"cannot decide {condition}")

    def over(self, e: sp.Sum | sp.Product, bound: dict[sp.Basic, Any]) -> Number:
        inner = type(e)(e.function, *e.limits[:-1]) if len(e.limits) > 1 else e.function
        variable, low, high = e.limits[-1]
        first = self.index(low, bound)
        if isinstance(e, sp.Product):
            last = self.index(high, bound)
            return mpmath.fprod(
                self.ev(inner, {**bound, variable: v}) for v in range(first, last + 1)
            )
        return self.series(lambda v: self.ev(inner, {**bound, variable: v}), first, high, bound)

    def series(
        self,
        term: Callable[[int], Number],
        first: int,
        high: sp.Basic,
        bound: dict[sp.Basic, Any],
    ) -> Number:
        """Σ_{v ≥ first} term(v) up to ``high`` (∞: until a term is below the working
        precision and at most half the one before — then, the ratios falling, the tail is
        at most that term)."""
        if high is not sp.oo:
            last = self.index(high, bound)
            if last - first > MAX_TERMS:
                raise _Undefined("a finite sum with too many terms")
            return mpmath.fsum(term(v) for v in range(first, last + 1))
        total, previous, zeros = mpmath.mpf(0), None, 0
        eps = mpmath.mpf(10) ** (-DIGITS - 5)
        for v in range(first, first + MAX_TERMS):
            t = term(v)
            total += t
            zeros = zeros + 1 if t == 0 else 0
            if v - first >= MIN_TERMS:
                small = abs(t) <= eps * max(1, abs(total))
                falling = previous is not None and previous != 0 and abs(t / previous) <= 0.5
                if (small and falling) or zeros >= MIN_TERMS:
                    return total
            previous = t
        raise _Undefined("a series did not converge within the terms allowed")

    def expectation(self, e: Expectation, bound: dict[sp.Basic, Any]) -> Number:
        y = e.variable
        f = e.integrand * e.density
        if e.discrete:
            first = self.index(e.bounds[0], bound)
            return self.series(lambda v: self.ev(f, {**bound, y: v}), first, e.bounds[1], bound)
        low, high = (self.ev(b, bound) for b in e.bounds)
        indices = {key: sp.Integer(v) for key, v in bound.items() if isinstance(v, int)}
        exact = {key: value for key, value in self.point.values.items() if key != y}
        numeric = f.xreplace(indices).xreplace(exact)
        edges = [low, *self.kinks(numeric, y, low, high), high]
        return mpmath.quad(self.integrand(numeric, f, y, bound), edges)

    def integrand(
        self, numeric: sp.Expr, f: sp.Expr, y: sp.Symbol, bound: dict[sp.Basic, Any]
    ) -> Callable[[Number], Number]:
        """f(y) as a function of y alone, compiled once (parts free of y computed once);
        where that fails, by :meth:`ev` at each point."""
        try:
            return self.compile(numeric, y)
        except _Undefined:
            return lambda t: self.ev(f, {**bound, y: t})

    def compile(self, e: sp.Basic, y: sp.Symbol) -> Callable[[Number], Number]:
        """A closure computing ``e`` at y = t: the tree walked once, not at every t."""
        if y not in e.free_symbols:
            constant = self.ev(e, {})
            return lambda t: constant
        if e == y:
            return lambda t: t
        if e.has(*_OPAQUE):
            raise _Undefined(f"cannot compile a {type(e).__name__}")
        if isinstance(e, (sp.Add, sp.Mul)):
            add = isinstance(e, sp.Add)
            fixed = [self.ev(a, {}) for a in e.args if y not in a.free_symbols]
            start = (mpmath.fsum if add else mpmath.fprod)(fixed)
            varying = [self.compile(a, y) for a in e.args if y in a.free_symbols]

            def combine(t: Number) -> Number:
                total = start
                for part in varying:
                    total = total + part(t) if add else total * part(t)
                return total

            return combine
        parts = [self.compile(a, y) for a in e.args]
        if isinstance(e, AppliedUndef):
            law = self.point.functions.get(e.func.__name__)
            if law is None or len(parts) != 1:
                raise _Undefined(f"no value for {e.func.__name__}")
            (argument,) = parts
            return lambda t: law(argument(t))
        if isinstance(e, sp.Pow):
            base, power = parts
            if e.exp.is_Integer:
                n = int(e.exp)
                return lambda t: base(t) ** n
            return lambda t: mpmath.power(base(t), power(t))
        function = _DIRECT.get(type(e))
        if function is not None and len(parts) == 1:
            (argument,) = parts
            return lambda t: function(argument(t))
        if function is not None:
            return lambda t: function(*(part(t) for part in parts))
        raise _Undefined(f"cannot compile a {type(e).__name__}")

    def kinks(self, numeric: sp.Expr, y: sp.Symbol, low: Number, high: Number) -> list[Number]:
        """Where an |a·y + b| of ``numeric`` (the density's or the integrand's, numbers in
        place of the parameters) changes sign."""
        found = kinks(numeric, y) or []
        points = sorted({self.ev(p, {}) for p in found})
        return [p for p in points if low < p < high]


def _real(value: Number) -> Number:
    scale = max(1, abs(value))
    if not mpmath.isfinite(value) or abs(mpmath.im(value)) > scale * mpmath.mpf(10) ** (
        -DIGITS // 2
    ):
        raise _Undefined("not a finite real number")
    return mpmath.re(value)


# ---------------------------------------------------------------- the checks


class _Session:
    """Random points shared by the steps of one chain, and every value computed at them."""

    def __init__(self, scope: _Scope, rng: random.Random) -> None:
        self.scope = scope
        self.rng = rng
        self.points: list[_Evaluator] = []
        self.values: dict[tuple[int, sp.Expr], Number | None] = {}
        self.reasons: list[str] = []

    def point(self, i: int) -> _Evaluator:
        while len(self.points) <= i:
            with mpmath.workdps(DIGITS):  # a random law's numbers at the working precision
                self.points.append(_Evaluator(_sample(self.scope, self.rng)))
        return self.points[i]

    def value(self, i: int, expr: sp.Expr) -> Number | None:
        key = (i, expr)
        if key not in self.values:
            with mpmath.workdps(DIGITS):
                try:
                    prepared = _prepare(expr, self.scope).xreplace({K: sp.Integer(CLASSES)})
                    self.values[key] = _real(self.point(i)(prepared))
                except (_Undefined, ZeroDivisionError, ValueError, OverflowError) as error:
                    self.reasons.append(str(error) or type(error).__name__)
                    self.values[key] = None
        return self.values[key]

    def errors(self, step: Step) -> Iterator[float]:
        """The error at each point where both sides have a value (at most :data:`POINTS`)."""
        found = 0
        for i in range(POINTS * ATTEMPTS):
            before, after = self.value(i, step.before), self.value(i, step.after)
            if before is None or after is None:
                continue
            scale = max(1, abs(before), abs(after))
            if step.relation is Relation.AT_MOST:
                yield float(max(0, before - after) / scale)
            else:
                yield float(abs(before - after) / scale)
            found += 1
            if found == POINTS:
                return

    def check(self, step: Step) -> StepCheck:
        if step.relation not in (Relation.EQUAL, Relation.AT_MOST):
            note = f"a {step.relation.name} step has no place in an information chain"
            return StepCheck(step, False, float("inf"), note)
        symbolic, note = _symbolic(step, self.scope)
        errors = list(self.errors(step))
        if not errors:
            why = self.reasons[-1] if self.reasons else "no point had a value"
            return StepCheck(step, symbolic, float("inf"), "; ".join(filter(None, (note, why))))
        error = max(errors)
        if error > TOLERANCE:
            note = "; ".join(filter(None, (note, f"off by {error:.3g} numerically")))
        return StepCheck(step, symbolic, error, note)


def _chain_exprs(steps: Sequence[Step]) -> list[sp.Expr]:
    return [expr for s in steps for expr in (s.before, s.after)]


def check_step(
    step: Step, laws: Sequence[Instance] = (), rng: random.Random | None = None
) -> StepCheck:
    """Check one step whose expectations are under ``laws`` (instances of the engine)."""
    scope = _scope(laws, [step.before, step.after])
    return _Session(scope, rng or random.Random(0)).check(step)


def check_information(d: Information, seed: int = 0) -> list[StepCheck]:
    """Check every step of an :class:`~derive.information.engine.Information`."""
    steps = d.steps
    scope = _scope(d.laws, _chain_exprs(steps))
    session = _Session(scope, random.Random(seed))
    return [session.check(s) for s in steps]


def _with_facts(expr: sp.Expr, facts: dict[sp.Basic, sp.Expr]) -> sp.Expr:
    """``expr`` with an identity's facts substituted until nothing changes (q₁ = p, p = σ(z))."""
    for _ in range(10):
        after = expr.xreplace(facts)
        if after == expr:
            break
        expr = after
    return expr


def check_identity(
    identity: Identity, seed: int = 0, laws: Sequence[Instance] = ()
) -> list[StepCheck]:
    """Check every step of an :class:`~derive.information.identity.Identity`.

    The identity's ``facts`` (Σ_k p_k = 1, a target's definition) are substituted
    into both sides before either check; an equality its rule certifies (an
    integral the rule computed) counts as proved symbolically, and is still
    computed at random points. The laws of its expectations are recognised from
    their densities among the built-in laws (``laws`` adds others, a user's
    density); symbols no law accounts for are drawn by their assumptions.
    """
    facts = {f.lhs: f.rhs for f in identity.facts}
    steps = [
        replace(s, before=_with_facts(s.before, facts), after=_with_facts(s.after, facts))
        for s in identity.steps
    ]
    exprs = [_with_facts(identity.start, facts), *_chain_exprs(tuple(steps))]
    found = list(laws)
    for expr in exprs:
        for e in expectations(expr):
            if any(law.density == e.density for law in found):
                continue
            law = _recognise(e)
            if law is not None:
                found.append(law)
    session = _Session(_scope(found, exprs), random.Random(seed))
    out = []
    for original, step in zip(identity.steps, steps):
        result = session.check(step)
        certified = (
            step.relation is Relation.EQUAL
            and isinstance(original.rule, Certifying)
            and original.rule.certify(original.before, original.after) is True
        )
        proved = certified or (
            step.relation is Relation.EQUAL
            and proved_zero(_with_facts(original.before - original.after, facts), facts)
        )
        if proved and not result.symbolic:
            result = replace(result, symbolic=True, note="")
        out.append(result)
    return out
