"""Laplace noise: y = f + ε, ε ~ Laplace(0, b) with b > 0 fixed; MLE is minimum L1.

Density of one observation: (2b)^{−1} · exp(−|y − f| / b). With the identity
link the derived loss is |y − f|, ``torch.nn.L1Loss``; the constant dropped is
log(2b) per sample and the factor divided out is 1/b. The loss is not
differentiable at f = y (the analysis gives the subgradient there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from derive.family import Domain, Family, Law, LinkSpec, Role, Var

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["FAMILY"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, f, b = v["y"], v["f"], v["b"]
    norm = sp.Pow(2 * b, -1, evaluate=False)
    return sp.Mul(norm, sp.exp(-sp.Abs(y - f) / b), evaluate=False)


def laplace_density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    """Laplace(y; μ, b), the law of ``derive entropy laplace`` and ``derive kl laplace laplace``."""
    return density({"y": v["y"], "f": v["mu"], "b": v["b"]})


def laplace_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """E[y] = μ, E[y²] = μ² + 2b² and E|y − μ| = b under Laplace(μ, b).

    E|y − c| about any other point c is not a moment of the law: the engine
    computes it by splitting the integral at its kinks.
    """
    import sympy as sp

    y, mu, b = v["y"], v["mu"], v["b"]
    known = {y: mu, y**2: mu**2 + 2 * b**2, sp.Abs(y - mu): b}
    return known.get(phi)


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
    law=Law(
        name="Laplace",
        parameters=(
            Var("mu", Role.FIXED, Domain.REAL),
            Var("b", Role.FIXED, Domain.POSITIVE),
        ),
        support=Domain.REAL,
        density=laplace_density,
        torch="Laplace",
        torch_args=(("loc", "mu"), ("scale", "b")),
        moments=laplace_moments,
    ),
)
