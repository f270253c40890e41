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


def test_a_sum_written_out_is_the_same_sum() -> None:
    result = check_equivalent(
        r"\sum_{i=1}^{3}(y_i - w x_i)^2", "(y_1-wx_1)^2+(y_2-wx_2)^2+(y_3-wx_3)^2", "w"
    )
    assert (result.status, result.factor, result.constant) == ("equivalent", 1, 0)
    lse = (r"\log\sum_{k=1}^{3} e^{z_k}", r"\log(e^{z_1}+e^{z_2}+e^{z_3})")
    assert check_equivalent(*lse, "z_1,z_2,z_3").status == "equivalent"
    assert check_equivalent(*lse, "z").wrt == ("z_1", "z_2", "z_3")


def test_an_entry_is_not_a_longer_subscript() -> None:
    result = check_equivalent(
        r"\sum_{i=1}^{3}(y_i - w x_i)^2", r"(y_1-wx_1)^2+(y_2-wx_2)^2+(y_3-wx_{03})^2", "w"
    )
    assert result.status == "different"
    assert result.witness is not None
    named = {name for name, _ in result.witness.constants}
    assert {"x_03", "x_3", "y_1"} <= named and not any("[" in n for n in named)


def test_a_constant_side_is_a_question_not_an_error() -> None:
    zero = check_equivalent("(y-f)^2", "0(y-f)^2", "f")
    assert zero.status == "different" and zero.witness is not None
    assert zero.witness.kind == "factor" and zero.witness.factor == 0
    assert zero.witness.a1 != zero.witness.a2
    free = check_equivalent("(y-f)^2", "y", "f")
    assert free.status == "different" and free.witness is not None
    assert free.witness.kind == "factor"
    flat = check_equivalent("0", "(y-f)^2", "f")
    assert flat.status == "different" and flat.witness is not None
    assert flat.witness.kind == "order"
    numbers = check_equivalent("2", "3", "f")
    assert (numbers.status, numbers.factor, numbers.constant) == ("equivalent", 1, 1)
    assert check_equivalent("0(y-f)^2", "0", "f").status == "equivalent"
