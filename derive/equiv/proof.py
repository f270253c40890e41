"""Proofs that B = c·A + d with c and d free of the variables.

Candidates for the factor c come from anywhere (they are guesses): the ratio of the
coefficients of the same variable-dependent term in the canonical forms of A and B,
the ratio ∂B/∂v ÷ ∂A/∂v of partial derivatives (cancelled, or taken at exact points
of the variables, which leaves an expression in the constants alone). A candidate is
*kept* only when one of these proofs holds, each sound on its own:

1. **canonical forms**: B − c·A brought to the canonical form of
   :func:`derive.algebra.canonical` is d plus terms that :func:`derive.algebra.proved_zero`
   proves to be 0, where d is the sum of the terms free of the variables — an identity;
2. **pieces**: |·|, max, min, sign and Huber rewritten as ``Piecewise`` and folded, every
   piece of B − c·A is (1) with the same d — the value is d whichever piece applies;
3. **gradients**: ∂(B − c·A)/∂v proved 0 for every variable v, where A and B are smooth
   on the whole domain of the variables (only +, ×, powers of positive bases, exp, log of
   positive arguments, σ, softplus) and that domain is a product of open intervals, so
   connected: then B − c·A is constant, d its value at a point of the domain.

Canonical forms expand logarithms of products and quotients, an identity only for
positive factors: every logarithm's argument must first be proved positive on the
domain (manifestly, from the assumptions and the facts such as 1 − p > 0), or no proof
is attempted. Then c is proved > 0 (or ≤ 0, which makes the pair different when A is
not constant) by manifest signs (:mod:`derive.convexity.signs`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.algebra import canonical, free_of, is_positive_on_support, proved_zero
from derive.convexity.signs import forms, nonpositive, positive_manifest
from derive.equiv.exact import enclose, sign_of_interval
from derive.equiv.names import Problem
from derive.family import Domain
from derive.functions import huber, sigmoid, softplus, to_core

__all__ = ["Affine", "find_affine", "log_arguments_positive", "positive", "smooth"]

MAX_CANDIDATES = 8
MAX_PIECES = 16
_CONNECTED = (Domain.REAL, Domain.POSITIVE, Domain.UNIT)
_NON_SMOOTH = (sp.Abs, sp.sign, sp.Max, sp.Min, sp.Heaviside, huber, sp.Piecewise)
_POINTS = (sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(3, 4), sp.Integer(2))


@dataclass(frozen=True)
class Affine:
    """B = factor·A + constant, proved; ``sign`` is 1 (factor proved > 0), −1 (proved ≤ 0)
    or 0 (not decided); ``how`` names the proof."""

    factor: sp.Expr
    constant: sp.Expr
    how: str
    sign: int


def positive(expr: sp.Expr, facts: tuple[sp.Expr, ...]) -> bool:
    """``expr`` > 0 on the domain, manifestly (in one of a few equivalent forms)."""
    if expr.is_positive or is_positive_on_support(expr, facts):
        return True
    return any(positive_manifest(form, facts) for form in forms(expr))


def _nonpositive(expr: sp.Expr, facts: tuple[sp.Expr, ...]) -> bool:
    if expr.is_nonpositive:
        return True
    return any(nonpositive(form, facts) for form in forms(expr))


def log_arguments_positive(expr: sp.Expr, facts: tuple[sp.Expr, ...]) -> sp.Expr | None:
    """The first logarithm whose argument is not proved positive, or ``None`` (all are)."""
    for node in sorted(to_core(expr).atoms(sp.log), key=sp.default_sort_key):
        if not positive(node.args[0], facts):
            return node  # type: ignore[no-any-return]
    return None


def smooth(expr: sp.Expr, facts: tuple[sp.Expr, ...]) -> bool:
    """Smooth wherever the variables may be: built from +, ×, whole powers, powers of
    positive bases, exp, σ, softplus and logs of positive arguments only."""
    if expr.is_Number or isinstance(expr, (sp.Symbol, sp.NumberSymbol)):
        return True
    if isinstance(expr, (sp.Add, sp.Mul)):
        return all(smooth(a, facts) for a in expr.args)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if not (smooth(base, facts) and smooth(exponent, facts)):
            return False
        if exponent.is_Integer and exponent.is_nonnegative:
            return True
        return positive(base, facts)
    if isinstance(expr, (sp.exp, sigmoid, softplus)):
        return smooth(expr.args[0], facts)
    if isinstance(expr, sp.log):
        return smooth(expr.args[0], facts) and positive(expr.args[0], facts)
    return False


def _split(expr: sp.Expr, variables: tuple[sp.Symbol, ...]) -> sp.Expr | None:
    """d when ``expr`` = d + (terms proved to be 0) with d free of the variables."""
    e = canonical(expr)
    free = [t for t in sp.Add.make_args(e) if free_of(t, variables)]
    constant = sp.Add(*free)
    rest = e - constant
    if rest == 0 or proved_zero(rest):
        return constant
    return None


def _rewrite_values(expr: sp.Basic) -> sp.Basic:
    """|·|, sign, max, min, Heaviside as ``Piecewise`` in values, not inside conditions."""
    if isinstance(expr, (sp.core.relational.Relational, sp.logic.boolalg.Boolean)):
        return expr
    if expr.args:
        expr = expr.func(*(_rewrite_values(a) for a in expr.args))
    if isinstance(expr, (sp.Abs, sp.sign, sp.Max, sp.Min, sp.Heaviside)):
        return expr.rewrite(sp.Piecewise)
    return expr


def _to_pieces(expr: sp.Expr) -> sp.Expr:
    return _rewrite_values(to_core(expr))  # type: ignore[return-value]


def _proposition(condition: sp.Basic, atoms: dict[tuple[sp.Expr, bool], sp.Symbol]) -> sp.Basic:
    """``condition`` as a formula over propositions "u > 0" / "u ≥ 0", with u and −u
    identified (u < 0 is ¬(u ≥ 0)); unsatisfiable formula ⇒ unsatisfiable condition."""
    if condition in (sp.true, sp.false):
        return condition
    if isinstance(condition, (sp.And, sp.Or, sp.Not)):
        return condition.func(*(_proposition(c, atoms) for c in condition.args))
    if isinstance(condition, sp.core.relational.Relational) and not isinstance(
        condition, (sp.Eq, sp.Ne)
    ):
        u = sp.expand(condition.lhs - condition.rhs)
        greater = isinstance(condition, (sp.StrictGreaterThan, sp.GreaterThan))
        strict = isinstance(condition, (sp.StrictGreaterThan, sp.StrictLessThan))
        if u.could_extract_minus_sign():
            u, greater = -u, not greater
        if greater:  # u > 0 or u ≥ 0
            return atoms.setdefault((u, strict), sp.Dummy())
        # u < 0 is ¬(u ≥ 0); u ≤ 0 is ¬(u > 0)
        return sp.Not(atoms.setdefault((u, not strict), sp.Dummy()))
    return atoms.setdefault((condition, True), sp.Dummy())  # type: ignore[arg-type]


def _reachable(pieces: tuple[tuple[sp.Expr, sp.Basic], ...]) -> list[sp.Expr]:
    """The values of the pieces whose condition can hold when no earlier one does."""
    from sympy.logic.inference import satisfiable

    atoms: dict[tuple[sp.Expr, bool], sp.Symbol] = {}
    earlier: list[sp.Basic] = []
    out = []
    for value, condition in pieces:
        formula = sp.And(_proposition(condition, atoms), *(sp.Not(c) for c in earlier))
        if satisfiable(formula) is not False:
            out.append(value)
        earlier.append(_proposition(condition, atoms))
    return out


def _by_pieces(expr: sp.Expr, variables: tuple[sp.Symbol, ...]) -> sp.Expr | None:
    if not expr.has(*_NON_SMOOTH):
        return None
    folded = sp.piecewise_fold(_to_pieces(expr))
    if not isinstance(folded, sp.Piecewise) or len(folded.args) > MAX_PIECES:
        return None
    constants = []
    for piece in _reachable(folded.args):
        if piece.has(sp.Piecewise):
            return None
        constant = _split(piece, variables)
        if constant is None:
            return None
        constants.append(constant)
    if not constants:
        return None
    first = constants[0]
    if all(c == first or proved_zero(c - first) for c in constants[1:]):
        return first
    return None


def _reference(problem: Problem) -> dict[sp.Symbol, sp.Rational]:
    point = {}
    for v in problem.variables:
        p, q = problem.domain(v).reference
        point[v] = sp.Rational(p, q)
    return point


def _by_gradients(problem: Problem, factor: sp.Expr) -> sp.Expr | None:
    facts = problem.positive_facts
    if any(problem.domain(v) not in _CONNECTED for v in problem.variables):
        return None
    a, b = to_core(problem.a), to_core(problem.b)
    if a.has(sp.Sum, sp.Indexed) or b.has(sp.Sum, sp.Indexed):
        return None
    if not (smooth(a, facts) and smooth(b, facts)):
        return None
    for v in problem.variables:
        if not proved_zero(sp.diff(b, v) - factor * sp.diff(a, v)):
            return None
    value = (b - factor * a).xreplace(_reference(problem))
    return canonical(value)


def _tidy(expr: sp.Expr) -> sp.Expr:
    try:
        return sp.factor(sp.cancel(sp.together(expr)))  # type: ignore[no-any-return]
    except (sp.PolynomialError, TypeError, ValueError, NotImplementedError):
        return expr


def _terms(expr: sp.Expr, variables: tuple[sp.Symbol, ...]) -> dict[sp.Expr, sp.Expr]:
    """Canonical form as {variable-dependent part: coefficient}."""
    out: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(canonical(expr)):
        coefficient, part = term.as_independent(*variables, as_Add=False)
        if part != 1:
            out[part] = out.get(part, sp.S.Zero) + coefficient
    return out


def _candidates(problem: Problem) -> Iterator[sp.Expr]:
    a, b, variables = problem.a, problem.b, problem.variables
    a_terms, b_terms = _terms(a, variables), _terms(b, variables)
    for part in sorted(a_terms, key=sp.default_sort_key):
        if part in b_terms and a_terms[part] != 0:
            yield _tidy(b_terms[part] / a_terms[part])
    constant_a = True
    for v in variables:
        da, db = sp.diff(to_core(a), v), sp.diff(to_core(b), v)
        if da == 0 or canonical(da) == 0:
            continue
        constant_a = False
        ratio = db / da
        if free_of(ratio, variables):
            yield _tidy(ratio)
        if ratio.has(*_NON_SMOOTH):
            folded = sp.piecewise_fold(_to_pieces(ratio))
            pieces = folded.args if isinstance(folded, sp.Piecewise) else ()
            for piece, _ in pieces[:MAX_PIECES]:
                if free_of(piece, variables) and not piece.has(sp.Piecewise):
                    yield _tidy(piece)
        for value in _POINTS:
            point = {w: value for w in variables}
            at = ratio.xreplace(point)
            if at.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not free_of(at, variables):
                continue
            yield _tidy(at)
    if constant_a:
        yield sp.Integer(1)


def _refuted(problem: Problem, factor: sp.Expr) -> bool:
    """A quick screen before any proof: the factor is not a real number at any of a few
    admissible values of the constants, or B − c·A takes two certainly different values
    at exact points (so c is not the factor). It only ever rejects a candidate."""
    from derive.equiv.witness import assignments, evaluate, sample_points

    rest = problem.b - factor * problem.a
    real_somewhere = False
    for constants in itertools.islice(assignments(problem), 3):
        if enclose(factor.xreplace(constants)) is None:
            continue
        real_somewhere = True
        seen: list[Any] = []
        for point in sample_points(problem)[:4]:
            value = enclose(evaluate(rest, {**constants, **point}, problem)[0])
            if value is None:
                continue
            if any(sign_of_interval(value - other) is not None for other in seen):
                return True
            seen.append(value)
    return not real_somewhere


def find_affine(problem: Problem) -> tuple[Affine | None, str]:
    """A proved B = c·A + d (c, d free of the variables), or ``None`` and why not."""
    facts = problem.positive_facts
    for expr in (problem.a, problem.b):
        bad = log_arguments_positive(expr, facts)
        if bad is not None:
            return None, (
                f"the argument of {sp.sstr(bad)} is not proved positive "
                "(declare its symbols with positive=…)"
            )
    tried: list[sp.Expr] = []
    for candidate in _candidates(problem):
        if len(tried) >= MAX_CANDIDATES:
            break
        if candidate in tried or candidate == 0 or candidate.has(sp.nan, sp.zoo, sp.I):
            continue
        if not free_of(candidate, problem.variables):
            continue
        tried.append(candidate)
        if _refuted(problem, candidate):
            continue
        rest = problem.b - candidate * problem.a
        for how, prove in (
            ("canonical forms", lambda r: _split(r, problem.variables)),
            ("piecewise", lambda r: _by_pieces(r, problem.variables)),
            ("gradients", lambda r, c=candidate: _by_gradients(problem, c)),
        ):
            constant = prove(rest)
            if constant is None:
                continue
            sign = 1 if positive(candidate, facts) else -1 if _nonpositive(candidate, facts) else 0
            return Affine(candidate, _tidy_constant(constant), how, sign), ""
    if not tried:
        return None, f"no candidate factor free of {problem.wrt_text} was found"
    return None, (
        f"no factor free of {problem.wrt_text} makes B − c·A free of them "
        f"(tried {len(tried)} candidate{'s' if len(tried) > 1 else ''})"
    )


def _tidy_constant(expr: sp.Expr) -> sp.Expr:
    if expr.has(sp.Sum, sp.Indexed):
        return expr
    tidy = _tidy(expr)
    return tidy if sp.count_ops(tidy) < sp.count_ops(expr) else expr
