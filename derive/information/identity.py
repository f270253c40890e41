"""Identities of information theory as derivations: the data a renderer prints.

An :class:`Identity` is a chain of steps from ``start``, each an equality or
(for Gibbs' inequality) a ``≤`` justified by a named lemma, ending at the
other side of ``statement``. A claim refuted by an example (KL is not
symmetric, KL breaks the triangle inequality) carries a :class:`Witness`: the
laws as exact rationals and the exact value of each divergence, enough for a
reader (or a test) to recompute every number from the witness alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the records are plain data: the registry reads without SymPy
    import sympy as sp

    from derive.steps import Step

__all__ = ["Identity", "Witness"]


@dataclass(frozen=True)
class Witness:
    """An exact counterexample over one family.

    ``laws`` names each distribution (``P``, ``Q`` or ``A``, ``B``, ``C``) with its
    exact parameters (categorical: the probabilities); ``values`` gives each
    quantity the claim compares, by name (``KL(P||Q)``), as an exact expression;
    ``comparison`` states what the values show, as a SymPy relation that is
    ``True`` when evaluated exactly (``KL(A||C) > KL(A||B) + KL(B||C)``).
    """

    family: str
    laws: tuple[tuple[str, tuple[sp.Rational, ...]], ...]
    values: tuple[tuple[str, sp.Expr], ...]
    comparison: sp.Basic


@dataclass(frozen=True)
class Identity:
    """An identity (or a refuted claim) and its proof.

    ``statement`` is the relation proved (``Eq``, ``Le`` or, for a refuted
    claim, the ``Ne`` / ``Gt`` the witness exhibits). ``steps`` go from
    ``start`` to the other side; each is checked as its relation says.
    ``symbols`` are the free symbols with their meaning, in words, for the
    reader; ``notes`` are sentences the proof states after the chain (when
    equality holds, the library call that computes each side). ``facts`` are
    the equations the claim assumes or defines (Σ_k p_k = 1 for a probability
    vector, a target's definition): a step is proved with every fact's left
    side replaced by its right side, repeatedly until nothing changes (a
    definition may use a defined symbol).
    """

    name: str
    title: str
    claim: str
    statement: sp.Basic
    start: sp.Expr
    steps: tuple[Step, ...]
    witness: Witness | None = None
    symbols: tuple[tuple[sp.Basic, str], ...] = ()
    notes: tuple[str, ...] = field(default=())
    facts: tuple[sp.Equality, ...] = field(default=())
