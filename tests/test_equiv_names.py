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


def test_an_entry_with_a_whole_index_is_the_subscripted_name() -> None:
    problem = read_problem(
        r"\sum_{i=1}^{3}(y_i - w x_i)^2", "(y_1-wx_1)^2+(y_2-wx_2)^2+(y_3-wx_3)^2", "w"
    )
    assert not problem.a.has(sp.Sum, sp.Indexed)
    assert sp.expand(problem.a - problem.b) == 0
    names = [c.name for c in problem.constants]
    assert names == ["x_1", "x_2", "x_3", "y_1", "y_2", "y_3"]


def test_the_subscript_must_be_the_index_exactly() -> None:
    problem = read_problem(r"\sum_{i=1}^{12} w x_i", r"w x_{12} + w x_{01}", "w")
    names = {s.name for s in problem.a.free_symbols | problem.b.free_symbols}
    assert "x_01" in names and "x_12" in names  # x_{01} is not x[1]; x_{12} is x[12]
    assert len({s for s in problem.a.free_symbols if s.name == "x_12"}) == 1
    assert problem.a.free_symbols & problem.b.free_symbols == {
        next(s for s in problem.a.free_symbols if s.name == n) for n in ("w", "x_12")
    }


def test_entries_share_the_declared_domain_of_the_indexed_name() -> None:
    problem = read_problem(r"\sum_{k=1}^{2} s_k w", r"w s_1 + w s_2", "w", real="s")
    by_name = dict((s.name, d) for s, d in problem.domains)
    assert by_name["s_1"] is Domain.REAL and by_name["s_2"] is Domain.REAL
    assert sp.expand(problem.a - problem.b) == 0


def test_wrt_an_indexed_name_written_out_means_every_entry() -> None:
    problem = read_problem(r"\log\sum_{k=1}^{3} e^{z_k}", r"\log(e^{z_1}+e^{z_2}+e^{z_3})", "z")
    assert [v.name for v in problem.variables] == ["z_1", "z_2", "z_3"]
    assert problem.a == problem.b


def test_a_long_sum_stays_a_sum() -> None:
    problem = read_problem(r"\sum_{i=1}^{51} (x_i - w)^2", "w^2", "w")
    assert problem.a.has(sp.Sum)


def test_messages_say_expression_not_density() -> None:
    from derive.parse import parse_density

    with pytest.raises(DeriveError) as info:
        read_problem("x", "1000^{1000} x", "x")
    assert str(info.value).startswith("B: a number in the expression would have more than")
    with pytest.raises(DeriveError, match="equations and inequalities are not expressions"):
        read_problem("x", r"x \leq 1", "x")
    with pytest.raises(DeriveError, match=r"^density: a number in the density would have"):
        parse_density("1000^{1000} y")  # derive custom's wording is unchanged
    with pytest.raises(DeriveError, match=r"^density: no symbol in the density"):
        parse_density("3")


def test_two_numbers_may_be_compared_but_names_are_still_checked() -> None:
    problem = read_problem("2", "0(y-f)^2", "f")
    assert [v.name for v in problem.variables] == ["f"] and problem.b == 0
    with pytest.raises(DeriveError, match="'f' occurs in neither"):
        read_problem("y", "y^2", "f")


def test_a_bad_name_is_shown_as_written() -> None:
    with pytest.raises(DeriveError) as info:
        read_problem("x", "x", "μ")
    assert str(info.value).startswith("wrt: 'μ' is not a symbol name")
    assert str(info.value).endswith("; write mu") and "\\u" not in str(info.value)
    with pytest.raises(DeriveError, match="write Sigma_1"):
        read_problem("x", "x", "x", positive="Σ_1")
    with pytest.raises(DeriveError) as info:
        read_problem("x", "x", "a\nb")
    assert "'a\\nb'" in str(info.value) and "\n" not in str(info.value)
