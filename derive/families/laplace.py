"""Laplace noise: y = f + ε, ε ~ Laplace(0, b) with b > 0 fixed; MLE is minimum L1.

Density of one observation: (2b)^{−1} · exp(−|y − f| / b). With the identity
link the derived loss is |y − f|, ``torch.nn.L1Loss``; the constant dropped is
log(2b) per sample and the factor divided out is 1/b. The loss is not
differentiable at f = y (the analysis gives the subgradient there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from derive.family import Domain, Family, LinkSpec, Role, Var

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["FAMILY"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, f, b = v["y"], v["f"], v["b"]
    norm = sp.Pow(2 * b, -1, evaluate=False)
    return sp.Mul(norm, sp.exp(-sp.Abs(y - f) / b), evaluate=False)


FAMILY = Family(
    name="laplace",
    aliases=(),
    summary="y = f + ε, ε ~ Laplace(0, b), b > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("b", Role.FIXED, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", ("L1Loss",), "L1Loss"),),
    density=density,
)
