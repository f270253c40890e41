"""Proofs that B = c·A + d: the three ways, the sign of c, the log guard."""

from __future__ import annotations

import sympy as sp

from derive.equiv.names import read_problem
from derive.equiv.proof import _by_gradients, find_affine, log_arguments_positive, smooth
from derive.functions import huber, softplus


def test_canonical_forms_give_factor_and_constant() -> None:
    problem = read_problem(r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", "mu")
    affine, why = find_affine(problem)
    sigma = sp.Symbol("sigma", positive=True)
    assert affine is not None and why == ""
    assert (affine.factor, affine.constant, affine.how, affine.sign) == (
        1 / (2 * sigma**2),
        sp.log(sigma),
        "canonical forms",
        1,
    )


def test_a_negative_factor_is_proved_non_positive() -> None:
    affine, _ = find_affine(read_problem("|y-f|", "-2|y-f| + 1", "f"))
    assert affine is not None and affine.factor == -2 and affine.sign == -1


def test_pieces_prove_huber_against_its_definition() -> None:
    y, f, delta = sp.symbols("y f delta")
    pieces = sp.Piecewise(
        ((y - f) ** 2 / 2, sp.Abs(y - f) < delta), (delta * (sp.Abs(y - f) - delta / 2), True)
    )
    affine, _ = find_affine(read_problem(huber(y - f, delta), 3 * pieces, "f"))
    assert affine is not None and affine.how == "piecewise" and affine.factor == 3


def test_gradients_need_smoothness_on_a_connected_domain() -> None:
    z = sp.Symbol("z")
    problem = read_problem(softplus(z), sp.log(1 + sp.exp(z)) + 2, "z")
    assert _by_gradients(problem, sp.Integer(1)) == 2
    kinked = read_problem(sp.Abs(z), sp.Abs(z) + 2, "z")
    assert _by_gradients(kinked, sp.Integer(1)) is None
    binary = read_problem("y", "y + 2", "y", binary="y")
    assert _by_gradients(binary, sp.Integer(1)) is None


def test_smooth_and_log_guard() -> None:
    x = sp.Symbol("x", real=True)
    s = sp.Symbol("s", positive=True)
    assert smooth(sp.exp(x) + sp.log(1 + sp.exp(x)) + 1 / s, ())
    assert not smooth(1 / x, ()) and not smooth(sp.Abs(x), ()) and not smooth(sp.log(x), ())
    assert log_arguments_positive(sp.log(x**2), ()) == sp.log(x**2)
    assert log_arguments_positive(sp.log(1 + sp.exp(x)) + sp.log(s), ()) is None


def test_no_proof_when_a_log_argument_is_not_positive() -> None:
    affine, why = find_affine(read_problem(r"\log(x^2)", r"2\log|x|", "x"))
    assert affine is None and "not proved positive" in why


def test_no_proof_for_a_different_pair() -> None:
    affine, why = find_affine(read_problem("(y-f)^2", "|y-f|", "f"))
    assert affine is None and "no factor free of f" in why
