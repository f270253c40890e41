"""Waiting times: y > 0, y ~ Exponential, predicted through its mean μ or its rate λ.

Density of one observation: (1/μ)·e^{−y/μ} with mean μ > 0 (the default), or
λ·e^{−λy} with rate λ = 1/μ (``--rate``). With the log link the derived loss is
y·e^{−z} + z for the mean (μ = e^z; the Gamma loss with shape 1) and y·e^z − z
for the rate (λ = e^z), both convex in z; with the identity link it is
y/μ + log μ, which is not convex in μ (its second derivative 2y/μ³ − 1/μ² is
negative for μ > 2y), or λ·y − log λ, convex in λ — the identity link on the rate
is the canonical link (η = −λ). Nothing is dropped: the NLL is the loss. torch.nn
has no exponential loss; the log-likelihood is
``torch.distributions.Exponential(rate).log_prob``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from derive.family import Domain, Family, Hooks, Law, LinkSpec, Option, Role, Var

if TYPE_CHECKING:
    import sympy as sp

    from derive.compile import Model

__all__ = ["BY_RATE", "FAMILY"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, mu = v["y"], v["mu"]
    return sp.Mul(sp.Pow(mu, -1, evaluate=False), sp.exp(-y / mu), evaluate=False)


def density_by_rate(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, rate = v["y"], v["lambda"]
    return sp.Mul(rate, sp.exp(-rate * y), evaluate=False)


def exponential_density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    """Exponential(y; λ) = λ e^{−λy} with rate λ, the law of ``derive entropy exponential``."""
    return density_by_rate({"y": v["y"], "lambda": v["lambda"]})


def exponential_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """E[y] = 1/λ and E[y²] = 2/λ² under Exponential(λ)."""
    y, rate = v["y"], v["lambda"]
    known = {y: 1 / rate, y**2: 2 / rate**2}
    return known.get(phi)


def _compile(family: Family, link: str, options: dict[str, str | None]) -> Model:
    from derive.compile import compile_scalar

    return compile_scalar(BY_RATE if options.get("rate") else family, link, options)


def _remark(rate: str) -> tuple[str, ...]:
    return (
        f"`torch.distributions.Exponential({rate}).log_prob(y)` is the log-likelihood; "
        "`torch.nn` has no exponential loss",
    )


FAMILY = Family(
    name="exponential",
    aliases=(),
    summary="y > 0, y ~ Exponential with mean μ > 0",
    variables=(
        Var("y", Role.TARGET, Domain.POSITIVE),
        Var("mu", Role.PREDICTION, Domain.POSITIVE),
    ),
    links=(
        LinkSpec("log", (), "none in torch.nn", remarks=_remark("torch.exp(-z)")),
        LinkSpec("identity", (), "none in torch.nn", remarks=_remark("1/mu")),
    ),
    density=density,
    options=(
        Option(
            "rate",
            "--rate",
            "exponential: predict the rate λ = 1/μ instead of the mean μ",
            switch=True,
        ),
    ),
    hooks=Hooks(compile=_compile),
    law=Law(
        name="Exponential",
        parameters=(Var("lambda", Role.FIXED, Domain.POSITIVE),),
        support=Domain.POSITIVE,
        density=exponential_density,
        torch="Exponential",
        torch_args=(("rate", "lambda"),),
        moments=exponential_moments,
    ),
)

# The variant --rate compiles: the rate λ is the prediction.
BY_RATE = replace(
    FAMILY,
    summary="y > 0, y ~ Exponential with rate λ > 0",
    variables=(
        Var("y", Role.TARGET, Domain.POSITIVE),
        Var("lambda", Role.PREDICTION, Domain.POSITIVE),
    ),
    links=(
        LinkSpec("log", (), "none in torch.nn", remarks=_remark("torch.exp(z)")),
        LinkSpec("identity", (), "none in torch.nn", remarks=_remark("lambda_")),
    ),
    density=density_by_rate,
)
