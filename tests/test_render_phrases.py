"""What a moment's justification says: which expectation, and how its value was found."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.information.expectation import Expectation
from derive.information.rules import Moment
from derive.render.phrases import moment_phrase

y = sp.Symbol("y", real=True)
mu_1, mu_2 = sp.symbols("mu_1 mu_2", real=True)
TERM = Expectation(sp.Abs(y - mu_2), y, sp.Symbol("P"), sp.Function("p")(y), -sp.oo, sp.oo)


@pytest.mark.parametrize(
    ("how", "words"),
    [
        ("law", "a moment of the Normal law"),
        ("sum", "a sum over the support"),
        ("series", "a series with no closed form"),
        ("integral", "an integral over the support"),
    ],
)
def test_each_way_has_its_words(how: str, words: str) -> None:
    assert moment_phrase(Moment(term=TERM, value=mu_1, how=how, law="Normal")) == [words]


def test_a_split_integral_names_its_kinks_as_formulas() -> None:
    one = Moment(term=TERM, value=mu_1, how="split", at=(mu_2,), law="Laplace")
    assert moment_phrase(one) == ["the integral split at ", sp.Eq(y, mu_2, evaluate=False)]
    two = Moment(term=TERM, value=mu_1, how="split", at=(mu_1, mu_2), law="Laplace")
    assert moment_phrase(two) == [
        "the integral split at ",
        sp.Eq(y, mu_1, evaluate=False),
        " and ",
        sp.Eq(y, mu_2, evaluate=False),
    ]
