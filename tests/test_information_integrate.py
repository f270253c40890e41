"""E_P[φ] computed from the density: finite sums, series, integrals and integrals split at
their kinks — each value against mpmath at random points, and every refusal (a kink the
split cannot place, an answer SymPy gives only under conditions) as ``None``."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from derive.family import resolve
from derive.information.expectation import Expectation
from derive.information.instance import Instance, instance
from derive.information.integrate import Computed, compute, kinks

P = sp.Symbol("P")


def _law(name: str, number: int | None = None) -> Instance:
    return instance(resolve(name), "P", number)


def _expect(inst: Instance, phi: sp.Expr) -> Expectation:
    return Expectation(phi, inst.variable, P, inst.density, inst.low, inst.high)


def _numeric(e: Expectation, at: dict[sp.Basic, sp.Expr], edges: list[sp.Expr]) -> float:
    mpmath.mp.dps = 30
    f = sp.lambdify(e.variable, (e.integrand * e.density).xreplace(at), modules="mpmath")
    low = e.bounds[0]
    start = -mpmath.inf if low == -sp.oo else mpmath.mpf(int(low))
    if e.discrete:
        return float(mpmath.nsum(f, [start, mpmath.inf]))
    inner = sorted(mpmath.mpf(float(a.xreplace(at))) for a in edges)
    return float(mpmath.quad(f, [start, *inner, mpmath.inf]))


def test_kinks_are_the_zeros_of_linear_absolute_values() -> None:
    y = sp.Symbol("y", real=True)
    c = sp.Symbol("c", real=True)
    assert kinks(sp.Abs(y - 1) + sp.Abs(2 * y - c) + sp.sign(y - 1), y) == [1, c / 2]
    assert kinks(sp.exp(-y), y) == []
    assert kinks(sp.Abs(y**2 - 1), y) is None  # not linear in y
    assert kinks(sp.Abs(c * y), y) is None  # a slope of unknown sign


def test_a_finite_support_is_summed_term_by_term() -> None:
    inst = _law("bernoulli")
    found = compute(_expect(inst, inst.variable))
    assert found == Computed(inst.values["p"], "sum")


def test_a_series_sympy_can_sum_is_summed() -> None:
    inst = _law("poisson")
    found = compute(_expect(inst, inst.variable))
    assert found is not None and found.how == "sum"
    assert sp.simplify(found.value - inst.values["lambda"]) == 0


def test_a_series_without_closed_form_is_kept_exactly() -> None:
    inst = _law("poisson")
    e = _expect(inst, sp.log(sp.factorial(inst.variable)))
    found = compute(e)
    assert found is not None and found.how == "series"
    assert found.value == sp.Sum(e.integrand * e.density, (inst.variable, 0, sp.oo))
    at = {inst.values["lambda"]: sp.Rational(5, 2)}
    assert float(sp.N(found.value.xreplace(at), 30)) == pytest.approx(
        _numeric(e, at, []), rel=1e-12
    )


def test_a_plain_integral() -> None:
    inst = _law("exponential")
    found = compute(_expect(inst, sp.log(inst.variable)))
    assert found is not None and found.how == "integral"
    assert sp.expand(found.value + sp.EulerGamma + sp.log(inst.values["lambda"])) == 0


def _random_point(inst: Instance, c: sp.Symbol, seed: int) -> dict[sp.Basic, sp.Expr]:
    rng = random.Random(seed)
    at: dict[sp.Basic, sp.Expr] = {c: sp.Rational(rng.randint(-30, 30), 10)}
    for symbol in inst.symbols:
        assert isinstance(symbol, sp.Symbol)
        low = 1 if symbol.is_positive else -20
        at[symbol] = sp.Rational(rng.randint(low, 20), 10)
    return at


def test_one_kink_normal_absolute_deviation() -> None:
    """E|y − c| under N(μ, σ²): split at c; the erf and the exponential come out tidy."""
    inst = _law("normal")
    c = sp.Symbol("c", real=True)
    e = _expect(inst, sp.Abs(inst.variable - c))
    found = compute(e)
    assert found is not None and found.how == "split" and found.at == (c,)
    assert len(found.value.atoms(sp.exp)) == 1 and len(found.value.atoms(sp.erf)) == 1
    assert sp.count_ops(found.value) < 40
    for seed in range(4):
        at = _random_point(inst, c, seed)
        expected = _numeric(e, at, [c, inst.values["mu"]])
        assert float(sp.N(found.value.xreplace(at), 30)) == pytest.approx(expected, rel=1e-10)


def test_two_kinks_laplace_absolute_deviation_in_every_order() -> None:
    """E|y − c| under Laplace(μ, b) = |c − μ| + b·e^{−|c − μ|/b}, for c on either side of μ."""
    inst = _law("laplace")
    c = sp.Symbol("c", real=True)
    mu, b = inst.values["mu"], inst.values["b"]
    e = _expect(inst, sp.Abs(inst.variable - c))
    found = compute(e)
    assert found is not None and found.how == "split" and set(found.at) == {c, mu}
    gap = sp.Abs(c - mu)
    assert sp.expand(found.value - (gap + b * sp.exp(-gap / b))) == 0
    for seed in range(4):
        at = _random_point(inst, c, seed)
        expected = _numeric(e, at, [c, mu])
        assert float(sp.N(found.value.xreplace(at), 30)) == pytest.approx(expected, rel=1e-10)


def test_refusals_are_none() -> None:
    y = sp.Symbol("y", real=True)
    laplace = _law("laplace")
    a, c, d = sp.symbols("a c d", real=True)
    three = sp.Abs(y - a) + sp.Abs(y - c) + sp.Abs(y - d)
    assert compute(_expect(laplace, three.xreplace({y: laplace.variable}))) is None
    # a kink on a half-line support is not split
    exponential = _law("exponential")
    c_pos = sp.Symbol("c", positive=True)
    assert compute(_expect(exponential, sp.Abs(exponential.variable - c_pos))) is None
    # SymPy answers E[y^c] only for c > −1 (a Piecewise): no value for every c
    e = _expect(exponential, exponential.variable ** sp.Symbol("c", real=True))
    assert sp.integrate(e.integrand * e.density, (e.variable, 0, sp.oo)).has(sp.Piecewise)
    assert compute(e) is None


def test_an_integrand_naming_the_densitys_own_index_gets_no_value() -> None:
    """E[δ(y, k)] under ∏_k p_k^{δ(y, k)} with symbolic K: summation would capture k
    and answer ∏_k p_k; no value (the law's hook gives p_k) is the only safe answer."""
    k = sp.Symbol("k", integer=True, positive=True)
    big_k = sp.Symbol("K", integer=True, positive=True)
    y = sp.Symbol("y", integer=True, positive=True)
    p = sp.IndexedBase("p", positive=True)
    density = sp.Product(p[k] ** sp.KroneckerDelta(y, k), (k, 1, big_k))
    term = Expectation(sp.KroneckerDelta(y, k), y, sp.Symbol("P"), density, sp.S.One, big_k)
    assert compute(term) is None
