from __future__ import annotations

import sympy as sp

from derive.functions import sigmoid
from derive.render.unicode import unicode

i = sp.Symbol("i", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
sigma = sp.Symbol("sigma", positive=True)
y = sp.IndexedBase("y", real=True)


def test_readable_forms() -> None:
    assert unicode(sp.Sum(y[i] ** 2, (i, 1, n))) == "Σᵢ₌₁ⁿ yᵢ²"
    assert unicode(sp.sqrt(2 * sp.pi) * sigma) == "√(2)·√(π)·σ"
    assert unicode(sigmoid(sp.Symbol("z")) - 1) == "−1 + σ(z)"
    assert unicode(sp.Abs(sp.Symbol("r"))) == "|r|"


def test_factorials_and_binomial_coefficients() -> None:
    k = sp.Symbol("k", integer=True)
    assert unicode(sp.log(sp.factorial(y[i]))) == "log(yᵢ!)"
    assert unicode(sp.factorial(k + 1)) == "(1 + k)!"
    assert unicode(sp.binomial(sp.Symbol("N"), y[i])) == "C(N, yᵢ)"


def test_a_squared_sum_keeps_its_parentheses() -> None:
    """(Σⱼ e^{zⱼ})², not Σⱼ e^{zⱼ}², which reads as the sum of squares."""
    j = sp.Symbol("j", integer=True, positive=True)
    z = sp.IndexedBase("z", real=True)
    total = sp.Sum(sp.exp(z[j]), (j, 1, 8))
    text = unicode(1 / total**2)
    assert text.startswith("1/(Σ") and text.endswith(")²"), text
