from __future__ import annotations

from derive import derive
from derive.render.text import render_text


def test_each_step_is_justified() -> None:
    d = derive("bernoulli", link="logit")
    text = render_text(d)
    for step in d.steps:
        assert f"[{step.rule.name}]" in text
    assert "BCEWithLogitsLoss" in text and "softplus" in text


def test_unnamed_loss_is_said_so() -> None:
    text = render_text(derive("categorical", label_smoothing="0.1"))
    assert "loss: unnamed" in text
