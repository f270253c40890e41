"""Gradients, Hessians and convexity verdicts of a derived per-sample loss.

The loss analysed is the derived per-sample loss ℓ (the summand of the
objective once constants are dropped and the positive factor divided out;
``nll = scale·ℓ + offset``, so ∇nll = scale·∇ℓ). Variables are the model's
output: f, p, q or the logits z. For a symbolic number of classes the
gradient and Hessian are given entrywise in class indices a, b, and convexity
is proved for every K by the variance identity
vᵀ(diag(p) − ppᵀ)v = Σ_a p_a (v_a − Σ_b p_b v_b)² ≥ 0.
For the scalar-output models the linear predictor z = wᵀx is analysed too:
∇_w ℓ = ℓ'(z)·x and ∇²_w ℓ = ℓ''(z)·x xᵀ, convex exactly when ℓ'' ≥ 0; and a
density that is an exponential family is recognised (:mod:`derive.exponential`):
its statistic, natural parameter and log-partition function, the convexity of
the NLL in the natural parameter, and whether the link is canonical.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from derive.algebra import proved_zero
from derive.compile import K, j
from derive.convexity import (
    CONVEX,
    NOT_CONVEX,
    Given,
    MidpointWitness,
    Verdict,
    convexity,
    sigmoid_region,
)
from derive.errors import DeriveError
from derive.exponential import ExponentialFamily, recognise
from derive.family import Domain, families
from derive.functions import sigmoid, softplus, to_core
from derive.render.unicode import unicode
from derive.steps import Derivation

__all__ = [
    "Analysis",
    "Comparison",
    "LinearPredictor",
    "analyse",
    "derived_loss",
    "mse_on_probabilities",
    "residual_region",
]

COMPARE = "mse"
A = sp.Symbol("a", integer=True, positive=True)
B = sp.Symbol("b", integer=True, positive=True)
V = sp.IndexedBase("v", real=True)
Z = sp.Symbol("z", real=True)
W = sp.Symbol("w")
X = sp.Symbol("x")


@dataclass(frozen=True)
class LinearPredictor:
    """ℓ(wᵀx): gradient ℓ'(z)·x, Hessian ℓ''(z)·x xᵀ, and the verdict in w."""

    variable: sp.Symbol
    derivative: sp.Expr
    curvature: sp.Expr
    verdict: Verdict


@dataclass(frozen=True)
class Comparison:
    """MSE on the predicted probability against the derived loss (the seed's argument)."""

    mse: sp.Expr
    mse_gradient: sp.Expr
    loss_gradient: sp.Expr
    limits: tuple[tuple[str, sp.Expr, sp.Expr], ...]  # (case, MSE limit, derived limit)
    mse_verdict: Verdict
    regions: tuple[tuple[str, str], ...]
    classes: int | None = None


@dataclass(frozen=True)
class Analysis:
    """What the derivative tells about the derived loss ℓ."""

    loss: sp.Expr
    wrt: tuple[sp.Basic, ...]
    gradient: tuple[tuple[sp.Basic, sp.Expr], ...]
    hessian: sp.Matrix | None
    hessian_entry: sp.Expr | None
    verdict: Verdict
    notes: tuple[str, ...] = field(default=())
    linear: LinearPredictor | None = None
    comparison: Comparison | None = None
    exponential: ExponentialFamily | None = None
    # not convex, scalar: exactly where the second derivative is negative (see residual_region)
    region: sp.Boolean | None = None


def derived_loss(d: Derivation) -> sp.Expr:
    """ℓ: the per-sample summand of the objective before it is named and averaged."""
    return d.derived


def _symbols(d: Derivation) -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(b.name, **b.label._assumptions_orig) for b in d.variables.prediction)


def _in_range(expr: sp.Expr) -> sp.Expr:
    """Resolve SymPy's ``Piecewise((g, K >= a), …)``: class indices and labels lie in 1..K."""

    def within(cond: sp.Basic) -> bool:
        parts = cond.args if isinstance(cond, sp.And) else (cond,)
        return all(isinstance(r, sp.GreaterThan) and r.lhs == K and r.rhs.is_integer for r in parts)

    return expr.replace(
        lambda e: isinstance(e, sp.Piecewise) and within(e.args[0].cond),
        lambda e: e.args[0].expr,
    )


def _symbolic_classes(d: Derivation, loss: sp.Expr) -> Analysis:
    base = d.variables.prediction[0]
    vec = sp.IndexedBase(base.name, **base.label._assumptions_orig)
    grad = _in_range(sp.diff(loss, vec[A]).doit())
    hess = _in_range(sp.diff(grad, vec[B]).doit())
    total = sp.Sum(sp.exp(vec[j]), (j, 1, K))
    p = lambda c: sp.exp(vec[c]) / total  # noqa: E731 - the softmax, entrywise
    template = p(A) * sp.KroneckerDelta(A, B) - p(A) * p(B)
    if loss.has(sp.exp) and proved_zero(hess - template):
        quad = _quadratic_form_identity(p)
        verdict = Verdict(
            CONVEX,
            (vec[A],),
            "∇² = diag(p) − ppᵀ with p = softmax(z), and for every v and every K, "
            "vᵀ(diag(p) − ppᵀ)v = Σ_a p_a v_a² − (Σ_a p_a v_a)² = Σ_a p_a (v_a − Σ_b p_b v_b)²"
            " ≥ 0 (the variance of v under p)",
            certificate=Given(quad, quadratic=True),
        )
        return Analysis(
            loss,
            (vec[A],),
            ((vec[A], grad),),
            None,
            hess,
            verdict,
            notes=(
                "∇² = diag(p) − ppᵀ, where p_a = exp(z_a)/Σ_j exp(z_j) is the softmax; it does not "
                "depend on the targets",
            ),
        )
    # identity link: −Σ_k w_k log q_k — the quadratic form is a weighted sum of squares.
    quad = _in_range(sp.Sum(sp.Sum(V[A] * V[B] * hess, (A, 1, K)), (B, 1, K)).doit())
    quad = _in_range(quad.doit())
    quad = _in_range(quad.doit())
    if _nonneg_entry(quad):
        verdict = Verdict(
            CONVEX,
            (vec[A],),
            "for every v and every K the quadratic form vᵀ∇²v is a sum of non-negative "
            "weights times squares (the Hessian is diagonal with entries w_a/q_a² ≥ 0)",
            certificate=Given(quad, quadratic=True),
        )
        return Analysis(loss, (vec[A],), ((vec[A], grad),), None, hess, verdict)
    return _unknown(d, loss, (vec[A],), grad, hess, "no certificate for this Hessian")


def _nonneg_entry(entry: sp.Expr) -> bool:
    from derive.convexity import nonnegative

    return nonnegative(entry)


def _quadratic_form_identity(p: object) -> sp.Expr:
    """Prove Σ_a Σ_b v_a v_b H_ab = Σ_a p_a (v_a − Σ_b p_b v_b)² when Σ_a p_a = 1.

    Returned is the right-hand side, the certificate; a failed proof raises.
    """
    pa = p(A)  # type: ignore[operator]
    pb = p(B)  # type: ignore[operator]
    mean = sp.Sum(pb * V[B], (B, 1, K))
    lhs = sp.Sum(pa * V[A] ** 2, (A, 1, K)) - mean.xreplace({B: A}) * mean
    rhs = sp.Sum(pa * (V[A] - mean) ** 2, (A, 1, K))
    if not proved_zero(rhs - lhs):
        raise DeriveError("could not prove the softmax variance identity")
    return rhs


def _unknown(
    d: Derivation, loss: sp.Expr, wrt: tuple[sp.Basic, ...], grad: sp.Expr, hess: sp.Expr, why: str
) -> Analysis:
    return Analysis(loss, wrt, ((wrt[0], grad),), None, hess, Verdict("unknown", (), why))


def _linear(
    loss: sp.Expr, z: sp.Symbol, facts: tuple[sp.Expr, ...], verdict: Verdict
) -> LinearPredictor:
    first = sp.diff(loss, z)
    second = sp.diff(first, z)
    if verdict.verdict == CONVEX:
        wv = Verdict(
            CONVEX,
            (W,),
            f"ℓ is convex in {unicode(z)} and {unicode(z)} = wᵀx is affine in w; "
            "a convex function of an affine map is convex "
            f"(∇²_w ℓ = ℓ''({unicode(z)})·x xᵀ and vᵀ x xᵀ v = (xᵀv)² ≥ 0)",
            certificate=second,
        )
    elif isinstance(verdict.witness, MidpointWitness):
        # with one feature x = 1, w ↦ ℓ(w) is ℓ itself: the same two points refute it
        def in_w(
            point: tuple[tuple[sp.Basic, sp.Expr], ...],
        ) -> tuple[tuple[sp.Basic, sp.Expr], ...]:
            pairs = [(W if s == z else s, val) for s, val in point] + [(X, sp.Integer(1))]
            return tuple(sorted(pairs, key=lambda kv: kv[0].name))

        wv = Verdict(
            NOT_CONVEX,
            (W,),
            "with one feature x = 1, w ↦ ℓ(w·x) is ℓ itself, and f((a+b)/2) > (f(a)+f(b))/2 "
            "at the same exact points",
            witness=MidpointWitness(
                in_w(verdict.witness.a), in_w(verdict.witness.b), verdict.witness.gap
            ),
        )
    elif verdict.verdict == NOT_CONVEX:
        point = dict(verdict.counterexample)
        z0 = point.get(z, sp.S.Zero)
        wv = Verdict(
            NOT_CONVEX,
            (W,),
            f"with one feature x = 1 and w = {unicode(z0)}, vᵀ∇²_w ℓ v = ℓ''({unicode(z0)})·v² < 0 "
            "for v = 1",
            counterexample=tuple(
                sorted(
                    [(W, z0), (X, sp.Integer(1))]
                    + [(s, val) for s, val in point.items() if s != z],
                    key=lambda kv: kv[0].name,
                )
            ),
            direction=(sp.Integer(1),),
            value=verdict.value,
        )
    else:
        wv = Verdict("unknown", (W,), "the verdict in z is unknown")
    return LinearPredictor(z, first, second, wv)


@dataclass(frozen=True)
class Kink:
    """ℓ = α·|u(f)| + c·f + d with u affine in f: where it is not differentiable, and what
    holds there."""

    gradient: sp.Expr
    note: str
    linear: Verdict


def _kink(loss: sp.Expr, f: sp.Symbol) -> Kink | None:
    """The subgradient statement for ℓ = α·|a·f + b| + c·f + d (α > 0, a ≠ 0, and a, b, c,
    d free of f), else ``None``: the absolute value of the Laplace loss, and the pinball
    loss |y − f| + (2τ − 1)(y − f), whose subdifferential at the kink is shifted by c."""
    kinks = [t for t in sp.Add.make_args(loss) if t.has(sp.Abs)]
    if len(kinks) != 1:
        return None
    alpha, rest = kinks[0].as_independent(f, as_Add=False)
    if not isinstance(rest, sp.Abs) or not alpha.is_positive:
        return None
    u = rest.args[0]
    a = sp.diff(u, f)
    if a.has(f) or a == 0 or not a.is_real:
        return None
    affine = loss - kinks[0]
    shift = sp.diff(affine, f)
    if shift.has(f):
        return None
    root = sp.expand(f - u / a)
    gradient = sp.diff(loss, f)
    slope = sp.Abs(alpha * a)
    low, high = unicode(shift - slope), unicode(shift + slope)
    at, off = f"{unicode(f)} = {unicode(root)}", f"{unicode(f)} ≠ {unicode(root)}"
    note = (
        f"ℓ is not differentiable at {at}: the gradient is {unicode(gradient, 'none')} for {off}, "
        f"and the subdifferential at {at} is [{low}, {high}]; "
        f"the second derivative is 0 for {off}"
    )
    wx = sp.Symbol("wᵀx", real=True)
    norm = "a norm" if alpha == 1 else "a positive multiple of a norm"
    plus = "" if shift == 0 else " plus an affine function of w"
    along = unicode(gradient.xreplace({f: wx}), "none")
    along = f"({along})" if isinstance(gradient, sp.Add) else along
    linear = Verdict(
        CONVEX,
        (W,),
        f"{unicode(loss.xreplace({f: wx}))} is {norm} of an affine map of w{plus}: "
        f"convex; ∂_w ℓ = {along}·x where wᵀx ≠ {unicode(root)}",
    )
    return Kink(gradient, note, linear)


def residual_region(curvature: sp.Expr, f: sp.Symbol, y: sp.Symbol) -> sp.Boolean | None:
    """Where ``curvature`` < 0, exactly, when it depends on f and y only through r = y − f.

    The sign is solved in r with SymPy (``solve_univariate_inequality``); when the
    curvature is even in r the condition is on |y − f| (solved for |r| > 0, plus
    r = 0 itself). Returns the condition (``|y − f| > s·√ν`` for the Student-t loss),
    ``true`` when it is negative everywhere, ``false`` when nowhere, or ``None`` when it
    does not depend on the residual alone, is periodic (SymPy would solve one period
    only), or the solution is not found in closed form.
    """
    r = sp.Dummy("r", real=True)
    local = sp.cancel(sp.together(curvature.xreplace({y: r + f})))
    if local.has(f) or not local.has(r):
        return None
    if local.has(sp.sin, sp.cos, sp.tan) and sp.periodicity(local, r) is not None:
        return None  # SymPy solves a periodic inequality over one period only
    even = proved_zero(local - local.xreplace({r: -r}))
    t = sp.Dummy("t", positive=True) if even else r
    domain = sp.Interval.open(0, sp.oo) if even else sp.S.Reals
    try:
        found = sp.solve_univariate_inequality(
            local.xreplace({r: t}) < 0, t, relational=False, domain=domain
        )
    except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - defensive
        return None
    intervals = _intervals(found)
    if intervals is None:
        return None
    shown = sp.Abs(y - f) if even else y - f
    at_zero = local.xreplace({r: 0})
    if even and at_zero.is_negative:  # r = 0 belongs to the region too
        intervals = [
            sp.Interval(0, i.end, False, i.right_open) if i.start == 0 else i for i in intervals
        ]
    elif even and not at_zero.is_nonnegative:
        return None
    parts: list[sp.Boolean] = []
    for interval in intervals:
        bounds: list[sp.Boolean] = []
        if interval.start.is_finite and not (even and interval.start == 0):
            below = sp.StrictGreaterThan if interval.left_open else sp.GreaterThan
            bounds.append(below(shown, interval.start))
        if interval.end.is_finite:
            above = sp.StrictLessThan if interval.right_open else sp.LessThan
            bounds.append(above(shown, interval.end))
        if even and interval.start == 0 and interval.left_open:
            bounds.insert(0, sp.StrictGreaterThan(shown, 0))
        parts.append(sp.And(*bounds) if bounds else sp.true)
    return sp.Or(*parts) if parts else sp.false


def _intervals(found: sp.Set) -> list[sp.Interval] | None:
    """The intervals of a solution set, intersections of intervals decided with the
    symbols' assumptions (SymPy leaves (−∞, −s√ν) ∩ (0, ∞) unevaluated); ``None`` when
    an end point cannot be compared."""
    pieces = found.args if isinstance(found, sp.Union) else (found,)
    out: list[sp.Interval] = []
    for piece in pieces:
        if piece == sp.S.EmptySet:
            continue
        if isinstance(piece, sp.Intersection):
            if not all(isinstance(a, sp.Interval) for a in piece.args):
                return None
            start = sp.Max(*(a.start for a in piece.args))
            end = sp.Min(*(a.end for a in piece.args))
            if isinstance(start, sp.Max) or isinstance(end, sp.Min):
                return None
            left = any(a.left_open for a in piece.args if a.start == start)
            right = any(a.right_open for a in piece.args if a.end == end)
            empty = (end - start).is_nonpositive if (left or right) else (end - start).is_negative
            if empty is None:
                return None
            if not empty:
                out.append(sp.Interval(start, end, left, right))
        elif isinstance(piece, sp.Interval):
            out.append(piece)
        else:
            return None
    return out


def _comparable() -> list[str]:
    return [
        f"{family.name} --link {spec.name}"
        for family in families()
        for spec in family.links
        if spec.compare_mse
    ]


def analyse(d: Derivation, compare: str | None = None) -> Analysis:
    """Gradient, Hessian and convexity verdict of the derived loss of ``d``."""
    if compare is not None and compare != COMPARE:
        raise DeriveError(f"--loss must be mse, got {compare!r}")
    if compare is not None and not d.model.compare_mse:
        raise DeriveError(
            "--loss mse compares with the derived loss on a sigmoid or softmax "
            f"output: use it with {' or '.join(_comparable())}"
        )
    loss = derived_loss(d)
    if d.model.classes is not None and not d.model.classes.is_Integer:
        result = _symbolic_classes(d, loss)
        if compare is not None:
            result = _with(result, comparison=mse_on_probabilities(d, 3))
        return result
    wrt = _symbols(d)
    facts = d.model.facts
    grad = tuple((v, sp.diff(loss, v)) for v in wrt)
    hess = sp.hessian(loss, list(wrt))
    verdict = convexity(loss, wrt, facts)
    notes: list[str] = []
    kink = _kink(loss, wrt[0]) if len(wrt) == 1 else None
    if kink is not None:
        notes.append(kink.note)
        grad = ((wrt[0], kink.gradient),)
        hess = sp.Matrix([[sp.S.Zero]])
    linear = None
    # z = wᵀx ranges over every real number, so only a real predictor can be linear.
    if len(wrt) == 1 and d.model.predictor is Domain.REAL:
        linear = (
            _linear(loss, wrt[0], facts, verdict)
            if kink is None
            else LinearPredictor(wrt[0], kink.gradient, sp.S.Zero, kink.linear)
        )
    comparison = None
    if compare is not None:
        count = int(d.model.classes) if d.model.classes is not None else None
        comparison = mse_on_probabilities(d, count)
    region = None
    if verdict.verdict == NOT_CONVEX and len(wrt) == 1 and d.model.classes is None:
        (target,) = d.variables.target
        y = sp.Symbol(target.name, **target.label._assumptions_orig)  # type: ignore[attr-defined]
        found = residual_region(hess[0, 0], wrt[0], y)
        region = None if found is sp.false else found
    exponential = recognise(d)
    return Analysis(
        loss, wrt, grad, hess, None, verdict, tuple(notes), linear, comparison, exponential, region
    )


def _with(result: Analysis, **changes: object) -> Analysis:
    from dataclasses import replace

    return replace(result, **changes)  # type: ignore[arg-type]


def mse_on_probabilities(d: Derivation, classes: int | None) -> Comparison:
    """(σ(z) − y)², or Σ_k (softmax_k(z) − t_k)², against the derived loss."""
    limits: tuple[tuple[str, sp.Expr, sp.Expr], ...]
    if d.model.classes is None:
        z = sp.Symbol("z", real=True)
        y = sp.Symbol("y", integer=True, nonnegative=True)
        mse = (sigmoid(z) - y) ** 2
        derived = softplus(z) - y * z
        mse_grad = sp.diff(mse, z)
        loss_grad = sp.diff(derived, z)
        limits = (
            (
                "y = 1, z → −∞",
                _limit(mse_grad, {y: 1}, z, -sp.oo),
                _limit(loss_grad, {y: 1}, z, -sp.oo),
            ),
            (
                "y = 0, z → +∞",
                _limit(mse_grad, {y: 0}, z, sp.oo),
                _limit(loss_grad, {y: 0}, z, sp.oo),
            ),
        )
        verdict = convexity(mse, (z,), (1 - y,))
        regions = []
        for value in (1, 0):
            curvature = sp.diff(mse.xreplace({y: value}), z, 2)
            words = sigmoid_region(curvature, z)
            if words:
                regions.append((f"y = {value}", f"the curvature in z is negative {words}"))
        return Comparison(mse, mse_grad, loss_grad, limits, verdict, tuple(regions))
    count = classes or 3
    zs = sp.symbols(f"z_1:{count + 1}", real=True)
    ts = sp.symbols(f"t_1:{count + 1}", integer=True, nonnegative=True)
    total = sp.Add(*(sp.exp(v) for v in zs))
    probs = [sp.exp(v) / total for v in zs]
    mse = sp.Add(*((p - t) ** 2 for p, t in zip(probs, ts, strict=True)))
    derived = sp.log(total) - sp.Add(*(t * v for t, v in zip(ts, zs, strict=True)))
    mse_grad = sp.diff(mse, zs[0])
    loss_grad = sp.diff(derived, zs[0])
    onehot = {t: (1 if c == 0 else 0) for c, t in enumerate(ts)}
    rest = {v: 0 for v in zs[1:]}
    limits = (
        (
            "t = e₁, z₁ → −∞ (others 0)",
            _limit(mse_grad, {**onehot, **rest}, zs[0], -sp.oo),
            _limit(loss_grad, {**onehot, **rest}, zs[0], -sp.oo),
        ),
    )
    verdict = convexity(mse.xreplace(onehot), zs)
    return Comparison(mse, mse_grad, loss_grad, limits, verdict, (), classes=count)


def _limit(expr: sp.Expr, subs: dict[sp.Basic, object], z: sp.Symbol, to: sp.Expr) -> sp.Expr:
    return sp.limit(to_core(expr.xreplace(subs)), z, to)  # type: ignore[no-any-return]
