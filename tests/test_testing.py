"""derive.testing: users' loss functions checked against the derived ℓ; equivalence.

Right losses are the libraries' own (torch.nn.functional) and hand-written NumPy
ones; wrong ones are the mistakes people make (an overflowing softplus, a factor,
a dropped term, swapped arguments, a sign, mean for sum), each failing with the
report that names it.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F  # noqa: N812 - as torch writes it

import derive
from derive.errors import DeriveError
from derive.testing import DEFAULT_CLASSES, SATURATED, assert_equivalent, assert_same_loss

ROOT = Path(derive.__file__).resolve().parents[1]
Case = tuple[Callable[[str], Callable[..., Any]], str, dict[str, object]]


def _kl(reduction: str) -> Callable[..., Any]:
    """KLDivLoss per sample is the sum over classes; torch's mean over samples is
    'batchmean' (its 'mean' divides by N·K)."""
    if reduction == "none":
        return lambda q, p: F.kl_div(torch.log(q), p, reduction="none").sum(1)
    torch_reduction = "batchmean" if reduction == "mean" else reduction
    return lambda q, p: F.kl_div(torch.log(q), p, reduction=torch_reduction)


# (the user's loss for a reduction, model, options): torch's own losses
TORCH: dict[str, Case] = {
    "mse": (lambda r: lambda f, y: F.mse_loss(f, y, reduction=r), "gaussian", {}),
    "l1": (lambda r: lambda f, y: F.l1_loss(f, y, reduction=r), "laplace", {}),
    "bce": (lambda r: lambda p, y: F.binary_cross_entropy(p, y, reduction=r), "bernoulli", {}),
    "bce-logits": (
        lambda r: lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction=r),
        "bernoulli",
        {"link": "logit"},
    ),
    "ce": (
        lambda r: lambda z, y: F.cross_entropy(z, y, reduction=r),
        "categorical",
        {"link": "softmax"},
    ),
    "ce-3-classes": (
        lambda r: lambda z, y: F.cross_entropy(z, y, reduction=r),
        "categorical",
        {"link": "softmax", "classes": 3},
    ),
    "ce-smoothed": (
        lambda r: lambda z, y: F.cross_entropy(z, y, reduction=r, label_smoothing=0.1),
        "categorical",
        {"link": "softmax", "label_smoothing": "0.1"},
    ),
    "ce-soft": (
        lambda r: lambda z, p: F.cross_entropy(z, p, reduction=r),
        "categorical",
        {"link": "softmax", "targets": "soft"},
    ),
    "nll-log-softmax": (
        lambda r: lambda z, y: F.nll_loss(F.log_softmax(z, dim=1), y, reduction=r),
        "categorical",
        {"link": "softmax"},
    ),
    "nll-log-q": (
        lambda r: lambda q, y: F.nll_loss(torch.log(q), y, reduction=r),
        "categorical",
        {},
    ),
    "kl-div": (_kl, "categorical", {"targets": "soft"}),
    "poisson": (
        lambda r: lambda z, y: F.poisson_nll_loss(z, y, reduction=r),
        "poisson",
        {},
    ),
    "poisson-rate": (
        lambda r: (
            lambda lam, y: F.poisson_nll_loss(lam, y, log_input=False, eps=1e-300, reduction=r)
        ),
        "poisson",
        {"link": "identity"},
    ),
    "binomial-proportion": (
        lambda r: lambda z, y: F.binary_cross_entropy_with_logits(z, y / 4, reduction=r),
        "binomial",
        {"link": "logit", "trials": 4},
    ),
    "huber": (
        lambda r: lambda f, y: F.huber_loss(f, y, reduction=r, delta=1.5),
        "huber",
        {"delta": "1.5"},
    ),
    "gaussian-nll": (
        lambda r: lambda f, v, y: F.gaussian_nll_loss(f, y, v, reduction=r),
        "gaussian",
        {"learn_variance": True},
    ),
}


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("case", sorted(TORCH))
def test_torch_losses_are_their_derived_loss(case: str, reduction: str) -> None:
    make, name, options = TORCH[case]
    check = assert_same_loss(make(reduction), name, reduction=reduction, **options)
    assert check.backend == "torch"
    assert check.samples >= 64


def _ce_numpy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    top = z.max(axis=1)
    lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    return lse - z[np.arange(len(y)), y]


def _huber_numpy(f: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = np.abs(f - y)
    return np.where(r < 2, r**2 / 2, 2 * (r - 1))


@pytest.mark.parametrize(
    ("fn", "name", "options"),
    [
        (lambda f, y: (y - f) ** 2, "gaussian", {}),
        (lambda z, y: np.logaddexp(0, z) - y * z, "bernoulli", {"link": "logit"}),
        (lambda p, y: -(y * np.log(p) + (1 - y) * np.log1p(-p)), "bernoulli", {}),
        (_ce_numpy, "categorical", {"link": "softmax"}),
        (lambda z, y: np.exp(z) - y * z, "poisson", {}),
        (_huber_numpy, "huber", {"delta": 2}),
        (
            lambda f, v, y: 0.5 * (np.log(v) + (y - f) ** 2 / v),
            "gaussian",
            {"learn_variance": True},
        ),
    ],
)
def test_numpy_losses_are_their_derived_loss(
    fn: Callable[..., Any], name: str, options: dict[str, object]
) -> None:
    assert assert_same_loss(fn, name, **options).backend == "numpy"


def test_a_numpy_mean_and_sum() -> None:
    assert_same_loss(lambda f, y: np.mean((y - f) ** 2), "gaussian", reduction="mean")
    assert_same_loss(lambda f, y: np.sum(np.abs(y - f)), "laplace", reduction="sum")


def _failure(fn: Callable[..., Any], name: str, **kwargs: Any) -> str:
    with pytest.raises(AssertionError) as caught:
        assert_same_loss(fn, name, **kwargs)
    return str(caught.value)


def test_an_overflowing_softplus_fails_at_a_saturated_logit() -> None:
    message = _failure(lambda z, y: torch.log(1 + torch.exp(z)) - y * z, "bernoulli", link="logit")
    assert message.startswith("your loss does not match BCEWithLogitsLoss")
    assert "model:   derive bernoulli --link logit" in message
    assert "ℓ(z, y) = softplus(z) − y·z" in message
    assert "first mismatch, sample" in message and "z = 1000.0" in message
    assert "expected ℓ = 1000.0" in message and "got          inf" in message
    assert "relative error inf" in message
    assert "hint: your function gives inf or nan where ℓ is finite" in message


def test_the_same_overflow_in_numpy_is_reported_not_raised_as_a_warning() -> None:
    # pytest turns warnings into errors here: NumPy's overflow warning must not escape
    message = _failure(lambda z, y: np.log(1 + np.exp(z)) - y * z, "bernoulli", link="logit")
    assert "got          inf" in message


def test_an_unstable_sigmoid_then_bce_fails_only_at_the_edges() -> None:
    message = _failure(
        lambda z, y: F.binary_cross_entropy(torch.sigmoid(z), y, reduction="none"),
        "bernoulli",
        link="logit",
    )
    assert "hint: every mismatch is at an edge of the domain" in message


def test_a_factor_of_two_is_named() -> None:
    message = _failure(lambda f, y: 2 * F.mse_loss(f, y, reduction="none"), "gaussian")
    assert "80 of 80 samples differ" in message
    assert "your values are 2 × ℓ: your loss is 2× ℓ, a positive factor" in message


def test_the_full_gaussian_nll_is_a_factor_and_a_constant_away_from_mse() -> None:
    message = _failure(lambda f, y: 0.5 * (y - f) ** 2 + 0.5 * np.log(2 * np.pi), "gaussian")
    assert "1/2 × ℓ + 0.9189 (= log √(2π))" in message


def test_a_constant_offset_is_named() -> None:
    message = _failure(
        lambda z, y: np.logaddexp(0, z) - y * z + math.log(2), "bernoulli", link="logit"
    )
    assert "your values are ℓ + 0.6931 (= log 2): they differ by a constant" in message


def test_a_dropped_term_fails_without_a_false_hint() -> None:
    message = _failure(
        lambda f, v, y: 0.5 * (y - f) ** 2 / v, "gaussian", learn_variance=True
    )  # log(v)/2 dropped: not a constant when the variance is learned
    assert message.startswith("your loss does not match GaussianNLLLoss")
    assert "ℓ(f, v, y) = (y − f)²/(2·v) + log(v)/2" in message
    assert "hint" not in message


def test_swapped_arguments_fail() -> None:
    message = _failure(
        lambda p, y: F.binary_cross_entropy(y, p, reduction="none"), "bernoulli"
    )  # input and target swapped
    assert message.startswith("your loss does not match BCELoss")
    assert "hint" not in message


def test_a_sign_flip_is_named() -> None:
    message = _failure(
        lambda z, y: -F.binary_cross_entropy_with_logits(z, y, reduction="none"),
        "bernoulli",
        link="logit",
    )
    assert "your values are −1 × ℓ: a sign flip" in message


def test_sum_for_mean_and_mean_for_sum_are_named() -> None:
    message = _failure(lambda f, y: F.mse_loss(f, y, reduction="sum"), "gaussian", reduction="mean")
    assert message.startswith("your reduction='mean' does not match MSELoss")
    assert "your function sums where reduction='mean' averages" in message
    message = _failure(lambda f, y: F.mse_loss(f, y, reduction="mean"), "gaussian", reduction="sum")
    assert "your function averages where reduction='sum' sums" in message


def test_torchs_default_reduction_for_a_per_sample_check_is_a_shape_error() -> None:
    message = _failure(lambda f, y: F.mse_loss(f, y), "gaussian")
    assert "expected one value per sample, shape (80,); got shape ()" in message
    assert "torch's losses reduce by default (reduction='mean')" in message
    message = _failure(lambda f, y: (f - y) ** 2, "gaussian", reduction="mean")
    assert "expected one number (reduction='mean'); got shape" in message


def test_a_library_convention_beyond_the_formula_is_quoted() -> None:
    # torch adds eps = 1e-8 inside the log of the rate: ℓ only as eps → 0
    message = _failure(
        lambda lam, y: F.poisson_nll_loss(lam, y, log_input=False, reduction="none"),
        "poisson",
        link="identity",
    )
    assert "library convention: with `log_input=False` torch computes" in message


def test_one_based_class_indices_fail_and_the_report_says_which_convention() -> None:
    message = _failure(
        lambda z, y: F.cross_entropy(z, (y + 1) % DEFAULT_CLASSES, reduction="none"),
        "categorical",
        link="softmax",
    )
    assert f"classes: K = {DEFAULT_CLASSES}, numbered 1…K in ℓ" in message
    assert "y (class index) = " in message


class _Recorder:
    """A right loss that keeps the inputs it was given."""

    def __init__(self, loss: Callable[..., Any]) -> None:
        self.loss = loss
        self.seen: list[tuple[np.ndarray, ...]] = []

    def __call__(self, *arrays: np.ndarray) -> Any:
        self.seen.append(arrays)
        return self.loss(*arrays)


def test_inputs_visit_saturated_logits_with_both_targets() -> None:
    record = _Recorder(lambda z, y: np.logaddexp(0, z) - y * z)
    assert_same_loss(record, "bernoulli", link="logit")
    z, y = record.seen[0]
    assert z.dtype == np.float64 and y.dtype == np.float64
    for edge in SATURATED:
        assert set(y[z == edge]) == {0.0, 1.0}
    assert set(np.unique(y)) == {0.0, 1.0}


def test_inputs_visit_probabilities_near_zero_and_one() -> None:
    record = _Recorder(lambda p, y: -(y * np.log(p) + (1 - y) * np.log1p(-p)))
    assert_same_loss(record, "bernoulli")
    p, _ = record.seen[0]
    assert {1e-12, 1 - 1e-12} <= set(p) and np.all((p > 0) & (p < 1))


def test_class_inputs_have_torchs_layout() -> None:
    record = _Recorder(_ce_numpy)
    assert_same_loss(record, "categorical", link="softmax")
    z, y = record.seen[0]
    assert z.shape == (len(y), DEFAULT_CLASSES) and z.dtype == np.float64
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(DEFAULT_CLASSES))
    assert np.max(np.abs(z)) == 1e3  # saturated logits
    record = _Recorder(lambda z, p: -(p * (z - np.logaddexp.reduce(z, 1)[:, None])).sum(1))
    assert_same_loss(record, "categorical", link="softmax", targets="soft", classes=3)
    z, p = record.seen[0]
    assert z.shape == p.shape == (len(p), 3) and np.allclose(p.sum(1), 1)


def test_the_seed_fixes_the_inputs() -> None:
    first, again, other = (_Recorder(lambda f, y: (y - f) ** 2) for _ in range(3))
    assert_same_loss(first, "gaussian")
    assert_same_loss(again, "gaussian")
    assert_same_loss(other, "gaussian", seed=1, samples=10)
    assert all(np.array_equal(a, b) for a, b in zip(first.seen[0], again.seen[0]))
    assert len(other.seen[0][0]) == 10 + 16 and not np.array_equal(
        first.seen[0][0][:10], other.seen[0][0][:10]
    )


def test_rows_where_the_loss_overflows_are_left_out() -> None:
    check = assert_same_loss(lambda z, y: np.exp(z) - y * z, "poisson")
    assert check.skipped == 2  # z = 1000 twice: e^1000 is no float64
    assert check.command == "derive poisson"


def test_the_backend_can_be_named() -> None:
    check = assert_same_loss(lambda f, y: (y - f) ** 2, "gaussian", backend="torch")
    assert check.backend == "torch"
    with pytest.raises(TypeError):
        assert_same_loss(
            lambda f, y: F.mse_loss(f, y, reduction="none"), "gaussian", backend="numpy"
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "gausian"}, "unknown distribution 'gausian' (did you mean 'gaussian'?)"),
        ({"name": "gaussian", "link": "probit"}, "unknown link 'probit' for gaussian"),
        ({"name": "gaussian", "classes": 3}, "--classes only applies to categorical"),
        ({"name": "gaussian", "reduction": "batchmean"}, "reduction must be one of 'none'"),
        ({"name": "gaussian", "backend": "jax"}, "backend must be one of"),
        ({"name": "gaussian", "samples": 0}, "samples must be a whole number"),
        ({"name": "huber"}, "depends on delta (pass delta=…, derive's --delta)"),
        ({"name": "cauchy"}, "depends on gamma (pass scale=…, derive's --scale)"),
        ({"name": 3}, "takes a model name, not int"),
        ({"name": "gaussian", "fn": "mse"}, "needs a callable loss function"),
        ({"name": "categorical", "classes": [3]}, "options are numbers, text or switches"),
    ],
)
def test_bad_arguments_are_one_clear_error(kwargs: dict[str, Any], message: str) -> None:
    fn = kwargs.pop("fn", lambda f, y: (y - f) ** 2)
    name = kwargs.pop("name")
    with pytest.raises(DeriveError) as caught:
        assert_same_loss(fn, name, **kwargs)
    assert message in str(caught.value)


def test_importing_derive_testing_imports_no_sympy_and_a_numpy_check_no_torch() -> None:
    code = (
        "import sys, derive.testing\n"
        "print('sympy' in sys.modules, 'numpy' in sys.modules)\n"
        "derive.testing.assert_same_loss(lambda f, y: (y - f) ** 2, 'gaussian')\n"
        "print('sympy' in sys.modules, 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DERIVE_NO_CACHE": "1"},
    )
    assert out.stdout.split() == ["False", "False", "True", "False"]


# --- assert_equivalent: derive.equiv's assertion under this module's name -------------


def test_assert_equivalent_proves_the_scaled_objective_and_names_the_factor() -> None:
    result = assert_equivalent(r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", wrt="mu")
    factor = sp.sympify(result.factor)
    assert {s.name for s in factor.free_symbols} == {"sigma"}
    (sigma,) = factor.free_symbols
    assert factor.subs(sigma, 3) == sp.Rational(1, 18)  # 1/(2σ²)


def test_assert_equivalent_refuses_with_a_witness_in_the_scale() -> None:
    with pytest.raises(AssertionError, match="witness"):
        assert_equivalent(r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", wrt="sigma")
