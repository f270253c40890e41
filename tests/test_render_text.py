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


def test_region_convention_and_written_out_loss() -> None:
    from derive.analysis import analyse

    d = derive("student-t", nu="3")
    text = render_text(d, analyse(d))
    assert "region: ∂²ℓ/∂f² < 0 exactly where |y − f| > √(3)·s, and ≥ 0 elsewhere" in text
    huber = render_text(derive("huber", delta="1"))
    assert "torch: torch.nn.HuberLoss(delta=1.0)(f, y)" in huber
    assert "convention: quadratic where" in huber and "SmoothL1Loss(beta=delta)" in huber
    pinball = render_text(derive("quantile", quantile="0.9"))
    assert (
        "torch (written out): torch.maximum(0.9 * (y - f), (0.9 - 1) * (y - f)).mean()" in pinball
    )
    assert "    .sum(): −log L(θ) = 1/b·loss" in pinball
    assert "    .mean() (the default): −log L(θ) = n/b·loss" in pinball


def test_a_negative_offset_with_several_terms_is_bracketed() -> None:
    """nll = ℓ/b − (log(1 − τ) + log τ − log b), not ℓ/b − log(1 − τ) + log τ − log b."""
    text = render_text(derive("asymmetric-laplace"))
    assert "nll = 1/b·ℓ − (log(1 − τ) + log(τ) − log(b))" in text
