"""derive: from a noise or label model to the loss it implies, with every step proved.

The public API is loaded lazily so that ``derive --help`` never imports SymPy::

    >>> from derive import derive
    >>> d = derive("gaussian")
    >>> d.loss.loss.torch
    'torch.nn.MSELoss'
    >>> from derive import kl
    >>> kl("normal", "normal").value  # the KL divergence, derived from the densities
    log(sigma_2**2/sigma_1**2)/2 - 1/2 + (sigma_1**2 + (mu_1 - mu_2)**2)/(2*sigma_2**2)
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CATALOGUE",
    "ENTRIES",
    "Derivation",
    "DeriveError",
    "Identity",
    "Information",
    "LossMatch",
    "MarkdownPrinter",
    "ProofPrinter",
    "Relation",
    "Step",
    "Variables",
    "analyse",
    "check_derivation",
    "cross_entropy",
    "derive",
    "entropy",
    "identify",
    "identity",
    "kl",
    "main",
    "render_information",
    "render_json",
    "render_latex",
    "render_markdown",
    "render_text",
    "to_dict",
]

__version__ = "0.1.0"

_WHERE = {
    "CATALOGUE": "derive.losses",
    "ENTRIES": "derive.families",
    "DeriveError": "derive.errors",
    "Derivation": "derive.steps",
    "Identity": "derive.information.identity",
    "Information": "derive.information.engine",
    "LossMatch": "derive.losses",
    "MarkdownPrinter": "derive.render.markdown",
    "ProofPrinter": "derive.render.latex",
    "Relation": "derive.steps",
    "Step": "derive.steps",
    "Variables": "derive.steps",
    "analyse": "derive.analysis",
    "check_derivation": "derive.verify",
    "cross_entropy": "derive.information.api",
    "derive": "derive.engine",
    "entropy": "derive.information.api",
    "identify": "derive.losses",
    "identity": "derive.information.api",
    "kl": "derive.information.api",
    "main": "derive.cli",
    "render_json": "derive.render.json",
    "render_latex": "derive.render.latex",
    "render_markdown": "derive.render.markdown",
    "render_information": "derive.render.information",
    "render_text": "derive.render.text",
    "to_dict": "derive.render.json",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'derive' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
