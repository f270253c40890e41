"""Asymmetric Laplace noise: the τ-quantile of y is f; MLE is minimum pinball (quantile) loss.

With the check function ρ_τ(u) = max(τ·u, (τ − 1)·u) = (|u| + (2τ − 1)·u)/2 and
τ ∈ (0, 1), b > 0 fixed, the density of one observation is

    (τ(1 − τ)/b) · exp(−ρ_τ((y − f)/b)),   where ρ_τ((y − f)/b) = ρ_τ(y − f)/b,

written with the absolute value, the form the engine proves with. Its τ-quantile is
f: P(y ≤ f) = τ. With the identity link the derived loss is
|y − f| + (2τ − 1)·(y − f) = 2·ρ_τ(y − f); the constant dropped is
−log(τ(1 − τ)/b) per sample and the factor divided out is 1/(2b). The pinball loss
has no ``torch.nn`` class: the torch call writes it out elementwise. Convex in f
(an absolute value plus an affine function), not differentiable at f = y. At
τ = 1/2 it is the Laplace family with scale 2b. ``--quantile`` sets τ and
``--scale`` sets b to numbers; unset they stay symbols.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from derive.families._location import scale
from derive.family import Domain, Family, LinkSpec, Option, Role, Var

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["FAMILY"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, f, tau, b = v["y"], v["f"], v["tau"], v["b"]
    r = y - f
    norm = tau * (1 - tau) / b
    return sp.Mul(norm, sp.exp(-(sp.Abs(r) + (2 * tau - 1) * r) / (2 * b)), evaluate=False)


FAMILY = Family(
    name="asymmetric-laplace",
    aliases=("quantile", "pinball"),
    summary="y = f + ε, ε ~ AsymmetricLaplace(τ, b): f is the τ-quantile; b > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("tau", Role.FIXED, Domain.UNIT),
        Var("b", Role.FIXED, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", ("PinballLoss",), "pinball loss (no torch.nn class)"),),
    density=density,
    options=(
        Option(
            "quantile",
            "--quantile",
            "asymmetric-laplace: the quantile τ, strictly between 0 and 1 (e.g. 0.9); "
            "default symbolic",
            metavar="TAU",
            figure="0.9",
            binds="tau",
        ),
        scale("b"),
    ),
)
