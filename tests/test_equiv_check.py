"""The answer: status, factor, constant, reason, witness — and its text."""

from __future__ import annotations

import sympy as sp

from derive.equiv.check import STATUSES, check_equivalent, decide
from derive.equiv.names import read_problem


def test_equivalent_answer_states_the_relation() -> None:
    result = check_equivalent(r"-\log\frac{1}{1+e^{-z}}", r"2\log(1+e^{z}) - 2z + 1", "z")
    assert result.status == "equivalent"
    assert (result.factor, result.constant) == (2, 1)
    assert result.explain().startswith("equivalent in z: B = c·A + d\n")
    assert result.reason == "proved: B − c·A − d reduces to 0 in canonical form, and c > 0."


def test_different_answer_has_a_witness_and_no_factor() -> None:
    result = check_equivalent(r"(y-f)^2", r"(y+f)^2", "f")
    assert result.status == "different" and result.witness is not None
    assert result.factor is None and result.constant is None
    assert "witness (" in result.explain()


def test_unknown_when_neither_proof_nor_witness() -> None:
    result = check_equivalent(r"\log(x^2)", r"2\log|x|", "x")
    assert result.status == "unknown" and result.witness is None
    assert "not proved positive" in result.reason and "no witness" in result.reason


def test_a_factor_of_undecided_sign_is_unknown_or_refuted() -> None:
    # c = 1/w with w real: refuted at w < 0, so different (never equivalent)
    result = check_equivalent("w x", "x", "x")
    assert result.status == "different"


def test_statuses_and_decide() -> None:
    assert STATUSES == ("equivalent", "different", "unknown")
    problem = read_problem("x", "2x", "x")
    assert decide(problem).status == "equivalent"
    assert decide(problem).wrt == ("x",)
    assert decide(problem).factor == sp.Integer(2)
