"""A ``Piecewise`` is convex only when proved continuous with non-decreasing slopes.

A function of one variable w that is convex on each interval of a partition,
continuous at every breakpoint, and whose slope does not drop across any
breakpoint (left derivative ≤ right derivative) is convex — that is the
certificate, decided exactly. Piecewise derivatives alone never certify
anything: a jump or a concave kink fails the test. A ``Piecewise`` whose
conditions involve several variables is convex only as a recognised max or
min of its pieces.
"""

from __future__ import annotations

import itertools

import sympy as sp

from derive.convexity.atoms import AFFINE, CONCAVE, CONVEX, UNKNOWN, Composer, affine
from derive.convexity.signs import forms, nonnegative

__all__ = ["breakpoints", "piecewise_curvature"]

MAX_PIECES = 12


def _relationals(cond: sp.Basic) -> list[sp.Rel] | None:
    if cond in (sp.true, sp.false):
        return []
    if isinstance(cond, sp.Rel):
        return [cond]
    if isinstance(cond, (sp.And, sp.Or, sp.Not)):
        out: list[sp.Rel] = []
        for arg in cond.args:
            found = _relationals(arg)
            if found is None:
                return None
            out.extend(found)
        return out
    return None


def breakpoints(pw: sp.Piecewise, w: sp.Basic) -> list[sp.Expr] | None:
    """The points of the real line where a condition of ``pw`` can change, sorted; ``None``
    when a condition is not (the absolute value of) an affine function of ``w`` or the
    points cannot be ordered."""
    points: list[sp.Expr] = []
    for _, cond in pw.args:
        rels = _relationals(cond)
        if rels is None:
            return None
        for rel in rels:
            if isinstance(rel, (sp.Eq, sp.Ne)) and not rel.has(w):
                continue
            g = sp.expand(rel.lhs - rel.rhs)
            if not g.has(w):
                continue
            roots = _roots(g, w)
            if roots is None:
                return None
            points.extend(roots)
    unique: list[sp.Expr] = []
    for p in points:
        if not any(sp.expand(p - q) == 0 for q in unique):
            unique.append(p)
    try:
        ordered = sorted(unique, key=lambda p: _Order(p))
    except _Unordered:
        return None
    return ordered


def _roots(g: sp.Expr, w: sp.Basic) -> list[sp.Expr] | None:
    """Roots in w of g, where g is affine in w or c·|affine| + d."""
    if affine(g, [w]):
        a = sp.diff(g, w)
        if not (a.is_nonzero or a.is_positive or a.is_negative):
            return None
        return [sp.expand(w - g / a)]
    abs_nodes = [node for node in g.atoms(sp.Abs) if node.has(w)]
    if len(abs_nodes) == 1:
        u = abs_nodes[0].args[0]
        t = sp.Dummy("t", nonnegative=True)
        h = g.xreplace({abs_nodes[0]: t})
        if h.has(w) or not affine(u, [w]) or not affine(h, [t]):
            return None
        c = sp.diff(h, t)
        if not c.is_nonzero:
            return None
        level = -h.subs(t, 0) / c  # |u| = level
        a = sp.diff(u, w)
        if not a.is_nonzero:
            return None
        return [sp.expand(w - (u - level) / a), sp.expand(w - (u + level) / a)]
    return None


class _Unordered(Exception):
    pass


class _Order:
    def __init__(self, value: sp.Expr) -> None:
        self.value = value

    def __lt__(self, other: _Order) -> bool:
        d = sp.expand(other.value - self.value)
        if d.is_positive or (nonnegative(d) and d != 0 and d.is_nonzero):
            return True
        if d.is_negative or nonnegative(-d):
            return False
        raise _Unordered


def _inside(lo: sp.Expr | None, hi: sp.Expr | None) -> sp.Expr:
    if lo is None and hi is None:
        return sp.S.Zero
    if lo is None:
        return hi - 1  # type: ignore[operator]
    if hi is None:
        return lo + 1
    return (lo + hi) / 2


def _active(pw: sp.Piecewise, w: sp.Basic, at: sp.Expr) -> sp.Expr | None:
    """The piece in force at ``w = at`` (decided from the assumptions), or ``None``."""
    for piece, cond in pw.args:
        value = cond.subs(w, at) if isinstance(cond, sp.Basic) else cond
        if value is sp.true or value is True:
            return piece
        if value is sp.false or value is False:
            continue
        return None
    return None


def _convex_on(piece: sp.Expr, w: sp.Basic, lo: sp.Expr | None, composer: Composer) -> int:
    """CONVEX/AFFINE when the piece is convex on its interval (globally, or by a manifestly
    non-negative second derivative right of ``lo``)."""
    sub = Composer((w,), composer.facts, composer.piecewise)
    kind = sub(piece)
    if kind in (AFFINE, CONVEX):
        composer.used.extend(u for u in sub.used if u not in composer.used)
        return kind
    second = sp.diff(piece, w, 2)
    candidates = [second]
    if lo is not None:
        s = sp.Dummy("s", positive=True)
        candidates.append(second.xreplace({w: lo + s}))
    for candidate in candidates:
        if any(nonnegative(f, composer.facts) for f in forms(candidate)):
            return CONVEX
    return UNKNOWN


def _max_min(pw: sp.Piecewise, composer: Composer) -> int:
    """Piecewise((a, a ≥ b), (b, True)) is max(a, b); with ≤, min(a, b)."""
    if len(pw.args) != 2 or pw.args[1][1] is not sp.true:
        return UNKNOWN
    (a, cond), (b, _) = pw.args
    if not isinstance(cond, sp.Rel) or isinstance(cond, (sp.Eq, sp.Ne)):
        return UNKNOWN
    g = sp.expand(cond.lhs - cond.rhs)
    bigger = isinstance(cond, (sp.GreaterThan, sp.StrictGreaterThan))
    if sp.expand(g - (a - b)) == 0:
        form = sp.Max(a, b) if bigger else sp.Min(a, b)
    elif sp.expand(g - (b - a)) == 0:
        form = sp.Min(a, b) if bigger else sp.Max(a, b)
    else:
        return UNKNOWN
    kind = composer(form)
    if kind == CONVEX:
        composer.note("the piecewise function is the max of its pieces")
    return kind


def piecewise_curvature(pw: sp.Piecewise, composer: Composer) -> int:
    """CONVEX when ``pw`` is proved convex (see the module), CONCAVE when −pw is, else
    UNKNOWN."""
    wrt = [w for w in composer.wrt if pw.has(w)]
    cond_vars = [w for w in composer.wrt if any(c.has(w) for _, c in pw.args)]
    if len(wrt) != 1 or len(cond_vars) > 1 or len(pw.args) > MAX_PIECES:
        return _max_min(pw, composer)
    w = wrt[0]
    if _convex_1d(pw, w, composer):
        return CONVEX
    negated = sp.Piecewise(*[(-piece, cond) for piece, cond in pw.args])
    if _convex_1d(negated, w, Composer(composer.wrt, composer.facts, composer.piecewise)):
        return CONCAVE
    return UNKNOWN


def _convex_1d(pw: sp.Piecewise, w: sp.Basic, composer: Composer) -> bool:
    points = breakpoints(pw, w)
    if points is None:
        return False
    bounds: list[sp.Expr | None] = [None, *points, None]
    pieces: list[sp.Expr] = []
    for lo, hi in itertools.pairwise(bounds):
        piece = _active(pw, w, _inside(lo, hi))
        if piece is None or _convex_on(piece, w, lo, composer) not in (AFFINE, CONVEX):
            return False
        pieces.append(piece)
    for point, left, right in zip(points, pieces[:-1], pieces[1:], strict=True):
        at = _active(pw, w, point)
        if at is None:
            return False
        values = [sp.expand(p.subs(w, point)) for p in (left, right, at)]
        if any(sp.expand(v - values[0]) != 0 for v in values[1:]):
            return False  # a jump: not continuous
        jump = sp.expand(sp.diff(right, w).subs(w, point) - sp.diff(left, w).subs(w, point))
        if not any(nonnegative(f, composer.facts) for f in forms(jump)):
            return False  # the slope may drop: a concave kink
    if points:
        composer.note(
            "the piecewise function is continuous, convex on each piece, "
            "and its slope does not decrease at any breakpoint"
        )
    return True
