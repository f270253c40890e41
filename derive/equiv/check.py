r"""Are two objectives the same up to a positive factor and an additive constant?

A ≡ B in the variables v when **B = c·A + d** with c > 0 and c, d free of v (they
may depend on the other symbols, the constants of the problem, for every admissible
value of those). Minimising A or B over v is then the same problem.

:func:`check_equivalent` answers with an :class:`Equivalence`:

- ``equivalent``: c and d are *proved* (:mod:`derive.equiv.proof`), never sampled;
- ``different``: with an exact witness (:mod:`derive.equiv.witness`) — two points A
  and B order differently, three points where the change of B over the change of A
  is not constant, or a proved factor c ≤ 0;
- ``unknown``: neither a proof nor a witness was found (the reason says what failed).

>>> check_equivalent(r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", "mu").factor
1/(2*sigma**2)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from derive.equiv.names import Problem, read_problem
from derive.equiv.proof import Affine, find_affine
from derive.equiv.witness import Witness, find_witness
from derive.render.unicode import unicode

__all__ = ["STATUSES", "Equivalence", "assert_equivalent", "check_equivalent"]

STATUSES = ("equivalent", "different", "unknown")
RELATION = "B = c·A + d"
"""How the factor c and the constant d relate the two expressions (A the first)."""


@dataclass(frozen=True)
class Equivalence:
    """The answer: ``status`` in :data:`STATUSES`; ``factor`` c (> 0) and ``constant`` d of
    B = c·A + d when equivalent (else ``None``); ``reason``, one sentence; ``witness``
    when different (``None`` otherwise); ``wrt``, the variables' names."""

    status: str
    factor: sp.Expr | None
    constant: sp.Expr | None
    reason: str
    witness: Witness | None
    wrt: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.status == "equivalent"

    def explain(self) -> str:
        """The answer in words, for people (several lines)."""
        wrt = ", ".join(self.wrt)
        if self.status == "equivalent":
            assert self.factor is not None and self.constant is not None
            return (
                f"equivalent in {wrt}: {RELATION}\n"
                f"  c = {unicode(self.factor)}   (> 0, free of {wrt})\n"
                f"  d = {unicode(self.constant)}   (free of {wrt})\n"
                f"{self.reason}\n"
            )
        lines = [f"{self.status} in {wrt}: {self.reason}"]
        if self.witness is not None:
            lines.append(f"  witness ({self.witness.kind}): {self.witness.describe()}")
        return "\n".join(lines) + "\n"


def _equivalent(problem: Problem, factor: sp.Expr, constant: sp.Expr, how: str) -> Equivalence:
    what = {
        "canonical forms": "B − c·A − d reduces to 0 in canonical form",
        "piecewise": "B − c·A − d reduces to 0 on every piece",
        "gradients": "∇B − c·∇A reduces to 0 and both are smooth on a connected domain",
        "constants": "A and B are both free of the variables, so B = 1·A + (B − A)",
    }[how]
    return Equivalence(
        "equivalent",
        factor,
        constant,
        f"proved: {what}, and c > 0.",
        None,
        tuple(v.name for v in problem.variables),
    )


def decide(problem: Problem) -> Equivalence:
    """The answer for a problem already read (see :func:`check_equivalent`)."""
    wrt = tuple(v.name for v in problem.variables)
    variables = set(problem.variables)
    a_free = not problem.a.free_symbols & variables
    if not problem.b.free_symbols & variables:
        if a_free:
            return _equivalent(problem, sp.S.One, problem.b - problem.a, "constants")
        # B = 0·A + B: the only factor is 0, not positive (A varies: witness below)
        affine: Affine | None = Affine(sp.S.Zero, problem.b, "constants", -1)
        why = ""
    else:
        affine, why = find_affine(problem)
    if affine is not None and affine.sign > 0:
        return _equivalent(problem, affine.factor, affine.constant, affine.how)
    witness = find_witness(problem, affine if affine is not None and affine.sign < 0 else None)
    if witness is not None:
        reason = {
            "order": "A and B order two points differently, which no positive factor does.",
            "slope": "the change of B over the change of A is not constant, so no factor is.",
            "factor": "the only factor that relates them is not positive.",
        }[witness.kind]
        return Equivalence("different", None, None, reason, witness, wrt)
    if affine is not None and affine.how == "constants":
        why = (
            "B is free of the variables and A is not manifestly, "
            "but A took one value at the exact points tried"
        )
    elif affine is not None:
        shown = unicode(affine.factor)
        why = f"B = c·A + d with c = {shown}, whose sign is not proved, and no witness either"
    else:
        why = f"{why}; and no witness was found at the exact points tried"
    return Equivalence("unknown", None, None, why + ".", None, wrt)


def check_equivalent(
    a: object,
    b: object,
    wrt: str | Sequence[str],
    *,
    positive: str | Sequence[str] = (),
    real: str | Sequence[str] = (),
    binary: str | Sequence[str] = (),
) -> Equivalence:
    """Whether B = c·A + d with c > 0 and c, d free of ``wrt`` (see the module doc).

    ``a`` and ``b`` are SymPy expressions or LaTeX text; ``wrt`` names the variables (a
    sequence or a comma-separated string). Every other symbol is a constant with the
    domain its name suggests (:mod:`derive.equiv.names`) unless declared ``positive``,
    ``real`` or ``binary``. Raises :class:`~derive.errors.DeriveError` on bad input.
    """
    return decide(read_problem(a, b, wrt, positive=positive, real=real, binary=binary))


def assert_equivalent(
    a: object,
    b: object,
    *,
    wrt: str | Sequence[str],
    positive: str | Sequence[str] = (),
    real: str | Sequence[str] = (),
    binary: str | Sequence[str] = (),
) -> Equivalence:
    """Return the :class:`Equivalence` when A ≡ B is proved; else raise ``AssertionError``
    naming the witness (different) or what failed (unknown)."""
    result = check_equivalent(a, b, wrt, positive=positive, real=real, binary=binary)
    if result.status != "equivalent":
        raise AssertionError(f"not proved equivalent: {result.explain().rstrip()}")
    return result
