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

from derive.family import Domain, Family, LinkSpec, Role, Var

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["FAMILY"]


def density(v: Mapping[str, sp.Expr]) -> sp.Expr:
    import sympy as sp

    y, p = v["y"], v["p"]
    return sp.Mul(
        sp.Pow(p, y, evaluate=False), sp.Pow(1 - p, 1 - y, evaluate=False), evaluate=False
    )


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
)
