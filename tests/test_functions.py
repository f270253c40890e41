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
