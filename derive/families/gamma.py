"""Positive responses: y > 0, y ~ Gamma with shape α > 0 fixed and mean μ > 0.

Density of one observation, with rate α/μ: (α/μ)^α y^{α−1} e^{−αy/μ} / Γ(α).
The log link (μ = e^z, the model predicts z) gives the NLL
α·(y·e^{−z} + z) + (1 − α)·log y − α·log α + log Γ(α): dropping the terms free of
z and dividing out α leaves the derived loss y·e^{−z} + z, which is the half
Gamma deviance y/μ − log(y/μ) − 1 up to terms free of μ (the GLM loss of Gamma
regression; it is convex in z). torch.nn has no Gamma loss; the log-likelihood
is ``torch.distributions.Gamma(concentration=α, rate=α/μ).log_prob``. α is
symbolic unless ``--shape`` sets it. The log link is not the canonical link of
the Gamma family (that is η = −1/μ).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from derive.families._special import gamma
from derive.family import Domain, Family, Law, LinkSpec, Option, Role, Var

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["FAMILY"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, mu, alpha = v["y"], v["mu"], v["alpha"]
    return sp.Mul(
        sp.Pow(alpha / mu, alpha, evaluate=False),
        sp.Pow(y, alpha - 1, evaluate=False),
        sp.exp(-alpha * y / mu),
        sp.Pow(gamma(alpha), -1, evaluate=False),
        evaluate=False,
    )


def gamma_density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    """Gamma(y; α, β) = β^α y^{α−1} e^{−βy} / Γ(α) with shape α and rate β (mean α/β)."""
    alpha, beta = v["alpha"], v["beta"]
    return density({"y": v["y"], "mu": alpha / beta, "alpha": alpha})


def gamma_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """E[y] = α/β, E[y²] = α(α + 1)/β² and E[log y] = ψ(α) − log β under Gamma(α, β).

    E[log y] is ∂/∂α of the log-normaliser log(Γ(α)/β^α).
    """
    import sympy as sp

    y, alpha, beta = v["y"], v["alpha"], v["beta"]
    known = {
        y: alpha / beta,
        y**2: alpha * (alpha + 1) / beta**2,
        sp.log(y): sp.digamma(alpha) - sp.log(beta),
    }
    return known.get(phi)


FAMILY = Family(
    name="gamma",
    aliases=(),
    summary="y > 0, y ~ Gamma(shape α, mean μ), α > 0 fixed",
    variables=(
        Var("y", Role.TARGET, Domain.POSITIVE),
        Var("mu", Role.PREDICTION, Domain.POSITIVE),
        Var("alpha", Role.FIXED, Domain.POSITIVE),
    ),
    links=(
        LinkSpec(
            "log",
            (),
            "none in torch.nn (half Gamma deviance)",
            remarks=(
                "`torch.distributions.Gamma(alpha, alpha/mu).log_prob(y)` is the "
                "log-likelihood, with concentration α and rate α/μ; `torch.nn` has no Gamma "
                "loss: ℓ is the half Gamma deviance y/μ − log(y/μ) − 1 up to terms free of μ",
            ),
        ),
    ),
    density=density,
    options=(
        Option(
            "shape",
            "--shape",
            "gamma: the shape α > 0 (e.g. 2), at most 1000; default symbolic α",
            metavar="ALPHA",
            binds="alpha",
            # the density's (α/μ)^α: SymPy writes α^α out when it rebuilds the product
            # (10⁷ digits at α = 10⁶: it does not finish); 1000^1000 has 3001 digits,
            # under Python's 4300-digit limit for printing an int
            most="1000",
        ),
    ),
    law=Law(
        name="Gamma",
        parameters=(
            Var("alpha", Role.FIXED, Domain.POSITIVE),
            Var("beta", Role.FIXED, Domain.POSITIVE),
        ),
        support=Domain.POSITIVE,
        density=gamma_density,
        torch="Gamma",
        torch_args=(("concentration", "alpha"), ("rate", "beta")),
        moments=gamma_moments,
    ),
)
