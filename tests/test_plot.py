"""Figures: valid files of the requested type, and curves that show what the proof says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from derive.analysis import analyse
from derive.cli import main
from derive.engine import derive
from derive.errors import DeriveError
from derive.plot import curves, plot
from tests.conftest import pdflatex

PNG = b"\x89PNG\r\n\x1a\n"


def test_comparison_figure_is_a_valid_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp.png"
    code = main(["plot", "bernoulli", "--link", "logit", "--loss", "mse", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    data = out.read_bytes()
    assert data.startswith(PNG) and len(data) > 10_000
    import matplotlib.image

    pixels = matplotlib.image.imread(str(out))
    assert pixels.ndim == 3 and pixels.shape[0] > 200 and pixels.shape[1] > 400
    assert float(pixels[..., :3].std()) > 0.01  # something is drawn
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


def test_pdf_and_svg_by_suffix_and_deterministic(tmp_path: Path) -> None:
    d = derive("gaussian")
    an = analyse(d)
    for suffix, magic in ((".pdf", b"%PDF"), (".svg", b"<?xml")):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        plot(d, an, str(first))
        plot(d, an, str(second))
        assert first.read_bytes().startswith(magic)
        assert first.read_bytes() == second.read_bytes()


def test_pgf_is_written_with_pdflatex(tmp_path: Path) -> None:
    pdflatex()
    out = tmp_path / "fig.pgf"
    d = derive("bernoulli", link="logit")
    plot(d, analyse(d), str(out))
    assert b"\\begin{pgfpicture}" in out.read_bytes()


def test_curves_show_the_vanishing_mse_gradient() -> None:
    d = derive("bernoulli", link="logit")
    axis, xs, drawn = curves(d, analyse(d, "mse"))
    assert axis.startswith("$z$ (logit")
    derived, mse = drawn
    assert derived.label.startswith("BCEWithLogitsLoss") and mse.label.startswith("MSE")
    left = xs < -6  # confidently wrong for y = 1
    sigma = 1 / (1 + np.exp(-xs))
    np.testing.assert_allclose(derived.gradient, np.abs(sigma - 1), rtol=1e-12)
    np.testing.assert_allclose(derived.loss, np.logaddexp(0, xs) - xs, rtol=1e-12)
    assert derived.gradient[left].min() > 0.99
    assert mse.gradient[left].max() < 0.01
    np.testing.assert_allclose(
        mse.gradient, np.abs(2 * (sigma - 1) * sigma * (1 - sigma)), atol=1e-15
    )


def test_categorical_curves_use_the_full_gradient_norm() -> None:
    d = derive("categorical", link="softmax", classes=3)
    _, xs, (ce,) = curves(d, analyse(d))
    p = np.exp(xs) / (np.exp(xs) + 2)
    expected = np.sqrt((p - 1) ** 2 + 2 * ((1 - p) / 2) ** 2)
    np.testing.assert_allclose(ce.gradient, expected, rtol=1e-12)


def test_bad_requests_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["plot", "gaussian", "-o", str(tmp_path / "x.jpg")],
        ["plot", "gaussian"],
        ["plot", "-o", str(tmp_path / "x.png")],
        ["plot", "gaussian", "--format", "json", "-o", str(tmp_path / "x.png")],
        ["plot", "gaussian", "-o", str(tmp_path / "missing" / "x.png")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("derive: error:") and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(DeriveError, match="concrete number of classes"):
        d = derive("categorical")
        curves(d, analyse(d))


def test_missing_matplotlib_names_the_distribution_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The distribution is derive-losses: 'derive[plot]' would install an unrelated project."""
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    d = derive("gaussian")
    with pytest.raises(DeriveError) as caught:
        plot(d, analyse(d), str(tmp_path / "x.png"))
    assert str(caught.value) == "derive plot needs matplotlib: pip install 'derive-losses[plot]'"
    assert list(tmp_path.iterdir()) == []


def test_counts_are_drawn_at_zero_and_three_below_their_bound() -> None:
    d = derive("poisson")
    axis, _, drawn = curves(d, analyse(d))
    assert axis.startswith("$z$ (log-parameter")
    assert [c.target for c in drawn] == ["y = 0", "y = 3"]
    assert drawn[0].label == "PoissonNLLLoss (derived)"
    small = derive("binomial", trials="2")
    assert [c.target for c in curves(small, analyse(small))[2]] == ["y = 0", "y = 2"]


def test_a_positive_target_is_labelled_with_the_value_drawn() -> None:
    d = derive("exponential", link="identity")
    axis, xs, drawn = curves(d, analyse(d))
    assert axis == r"$\mu$ (prediction)" and [c.target for c in drawn] == ["y = 1"]
    assert drawn[0].label == "derived loss"
    np.testing.assert_allclose(drawn[0].loss, 1 / xs + np.log(xs), rtol=1e-12)


@pytest.mark.parametrize(
    "argv",
    [
        ["poisson", "--link", "identity"],
        ["gamma", "--shape", "2"],
        ["binomial"],
        ["gaussian", "--learn-variance"],
        ["exponential", "--rate"],
    ],
    ids=lambda argv: "-".join(argv),
)
def test_the_new_families_plot(argv: list[str], tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    assert main(["plot", *argv, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(PNG)


def test_location_family_curves_are_their_losses() -> None:
    """Huber's curve is torch's HuberLoss at δ = 1 and y = 0; the pinball curve (τ = 0.9)
    is the check function, the derived loss ℓ; Student-t takes ν = 3 unless given."""
    import torch

    d = derive("huber", delta="1")
    _, xs, drawn = curves(d, analyse(d))
    f = torch.as_tensor(xs, dtype=torch.float64)
    expected = torch.nn.HuberLoss(reduction="none", delta=1.0)(f, torch.zeros_like(f))
    np.testing.assert_allclose(drawn[0].loss, expected.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(drawn[0].gradient, np.clip(np.abs(xs), 0, 1), atol=1e-12)
    d = derive("asymmetric-laplace", quantile="0.9")
    _, xs, drawn = curves(d, analyse(d))
    np.testing.assert_allclose(drawn[0].loss, np.maximum(0.9 * -xs, -0.1 * -xs), atol=1e-12)


def test_location_families_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("student-t", "cauchy", "logistic", "huber", "asymmetric-laplace"):
        out = tmp_path / f"{name}.png"
        assert main(["plot", name, "-o", str(out)]) == 0, capsys.readouterr().err
        assert out.read_bytes().startswith(PNG)


def test_soft_targets_draw_the_named_loss_and_show_the_targets() -> None:
    """The KLDivLoss curve is the KL divergence (minimum 0 where q = p), not the
    cross-entropy (minimum H(p)), and the figure says which p it is drawn for."""
    d = derive("categorical", targets="soft", classes=3)
    _, xs, (kl,) = curves(d, analyse(d))
    assert kl.label == "KLDivLoss (derived)" and kl.target == "target p = (7/10, 3/20, 3/20)"
    assert abs(xs[np.argmin(kl.loss)] - 0.7) < 0.01
    assert abs(kl.loss.min()) < 1e-4
    # the cross-entropy is labelled as such (its minimum is H(p) > 0)
    ce = derive("categorical", link="softmax", targets="soft", classes=3)
    _, _, (drawn,) = curves(ce, analyse(ce))
    entropy = -(0.7 * np.log(0.7) + 2 * 0.15 * np.log(0.15))
    assert drawn.label.startswith("CrossEntropyLoss") and drawn.loss.min() >= entropy - 1e-9


def test_only_the_comparison_is_dashed(tmp_path: Path) -> None:
    """The derived loss is solid (the Gaussian's MSELoss too); MSE beside it is dashed."""
    gaussian = derive("gaussian")
    _, _, drawn = curves(gaussian, analyse(gaussian))
    assert [c.comparison for c in drawn] == [False]
    solid = tmp_path / "g.svg"
    plot(gaussian, analyse(gaussian), str(solid))
    assert "stroke-dasharray" not in solid.read_text()
    logit = derive("bernoulli", link="logit")
    dashed = tmp_path / "b.svg"
    plot(logit, analyse(logit, "mse"), str(dashed))
    assert "stroke-dasharray" in dashed.read_text()


def test_many_classes_are_drawn_from_the_indexed_loss() -> None:
    d = derive("categorical", link="softmax", classes=64)
    axis, xs, (ce,) = curves(d, analyse(d))
    assert axis.startswith("$z_{1}$ (logit of class 1")
    p = np.exp(xs) / (np.exp(xs) + 63)
    np.testing.assert_allclose(ce.loss, -np.log(p), rtol=1e-12)
    np.testing.assert_allclose(ce.gradient, np.sqrt((p - 1) ** 2 + 63 * ((1 - p) / 63) ** 2))


def test_the_title_names_every_option_the_figure_was_drawn_with() -> None:
    from derive import derive
    from derive.plot import figure_title

    d = derive("categorical", link="softmax", classes="3", label_smoothing="1/10")
    title = figure_title(d)
    assert "softmax link" in title and "classes 3" in title and "label-smoothing 1/10" in title
    assert figure_title(derive("gaussian")).endswith("identity link")
    assert "learn-variance" in figure_title(derive("gaussian", learn_variance=True))
