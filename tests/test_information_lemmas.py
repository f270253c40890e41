"""Exact comparisons of sums of logs, the lemma log x ≤ x − 1, and the rules of the identities."""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from derive.algebra import proved_zero
from derive.functions import sigmoid
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
    LogsOfPrimes,
    MultiplyAndDivide,
    NegatedLog,
    Normalised,
    OneHotSifting,
    SoftmaxOfTwoLogits,
    SplitSum,
    UniformCrossEntropy,
    holds,
    kl_terms,
    kl_value,
    log_lemma,
    log_sign,
    log_terms,
    simplex_points,
)
from derive.rules import RuleContext
from derive.steps import Relation

R = sp.Rational
p = sp.IndexedBase("p", positive=True)
q = sp.IndexedBase("q", positive=True)
ctx = RuleContext(optimised=(), sample_index=sp.Dummy("i"), n=sp.S.One, class_index=k, classes=K)


def _sum(expr: sp.Expr) -> sp.Sum:
    return sp.Sum(expr, (k, 1, K))


# ------------------------------------------------------------------ exact comparison


def test_log_terms_reads_rational_combinations_of_logs_of_rationals() -> None:
    expr = R(1, 2) * sp.log(R(3, 2)) - 2 * sp.log(3) / 3
    assert sorted(log_terms(expr)) == sorted(((R(1, 2), R(3, 2)), (R(-2, 3), R(3))))
    assert log_terms(sp.S.Zero) == ()
    x = sp.Symbol("x", positive=True)
    for other in (sp.log(x), sp.log(2) + 1, sp.log(sp.pi), sp.sqrt(2) * sp.log(2)):
        assert log_terms(other) is None


def test_log_sign_is_exact_where_floating_point_is_not() -> None:
    # log(10^20 + 1) − log(10^20) ≈ 1e-20: float64 rounds both logs to the same number
    a, b = 10**20 + 1, 10**20
    import math

    assert math.log(a) - math.log(b) == 0.0
    found = log_sign(((R(1), R(a)), (R(-1), R(b))))
    assert found is not None and found.sign == 1 and found.ratio == R(a, b)
    assert log_sign(((R(-1), R(a)), (R(1), R(b)))).sign == -1


def test_log_sign_certificate() -> None:
    # ½·log 4 − log 2 = 0 exactly
    zero = log_sign(((R(1, 2), R(4)), (R(-1), R(2))))
    assert zero is not None and zero.sign == 0 and zero.ratio == 1 and zero.scale == 2
    # KL((1/2, 1/2) ‖ (1/3, 2/3)) − KL((1/3, 2/3) ‖ (1/2, 1/2)) = (1/6)·log(3^12 / 2^19)
    p_, q_ = (R(1, 2), R(1, 2)), (R(1, 3), R(2, 3))
    terms = [*kl_terms(p_, q_), *((-c, r) for c, r in kl_terms(q_, p_))]
    found = log_sign(terms)
    assert found is not None
    assert found.scale == 6 and found.ratio == R(3**12, 2**19) and found.sign == 1
    # the certificate is what it says: D·Σ c·log r = log R
    total = sp.Add(*(c * sp.log(r) for c, r in found.terms))
    assert proved_zero(found.scale * total - sp.log(found.ratio))


def test_log_sign_agrees_with_high_precision_arithmetic() -> None:
    rng = random.Random(7)
    mpmath.mp.dps = 60
    for _ in range(300):
        terms = [
            (R(rng.randint(-9, 9), rng.randint(1, 6)), R(rng.randint(1, 30), rng.randint(1, 30)))
            for _ in range(rng.randint(1, 5))
        ]
        found = log_sign(terms)
        assert found is not None
        value = mpmath.fsum(
            mpmath.mpf(c.p) / c.q * mpmath.log(mpmath.mpf(r.p) / r.q) for c, r in terms
        )
        if found.sign == 0:
            assert abs(value) < mpmath.mpf(10) ** -50
        else:
            assert (value > 0) == (found.sign > 0) and abs(value) > mpmath.mpf(10) ** -50


def test_log_sign_refuses_what_it_cannot_form_and_what_is_not_a_log() -> None:
    assert log_sign(((R(1, 10**7), R(2)), (R(1), R(3)))) is None  # R would have ~10^7 bits
    with pytest.raises(ValueError, match="non-positive"):
        log_sign(((R(1), R(0)),))


def test_holds_decides_relations_exactly() -> None:
    a = sp.log(R(10**20 + 1))
    b = sp.log(R(10**20))
    assert holds(sp.Gt(a, b, evaluate=False)) is True
    assert holds(sp.Lt(a, b, evaluate=False)) is False
    assert holds(sp.Ne(a, b, evaluate=False)) is True
    half_log_4 = sp.Mul(R(1, 2), sp.log(4), evaluate=False)
    assert holds(sp.Eq(half_log_4, sp.log(2), evaluate=False)) is True
    assert holds(sp.Ge(half_log_4, sp.log(2), evaluate=False)) is True
    assert holds(sp.Le(half_log_4, sp.log(2), evaluate=False)) is True
    assert holds(sp.Gt(sp.log(sp.pi), 0, evaluate=False)) is None
    assert holds(sp.Symbol("x") > 0) is None


def test_kl_value_and_terms() -> None:
    p_, q_ = (R(1, 4), R(3, 4)), (R(1, 2), R(1, 2))
    assert kl_terms(p_, q_) == ((R(1, 4), R(1, 2)), (R(3, 4), R(3, 2)))
    value = kl_value(p_, q_)
    assert proved_zero(value - (sp.log(R(1, 2)) / 4 + 3 * sp.log(R(3, 2)) / 4))
    assert kl_value(p_, p_) == 0
    with pytest.raises(ValueError, match="different numbers"):
        kl_terms(p_, (R(1, 3),) * 3)


def test_simplex_points() -> None:
    two = simplex_points(2, 4)
    assert two == (
        (R(1, 2), R(1, 2)),
        (R(1, 3), R(2, 3)),
        (R(2, 3), R(1, 3)),
        (R(1, 4), R(3, 4)),
        (R(3, 4), R(1, 4)),
    )
    three = simplex_points(3, 5)
    assert three[0] == (R(1, 3),) * 3
    assert len(set(three)) == len(three)
    assert all(sum(v) == 1 and min(v) > 0 for v in three)
    # every vector with entries of denominator dividing some d ≤ 5 appears once
    expected = {
        tuple(Fraction(n, d) for n in (*h, d - sum(h)))
        for d in range(3, 6)
        for h in ((a, b) for a in range(1, d) for b in range(1, d))
        if d - sum(h) >= 1
    }
    assert {tuple(Fraction(int(x.p), int(x.q)) for x in v) for v in three} == expected


# ------------------------------------------------------------------------- lemma


def test_log_lemma_is_proved_by_convexity_and_a_stationary_point() -> None:
    lemma = log_lemma()
    x = lemma.variable
    assert x.is_positive and lemma.function == x - 1 - sp.log(x)
    assert lemma.verdict.verdict == "convex"
    assert lemma.derivative == 1 - 1 / x and lemma.second == x**-2
    assert lemma.point == 1 and lemma.proved


def test_log_at_most_linear_applies_only_to_a_whole_sum_with_nonnegative_weights() -> None:
    rule = LogAtMostLinear()
    assert rule.relation is Relation.AT_MOST
    before = _sum(p[k] * sp.log(q[k] / p[k]))
    rewrite = rule.apply(before, ctx)
    assert rewrite is not None
    assert proved_zero(rewrite.after - _sum(q[k] - p[k]))
    # inside a negation the sign would flip: the rule does not apply
    assert rule.apply(-before, ctx) is None
    z = sp.IndexedBase("z", real=True)  # a weight of unknown sign
    assert rule.apply(_sum(z[k] * sp.log(q[k] / p[k])), ctx) is None


def test_certify_proves_only_true_inequalities() -> None:
    rule = LogAtMostLinear()
    before = _sum(p[k] * sp.log(q[k] / p[k]))
    after = _sum(p[k] * (q[k] / p[k] - 1))
    assert rule.certify(before, after)
    assert not rule.certify(after, before)  # ≥ is not ≤
    assert not rule.certify(before, _sum(p[k] * (q[k] / p[k] - 2)))  # too small a bound
    z = sp.IndexedBase("z", real=True)
    assert not rule.certify(_sum(z[k] * sp.log(q[k])), _sum(z[k] * (q[k] - 1)))  # sign of z?
    x = sp.Symbol("x", positive=True)
    assert rule.certify(sp.log(x), x - 1)
    assert rule.certify(3 * sp.log(x), 3 * x - 3)
    assert not rule.certify(-sp.log(x), 1 - x)
    assert not rule.certify(sp.log(x), x - 1 + sp.Sum(p[k], (k, 1, K)) - 1)  # shapes differ
    reversed_range = sp.Sum(p[k] * sp.log(q[k] / p[k]), (k, 3, 1))  # SymPy: a negative sum
    assert not rule.certify(reversed_range, sp.Sum(q[k] - p[k], (k, 3, 1)))


# -------------------------------------------------------------------------- rules


def test_multiply_and_divide_and_negated_log() -> None:
    start = _sum(p[k] * sp.log(1 / q[k]))
    out = MultiplyAndDivide(target=1 / q[k], by=1 / p[k]).apply(start, ctx)
    assert out is not None and proved_zero(out.after - start)
    assert out.after.has(sp.Mul(1 / p[k], p[k] / q[k], evaluate=False))
    x = sp.Symbol("x", real=True)  # not known to be non-zero
    assert MultiplyAndDivide(target=1 / q[k], by=x).apply(start, ctx) is None
    negated = NegatedLog().apply(-_sum(p[k] * sp.log(p[k] / q[k])), ctx)
    assert negated is not None and negated.after == _sum(p[k] * sp.log(q[k] / p[k]))
    assert NegatedLog().apply(-_sum(p[k] * sp.log(p[k])), ctx) is None  # no quotient to flip


def test_split_sum_keeps_the_coefficients_whole() -> None:
    eps = sp.Symbol("epsilon", nonnegative=True)
    y = sp.Symbol("y", integer=True, positive=True)
    weights = sp.Add(sp.Mul(1 - eps, sp.KroneckerDelta(k, y)), eps / K, evaluate=False)
    summand = sp.Mul(weights, sp.log(1 / q[k]), evaluate=False)
    out = SplitSum().apply(sp.Sum(summand, (k, 1, K)), ctx)
    assert out is not None and proved_zero(out.after - sp.Sum(summand, (k, 1, K)))
    assert out.after.has(sp.Sum(sp.KroneckerDelta(k, y) * sp.log(1 / q[k]), (k, 1, K)))
    assert any(isinstance(term, sp.Mul) and (1 - eps) in term.args for term in out.after.args)
    assert SplitSum().apply(_sum(p[k]), ctx) is None


def test_one_hot_sifting_needs_a_class_label() -> None:
    y = sp.Symbol("y", integer=True, positive=True)
    out = OneHotSifting().apply(_sum(sp.KroneckerDelta(k, y) * sp.log(q[k])), ctx)
    assert out is not None and out.after == sp.log(q[y])
    w = sp.Symbol("w", real=True)  # not an integer: not a class
    assert OneHotSifting().apply(_sum(sp.KroneckerDelta(k, w) * sp.log(q[k])), ctx) is None
    n = sp.Symbol("n", integer=True)  # may be 0 or negative: not a class of 1..K
    assert OneHotSifting().apply(_sum(sp.KroneckerDelta(k, n) * sp.log(q[k])), ctx) is None
    starting_at_zero = sp.Sum(sp.KroneckerDelta(k, y) * sp.log(q[k]), (k, 0, K))
    assert OneHotSifting().apply(starting_at_zero, ctx) is None


def test_uniform_cross_entropy_is_log_k_plus_kl() -> None:
    eps = sp.Symbol("epsilon", nonnegative=True)
    expr = sp.Mul(eps, 1 / K, _sum(sp.log(1 / q[k])), evaluate=False)
    out = UniformCrossEntropy().apply(expr, ctx)
    assert out is not None and proved_zero(out.after - expr)
    kl = _sum(sp.log(1 / (K * q[k])) / K)
    assert proved_zero(out.after - eps * (sp.log(K) + kl))
    # the coefficient must be a multiple of 1/K
    assert (
        UniformCrossEntropy().apply(sp.Mul(eps, _sum(sp.log(1 / q[k])), evaluate=False), ctx)
        is None
    )
    # numerically, at K = 3
    values = {q[1]: R(1, 2), q[2]: R(1, 3), q[3]: R(1, 6), eps: R(1, 10)}
    for e in (expr, out.after):
        assert (
            abs(
                float(e.xreplace({K: 3}).doit().xreplace(values))
                - 0.1 / 3 * float(sp.log(2) + sp.log(3) + sp.log(6))
            )
            < 1e-14
        )


def test_normalised_and_definition_and_witness_values() -> None:
    expr = _sum(q[k]) - _sum(p[k])
    assert Normalised(totals=(_sum(p[k]), _sum(q[k]))).apply(expr, ctx).after == 0
    assert Normalised(totals=(_sum(p[k]),)).apply(_sum(q[k]), ctx) is None
    t = sp.IndexedBase("t")
    out = Definition(definitions=((t[k], 2 * p[k]),)).apply(_sum(t[k] * sp.log(q[k])), ctx)
    assert out is not None and not out.after.has(t)
    assert proved_zero(out.after - _sum(2 * p[k] * sp.log(q[k])))
    assert Definition(definitions=((t[k], 2 * p[k]),)).apply(_sum(q[k]), ctx) is None
    a, b = sp.symbols("a b", positive=True)
    witness = AtTheWitness(values=((a, R(1, 3)), (b, R(1, 2))))
    out = witness.apply(sp.Mul(a, sp.log(a / b, evaluate=False), evaluate=False), ctx)
    assert out is not None and out.after == sp.Mul(
        R(1, 3), sp.log(R(2, 3), evaluate=False), evaluate=False
    )
    primes = LogsOfPrimes().apply(out.after, ctx)
    assert primes is not None and primes.after == (sp.log(2) - sp.log(3)) / 3


def test_softmax_of_two_logits_and_expand_and_collect() -> None:
    z1, z2, y = sp.symbols("z_1 z_2 y", real=True)
    rule = SoftmaxOfTwoLogits(first=z1, second=z2)
    a, b = sp.exp(z1), sp.exp(z2)
    assert rule.apply(sp.log(a / (a + b)), ctx).after == sp.log(sigmoid(z1 - z2))
    second = rule.apply(sp.log(b / (a + b)), ctx).after
    assert proved_zero(second - sp.log(b / (a + b)))
    assert proved_zero(a / (a + b) - sigmoid(z1 - z2))
    d = z1 - z2
    out = ExpandAndCollect(keep=(d,)).apply(y * (d + 1) - (1 - y) * d, ctx)
    assert out is not None and out.after == 2 * y * d + y - d


def test_half_line_rules() -> None:
    b, t = sp.Symbol("b", positive=True), sp.Symbol("t", nonnegative=True)
    y = sp.Symbol("y", positive=True)
    assert AbsOnHalfLine().apply(sp.Abs(y, evaluate=False), ctx).after == y
    assert AbsOnHalfLine().apply(sp.Abs(sp.Symbol("w", real=True)), ctx) is None
    exponential = sp.exp(-y / b) / b
    half = HalfOfDensity(density=exponential, ratio=R(1, 2))
    integral = sp.Integral(sp.exp(-y / b) / (2 * b), (y, t, sp.oo))
    out = half.apply(integral, ctx)
    assert out is not None
    assert out.after == sp.Integral(sp.Mul(R(1, 2), exponential, evaluate=False), (y, t, sp.oo))
    assert HalfOfDensity(density=exponential, ratio=R(1, 3)).apply(integral, ctx) is None
    pulled = IntegralOfMultiple().apply(out.after, ctx)
    assert pulled is not None and IntegralOfMultiple().certify(out.after, pulled.after)
    assert not IntegralOfMultiple().certify(out.after, sp.Integral(exponential, (y, t, sp.oo)))
    rule = Integrate(variable=y, antiderivative=-sp.exp(-y / b))
    done = rule.apply(pulled.after, ctx)
    assert done is not None and proved_zero(done.after - sp.exp(-t / b) / 2)
    assert rule.certify(pulled.after, done.after)
    assert not rule.certify(pulled.after, sp.exp(-t / b))
    wrong = Integrate(variable=y, antiderivative=sp.exp(-y / b))  # F′ ≠ f
    assert wrong.apply(pulled.after, ctx) is None
    assert not wrong.certify(pulled.after, done.after)
    diverging = Integrate(variable=y, antiderivative=y)
    assert diverging.apply(sp.Integral(sp.S.One, (y, t, sp.oo)), ctx) is None


def test_every_rule_states_its_law() -> None:
    import derive.information.lemmas as lemmas

    for name in lemmas.__all__:
        obj = getattr(lemmas, name)
        if isinstance(obj, type) and issubclass(obj, lemmas.Rule) and obj is not lemmas.Certified:
            assert obj.__doc__ and obj.title, name
