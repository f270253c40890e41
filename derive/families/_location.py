"""What the location families share: the ``--scale`` option that fixes their scale.

Plain data (no SymPy): each family binds the option to its own scale variable
(s, γ or b); one help text, since the command line has one ``--scale`` flag.
"""

from __future__ import annotations

from derive.family import Option

__all__ = ["scale"]


def scale(variable: str) -> Option:
    """``--scale S``: the fixed scale ``variable`` set to the number S > 0 (else symbolic)."""
    return Option(
        "scale",
        "--scale",
        "student-t, cauchy, logistic, asymmetric-laplace: set the fixed scale "
        "(s, γ, b) to a number > 0; default symbolic",
        metavar="S",
        binds=variable,
    )
