"""Information theory derived from the densities: entropy, cross-entropy, KL divergence.

``information(kind, *laws, base=…)`` derives H(P), H(P, Q) or KL(P‖Q) of
built-in families (or user densities) step by step; :mod:`.identity` holds the
identities between them (cross-entropy decomposition, Gibbs' inequality, …).
"""

from __future__ import annotations

from derive.information.engine import BASES, KINDS, Information, Quantity, information
from derive.information.expectation import Expectation, LogBase
from derive.information.identity import Identity, Witness

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
