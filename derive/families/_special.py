"""Special functions of a family's fixed parameters, evaluated exactly only while small.

An option binds a fixed parameter to a number (``--shape``, ``--nu``), and SymPy
evaluates Γ at a whole or half-whole number on construction: exactly, as a
factorial. Γ(3000) has 9000 digits — printing it fails on Python's 4300-digit
limit for ``int`` → ``str`` — and Γ(10⁶) takes minutes. Above a bound, Γ of a
number stays the symbol Γ(x): the same value, and the proofs do not need its digits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sympy as sp

__all__ = ["EVALUATED_UP_TO", "gamma"]

EVALUATED_UP_TO = 100  # Γ(100) = 99! has 156 digits


def gamma(x: sp.Expr) -> sp.Expr:
    """Γ(x): evaluated unless ``x`` is a number above :data:`EVALUATED_UP_TO`."""
    import sympy as sp

    large = bool(x.is_Number and x > EVALUATED_UP_TO)
    return sp.gamma(x, evaluate=not large)
