from __future__ import annotations

from derive import derive
from derive.analysis import analyse
from derive.render.text import render_text
from tests.conftest import unnamed


def test_each_step_is_justified() -> None:
    d = derive("bernoulli", link="logit")
    text = render_text(d)
    for step in d.steps:
        assert f"[{step.rule.name}]" in text
    assert "BCEWithLogitsLoss" in text and "softplus" in text


def test_unnamed_loss_is_said_so() -> None:
    d = unnamed()
    text = render_text(d, analyse(d))
    assert "loss: unnamed" in text
    # ℓ, whose gradient is printed, is defined: the summand of the objective
    assert "\n  ℓ = log(" in text and "∂ℓ/∂μ" in text
