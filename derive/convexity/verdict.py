"""Typed verdicts: what was proved, what refutes, and why nothing was decided.

A :class:`Verdict` is ``convex`` with a :class:`Certificate`, ``not convex``
with a :class:`Witness` that anyone can re-check exactly, or ``unknown`` with
its :class:`Reason`. Renderers choose their wording by these types, never by
searching the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

__all__ = [
    "CONVEX",
    "NOT_CONVEX",
    "UNKNOWN",
    "Affine",
    "Certificate",
    "Composition",
    "ConstantHessian",
    "Curvature",
    "Given",
    "HessianWitness",
    "MidpointWitness",
    "Minors",
    "NoProof",
    "Reason",
    "Undefined",
    "Verdict",
    "Witness",
]

CONVEX = "convex"
NOT_CONVEX = "not convex"
UNKNOWN = "unknown"

Point = tuple[tuple[sp.Symbol, sp.Expr], ...]


class Certificate:
    """Why a function is convex (a base class; each subclass is one kind of proof)."""


@dataclass(frozen=True)
class Affine(Certificate):
    """The function is affine in the variables."""


@dataclass(frozen=True)
class Composition(Certificate):
    """Convex by the composition rule over the atom table; ``facts`` are the atoms used."""

    facts: tuple[str, ...]


@dataclass(frozen=True)
class Curvature(Certificate):
    """The second derivative (or a diagonal Hessian) in a manifestly non-negative form."""

    form: sp.Expr


@dataclass(frozen=True)
class ConstantHessian(Certificate):
    """A constant Hessian H = L·D·Lᵀ with L unit lower-triangular and D ≥ 0 diagonal."""

    hessian: sp.Matrix
    lower: sp.Matrix
    diagonal: tuple[sp.Expr, ...]


@dataclass(frozen=True)
class Minors(Certificate):
    """Every principal minor of the Hessian is manifestly non-negative (listed)."""

    minors: tuple[sp.Expr, ...]


@dataclass(frozen=True)
class Given(Certificate):
    """A certificate built by a caller for a special structure, with the expression that is
    ≥ 0 (``None`` when the words are the whole argument); ``quadratic``: that expression is
    the quadratic form vᵀ∇²v (the softmax's variance form, for every K)."""

    form: sp.Expr | None = None
    quadratic: bool = False


class Witness:
    """An exact refutation of convexity (a base class)."""


@dataclass(frozen=True)
class HessianWitness(Witness):
    """vᵀ∇²f(x)v = ``value`` < 0 at the exact ``point`` (every free symbol), along ``direction``."""

    point: Point
    direction: tuple[sp.Expr, ...]
    value: sp.Expr

    @property
    def letter(self) -> str:
        """The direction's name: v, unless a variable of the point is called v."""
        names = {getattr(s, "name", "") for s, _ in self.point}
        return next(c for c in ("v", "u", "d", "h", "e") if c not in names)


@dataclass(frozen=True)
class MidpointWitness(Witness):
    """f((a+b)/2) − (f(a)+f(b))/2 = ``gap`` > 0, decided exactly; ``a`` and ``b`` assign
    every free symbol and differ only in the variables."""

    a: Point
    b: Point
    gap: sp.Expr

    @property
    def midpoint(self) -> Point:
        return tuple((s, (u + v) / 2) for (s, u), (_, v) in zip(self.a, self.b, strict=True))


class Reason:
    """Why no verdict was reached (a base class)."""


@dataclass(frozen=True)
class Undefined(Reason):
    """``where`` may be zero or negative inside the domain (a denominator, a log's or a
    root's argument), so the function may be undefined there."""

    where: sp.Expr
    what: str  # "denominator", "logarithm", "root", "not finite", "non-real", "unsupported"


@dataclass(frozen=True)
class NoProof(Reason):
    """No certificate and no witness were found."""

    smooth: bool = True


@dataclass(frozen=True, init=False)
class Verdict:
    """A verdict and its evidence.

    ``reason`` is the one-line account in words; ``certificate``, ``witness`` and
    ``why`` are the typed evidence. ``counterexample``, ``direction`` and ``value``
    read a Hessian witness (and the midpoint of a midpoint witness).
    """

    verdict: str
    wrt: tuple[sp.Basic, ...]
    reason: str
    certificate: Certificate | None
    witness: Witness | None
    why: Reason | None
    notes: tuple[str, ...] = field(default=())

    def __init__(
        self,
        verdict: str,
        wrt: tuple[sp.Basic, ...],
        reason: str,
        certificate: Certificate | sp.Basic | None = None,
        counterexample: Point = (),
        direction: tuple[sp.Expr, ...] = (),
        value: sp.Expr | None = None,
        notes: tuple[str, ...] = (),
        *,
        witness: Witness | None = None,
        why: Reason | None = None,
    ) -> None:
        if certificate is not None and not isinstance(certificate, Certificate):
            certificate = Given(certificate)  # type: ignore[arg-type]
        if witness is None and counterexample:
            witness = HessianWitness(
                tuple(counterexample), tuple(direction), value if value is not None else sp.nan
            )
        if verdict == UNKNOWN and why is None:
            why = NoProof()
        set_ = object.__setattr__
        set_(self, "verdict", verdict)
        set_(self, "wrt", tuple(wrt))
        set_(self, "reason", reason)
        set_(self, "certificate", certificate)
        set_(self, "witness", witness)
        set_(self, "why", why)
        set_(self, "notes", tuple(notes))

    @property
    def is_convex(self) -> bool:
        return self.verdict == CONVEX

    @property
    def counterexample(self) -> Point:
        if isinstance(self.witness, HessianWitness):
            return self.witness.point
        if isinstance(self.witness, MidpointWitness):
            return self.witness.midpoint
        return ()

    @property
    def direction(self) -> tuple[sp.Expr, ...]:
        return self.witness.direction if isinstance(self.witness, HessianWitness) else ()

    @property
    def value(self) -> sp.Expr | None:
        if isinstance(self.witness, HessianWitness):
            return self.witness.value
        if isinstance(self.witness, MidpointWitness):
            return self.witness.gap
        return None

    @property
    def form(self) -> sp.Expr | None:
        """The expression a certificate shows ≥ 0, if it has one."""
        if isinstance(self.certificate, (Curvature, Given)):
            return self.certificate.form
        return None
