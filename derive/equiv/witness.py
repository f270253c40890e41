"""Exact witnesses that B is not c·A + d for any c > 0 and d free of the variables.

Every witness fixes the constants of the problem at admissible exact values (a
rational in each one's domain; A ≡ B must hold for all of them) and evaluates A and
B exactly at exact points of the variables. Signs are certified
(:func:`derive.equiv.exact.certified_sign`), never compared in floats.

- :class:`OrderWitness`: two points that A and B order differently — A(p₁) < A(p₂)
  but B(p₁) ≥ B(p₂), or the same with A and B exchanged. B = c·A + d with c > 0
  keeps every strict order both ways.
- :class:`SlopeWitness`: three points at which A takes three different values and
  the slopes (B(p₁) − B(p₀)) / (A(p₁) − A(p₀)) and (B(p₂) − B(p₀)) / (A(p₂) − A(p₀))
  differ: the points (A, B) are not on one line, so no factor c is constant. No
  derivative is taken, so kinks do not matter.
- :class:`FactorWitness`: B = c·A + d is proved with a factor c ≤ 0, and A takes
  two different values at two points (so no other factor fits).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.equiv.exact import admits, certified_sign, enclose, sign_of_interval
from derive.equiv.names import Problem, entries_as_symbols
from derive.family import Domain

__all__ = [
    "Assignment",
    "FactorWitness",
    "OrderWitness",
    "SlopeWitness",
    "Witness",
    "assignments",
    "evaluate",
    "find_witness",
    "in_domain",
    "sample_points",
]

Assignment = tuple[tuple[str, sp.Rational], ...]
"""Exact values by name (an indexed constant is named like ``y[1]``)."""

MAX_ASSIGNMENTS = 4
MAX_POINTS = 10
_SUM_LENGTH = 2  # a symbolic number of terms n is given this value when it bounds a sum

_VARIABLE_GRID: dict[Domain, tuple[str, ...]] = {
    Domain.REAL: ("0", "1", "-1", "2", "1/2", "-2", "3", "-1/2"),
    Domain.POSITIVE: ("1", "2", "1/2", "3", "1/3", "4"),
    Domain.UNIT: ("1/2", "1/4", "3/4", "1/3", "2/3"),
    Domain.BINARY: ("0", "1"),
    Domain.COUNT: ("0", "1", "2", "3"),
    Domain.NATURAL: ("1", "2", "3", "4"),
}
_CONSTANT_GRID: dict[Domain, tuple[str, ...]] = {
    Domain.REAL: ("1/3", "-1/2", "5/2", "-3/2", "0"),
    Domain.POSITIVE: ("1/2", "2", "3/2", "1", "3"),
    Domain.UNIT: ("1/3", "3/4", "1/5", "1/2"),
    Domain.BINARY: ("1", "0"),
    Domain.COUNT: ("2", "0", "1", "3"),
    Domain.NATURAL: ("2", "3", "1"),
}
# values tried when a symbol's own assumptions refuse its grid (a negative symbol …)
_FALLBACK = ("-1", "-2", "-1/2", "1", "2", "0", "3", "-3")


def _show(assignment: Assignment) -> str:
    return ", ".join(f"{name} = {sp.sstr(value)}" for name, value in assignment)


@dataclass(frozen=True)
class OrderWitness:
    """``first`` (A or B) increases strictly from ``p1`` to ``p2``; the other stays equal
    (``other`` = 0) or decreases strictly (``other`` = −1)."""

    constants: Assignment
    p1: Assignment
    p2: Assignment
    a1: sp.Expr
    a2: sp.Expr
    b1: sp.Expr
    b2: sp.Expr
    first: str
    other: int

    kind = "order"

    def describe(self) -> str:
        one, two = ("A", "B") if self.first == "A" else ("B", "A")
        v1, v2 = (self.a1, self.a2) if self.first == "A" else (self.b1, self.b2)
        w1, w2 = (self.b1, self.b2) if self.first == "A" else (self.a1, self.a2)
        relation = "=" if self.other == 0 else ">"
        where = f" (with {_show(self.constants)})" if self.constants else ""
        return (
            f"at p1: {_show(self.p1)} and p2: {_show(self.p2)}{where}, "
            f"{one}(p1) = {sp.sstr(v1)} < {one}(p2) = {sp.sstr(v2)} but "
            f"{two}(p1) = {sp.sstr(w1)} {relation} {two}(p2) = {sp.sstr(w2)}"
        )


@dataclass(frozen=True)
class SlopeWitness:
    """(B(pᵢ) − B(p₀)) / (A(pᵢ) − A(p₀)) differs for i = 1, 2: no constant factor."""

    constants: Assignment
    p0: Assignment
    p1: Assignment
    p2: Assignment
    a: tuple[sp.Expr, sp.Expr, sp.Expr]
    b: tuple[sp.Expr, sp.Expr, sp.Expr]

    kind = "slope"

    @property
    def slopes(self) -> tuple[sp.Expr, sp.Expr]:
        a0, a1, a2 = self.a
        b0, b1, b2 = self.b
        return (b1 - b0) / (a1 - a0), (b2 - b0) / (a2 - a0)

    def describe(self) -> str:
        s1, s2 = self.slopes
        where = f" (with {_show(self.constants)})" if self.constants else ""
        return (
            f"at p0: {_show(self.p0)}, p1: {_show(self.p1)}, p2: {_show(self.p2)}{where}, "
            f"the change of B over the change of A is {sp.sstr(s1)} from p0 to p1 but "
            f"{sp.sstr(s2)} from p0 to p2"
        )


@dataclass(frozen=True)
class FactorWitness:
    """B = factor·A + constant is proved, factor ≤ 0, and A(p1) ≠ A(p2)."""

    factor: sp.Expr
    constant: sp.Expr
    constants: Assignment
    p1: Assignment
    p2: Assignment
    a1: sp.Expr
    a2: sp.Expr

    kind = "factor"

    def describe(self) -> str:
        where = f" (with {_show(self.constants)})" if self.constants else ""
        return (
            f"B = c·A + d with c = {sp.sstr(self.factor)} ≤ 0 and d = {sp.sstr(self.constant)}, "
            f"and A is not constant: A = {sp.sstr(self.a1)} at {_show(self.p1)}, "
            f"{sp.sstr(self.a2)} at {_show(self.p2)}{where}"
        )


Witness = OrderWitness | SlopeWitness | FactorWitness


def in_domain(domain: Domain, value: sp.Rational) -> bool:
    """Whether ``value`` lies in ``domain`` (the bounds assumptions cannot state: p < 1)."""
    if domain is Domain.UNIT:
        return bool(0 < value < 1)
    if domain is Domain.BINARY:
        return value in (0, 1)
    return True


def _values(symbol: sp.Symbol, domain: Domain, grid: dict[Domain, tuple[str, ...]]) -> list:
    values = [sp.Rational(v) for v in (*grid.get(domain, ()), *_FALLBACK)]
    seen: list[sp.Rational] = []
    for v in values:
        if v not in seen and admits(symbol, v) and in_domain(domain, v):
            seen.append(v)
    return seen


def assignments(problem: Problem) -> Iterator[dict[sp.Basic, sp.Rational]]:
    """Admissible exact values of the constants, at most :data:`MAX_ASSIGNMENTS` of them."""
    symbols = list(problem.constants)
    grids = [_values(s, problem.domain(s), _CONSTANT_GRID) for s in symbols]
    if any(not g for g in grids):
        return
    seen: list[dict[sp.Basic, sp.Rational]] = []
    for k in range(MAX_ASSIGNMENTS):
        values = {s: g[(k + j) % len(g)] for j, (s, g) in enumerate(zip(symbols, grids))}
        if values not in seen:
            seen.append(values)
            yield values


def sample_points(problem: Problem) -> list[dict[sp.Basic, sp.Rational]]:
    """Exact points of the variables' domains, at most :data:`MAX_POINTS`, simplest first."""
    grids = [_values(v, problem.domain(v), _VARIABLE_GRID) for v in problem.variables]
    if any(not g for g in grids):
        return []
    if len(grids) == 1:
        return [{problem.variables[0]: value} for value in grids[0][:MAX_POINTS]]
    width = max(2, round(MAX_POINTS ** (1 / len(grids)) + 0.5))
    combos = itertools.product(*(g[:width] for g in grids))
    return [dict(zip(problem.variables, combo)) for combo in itertools.islice(combos, MAX_POINTS)]


def _indexed_values(expr: sp.Expr, problem: Problem) -> dict[sp.Basic, sp.Rational]:
    out: dict[sp.Basic, sp.Rational] = {}
    for atom in sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key):
        grid = _values(atom.base.label, problem.domain(atom.base.label), _CONSTANT_GRID)
        index = atom.indices[0]
        if not grid or not index.is_Integer:
            continue
        out[atom] = grid[int(index) % len(grid)]
    return out


def evaluate(
    expr: sp.Expr, values: dict[sp.Basic, sp.Rational], problem: Problem
) -> tuple[sp.Expr, dict[sp.Basic, sp.Rational]]:
    """``expr`` at exact values; sums with numeric limits written out, their terms given
    exact values from their domain (the same values whatever the expression), returned
    with the value of ``expr`` so that a witness can state them."""
    at = expr.xreplace(values)
    chosen: dict[sp.Basic, sp.Rational] = {}
    if at.has(sp.Sum, sp.Product, sp.Indexed):
        at = at.doit()
        at = entries_as_symbols(at, {s.name: s for s in values if isinstance(s, sp.Symbol)})
        at = at.xreplace(values)
        chosen = _indexed_values(at, problem)
        at = at.xreplace(chosen)
    return at, chosen


def _named(values: dict[sp.Basic, sp.Rational]) -> Assignment:
    return tuple(sorted(((str(k), v) for k, v in values.items()), key=lambda kv: kv[0]))


@dataclass
class _Sample:
    point: dict[sp.Basic, sp.Rational]
    a: sp.Expr
    b: sp.Expr
    ia: Any
    ib: Any


def _samples(
    problem: Problem, constants: dict[sp.Basic, sp.Rational]
) -> tuple[list[_Sample], dict[sp.Basic, sp.Rational]]:
    out = []
    terms: dict[sp.Basic, sp.Rational] = {}
    for point in sample_points(problem):
        values = {**constants, **point}
        (a, chosen_a), (b, chosen_b) = (
            evaluate(e, values, problem) for e in (problem.a, problem.b)
        )
        terms.update(chosen_a)
        terms.update(chosen_b)
        ia, ib = enclose(a), enclose(b)
        if ia is None or ib is None:
            continue  # undefined here (or not a number this can evaluate)
        out.append(_Sample(point, a, b, ia, ib))
    return out, terms


def _difference_sign(x: sp.Expr, y: sp.Expr, ix: Any, iy: Any) -> int | None:
    """sign(y − x), certified."""
    quick = sign_of_interval(iy - ix)
    if quick is not None:
        return quick
    if x == y:
        return 0
    return certified_sign(y - x)


def _order(constants: Assignment, s: list[_Sample]) -> OrderWitness | None:
    for i, j in itertools.combinations(range(len(s)), 2):
        sa = _difference_sign(s[i].a, s[j].a, s[i].ia, s[j].ia)
        if sa is None:
            continue
        sb = _difference_sign(s[i].b, s[j].b, s[i].ib, s[j].ib)
        if sb is None or sa == sb:
            continue
        # pick the one that increases strictly, oriented from p1 to p2
        first, lead, other = ("A", sa, sb) if sa != 0 else ("B", sb, sa)
        one, two = (s[i], s[j]) if lead > 0 else (s[j], s[i])
        return OrderWitness(
            constants,
            _named(one.point),
            _named(two.point),
            one.a,
            two.a,
            one.b,
            two.b,
            first,
            other * lead,
        )
    return None


def _slope(constants: Assignment, s: list[_Sample]) -> SlopeWitness | None:
    for i, j, k in itertools.permutations(range(len(s)), 3):
        if j > k:
            continue
        da1, da2 = s[j].ia - s[i].ia, s[k].ia - s[i].ia
        if sign_of_interval(da1) is None or sign_of_interval(da2) is None:
            continue
        if sign_of_interval(s[k].ia - s[j].ia) is None:
            continue
        cross = (s[j].ib - s[i].ib) * da2 - (s[k].ib - s[i].ib) * da1
        if sign_of_interval(cross) is None:
            a = (s[i].a, s[j].a, s[k].a)
            b = (s[i].b, s[j].b, s[k].b)
            exact = (b[1] - b[0]) * (a[2] - a[0]) - (b[2] - b[0]) * (a[1] - a[0])
            if certified_sign(exact) in (None, 0):
                continue
        return SlopeWitness(
            constants,
            _named(s[i].point),
            _named(s[j].point),
            _named(s[k].point),
            (s[i].a, s[j].a, s[k].a),
            (s[i].b, s[j].b, s[k].b),
        )
    return None


def _varying(constants: Assignment, s: list[_Sample]) -> tuple[_Sample, _Sample] | None:
    for i, j in itertools.combinations(range(len(s)), 2):
        sign = _difference_sign(s[i].a, s[j].a, s[i].ia, s[j].ia)
        if sign not in (None, 0):
            return s[i], s[j]
    return None


def find_witness(problem: Problem, nonpositive: Any = None) -> Witness | None:
    """A certified witness that A ≢ B, or ``None``.

    ``nonpositive`` is a proved ``Affine`` whose factor is ≤ 0: then two points where A
    differs make a :class:`FactorWitness`.
    """
    for constants in assignments(problem):
        samples, terms = _samples(problem, constants)
        named = _named({**constants, **terms})
        if nonpositive is not None:
            pair = _varying(named, samples)
            if pair is not None:
                one, two = pair
                return FactorWitness(
                    nonpositive.factor,
                    nonpositive.constant,
                    named,
                    _named(one.point),
                    _named(two.point),
                    one.a,
                    two.a,
                )
        witness = _order(named, samples) or _slope(named, samples)
        if witness is not None:
            return witness
    return None
