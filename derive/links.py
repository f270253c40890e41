"""Links: how the model's raw output η maps to the distribution's parameter.

A link is composed with a distribution, never subclassed into it (the
pairing of loss and link in scikit-learn's ``sklearn/_loss/link.py``, where a
link carries its domain). Each link knows its inverse (η ↦ parameter), the
domain of the predictor η, the domain the parameter lands in, the name of
the predictor it introduces, and the extra rewrite rules a derivation through
it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from derive.family import Domain
from derive.functions import sigmoid
from derive.rules import (
    Expand,
    LogOfOneMinusSigmoid,
    LogOfSigmoid,
    Rule,
    SoftplusReflection,
)

__all__ = ["IDENTITY", "LINKS", "LOG", "LOGIT", "SOFTMAX", "Link"]


def _identity(eta: sp.Expr, normaliser: sp.Expr | None = None) -> sp.Expr:
    return eta


def _sigmoid(eta: sp.Expr, normaliser: sp.Expr | None = None) -> sp.Expr:
    return sigmoid(eta)


def _exp(eta: sp.Expr, normaliser: sp.Expr | None = None) -> sp.Expr:
    return sp.exp(eta)


def _logit(theta: sp.Expr) -> sp.Expr:
    return sp.log(theta / (1 - theta))


def _softmax(eta: sp.Expr, normaliser: sp.Expr | None = None) -> sp.Expr:
    if normaliser is None:
        raise ValueError("the softmax link needs its normaliser Σ_j exp(z_j)")
    return sp.Mul(sp.exp(eta), sp.Pow(normaliser, -1), evaluate=False)


@dataclass(frozen=True)
class Link:
    """A named link; ``inverse`` maps the predictor to the parameter.

    ``predictor`` is the domain of η (``None``: the parameter's own domain, for
    the identity), ``parameter`` the domain of the parameter it yields
    (``None``: any), ``letter`` the name of the predictor it introduces,
    ``function`` the link itself, parameter ↦ predictor (``None``: not a function
    of one parameter, the softmax).
    """

    name: str
    description: str
    apply: Callable[[sp.Expr, sp.Expr | None], sp.Expr]
    predictor: Domain | None = None
    parameter: Domain | None = None
    letter: str = ""
    rules: tuple[Rule, ...] = ()
    axis: tuple[str, float, float] | None = None  # a plot's axis over η, when not the domain's
    function: Callable[[sp.Expr], sp.Expr] | None = None

    def inverse(self, eta: sp.Expr, normaliser: sp.Expr | None = None) -> sp.Expr:
        return self.apply(eta, normaliser)

    def fits(self, domain: Domain) -> bool:
        """Whether the parameter this link yields lies in ``domain``.

        A parameter in (0, 1) is also positive and real; a positive one is real.
        """
        if self.parameter is None:
            return True
        return domain in _WIDER.get(self.parameter, (self.parameter,))

    def covers(self, domain: Domain) -> bool:
        """Whether every value of ``domain`` is a parameter this link yields (the log link
        covers the positive numbers and the unit interval, the logit only the latter)."""
        if self.parameter is None:
            return True
        return self.parameter in _WIDER.get(domain, (domain,))


# The domains that contain each domain: a parameter in (0, 1) is also positive and real.
_WIDER = {
    Domain.UNIT: (Domain.UNIT, Domain.POSITIVE, Domain.REAL),
    Domain.POSITIVE: (Domain.POSITIVE, Domain.REAL),
    Domain.SIMPLEX: (Domain.SIMPLEX,),
}


IDENTITY = Link(
    "identity", "the model predicts the parameter itself", _identity, function=lambda t: t
)
LOGIT = Link(
    "logit",
    "the model predicts a logit z, and p = σ(z)",
    _sigmoid,
    Domain.REAL,
    Domain.UNIT,
    "z",
    (LogOfSigmoid(), LogOfOneMinusSigmoid(), SoftplusReflection(), Expand()),
    ("logit", -8.0, 8.0),
    _logit,
)
LOG = Link(
    "log",
    "the model predicts a log-parameter z, and the parameter is exp(z) > 0",
    _exp,
    Domain.REAL,
    Domain.POSITIVE,
    "z",
    (Expand(),),
    ("log-parameter", -3.0, 3.0),
    sp.log,
)
SOFTMAX = Link(
    "softmax",
    "the model predicts logits z, and q[k] = exp(z[k])/Σⱼ exp(z[j])",
    _softmax,
    Domain.REAL,
    Domain.SIMPLEX,
    "z",
    (),
    ("logit", -8.0, 8.0),
)

LINKS: dict[str, Link] = {link.name: link for link in (IDENTITY, LOGIT, LOG, SOFTMAX)}
