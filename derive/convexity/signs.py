"""Manifest signs: sufficient tests that an expression is ≥ 0 or > 0 on the domain.

``facts`` are expressions known to be ≥ 0 there that assumptions cannot state
(``1 − y`` for y ∈ {0, 1}, ``1 − p`` for a probability).
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from derive.functions import sigmoid, softplus, to_core

__all__ = ["forms", "nonnegative", "nonpositive", "positive_manifest"]


def _one_minus_sigmoid(e: sp.Add) -> bool:
    sig = list(e.atoms(sigmoid))
    return len(sig) == 1 and sp.expand(e - (1 - sig[0])) == 0


def nonnegative(expr: sp.Expr, facts: Iterable[sp.Expr] = (), polynomial: bool = True) -> bool:
    """A sufficient, manifest test that ``expr`` ≥ 0 on the domain (``polynomial``: also
    decide a small polynomial in one symbol by root isolation)."""
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
        if isinstance(e, (sp.exp, sigmoid, softplus, sp.cosh)):
            return bool(e.args[0].is_extended_real)
        if isinstance(e, sp.Abs):
            return True
        if isinstance(e, sp.Max):
            return any(nn(a) for a in e.args)
        if isinstance(e, sp.Min):
            return all(nn(a) for a in e.args)
        if isinstance(e, sp.Piecewise):
            return all(nn(piece) for piece, _ in e.args)
        if isinstance(e, sp.Add):
            if _one_minus_sigmoid(e):
                return True
            return all(nn(a) for a in e.args) or _bounded_below(e, known)
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
                if not exponent.is_negative or base.is_nonzero:
                    return True
                return positive_manifest(base, known) or positive_manifest(-base, known)
            return (
                nn(base)
                and bool(exponent.is_extended_real)
                and (not exponent.is_negative or positive_manifest(base, known))
            )
        return False

    return nn(expr) or (polynomial and _polynomial_nonnegative(expr, known))


def _polynomial_nonnegative(expr: sp.Expr, known: set[sp.Expr]) -> bool:
    """A polynomial in one real symbol with no negative value on the symbol's interval (its
    assumptions), decided exactly by SymPy's real-root isolation."""
    symbols = expr.free_symbols
    if len(symbols) != 1 or sp.count_ops(expr) > 40 or not expr.is_polynomial():
        return False
    (s,) = symbols
    if _degree(expr, s) > 8:  # bounded before anything is expanded
        return False
    if not s.is_extended_real:
        return False
    try:
        poly = sp.Poly(expr, s)
    except sp.PolynomialError:
        return False
    if poly.degree() > 8 or not all(c.is_Rational for c in poly.coeffs()):
        return False
    interval = (
        sp.Interval.open(0, sp.oo)
        if s.is_positive
        else sp.Interval(0, sp.oo)
        if s.is_nonnegative
        else sp.S.Reals
    )
    try:
        negative = sp.solve_univariate_inequality(expr < 0, s, relational=False, domain=interval)
    except (NotImplementedError, ValueError, TypeError):
        return False
    return negative is sp.S.EmptySet


def _degree(expr: sp.Expr, s: sp.Basic) -> int:
    """An upper bound on the degree in ``s`` of a polynomial expression, without expanding."""
    if expr == s:
        return 1
    if not expr.has(s):
        return 0
    if isinstance(expr, sp.Add):
        return max(_degree(a, s) for a in expr.args)
    if isinstance(expr, sp.Mul):
        return sum(_degree(a, s) for a in expr.args)
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp >= 0:
        return _degree(expr.base, s) * int(expr.exp)
    return 10**6


def _bounded_below(e: sp.Add, known: set[sp.Expr]) -> bool:
    """A sum whose terms have rational lower bounds adding up to ≥ 0: a constant, c·sin,
    c·cos, c·tanh, c·σ (bounded by |c|) and manifestly non-negative terms (bounded by 0)."""
    total = sp.S.Zero
    for term in e.args:
        coeff, rest = term.as_coeff_Mul()
        if rest == 1:
            total += coeff
        elif isinstance(rest, (sp.sin, sp.cos, sp.tanh)) and rest.args[0].is_extended_real:
            total -= abs(coeff)
        elif isinstance(rest, sigmoid) and rest.args[0].is_extended_real:
            total += min(coeff, 0)
        elif nonnegative(term, known, polynomial=False):
            continue
        else:
            return False
    return bool(total >= 0)


def nonpositive(expr: sp.Expr, facts: Iterable[sp.Expr] = ()) -> bool:
    return nonnegative(-expr, facts)


def positive_manifest(expr: sp.Expr, known: Iterable[sp.Expr] = ()) -> bool:
    """``expr`` > 0 manifestly (used for denominators and the arguments of logs)."""
    known_set = set(known)
    if expr.is_positive or expr in known_set:
        return True
    if expr.is_Number:
        return bool(expr > 0)
    if isinstance(expr, (sp.exp, sigmoid, softplus, sp.cosh)):
        return bool(expr.args[0].is_extended_real)
    if isinstance(expr, sp.Add):
        if _one_minus_sigmoid(expr):
            return True
        return all(nonnegative(a, known_set) for a in expr.args) and any(
            positive_manifest(a, known_set) for a in expr.args
        )
    if isinstance(expr, sp.Mul):
        return all(positive_manifest(a, known_set) for a in expr.args)
    if isinstance(expr, sp.Pow):
        if expr.exp.is_integer and expr.exp.is_even and bool(expr.base.is_extended_real):
            return bool(expr.base.is_nonzero)
        return positive_manifest(expr.base, known_set) and bool(expr.exp.is_extended_real)
    if isinstance(expr, sp.Max):
        return any(positive_manifest(a, known_set) for a in expr.args)
    if isinstance(expr, sp.Min):
        return all(positive_manifest(a, known_set) for a in expr.args)
    return False


def forms(expr: sp.Expr) -> list[sp.Expr]:
    """Equivalent forms of a curvature to look for a manifest sign in."""
    out = [expr]
    for rewrite in (sp.factor, sp.together, lambda e: sp.factor(sp.together(e)), sp.cancel):
        try:
            out.append(rewrite(expr))
        except (sp.PolynomialError, TypeError, ValueError, NotImplementedError):
            continue
    core = sp.powsimp(to_core(expr))
    out.append(core)
    try:
        out.append(sp.factor(sp.together(core)))
    except (sp.PolynomialError, TypeError, ValueError, NotImplementedError):
        pass
    return out
