"""Distribution specs: parameters, support, density, the predicted parameter, links.

A spec turns the user's options into a :class:`Model`: the density of one
observation written with the sample index ``i`` (``IndexedBase`` symbols, so the
cost does not grow with n), the facts of its support that the rules may use,
the extra rules its targets need, and a point of its parameter domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from derive.catalog import resolve, resolve_link
from derive.errors import DeriveError
from derive.links import LINKS
from derive.numbers import parse_fraction
from derive.rules import (
    OneHot,
    OneHotSelection,
    Rule,
    RuleContext,
    SmoothedTargets,
    SumLinearity,
    SumToOne,
)
from derive.steps import Variables

__all__ = ["MAX_CLASSES", "Model", "at_reference", "build_model", "per_sample", "with_sample_index"]

MAX_CLASSES = 64

i = sp.Symbol("i", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
j = sp.Symbol("j", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)


@dataclass(frozen=True)
class Model:
    """One observation's density and everything a derivation needs to know of it."""

    distribution: str
    link: str
    options: tuple[tuple[str, str], ...]
    density: sp.Expr
    variables: Variables
    context: RuleContext
    rules: tuple[Rule, ...]
    reference: dict[str, sp.Expr]
    losses: tuple[str, ...]
    classes: sp.Expr | None = None
    label: sp.IndexedBase | None = None
    notes: tuple[str, ...] = field(default=())


def per_sample(expr: sp.Basic, index: sp.Symbol = i) -> sp.Basic:
    """Drop the sample index: ``y[i]`` → ``y``, ``z[i, k]`` → ``z[k]``."""

    def strip(e: sp.Indexed) -> sp.Basic:
        base = e.base
        assumptions = base.label._assumptions_orig
        if len(e.indices) == 1:
            return sp.Symbol(base.name, **assumptions)
        return sp.IndexedBase(base.name, **assumptions)[e.indices[1:]]

    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.indices[0] == index, strip)


def with_sample_index(expr: sp.Basic, model: Model, index: sp.Symbol = i) -> sp.Basic:
    """The inverse of :func:`per_sample` for the model's variables: ``y`` → ``y[i]``."""
    bases = {b.name: b for b in model.variables.target + model.variables.prediction}
    mapping: dict[sp.Basic, sp.Basic] = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Indexed) and node.base.name in bases:
            mapping[node] = bases[node.base.name][(index, *node.indices)]
        elif isinstance(node, sp.Symbol) and node.name in bases:
            mapping[node] = bases[node.name][index]
    # Symbols that are only labels of an indexed base stay as they are.
    for node in expr.atoms(sp.IndexedBase):
        mapping.pop(node.label, None)
    return expr.xreplace(mapping)


def at_reference(expr: sp.Basic, model: Model) -> sp.Basic:
    """``expr`` with every (per-sample) parameter set to the model's reference point."""
    ref = model.reference
    expr = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base.name in ref, lambda e: ref[e.base.name]
    )
    return expr.replace(lambda e: isinstance(e, sp.Symbol) and e.name in ref, lambda e: ref[e.name])


def _parse_fraction(text: str, what: str) -> Fraction:
    """A decimal or fraction from user text, exactly, without ``eval``."""
    return parse_fraction(text, what)


def build_model(
    name: str,
    link: str | None = None,
    classes: int | str | None = None,
    targets: str = "onehot",
    label_smoothing: str | float | Fraction | None = None,
) -> Model:
    """The model named ``name`` (or an alias) with the given options, validated."""
    entry = resolve(name)
    link_name = resolve_link(entry, link)
    if entry.name != "categorical":
        given = [
            flag
            for flag, value in (
                ("--classes", classes),
                ("--label-smoothing", label_smoothing),
            )
            if value is not None
        ]
        if targets != "onehot":
            given.append("--targets")
        if given:
            raise DeriveError(f"{', '.join(given)} only applies to categorical, not {entry.name}")
    builder = {
        "gaussian": _location_scale,
        "laplace": _location_scale,
        "bernoulli": _bernoulli,
    }.get(entry.name)
    if builder is not None:
        return builder(entry.name, link_name)
    return _categorical(link_name, classes, targets, label_smoothing)


def _context(optimised: tuple[sp.Basic, ...], **facts: object) -> RuleContext:
    return RuleContext(optimised=optimised, sample_index=i, n=n, **facts)  # type: ignore[arg-type]


def _location_scale(name: str, link: str) -> Model:
    y = sp.IndexedBase("y", real=True)
    f = sp.IndexedBase("f", real=True)
    if name == "gaussian":
        scale = sp.Symbol("sigma", positive=True)
        norm = sp.Pow(2 * sp.pi * scale**2, sp.Rational(-1, 2), evaluate=False)
        kernel = sp.exp(-((y[i] - f[i]) ** 2) / (2 * scale**2))
        losses: tuple[str, ...] = ("MSELoss",)
    else:
        scale = sp.Symbol("b", positive=True)
        norm = sp.Pow(2 * scale, -1, evaluate=False)
        kernel = sp.exp(-sp.Abs(y[i] - f[i]) / scale)
        losses = ("L1Loss",)
    density = sp.Mul(norm, kernel, evaluate=False)
    return Model(
        distribution=name,
        link=link,
        options=(),
        density=density,
        variables=Variables(target=(y,), prediction=(f,), nuisance=(scale,)),
        context=_context((f,)),
        rules=(),
        reference={"f": sp.S.Zero},
        losses=losses,
    )


def _bernoulli(name: str, link: str) -> Model:
    y = sp.IndexedBase("y", integer=True, nonnegative=True)
    if link == "identity":
        pred = sp.IndexedBase("p", positive=True)
        prob: sp.Expr = pred[i]
        reference = {"p": sp.Rational(1, 2)}
        losses: tuple[str, ...] = ("BCELoss",)
    else:
        pred = sp.IndexedBase("z", real=True)
        prob = LINKS[link].inverse(pred[i])
        reference = {"z": sp.S.Zero}
        losses = ("BCEWithLogitsLoss",)
    density = sp.Mul(
        sp.Pow(prob, y[i], evaluate=False),
        sp.Pow(1 - prob, 1 - y[i], evaluate=False),
        evaluate=False,
    )
    return Model(
        distribution=name,
        link=link,
        options=(),
        density=density,
        variables=Variables(target=(y,), prediction=(pred,), nuisance=()),
        context=_context((pred,), positive=(1 - prob,)),
        rules=LINKS[link].rules,
        reference=reference,
        losses=losses,
        notes=("y ∈ {0, 1}",) + (("0 < p < 1",) if link == "identity" else ()),
    )


def _classes(classes: int | str | None) -> sp.Expr:
    if classes is None:
        return K
    text = str(classes).strip()
    if not text.isdigit() or len(text) > 4:
        raise DeriveError(f"--classes must be a whole number from 2 to {MAX_CLASSES}, got {text!r}")
    value = int(text)
    if not 2 <= value <= MAX_CLASSES:
        raise DeriveError(f"--classes must be from 2 to {MAX_CLASSES}, got {value}")
    return sp.Integer(value)


def _categorical(
    link: str,
    classes: int | str | None,
    targets: str,
    label_smoothing: str | float | Fraction | None,
) -> Model:
    if targets not in ("onehot", "soft"):
        raise DeriveError(f"--targets must be onehot or soft, got {targets!r}")
    count = _classes(classes)
    eps = sp.S.Zero
    if label_smoothing is not None:
        frac = _parse_fraction(str(label_smoothing), "--label-smoothing")
        if not 0 <= frac < 1:
            raise DeriveError(f"--label-smoothing must be in [0, 1), got {label_smoothing}")
        if targets == "soft" and frac != 0:
            raise DeriveError(
                "--label-smoothing smooths one-hot targets; it cannot be used with --targets soft"
            )
        eps = sp.Rational(frac.numerator, frac.denominator)
    smoothing = eps != 0
    options: list[tuple[str, str]] = [("classes", str(count)), ("targets", targets)]
    if smoothing:
        options.append(("label_smoothing", str(eps)))
    if link == "identity":
        losses: tuple[str, ...] = (
            ("NLLLoss",) if targets == "onehot" and not smoothing else ("KLDivLoss",)
        )
        if smoothing:
            losses = ()
    else:
        losses = ("CrossEntropyLoss",)
    if count.is_Integer:
        return _categorical_concrete(link, int(count), targets, eps, tuple(options), losses)
    return _categorical_symbolic(link, targets, eps, tuple(options), losses)


def _categorical_symbolic(
    link: str,
    targets: str,
    eps: sp.Expr,
    options: tuple[tuple[str, str], ...],
    losses: tuple[str, ...],
) -> Model:
    label = sp.IndexedBase("y", integer=True, positive=True)
    onehot = sp.IndexedBase("t", integer=True, nonnegative=True)
    if link == "identity":
        pred = sp.IndexedBase("q", positive=True)
        prob: sp.Expr = pred[i, k]
        reference = {"q": 1 / K}
    else:
        pred = sp.IndexedBase("z", real=True)
        prob = LINKS[link].inverse(pred[i, k], sp.Sum(sp.exp(pred[i, j]), (j, 1, K)))
        reference = {"z": sp.S.Zero}
    one_hot = None
    simplex: tuple[sp.IndexedBase, ...] = ()
    definitions: tuple[tuple[sp.Expr, sp.Expr], ...] = ()
    extra: tuple[Rule, ...] = ()
    if targets == "soft":
        weight = sp.IndexedBase("p", nonnegative=True)
        simplex = (weight,)
        target_vars: tuple[sp.Basic, ...] = (weight,)
        extra = (SumToOne(),)
    elif eps != 0:
        weight = sp.IndexedBase("s", nonnegative=True)
        one_hot = OneHot(onehot, label)
        simplex = (weight,)
        definitions = ((weight[i, k], (1 - eps) * onehot[i, k] + eps / K),)
        target_vars = (label,)
        extra = (SumToOne(), SmoothedTargets(), SumLinearity(), OneHotSelection())
    else:
        weight = onehot
        one_hot = OneHot(onehot, label)
        target_vars = (label,)
        extra = (OneHotSelection(),)
    density = sp.Product(sp.Pow(prob, weight[i, k], evaluate=False), (k, 1, K))
    return Model(
        distribution="categorical",
        link=link,
        options=options,
        density=density,
        variables=Variables(target=target_vars, prediction=(pred,), nuisance=()),
        context=_context(
            (pred,),
            class_index=k,
            classes=K,
            one_hot=one_hot,
            simplex=simplex,
            definitions=definitions,
        ),
        rules=LINKS[link].rules + extra,
        reference=reference,
        losses=losses,
        classes=K,
        label=label,
        notes=_categorical_notes(targets, eps, K),
    )


def _categorical_notes(targets: str, eps: sp.Expr, count: sp.Expr) -> tuple[str, ...]:
    if targets == "soft":
        return (
            "soft targets p_k ≥ 0 with Σ_k p_k = 1; the objective is the expected "
            "negative log-likelihood of a label drawn from p (the cross-entropy)",
        )
    if eps != 0:
        return (f"label-smoothed targets (1 − ε)·onehot(y) + ε/K with ε = {eps}",)
    return ("one-hot targets t_k = [k = y]",)


def _categorical_concrete(
    link: str,
    count: int,
    targets: str,
    eps: sp.Expr,
    options: tuple[tuple[str, str], ...],
    losses: tuple[str, ...],
) -> Model:
    letter = "q" if link == "identity" else "z"
    assumptions = {"positive": True} if link == "identity" else {"real": True}
    preds = tuple(sp.IndexedBase(f"{letter}_{c}", **assumptions) for c in range(1, count + 1))
    onehots = tuple(
        sp.IndexedBase(f"t_{c}", integer=True, nonnegative=True) for c in range(1, count + 1)
    )
    if targets == "soft":
        weights = tuple(sp.IndexedBase(f"p_{c}", nonnegative=True) for c in range(1, count + 1))
    elif eps != 0:
        weights = tuple(sp.IndexedBase(f"s_{c}", nonnegative=True) for c in range(1, count + 1))
    else:
        weights = onehots
    if link == "identity":
        probs = [q[i] for q in preds]
        reference = {q.name: sp.Rational(1, count) for q in preds}
    else:
        total = sp.Add(*(sp.exp(z[i]) for z in preds))
        probs = [LINKS[link].inverse(z[i], total) for z in preds]
        reference = {z.name: sp.S.Zero for z in preds}
    density = sp.Mul(
        *(sp.Pow(q, w[i], evaluate=False) for q, w in zip(probs, weights)), evaluate=False
    )
    definitions: tuple[tuple[sp.Expr, sp.Expr], ...] = ()
    extra: tuple[Rule, ...] = (SumToOne(),)
    simplex: tuple[tuple[sp.Expr, ...], ...] = (tuple(w[i] for w in weights),)
    if eps != 0:
        definitions = tuple(
            (s[i], (1 - eps) * t[i] + eps / count) for s, t in zip(weights, onehots)
        )
        simplex = simplex + (tuple(t[i] for t in onehots),)
        extra = (SumToOne(), SmoothedTargets())
    target_vars = weights if targets == "soft" else onehots
    return Model(
        distribution="categorical",
        link=link,
        options=options,
        density=density,
        variables=Variables(target=target_vars, prediction=preds, nuisance=()),
        context=_context(preds, concrete_simplex=simplex, definitions=definitions),
        rules=LINKS[link].rules + extra,
        reference=reference,
        losses=losses,
        classes=sp.Integer(count),
        notes=_categorical_notes(targets, eps, sp.Integer(count)),
    )
