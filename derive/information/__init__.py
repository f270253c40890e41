"""Information theory derived from the densities: entropy, cross-entropy, KL divergence.

``information(kind, *laws, base=…)`` derives H(P), H(P, Q) or KL(P‖Q) of
built-in families (or user densities) step by step; :mod:`.identity` holds the
identities between them (cross-entropy decomposition, Gibbs' inequality, …).

The names load lazily, so that the identity registry (:mod:`.identities`) can be
read without SymPy: ``derive list`` names the identities and stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "BASES",
    "KINDS",
    "Expectation",
    "Identity",
    "Information",
    "LogBase",
    "Quantity",
    "Witness",
    "information",
]

_WHERE = {
    "BASES": "derive.information.engine",
    "KINDS": "derive.information.engine",
    "Expectation": "derive.information.expectation",
    "Identity": "derive.information.identity",
    "Information": "derive.information.engine",
    "LogBase": "derive.information.expectation",
    "Quantity": "derive.information.engine",
    "Witness": "derive.information.identity",
    "information": "derive.information.engine",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'derive.information' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
