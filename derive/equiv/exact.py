"""Signs of exact numbers, certified: rational arithmetic, or interval arithmetic with
outward rounding (``mpmath.iv``), never a float comparison.

:func:`enclose` evaluates a closed SymPy number (rationals, π, e, +, ×, powers, exp,
log, |·|, σ, softplus, tanh …) to an interval that contains its value; it returns
``None`` when it cannot (an unknown function, a log of a non-positive number, a
division by an interval containing 0, an infinite bound), which callers read as
"undefined here or not decided". :func:`certified_sign` is −1, 0 or 1 when the sign
is certain: from the interval when it excludes 0, as 0 only when the number is
proved to be 0 (:func:`derive.algebra.proved_zero`), else ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sympy as sp
from mpmath import iv

from derive.algebra import proved_zero
from derive.functions import to_core

__all__ = ["PRECISIONS", "admits", "certified_sign", "enclose", "precision", "sign_of_interval"]

PRECISIONS = (80, 320, 1280)
"""Working precisions (bits) tried in turn before a sign is left undecided."""
_MAX_POWER = 10_000  # integer exponents beyond this are not expanded


@contextmanager
def precision(bits: int) -> Iterator[None]:
    """``mpmath.iv`` at ``bits`` bits inside the block (its precision is global state)."""
    old = iv.prec
    iv.prec = bits
    try:
        yield
    finally:
        iv.prec = old


def _finite(x: Any) -> bool:
    return bool(-iv.inf < x.a and x.b < iv.inf)


def _positive(x: Any) -> bool:
    return bool(x.a > 0)


def _exp(x: Any) -> Any:
    if x.b > 10**6:
        return None
    return iv.exp(x)


def _log(x: Any) -> Any:
    return iv.log(x) if _positive(x) else None


def _tanh(x: Any) -> Any:
    # tanh x = 1 − 2/(e^{2x} + 1): one occurrence of x, so no widening by dependence
    big = _exp(2 * x)
    return None if big is None else 1 - 2 / (big + 1)


def _sigmoid(x: Any) -> Any:
    big = _exp(-x)
    return None if big is None else 1 / (1 + big)


def _softplus(x: Any) -> Any:
    big = _exp(x)
    return None if big is None else iv.log(1 + big)


_UNARY: dict[Any, Callable[[Any], Any]] = {
    sp.exp: _exp,
    sp.log: _log,
    sp.Abs: abs,
    sp.tanh: _tanh,
}


def _enclose(expr: sp.Basic) -> Any:
    from derive.functions import sigmoid, softplus

    if isinstance(expr, sp.Integer):
        return iv.mpf(int(expr))
    if isinstance(expr, sp.Rational):
        return iv.mpf(int(expr.p)) / iv.mpf(int(expr.q))
    if expr is sp.pi:
        return iv.pi
    if expr is sp.E:
        return iv.e
    if isinstance(expr, sp.Add):
        total = iv.mpf(0)
        for arg in expr.args:
            part = _enclose(arg)
            if part is None:
                return None
            total = total + part
        return total
    if isinstance(expr, sp.Mul):
        product = iv.mpf(1)
        for arg in expr.args:
            part = _enclose(arg)
            if part is None:
                return None
            product = product * part
        return product
    if isinstance(expr, sp.Pow):
        return _power(expr)
    if isinstance(expr, sigmoid):
        inner = _enclose(expr.args[0])
        return None if inner is None else _sigmoid(inner)
    if isinstance(expr, softplus):
        inner = _enclose(expr.args[0])
        return None if inner is None else _softplus(inner)
    for kind, fn in _UNARY.items():
        if isinstance(expr, kind) and len(expr.args) == 1:
            inner = _enclose(expr.args[0])
            return None if inner is None else fn(inner)
    if isinstance(expr, sp.Piecewise):
        return _piecewise(expr)
    if isinstance(expr, (sp.Max, sp.Min)):
        parts = [_enclose(a) for a in expr.args]
        if any(p is None for p in parts):
            return None
        low = max(p.a for p in parts) if isinstance(expr, sp.Max) else min(p.a for p in parts)
        high = max(p.b for p in parts) if isinstance(expr, sp.Max) else min(p.b for p in parts)
        return iv.mpf([low, high])
    return None


_RELATIONS: dict[Any, Callable[[int], bool]] = {
    sp.StrictLessThan: lambda s: s < 0,
    sp.LessThan: lambda s: s <= 0,
    sp.StrictGreaterThan: lambda s: s > 0,
    sp.GreaterThan: lambda s: s >= 0,
}


def _truth(condition: sp.Basic) -> bool | None:
    """The truth of a closed condition, certified (``None``: not decided)."""
    if condition in (sp.true, sp.false):
        return bool(condition)
    if isinstance(condition, (sp.And, sp.Or)):
        values = [_truth(c) for c in condition.args]
        if isinstance(condition, sp.And):
            return False if False in values else None if None in values else True
        return True if True in values else None if None in values else False
    for kind, holds in _RELATIONS.items():
        if isinstance(condition, kind):
            sign = certified_sign(condition.lhs - condition.rhs)
            return None if sign is None else holds(sign)
    return None


def _piecewise(expr: sp.Piecewise) -> Any:
    for piece, condition in expr.args:
        truth = _truth(condition)
        if truth is None:
            return None
        if truth:
            return _enclose(piece)
    return None


def _power(expr: sp.Pow) -> Any:
    base, exponent = expr.args
    inner = _enclose(base)
    if inner is None:
        return None
    if exponent.is_Integer:
        n = int(exponent)
        if abs(n) > _MAX_POWER:
            return None
        if n < 0 and not (inner.a > 0 or inner.b < 0):
            return None  # a division by an interval containing 0
        return inner**n
    power = _enclose(exponent)
    if power is None or not _positive(inner):
        return None  # a real power of a number not known to be positive
    return _exp(power * iv.log(inner))


def enclose(expr: sp.Basic, bits: int = PRECISIONS[0]) -> Any:
    """An interval (``mpmath.iv.mpf``) containing the value of the closed number ``expr``,
    or ``None`` (undefined here, not real, not finite, or not a number this evaluates)."""
    if expr.free_symbols:
        return None
    with precision(bits):
        try:
            result = _enclose(to_core(expr))
        except (ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
            return None
        if result is None or not _finite(result):
            return None
        return result


def sign_of_interval(x: Any) -> int | None:
    """1 or −1 when the interval excludes 0, else ``None``."""
    if x is None:
        return None
    if x.a > 0:
        return 1
    if x.b < 0:
        return -1
    return None


def certified_sign(expr: sp.Basic) -> int | None:
    """The sign of the closed number ``expr`` (−1, 0, 1), certified, or ``None``."""
    expr = sp.Integer(expr) if isinstance(expr, int) else expr
    if expr.free_symbols:
        return None
    if expr.is_Rational:
        return int(sp.sign(expr))
    for bits in PRECISIONS:
        value = enclose(expr, bits)
        if value is None:
            break
        sign = sign_of_interval(value)
        if sign is not None:
            return sign
    if expr == 0 or proved_zero(expr):
        return 0
    return None


def admits(symbol: sp.Symbol, value: sp.Rational) -> bool:
    """Whether ``value`` satisfies every assumption ``symbol`` carries (positive, integer …)."""
    for key, wanted in symbol.assumptions0.items():
        if wanted is None or key == "commutative":
            continue
        actual = getattr(value, f"is_{key}", None)
        if actual is None or bool(actual) != bool(wanted):
            return False
    return True
