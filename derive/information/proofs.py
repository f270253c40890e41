"""The proofs of the identities ``derive identity NAME`` names (:mod:`.identities`).

Each builder returns its :class:`Identity`; the registry in
:mod:`derive.information.identities` calls them lazily. Every chain is a real derivation: each step
is one rule (:mod:`derive.rules`, :mod:`derive.information.lemmas`) applied to
the whole expression. An equality holds by :func:`derive.algebra.proved_zero`
once the identity's ``facts`` are substituted, or (integrals) by its rule's
``certify``; the one inequality (Gibbs) is certified by its lemma.

A refuted claim (KL is symmetric; KL obeys the triangle inequality) is shown
false by an exact categorical witness found by a small search over rationals:
the chain starts from the difference of the two sides at the witness
(``statement`` says it is > 0), ends at Σ c_j·log π_j (π_j prime), and the sign
of that sum is decided exactly by :func:`~derive.information.lemmas.log_sign`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import sympy as sp

from derive.algebra import rewrite_nodes
from derive.family import resolve
from derive.information.identity import Identity, Witness
from derive.information.instance import K, k
from derive.information.lemmas import (
    AbsOnHalfLine,
    AtTheWitness,
    Definition,
    ExpandAndCollect,
    HalfOfDensity,
    IntegralOfMultiple,
    Integrate,
    LogAtMostLinear,
    LogSign,
    LogsOfPrimes,
    MultiplyAndDivide,
    NegatedLog,
    Normalised,
    OneHotSifting,
    SoftmaxOfTwoLogits,
    SplitSum,
    UniformCrossEntropy,
    kl_terms,
    kl_value,
    log_lemma,
    log_sign,
    simplex_points,
)
from derive.rules import (
    Expand,
    LogOfOneMinusSigmoid,
    LogOfProduct,
    LogOfSigmoid,
    Rule,
    RuleContext,
    SoftplusReflection,
)
from derive.steps import Step

__all__ = [
    "bce_is_two_class_ce",
    "cross_entropy_decomposition",
    "gibbs",
    "kl_asymmetry",
    "kl_triangle",
    "label_smoothing",
    "laplace_half_exponential",
    "search_witness",
]

MAX_DENOMINATOR = 4  # the witness search tries probabilities with denominators up to this

_KL_DIV_LOSS = (
    "`torch.nn.KLDivLoss` takes the log-probabilities log q as its input and the "
    "probabilities p as its target (log p with `log_target=True`) and computes "
    "p·(log p − log q) elementwise; only `reduction='batchmean'` (the sum divided by the "
    "batch size N) is the mathematical KL(P‖Q) averaged over the batch; `reduction='mean'` "
    "divides the sum by N·K and `reduction='sum'` gives the sum over the whole batch"
)


def _context(*positive: sp.Expr, optimised: tuple[sp.Basic, ...] = ()) -> RuleContext:
    return RuleContext(
        optimised=optimised,
        sample_index=sp.Dummy("i", integer=True),
        n=sp.S.One,
        positive=positive,
        class_index=k,
        classes=K,
    )


def _chain(start: sp.Expr, rules: Sequence[Rule], ctx: RuleContext) -> tuple[Step, ...]:
    """Apply each rule once, in order, to the whole expression; each must apply."""
    steps: list[Step] = []
    expr = start
    for rule in rules:
        rewrite = rule.apply(expr, ctx)
        if rewrite is None:  # pragma: no cover - a chain is fixed; failing to apply is a bug
            raise RuntimeError(f"{rule.name} did not apply to {sp.sstr(expr)}; a bug in derive")
        steps.append(Step(rule, expr, rewrite.after, rule.relation_for(rewrite)))
        expr = rewrite.after
    return tuple(steps)


def _vectors() -> tuple[sp.IndexedBase, sp.IndexedBase]:
    return sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)


def _sum(expr: sp.Expr) -> sp.Sum:
    return sp.Sum(expr, (k, 1, K))


def _normalised(*vectors: sp.IndexedBase) -> tuple[sp.Equality, ...]:
    return tuple(sp.Eq(_sum(v[k]), 1, evaluate=False) for v in vectors)


def _vector_symbols(p: sp.IndexedBase, q: sp.IndexedBase) -> tuple[tuple[sp.Basic, str], ...]:
    return (
        (p, "the probabilities p[k] > 0 of P over K classes, summing to one"),
        (q, "the probabilities q[k] > 0 of Q over the same K classes, summing to one"),
        (K, "the number of classes"),
        (k, "the class index, from 1 to K"),
    )


# ------------------------------------------------------------- cross-entropy = H + KL


def cross_entropy_decomposition() -> Identity:
    p, q = _vectors()
    start = _sum(p[k] * sp.log(1 / q[k]))
    ctx = _context(optimised=(p, q))
    steps = _chain(
        start,
        (MultiplyAndDivide(target=1 / q[k], by=1 / p[k]), LogOfProduct(), SplitSum()),
        ctx,
    )
    end = steps[-1].after
    return Identity(
        name="cross-entropy-decomposition",
        title="Cross-entropy is entropy plus KL divergence",
        claim=(
            "The cross-entropy of Q relative to P is the entropy of P plus the KL divergence "
            "of Q from P: H(P, Q) = H(P) + KL(P‖Q)."
        ),
        statement=sp.Eq(start, end, evaluate=False),
        start=start,
        steps=steps,
        symbols=_vector_symbols(p, q),
        notes=(
            "The left side is H(P, Q) = Σₖ p[k]·log(1/q[k]); the right side is "
            "H(P) = Σₖ p[k]·log(1/p[k]) plus KL(P‖Q) = Σₖ p[k]·log(p[k]/q[k]).",
            "Only p[k] > 0 and q[k] > 0 are used: the decomposition holds for any positive "
            "vectors; that P and Q sum to one is not needed.",
            "In torch: H(P, Q) is `torch.nn.CrossEntropyLoss` with probability targets p "
            "applied to logits whose softmax is q (`reduction='sum'` over one row); H(P) is "
            "`Categorical(probs=p).entropy()`; KL(P‖Q) is "
            "`kl_divergence(Categorical(probs=p), Categorical(probs=q))` "
            "(both in `torch.distributions`).",
            _KL_DIV_LOSS + ".",
        ),
        facts=_normalised(p, q),
    )


# ------------------------------------------------------------------------------ Gibbs


def gibbs() -> Identity:
    p, q = _vectors()
    start = -_sum(p[k] * sp.log(p[k] / q[k]))
    ctx = _context()
    steps = _chain(
        start,
        (
            NegatedLog(),
            LogAtMostLinear(),
            Expand(),
            SplitSum(),
            Normalised(totals=(_sum(p[k]), _sum(q[k]))),
        ),
        ctx,
    )
    lemma = log_lemma()
    return Identity(
        name="gibbs",
        title="Gibbs' inequality",
        claim=(
            "The KL divergence is never negative, KL(P‖Q) ≥ 0, with equality if and only if P = Q."
        ),
        statement=sp.Le(start, steps[-1].after, evaluate=False),
        start=start,
        steps=steps,
        symbols=_vector_symbols(p, q),
        notes=(
            "The chain starts from −KL(P‖Q) = −Σₖ p[k]·log(p[k]/q[k]) and ends at 0, "
            "so KL(P‖Q) ≥ 0.",
            f"The lemma log x ≤ x − 1 for x > 0: g(x) = {sp.sstr(lemma.function)} is convex on "
            f"x > 0 ({lemma.verdict.reason}); g′(x) = {sp.sstr(lemma.derivative)} vanishes at "
            f"x = 1, where g(1) = 0, so g ≥ 0; g″(x) = {sp.sstr(lemma.second)} > 0, so x = 1 is "
            f"the only point where g = 0.",
            "The ≤ step is certified by writing the gap as Σₖ p[k]·g(x[k]) with "
            "x[k] = q[k]/p[k] > 0 and weights p[k] ≥ 0: each term is ≥ 0 by the lemma.",
            "Equality: the gap is 0 exactly when x[k] = 1 for every k with p[k] > 0, i.e. "
            "q[k] = p[k] for every k: KL(P‖Q) = 0 if and only if P = Q.",
            "In torch: `torch.distributions.kl_divergence(Categorical(probs=p), "
            "Categorical(probs=q))` is ≥ 0, and 0 for q = p.",
        ),
        facts=_normalised(p, q),
    )


# ------------------------------------------------------------ exact counterexamples

Law = tuple[sp.Rational, ...]


def _entries(letter: str, count: int) -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(f"{letter}_{c}", positive=True) for c in range(1, count + 1))


def _kl_sum(a: Sequence[sp.Symbol], b: Sequence[sp.Symbol]) -> sp.Expr:
    """Σₖ a[k]·log(a[k]/b[k]), written out class by class."""
    return sp.Add(
        *(sp.Mul(x, sp.log(x / y, evaluate=False), evaluate=False) for x, y in zip(a, b)),
        evaluate=False,
    )


def _difference(terms: Sequence[sp.Expr]) -> sp.Expr:
    """terms[0] − terms[1] − …, each term kept whole."""
    rest = [sp.Mul(-1, t, evaluate=False) for t in terms[1:]]
    return sp.Add(terms[0], *rest, evaluate=False)


def search_witness(
    names: Sequence[str],
    difference: Callable[[dict[str, Law]], list[tuple[sp.Rational, sp.Rational]]],
    fixed: dict[str, Law] | None = None,
    sign: int | None = None,
    classes: int = 2,
    max_denominator: int = MAX_DENOMINATOR,
) -> tuple[dict[str, Law], LogSign] | None:
    """The first assignment of distinct categorical laws to ``names`` (simplest
    probabilities first; ``fixed`` laws held) where Σ c·log r of ``difference`` has the
    exact ``sign`` (``None``: any non-zero sign), with its certificate; ``None`` when no
    such laws exist in the range."""
    fixed = dict(fixed or {})
    free = [name for name in names if name not in fixed]
    points = simplex_points(classes, max_denominator)
    for chosen in itertools.product(points, repeat=len(free)):
        laws = {**fixed, **dict(zip(free, chosen))}
        if len(set(laws.values())) < len(laws):
            continue
        found = log_sign(difference(laws))
        if found is None or found.sign == 0:
            continue
        if sign is None or found.sign == sign:
            return laws, found
    return None


def _negated(
    terms: Sequence[tuple[sp.Rational, sp.Rational]],
) -> list[tuple[sp.Rational, sp.Rational]]:
    return [(-c, r) for c, r in terms]


def _certificate_note(what: str, found: LogSign) -> str:
    return (
        f"{what} = Σ c·log r over the pairs (c, r) of the last step; with D = {found.scale}, "
        f"D·({what}) = log R for R = ∏ r^(c·D) = {sp.sstr(found.ratio)}, and "
        f"R {'>' if found.sign > 0 else '<'} 1 in exact rational arithmetic, so "
        f"{what} {'>' if found.sign > 0 else '<'} 0."
    )


def _witness_chain(
    letters: dict[str, str], laws: dict[str, Law], kls: Sequence[tuple[str, str]]
) -> tuple[sp.Expr, tuple[Step, ...], tuple[sp.Equality, ...], tuple[tuple[sp.Basic, str], ...]]:
    """The chain from Σ ± KL (written with the laws' entries) to Σ c·log(prime) at the witness."""
    entries = {name: _entries(letters[name], len(law)) for name, law in laws.items()}
    start = _difference([_kl_sum(entries[a], entries[b]) for a, b in kls])
    values = tuple(
        (symbol, value) for name in laws for symbol, value in zip(entries[name], laws[name])
    )
    steps = _chain(start, (AtTheWitness(values=values), LogsOfPrimes()), _context())
    facts = tuple(sp.Eq(symbol, value, evaluate=False) for symbol, value in values)
    symbols = tuple(
        (symbol, f"the probability of class {i} under {name}; {sp.sstr(value)} at the witness")
        for name in laws
        for i, (symbol, value) in enumerate(zip(entries[name], laws[name]), 1)
    )
    return start, steps, facts, symbols


def _kl_name(a: str, b: str) -> str:
    return f"KL({a}||{b})"


def kl_asymmetry() -> Identity:
    uniform: Law = (sp.Rational(1, 2), sp.Rational(1, 2))

    def difference(laws: dict[str, Law]) -> list[tuple[sp.Rational, sp.Rational]]:
        return [*kl_terms(laws["P"], laws["Q"]), *_negated(kl_terms(laws["Q"], laws["P"]))]

    found = search_witness(("P", "Q"), difference, fixed={"P": uniform})
    if found is None:  # pragma: no cover - the search range is fixed and has a witness
        raise RuntimeError("no asymmetric pair found; a bug in derive")
    laws, sign = found
    pq, qp = ("P", "Q"), ("Q", "P")
    big, small = (pq, qp) if sign.sign > 0 else (qp, pq)
    # the certificate of the larger minus the smaller (negated terms: the same size, never None)
    oriented = sign if sign.sign > 0 else log_sign(_negated(sign.terms))
    if oriented is None:  # pragma: no cover
        raise RuntimeError("the certificate could not be formed; a bug in derive")
    start, steps, facts, symbols = _witness_chain({"P": "p", "Q": "q"}, laws, (big, small))
    values = {_kl_name(*pair): kl_value(laws[pair[0]], laws[pair[1]]) for pair in (pq, qp)}
    what = f"{_kl_name(*big)} − {_kl_name(*small)}"
    return Identity(
        name="kl-asymmetry",
        title="KL divergence is not symmetric",
        claim=(
            "The KL divergence is not symmetric: at the witness below, "
            f"{_kl_name(*big)} > {_kl_name(*small)}."
        ),
        statement=sp.Gt(start, 0, evaluate=False),
        start=start,
        steps=steps,
        witness=Witness(
            family="categorical",
            laws=tuple((name, laws[name]) for name in ("P", "Q")),
            values=tuple(values.items()),
            comparison=sp.Gt(values[_kl_name(*big)], values[_kl_name(*small)], evaluate=False),
        ),
        symbols=symbols,
        notes=(
            f"Witness found by searching two-class laws with denominators up to "
            f"{MAX_DENOMINATOR}, P fixed at (1/2, 1/2): Q = {sp.sstr(laws['Q'])}.",
            _certificate_note(what, oriented),
            "In torch: `kl_divergence(Categorical(probs=P), Categorical(probs=Q))` and "
            "`kl_divergence(Categorical(probs=Q), Categorical(probs=P))` "
            "(`torch.distributions`) give the two values.",
        ),
        facts=facts,
    )


def kl_triangle() -> Identity:
    def difference(laws: dict[str, Law]) -> list[tuple[sp.Rational, sp.Rational]]:
        return [
            *kl_terms(laws["A"], laws["C"]),
            *_negated(kl_terms(laws["A"], laws["B"])),
            *_negated(kl_terms(laws["B"], laws["C"])),
        ]

    # only a strict violation KL(A‖C) > KL(A‖B) + KL(B‖C) is a witness
    found = search_witness(("A", "B", "C"), difference, sign=1)
    if found is None:  # pragma: no cover - the search range is fixed and has a witness
        raise RuntimeError("no triangle violation found; a bug in derive")
    laws, sign = found
    kls = (("A", "C"), ("A", "B"), ("B", "C"))
    start, steps, facts, symbols = _witness_chain({"A": "a", "B": "b", "C": "c"}, laws, kls)
    values = {_kl_name(a, b): kl_value(laws[a], laws[b]) for a, b in kls}
    what = "KL(A||C) − KL(A||B) − KL(B||C)"
    return Identity(
        name="kl-triangle",
        title="KL divergence breaks the triangle inequality",
        claim=(
            "The KL divergence is not a metric: at the witness below, KL(A‖C) > KL(A‖B) + KL(B‖C)."
        ),
        statement=sp.Gt(start, 0, evaluate=False),
        start=start,
        steps=steps,
        witness=Witness(
            family="categorical",
            laws=tuple((name, laws[name]) for name in ("A", "B", "C")),
            values=tuple(values.items()),
            comparison=sp.Gt(
                values["KL(A||C)"],
                sp.Add(values["KL(A||B)"], values["KL(B||C)"], evaluate=False),
                evaluate=False,
            ),
        ),
        symbols=symbols,
        notes=(
            f"Witness found by searching triples of distinct two-class laws with denominators "
            f"up to {MAX_DENOMINATOR}: A = {sp.sstr(laws['A'])}, B = {sp.sstr(laws['B'])}, "
            f"C = {sp.sstr(laws['C'])}.",
            _certificate_note(what, sign),
            "In torch: `torch.distributions.kl_divergence` between the "
            "`Categorical(probs=...)` laws gives each of the three values.",
        ),
        facts=facts,
    )


# ------------------------------------------------------------------ BCE is 2-class CE


def bce_is_two_class_ce() -> Identity:
    y = sp.Symbol("y", real=True)
    p = sp.Symbol("p", positive=True)
    z1, z2 = sp.symbols("z_1 z_2", real=True)
    t1, t2 = sp.symbols("t_1 t_2", real=True)
    q1, q2 = sp.symbols("q_1 q_2", positive=True)
    softmax = sp.exp(z1) / (sp.exp(z1) + sp.exp(z2))
    start = sp.Mul(
        -1,
        sp.Add(sp.Mul(t1, sp.log(q1)), sp.Mul(t2, sp.log(q2)), evaluate=False),
        evaluate=False,
    )
    two_classes = ((t1, y), (t2, 1 - y), (q1, p), (q2, 1 - p))
    steps = _chain(
        start,
        (
            Definition(definitions=two_classes, meaning="two classes"),
            Definition(definitions=((p, softmax),), meaning="the softmax of two logits"),
            SoftmaxOfTwoLogits(first=z1, second=z2),
            LogOfSigmoid(),
            LogOfOneMinusSigmoid(),
            SoftplusReflection(),
            ExpandAndCollect(keep=(z1 - z2,)),
        ),
        _context(1 - p),
    )
    facts = tuple(sp.Eq(a, b, evaluate=False) for a, b in (*two_classes, (p, softmax)))
    return Identity(
        name="bce-is-two-class-ce",
        title="Binary cross-entropy is cross-entropy with two classes",
        claim=(
            "The cross-entropy with two classes, targets (y, 1 − y) and probabilities "
            "(p, 1 − p), is the binary cross-entropy −[y·log p + (1 − y)·log(1 − p)]; when "
            "the probabilities are the softmax of two logits (z₁, z₂), p = σ(z₁ − z₂) and it "
            "is the binary cross-entropy with logits on z₁ − z₂: softplus(z₁ − z₂) − y·(z₁ − z₂)."
        ),
        statement=sp.Eq(start, steps[-1].after, evaluate=False),
        start=start,
        steps=steps,
        symbols=(
            (t1, "the target probability of class 1"),
            (t2, "the target probability of class 2"),
            (q1, "the predicted probability of class 1"),
            (q2, "the predicted probability of class 2"),
            (y, "the target of class 1, in [0, 1] (1 for a hard label of class 1)"),
            (p, "the predicted probability of class 1, in (0, 1)"),
            (z1, "the logit of class 1"),
            (z2, "the logit of class 2"),
        ),
        notes=(
            "Step 1 uses only the two-class targets and probabilities: for any p in (0, 1) the "
            "two-class cross-entropy is torch.nn.BCELoss()(p, y) (per sample, "
            "reduction='none'). From step 2 on, p is the softmax probability of class 1.",
            "The start is torch.nn.CrossEntropyLoss()(z, t) on the logits z = (z₁, z₂) with "
            "probability targets t = (y, 1 − y) (class 1 is torch's class index 0; a hard "
            "label of class index 0 is y = 1); step 3 gives BCELoss at p = σ(z₁ − z₂); the "
            "end is torch.nn.BCEWithLogitsLoss()(z₁ − z₂, y).",
        ),
        facts=facts,
    )


# ------------------------------------------------------------- Laplace half-exponential


def laplace_half_exponential() -> Identity:
    b = sp.Symbol("b", positive=True)
    t = sp.Symbol("t", nonnegative=True)
    real_y = sp.Symbol("y", real=True)
    y = sp.Symbol("y", positive=True)  # on (t, ∞) with t ≥ 0 the variable is positive
    laplace = _density("laplace", {"y": real_y, "f": sp.S.Zero, "b": b})
    # the same density at the positive integration variable, |y| kept as written
    density = rewrite_density(laplace, real_y, y)
    exponential = _density("exponential", {"y": y, "mu": b})  # mean b: rate 1/b
    start = sp.Integral(density, (y, t, sp.oo))
    steps = _chain(
        start,
        (
            AbsOnHalfLine(),
            HalfOfDensity(
                density=exponential, ratio=sp.Rational(1, 2), law="Exponential with rate 1/b"
            ),
            IntegralOfMultiple(),
            Integrate(variable=y, antiderivative=sp.integrate(exponential, y)),
        ),
        _context(),
    )
    return Identity(
        name="laplace-half-exponential",
        title="The positive half of a Laplace law is half an exponential law",
        claim=(
            "For y > 0 the Laplace(0, b) density is half the Exponential(rate 1/b) density; "
            "P(Y > t) = exp(−t/b)/2 for t ≥ 0, so P(Y > 0) = 1/2 and |Y| ~ Exponential(1/b)."
        ),
        statement=sp.Eq(start, steps[-1].after, evaluate=False),
        start=start,
        steps=steps,
        symbols=(
            (b, "the scale of the Laplace law, b > 0"),
            (t, "a threshold t ≥ 0"),
            (y, "the integration variable, on (t, ∞), so y > 0"),
        ),
        notes=(
            "The start is P(Y > t) = ∫_t^∞ p(y) dy for Y ~ Laplace(0, b), with density "
            "p(y) = exp(−|y|/b)/(2b); step 2 shows p(y) = (1/2)·(1/b)·exp(−y/b) for y > 0: half "
            "the Exponential(rate 1/b) density. In torch, for y > 0: "
            "Laplace(0, b).log_prob(y) = log(1/2) + Exponential(rate=1/b).log_prob(y).",
            "At t = 0 the chain gives P(Y > 0) = 1/2 (torch: Laplace(0, b).cdf(0) = 0.5).",
            "The density is even (|−y| = |y|), so P(Y < −t) = P(Y > t) and "
            "P(|Y| > t) = 2·P(Y > t) = exp(−t/b), the survival function of Exponential(rate 1/b): "
            "|Y| ~ Exponential(1/b) (torch: Laplace(0, b).cdf(t) − Laplace(0, b).cdf(−t) = "
            "Exponential(rate=1/b).cdf(t)).",
        ),
    )


def _density(name: str, values: dict[str, sp.Expr]) -> sp.Expr:
    """The density of one observation of a built-in family (its data, not a copy)."""
    density = resolve(name).density
    if density is None:  # pragma: no cover - every built-in family has a density
        raise RuntimeError(f"{name} has no density; a bug in derive")
    return density(values)


def rewrite_density(density: sp.Expr, old: sp.Symbol, new: sp.Symbol) -> sp.Expr:
    """``density`` with ``old`` replaced by ``new``, nothing evaluated (|y| stays |y|)."""
    return rewrite_nodes(density, lambda node: new if node == old else None)  # type: ignore[return-value]


# ---------------------------------------------------------------------- label smoothing


def label_smoothing() -> Identity:
    q = sp.IndexedBase("q", positive=True)
    t = sp.IndexedBase("t", real=True)
    y = sp.Symbol("y", integer=True, positive=True)
    eps = sp.Symbol("epsilon", nonnegative=True)
    smoothed = sp.Add(
        sp.Mul(1 - eps, sp.KroneckerDelta(k, y), evaluate=False), eps / K, evaluate=False
    )
    start = _sum(t[k] * sp.log(1 / q[k]))
    steps = _chain(
        start,
        (
            Definition(definitions=((t[k], smoothed),), meaning="the label-smoothed targets"),
            SplitSum(),
            OneHotSifting(),
            UniformCrossEntropy(),
        ),
        _context(),
    )
    sifting = sp.Eq(_sum(sp.KroneckerDelta(k, y) * sp.log(q[k])), sp.log(q[y]), evaluate=False)
    return Identity(
        name="label-smoothing",
        title="Label smoothing is cross-entropy plus a pull towards the uniform law",
        claim=(
            "With smoothed targets t[k] = (1 − ε)·[k = y] + ε/K, the cross-entropy is "
            "H(t, q) = (1 − ε)·(−log q[y]) + ε·(1/K)·Σₖ(−log q[k]) = "
            "(1 − ε)·(−log q[y]) + ε·(log K + KL(u‖q)), u the uniform law: both forms are exact."
        ),
        statement=sp.Eq(start, steps[-1].after, evaluate=False),
        start=start,
        steps=steps,
        symbols=(
            (t, "the label-smoothed target probabilities"),
            (q, "the predicted probabilities q[k] > 0 (the softmax of the logits)"),
            (y, "the class label, in {1, …, K}"),
            (eps, "the smoothing ε, in [0, 1]"),
            (K, "the number of classes"),
            (k, "the class index, from 1 to K"),
        ),
        notes=(
            "`torch.nn.CrossEntropyLoss` with `label_smoothing` set to ε and class-index targets "
            "computes, "
            "per sample, the middle form (1 − ε)·(−log q[y]) + ε·(1/K)·Σₖ(−log q[k]) with "
            "q = softmax of the logits (step 3): (1 − ε)·NLL + (ε/K)·Σₖ(−log q[k]).",
            "The last form is exact too: (1/K)·Σₖ(−log q[k]) = H(u, q) = H(u) + KL(u‖q) with "
            "H(u) = log K, so the smoothing term is ε·log K (a constant) plus ε·KL(u‖q), which "
            "pulls q towards the uniform law and vanishes only at q = u (Gibbs).",
            "The one-hot sum Σₖ [k = y]·g[k] = g[y] needs 1 ≤ y ≤ K (a class label).",
        ),
        facts=(sp.Eq(t[k], smoothed, evaluate=False), sifting),
    )
