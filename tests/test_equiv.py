"""The public surface of derive.equiv: check_equivalent, assert_equivalent, the answer."""

from __future__ import annotations

import pytest
import sympy as sp

import derive.equiv as equiv
from derive.equiv import Equivalence, OrderWitness, assert_equivalent, check_equivalent

GAUSS = r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma"


def test_all_names_resolve() -> None:
    for name in equiv.__all__:
        assert getattr(equiv, name) is not None


def test_the_acceptance_pair_names_the_factor() -> None:
    result = check_equivalent(r"(y-\mu)^2", GAUSS, "mu")
    sigma = sp.Symbol("sigma", positive=True)
    assert result.status == "equivalent" and bool(result)
    assert result.factor == 1 / (2 * sigma**2)
    assert result.constant == sp.log(sigma)
    assert "c = 1/(2·σ²)" in result.explain()


def test_with_respect_to_sigma_it_is_different_with_an_order_witness() -> None:
    result = check_equivalent(r"(y-\mu)^2", GAUSS, ["sigma"])
    assert result.status == "different" and not result
    assert isinstance(result.witness, OrderWitness)
    assert result.witness.first == "B" and result.witness.other == 0
    assert result.factor is None and result.constant is None


def test_assert_equivalent_returns_the_answer() -> None:
    result = assert_equivalent(r"(y-\mu)^2", GAUSS, wrt="mu")
    assert isinstance(result, Equivalence) and result.status == "equivalent"


def test_assert_equivalent_names_the_witness() -> None:
    with pytest.raises(AssertionError, match=r"witness \(order\): at p1: sigma = "):
        assert_equivalent(r"(y-\mu)^2", GAUSS, wrt="sigma")


def test_assert_equivalent_names_what_failed_when_unknown() -> None:
    with pytest.raises(AssertionError, match="not proved positive"):
        assert_equivalent(r"\log(x^2)", r"2\log|x|", wrt="x")
