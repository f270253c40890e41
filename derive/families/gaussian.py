"""Gaussian noise: y = f + ε, ε ~ N(0, σ²) with σ > 0 fixed; MLE is minimum MSE.

Density of one observation: (2πσ²)^{−1/2} · exp(−(y − f)² / (2σ²)). With the
identity link the derived loss is (y − f)², ``torch.nn.MSELoss``; the constant
dropped is ½ log(2πσ²) per sample and the factor divided out is 1/(2σ²).

With ``--learn-variance`` the model predicts the variance v > 0 beside the mean
f: the density is (2πv)^{−1/2} · exp(−(y − f)² / (2v)), the derived loss is
log v + (y − f)²/v (½ log 2π dropped, the factor ½ divided out), and
``torch.nn.GaussianNLLLoss`` (input f, target y, var v) is half of it: torch
drops ½ log 2π unless ``full=True`` and clamps var below at ``eps = 1e-6``.
That loss is not convex jointly in (f, v) — its Hessian has determinant
−2/v³ < 0 everywhere — but it is convex in the natural parameters
η₁ = f/v, η₂ = −1/(2v) of the Gaussian as an exponential family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from derive.family import Domain, Family, Hooks, Law, LinkSpec, Option, Role, Var

if TYPE_CHECKING:
    import sympy as sp

    from derive.compile import Model

__all__ = ["FAMILY", "LEARNED_VARIANCE"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, f, sigma = v["y"], v["f"], v["sigma"]
    norm = sp.Pow(2 * sp.pi * sigma**2, sp.Rational(-1, 2), evaluate=False)
    kernel = sp.exp(-((y - f) ** 2) / (2 * sigma**2))
    return sp.Mul(norm, kernel, evaluate=False)


def density_with_variance(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, f, var = v["y"], v["f"], v["v"]
    norm = sp.Pow(2 * sp.pi * var, sp.Rational(-1, 2), evaluate=False)
    kernel = sp.exp(-((y - f) ** 2) / (2 * var))
    return sp.Mul(norm, kernel, evaluate=False)


def normal_density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    """N(y; μ, σ²), the law of ``derive entropy normal`` and ``derive kl normal normal``."""
    return density({"y": v["y"], "f": v["mu"], "sigma": v["sigma"]})


def normal_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """E[y] = μ and E[y²] = μ² + σ² under N(μ, σ²)."""
    y, mu, sigma = v["y"], v["mu"], v["sigma"]
    known = {y: mu, y**2: mu**2 + sigma**2}
    return known.get(phi)


def _compile(family: Family, link: str, options: dict[str, str | None]) -> Model:
    from derive.compile import compile_scalar

    chosen = LEARNED_VARIANCE if options.get("learn_variance") else family
    return compile_scalar(chosen, link, options)


FAMILY = Family(
    name="gaussian",
    aliases=("normal",),
    summary="y = f + ε, ε ~ N(0, σ²), σ > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("sigma", Role.FIXED, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", ("MSELoss",), "MSELoss; GaussianNLLLoss with --learn-variance"),),
    density=density,
    options=(
        Option(
            "learn_variance",
            "--learn-variance",
            "gaussian: predict the variance v > 0 beside the mean f (GaussianNLLLoss)",
            switch=True,
        ),
    ),
    hooks=Hooks(compile=_compile),
    law=Law(
        name="Normal",
        parameters=(
            Var("mu", Role.FIXED, Domain.REAL),
            Var("sigma", Role.FIXED, Domain.POSITIVE),
        ),
        support=Domain.REAL,
        density=normal_density,
        torch="Normal",
        torch_args=(("loc", "mu"), ("scale", "sigma")),
        moments=normal_moments,
    ),
)

# The variant --learn-variance compiles: the variance is a second prediction.
LEARNED_VARIANCE = replace(
    FAMILY,
    summary="y = f + ε, ε ~ N(0, v), the mean f and the variance v > 0 predicted",
    variables=(
        Var("y", Role.TARGET, Domain.REAL),
        Var("f", Role.PREDICTION, Domain.REAL),
        Var("v", Role.PREDICTION, Domain.POSITIVE),
    ),
    links=(LinkSpec("identity", ("GaussianNLLLoss:var",), "GaussianNLLLoss"),),
    density=density_with_variance,
)
