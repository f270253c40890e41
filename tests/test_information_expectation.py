"""E_{y∼P}[g] as unevaluated SymPy data, log_b kept whole, and the linear split of an
integrand into coefficients free of y times functions of y."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.information.expectation import Expectation, LogBase, expectations, linear_terms

y = sp.Symbol("y", real=True)
mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
P = sp.Symbol("P")
DENSITY = sp.exp(-((y - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)


def _e(g: sp.Expr) -> Expectation:
    return Expectation(g, y, P, DENSITY, -sp.oo, sp.oo)


def test_an_expectation_is_data() -> None:
    e = _e(y**2)
    assert e.integrand == y**2 and e.variable == y and e.label == P and e.density == DENSITY
    assert e.bounds == (-sp.oo, sp.oo) and not e.discrete
    assert e.free_symbols == {mu, sigma}  # y is bound
    assert str(e) == "E_P[y**2]"
    assert e.with_integrand(y) == _e(y)
    assert e.is_extended_real
    with pytest.raises(TypeError):
        Expectation("y", y, P, DENSITY, -sp.oo, sp.oo)  # type: ignore[arg-type]


def test_log_base_stays_whole() -> None:
    x = sp.Symbol("x", positive=True)
    assert LogBase(x, 2).args == (x, 2)
    assert LogBase(x, 2).is_extended_real
    assert LogBase(y, 2).is_extended_real is None


def test_expectations_are_listed_once_outermost_first() -> None:
    outer = _e(y) + 2 * _e(y) + _e(y**2)
    found = list(expectations(outer))
    assert sorted(found, key=sp.default_sort_key) == sorted(
        {_e(y), _e(y**2)}, key=sp.default_sort_key
    )
    assert len(found) == 2


def test_linear_terms() -> None:
    pairs = dict((phi, c) for c, phi in linear_terms((y - mu) ** 2 / sigma + 3, y))
    assert pairs == {y**2: 1 / sigma, y: -2 * mu / sigma, sp.S.One: mu**2 / sigma + 3}
    k = sp.Symbol("k", integer=True)
    total = sp.Sum(sp.KroneckerDelta(y, k), (k, 1, 3))
    assert linear_terms(2 * total, y) == [(2, total)]
