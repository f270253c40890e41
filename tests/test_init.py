"""The public API: an explicit, lazily loaded ``__all__``."""

from __future__ import annotations

import derive


def test_all_names_resolve() -> None:
    for name in derive.__all__:
        assert getattr(derive, name) is not None
    assert sorted(dir(derive)) == sorted(derive.__all__)


def test_derive_is_the_entry_point() -> None:
    d = derive.derive("normal")
    assert d.distribution == "gaussian"
    assert d.loss is not None and d.loss.loss.torch == "torch.nn.MSELoss"
