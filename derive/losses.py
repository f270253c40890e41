"""The catalogue of named losses and ``identify``: which one a derived NLL is.

Each entry is a PyTorch loss with its conventions: what it takes as input,
its per-sample formula (as PyTorch documents it), and how its default
``reduction='mean'`` divides. :func:`identify` proves

    nll = scale · ℓ + offset

with ``scale > 0`` free of the parameters and of the sample, and ``offset`` free
of the parameters, by bringing ``nll − scale·ℓ`` to a canonical form free of the
parameters (or, for scalar parameters, by a zero derivative and one value).
When no proof is found it returns ``None``: the loss stays unnamed.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.algebra import canonical, free_of, parameter_atoms, proved_zero, rename_dummies
from derive.compile import Model, at_reference, i, j, k, per_sample
from derive.families._categorical import (
    cross_entropy,
    cross_entropy_arguments,
    cross_entropy_keywords,
    kl_divergence,
    negative_log_likelihood,
)
from derive.functions import huber, softplus
from derive.numbers import torch_literal

__all__ = [
    "CATALOGUE",
    "CUSTOM_LOSSES",
    "SCALAR_LOSSES",
    "LossMatch",
    "NamedLoss",
    "identify",
    "match_model",
]


def _no_keywords(model: Model) -> str:
    return ""


@dataclass(frozen=True)
class NamedLoss:
    """A named loss: its PyTorch class, input convention and per-sample formula.

    ``keywords`` gives the constructor arguments a model needs (label smoothing,
    Huber's ``delta``). ``key`` names the entry in the catalogue when one torch class
    is fed in more than one way (``PoissonNLLLoss`` on the log-rate or on the rate);
    it defaults to ``name``. A loss PyTorch has no class for (``torch`` is ``None``,
    the pinball loss) is written out instead: ``input`` is then the per-sample
    tensor expression, and a reduction is ``.sum()`` or ``.mean()`` of it.
    ``conventions`` are what the library does beyond the formula (clamps, ``eps``,
    constants it drops and ``full=True`` adds back), stated wherever the loss is
    named; code is written between backticks. ``arguments`` gives the call's
    arguments when they depend on the model (``input`` otherwise).
    """

    name: str
    torch: str | None
    title: str
    input: str
    formula: Callable[[Model], sp.Expr]
    mean_over_classes: bool = False
    keywords: Callable[[Model], str] = _no_keywords
    key: str = ""
    conventions: tuple[str, ...] = ()
    arguments: Callable[[Model], str] | None = None

    def call(self, model: Model) -> str:
        """How to call it in PyTorch for this model (default reduction)."""
        if self.arguments is not None:
            inputs = self.arguments(model)
        else:
            # a name that is a Python keyword (lambda) is written with a trailing underscore
            names = [_python_name(b.name) for b in model.variables.prediction]  # type: ignore[attr-defined]
            target = _python_expression(per_sample(_target(model)))
            inputs = self.input.format(*names, y=target, **_literals(model))
        if self.torch is None:
            return f"{inputs}.mean()"
        return f"{self.torch}({self.keywords(model)})({inputs})"

    def reduction(self, name: str) -> str:
        """How a reduction is asked for: ``reduction='sum'``, or ``.sum()`` without a class."""
        return f"reduction={name!r}" if self.torch is not None else f".{name}()"


def _literal(value: sp.Expr) -> str:
    """A fixed parameter in a PyTorch call: an exact short literal, or the symbol's name."""
    if isinstance(value, sp.Rational):
        return torch_literal(Fraction(int(value.p), int(value.q)))
    return str(value)


def _literals(model: Model) -> dict[str, str]:
    """``c0``, ``c1``, …: the model's fixed parameters as call text (``input`` templates)."""
    return {f"c{number}": _literal(value) for number, value in enumerate(model.constants)}


def _python_name(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) else name


def _python_expression(expr: sp.Basic) -> str:
    """``y``, or a quotient written as Python code formatters write it (``y / N``)."""
    numerator, denominator = sp.fraction(expr)
    if denominator == 1:
        return sp.sstr(expr)
    return f"{sp.sstr(numerator)} / {sp.sstr(denominator)}"


@dataclass(frozen=True)
class LossMatch:
    """A proved match: ``nll == scale * formula + offset`` per sample."""

    loss: NamedLoss
    formula: sp.Expr
    formula_indexed: sp.Expr
    scale: sp.Expr
    offset: sp.Expr


def _one(model: Model, which: int = 0) -> sp.Basic:
    return model.variables.prediction[which]


def _target(model: Model) -> sp.Expr:
    """What the loss receives as its target, indexed by the sample (y_i, or y_i/N)."""
    if model.loss_target is not None:
        return model.loss_target
    return model.variables.target[0][i]  # type: ignore[index,no-any-return]


def _mse(m: Model) -> sp.Expr:
    """(input − target)², written (y − f)² (the same number)."""
    return (_target(m) - _one(m)[i]) ** 2  # type: ignore[index]


def _l1(m: Model) -> sp.Expr:
    """|input − target|, written |y − f| (the same number)."""
    return sp.Abs(_target(m) - _one(m)[i])  # type: ignore[index]


def _bce(m: Model) -> sp.Expr:
    p, y = _one(m)[i], _target(m)  # type: ignore[index]
    return -(y * sp.log(p) + (1 - y) * sp.log(1 - p))


def _gaussian_nll_scale(m: Model) -> sp.Expr:
    """½(log var + (input − target)²/var) with var = σ², σ the second prediction
    (``full=False``: the ½ log 2π torch drops with its default is not part of ℓ)."""
    if len(m.variables.prediction) < 2:
        return sp.S.Zero
    s = _one(m, 1)[i]  # type: ignore[index]
    return _gaussian_nll(m, s**2)


def _gaussian_nll_variance(m: Model) -> sp.Expr:
    """½(log var + (input − target)²/var) with var the second prediction itself."""
    if len(m.variables.prediction) < 2:
        return sp.S.Zero
    return _gaussian_nll(m, _one(m, 1)[i])  # type: ignore[index]


def _gaussian_nll(m: Model, var: sp.Expr) -> sp.Expr:
    f, y = _one(m)[i], _target(m)  # type: ignore[index]
    return (sp.log(var) + (y - f) ** 2 / var) / 2


def _poisson_log_input(m: Model) -> sp.Expr:
    """exp(input) − target·input: PoissonNLLLoss with its default ``log_input=True`` and
    ``full=False`` (the Stirling term is not part of ℓ)."""
    z, y = _one(m)[i], _target(m)  # type: ignore[index]
    return sp.exp(z) - y * z


def _poisson_rate(m: Model) -> sp.Expr:
    """input − target·log(input): PoissonNLLLoss with ``log_input=False``, in the limit
    eps → 0 of torch's input − target·log(input + eps)."""
    rate, y = _one(m)[i], _target(m)  # type: ignore[index]
    return rate - y * sp.log(rate)


def _log_input_false(model: Model) -> str:
    return "log_input=False"


def _huber(m: Model) -> sp.Expr:
    """0.5·(input − target)² if |input − target| < delta, else
    delta·(|input − target| − 0.5·delta): huber(y − f, δ), δ the first fixed parameter."""
    return huber(_target(m) - _one(m)[i], m.constants[0])  # type: ignore[index]


def _huber_keywords(m: Model) -> str:
    return f"delta={_literal(m.constants[0])}"


def _pinball(m: Model) -> sp.Expr:
    """ρ_τ(y − f) = max(τ·(y − f), (τ − 1)·(y − f)), τ the first fixed parameter."""
    tau = m.constants[0]
    r = _target(m) - _one(m)[i]  # type: ignore[index]
    return sp.Max(tau * r, (tau - 1) * r)


def _bce_logits(m: Model) -> sp.Expr:
    z, y = _one(m)[i], _target(m)  # type: ignore[index]
    return softplus(z) - y * z


_STIRLING = (
    "with `full=True` torch adds the Stirling term y·log y − y + log(2πy)/2 where y > 1: "
    "an approximation of the offset log y!, not equal to it, so even then the loss is not "
    "the negative log-likelihood exactly"
)
_GAUSSIAN = (
    "torch drops the constant log(2π)/2 per sample, the offset above; with `full=True` "
    "it adds it back and the loss is the negative log-likelihood itself",
    "torch clamps the variance below at `eps=1e-6` (without gradient through the clamp): "
    "the loss is ℓ exactly where var ≥ eps",
)


CATALOGUE: dict[str, NamedLoss] = {
    loss.key or loss.name: loss
    for loss in (
        NamedLoss("MSELoss", "torch.nn.MSELoss", "mean squared error", "{0}, {y}", _mse),
        NamedLoss("L1Loss", "torch.nn.L1Loss", "mean absolute error", "{0}, {y}", _l1),
        NamedLoss(
            "BCELoss",
            "torch.nn.BCELoss",
            "binary cross-entropy",
            "{0}, {y}",
            _bce,
            conventions=(
                "torch clamps each log at −100: the loss is ℓ exactly where log p and "
                "log(1 − p) both exceed −100",
            ),
        ),
        NamedLoss(
            "BCEWithLogitsLoss",
            "torch.nn.BCEWithLogitsLoss",
            "binary cross-entropy with logits",
            "{0}, {y}",
            _bce_logits,
        ),
        NamedLoss(
            "PoissonNLLLoss",
            "torch.nn.PoissonNLLLoss",
            "Poisson negative log-likelihood",
            "{0}, {y}",
            _poisson_log_input,
            conventions=(_STIRLING,),
        ),
        NamedLoss(
            "PoissonNLLLoss",
            "torch.nn.PoissonNLLLoss",
            "Poisson negative log-likelihood",
            "{0}, {y}",
            _poisson_rate,
            keywords=_log_input_false,
            key="PoissonNLLLoss:rate",
            conventions=(
                "with `log_input=False` torch computes `input - target * log(input + eps)` "
                "with `eps=1e-8`: that is ℓ only in the limit eps → 0, the two differing by at "
                "most `target * eps / input` per sample; pass a smaller `eps` for ℓ",
                _STIRLING,
            ),
        ),
        NamedLoss(
            "HuberLoss",
            "torch.nn.HuberLoss",
            "Huber loss",
            "{0}, {y}",
            _huber,
            keywords=_huber_keywords,
            conventions=(
                "quadratic where the absolute difference of input and target is below "
                "delta and linear from there on, the pieces meeting with equal slopes; "
                "`torch.nn.SmoothL1Loss(beta=delta)` is `HuberLoss(delta=delta)` divided by "
                "delta: the same minimiser, with the factor 1/δ",
            ),
        ),
        # torch.nn has no pinball (quantile) loss: the per-sample tensor is written out.
        NamedLoss(
            "PinballLoss",
            None,
            "pinball (quantile) loss",
            "torch.maximum({c0} * ({y} - {0}), ({c0} - 1) * ({y} - {0}))",
            _pinball,
            conventions=(
                "`torch.nn` has no pinball loss class: the call writes the loss out "
                "elementwise with `torch.maximum`, with no clamp and no eps",
            ),
        ),
        NamedLoss(
            "GaussianNLLLoss",
            "torch.nn.GaussianNLLLoss",
            "Gaussian negative log-likelihood",
            "{0}, {y}, {1}**2",
            _gaussian_nll_scale,
            conventions=_GAUSSIAN,
        ),
        NamedLoss(
            "GaussianNLLLoss",
            "torch.nn.GaussianNLLLoss",
            "Gaussian negative log-likelihood",
            "{0}, {y}, {1}",
            _gaussian_nll_variance,
            key="GaussianNLLLoss:var",
            conventions=_GAUSSIAN,
        ),
        NamedLoss(
            "NLLLoss",
            "torch.nn.NLLLoss",
            "negative log-likelihood",
            "torch.log(q), y",
            negative_log_likelihood,
        ),
        NamedLoss(
            "CrossEntropyLoss",
            "torch.nn.CrossEntropyLoss",
            "cross-entropy",
            "z, y",
            cross_entropy,
            keywords=cross_entropy_keywords,
            arguments=cross_entropy_arguments,
        ),
        NamedLoss(
            "KLDivLoss",
            "torch.nn.KLDivLoss",
            "Kullback-Leibler divergence",
            "torch.log(q), p",
            kl_divergence,
            mean_over_classes=True,
        ),
    )
}

# The losses of one scalar target and one scalar prediction: what a user density may give.
SCALAR_LOSSES: tuple[str, ...] = (
    "MSELoss",
    "L1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "PoissonNLLLoss",
    "PoissonNLLLoss:rate",
)
# What a user density may match: one prediction, or a location and a scale or a variance.
CUSTOM_LOSSES: tuple[str, ...] = (*SCALAR_LOSSES, "GaussianNLLLoss", "GaussianNLLLoss:var")


def _terms(expr: sp.Expr, params: tuple[sp.Basic, ...]) -> dict[sp.Basic, sp.Expr]:
    """Canonical Add as {parameter-dependent part: coefficient}."""
    out: dict[sp.Basic, sp.Expr] = {}
    for term in sp.Add.make_args(expr):
        atoms = parameter_atoms(term, params)
        if not atoms:
            continue
        coeff, rest = term.as_independent(*atoms, as_Add=False)
        out[rest] = out.get(rest, sp.S.Zero) + coeff
    return out


def _per_sample_params(model: Model) -> tuple[sp.Basic, ...]:
    out: list[sp.Basic] = []
    for base in model.variables.prediction:
        assumptions = base.label._assumptions_orig
        if model.context.class_index is not None:  # a vector indexed by class
            out.append(sp.IndexedBase(base.name, **assumptions))
        else:
            out.append(sp.Symbol(base.name, **assumptions))
    return tuple(out)


def _per_sample_targets(model: Model) -> tuple[sp.Basic, ...]:
    out: list[sp.Basic] = []
    for base in model.variables.target:
        assumptions = base.label._assumptions_orig
        out.append(sp.Symbol(base.name, **assumptions))
        out.append(sp.IndexedBase(base.name, **assumptions))
    return tuple(out)


def constraint_substitutions(model: Model) -> dict[sp.Basic, sp.Basic]:
    """Per-sample facts of the support: simplex weights sum to one (over either class index)."""
    subs: dict[sp.Basic, sp.Basic] = {}
    ctx = model.context
    if ctx.simplex and model.classes is not None:
        for base in ctx.simplex:
            ps = sp.IndexedBase(base.name, **base.label._assumptions_orig)
            for index in (k, j):
                subs[sp.Sum(ps[index], (index, 1, model.classes))] = sp.S.One
    for group in ctx.concrete_simplex:
        weights = [per_sample(w) for w in group]
        subs[weights[-1]] = 1 - sp.Add(*weights[:-1])
    return subs


def identify(nll: sp.Expr, loss: NamedLoss, model: Model) -> LossMatch | None:
    """Prove ``nll = a·ℓ + b`` for the loss ``ℓ``; ``None`` when no proof is found."""
    formula_i = loss.formula(model)
    formula = per_sample(formula_i)
    params = _per_sample_params(model)
    samples = _per_sample_targets(model)
    subs = constraint_substitutions(model)
    found = _by_canonical_form(nll, formula, params, subs)
    if found is None and model.classes is None:
        found = _by_derivative(nll, formula, params, model)
    if found is None:
        return None
    scale, offset = found
    offset = rename_dummies(offset, ("k", "j", "l"))
    # The canonical form eliminates one weight of each simplex (p_K = 1 − Σ others); the
    # difference at the reference point keeps every class, in the symmetric form.
    at_ref = at_reference(nll - scale * formula, model).doit()
    for readable in (
        sp.expand(at_ref, deep=False, log=False),
        sp.expand(at_ref, log=False, power_exp=False, power_base=False, multinomial=False),
    ):
        if sp.count_ops(readable) < sp.count_ops(offset) and proved_zero(readable - offset, subs):
            offset = readable
    if not (scale.is_positive and free_of(scale, params + samples)):
        return None
    if not free_of(offset, params):
        return None
    return LossMatch(loss, formula, formula_i, scale, offset)


def _by_canonical_form(
    nll: sp.Expr,
    formula: sp.Expr,
    params: tuple[sp.Basic, ...],
    subs: dict[sp.Basic, sp.Basic],
) -> tuple[sp.Expr, sp.Expr] | None:
    d, e = canonical(nll, subs), canonical(formula, subs)
    d_terms, e_terms = _terms(d, params), _terms(e, params)
    if not e_terms:
        return None
    first = sorted(e_terms, key=sp.default_sort_key)[0]
    if first not in d_terms:
        return None
    scale = sp.cancel(d_terms[first] / e_terms[first])
    rest = canonical(d - scale * e, subs)
    if parameter_atoms(rest, params):
        return None
    return scale, rest


def _by_derivative(
    nll: sp.Expr, formula: sp.Expr, params: tuple[sp.Basic, ...], model: Model
) -> tuple[sp.Expr, sp.Expr] | None:
    """A zero derivative in every parameter, on a connected domain, and one value."""
    scale: sp.Expr | None = None
    for theta in params:
        dl = canonical(sp.diff(formula, theta))
        if dl != 0:
            scale = sp.cancel(sp.together(canonical(sp.diff(nll, theta)) / dl))
            break
    if scale is None or not free_of(scale, params):
        return None
    rest = nll - scale * formula
    if not all(proved_zero(sp.diff(rest, theta)) for theta in params):
        return None
    return scale, canonical(at_reference(rest, model))


def match_model(nll: sp.Expr, model: Model) -> LossMatch | None:
    """The first catalogue loss the model's NLL is proved to match, if any."""
    for name in model.losses:
        found = identify(nll, CATALOGUE[name], model)
        if found is not None:
            return found
    return None
