from __future__ import annotations

import dataclasses

import pytest

from derive import derive
from derive.steps import Relation
from tests.conftest import unnamed


def test_steps_are_frozen_and_relations_have_symbols() -> None:
    d = derive("laplace")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.steps[0].after = d.steps[0].before  # type: ignore[misc]
    assert {r.symbol for r in Relation} == {"=", "≐", "∝", "⇔", "≤"}
    assert d.objective == d.steps[-1].after


def test_repr_is_one_line() -> None:
    d = derive("categorical", link="softmax", classes=3)
    assert repr(d) == (
        f"<Derivation categorical (link=softmax, classes=3, targets=onehot): "
        f"{len(d.steps)} steps, CrossEntropyLoss>"
    )
    assert "unnamed loss" in repr(unnamed())
