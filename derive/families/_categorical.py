"""The SymPy side of the categorical family: its compiled models and its losses.

Indexed classes — a symbolic K, or a concrete K above :data:`SMALL_CLASSES`:
the class vectors are ``IndexedBase``s indexed ``[i, k]`` and the density is
``∏_{k=1}^{K} q_{ik}^{w_{ik}}``, with K the symbol or the number; the cost does not
grow with K, and every sum over classes prints as one ``Σ_k``. Explicit classes —
a concrete K from 2 to :data:`SMALL_CLASSES`: one ``IndexedBase`` per class
(``q_1 … q_K``) and a finite product, written out term by term. The weights w are
the one-hot targets, the soft targets p, or the label-smoothed targets
s = (1 − ε)·t + ε/K.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import sympy as sp

from derive.compile import (
    K,
    Model,
    Sampled,
    context,
    i,
    j,
    k,
    per_sample,
    reference_value,
    support_facts,
)
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
    "SMALL_CLASSES",
    "class_targets",
    "comparison_model",
    "compile_categorical",
    "cross_entropy",
    "cross_entropy_arguments",
    "cross_entropy_keywords",
    "explicit",
    "kl_divergence",
    "negative_log_likelihood",
    "target_witness",
]

MAX_CLASSES = 64
SMALL_CLASSES = 4  # up to this many classes are written out one by one; above, indexed


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
    if link == "identity":
        # on log q: NLLLoss, KLDivLoss with soft targets, CrossEntropyLoss with label smoothing
        # (its log_softmax leaves log q unchanged, since q sums to one)
        plain = "NLLLoss" if targets == "onehot" else "KLDivLoss"
        losses: tuple[str, ...] = ("CrossEntropyLoss",) if smoothing else (plain,)
    else:
        losses = ("CrossEntropyLoss",)
    spec = family.link(link)
    assert set(losses) <= set(spec.losses), "the family record lists every loss a link may give"
    common = {"family": family, "compare_mse": spec.compare_mse}
    if count.is_Integer and int(count) <= SMALL_CLASSES:
        return _concrete(link, int(count), targets, eps, tuple(shown), losses, common)
    return _indexed(link, count, targets, eps, tuple(shown), losses, common)


def explicit(m: Model) -> bool:
    """Whether the model writes its classes out one by one (one base per class)."""
    return m.context.class_index is None


def _notes(targets: str, eps: sp.Expr) -> tuple[str, ...]:
    if targets == "soft":
        return (
            "soft targets p[k] ≥ 0 with Σₖ p[k] = 1; the product ∏ₖ q[k]^{p[k]} is not the "
            "probability of an observed label: the objective is the expected negative "
            "log-likelihood of a label drawn from p (the cross-entropy)",
        )
    if eps != 0:
        return (
            f"label-smoothed targets s[k] = (1 − ε)·[k = y] + ε/K with ε = {eps}; as with soft "
            "targets, the product ∏ₖ q[k]^{s[k]} is not the probability of the observed label y: "
            "the objective is the expected negative log-likelihood of a label drawn from s "
            "(a cross-entropy)",
        )
    return ("one-hot targets t[k] = [k = y]",)


def _indexed(
    link: str,
    classes: sp.Expr,
    targets: str,
    eps: sp.Expr,
    options: tuple[tuple[str, str], ...],
    losses: tuple[str, ...],
    common: dict,
) -> Model:
    """Class vectors indexed ``[i, k]``, k = 1 … ``classes`` (the symbol K or a number)."""
    label = sp.IndexedBase("y", **Domain.LABELS.assumptions)
    onehot = sp.IndexedBase("t", **Domain.ONEHOT.assumptions)
    through = LINKS[link]
    simplex: tuple[sp.IndexedBase, ...] = ()
    if through.predictor is None:
        pred = sp.IndexedBase("q", positive=True)
        prob: sp.Expr = pred[i, k]
        predictor = Domain.SIMPLEX
        simplex = (pred,)  # the predicted probabilities sum to one
    else:
        pred = sp.IndexedBase(through.letter, **through.predictor.assumptions)
        prob = through.inverse(pred[i, k], sp.Sum(sp.exp(pred[i, j]), (j, 1, classes)))
        predictor = through.predictor
    one_hot = None
    definitions: tuple[tuple[sp.Expr, sp.Expr], ...] = ()
    extra: tuple[Rule, ...] = ()
    sampled = [Sampled((pred,), predictor, per_class=True)]
    if targets == "soft":
        weight = sp.IndexedBase("p", **Domain.SIMPLEX.assumptions)
        simplex = (weight, *simplex)
        target_vars: tuple[sp.Basic, ...] = (weight,)
        extra = (SumToOne(),)
        sampled.append(Sampled((weight,), Domain.SIMPLEX, per_class=True))
    else:
        one_hot = OneHot(onehot, label)
        target_vars = (label,)
        sampled += [
            Sampled((label,), Domain.LABELS),
            Sampled((onehot,), Domain.ONEHOT, per_class=True),
        ]
        if eps != 0:
            weight = sp.IndexedBase("s", **Domain.SIMPLEX.assumptions)
            simplex = (weight, *simplex)
            definitions = ((weight[i, k], (1 - eps) * onehot[i, k] + eps / classes),)
            extra = (SumToOne(), SmoothedTargets(), SumLinearity(), OneHotSelection())
        else:
            weight = onehot
            extra = (OneHotSelection(),)
    density = sp.Product(sp.Pow(prob, weight[i, k], evaluate=False), (k, 1, classes))
    return Model(
        link=link,
        options=options,
        density=density,
        variables=Variables(target=target_vars, prediction=(pred,), nuisance=()),
        context=context(
            (pred,),
            class_index=k,
            classes=classes,
            one_hot=one_hot,
            simplex=simplex,
            definitions=definitions,
        ),
        rules=through.rules + extra,
        reference={pred.name: reference_value(predictor, classes)},
        losses=losses,
        sampled=tuple(sampled),
        fixed=(),
        facts=(),
        predictor=predictor,
        axis=through.axis or predictor.plot_range,
        classes=classes,
        label=label if targets == "onehot" else None,
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
    if through.predictor is None:
        simplex = simplex + (tuple(probs),)  # the predicted probabilities sum to one
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


def _log_prob(m: Model, cls: sp.Basic) -> sp.Expr:
    """log q_cls, or for the softmax log(e^{z_cls} / Σ_j e^{z_j})."""
    through = LINKS[m.link]
    if explicit(m):
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


def _log_softmax_of_input(m: Model, cls: sp.Basic) -> sp.Expr:
    """What CrossEntropyLoss computes from its input: log_softmax(input)_cls.

    The input is the logits z (softmax link) or log q (identity link); then
    log_softmax(log q)_cls = log(q_cls / Σ_j q_j), which is log q_cls on the simplex.
    """
    if LINKS[m.link].predictor is not None:
        return _log_prob(m, cls)
    if explicit(m):
        preds = m.variables.prediction
        total = sp.Add(*(q[i] for q in preds))  # type: ignore[index]
        mine = preds[int(cls) - 1][i]  # type: ignore[index]
    else:
        base = m.variables.prediction[0]
        total = sp.Sum(base[i, j], (j, 1, m.classes))  # type: ignore[index]
        mine = base[i, cls]  # type: ignore[index]
    return sp.log(sp.Mul(mine, sp.Pow(total, -1), evaluate=False), evaluate=False)


def _expected(
    m: Model,
    weight: Callable[[sp.Basic], sp.Expr],
    log_prob: Callable[[Model, sp.Basic], sp.Expr] = _log_prob,
) -> sp.Expr:
    """−Σ_k w_k log q_k for the model's classes."""
    if explicit(m):
        return -sp.Add(*(weight(c) * log_prob(m, c) for c in range(1, int(m.classes) + 1)))  # type: ignore[arg-type]
    return -sp.Sum(weight(k) * log_prob(m, k), (k, 1, m.classes))


def _class_weight(m: Model) -> Callable[[sp.Basic], sp.Expr]:
    targets = m.variables.target
    if explicit(m):
        return lambda c: targets[int(c) - 1][i]  # type: ignore[index]
    return lambda c: targets[0][i, c]  # type: ignore[index]


def negative_log_likelihood(m: Model) -> sp.Expr:
    """NLLLoss: −log q_y for a class index y (or −Σ_k t_k log q_k for one-hot columns)."""
    if m.label is not None:
        return -_log_prob(m, m.label[i])
    return _expected(m, _class_weight(m))


def cross_entropy(m: Model) -> sp.Expr:
    """CrossEntropyLoss: −log softmax(x)_y for its input x (the logits z, or log q), with
    probability targets −Σ_k p_k log softmax(x)_k, and with ``label_smoothing`` ε:
    (1 − ε)·(the former) + ε/K·Σ_k −log softmax(x)_k."""
    smoothing = dict(m.options).get("label_smoothing")
    if m.label is not None:
        hard = -_log_softmax_of_input(m, m.label[i])
    else:
        hard = _expected(m, _class_weight(m), _log_softmax_of_input)
    if smoothing is None:
        return hard
    eps = sp.Rational(smoothing)
    uniform = _expected(m, lambda c: sp.S.One, _log_softmax_of_input)
    return (1 - eps) * hard + eps / m.classes * uniform  # type: ignore[operator]


def cross_entropy_keywords(m: Model) -> str:
    """The keyword arguments CrossEntropyLoss needs for this model (label smoothing)."""
    smoothing = dict(m.options).get("label_smoothing")
    if smoothing is None:
        return ""
    value = sp.Rational(smoothing)
    return f"label_smoothing={torch_literal(Fraction(int(value.p), int(value.q)))}"


def cross_entropy_arguments(m: Model) -> str:
    """CrossEntropyLoss's input and target: logits z or log q, and class indices y or
    probabilities p."""
    given = "z" if LINKS[m.link].predictor is not None else "torch.log(q)"
    target = "p" if dict(m.options).get("targets") == "soft" else "y"
    return f"{given}, {target}"


def kl_divergence(m: Model) -> sp.Expr:
    """KLDivLoss (input log q, target p): Σ_k p_k (log p_k − log q_k)."""
    weight = _class_weight(m)
    if explicit(m):
        return sp.Add(
            *(
                weight(c) * (sp.log(weight(c)) - _log_prob(m, c))
                for c in range(1, int(m.classes) + 1)  # type: ignore[arg-type]
            )
        )
    return sp.Sum(weight(k) * (sp.log(weight(k)) - _log_prob(m, k)), (k, 1, m.classes))


# ------------------------------------------------------- MSE comparison


def comparison_model(m: Model) -> Model:
    """The model the MSE comparison is drawn on: ``m`` itself when its classes are written
    out, else the same link and targets with three classes (a symbolic or a large K)."""
    if explicit(m):
        return m
    options = dict(m.options)
    given = {
        "classes": "3",
        "targets": options.get("targets"),
        "label_smoothing": options.get("label_smoothing"),
    }
    return compile_categorical(m.family, m.link, given)


def class_targets(m: Model) -> tuple[sp.Expr, ...]:
    """The per-sample target of each class, as the derivation weighs it: one-hot t_k, soft
    p_k, or label-smoothed (1 − ε)·t_k + ε/K (a model whose classes are written out)."""
    definitions = {per_sample(name): per_sample(value) for name, value in m.context.definitions}
    weights = [per_sample(base[i]) for base in _weight_bases(m)]  # type: ignore[index]
    return tuple(definitions.get(w, w) for w in weights)


def _weight_bases(m: Model) -> tuple[sp.Basic, ...]:
    if m.context.definitions:
        return tuple(name.base for name, _ in m.context.definitions)
    return m.variables.target


def target_witness(m: Model) -> tuple[dict[sp.Basic, sp.Expr], str]:
    """Targets for a sample of class 1 (a model whose classes are written out), and their
    description: the one-hot e₁ (y = 1), or soft targets that put 7/10 on class 1."""
    targets = [per_sample(base[i]) for base in m.variables.target]  # type: ignore[index]
    count = len(targets)
    if dict(m.options).get("targets") == "soft":
        rest = sp.Rational(3, 10) / (count - 1)
        values = [sp.Rational(7, 10)] + [rest] * (count - 1)
        shown = ", ".join(str(v) for v in values)
        return dict(zip(targets, values, strict=True)), f"soft p = ({shown})"
    values = [sp.S.One] + [sp.S.Zero] * (count - 1)
    return dict(zip(targets, values, strict=True)), "one-hot t = (1, 0, …, 0)"
