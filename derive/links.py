"""Links: how the model's raw output η maps to the distribution's parameter.

A link is composed with a distribution, never subclassed into it (the
pairing of loss and link in scikit-learn's ``sklearn/_loss``). Each link knows
its inverse (η ↦ parameter), a one-line description, and the extra rewrite
rules a derivation through it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.functions import sigmoid
from derive.rules import (
    Expand,
    LogOfOneMinusSigmoid,
    LogOfSigmoid,
    Rule,
    SoftplusReflection,
)

__all__ = ["IDENTITY", "LINKS", "LOGIT", "SOFTMAX", "Link"]


@dataclass(frozen=True)
class Link:
    """A named link; ``inverse`` maps the predictor to the parameter."""

    name: str
    description: str
    rules: tuple[Rule, ...] = ()

    def inverse(self, eta: sp.Expr, normaliser: sp.Expr | None = None) -> sp.Expr:
        if self.name == "identity":
            return eta
        if self.name == "logit":
            return sigmoid(eta)
        if self.name == "softmax":
            if normaliser is None:
                raise ValueError("the softmax link needs its normaliser Σ_j exp(z_j)")
            return sp.Mul(sp.exp(eta), sp.Pow(normaliser, -1), evaluate=False)
        raise ValueError(f"unknown link {self.name!r}")


IDENTITY = Link("identity", "the model predicts the parameter itself")
LOGIT = Link(
    "logit",
    "the model predicts a logit z, p = σ(z) = 1/(1 + e^{-z})",
    (LogOfSigmoid(), LogOfOneMinusSigmoid(), SoftplusReflection(), Expand()),
)
SOFTMAX = Link(
    "softmax",
    "the model predicts logits z, q_k = e^{z_k} / Σ_j e^{z_j}",
)

LINKS: dict[str, Link] = {link.name: link for link in (IDENTITY, LOGIT, SOFTMAX)}
