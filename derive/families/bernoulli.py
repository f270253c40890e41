"""Binary labels: y ∈ {0, 1}, y ~ Bernoulli(p).

Mass function of one observation: p^y (1 − p)^{1−y}. With the identity link
(the model outputs p ∈ (0, 1)) the derived loss is the binary cross-entropy
−[y log p + (1 − y) log(1 − p)], ``torch.nn.BCELoss``; with the logit link
(p = σ(z)) it is softplus(z) − y·z, ``torch.nn.BCEWithLogitsLoss``. Nothing
is dropped: the NLL is the loss exactly.
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

    y, p = v["y"], v["p"]
    return sp.Mul(
        sp.Pow(p, y, evaluate=False), sp.Pow(1 - p, 1 - y, evaluate=False), evaluate=False
    )


def bernoulli_density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    """Bernoulli(y; p) = p^y (1 − p)^{1−y}, the law of ``derive entropy bernoulli``."""
    return density({"y": v["y"], "p": v["p"]})


def bernoulli_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """E[y] = p under Bernoulli(p)."""
    return v["p"] if phi == v["y"] else None


FAMILY = Family(
    name="bernoulli",
    aliases=(),
    summary="y ∈ {0, 1}, y ~ Bernoulli(p)",
    variables=(
        Var("y", Role.TARGET, Domain.BINARY),
        Var("p", Role.PREDICTION, Domain.UNIT),
    ),
    links=(
        LinkSpec("identity", ("BCELoss",), "BCELoss"),
        LinkSpec("logit", ("BCEWithLogitsLoss",), "BCEWithLogitsLoss", compare_mse=True),
    ),
    density=density,
    law=Law(
        name="Bernoulli",
        parameters=(Var("p", Role.FIXED, Domain.UNIT),),
        support=Domain.BINARY,
        density=bernoulli_density,
        torch="Bernoulli",
        torch_args=(("probs", "p"),),
        moments=bernoulli_moments,
    ),
)
