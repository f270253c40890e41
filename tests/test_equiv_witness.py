"""Witnesses of a difference: exact, admissible, and each the kind it says."""

from __future__ import annotations

import sympy as sp

from derive.equiv.names import read_problem
from derive.equiv.proof import find_affine
from derive.equiv.witness import (
    FactorWitness,
    OrderWitness,
    SlopeWitness,
    assignments,
    find_witness,
    in_domain,
    sample_points,
)
from derive.family import Domain


def test_order_witness_when_one_side_is_constant() -> None:
    problem = read_problem(r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", "sigma")
    w = find_witness(problem)
    assert isinstance(w, OrderWitness)
    assert w.a1 == w.a2 and w.first == "B" and w.other == 0
    assert (w.b2 - w.b1).is_positive
    assert "A(p1) = 25/36 = A(p2)" in w.describe()


def test_slope_witness_for_a_monotone_transform() -> None:
    w = find_witness(read_problem("x", "x^3", "x"))
    assert isinstance(w, SlopeWitness)
    s1, s2 = w.slopes
    assert s1 != s2 and all(s.is_Rational for s in (s1, s2))


def test_factor_witness_for_a_proved_negative_factor() -> None:
    problem = read_problem(r"(y-f)^2", r"-(y-f)^2 + 3", "f")
    affine, _ = find_affine(problem)
    w = find_witness(problem, affine)
    assert isinstance(w, FactorWitness) and w.factor == -1 and w.constant == 3
    assert w.a1 != w.a2


def test_no_witness_for_equal_functions() -> None:
    assert find_witness(read_problem(r"\log(x^2)", r"2\log|x|", "x")) is None


def test_points_and_constants_are_admissible() -> None:
    problem = read_problem(r"-y\log p + \sigma n", "p", "p", binary="y")
    for point in sample_points(problem):
        assert all(0 < v < 1 for v in point.values())
    seen = list(assignments(problem))
    assert seen and len(seen) == len({tuple(sorted(a.items(), key=str)) for a in seen})
    for values in seen:
        for symbol, value in values.items():
            assert in_domain(problem.domain(symbol), value)
            assert symbol.name != "y" or value in (0, 1)
            assert symbol.name != "n" or (value.is_integer and value > 0)
    assert not in_domain(Domain.UNIT, sp.Integer(1)) and in_domain(Domain.REAL, sp.Integer(9))


def test_sum_witness_states_the_terms() -> None:
    problem = read_problem(r"\sum_{i=1}^{n}(y_i - f)^2", r"\sum_{i=1}^{n}|y_i - f|", "f")
    w = find_witness(problem)
    assert w is not None
    names = dict(w.constants)
    assert "n" in names and "y[1]" in names
