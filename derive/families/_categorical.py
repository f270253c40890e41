"""The SymPy side of the categorical family: its compiled models and its losses.

Symbolic K: the class vectors are ``IndexedBase``s indexed ``[i, k]`` and the
density is ``∏_k q_{ik}^{w_{ik}}``. Concrete K: one ``IndexedBase`` per class
(``q_1 … q_K``) and a finite product. The weights w are the one-hot targets,
the soft targets p, or the label-smoothed targets s = (1 − ε)·t + ε/K.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import sympy as sp

from derive.compile import K, Model, Sampled, context, i, j, k, reference_value, support_facts
from derive.errors import DeriveError
from derive.family import Domain, Family
from derive.links import LINKS
from derive.numbers import parse_fraction, torch_literal
from derive.rules import (
    OneHot,
    OneHotSelection,
    Rule,
    SmoothedTargets,
    SumLinearity,
    SumToOne,
)
from derive.steps import Variables

__all__ = [
    "compile_categorical",
    "cross_entropy",
    "cross_entropy_keywords",
    "kl_divergence",
    "negative_log_likelihood",
]

MAX_CLASSES = 64


def _classes(classes: str | None) -> sp.Expr:
    if classes is None:
        return K
    text = classes.strip()
    if not text.isdigit() or len(text) > 4:
        raise DeriveError(
            f"--classes must be a whole number from 2 to {MAX_CLASSES}, got {text[:20]!r}"
        )
    value = int(text)
    if not 2 <= value <= MAX_CLASSES:
        raise DeriveError(f"--classes must be from 2 to {MAX_CLASSES}, got {value}")
    return sp.Integer(value)


def _smoothing(text: str | None, targets: str) -> sp.Expr:
    if text is None:
        return sp.S.Zero
    frac: Fraction = parse_fraction(text, "--label-smoothing")
    if not 0 <= frac < 1:
        raise DeriveError(f"--label-smoothing must be in [0, 1), got {text[:40]}")
    if targets == "soft" and frac != 0:
        raise DeriveError(
            "--label-smoothing smooths one-hot targets; it cannot be used with --targets soft"
        )
    return sp.Rational(frac.numerator, frac.denominator)


def compile_categorical(family: Family, link: str, options: dict[str, str | None]) -> Model:
    """The categorical model through ``link`` with its options, validated."""
    targets = options.get("targets") or "onehot"
    count = _classes(options.get("classes"))
    eps = _smoothing(options.get("label_smoothing"), targets)
    smoothing = eps != 0
    shown: list[tuple[str, str]] = [("classes", str(count)), ("targets", targets)]
    if smoothing:
        shown.append(("label_smoothing", str(eps)))
    candidates = family.link(link).losses
    losses: tuple[str, ...]
    if link == "identity":
        losses = () if smoothing else (candidates[0] if targets == "onehot" else candidates[1],)
    else:
        losses = candidates
    spec = family.link(link)
    common = {"family": family, "compare_mse": spec.compare_mse}
    if count.is_Integer:
        return _concrete(link, int(count), targets, eps, tuple(shown), losses, common)
    return _symbolic(link, targets, eps, tuple(shown), losses, common)


def _notes(targets: str, eps: sp.Expr) -> tuple[str, ...]:
    if targets == "soft":
        return (
            "soft targets p_k ≥ 0 with Σ_k p_k = 1; the objective is the expected "
            "negative log-likelihood of a label drawn from p (the cross-entropy)",
        )
    if eps != 0:
        return (f"label-smoothed targets (1 − ε)·onehot(y) + ε/K with ε = {eps}",)
    return ("one-hot targets t_k = [k = y]",)


def _symbolic(
    link: str,
    targets: str,
    eps: sp.Expr,
    options: tuple[tuple[str, str], ...],
    losses: tuple[str, ...],
    common: dict,
) -> Model:
    label = sp.IndexedBase("y", **Domain.LABELS.assumptions)
    onehot = sp.IndexedBase("t", **Domain.ONEHOT.assumptions)
    through = LINKS[link]
    if through.predictor is None:
        pred = sp.IndexedBase("q", positive=True)
        prob: sp.Expr = pred[i, k]
        predictor = Domain.SIMPLEX
    else:
        pred = sp.IndexedBase(through.letter, **through.predictor.assumptions)
        prob = through.inverse(pred[i, k], sp.Sum(sp.exp(pred[i, j]), (j, 1, K)))
        predictor = through.predictor
    one_hot = None
    simplex: tuple[sp.IndexedBase, ...] = ()
    definitions: tuple[tuple[sp.Expr, sp.Expr], ...] = ()
    extra: tuple[Rule, ...] = ()
    sampled = [Sampled((pred,), predictor, per_class=True)]
    if targets == "soft":
        weight = sp.IndexedBase("p", **Domain.SIMPLEX.assumptions)
        simplex = (weight,)
        target_vars: tuple[sp.Basic, ...] = (weight,)
        extra = (SumToOne(),)
        sampled.append(Sampled((weight,), Domain.SIMPLEX, per_class=True))
        facts: tuple[sp.Expr, ...] = ()
    else:
        one_hot = OneHot(onehot, label)
        target_vars = (label,)
        sampled += [
            Sampled((label,), Domain.LABELS),
            Sampled((onehot,), Domain.ONEHOT, per_class=True),
        ]
        facts = ()
        if eps != 0:
            weight = sp.IndexedBase("s", **Domain.SIMPLEX.assumptions)
            simplex = (weight,)
            definitions = ((weight[i, k], (1 - eps) * onehot[i, k] + eps / K),)
            extra = (SumToOne(), SmoothedTargets(), SumLinearity(), OneHotSelection())
        else:
            weight = onehot
            extra = (OneHotSelection(),)
    density = sp.Product(sp.Pow(prob, weight[i, k], evaluate=False), (k, 1, K))
    return Model(
        link=link,
        options=options,
        density=density,
        variables=Variables(target=target_vars, prediction=(pred,), nuisance=()),
        context=context(
            (pred,),
            class_index=k,
            classes=K,
            one_hot=one_hot,
            simplex=simplex,
            definitions=definitions,
        ),
        rules=through.rules + extra,
        reference={pred.name: reference_value(predictor)},
        losses=losses,
        sampled=tuple(sampled),
        fixed=(),
        facts=facts,
        predictor=predictor,
        axis=through.axis or predictor.plot_range,
        classes=K,
        label=label,
        notes=_notes(targets, eps),
        **common,
    )


def _concrete(
    link: str,
    count: int,
    targets: str,
    eps: sp.Expr,
    options: tuple[tuple[str, str], ...],
    losses: tuple[str, ...],
    common: dict,
) -> Model:
    through = LINKS[link]
    if through.predictor is None:
        letter, predictor, assumptions = "q", Domain.SIMPLEX, {"positive": True}
    else:
        letter, predictor = through.letter, through.predictor
        assumptions = predictor.assumptions
    classes = range(1, count + 1)
    preds = tuple(sp.IndexedBase(f"{letter}_{c}", **assumptions) for c in classes)
    onehots = tuple(sp.IndexedBase(f"t_{c}", **Domain.ONEHOT.assumptions) for c in classes)
    sampled = [Sampled(preds, predictor)]
    if targets == "soft":
        weights = tuple(sp.IndexedBase(f"p_{c}", **Domain.SIMPLEX.assumptions) for c in classes)
        sampled.append(Sampled(weights, Domain.SIMPLEX))
    else:
        sampled.append(Sampled(onehots, Domain.ONEHOT))
        weights = (
            tuple(sp.IndexedBase(f"s_{c}", **Domain.SIMPLEX.assumptions) for c in classes)
            if eps != 0
            else onehots
        )
    if through.predictor is None:
        probs = [q[i] for q in preds]
    else:
        total = sp.Add(*(sp.exp(z[i]) for z in preds))
        probs = [through.inverse(z[i], total) for z in preds]
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
    target_domain = Domain.SIMPLEX if targets == "soft" else Domain.ONEHOT
    return Model(
        link=link,
        options=options,
        density=density,
        variables=Variables(target=target_vars, prediction=preds, nuisance=()),
        context=context(preds, concrete_simplex=simplex, definitions=definitions),
        rules=through.rules + extra,
        reference={q.name: reference_value(predictor, sp.Integer(count)) for q in preds},
        losses=losses,
        sampled=tuple(sampled),
        fixed=(),
        facts=support_facts((base, target_domain) for base in target_vars),
        predictor=predictor,
        axis=through.axis or predictor.plot_range,
        classes=sp.Integer(count),
        notes=_notes(targets, eps),
        **common,
    )


# ------------------------------------------------------------------ losses


def _concrete_k(m: Model) -> bool:
    return m.classes is not None and bool(m.classes.is_Integer)


def _log_prob(m: Model, cls: sp.Basic) -> sp.Expr:
    """log q_cls, or for the softmax log(e^{z_cls} / Σ_j e^{z_j})."""
    through = LINKS[m.link]
    if _concrete_k(m):
        preds = m.variables.prediction
        if through.predictor is None:
            return sp.log(preds[int(cls) - 1][i])  # type: ignore[index]
        total = sp.Add(*(sp.exp(z[i]) for z in preds))  # type: ignore[index]
        return sp.log(through.inverse(preds[int(cls) - 1][i], total), evaluate=False)  # type: ignore[index]
    base = m.variables.prediction[0]
    if through.predictor is None:
        return sp.log(base[i, cls])  # type: ignore[index]
    total = sp.Sum(sp.exp(base[i, j]), (j, 1, m.classes))  # type: ignore[index]
    return sp.log(through.inverse(base[i, cls], total), evaluate=False)  # type: ignore[index]


def _expected(m: Model, weight: Callable[[sp.Basic], sp.Expr]) -> sp.Expr:
    """−Σ_k w_k log q_k for the model's classes."""
    if _concrete_k(m):
        return -sp.Add(*(weight(c) * _log_prob(m, c) for c in range(1, int(m.classes) + 1)))  # type: ignore[arg-type]
    return -sp.Sum(weight(k) * _log_prob(m, k), (k, 1, m.classes))


def _class_weight(m: Model) -> Callable[[sp.Basic], sp.Expr]:
    targets = m.variables.target
    if _concrete_k(m):
        return lambda c: targets[int(c) - 1][i]  # type: ignore[index]
    return lambda c: targets[0][i, c]  # type: ignore[index]


def negative_log_likelihood(m: Model) -> sp.Expr:
    """NLLLoss: −log q_y for a class index y (or −Σ_k t_k log q_k for one-hot columns)."""
    if m.label is not None:
        return -_log_prob(m, m.label[i])
    return _expected(m, _class_weight(m))


def cross_entropy(m: Model) -> sp.Expr:
    """CrossEntropyLoss: −log softmax(z)_y, with probability targets −Σ_k p_k log softmax(z)_k,
    and with ``label_smoothing`` ε: (1 − ε)·(the former) + ε/K·Σ_k −log softmax(z)_k."""
    options = dict(m.options)
    smoothing = options.get("label_smoothing")
    if m.label is not None and options.get("targets") == "onehot":
        hard = -_log_prob(m, m.label[i])
    else:
        hard = _expected(m, _class_weight(m))
    if smoothing is None:
        return hard
    eps = sp.Rational(smoothing)
    uniform = _expected(m, lambda c: sp.S.One)
    return (1 - eps) * hard + eps / m.classes * uniform  # type: ignore[operator]


def cross_entropy_keywords(m: Model) -> str:
    """The keyword arguments CrossEntropyLoss needs for this model (label smoothing)."""
    smoothing = dict(m.options).get("label_smoothing")
    if smoothing is None:
        return ""
    value = sp.Rational(smoothing)
    return f"label_smoothing={torch_literal(Fraction(int(value.p), int(value.q)))}"


def kl_divergence(m: Model) -> sp.Expr:
    """KLDivLoss (input log q, target p): Σ_k p_k (log p_k − log q_k)."""
    weight = _class_weight(m)
    if _concrete_k(m):
        return sp.Add(
            *(
                weight(c) * (sp.log(weight(c)) - _log_prob(m, c))
                for c in range(1, int(m.classes) + 1)  # type: ignore[arg-type]
            )
        )
    return sp.Sum(weight(k) * (sp.log(weight(k)) - _log_prob(m, k)), (k, 1, m.classes))
