"""Gradients, Hessians and convexity verdicts of a derived per-sample loss.

The loss analysed is the per-sample loss ℓ of the conclusion: the named loss
when one is proved (``nll = scale·ℓ + offset``, so ∇nll = scale·∇ℓ), else the
summand of the objective once constants are dropped and the positive factor
divided out. Its derivatives are taken of the form the derivation reached,
which equals ℓ exactly (the loss matcher proved it). Variables are the model's
output: f, p, q or the logits z. For classes written as indexed vectors (a
symbolic K, or more than a few classes) the gradient and Hessian are given
entrywise in class indices a, b, the softmax Hessian in closed form
diag(q) − qqᵀ, and convexity is proved for every K by the variance identity
vᵀ(diag(q) − qqᵀ)v = Σ_a q_a (v_a − Σ_b q_b v_b)² ≥ 0, q = softmax(z).
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
from derive.compile import K, j, per_sample
from derive.convexity import (
    CONVEX,
    NOT_CONVEX,
    Given,
    HessianWitness,
    MidpointWitness,
    Verdict,
    Witness,
    convexity,
    sigmoid_region,
)
from derive.errors import DeriveError
from derive.exponential import ExponentialFamily, recognise
from derive.family import Domain, families
from derive.functions import to_core
from derive.links import LINKS
from derive.render.unicode import unicode
from derive.rules import RecogniseLoss
from derive.steps import Derivation

__all__ = [
    "Analysis",
    "Comparison",
    "LinearPredictor",
    "analyse",
    "derived_loss",
    "loss_gradient",
    "mse_on_probabilities",
    "residual_region",
]

COMPARE = "mse"
ON_THE_SUPPORT = (
    "The two forms of ℓ are equal on the model's support (the proof uses its constraints, "
    "such as probabilities that sum to one), not off it; the derivatives are those of the "
    "second form"
)
A = sp.Symbol("a", integer=True, positive=True)
B = sp.Symbol("b", integer=True, positive=True)
CLASS = sp.Symbol("k", integer=True, positive=True)
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
    """MSE on the predicted probability against the derived loss (the seed's argument).

    ``mse`` is a function of the logits and of the same targets the derivation uses;
    ``loss_gradient`` is the derivation's own ∂ℓ/∂``variable``.
    """

    mse: sp.Expr
    mse_gradient: sp.Expr
    loss_gradient: sp.Expr
    limits: tuple[tuple[str, sp.Expr, sp.Expr], ...]  # (case, MSE limit, derived limit)
    mse_verdict: Verdict
    regions: tuple[tuple[str, str], ...]
    variable: sp.Symbol
    classes: int | None = None


@dataclass(frozen=True)
class Analysis:
    """What the derivative tells about the per-sample loss ℓ.

    ``loss`` is ℓ in the form its derivatives are taken of; ``definition`` is ℓ as the
    conclusion writes it (the named loss) when that is written differently — the
    two are equal, which the loss matcher proved.
    """

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
    definition: sp.Expr | None = None
    classes: sp.Expr | None = None  # the range of the class indices a, b (entrywise)


def derived_loss(d: Derivation) -> sp.Expr:
    """ℓ, exactly, in the form the derivation reached.

    With a named loss ℓ the derivation's objective is a·Σ ℓ + Σ b (the recognised
    step, proved by the loss matcher), so ℓ = (derived − b)/a; without one, ℓ is the
    summand of the objective once constants are dropped and the factor divided out.
    """
    derived = d.derived
    step = next((s for s in d.steps if isinstance(s.rule, RecogniseLoss)), None)
    if d.loss is None:
        return derived
    if step is not None:
        rule = step.rule
        assert isinstance(rule, RecogniseLoss)
        scale, offset = rule.scale, per_sample(rule.offset)
        base = derived
    else:  # pragma: no cover - every built-in objective is a sum over samples
        scale, offset, base = d.loss.scale, d.loss.offset, d.nll
    if scale == 1 and offset == 0:
        return base
    return sp.expand(  # type: ignore[no-any-return]
        (base - offset) / scale,
        deep=False,
        log=False,
        multinomial=False,
        power_base=False,
        power_exp=False,
    )


def _definition(d: Derivation, loss: sp.Expr) -> sp.Expr | None:
    """ℓ as the conclusion names it, when it is written differently from ``loss``."""
    if d.loss is None or d.loss.formula == loss:
        return None
    return d.loss.formula


def loss_gradient(d: Derivation) -> tuple[tuple[sp.Basic, sp.Expr], ...]:
    """∂ℓ/∂prediction alone, as :func:`analyse` gives it (without the Hessian and the
    verdicts): one pair per prediction, or for class vectors the entry a of the gradient."""
    loss = derived_loss(d)
    if d.model.context.class_index is not None:
        classes = d.model.classes
        assert classes is not None
        base = d.variables.prediction[0]
        vec = sp.IndexedBase(base.name, **base.label._assumptions_orig)
        return ((vec[A], _collapse_deltas(sp.diff(loss, vec[A]), classes)),)
    return tuple((v, sp.diff(loss, v)) for v in _symbols(d))


def _symbols(d: Derivation) -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(b.name, **b.label._assumptions_orig) for b in d.variables.prediction)


def _in_range(expr: sp.Expr, classes: sp.Expr) -> sp.Expr:
    """Resolve SymPy's ``Piecewise((g, a <= K), …)``: class indices and labels lie in 1..K."""

    def bounded(r: sp.Basic) -> bool:
        if isinstance(r, sp.GreaterThan):
            return bool(r.lhs == classes and r.rhs.is_integer)
        if isinstance(r, sp.LessThan):
            return bool(r.rhs == classes and r.lhs.is_integer)
        return False

    def within(cond: sp.Basic) -> bool:
        parts = cond.args if isinstance(cond, sp.And) else (cond,)
        return all(bounded(r) for r in parts)

    return expr.replace(
        lambda e: isinstance(e, sp.Piecewise) and within(e.args[0].cond),
        lambda e: e.args[0].expr,
    )


def _collapse_deltas(expr: sp.Expr, classes: sp.Expr) -> sp.Expr:
    """Σ_j [a = j]·g_j = g_a for a in 1..K, in every sum whose summand holds a Kronecker
    delta in its index; every other sum stays a sum (a concrete K is never written out)."""

    def one(node: sp.Basic) -> sp.Basic | None:
        if not isinstance(node, sp.Sum):
            return None
        if len(node.limits) > 1:  # Σ_b Σ_a: the innermost first, then each term outward
            innermost = sp.Sum(node.function, node.limits[0])
            inner = one(innermost)
            if inner is None:
                return None
            outer = node.limits[1:]
            return sp.Add(
                *(one(sp.Sum(t, *outer)) or sp.Sum(t, *outer) for t in sp.Add.make_args(inner))
            )
        limit = node.limits[0]
        index = limit[0]
        parts: list[sp.Expr] = []
        changed = False
        for term in sp.Add.make_args(sp.expand_mul(node.function)):
            deltas = [d for d in term.atoms(sp.KroneckerDelta) if index in d.free_symbols]
            if deltas:
                parts.append(_in_range(sp.Sum(term, limit).doit(deep=False), classes))
                changed = True
            else:
                parts.append(sp.Sum(term, limit))
        return sp.Add(*parts) if changed else None

    def walk(e: sp.Basic) -> sp.Basic:
        if e.args and not isinstance(e, (sp.Indexed, sp.IndexedBase)):
            e = e.func(*(walk(a) for a in e.args))
        out = one(e)
        return e if out is None else out

    return walk(expr)  # type: ignore[return-value]


def _indexed_classes(d: Derivation, loss: sp.Expr) -> Analysis:
    """ℓ of class vectors indexed by k = 1 … K (K a symbol or a number): entrywise."""
    classes = d.model.classes
    assert classes is not None
    base = d.variables.prediction[0]
    vec = sp.IndexedBase(base.name, **base.label._assumptions_orig)
    grad = _collapse_deltas(sp.diff(loss, vec[A]), classes)
    hess = _collapse_deltas(sp.diff(grad, vec[B]), classes)
    total = sp.Sum(sp.exp(vec[j]), (j, 1, classes))
    q = lambda c: sp.exp(vec[c]) / total  # noqa: E731 - the softmax, entrywise
    template = q(A) * sp.KroneckerDelta(A, B) - q(A) * q(B)
    if loss.has(sp.exp) and proved_zero(hess - template):
        # proved once for a symbolic K; a concrete K is an instance
        quad = _quadratic_form_identity(vec).xreplace({K: classes})
        verdict = Verdict(
            CONVEX,
            (vec[A],),
            "∇² = diag(q) − qqᵀ with q = softmax(z), and for every v and every K, "
            "vᵀ(diag(q) − qqᵀ)v = Σₐ q[a] v[a]² − (Σₐ q[a] v[a])² = Σₐ q[a] (v[a] − Σₖ q[k] v[k])²"
            " ≥ 0 (the variance of v under q)",
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
                "∇² = diag(q) − qqᵀ, where q[a] = exp(z[a])/Σⱼ exp(z[j]) is the softmax; it does "
                "not depend on the targets",
            ),
        )
    # identity link: −Σ_k w_k log q_k — the quadratic form is a weighted sum of squares.
    double = sp.Sum(sp.Sum(V[A] * V[B] * hess, (A, 1, classes)), (B, 1, classes))
    quad = _collapse_deltas(double, classes)
    if _nonneg_entry(quad):
        verdict = Verdict(
            CONVEX,
            (vec[A],),
            "for every v and every K the quadratic form vᵀ∇²ℓ v is a sum of non-negative "
            "weights times squares (the Hessian is diagonal, its entry a the target's weight "
            "on class a over q[a]², which is ≥ 0)",
            certificate=Given(quad.xreplace({B: CLASS}), quadratic=True),
        )
        return Analysis(loss, (vec[A],), ((vec[A], grad),), None, hess, verdict)
    return _unknown(d, loss, (vec[A],), grad, hess, "no certificate for this Hessian")


def _nonneg_entry(entry: sp.Expr) -> bool:
    from derive.convexity import nonnegative

    return nonnegative(entry)


def _quadratic_form_identity(vec: sp.IndexedBase) -> sp.Expr:
    """Prove Σ_a Σ_b v_a v_b H_ab = Σ_a q_a (v_a − Σ_b q_b v_b)² when Σ_a q_a = 1, for a
    symbolic K and q = softmax(z).

    Returned is the right-hand side, the certificate; a failed proof raises.
    """
    total = sp.Sum(sp.exp(vec[j]), (j, 1, K))
    qa = sp.exp(vec[A]) / total
    qb = sp.exp(vec[B]) / total
    mean = sp.Sum(qb * V[B], (B, 1, K))
    lhs = sp.Sum(qa * V[A] ** 2, (A, 1, K)) - mean.xreplace({B: A}) * mean
    rhs = sp.Sum(qa * (V[A] - mean) ** 2, (A, 1, K))
    if not proved_zero(rhs - lhs):
        raise DeriveError("could not prove the softmax variance identity")
    return rhs.xreplace({B: CLASS})  # the inner sum's index is k (docs/notation.md)


def _unknown(
    d: Derivation, loss: sp.Expr, wrt: tuple[sp.Basic, ...], grad: sp.Expr, hess: sp.Expr, why: str
) -> Analysis:
    return Analysis(loss, wrt, ((wrt[0], grad),), None, hess, Verdict("unknown", wrt, why))


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
            "with one feature x = 1, w ↦ ℓ(w·x) is ℓ itself, and ℓ((a+b)/2) > (ℓ(a)+ℓ(b))/2 "
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
    """Gradient, Hessian and convexity verdict of the per-sample loss ℓ of ``d``."""
    if compare is not None and compare != COMPARE:
        raise DeriveError(f"--loss must be mse, got {compare!r}")
    if compare is not None and not d.model.compare_mse:
        raise DeriveError(
            "--loss mse compares with the derived loss on a sigmoid or softmax "
            f"output: use it with {' or '.join(_comparable())}"
        )
    loss = derived_loss(d)
    definition = _definition(d, loss)
    if d.model.context.class_index is not None:  # class vectors indexed by k
        result = _with(_indexed_classes(d, loss), definition=definition, classes=d.model.classes)
    else:
        result = _explicit(d, loss, definition)
    if definition is not None and not proved_zero(definition - loss):
        # equal only with the support's constraints (Σ_k q_k = 1): say which one is differentiated
        result = _with(result, notes=(*result.notes, ON_THE_SUPPORT))
    if compare is not None:
        result = _with(result, comparison=mse_on_probabilities(d, result))
    return result


def _explicit(d: Derivation, loss: sp.Expr, definition: sp.Expr | None) -> Analysis:
    """ℓ of scalar variables (one per prediction, or one per class written out)."""
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
    region = None
    if verdict.verdict == NOT_CONVEX and len(wrt) == 1 and d.model.classes is None:
        (target,) = d.variables.target
        y = sp.Symbol(target.name, **target.label._assumptions_orig)  # type: ignore[attr-defined]
        found = residual_region(hess[0, 0], wrt[0], y)
        region = None if found is sp.false else found
    return Analysis(
        loss,
        wrt,
        grad,
        hess,
        None,
        verdict,
        tuple(notes),
        linear,
        None,
        recognise(d),
        region,
        definition=definition,
    )


def _with(result: Analysis, **changes: object) -> Analysis:
    from dataclasses import replace

    return replace(result, **changes)  # type: ignore[arg-type]


def with_witness(verdict: Verdict, fixed: dict[sp.Basic, sp.Expr]) -> Verdict:
    """``verdict`` of a function in which ``fixed`` was substituted, its counterexample
    carrying those values too: a witness names every variable it depends on."""
    if verdict.verdict != NOT_CONVEX:
        return verdict
    from dataclasses import replace

    def extended(
        pairs: tuple[tuple[sp.Basic, sp.Expr], ...],
    ) -> tuple[tuple[sp.Basic, sp.Expr], ...]:
        point = dict(pairs)
        point.update(fixed)
        return tuple(sorted(point.items(), key=lambda kv: sp.default_sort_key(kv[0])))

    witness = verdict.witness
    if isinstance(witness, MidpointWitness):
        typed: Witness = MidpointWitness(extended(witness.a), extended(witness.b), witness.gap)
    elif isinstance(witness, HessianWitness):
        typed = HessianWitness(extended(witness.point), witness.direction, witness.value)
    else:  # pragma: no cover - a "not convex" verdict always carries a witness
        return verdict
    return replace(verdict, witness=typed)


def mse_on_probabilities(d: Derivation, an: Analysis) -> Comparison:
    """(σ(z) − y)², or Σ_k (softmax_k(z) − w_k)² with the derivation's targets w, beside
    the derivation's own gradient of ℓ."""
    if d.model.classes is None:
        return _mse_on_sigmoid(d, an)
    from derive.engine import derive_model
    from derive.families._categorical import class_targets, comparison_model, target_witness

    model = comparison_model(d.model)
    if model is not d.model:  # drawn on three classes: the same link and targets
        d = derive_model(model)
        an = analyse(d)
    zs = _symbols(d)
    total = sp.Add(*(sp.exp(v) for v in zs))
    probs = [LINKS[d.link].inverse(v, total) for v in zs]
    targets = class_targets(model)
    mse = sp.Add(*((q - w) ** 2 for q, w in zip(probs, targets, strict=True)))
    first = zs[0]
    mse_grad = sp.diff(mse, first)
    loss_grad = dict(an.gradient)[first]
    witness, shown = target_witness(model)
    rest = {v: sp.S.Zero for v in zs[1:]}
    limits = (
        (
            f"{shown}, {unicode(first, vectors=frozenset({str(first).partition('_')[0]}))} → −∞ "
            "(other logits 0)",
            _limit(mse_grad, {**witness, **rest}, first, -sp.oo),
            _limit(loss_grad, {**witness, **rest}, first, -sp.oo),
        ),
    )
    verdict = with_witness(convexity(mse.xreplace(witness), zs), witness)
    return Comparison(mse, mse_grad, loss_grad, limits, verdict, (), first, classes=len(zs))


def _mse_on_sigmoid(d: Derivation, an: Analysis) -> Comparison:
    (z,) = _symbols(d)
    base = d.variables.target[0]
    y = sp.Symbol(base.name, **base.label._assumptions_orig)  # type: ignore[attr-defined]
    prob = LINKS[d.link].inverse(z)
    mse = (prob - y) ** 2
    mse_grad = sp.diff(mse, z)
    loss_grad = dict(an.gradient)[z]
    limits = (
        (
            f"{y} = 1, {z} → −∞",
            _limit(mse_grad, {y: 1}, z, -sp.oo),
            _limit(loss_grad, {y: 1}, z, -sp.oo),
        ),
        (
            f"{y} = 0, {z} → +∞",
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
            regions.append((f"{y} = {value}", f"the curvature in {z} is negative {words}"))
    return Comparison(mse, mse_grad, loss_grad, limits, verdict, tuple(regions), z)


def _limit(expr: sp.Expr, subs: dict[sp.Basic, object], z: sp.Symbol, to: sp.Expr) -> sp.Expr:
    return sp.limit(to_core(expr.xreplace(subs)), z, to)  # type: ignore[no-any-return]
