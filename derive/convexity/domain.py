"""Where a function is defined: a verdict is over the whole domain, so a denominator
that may vanish, a logarithm or root of something that may be negative, or a
non-finite constant anywhere inside the domain forbids a ``convex`` verdict."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derive.convexity.signs import nonnegative, positive_manifest
from derive.convexity.verdict import Undefined
from derive.functions import huber, sigmoid, softplus

__all__ = ["TOTAL", "undefined"]

# Functions defined, finite and real for every real argument.
TOTAL: tuple[type, ...] = (
    sp.exp,
    sp.sin,
    sp.cos,
    sp.sinh,
    sp.cosh,
    sp.tanh,
    sp.atan,
    sp.Abs,
    sp.Max,
    sp.Min,
    sp.sign,
    sp.floor,
    sp.ceiling,
    sp.frac,
    sp.Heaviside,
    sp.erf,
    sp.Piecewise,
    sigmoid,
    softplus,
    huber,
    sp.KroneckerDelta,
)
# Functions defined, finite and real for every positive argument.
ON_POSITIVE: tuple[type[sp.Function], ...] = (
    sp.log,
    sp.gamma,
    sp.loggamma,
    sp.polygamma,
    sp.digamma,
)


def _nonzero(base: sp.Expr, facts: tuple[sp.Expr, ...]) -> bool:
    return (
        bool(base.is_nonzero)
        or positive_manifest(base, facts)
        or positive_manifest(sp.expand(-base), facts)
    )


def undefined(
    expr: sp.Expr, wrt: Sequence[sp.Basic], facts: tuple[sp.Expr, ...]
) -> Undefined | None:
    """The first place ``expr`` may be undefined, infinite or non-real on the domain."""
    if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return Undefined(expr, "not finite")
    if expr.has(sp.I):
        return Undefined(expr, "non-real")
    for node in sp.postorder_traversal(expr):  # innermost first: x before 1 + x⁻²
        if not node.has(*wrt):
            # a term free of the variables is a constant of the problem: parameter values
            # where it is undefined (p log p at p = 0, read as 0) are not in the domain
            continue
        if not node.free_symbols:
            if node.is_number and node.is_finite is False:
                return Undefined(node, "not finite")
            continue
        if isinstance(node, sp.Pow):
            base, exponent = node.args
            if exponent.is_integer:
                if exponent.is_negative and not _nonzero(base, facts):
                    return Undefined(base, "denominator")
                if exponent.is_nonnegative or exponent.is_negative:
                    continue
                if not positive_manifest(base, facts):  # an integer exponent of unknown sign
                    return Undefined(base, "denominator")
                continue
            if not exponent.is_extended_real:
                return Undefined(base, "root")
            if exponent.is_positive and nonnegative(base, facts):
                continue
            if positive_manifest(base, facts):
                continue
            return Undefined(base, "root")
        elif isinstance(node, ON_POSITIVE):
            argument: sp.Expr = node.args[-1]  # type: ignore[attr-defined]
            if not positive_manifest(argument, facts):
                return Undefined(argument, "logarithm" if isinstance(node, sp.log) else "root")
        elif isinstance(node, sp.Function) and not isinstance(node, TOTAL):
            return Undefined(node, "unsupported")
    return None
