"""Hessians decided exactly: LDLᵀ for a constant Hessian, principal minors otherwise.

A constant symmetric H is positive semidefinite exactly when symmetric
elimination finds every pivot ≥ 0 and never a zero pivot with a non-zero
row; then H = L·D·Lᵀ is the certificate. Otherwise the elimination yields a
rational direction v with vᵀHv < 0, checked on H itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import sympy as sp

from derive.convexity.signs import forms, nonnegative, positive_manifest

__all__ = ["ldl", "manifest_minors"]

MAX_OPS = 60  # larger entries are not worth factoring: their minors are left undecided


def _sign(value: sp.Expr, facts: tuple[sp.Expr, ...]) -> int | None:
    """+1 (≥ 0 and ≠ 0 unknown is fine), 0, −1, or None when undecided."""
    value = sp.cancel(sp.together(value))
    if value == 0:
        return 0
    if value.is_negative:
        return -1
    if any(nonnegative(f, facts) for f in forms(value)):
        return 1
    return None


def ldl(
    hessian: sp.Matrix, facts: Iterable[sp.Expr] = ()
) -> tuple[str, sp.Matrix, tuple[sp.Expr, ...], tuple[sp.Expr, ...]] | None:
    """``("psd", L, D, ())`` with H = L·diag(D)·Lᵀ and D ≥ 0, or ``("indefinite", L, D, v)``
    with vᵀHv < 0 (exact), or ``None`` when a pivot's sign cannot be decided."""
    fact_tuple = tuple(facts)
    size = hessian.rows
    work = sp.Matrix(hessian)
    lower = sp.eye(size)
    pivots: list[sp.Expr] = []
    for k in range(size):
        pivot = sp.cancel(work[k, k])
        sign = _sign(pivot, fact_tuple)
        if sign is None:
            return None
        if sign < 0:
            return "indefinite", lower, tuple(pivots), _direction(hessian, lower, k)
        if sign == 0:
            column = [sp.cancel(work[r, k]) for r in range(k + 1, size)]
            nonzero = [r for r, c in zip(range(k + 1, size), column, strict=True) if c != 0]
            if not nonzero:
                pivots.append(sp.S.Zero)
                continue
            if any(not (c.is_number) for c in column):
                return None
            return (
                "indefinite",
                lower,
                tuple(pivots),
                _zero_pivot(hessian, lower, work, k, nonzero[0]),
            )
        below = [r for r in range(k + 1, size) if sp.cancel(work[r, k]) != 0]
        if below and not (pivot.is_positive or positive_manifest(pivot, fact_tuple)):
            return None  # a pivot that may be zero cannot be divided by
        pivots.append(pivot)
        for r in range(k + 1, size):
            factor = sp.cancel(work[r, k] / pivot)
            lower[r, k] = factor
            for c in range(k + 1, size):
                work[r, c] = sp.cancel(work[r, c] - factor * work[k, c])
    return "psd", lower, tuple(pivots), ()


def _solve_upper(lower: sp.Matrix, rhs: sp.Matrix) -> sp.Matrix:
    """v with Lᵀ v = rhs (L unit lower-triangular)."""
    return lower.T.LUsolve(rhs)


def _direction(hessian: sp.Matrix, lower: sp.Matrix, k: int) -> tuple[sp.Expr, ...]:
    e = sp.zeros(hessian.rows, 1)
    e[k] = 1
    v = _solve_upper(lower, e)
    return _checked(hessian, v)


def _zero_pivot(
    hessian: sp.Matrix, lower: sp.Matrix, work: sp.Matrix, k: int, r: int
) -> tuple[sp.Expr, ...]:
    """A zero pivot with a non-zero entry b below it. With u = t·e_k + e_r and v = L⁻ᵀu,
    vᵀHv = 2tb + c (c the Schur complement's diagonal entry at r): t = −(c + 1)/(2b)
    gives −1."""
    b, c = work[r, k], work[r, r]
    u = sp.zeros(hessian.rows, 1)
    u[k], u[r] = -(c + 1) / (2 * b), 1
    return _checked(hessian, _solve_upper(lower, u))


def _checked(hessian: sp.Matrix, v: sp.Matrix) -> tuple[sp.Expr, ...]:
    """The direction with integer entries when they are rational (the same ray)."""
    denominators = [sp.fraction(sp.together(c))[1] for c in v]
    integers = [d for d in denominators if d.is_Integer]
    if len(integers) == len(denominators) and integers:
        v = v * sp.ilcm(*integers) if len(integers) > 1 else v * integers[0]
    return tuple(sp.cancel(c) for c in v)


def manifest_minors(
    hessian: sp.Matrix, facts: Iterable[sp.Expr] = ()
) -> tuple[sp.Expr, ...] | None:
    """Every principal minor of ``hessian`` in a manifestly non-negative form (a PSD
    certificate, by the principal-minor criterion), or ``None``."""
    fact_tuple = tuple(facts)
    size = hessian.rows
    if size > 3 or any(sp.count_ops(entry) > MAX_OPS for entry in hessian):
        return None
    shown: list[sp.Expr] = []
    for order in range(1, size + 1):
        for rows in itertools.combinations(range(size), order):
            minor = hessian.extract(list(rows), list(rows)).det(method="berkowitz")
            if sp.count_ops(minor) > 4 * MAX_OPS:
                return None
            found = next((f for f in forms(minor) if nonnegative(f, fact_tuple)), None)
            if found is None:
                return None
            shown.append(found)
    return tuple(shown)
