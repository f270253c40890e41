"""Counts: y ∈ {0, 1, 2, …}, y ~ Poisson(λ) with rate λ > 0.

Mass function of one observation: λ^y e^{−λ} / y!. With the log link (the
default; the model predicts z = log λ) the derived loss is e^z − y·z,
``torch.nn.PoissonNLLLoss`` with its default ``log_input=True``; with the
identity link (the model predicts λ itself) it is λ − y·log λ,
``PoissonNLLLoss(log_input=False)``, which torch computes as
λ − y·log(λ + eps) with ``eps = 1e-8``. The constant dropped is log y! per
sample, exactly; torch's ``full=True`` adds the Stirling approximation
y·log y − y + ½·log(2πy) (for y > 1) instead, which is not log y!. Both links
give a loss convex in the prediction; the log link is the canonical one.
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

    y, rate = v["y"], v["lambda"]
    return sp.Mul(
        sp.Pow(rate, y, evaluate=False),
        sp.exp(-rate),
        sp.Pow(sp.factorial(y), -1, evaluate=False),
        evaluate=False,
    )


def poisson_density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    """Poisson(y; λ) = λ^y e^{−λ} / y!, the law of ``derive entropy poisson``."""
    return density({"y": v["y"], "lambda": v["lambda"]})


def poisson_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """E[y] = λ and E[y²] = λ² + λ under Poisson(λ).

    E[log y!] has no closed form: the engine keeps it as its series.
    """
    y, rate = v["y"], v["lambda"]
    known = {y: rate, y**2: rate**2 + rate}
    return known.get(phi)


FAMILY = Family(
    name="poisson",
    aliases=(),
    summary="y ∈ {0, 1, 2, …}, y ~ Poisson(λ), rate λ > 0",
    variables=(
        Var("y", Role.TARGET, Domain.COUNT),
        Var("lambda", Role.PREDICTION, Domain.POSITIVE),
    ),
    links=(
        LinkSpec("log", ("PoissonNLLLoss",), "PoissonNLLLoss (log_input=True)"),
        LinkSpec("identity", ("PoissonNLLLoss:rate",), "PoissonNLLLoss (log_input=False, eps)"),
    ),
    density=density,
    law=Law(
        name="Poisson",
        parameters=(Var("lambda", Role.FIXED, Domain.POSITIVE),),
        support=Domain.COUNT,
        density=poisson_density,
        torch="Poisson",
        torch_args=(("rate", "lambda"),),
        moments=poisson_moments,
        torch_entropy=False,
    ),
)
