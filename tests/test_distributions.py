from __future__ import annotations

import pytest
import sympy as sp

from derive.distributions import build_model, per_sample, with_sample_index
from derive.errors import DeriveError


def test_options_are_validated() -> None:
    with pytest.raises(DeriveError, match="2 to 64"):
        build_model("categorical", classes="65")
    with pytest.raises(DeriveError, match="cannot be used with --targets soft"):
        build_model("categorical", targets="soft", label_smoothing="0.2")
    with pytest.raises(DeriveError, match="one of"):
        build_model("poisson")
    assert build_model("categorical", label_smoothing="1/10").options[-1] == (
        "label_smoothing",
        "1/10",
    )


def test_symbolic_and_concrete_classes() -> None:
    symbolic = build_model("categorical", link="softmax")
    assert isinstance(symbolic.density, sp.Product)
    concrete = build_model("categorical", link="softmax", classes=3)
    assert [p.name for p in concrete.variables.prediction] == ["z_1", "z_2", "z_3"]


def test_per_sample_round_trip() -> None:
    model = build_model("bernoulli", link="logit")
    i = sp.Symbol("i", integer=True, positive=True)
    z = model.variables.prediction[0]
    assert with_sample_index(per_sample(z[i] ** 2), model) == z[i] ** 2


def test_label_smoothing_text_is_bounded_before_it_is_built() -> None:
    """1e-9999 used to break str/int conversions later, 1e-99999999 took a minute."""
    import time

    for text in ("1e-9999", "1e-99999999", "0.999999999999999999999"):
        start = time.perf_counter()
        with pytest.raises(DeriveError, match="with at most 12 digits"):
            build_model("categorical", label_smoothing=text)
        assert time.perf_counter() - start < 0.5
    assert build_model("categorical", label_smoothing="1e-3").options[-1] == (
        "label_smoothing",
        "1/1000",
    )
