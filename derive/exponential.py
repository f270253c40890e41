"""Exponential families: recognise h(y)·exp(η·T(y) − A(η)) in a derived model.

A density is an exponential family in its natural parameter η when its log is

    log p(y) = η·T(y) − A(η) + log h(y),

a sum of terms each free of y, free of the parameters, or a product of a
function of the parameters and a function of y alone. :func:`recognise` reads
that shape off the per-sample negative log-likelihood of a derivation, by
SymPy and nothing else: it expands −nll into terms, splits every term with
``as_independent`` into a factor in y and a factor in the predictions, collects
the coefficients η_j(w) of each statistic T_j(y), and keeps the terms in the
predictions alone as −A(w) and those in y alone as log h(y). The decomposition
is proved (the terms add back to −nll), η(w) is inverted with ``solve`` to write
A as a function of η, and that is proved too (A(η(w)) = A(w)).

Convexity in η needs no curvature computation: A is the log-partition function,
A(η) = log ∫ h(y) e^{η·T(y)} dy, so ∇²A(η) = Cov(T) ⪰ 0 (A''(η) = Var(T) ≥ 0
for one parameter) and the NLL A(η) − η·T(y) − log h(y) is convex in η. That
rests on the density being normalised for every parameter value, which the
family record states (:attr:`derive.family.Family.normalised`); a user density
whose normalisation was not proved is not recognised.

The link in use is *canonical* when the prediction is η up to an affine map
(η(w) affine in w); then the NLL is convex in the prediction itself, and in the
weights of a linear predictor. Otherwise the canonical link is stated in the
distribution's parameter θ, up to an affine map (η = −1/μ for the Gamma mean),
with its name when it is one of derive's links.

Only scalar targets with as many statistics as predictions are recognised (a
curved family, with more statistics than predictions, is not).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.algebra import proved_zero
from derive.family import Role
from derive.links import LINKS
from derive.steps import Derivation

__all__ = ["ExponentialFamily", "recognise"]


@dataclass(frozen=True)
class ExponentialFamily:
    """log p(y) = Σ_j η_j·T_j(y) − A(η) + log h(y), recognised in a derivation.

    ``natural`` are the η_j as functions of the predictions ``wrt``; ``parameters``
    the symbols η_j in which ``log_partition`` A and ``curvature`` (A''(η), or the
    matrix ∇²A(η)) are written. ``canonical`` says the link in use makes the
    prediction an affine map of η. For one natural parameter, ``canonical_form`` is
    η as a function of the distribution's ``parameter`` θ up to an affine map, and
    ``canonical_link`` the derive link with that function (``None``: none is).
    """

    statistic: tuple[sp.Expr, ...]
    natural: tuple[sp.Expr, ...]
    parameters: tuple[sp.Symbol, ...]
    log_partition: sp.Expr
    log_base: sp.Expr
    curvature: sp.Expr
    wrt: tuple[sp.Symbol, ...]
    link: str
    canonical: bool
    parameter: sp.Symbol | None = None
    canonical_form: sp.Expr | None = None
    canonical_link: str | None = None

    @property
    def scalar(self) -> bool:
        """One natural parameter (A''(η) is a number, not a matrix)."""
        return len(self.parameters) == 1


def _symbols(bases: tuple[sp.Basic, ...]) -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(b.name, **b.label._assumptions_orig) for b in bases)  # type: ignore[attr-defined]


def _split(
    log_density: sp.Expr, y: sp.Symbol, wrt: tuple[sp.Symbol, ...]
) -> tuple[dict[sp.Expr, sp.Expr], sp.Expr, sp.Expr] | None:
    """{T(y): η(w)}, the terms in w alone and the terms in y alone; ``None`` when a term
    couples y and w in any other way than a product."""
    statistics: dict[sp.Expr, sp.Expr] = {}
    in_w: list[sp.Expr] = []
    in_y: list[sp.Expr] = []
    expanded = sp.expand(log_density, power_base=False, power_exp=False, log=False)
    for term in sp.Add.make_args(expanded):
        coeff, rest = term.as_independent(y, as_Add=False)
        if rest == 1:
            (in_w if coeff.has(*wrt) else in_y).append(term)
        elif rest.has(*wrt):
            return None
        elif not coeff.has(*wrt):
            in_y.append(term)
        else:
            statistics[rest] = statistics.get(rest, sp.S.Zero) + coeff
    kept = {t: sp.expand(c) for t, c in statistics.items() if sp.expand(c) != 0}
    return kept, sp.Add(*in_w), sp.Add(*in_y)


def _affine(expr: sp.Expr, wrt: tuple[sp.Symbol, ...]) -> bool:
    """``expr`` is a + Σ b_j·w_j with a, b_j free of the w."""
    if not expr.has(*wrt):
        return True
    try:
        poly = sp.Poly(expr, *wrt)
    except sp.PolynomialError:
        return False
    return poly.total_degree() <= 1 and not any(c.has(*wrt) for c in poly.coeffs())


def _natural_symbols(natural: tuple[sp.Expr, ...]) -> tuple[sp.Symbol, ...]:
    """η, or η₁, η₂ …, signed as the natural parameters are on the model's domain."""
    names = ["eta"] if len(natural) == 1 else [f"eta_{j}" for j in range(1, len(natural) + 1)]
    out = []
    for name, eta in zip(names, natural, strict=True):
        if eta.is_negative:
            out.append(sp.Symbol(name, negative=True))
        elif eta.is_positive:
            out.append(sp.Symbol(name, positive=True))
        else:
            out.append(sp.Symbol(name, real=True))
    return tuple(out)


def _positive_factor(expr: sp.Expr) -> sp.Expr:
    """−c·(a − b)·… written c·(b − a)·… (σ(η)·(1 − σ(η)), not −(σ(η) − 1)·σ(η)); the
    product is kept unevaluated, or SymPy would multiply c into the sum."""
    coeff, rest = expr.as_coeff_Mul()
    factors = sp.Mul.make_args(rest)
    if not coeff.is_negative:
        return expr
    for number, factor in enumerate(factors):
        if isinstance(factor, sp.Add):
            others = factors[:number] + factors[number + 1 :]
            flipped = (-coeff, -factor, *others)
            return sp.Mul(*flipped, evaluate=False) if coeff != -1 else sp.Mul(*flipped[1:])
    return expr


def _tidy(expr: sp.Expr) -> sp.Expr:
    """A shorter equal form: log arguments over one denominator, logs of products split
    where the assumptions allow, the shortest of a few targeted rewrites (a product when
    it is as short as a sum: its sign is plainer)."""
    together = expr.replace(
        lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.cancel(sp.together(e.args[0])))
    )
    candidates = [expr, together, sp.expand_log(together), sp.cancel(together)]
    candidates.append(sp.factor(candidates[-1]))
    candidates += [_positive_factor(c) for c in candidates]
    return min(
        candidates,
        key=lambda e: (sp.count_ops(e), not isinstance(e, sp.Mul), len(sp.srepr(e))),
    )


def _log_partition(
    natural: tuple[sp.Expr, ...],
    in_w: sp.Expr,
    wrt: tuple[sp.Symbol, ...],
    etas: tuple[sp.Symbol, ...],
) -> sp.Expr | None:
    """A(η): the terms in the predictions alone, written in η by inverting η(w)."""
    try:
        solutions = sp.solve(
            [eta - value for eta, value in zip(etas, natural, strict=True)], wrt, dict=True
        )
    except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - defensive
        return None
    if len(solutions) != 1 or set(solutions[0]) != set(wrt):
        return None
    inverse = solutions[0]
    a_of_eta = _tidy(-in_w.xreplace(inverse))
    back = dict(zip(etas, natural, strict=True))
    if not proved_zero(a_of_eta.xreplace(back) + in_w):
        return None
    return a_of_eta


def _canonical_form(eta: sp.Expr, d: Derivation) -> tuple[sp.Symbol, sp.Expr, str | None] | None:
    """θ, η as a function of θ up to an affine map, and the derive link with that function."""
    first = d.model.family.variable(Role.PREDICTION)[0]
    link = LINKS[d.link]
    if link.function is None:  # pragma: no cover - a scalar model has a scalar link
        return None
    theta = sp.Symbol(first.name, **first.domain.assumptions)
    (w,) = _symbols(d.variables.prediction[:1])
    of_theta = sp.expand(eta.xreplace({w: link.function(theta)}), log=False)
    moving = of_theta.as_independent(theta, as_Add=True)[1]
    coeff, rest = moving.as_independent(theta, as_Add=False)
    number, _ = coeff.as_coeff_Mul()
    form = -rest if number.is_negative else rest
    for name, candidate in LINKS.items():
        if candidate.function is None or not candidate.covers(first.domain):
            continue
        g = candidate.function(theta)
        ratio = sp.cancel(sp.together(sp.diff(form, theta) / sp.diff(g, theta)))
        if not ratio.has(theta) and ratio != 0:
            # the link's own form when η is the link (log(p/(1 − p)), not log p − log(1 − p))
            return theta, g if ratio == 1 else form, name
    return theta, form, None


def recognise(d: Derivation) -> ExponentialFamily | None:
    """The exponential-family form of ``d``'s density, or ``None`` when it has none here.

    ``None`` also when the family is not known to be normalised, when the target is
    not one scalar, when there are not as many statistics as predictions, or when a
    step of the recognition cannot be proved.
    """
    model = d.model
    if model.classes is not None or len(d.variables.target) != 1:
        return None
    if not model.family.normalised:
        return None
    (y,) = _symbols(d.variables.target)
    wrt = _symbols(d.variables.prediction)
    split = _split(-d.nll, y, wrt)
    if split is None:
        return None
    statistics, in_w, in_y = split
    if len(statistics) != len(wrt):
        return None
    order = sorted(statistics, key=sp.default_sort_key)
    statistic = tuple(order)
    natural = tuple(statistics[t] for t in order)
    if not proved_zero(
        sp.Add(*(eta * t for eta, t in zip(natural, statistic, strict=True))) + in_w + in_y + d.nll
    ):
        return None  # pragma: no cover - the split is an identity by construction
    etas = _natural_symbols(natural)
    a_of_eta = _log_partition(natural, in_w, wrt, etas)
    if a_of_eta is None:
        return None
    if len(etas) == 1:
        curvature: sp.Expr = _tidy(sp.diff(a_of_eta, etas[0], 2))
    else:
        curvature = sp.hessian(a_of_eta, etas).applyfunc(_tidy)
    canonical = all(_affine(eta, wrt) for eta in natural)
    theta = form = link = None
    if len(etas) == 1:
        found = _canonical_form(natural[0], d)
        if found is not None:
            theta, form, link = found
    return ExponentialFamily(
        statistic=statistic,
        natural=natural,
        parameters=etas,
        log_partition=a_of_eta,
        log_base=in_y,
        curvature=curvature,
        wrt=wrt,
        link=d.link,
        canonical=canonical,
        parameter=theta,
        canonical_form=form,
        canonical_link=link,
    )
