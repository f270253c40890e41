"""Huber noise: y = f + ε with density ∝ exp(−huber_δ(ε)), δ > 0 fixed; MLE is minimum Huber loss.

huber_δ(r) = r²/2 for |r| < δ and δ·(|r| − δ/2) otherwise (Gaussian in the middle,
Laplace in the tails, joined with a continuous derivative). Density of one
observation: exp(−huber_δ(y − f)) / Z_δ with the normaliser

    Z_δ = ∫ exp(−huber_δ(r)) dr = √(2π)·erf(δ/√2) + (2/δ)·e^{−δ²/2}

(the middle gives √(2π)·erf(δ/√2), each tail e^{−δ²/2}/δ; a test checks it by
quadrature). With the identity link the derived loss is huber_δ(y − f) exactly —
``torch.nn.HuberLoss(delta=δ)``, factor 1 — and the constant dropped is log Z_δ per
sample. ``torch.nn.SmoothL1Loss(beta=δ)`` is HuberLoss/δ. Convex in f (its
derivative, r clipped to [−δ, δ], is monotone). ``--delta`` sets δ to a number;
unset it stays a symbol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from derive.family import Domain, Family, LinkSpec, Option, Role, Var

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["FAMILY", "normaliser"]


def normaliser(delta: sp.Expr) -> sp.Expr:
    """Z_δ = ∫_ℝ exp(−huber_δ(r)) dr = √(2π)·erf(δ/√2) + (2/δ)·e^{−δ²/2}."""
    import sympy as sp

    return sp.sqrt(2 * sp.pi) * sp.erf(delta / sp.sqrt(2)) + 2 * sp.exp(-(delta**2) / 2) / delta


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    from derive.functions import huber

    y, f, delta = v["y"], v["f"], v["delta"]
    norm = sp.Pow(normaliser(delta), -1, evaluate=False)
    return sp.Mul(norm, sp.exp(-huber(y - f, delta)), evaluate=False)


FAMILY = Family(
    name="huber",
    aliases=(),
    summary="y = f + ε, ε with density ∝ exp(−huber_δ(ε)), δ > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("delta", Role.FIXED, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", ("HuberLoss",), "HuberLoss (delta=δ)"),),
    density=density,
    options=(
        Option(
            "delta",
            "--delta",
            "huber: the threshold δ > 0 between the quadratic and linear parts (e.g. 1); "
            "default symbolic",
            metavar="D",
            figure="1",
            binds="delta",
        ),
    ),
)
