"""Reading an equivalence question: names, domains, declarations, errors."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.equiv.names import domain_of, read_expression, read_problem
from derive.errors import DeriveError
from derive.family import Domain


def test_names_suggest_domains() -> None:
    assert domain_of("sigma") is Domain.POSITIVE
    assert domain_of("sigma_2") is Domain.POSITIVE
    assert domain_of("p") is Domain.UNIT and domain_of("tau") is Domain.UNIT
    assert domain_of("n") is Domain.NATURAL
    assert domain_of("mu") is Domain.REAL and domain_of("z_1") is Domain.REAL


def test_latex_symbols_get_assumptions_and_facts() -> None:
    problem = read_problem(r"-y\log p", r"\frac{(y-\mu)^2}{\sigma}", "p,mu")
    by_name = {s.name: s for s, _ in problem.domains}
    assert by_name["p"].is_positive and by_name["sigma"].is_positive
    assert by_name["y"].is_real and by_name["y"].is_positive is None
    assert problem.positive_facts == (1 - by_name["p"],)
    assert [v.name for v in problem.variables] == ["p", "mu"]
    assert [c.name for c in problem.constants] == ["sigma", "y"]


def test_declarations_override_names() -> None:
    problem = read_problem(r"\sigma y", "y", "y", real="sigma", binary="y")
    by_name = dict((s.name, d) for s, d in problem.domains)
    assert by_name == {"sigma": Domain.REAL, "y": Domain.BINARY}
    assert problem.facts[-1] == 1 - problem.variables[0]


def test_sympy_symbols_are_matched_by_name() -> None:
    x_plain, x_real = sp.Symbol("x"), sp.Symbol("x", real=True)
    problem = read_problem(x_plain**2, x_real**2, "x")
    assert problem.a == problem.b


def test_binary_powers_collapse() -> None:
    problem = read_problem("y^2", "y", "y", binary="y")
    assert problem.a == problem.b


@pytest.mark.parametrize(
    ("a", "b", "wrt", "extra", "message"),
    [
        ("x", "x", "z", {}, "'z' occurs in neither"),
        ("x", "x", "", {}, "name at least one variable"),
        ("x", "x", "x,x", {}, "named twice"),
        ("x", "x", "x", {"positive": "x", "real": "x"}, "declared twice"),
        ("x", "x", "x", {"positive": "w"}, "'w' occurs in neither"),
        (r"\sum_{i=1}^{n} y_i", "y_1", "y", {}, "indexed"),
        ("x^", "x", "x", {}, "A: "),
        ("x", r"\alpha(x)", "x", {}, "B: "),
        ("x", "x", "1x", {}, "not a symbol name"),
    ],
)
def test_bad_input_is_one_line(a: str, b: str, wrt: str, extra: dict, message: str) -> None:
    with pytest.raises(DeriveError, match=message) as info:
        read_problem(a, b, wrt, **extra)
    assert "\n" not in str(info.value)


def test_numbers_must_be_exact() -> None:
    assert read_expression(3, "A") == 3
    with pytest.raises(DeriveError, match="float is not exact"):
        read_expression(0.5, "A")
    with pytest.raises(DeriveError, match="Float"):
        read_expression(sp.Float(0.5) * sp.Symbol("x"), "B")
    with pytest.raises(DeriveError, match="expected a SymPy expression"):
        read_expression([1], "A")
