"""Composition by atom facts, the way ``cvxpy/atoms/atom.py`` does it.

Each :class:`Atom` knows its curvature, its sign and its monotonicity in each
argument (which may depend on the argument's sign); :func:`curvature` applies
one composition rule to every node:

    f(g₁, …, g_k) is convex when f is convex and, for each i, g_i is affine, or
    f is nondecreasing in its i-th argument and g_i is convex, or f is
    nonincreasing in it and g_i is concave (and symmetrically for concave).

Signs come from :mod:`derive.convexity.signs`; a ``Piecewise`` is an atom only
through :mod:`derive.convexity.piecewise`, which proves it continuous and convex.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from derive.convexity.signs import nonnegative, positive_manifest
from derive.functions import huber, sigmoid, softplus

__all__ = ["AFFINE", "ATOMS", "CONCAVE", "CONVEX", "UNKNOWN", "Atom", "affine", "curvature"]

AFFINE, CONVEX, CONCAVE, UNKNOWN = 0, 1, -1, 2
INC, DEC, NONE = 1, -1, 0

Signs = tuple[int, ...]  # per argument: +1 non-negative, −1 non-positive, 0 unknown


@dataclass(frozen=True)
class Atom:
    """One function of the table: how to find it, and its facts.

    ``match`` returns the atom's arguments in an expression, or ``None``.
    ``curvature`` and ``monotone`` may depend on the arguments' signs;
    ``requires`` is a condition on those signs without which the atom is not
    used (a power x^{3/2} needs x ≥ 0).
    """

    name: str
    match: Callable[[sp.Expr, Sequence[sp.Basic]], tuple[sp.Expr, ...] | None]
    curvature: Callable[[Signs], int]
    monotone: Callable[[int, Signs], int]
    requires: Callable[[Signs], bool] = lambda signs: True


def affine(expr: sp.Expr, wrt: Sequence[sp.Basic]) -> bool:
    """``expr`` is affine in ``wrt`` (a polynomial of degree ≤ 1 with free coefficients)."""
    if not expr.has(*wrt):
        return True
    try:
        poly = sp.Poly(expr, *wrt)
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError, TypeError):
        return False
    if any(c.has(*wrt) for c in poly.coeffs()):
        return False
    return poly.total_degree() <= 1


def _is(
    kind: type[sp.Basic],
) -> Callable[[sp.Expr, Sequence[sp.Basic]], tuple[sp.Expr, ...] | None]:
    def match(e: sp.Expr, wrt: Sequence[sp.Basic]) -> tuple[sp.Expr, ...] | None:
        return tuple(e.args) if isinstance(e, kind) else None

    return match


def _const(value: int) -> Callable[..., int]:
    return lambda *args: value


def _by_sign(index_sign: int) -> int:
    return INC if index_sign > 0 else DEC if index_sign < 0 else NONE


def _power(e: sp.Expr, wrt: Sequence[sp.Basic]) -> tuple[sp.Expr, ...] | None:
    if isinstance(e, sp.Pow) and e.exp.is_Rational and e.exp not in (0, 1):
        return (e.base,)
    return None


def _power_facts(e: sp.Pow) -> Atom:
    p = e.exp
    if p.is_integer and p.is_even and p > 0:
        return Atom(f"x^{p}", _power, _const(CONVEX), lambda i, s: _by_sign(s[0]))
    if p.is_integer and p > 1:  # odd: convex and increasing on x ≥ 0
        return Atom(f"x^{p} on x ≥ 0", _power, _const(CONVEX), _const(INC), lambda s: s[0] > 0)
    if p > 1:
        return Atom(f"x^{p} on x ≥ 0", _power, _const(CONVEX), _const(INC), lambda s: s[0] > 0)
    if 0 < p < 1:
        return Atom(f"x^{p} on x ≥ 0", _power, _const(CONCAVE), _const(INC), lambda s: s[0] > 0)
    return Atom(f"x^{p} on x > 0", _power, _const(CONVEX), _const(DEC), lambda s: s[0] > 0)


def _terms_of_exp(arg: sp.Expr) -> tuple[sp.Expr, ...] | None:
    """Σ c_i·exp(u_i) (c_i > 0 constants, a constant term is c·exp(0)) → the u_i + log c_i."""
    out: list[sp.Expr] = []
    terms = sp.Add.make_args(arg)
    if len(terms) < 2:
        return None
    for term in terms:
        coeff, rest = term.as_coeff_Mul()
        if coeff <= 0:
            return None
        if rest == 1:
            out.append(sp.log(coeff))
        elif isinstance(rest, sp.exp):
            out.append(rest.args[0] + sp.log(coeff))
        else:
            return None
    return tuple(out)


def _logsumexp(e: sp.Expr, wrt: Sequence[sp.Basic]) -> tuple[sp.Expr, ...] | None:
    if not isinstance(e, sp.log):
        return None
    arg = e.args[0]
    if isinstance(arg, sp.Sum) and isinstance(arg.function, sp.exp):
        if any(bound.has(*wrt) for limit in arg.limits for bound in limit[1:]):
            return None
        return (arg.function.args[0],)
    return _terms_of_exp(arg)


def _log_of(
    kind: type[sp.Basic],
) -> Callable[[sp.Expr, Sequence[sp.Basic]], tuple[sp.Expr, ...] | None]:
    def match(e: sp.Expr, wrt: Sequence[sp.Basic]) -> tuple[sp.Expr, ...] | None:
        inner: sp.Basic | None = e.args[0] if isinstance(e, sp.log) else None
        if isinstance(inner, kind):
            return (inner.args[0],)
        return None

    return match


def _log_one_minus_sigmoid(e: sp.Expr, wrt: Sequence[sp.Basic]) -> tuple[sp.Expr, ...] | None:
    if not isinstance(e, sp.log):
        return None
    sig = list(e.args[0].atoms(sigmoid))
    if len(sig) == 1 and sp.expand(e.args[0] - (1 - sig[0])) == 0:
        return (sig[0].args[0],)
    return None


def _norm2(e: sp.Expr, wrt: Sequence[sp.Basic]) -> tuple[sp.Expr, ...] | None:
    """√(Σ u_i² + c) with c ≥ 0 constant: the Euclidean norm of (u_1, …, √c)."""
    if not (isinstance(e, sp.Pow) and e.exp == sp.Rational(1, 2)):
        return None
    out: list[sp.Expr] = []
    for term in sp.Add.make_args(e.base):
        coeff, rest = term.as_independent(*wrt, as_Add=False)
        if rest == 1:
            if not nonnegative(coeff):
                return None
            out.append(sp.sqrt(coeff))
        elif isinstance(rest, sp.Pow) and rest.exp == 2 and nonnegative(coeff):
            out.append(sp.sqrt(coeff) * rest.base)
        else:
            return None
    return tuple(out)


def _quad_over_lin(e: sp.Expr, wrt: Sequence[sp.Basic]) -> tuple[sp.Expr, ...] | None:
    """u²/w (w > 0): convex jointly in (u, w)."""
    if not isinstance(e, sp.Mul):
        return None
    numerator, denominator = sp.fraction(e)
    if denominator == 1 or not denominator.has(*wrt):
        return None
    if isinstance(numerator, sp.Pow) and numerator.exp == 2:
        return (numerator.base, denominator)
    return None


def _xlogx(e: sp.Expr, wrt: Sequence[sp.Basic]) -> tuple[sp.Expr, ...] | None:
    """u·log u (u > 0): the negative entropy, convex."""
    if isinstance(e, sp.Mul) and len(e.args) == 2:
        a, b = e.args
        for u, lg in ((a, b), (b, a)):
            if isinstance(lg, sp.log) and lg.args[0] == u:
                return (u,)
    return None


def _mono_abs(i: int, s: Signs) -> int:
    return _by_sign(s[0])


ATOMS: tuple[Atom, ...] = (
    Atom("logsumexp", _logsumexp, _const(CONVEX), _const(INC)),
    Atom("log cosh", _log_of(sp.cosh), _const(CONVEX), _mono_abs),
    Atom("log σ", _log_of(sigmoid), _const(CONCAVE), _const(INC)),
    Atom("log(1 − σ)", _log_one_minus_sigmoid, _const(CONCAVE), _const(DEC)),
    Atom("exp", _is(sp.exp), _const(CONVEX), _const(INC)),
    Atom("softplus", _is(softplus), _const(CONVEX), _const(INC)),
    Atom("log", _is(sp.log), _const(CONCAVE), _const(INC), lambda s: s[0] > 0),
    Atom("|·|", _is(sp.Abs), _const(CONVEX), _mono_abs),
    Atom(
        "huber_δ (δ > 0)",
        lambda e, wrt: (
            (e.args[0],)
            if isinstance(e, huber) and not e.args[1].has(*wrt) and positive_manifest(e.args[1])
            else None
        ),
        _const(CONVEX),
        _mono_abs,
    ),
    Atom("cosh", _is(sp.cosh), _const(CONVEX), _mono_abs),
    Atom("max", _is(sp.Max), _const(CONVEX), _const(INC)),
    Atom("min", _is(sp.Min), _const(CONCAVE), _const(INC)),
    Atom(
        "σ",
        _is(sigmoid),
        lambda s: CONVEX if s[0] < 0 else CONCAVE if s[0] > 0 else UNKNOWN,
        _const(INC),
    ),
    Atom("the Euclidean norm √(Σ uᵢ²)", _norm2, _const(CONVEX), lambda i, s: _by_sign(s[i])),
    Atom(
        "quad-over-lin u²/w (w > 0)",
        _quad_over_lin,
        _const(CONVEX),
        lambda i, s: _by_sign(s[0]) if i == 0 else DEC,
        lambda s: s[1] > 0,
    ),
    Atom("u·log u (u > 0)", _xlogx, _const(CONVEX), _const(NONE), lambda s: s[0] > 0),
)


def _sign(expr: sp.Expr, facts: tuple[sp.Expr, ...]) -> int:
    if positive_manifest(expr, facts) or nonnegative(expr, facts):
        return 1
    if nonnegative(sp.expand(-expr), facts):
        return -1
    return 0


class Composer:
    """The composition rule over the atom table, remembering the facts it used."""

    def __init__(
        self,
        wrt: Sequence[sp.Basic],
        facts: tuple[sp.Expr, ...],
        piecewise: Callable[[sp.Piecewise, Composer], int] | None = None,
    ) -> None:
        self.wrt = tuple(wrt)
        self.facts = facts
        self.used: list[str] = []
        self.piecewise = piecewise

    def note(self, text: str) -> None:
        if text not in self.used:
            self.used.append(text)

    def __call__(self, expr: sp.Expr) -> int:
        wrt = self.wrt
        if affine(expr, wrt):
            return AFFINE
        if isinstance(expr, sp.Add):
            kinds = [self(a) for a in expr.args]
            if UNKNOWN in kinds:
                return UNKNOWN
            if all(k in (AFFINE, CONVEX) for k in kinds):
                self.note("a sum of convex functions is convex")
                return CONVEX
            if all(k in (AFFINE, CONCAVE) for k in kinds):
                return CONCAVE
            return UNKNOWN
        if isinstance(expr, sp.Sum):
            if any(bound.has(*wrt) for limit in expr.limits for bound in limit[1:]):
                return UNKNOWN
            inner = self(expr.function)
            if inner == CONVEX:
                self.note("a sum of convex functions is convex")
            return inner
        if isinstance(expr, sp.Mul):
            const, rest = expr.as_independent(*wrt, as_Add=False)
            if const != 1:
                sign = _sign(const, self.facts)
                inner = self(rest)
                if inner in (AFFINE, UNKNOWN):
                    return inner
                if sign == 0:
                    return UNKNOWN
                self.note(
                    f"a non-{'negative' if sign > 0 else 'positive'} multiple of a "
                    f"{'convex' if inner == CONVEX else 'concave'} function is "
                    f"{'convex' if sign * inner == CONVEX else 'concave'}"
                )
                return sign * inner
        if isinstance(expr, sp.Piecewise):
            return UNKNOWN if self.piecewise is None else self.piecewise(expr, self)
        for atom in self._atoms(expr):
            found = atom.match(expr, wrt)
            if found is None:
                continue
            verdict = self._compose(atom, found)
            if verdict != UNKNOWN:
                return verdict
        return UNKNOWN

    def _atoms(self, expr: sp.Expr) -> tuple[Atom, ...]:
        if isinstance(expr, sp.Pow) and expr.exp.is_Rational:
            return (*ATOMS, _power_facts(expr))
        if isinstance(expr, sp.Pow) and expr.exp.is_integer and expr.exp.is_even:
            if expr.exp.is_positive:  # x^(2n), n a positive integer symbol
                even = Atom("an even power", lambda e, w: (e.base,), _const(CONVEX), _mono_abs)
                return (even,)
        return ATOMS

    def _compose(self, atom: Atom, args: tuple[sp.Expr, ...]) -> int:
        signs = tuple(_sign(a, self.facts) for a in args)
        if not atom.requires(signs):
            return UNKNOWN
        kind = atom.curvature(signs)
        if kind not in (CONVEX, CONCAVE):
            return UNKNOWN
        kinds = [self(a) for a in args]
        for index, inner in enumerate(kinds):
            if inner == AFFINE:
                continue
            if inner == UNKNOWN:
                return UNKNOWN
            direction = atom.monotone(index, signs)
            # convex∘: nondecreasing of convex, nonincreasing of concave (and the mirror)
            if direction == NONE or direction * inner != kind:
                return UNKNOWN
        shape = "convex" if kind == CONVEX else "concave"
        if all(k == AFFINE for k in kinds):
            self.note(f"{atom.name} is {shape}, of an affine argument")
        else:
            self.note(f"{atom.name} is {shape} and monotone in each argument the right way")
        return kind


def curvature(
    expr: sp.Expr,
    wrt: Sequence[sp.Basic],
    facts: tuple[sp.Expr, ...] = (),
    piecewise: Callable[[sp.Piecewise, Composer], int] | None = None,
) -> tuple[int, tuple[str, ...]]:
    """The curvature of ``expr`` by the composition rule, and the facts used."""
    composer = Composer(wrt, facts, piecewise)
    kind = composer(expr)
    return kind, tuple(composer.used)
