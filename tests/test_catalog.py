from __future__ import annotations

import pytest

from derive.catalog import resolve, resolve_link
from derive.errors import DeriveError


def test_aliases_and_links() -> None:
    assert resolve("Normal").name == "gaussian"
    assert resolve_link(resolve("bernoulli"), "sigmoid") == "logit"
    assert resolve_link(resolve("categorical"), None) == "identity"
    with pytest.raises(DeriveError, match="did you mean 'softmax'"):
        resolve_link(resolve("categorical"), "softmx")
