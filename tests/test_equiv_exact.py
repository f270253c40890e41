"""Certified signs of exact numbers."""

from __future__ import annotations

import sympy as sp

from derive.equiv.exact import admits, certified_sign, enclose
from derive.functions import sigmoid, softplus


def test_signs_of_close_transcendental_numbers() -> None:
    assert certified_sign(sp.log(3) - sp.Rational(11, 10)) == -1
    assert certified_sign(sp.pi - sp.Rational(314159265358979, 10**14)) == 1
    # e^π − π^e ≈ 0.68 and a difference that needs more than double precision
    assert certified_sign(sp.exp(sp.pi) - sp.pi**sp.E) == 1
    assert certified_sign(sp.exp(sp.pi * sp.sqrt(163)) - 262537412640768744) == -1


def test_exact_zero_only_when_proved() -> None:
    assert certified_sign(sp.log(2) + sp.log(3) - sp.log(6)) == 0
    assert certified_sign(sp.Integer(0)) == 0
    assert certified_sign(sp.Symbol("x")) is None


def test_enclosures_contain_the_value() -> None:
    value = enclose(softplus(sp.Integer(1)) - sp.log(1 + sp.E))
    assert value is not None and value.a <= 0 <= value.b
    half = enclose(sigmoid(sp.Integer(0)))
    assert half is not None and half.a <= 0.5 <= half.b


def test_undefined_values_have_no_enclosure() -> None:
    assert enclose(sp.log(sp.Rational(-1, 2) + 0 * sp.pi)) is None
    assert enclose(sp.Pow(sp.Integer(0), -1, evaluate=False)) is None
    assert enclose(sp.Pow(sp.Integer(-2), sp.Rational(1, 2), evaluate=False)) is None
    assert enclose(sp.gamma(sp.Rational(1, 3))) is None  # not a function this evaluates


def test_piecewise_follows_its_certified_condition() -> None:
    x = sp.Rational(1, 3)
    piece = sp.Piecewise((x, sp.log(2) < x + sp.Rational(1, 2)), (-x, True), evaluate=False)
    value = enclose(piece)
    assert value is not None and value.a > 0


def test_admits_follows_the_assumptions() -> None:
    assert admits(sp.Symbol("s", positive=True), sp.Rational(1, 2))
    assert not admits(sp.Symbol("s", positive=True), sp.Integer(0))
    assert not admits(sp.Symbol("n", integer=True, positive=True), sp.Rational(3, 2))
    assert admits(sp.Symbol("x", negative=True), sp.Integer(-1))
