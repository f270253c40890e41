from __future__ import annotations

import sympy as sp

from derive.algebra import free_of, is_positive_on_support, linearise_sums, proved_zero

i = sp.Symbol("i", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
y = sp.IndexedBase("y", real=True)
z = sp.Symbol("z", real=True)
c = sp.Symbol("c", positive=True)


def test_linearise_sums() -> None:
    s = sp.Sum(c + 2 * y[i], (i, 1, n))
    assert linearise_sums(s) == n * c + 2 * sp.Sum(y[i], (i, 1, n))


def test_proved_zero_is_sound_on_examples() -> None:
    assert proved_zero(sp.log(1 + sp.exp(-z)) + z - sp.log(1 + sp.exp(z)))
    assert proved_zero(sp.log(c**3) - 3 * sp.log(c))
    assert not proved_zero(sp.log(1 + sp.exp(z)) - z)
    assert not proved_zero(sp.Sum(y[i] ** 2, (i, 1, n)) - sp.Sum(y[i], (i, 1, n)) ** 2)


def test_positivity_and_freedom() -> None:
    p = sp.IndexedBase("p", positive=True)
    assert is_positive_on_support(sp.exp(y[i]) * p[i] ** y[i])
    assert not is_positive_on_support(1 - p[i])
    assert is_positive_on_support(1 - p[i], known=[1 - p[i]])
    assert free_of(sp.Sum(y[i], (i, 1, n)), [p]) and not free_of(p[i] + 1, [p])


def test_a_binomial_coefficient_is_positive_below_its_top() -> None:
    """C(N, k) > 0 for whole numbers 0 ≤ k ≤ N, known as N − k + 1 > 0; not otherwise."""
    trials = sp.Symbol("N", integer=True, positive=True)
    k = sp.IndexedBase("y", integer=True, nonnegative=True)
    assert is_positive_on_support(sp.binomial(trials, k[i]), known=[trials - k[i] + 1])
    assert is_positive_on_support(sp.binomial(10, k[i]), known=[11 - k[i]])
    assert not is_positive_on_support(sp.binomial(trials, k[i]))  # k ≤ N is not known
    real = sp.IndexedBase("x", real=True)
    assert not is_positive_on_support(sp.binomial(trials, real[i]), known=[trials - real[i] + 1])


def test_proofs_through_max_and_logs_of_rationals() -> None:
    """The pinball loss max(τr, (τ − 1)r) is (|r| + (2τ − 1)r)/2; log 6 = log 2 + log 3."""
    tau = sp.Symbol("tau", positive=True)
    r = y[i] - z
    assert proved_zero(2 * sp.Max(tau * r, (tau - 1) * r) - sp.Abs(r) - (2 * tau - 1) * r)
    assert proved_zero(sp.Min(z, 3) + sp.Max(z, 3) - z - 3)
    assert not proved_zero(sp.Max(tau * r, (tau - 1) * r) - sp.Abs(r))
    assert proved_zero(sp.log(6) - sp.log(2) - sp.log(3))
    assert proved_zero(sp.log(sp.Rational(9, 4)) - 2 * sp.log(3) + 2 * sp.log(2))
    assert not proved_zero(sp.log(6) - sp.log(5))


def test_huber_stays_one_term_in_proofs() -> None:
    """Inside a sum a Piecewise is folded by SymPy; the named huber is not."""
    from derive.functions import huber

    f = sp.IndexedBase("f", real=True)
    summand = huber(f[i] - y[i], c) + sp.log(c)
    total = sp.Sum(summand, (i, 1, n))
    assert proved_zero(total - sp.Sum(huber(f[i] - y[i], c), (i, 1, n)) - n * sp.log(c))
