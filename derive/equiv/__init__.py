r"""Equivalence of objectives: B = c·A + d with c > 0 and c, d free of the variables.

>>> from derive.equiv import check_equivalent
>>> result = check_equivalent(r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", "mu")
>>> result.status, result.factor, result.constant
('equivalent', 1/(2*sigma**2), log(sigma))

See :mod:`derive.equiv.check` for the meaning, :mod:`derive.equiv.proof` for the
proofs, :mod:`derive.equiv.witness` for the witnesses of a difference.
"""

from __future__ import annotations

from derive.equiv.check import RELATION, STATUSES, Equivalence, assert_equivalent, check_equivalent
from derive.equiv.witness import FactorWitness, OrderWitness, SlopeWitness, Witness

__all__ = [
    "RELATION",
    "STATUSES",
    "Equivalence",
    "FactorWitness",
    "OrderWitness",
    "SlopeWitness",
    "Witness",
    "assert_equivalent",
    "check_equivalent",
]
