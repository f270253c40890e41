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


def test_the_exponential_family_section_says_whether_the_link_is_canonical() -> None:
    from derive.analysis import analyse

    def text(name: str, **options: str) -> str:
        d = derive(name, **options)
        return render_text(d, analyse(d))

    poisson = text("poisson")
    assert "Exponential family: log p(y) = η·T(y) − A(η) + log h(y)" in poisson
    assert "T(y) = y, η = z" in poisson and "A(η) = exp(η)" in poisson
    assert "the log link is canonical (η = z is affine in z): the NLL is convex in z" in poisson
    assert "A''(η) = exp(η) = Var(T) ≥ 0" in poisson
    gamma = text("gamma")
    assert "the log link is not canonical" in gamma
    assert "canonical: η = −1/μ up to an affine map" in gamma
    bernoulli = text("bernoulli")
    assert "canonical: η = log(p/(1 − p)) up to an affine map, the logit link" in bernoulli
    learned = text("gaussian", learn_variance="true")
    assert "T(y) = (y, y²), (η₁, η₂) = (f/v, −1/(2·v))" in learned
    assert "the NLL is convex in the natural parameters (η₁, η₂)" in learned
    assert "convexity in f, v: not convex" in learned
    assert "Exponential family" not in text("laplace")


def test_library_conventions_and_remarks_are_notes_of_the_conclusion() -> None:
    poisson = render_text(derive("poisson", link="identity"))
    assert "torch: torch.nn.PoissonNLLLoss(log_input=False)(lambda_, y)" in poisson
    assert "note: with `log_input=False` torch computes" in poisson
    assert "an approximation of the offset log y!, not equal to it" in poisson
    gamma = render_text(derive("gamma"))
    assert "loss: unnamed" in gamma and "`torch.nn` has no Gamma loss" in gamma
    binomial = render_text(derive("binomial", trials="10"))
    assert "torch: torch.nn.BCEWithLogitsLoss()(z, y / 10)" in binomial
    assert "per sample: nll = 10·ℓ − log(C(10, y))" in binomial


def test_region_convention_and_written_out_loss() -> None:
    from derive.analysis import analyse

    d = derive("student-t", nu="3")
    text = render_text(d, analyse(d))
    assert "region: ∂²ℓ/∂f² < 0 exactly where |y − f| > √(3)·s, and ≥ 0 elsewhere" in text
    huber = render_text(derive("huber", delta="1"))
    assert "torch: torch.nn.HuberLoss(delta=1.0)(f, y)" in huber
    assert "note: quadratic where" in huber and "SmoothL1Loss(beta=delta)" in huber
    pinball = render_text(derive("quantile", quantile="0.9"))
    assert (
        "torch (written out): torch.maximum(0.9 * (y - f), (0.9 - 1) * (y - f)).mean()" in pinball
    )
    assert "    .sum(): −log L(θ) = 1/b·loss" in pinball
    assert "    .mean() (the default): −log L(θ) = n/b·loss" in pinball


def test_a_negative_offset_with_several_terms_is_bracketed() -> None:
    """nll = ℓ/b − log(1 − τ) − log τ + log b: every sign of the offset's terms flipped,
    not ℓ/b − log(1 − τ) + log τ − log b."""
    text = render_text(derive("asymmetric-laplace"))
    assert "nll = 1/b·ℓ − log(1 − τ) − log(τ) + log(b)" in text
