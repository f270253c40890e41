"""The built-in families, one module each; the only place that knows a family by name.

Each module holds one :class:`derive.family.Family` value (plain data, no SymPy
at import). :data:`GALLERY` lists the derivations ``derive all`` renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.families import (
    asymmetric_laplace,
    bernoulli,
    binomial,
    categorical,
    cauchy,
    exponential,
    gamma,
    gaussian,
    huber,
    laplace,
    logistic,
    poisson,
    student_t,
)
from derive.family import Family

__all__ = ["ENTRIES", "FAMILIES", "GALLERY", "Exhibit"]

FAMILIES: tuple[Family, ...] = (
    gaussian.FAMILY,
    laplace.FAMILY,
    student_t.FAMILY,
    cauchy.FAMILY,
    logistic.FAMILY,
    huber.FAMILY,
    asymmetric_laplace.FAMILY,
    bernoulli.FAMILY,
    categorical.FAMILY,
    poisson.FAMILY,
    gamma.FAMILY,
    exponential.FAMILY,
    binomial.FAMILY,
)
ENTRIES = FAMILIES  # the name the public API has exported since the first release


@dataclass(frozen=True)
class Exhibit:
    """One derivation of the gallery: the file stem, the family, link, options, comparison."""

    stem: str
    name: str
    link: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    compare: str | None = None


# Every built-in model and link, then the option variants worth reading.
GALLERY: tuple[Exhibit, ...] = (
    Exhibit("gaussian", "gaussian"),
    Exhibit("laplace", "laplace"),
    Exhibit("student-t", "student-t", options=(("nu", "3"),)),
    Exhibit("cauchy", "cauchy"),
    Exhibit("logistic", "logistic"),
    Exhibit("huber", "huber", options=(("delta", "1"),)),
    Exhibit("asymmetric-laplace", "asymmetric-laplace", options=(("quantile", "0.9"),)),
    Exhibit("bernoulli", "bernoulli"),
    Exhibit("bernoulli-logit", "bernoulli", "logit", compare="mse"),
    Exhibit("categorical", "categorical"),
    Exhibit("categorical-softmax", "categorical", "softmax", compare="mse"),
    Exhibit("categorical-soft", "categorical", options=(("targets", "soft"),)),
    Exhibit("categorical-smoothing", "categorical", options=(("label_smoothing", "0.1"),)),
    Exhibit("categorical-softmax-soft", "categorical", "softmax", (("targets", "soft"),)),
    Exhibit(
        "categorical-softmax-smoothing",
        "categorical",
        "softmax",
        (("label_smoothing", "0.1"),),
    ),
    Exhibit("gaussian-learn-variance", "gaussian", options=(("learn_variance", "true"),)),
    Exhibit("poisson", "poisson"),
    Exhibit("poisson-identity", "poisson", "identity"),
    Exhibit("gamma", "gamma"),
    Exhibit("exponential", "exponential"),
    Exhibit("exponential-rate-identity", "exponential", "identity", (("rate", "true"),)),
    Exhibit("binomial", "binomial", options=(("trials", "10"),)),
    Exhibit("binomial-identity", "binomial", "identity"),
)
