"""Notebook and document display of a :class:`~derive.steps.Derivation`.

The data model (:mod:`derive.steps`) imports nothing above it; this module
attaches the rendering methods to it — ``to_latex``, ``to_markdown``, ``to_function`` and
Jupyter's ``_repr_latex_`` / ``_repr_markdown_`` — and is imported by the
engine, so every derivation it returns has them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from derive.steps import Derivation

if TYPE_CHECKING:
    from derive.render.code import CodeFunctions

__all__ = ["to_function", "to_latex", "to_markdown"]


def to_latex(
    self: Derivation, *, standalone: bool = False, analysis: bool = True, compare: str | None = None
) -> str:
    """The proof as LaTeX: a fragment for a paper, or with ``standalone`` a document.

    ``analysis`` adds the gradient, Hessian and convexity sections; ``compare="mse"``
    the comparison with MSE on the predicted probability.
    """
    from derive.analysis import analyse
    from derive.render.latex import render_latex

    return render_latex(self, analyse(self, compare) if analysis else None, standalone=standalone)


def to_markdown(self: Derivation, *, analysis: bool = True, compare: str | None = None) -> str:
    """The proof as GitHub-flavoured Markdown (math in ``$…$`` and ``$$…$$``)."""
    from derive.analysis import analyse
    from derive.render.markdown import render_markdown

    return render_markdown(self, analyse(self, compare) if analysis else None)


def to_function(self: Derivation, backend: str = "numpy") -> CodeFunctions:
    """The per-sample loss ℓ and its gradient as NumPy, PyTorch or JAX functions.

    ``backend`` is ``"numpy"``, ``"torch"`` or ``"jax"``. Returns an object with
    ``.loss`` and ``.gradient`` (arguments: predictions, targets, fixed parameters,
    named as in the JSON variables) and ``.source``, the module text they were
    executed from — the same text ``--format BACKEND`` prints.
    """
    from derive.render.code import to_function as build

    return build(self, backend)


def _repr_latex_(self: Derivation) -> str:
    """Jupyter: the justified steps as one ``$\\displaystyle …$`` formula."""
    from derive.render.markdown import repr_latex

    return repr_latex(self)


def _repr_markdown_(self: Derivation) -> str:
    """Jupyter: the whole proof, with the analysis."""
    return to_markdown(self)


Derivation.to_latex = to_latex  # type: ignore[attr-defined]
Derivation.to_markdown = to_markdown  # type: ignore[attr-defined]
Derivation.to_function = to_function  # type: ignore[attr-defined]
Derivation._repr_latex_ = _repr_latex_  # type: ignore[attr-defined]
Derivation._repr_markdown_ = _repr_markdown_  # type: ignore[attr-defined]
