from __future__ import annotations

import sympy as sp

from derive.functions import sigmoid, softplus, to_core

z = sp.Symbol("z", real=True)


def test_derivatives_and_rewrites() -> None:
    assert sp.diff(softplus(z), z) == sigmoid(z)
    assert sp.diff(sigmoid(z), z) == sigmoid(z) * (1 - sigmoid(z))
    assert to_core(softplus(z)) == sp.log(1 + sp.exp(z))
    assert to_core(sigmoid(z)) == 1 / (1 + sp.exp(-z))
    assert sigmoid(0) == sp.Rational(1, 2)
    assert sigmoid(z).is_positive and softplus(z).is_positive


def test_derivative_matches_the_core_form() -> None:
    for f in (sigmoid(z), softplus(z)):
        diff = to_core(sp.diff(f, z)) - sp.diff(to_core(f), z)
        assert abs(sp.N(diff.subs(z, sp.Rational(3, 7)), 30)) < 1e-25


def test_latex_printing_including_powers() -> None:
    assert sp.latex(sigmoid(z)) == r"\sigma\left(z\right)"
    assert sp.latex(sigmoid(z) ** 2) == r"\sigma\left(z\right)^{2}"
    assert sp.latex(softplus(-z)) == r"\operatorname{softplus}\left(- z\right)"
    assert sp.latex(softplus(z) ** 3) == r"\operatorname{softplus}\left(z\right)^{3}"
