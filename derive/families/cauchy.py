"""Cauchy noise: y = f + ε, ε ~ Cauchy(0, γ) with scale γ > 0 fixed.

Density of one observation: 1 / (πγ·(1 + ((y − f)/γ)²)). With the identity link
the derived loss is log(1 + ((y − f)/γ)²) (the Cauchy or Lorentzian loss); the
constant dropped is log(πγ) per sample and no factor is divided out. No library
loss is this (``torch.distributions.Cauchy`` has the density). Not convex in f:
the curvature is negative exactly where |y − f| > γ. ``--scale`` sets γ to a
number; unset it stays a symbol. It is the Student-t family with ν = 1 and s = γ.
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

    y, f, gamma = v["y"], v["f"], v["gamma"]
    return sp.Pow(sp.pi * gamma * (1 + ((y - f) / gamma) ** 2), -1, evaluate=False)


FAMILY = Family(
    name="cauchy",
    aliases=(),
    summary="y = f + ε, ε ~ Cauchy(0, γ), γ > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("gamma", Role.FIXED, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", (), "— (no library loss; not convex)"),),
    density=density,
    options=(scale("gamma"),),
)
