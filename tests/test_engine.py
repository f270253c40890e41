from __future__ import annotations

import pytest
import sympy as sp

from derive import derive
from derive.steps import Relation


def test_gaussian_chain_names_its_laws() -> None:
    d = derive("gaussian")
    names = [s.rule.name for s in d.steps]
    assert names[:2] == ["NegativeLogLikelihood", "LogOfIndexedProduct"]
    assert {"LogOfExp", "DropConstant", "DivideOutPositiveFactor", "MeanReduction"} <= set(names)
    drop = next(s for s in d.steps if s.relation is Relation.UP_TO_CONSTANT)
    sigma = sp.Symbol("sigma", positive=True)
    assert drop.dropped == d.n * sp.log(2 * sp.pi * sigma**2) / 2


def test_cost_does_not_grow_with_n() -> None:
    d = derive("categorical", link="softmax")
    assert d.n.is_Symbol and d.model.classes is not None and d.model.classes.is_Symbol
    assert all(s.after.count_ops() < 200 for s in d.steps)


def test_softmax_with_symbolic_classes_selects_the_label() -> None:
    d = derive("categorical", link="softmax")
    assert any(s.rule.name == "OneHotSelection" for s in d.steps)
    assert d.loss is not None and d.loss.scale == 1 and d.loss.offset == 0


@pytest.mark.parametrize("name", [None, 123, 1.5, b"gaussian", ["gaussian"]])
def test_a_name_that_is_not_text_is_a_derive_error(name: object) -> None:
    from derive.errors import DeriveError

    with pytest.raises(DeriveError, match="takes a model name or a Family"):
        derive(name)  # type: ignore[arg-type]


def test_options_as_keywords_are_validated() -> None:
    from derive.errors import DeriveError

    with pytest.raises(DeriveError, match="--classes only applies to categorical, not laplace"):
        derive("laplace", classes=3)
    with pytest.raises(DeriveError, match="a link is named by a string"):
        derive("gaussian", link=3)  # type: ignore[arg-type]
