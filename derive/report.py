"""The conclusion of a derivation, as data the renderers share."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.algebra import free_of
from derive.compile import with_sample_index
from derive.steps import Derivation

__all__ = ["Conclusion", "Reduction", "conclude"]


@dataclass(frozen=True)
class Reduction:
    """``−log L = factor · torch_loss(reduction) + offset`` for one reduction."""

    reduction: str
    factor: sp.Expr
    offset: sp.Expr


@dataclass(frozen=True)
class Conclusion:
    """−log L as the named loss: the total, and each torch reduction."""

    total: sp.Expr
    loss_sum: sp.Expr
    reductions: tuple[Reduction, ...]


def conclude(d: Derivation) -> Conclusion | None:
    """The exact statement −log L(θ) = Σ offset + scale·Σ ℓ, or ``None`` when unnamed."""
    if d.loss is None:
        return None
    i, n = d.sample_index, d.n
    loss_sum = sp.Sum(d.loss.formula_indexed, (i, 1, n))
    offset_i = with_sample_index(d.loss.offset, d.model)
    if free_of(offset_i, [i]):
        offset_total = n * offset_i
    else:
        offset_total = sp.Sum(offset_i, (i, 1, n))
    scale = d.loss.scale
    total = offset_total + scale * loss_sum
    reductions = [Reduction("sum", scale, offset_total), Reduction("mean", n * scale, offset_total)]
    if d.loss.loss.mean_over_classes:
        classes = d.model.classes if d.model.classes is not None else sp.S.One
        reductions = [
            Reduction("sum", scale, offset_total),
            Reduction("batchmean", n * scale, offset_total),
            Reduction("mean", n * classes * scale, offset_total),
        ]
    return Conclusion(total, loss_sum, tuple(reductions))
