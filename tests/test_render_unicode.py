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
    assert unicode(sigmoid(sp.Symbol("z")) - 1) == "σ(z) − 1"  # a sum opens with a positive term
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


def test_information_theory_reads_as_written() -> None:
    from derive.information.engine import Quantity
    from derive.information.expectation import Expectation, LogBase

    t = sp.Symbol("y", real=True)
    p, q = sp.Symbol("P"), sp.Symbol("Q")
    density = sp.Function("p")(t)
    mean = Expectation(t**2, t, p, density, -sp.oo, sp.oo)
    assert unicode(mean) == "𝔼_{y∼P}[y²]"
    assert unicode(LogBase(density, sp.Integer(2))) == "log₂(p(y))"
    assert unicode(LogBase(t, sp.Symbol("b"))) == "log_b(y)"
    assert unicode(Quantity(sp.Symbol("kl"), p, q)) == "KL(P‖Q)"
    assert unicode(Quantity(sp.Symbol("cross-entropy"), p, q)) == "H(P, Q)"
    assert unicode(Quantity(sp.Symbol("entropy"), p)) == "H(P)"


def test_relations_sets_and_supports() -> None:
    a, b = sp.symbols("a b")
    assert unicode(sp.Eq(a, b, evaluate=False)) == "a = b"
    assert unicode(sp.Ne(a, b, evaluate=False)) == "a ≠ b"
    assert unicode(sp.Le(a, b, evaluate=False)) == "a ≤ b"
    assert unicode(sp.Ge(a, b, evaluate=False)) == "a ≥ b"
    assert unicode(sp.Lt(a, b, evaluate=False)) == "a < b"
    k = sp.Symbol("K", integer=True, positive=True)
    assert unicode(sp.Range(1, k + 1)) == "{1, 2, …, K}"
    assert unicode(sp.Range(0, sp.oo)) == "{0, 1, …}"
    assert unicode(sp.Range(0, 2)) == "{0, 1}"
    assert unicode(sp.Range(1, 4)) == "{1, 2, 3}"
    assert unicode(sp.Range(1, 65)) == "{1, 2, …, 64}"
    assert unicode(sp.Interval.open(0, sp.oo)) == "(0, ∞)"
    assert unicode(sp.Interval(-sp.oo, 0)) == "(−∞, 0]"
    assert unicode(sp.Contains(a, sp.S.Reals, evaluate=False)) == "a ∈ ℝ"
