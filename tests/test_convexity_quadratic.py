"""Constant Hessians decided exactly by LDLᵀ; principal minors for the rest."""

from __future__ import annotations

import sympy as sp

from derive.convexity.quadratic import ldl, manifest_minors


def test_a_positive_definite_matrix_factors_with_non_negative_pivots() -> None:
    h = sp.Matrix([[6, 2], [2, 2]])
    kind, lower, pivots, _ = ldl(h)  # type: ignore[misc]
    assert kind == "psd"
    assert lower * sp.diag(*pivots) * lower.T == h
    assert all(p >= 0 for p in pivots)


def test_an_indefinite_matrix_gives_a_rational_direction() -> None:
    for h in (sp.Matrix([[1, 2], [2, 1]]), sp.Matrix([[0, 1], [1, 0]]), sp.Matrix([[-1]])):
        found = ldl(h)
        assert found is not None and found[0] == "indefinite"
        v = sp.Matrix(found[3])
        assert (v.T * h * v)[0, 0] < 0
        assert all(c.is_Rational for c in v)


def test_a_singular_psd_matrix_is_psd() -> None:
    h = sp.Matrix([[1, 1, 0], [1, 1, 0], [0, 0, 0]])
    found = ldl(h)
    assert found is not None and found[0] == "psd"


def test_an_undecided_pivot_is_not_guessed() -> None:
    c = sp.Symbol("c", real=True)
    assert ldl(sp.Matrix([[c, 1], [1, 1]])) is None


def test_minors_of_a_non_constant_hessian() -> None:
    x = sp.Symbol("x", real=True)
    h = sp.Matrix([[sp.exp(x), 0], [0, 2]])
    assert manifest_minors(h) is not None
    assert manifest_minors(sp.Matrix([[1, x], [x, 1]])) is None
