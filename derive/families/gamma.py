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

from derive.family import Domain, Family, LinkSpec, Option, Role, Var

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
        sp.Pow(sp.gamma(alpha), -1, evaluate=False),
        evaluate=False,
    )


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
            "gamma: the shape α > 0 (e.g. 2); default symbolic α",
            metavar="ALPHA",
            binds="alpha",
        ),
    ),
)
