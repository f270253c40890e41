"""Successes out of N trials: y ∈ {0, 1, …, N}, y ~ Binomial(N, p).

Mass function of one observation: C(N, y)·p^y·(1 − p)^{N−y}, with N ≥ 1 trials
fixed (``--trials N`` makes it a number; unset, N stays a symbol). With the
logit link (the default; p = σ(z), the model predicts z) the derived loss is
N·softplus(z) − y·z = N·(softplus(z) − (y/N)·z): N times
``torch.nn.BCEWithLogitsLoss`` on the logit with the proportion y/N as its soft
target. With the identity link (the model predicts p) it is
−y·log p − (N − y)·log(1 − p) = N·``BCELoss``(p, y/N). The constant dropped
is log C(N, y) per sample. Both are convex in the prediction; the logit link is
the canonical one. N = 1 is the Bernoulli model.
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

    y, p, trials = v["y"], v["p"], v["N"]
    return sp.Mul(
        sp.binomial(trials, y),
        sp.Pow(p, y, evaluate=False),
        sp.Pow(1 - p, trials - y, evaluate=False),
        evaluate=False,
    )


def proportion(v: Mapping[str, sp.Expr]) -> sp.Expr:
    """What the BCE losses take as their target: the proportion of successes y/N."""
    return v["y"] / v["N"]


FAMILY = Family(
    name="binomial",
    aliases=(),
    summary="y ∈ {0, 1, …, N}, y ~ Binomial(N, p), N ≥ 1 trials fixed",
    variables=(
        Var("y", Role.TARGET, Domain.COUNT, upper="N"),
        Var("p", Role.PREDICTION, Domain.UNIT),
        Var("N", Role.FIXED, Domain.NATURAL),
    ),
    links=(
        LinkSpec("logit", ("BCEWithLogitsLoss",), "N·BCEWithLogitsLoss on y/N"),
        LinkSpec("identity", ("BCELoss",), "N·BCELoss on y/N"),
    ),
    density=density,
    options=(
        Option(
            "trials",
            "--trials",
            "binomial: the number of trials N, a whole number >= 1; default symbolic N",
            metavar="N",
            binds="N",
            figure="10",
        ),
    ),
    loss_target=proportion,
)
