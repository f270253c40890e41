"""The identities ``derive identity NAME`` proves, by name (see :class:`Identity`).

The registry is plain data, so ``derive --help`` and ``derive list`` name the
identities without importing SymPy; each builder loads its proof from
:mod:`derive.information.proofs` when called.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from derive.errors import DeriveError
from derive.family import closest, shorten

if TYPE_CHECKING:
    from derive.information.identity import Identity

__all__ = ["IDENTITIES", "identity"]


def _proof(function: str) -> Callable[[], Identity]:
    """A builder that imports the proofs module only when the identity is asked for."""

    def build() -> Identity:
        proofs = importlib.import_module("derive.information.proofs")
        return getattr(proofs, function)()  # type: ignore[no-any-return]

    build.__name__ = function
    build.__doc__ = f"derive.information.proofs.{function}(), imported when first called."
    return build


# name → (one-line summary for ``derive list``, builder)
IDENTITIES: dict[str, tuple[str, Callable[[], Identity]]] = {
    "cross-entropy-decomposition": (
        "H(P, Q) = H(P) + KL(P‖Q), categorical P, Q over K classes",
        _proof("cross_entropy_decomposition"),
    ),
    "gibbs": ("KL(P‖Q) ≥ 0, equality iff P = Q, via log x ≤ x − 1", _proof("gibbs")),
    "kl-asymmetry": (
        "KL(P‖Q) ≠ KL(Q‖P): an exact categorical witness",
        _proof("kl_asymmetry"),
    ),
    "kl-triangle": (
        "KL(A‖C) > KL(A‖B) + KL(B‖C): an exact categorical witness",
        _proof("kl_triangle"),
    ),
    "bce-is-two-class-ce": (
        "two-class cross-entropy is BCE; softmax of two logits is BCE with logits on z₁ − z₂",
        _proof("bce_is_two_class_ce"),
    ),
    "laplace-half-exponential": (
        "Laplace(0, b) on y > 0 is half an Exponential(1/b); P(Y > 0) = 1/2; |Y| ~ Exponential",
        _proof("laplace_half_exponential"),
    ),
    "label-smoothing": (
        "smoothed cross-entropy = (1 − ε)·NLL + ε·(log K + KL(u‖q)), exactly",
        _proof("label_smoothing"),
    ),
}


def identity(name: str) -> Identity:
    """The identity called ``name`` (case-insensitive), proved."""
    key = name.strip().lower() if isinstance(name, str) else ""
    if key not in IDENTITIES:
        known = list(IDENTITIES)
        raise DeriveError(
            f"unknown identity {shorten(str(name))!r}{closest(key, known)}; "
            f"choose one of: {', '.join(known)}"
        )
    return IDENTITIES[key][1]()
