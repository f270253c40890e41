"""Gaussian noise: y = f + ε, ε ~ N(0, σ²) with σ > 0 fixed; MLE is minimum MSE.

Density of one observation: (2πσ²)^{−1/2} · exp(−(y − f)² / (2σ²)). With the
identity link the derived loss is (y − f)², ``torch.nn.MSELoss``; the constant
dropped is ½ log(2πσ²) per sample and the factor divided out is 1/(2σ²).
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

    y, f, sigma = v["y"], v["f"], v["sigma"]
    norm = sp.Pow(2 * sp.pi * sigma**2, sp.Rational(-1, 2), evaluate=False)
    kernel = sp.exp(-((y - f) ** 2) / (2 * sigma**2))
    return sp.Mul(norm, kernel, evaluate=False)


FAMILY = Family(
    name="gaussian",
    aliases=("normal",),
    summary="y = f + ε, ε ~ N(0, σ²), σ > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("sigma", Role.FIXED, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", ("MSELoss",), "MSELoss"),),
    density=density,
)
