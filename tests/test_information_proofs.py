"""The identities of information theory: every step proved, every library claim checked in torch.

Each step is proved symbolically (``proved_zero`` after the identity's facts, or
its rule's ``certify``) and re-checked numerically at random points; the named
quantities are compared with torch itself (float64, 1e-10).
"""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
import torch

from derive.algebra import proved_zero
from derive.errors import DeriveError
from derive.information.identities import IDENTITIES, identity
from derive.information.identity import Identity
from derive.information.instance import K
from derive.information.lemmas import (
    Certified,
    LogAtMostLinear,
    OneHotSifting,
    SoftmaxOfTwoLogits,
    holds,
    kl_terms,
    log_sign,
    log_terms,
)
from derive.information.proofs import search_witness
from derive.steps import Relation, Step

torch.set_default_dtype(torch.float64)

NAMES = (
    "cross-entropy-decomposition",
    "gibbs",
    "kl-asymmetry",
    "kl-triangle",
    "bce-is-two-class-ce",
    "laplace-half-exponential",
    "label-smoothing",
)
TOL = 1e-10


@pytest.fixture(scope="module", params=NAMES)
def proof(request: pytest.FixtureRequest) -> Identity:
    return identity(request.param)


def _facts(expr: sp.Basic, proof: Identity) -> sp.Basic:
    """Every fact's left side replaced by its right side, until nothing changes."""
    subs = {fact.lhs: fact.rhs for fact in proof.facts}
    for _ in range(10):
        replaced = expr.xreplace(subs)
        if replaced == expr:
            return expr
        expr = replaced
    raise AssertionError("the facts do not settle")


def _proved(step: Step, proof: Identity) -> bool:
    """The checker's contract: an equality by proved_zero after the facts (or the rule's own
    certificate), an inequality only by its rule's certificate."""
    certified = (
        isinstance(step.rule, Certified)
        and step.relation is step.rule.relation  # a certificate proves its rule's relation only
        and step.rule.certify(step.before, step.after)
    )
    if step.relation is Relation.AT_MOST:
        return certified
    assert step.relation is Relation.EQUAL
    residual = step.before - step.after
    subs = {fact.lhs: fact.rhs for fact in proof.facts}
    return (
        proved_zero(residual, subs)
        or proved_zero(_facts(residual, proof), subs)  # type: ignore[arg-type]
        or certified
    )


def _by_name(proof: Identity) -> dict[str, sp.Basic]:
    return {str(symbol): symbol for symbol, _ in proof.symbols}


def _simplex(rng: random.Random, size: int) -> list[float]:
    raw = [rng.uniform(0.05, 1.0) for _ in range(size)]
    return [r / sum(raw) for r in raw]


def _value(
    expr: sp.Basic,
    proof: Identity,
    scalars: dict[sp.Basic, float] | None = None,
    vectors: dict[sp.Basic, list[float]] | None = None,
    classes: int | None = None,
) -> float:
    """``expr`` at a point: facts, scalars, K, then the sums written out and the vectors."""
    e = _facts(expr, proof)
    if classes is not None:
        e = e.xreplace({K: sp.Integer(classes)})
    e = e.xreplace(
        {s: sp.Float(v, 30) if isinstance(v, float) else v for s, v in (scalars or {}).items()}
    )
    e = e.doit()
    entries = {
        base[i + 1]: sp.Float(v, 30)
        for base, values in (vectors or {}).items()
        for i, v in enumerate(values)
    }
    return float(sp.N(e.xreplace(entries), 30))


def _point(proof: Identity, rng: random.Random) -> dict[str, object]:
    """A random point of the identity's domain (the witnesses are fixed by their facts)."""
    s = _by_name(proof)
    if proof.name in ("cross-entropy-decomposition", "gibbs"):
        return {"vectors": {s["p"]: _simplex(rng, 4), s["q"]: _simplex(rng, 4)}, "classes": 4}
    if proof.name == "bce-is-two-class-ce":
        scalars = {
            s["y"]: rng.uniform(0, 1),
            s["z_1"]: rng.uniform(-3, 3),
            s["z_2"]: rng.uniform(-3, 3),
        }
        return {"scalars": scalars}
    if proof.name == "laplace-half-exponential":
        return {"scalars": {s["b"]: rng.uniform(0.3, 3), s["t"]: rng.uniform(0, 3)}}
    if proof.name == "label-smoothing":
        scalars = {s["y"]: sp.Integer(rng.randint(1, 4)), s["epsilon"]: rng.uniform(0, 1)}
        return {"scalars": scalars, "vectors": {s["q"]: _simplex(rng, 4)}, "classes": 4}
    return {}


# ----------------------------------------------------------------------- registry


def test_the_registry_lists_each_identity_with_a_one_line_summary() -> None:
    assert tuple(IDENTITIES) == NAMES
    for name, (summary, builder) in IDENTITIES.items():
        assert summary and "\n" not in summary and len(summary) < 100
        assert builder().name == name


def test_identity_by_name() -> None:
    assert identity(" GIBBS ").name == "gibbs"
    with pytest.raises(DeriveError, match=r"did you mean 'gibbs'.*choose one of: cross-entropy"):
        identity("gibs")
    with pytest.raises(DeriveError, match="unknown identity"):
        identity(3)  # type: ignore[arg-type]


def test_building_is_deterministic() -> None:
    for name in NAMES:
        a, b = identity(name), identity(name)
        assert [sp.srepr(s.after) for s in a.steps] == [sp.srepr(s.after) for s in b.steps]
        assert a.notes == b.notes and a.witness == b.witness


# -------------------------------------------------------------------- every chain


def test_the_chain_runs_from_start_to_the_other_side(proof: Identity) -> None:
    assert proof.steps and proof.steps[0].before == proof.start
    for earlier, later in zip(proof.steps, proof.steps[1:]):
        assert later.before == earlier.after
    assert proof.statement.lhs == proof.start
    if proof.witness is None:
        assert proof.statement.rhs == proof.steps[-1].after
    else:  # a refuted claim: the difference of its sides at the witness is > 0
        assert isinstance(proof.statement, sp.StrictGreaterThan) and proof.statement.rhs == 0
    assert all(isinstance(fact, sp.Equality) for fact in proof.facts)
    assert proof.title and proof.claim and proof.notes and proof.symbols


def test_every_step_is_one_rule_with_its_law(proof: Identity) -> None:
    for step in proof.steps:
        assert dataclasses.is_dataclass(step.rule)
        assert type(step.rule).__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert step.rule.law and step.rule.title
        assert step.relation is step.rule.relation
        assert step.relation in (Relation.EQUAL, Relation.AT_MOST)


def test_every_step_is_proved(proof: Identity) -> None:
    for step in proof.steps:
        assert _proved(step, proof), (proof.name, step.rule.name)


def test_every_step_holds_at_random_points(proof: Identity) -> None:
    rng = random.Random(proof.name)
    for _ in range(3):
        point = _point(proof, rng)
        for step in proof.steps:
            before = _value(step.before, proof, **point)  # type: ignore[arg-type]
            after = _value(step.after, proof, **point)  # type: ignore[arg-type]
            if step.relation is Relation.EQUAL:
                assert abs(before - after) <= TOL * (1 + abs(before)), (proof.name, step.rule.name)
            else:
                assert after - before >= -TOL, (proof.name, step.rule.name)


def test_a_wrong_step_is_not_proved() -> None:
    """The helper the checker contract describes refuses a step that is false."""
    gibbs = identity("gibbs")
    inequality = gibbs.steps[1]
    assert not _proved(dataclasses.replace(inequality, after=inequality.after - 1), gibbs)
    assert not _proved(dataclasses.replace(inequality, relation=Relation.EQUAL), gibbs)
    ce = identity("cross-entropy-decomposition")
    last = ce.steps[-1]
    assert not _proved(dataclasses.replace(last, after=2 * last.after), ce)


# -------------------------------------------------------- cross-entropy decomposition


def _categorical(probs: torch.Tensor) -> torch.distributions.Categorical:
    return torch.distributions.Categorical(probs=probs)


def _split_decomposition() -> tuple[Identity, sp.Expr, sp.Expr]:
    """The decomposition and its right side's two terms: H(P) and KL(P‖Q)."""
    proof = identity("cross-entropy-decomposition")
    q = _by_name(proof)["q"]
    terms = sp.Add.make_args(proof.steps[-1].after)
    (kl,) = [t for t in terms if t.has(q)]
    (entropy,) = [t for t in terms if not t.has(q)]
    return proof, entropy, kl


def test_decomposition_against_torch_on_random_distributions() -> None:
    proof, entropy, kl = _split_decomposition()
    s = _by_name(proof)
    rng = torch.Generator().manual_seed(0)
    for classes in (2, 3, 5):
        logits = torch.randn(classes, generator=rng)
        q = torch.softmax(logits, 0)
        p = torch.softmax(torch.randn(classes, generator=rng), 0)
        vectors = {s["p"]: p.tolist(), s["q"]: q.tolist()}
        cross = torch.nn.CrossEntropyLoss(reduction="sum")(logits[None], p[None]).item()
        law_p, law_q = (
            torch.distributions.Categorical(probs=p),
            torch.distributions.Categorical(probs=q),
        )
        assert abs(_value(proof.start, proof, vectors=vectors, classes=classes) - cross) < TOL
        assert (
            abs(_value(entropy, proof, vectors=vectors, classes=classes) - law_p.entropy().item())
            < TOL
        )
        expected = torch.distributions.kl_divergence(law_p, law_q).item()
        assert abs(_value(kl, proof, vectors=vectors, classes=classes) - expected) < TOL


def test_decomposition_needs_only_positive_vectors() -> None:
    """No step uses the facts Σp = Σq = 1: each is proved without them."""
    proof = identity("cross-entropy-decomposition")
    assert all(proved_zero(step.before - step.after) for step in proof.steps)
    assert any("not needed" in note for note in proof.notes)


def test_kl_div_loss_conventions() -> None:
    """KLDivLoss(input=log q, target=p): 'batchmean' is the derived KL averaged over the
    batch, 'mean' divides the sum by N·K, 'sum' is the sum; log_target=True takes log p."""
    proof, _, kl = _split_decomposition()
    s = _by_name(proof)
    rng = torch.Generator().manual_seed(1)
    n, classes = 5, 4
    log_q = torch.log_softmax(torch.randn(n, classes, generator=rng), 1)
    p = torch.softmax(torch.randn(n, classes, generator=rng), 1)
    rows = [
        _value(
            kl,
            proof,
            vectors={s["p"]: p[i].tolist(), s["q"]: log_q[i].exp().tolist()},
            classes=classes,
        )
        for i in range(n)
    ]
    total = sum(rows)

    def loss(reduction: str, log_target: bool = False) -> float:
        target = p.log() if log_target else p
        return torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)(log_q, target).item()

    assert abs(loss("batchmean") - total / n) < TOL
    assert abs(loss("batchmean", log_target=True) - total / n) < TOL
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        mean = loss("mean")  # torch itself warns that 'mean' is not the KL
    assert abs(mean - total / (n * classes)) < TOL
    assert abs(mean - total / n) > 1e-3
    assert abs(loss("sum") - total) < TOL
    notes = " ".join(proof.notes)
    for phrase in ("torch.nn.KLDivLoss", "log_target=True", "'batchmean'", "N·K", "kl_divergence"):
        assert phrase in notes


# -------------------------------------------------------------------------- Gibbs


def test_gibbs_has_one_certified_inequality_and_states_its_equality_case() -> None:
    proof = identity("gibbs")
    assert isinstance(proof.statement, sp.LessThan) and proof.statement.rhs == 0
    (inequality,) = [s for s in proof.steps if s.relation is Relation.AT_MOST]
    assert isinstance(inequality.rule, LogAtMostLinear)
    assert inequality.rule.certify(inequality.before, inequality.after)
    assert not inequality.rule.certify(inequality.after, inequality.before)
    assert proof.steps[-1].after == 0
    assert any("if and only if P = Q" in note for note in proof.notes)


def test_gibbs_numerically_on_random_distributions() -> None:
    proof = identity("gibbs")
    s = _by_name(proof)
    rng = torch.Generator().manual_seed(2)
    for classes in (2, 3, 6):
        p = torch.softmax(torch.randn(classes, generator=rng), 0)
        q = torch.softmax(torch.randn(classes, generator=rng), 0)
        law_p, law_q = (
            torch.distributions.Categorical(probs=p),
            torch.distributions.Categorical(probs=q),
        )
        vectors = {s["p"]: p.tolist(), s["q"]: q.tolist()}
        minus_kl = _value(proof.start, proof, vectors=vectors, classes=classes)
        assert abs(minus_kl + torch.distributions.kl_divergence(law_p, law_q).item()) < TOL
        assert minus_kl < 0
        # at P = Q every expression of the chain is 0: the inequality is tight
        same = {s["p"]: p.tolist(), s["q"]: p.tolist()}
        for step in proof.steps:
            assert abs(_value(step.after, proof, vectors=same, classes=classes)) < TOL


# ---------------------------------------------------------------- the witnesses


def _mp(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator


def _mp_kl(a: tuple[Fraction, ...], b: tuple[Fraction, ...]) -> mpmath.mpf:
    return mpmath.fsum(_mp(x) * mpmath.log(_mp(x) / _mp(y)) for x, y in zip(a, b))


def _recheck(proof: Identity, pairs: list[tuple[str, str]]) -> dict[str, mpmath.mpf]:
    """Recompute each KL of the witness from its laws alone, three ways."""
    assert proof.witness is not None and proof.witness.family == "categorical"
    laws = {
        name: tuple(Fraction(int(v.p), int(v.q)) for v in law) for name, law in proof.witness.laws
    }
    assert all(sum(law) == 1 and min(law) > 0 for law in laws.values())
    values = dict(proof.witness.values)
    mpmath.mp.dps = 50
    found: dict[str, mpmath.mpf] = {}
    for a, b in pairs:
        name = f"KL({a}||{b})"
        exact = _mp_kl(laws[a], laws[b])
        found[name] = exact
        assert abs(sp.N(values[name], 50) - sp.Float(str(exact), 50)) < sp.Float("1e-45")
        law_p = torch.distributions.Categorical(probs=torch.tensor([float(x) for x in laws[a]]))
        law_q = torch.distributions.Categorical(probs=torch.tensor([float(x) for x in laws[b]]))
        assert abs(torch.distributions.kl_divergence(law_p, law_q).item() - float(exact)) < 1e-12
        # the value is the exact Σ c·log r of the definition
        terms = log_terms(values[name])
        assert terms is not None
        definition = kl_terms(
            *(tuple(sp.Rational(x.numerator, x.denominator) for x in laws[n]) for n in (a, b))
        )
        difference = [*terms, *((-c, r) for c, r in definition)]
        assert log_sign(difference).sign == 0
    return found


def test_asymmetry_witness_rechecked_from_the_witness_alone() -> None:
    proof = identity("kl-asymmetry")
    values = _recheck(proof, [("P", "Q"), ("Q", "P")])
    laws = dict(proof.witness.laws)  # type: ignore[union-attr]
    assert laws["P"] == (sp.Rational(1, 2), sp.Rational(1, 2))
    assert values["KL(P||Q)"] != values["KL(Q||P)"]
    comparison = proof.witness.comparison  # type: ignore[union-attr]
    assert isinstance(comparison, sp.StrictGreaterThan)
    assert holds(comparison) is True
    assert holds(sp.Le(comparison.lhs, comparison.rhs, evaluate=False)) is False
    big, small = (float(sp.N(side, 30)) for side in comparison.args)
    assert big > small
    assert {float(values["KL(P||Q)"]), float(values["KL(Q||P)"])} == {big, small}


def test_triangle_witness_rechecked_from_the_witness_alone() -> None:
    proof = identity("kl-triangle")
    values = _recheck(proof, [("A", "C"), ("A", "B"), ("B", "C")])
    assert values["KL(A||C)"] > values["KL(A||B)"] + values["KL(B||C)"]
    comparison = proof.witness.comparison  # type: ignore[union-attr]
    assert isinstance(comparison, sp.StrictGreaterThan) and holds(comparison) is True
    laws = dict(proof.witness.laws)  # type: ignore[union-attr]
    assert len(set(laws.values())) == 3


@pytest.mark.parametrize("name", ["kl-asymmetry", "kl-triangle"])
def test_a_refuted_claim_ends_at_an_exact_positive_number(name: str) -> None:
    proof = identity(name)
    end = proof.steps[-1].after
    assert not end.free_symbols
    terms = log_terms(end)
    assert terms is not None and all(sp.isprime(r) for _, r in terms)
    assert log_sign(terms).sign == 1
    # the chain's start is the statement's left side at the witness: its facts give the laws
    at_witness = _facts(proof.start, proof)
    assert not at_witness.free_symbols
    assert log_sign(log_terms(at_witness)).sign == 1
    comparison = proof.witness.comparison  # type: ignore[union-attr]
    assert proved_zero(end - (comparison.lhs - comparison.rhs))
    assert any("exact rational arithmetic" in note for note in proof.notes)


def terms_of(laws: dict[str, tuple[sp.Rational, ...]]) -> list[tuple[sp.Rational, sp.Rational]]:
    """KL(A‖C) − KL(A‖B) − KL(B‖C) as Σ c·log r."""
    return [
        *kl_terms(laws["A"], laws["C"]),
        *((-c, r) for c, r in kl_terms(laws["A"], laws["B"])),
        *((-c, r) for c, r in kl_terms(laws["B"], laws["C"])),
    ]


def test_the_witness_search_is_exact_and_skips_equal_laws() -> None:
    half = (sp.Rational(1, 2), sp.Rational(1, 2))

    def symmetric(
        laws: dict[str, tuple[sp.Rational, ...]],
    ) -> list[tuple[sp.Rational, sp.Rational]]:
        # KL(P‖Q) − KL(P‖Q): never non-zero
        return [
            *kl_terms(laws["P"], laws["Q"]),
            *((-c, r) for c, r in kl_terms(laws["P"], laws["Q"])),
        ]

    assert search_witness(("P", "Q"), symmetric, fixed={"P": half}) is None
    found = search_witness(
        ("P", "Q"),
        lambda laws: [
            *kl_terms(laws["P"], laws["Q"]),
            *((-c, r) for c, r in kl_terms(laws["Q"], laws["P"])),
        ],
        fixed={"P": half},
    )
    assert found is not None and found[0]["Q"] == (sp.Rational(1, 3), sp.Rational(2, 3))
    # the triangle's search wants a strict violation only: sign +1
    triangle = identity("kl-triangle").witness
    assert triangle is not None
    laws = dict(triangle.laws)
    assert log_sign(terms_of(laws)).sign == 1
    assert search_witness(("A", "B", "C"), terms_of, sign=1)[0] == laws  # type: ignore[index]
    # where the triangle inequality holds strictly, the search finds other laws
    holding = search_witness(
        ("A", "B", "C"), lambda found: [(-c, r) for c, r in terms_of(found)], sign=1
    )
    assert holding is not None and holding[0] != laws
    # with equal laws KL(P‖Q) − KL(Q‖P) = 0 exactly: (1/2, 1/2) against itself is skipped
    assert found[0]["Q"] != half


# ---------------------------------------------------------------- BCE and two classes


def test_bce_is_cross_entropy_with_two_classes_in_torch() -> None:
    proof = identity("bce-is-two-class-ce")
    s = _by_name(proof)
    y, z1, z2 = s["y"], s["z_1"], s["z_2"]
    softmax_step = next(st for st in proof.steps if isinstance(st.rule, SoftmaxOfTwoLogits))
    rng = random.Random(3)
    for target in [rng.uniform(0, 1) for _ in range(4)] + [0.0, 1.0]:
        a, b = rng.uniform(-4, 4), rng.uniform(-4, 4)
        z = torch.tensor([[a, b]])
        point = {y: target, z1: a, z2: b}
        soft = torch.tensor([[target, 1 - target]])
        ce = torch.nn.CrossEntropyLoss(reduction="none")(z, soft).item()
        assert abs(_value(proof.start, proof, scalars=point) - ce) < TOL
        d = torch.tensor([a - b])
        bce = torch.nn.BCELoss(reduction="none")(torch.sigmoid(d), torch.tensor([target])).item()
        assert abs(_value(softmax_step.after, proof, scalars=point) - bce) < TOL
        logits = torch.nn.BCEWithLogitsLoss(reduction="none")(d, torch.tensor([target])).item()
        assert abs(_value(proof.steps[-1].after, proof, scalars=point) - logits) < TOL
        if target in (0.0, 1.0):  # a hard label: y = 1 is class index 0
            index = torch.tensor([0 if target == 1.0 else 1])
            hard = torch.nn.CrossEntropyLoss(reduction="none")(z, index).item()
            assert abs(hard - logits) < TOL


def test_the_two_class_step_holds_for_any_probability() -> None:
    """Step 1 needs only the two-class facts: it is BCELoss(p, y) for every p in (0, 1)."""
    proof = identity("bce-is-two-class-ce")
    s = _by_name(proof)
    first = proof.steps[0]
    two_classes = {f.lhs: f.rhs for f in proof.facts if not f.rhs.has(s["z_1"])}
    assert s["p"] not in two_classes
    assert proved_zero(first.before.xreplace(two_classes) - first.after)
    rng = random.Random(4)
    for _ in range(5):
        prob, target = rng.uniform(0.01, 0.99), rng.uniform(0, 1)
        value = float(first.after.xreplace({s["p"]: prob, s["y"]: target}))
        bce = torch.nn.BCELoss(reduction="none")(
            torch.tensor([prob]), torch.tensor([target])
        ).item()
        assert abs(value - bce) < TOL
        # and CrossEntropyLoss with two classes whose softmax is (p, 1 − p)
        logits = torch.tensor([[prob, 1 - prob]]).log()
        ce = torch.nn.CrossEntropyLoss(reduction="none")(
            logits, torch.tensor([[target, 1 - target]])
        )
        assert abs(ce.item() - bce) < TOL


# ------------------------------------------------------------------------- Laplace


def test_laplace_half_exponential_in_torch() -> None:
    proof = identity("laplace-half-exponential")
    s = _by_name(proof)
    b, t = s["b"], s["t"]
    end = proof.steps[-1].after
    assert end.xreplace({t: 0}) == sp.Rational(1, 2)  # P(Y > 0) = 1/2
    half = next(st for st in proof.steps if st.rule.name == "HalfOfDensity")
    (integral,) = half.after.atoms(sp.Integral)
    y = integral.limits[0][0]
    rng = random.Random(5)
    for _ in range(5):
        scale, threshold = rng.uniform(0.3, 3), rng.uniform(0, 3)
        laplace = torch.distributions.Laplace(torch.tensor(0.0), torch.tensor(scale))
        exponential = torch.distributions.Exponential(torch.tensor(1 / scale))
        survival = 1 - laplace.cdf(torch.tensor(threshold)).item()
        assert abs(float(end.xreplace({b: scale, t: threshold})) - survival) < TOL
        # the integral itself, by quadrature
        assert abs(_value(proof.start, proof, scalars={b: scale, t: threshold}) - survival) < TOL
        # for y > 0 the density is half the exponential density
        point = torch.tensor(rng.uniform(0.01, 5))
        integrand = float(integral.function.xreplace({b: scale, y: point.item()}))
        assert abs(integrand - laplace.log_prob(point).exp().item()) < TOL
        assert (
            abs(
                laplace.log_prob(point).item()
                - (torch.log(torch.tensor(0.5)) + exponential.log_prob(point)).item()
            )
            < TOL
        )
        # |Y| ~ Exponential(1/b)
        mass = (laplace.cdf(torch.tensor(threshold)) - laplace.cdf(torch.tensor(-threshold))).item()
        assert abs(mass - exponential.cdf(torch.tensor(threshold)).item()) < TOL
    assert laplace.cdf(torch.tensor(0.0)).item() == 0.5


# ------------------------------------------------------------------ label smoothing


def test_label_smoothing_both_forms_against_torch() -> None:
    proof = identity("label-smoothing")
    s = _by_name(proof)
    middle = next(st for st in proof.steps if isinstance(st.rule, OneHotSifting)).after
    last = proof.steps[-1].after
    rng = torch.Generator().manual_seed(6)
    for classes, eps in ((3, 0.1), (5, 0.37), (4, 0.0), (2, 0.9)):
        n = 6
        logits = torch.randn(n, classes, generator=rng)
        labels = torch.randint(0, classes, (n,), generator=rng)
        loss = torch.nn.CrossEntropyLoss(label_smoothing=eps, reduction="none")(logits, labels)
        q = torch.softmax(logits, 1)
        for i in range(n):
            point = {
                "scalars": {s["y"]: sp.Integer(int(labels[i]) + 1), s["epsilon"]: eps},
                "vectors": {s["q"]: q[i].tolist()},
                "classes": classes,
            }
            for form in (proof.start, middle, last):
                assert abs(_value(form, proof, **point) - loss[i].item()) < TOL  # type: ignore[arg-type]
        mean = torch.nn.CrossEntropyLoss(label_smoothing=eps)(logits, labels).item()
        assert abs(mean - loss.mean().item()) < TOL
    # the last form is log K + KL(u‖q) in the smoothing term
    assert last.has(sp.log(K))


def test_label_smoothing_notes_name_the_torch_call() -> None:
    notes = " ".join(identity("label-smoothing").notes)
    assert "`torch.nn.CrossEntropyLoss` with `label_smoothing` set to ε" in notes
    assert "KL(u‖q)" in notes
