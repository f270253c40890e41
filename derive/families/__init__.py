"""The built-in families, one module each; the only place that knows a family by name.

Each module holds one :class:`derive.family.Family` value (plain data, no SymPy
at import). :data:`GALLERY` lists the derivations ``derive all`` renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.families import bernoulli, categorical, gaussian, laplace
from derive.family import Family

__all__ = ["ENTRIES", "FAMILIES", "GALLERY", "Exhibit"]

FAMILIES: tuple[Family, ...] = (
    gaussian.FAMILY,
    laplace.FAMILY,
    bernoulli.FAMILY,
    categorical.FAMILY,
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
)
