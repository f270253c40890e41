"""Student-t noise: y = f + ε, ε ~ t_ν(0, s) with ν > 0 degrees of freedom and scale s > 0.

Density of one observation:

    Γ((ν + 1)/2) / (Γ(ν/2)·√(νπ)·s) · (1 + (y − f)²/(ν s²))^{−(ν + 1)/2}.

With the identity link the derived loss is log(1 + (y − f)²/(ν s²)); the constant
dropped is −log(Γ((ν + 1)/2)/(Γ(ν/2)·√(νπ)·s)) per sample and the factor divided
out is (ν + 1)/2. No library loss is this (``torch.distributions.StudentT`` has
the density). The loss is robust — its gradient is bounded, and vanishes for large
residuals — and not convex in f: its curvature is negative exactly where
|y − f| > s·√ν (the analysis solves the sign of the curvature in the residual).
``--nu`` and ``--scale`` set ν and s to numbers; unset they stay symbols.
ν = 1 is the Cauchy family; ν → ∞ gives the Gaussian.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from derive.families._location import scale
from derive.families._special import gamma
from derive.family import Domain, Family, LinkSpec, Option, Role, Var

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["FAMILY"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, f, nu, s = v["y"], v["f"], v["nu"], v["s"]
    norm = gamma((nu + 1) / 2) / (gamma(nu / 2) * sp.sqrt(nu * sp.pi) * s)
    kernel = sp.Pow(1 + (y - f) ** 2 / (nu * s**2), -(nu + 1) / 2, evaluate=False)
    return sp.Mul(norm, kernel, evaluate=False)


FAMILY = Family(
    name="student-t",
    aliases=("student",),
    summary="y = f + ε, ε ~ Student-t(ν) with scale s; ν > 0 and s > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("nu", Role.FIXED, Domain.POSITIVE),
        Var("s", Role.FIXED, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", (), "— (no library loss; not convex)"),),
    density=density,
    options=(
        Option(
            "nu",
            "--nu",
            "student-t: the degrees of freedom, a number > 0 (e.g. 3); default symbolic ν",
            metavar="NU",
            figure="3",
            binds="nu",
        ),
        scale("s"),
    ),
)
