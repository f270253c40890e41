"""Logistic noise: y = f + ε, ε ~ Logistic(0, s) with scale s > 0 fixed.

Density of one observation, with r = y − f:

    e^{−r/s} / (s·(1 + e^{−r/s})²)  =  σ(r/s)·(1 − σ(r/s)) / s.

With the identity link the derived loss is r/s + 2·softplus(−r/s), which is
2·log cosh(r/(2s)) + 2·log 2 (the log-cosh loss, up to the constant); the
constant dropped is log s per sample and no factor is divided out. Convex in f
(softplus of an affine map); quadratic near r = 0 and linear, with slope 1/s, in
the tails. No library loss is this, and ``torch.distributions`` has no logistic
distribution: the tests compare with a sigmoid-transformed uniform. ``--scale``
sets s to a number; unset it stays a symbol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from derive.families._location import scale
from derive.family import Domain, Family, LinkSpec, Role, Var

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["FAMILY"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, f, s = v["y"], v["f"], v["s"]
    tail = sp.exp(-(y - f) / s)
    return sp.Mul(tail, sp.Pow(s * (1 + tail) ** 2, -1, evaluate=False), evaluate=False)


FAMILY = Family(
    name="logistic",
    aliases=(),
    summary="y = f + ε, ε ~ Logistic(0, s), s > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("s", Role.FIXED, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", (), "— (no library loss; log-cosh, convex)"),),
    density=density,
    options=(scale("s"),),
)
