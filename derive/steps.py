"""The data model of a derivation: a linear chain of justified steps.

Every step of a derivation satisfies one law, which the step checker in
:mod:`derive.verify` proves for every built-in derivation:

- ``EQUAL``, ``UP_TO_CONSTANT``, ``PROPORTIONAL``:
  ``before == factor * after + dropped`` with ``factor > 0`` free of the
  optimised parameters and ``dropped`` free of them too.
- ``ARGMIN_EQUIVALENT``: ``after == transform(before)`` with ``transform``
  strictly decreasing, so that argmax of ``before`` is argmin of ``after``
  (the step "maximise the likelihood ⇔ minimise its negative log").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:
    from derive.compile import Model
    from derive.losses import LossMatch
    from derive.rules import Rule

__all__ = ["Derivation", "Relation", "Step", "Variables"]


class Relation(enum.Enum):
    """How the expression after a step relates to the one before it."""

    EQUAL = "="
    UP_TO_CONSTANT = "≐"
    PROPORTIONAL = "∝"
    ARGMIN_EQUIVALENT = "⇔"
    AT_MOST = "≤"  # an inequality chain (Gibbs): after ≥ before, by the step's lemma

    @property
    def symbol(self) -> str:
        return self.value


@dataclass(frozen=True)
class Step:
    """One application of one rule to the whole objective."""

    rule: Rule
    before: sp.Expr
    after: sp.Expr
    relation: Relation
    dropped: sp.Expr = field(default=sp.S.Zero)
    factor: sp.Expr = field(default=sp.S.One)
    transform: sp.Lambda | None = None


@dataclass(frozen=True)
class Variables:
    """Per-sample symbols: what is observed, what the model predicts, what is fixed."""

    target: tuple[sp.Basic, ...]
    prediction: tuple[sp.Basic, ...]
    nuisance: tuple[sp.Symbol, ...]


@dataclass(frozen=True)
class Derivation:
    """From ``likelihood`` to the named loss, one justified step at a time.

    ``nll`` is the per-sample negative log-likelihood (nothing dropped),
    ``derived`` the per-sample loss ℓ the rules reached (constants dropped, the
    positive factor divided out), ``loss`` the catalogue loss it matches
    (``None`` when it matches none), with ``nll == loss.scale * loss.formula + loss.offset``.

    Notebook display (``to_latex``, ``to_markdown``, ``_repr_latex_``,
    ``_repr_markdown_``) is attached by :mod:`derive.display`; this module
    imports nothing above it.
    """

    distribution: str
    link: str
    options: tuple[tuple[str, str], ...]
    variables: Variables
    likelihood: sp.Expr
    steps: tuple[Step, ...]
    nll: sp.Expr
    derived: sp.Expr
    loss: LossMatch | None
    n: sp.Symbol
    sample_index: sp.Symbol
    notes: tuple[str, ...]
    model: Model

    @property
    def objective(self) -> sp.Expr:
        """The last expression of the chain: what is minimised."""
        return self.steps[-1].after if self.steps else self.likelihood

    def __repr__(self) -> str:
        """One line (the fields hold whole expressions; the proof is ``to_markdown()``)."""
        loss = self.loss.loss.name if self.loss is not None else "unnamed loss"
        options = "".join(f", {k}={v}" for k, v in self.options)
        return (
            f"<Derivation {self.distribution} (link={self.link}{options}): "
            f"{len(self.steps)} steps, {loss}>"
        )
