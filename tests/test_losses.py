"""The catalogue and ``identify`` against the real library: torch.nn losses and
torch.distributions log-probabilities, float64, on random and saturated data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp
import torch

from derive import derive
from derive.compile import compile_model as build_model
from derive.losses import CATALOGUE, identify
from derive.steps import Derivation
from tests.conftest import CASES, case_id, class_count, evaluate, indexed

TOL = 1e-10
N = 64


def _data(d: Derivation, rng: np.random.Generator, saturated: bool = False) -> dict[str, Any]:
    """Random data on the model's support, as NumPy arrays keyed by symbol name."""
    m = d.model
    data: dict[str, np.ndarray] = {}
    if m.distribution in ("gaussian", "laplace"):
        data["y"] = rng.normal(size=N) * 2
        data["f"] = rng.normal(size=N) * 2
        data[m.variables.nuisance[0].name] = np.full(N, 0.7)
        return data
    if m.distribution == "bernoulli":
        data["y"] = rng.integers(0, 2, size=N).astype(float)
        if m.link == "identity":
            data["p"] = rng.uniform(0.02, 0.98, size=N)
        else:
            scale = 40.0 if saturated else 3.0
            data["z"] = rng.uniform(-scale, scale, size=N)
            if saturated:
                data["z"] = np.sign(data["z"]) * np.maximum(np.abs(data["z"]), 30.0)
        return data
    count = class_count(d)
    labels = rng.integers(1, count + 1, size=N)
    onehot = np.eye(count)[labels - 1]
    logits = rng.normal(size=(N, count)) * (1 if not saturated else 0)
    if saturated:
        logits[np.arange(N), rng.integers(0, count, size=N)] = 35.0
    probs = rng.dirichlet(np.ones(count), size=N)
    soft = rng.dirichlet(np.ones(count), size=N)
    eps = float(sp.Rational(dict(m.options).get("label_smoothing", "0")))
    smoothed = (1 - eps) * onehot + eps / count
    if not indexed(d):
        for c in range(count):
            data[f"z_{c + 1}"] = logits[:, c]
            data[f"q_{c + 1}"] = probs[:, c]
            data[f"t_{c + 1}"] = onehot[:, c]
            data[f"p_{c + 1}"] = soft[:, c]
    else:
        data.update(z=logits, q=probs, p=soft, y=labels)
    data["_labels"], data["_onehot"], data["_logits"] = labels, onehot, logits
    data["_probs"], data["_soft"], data["_smoothed"] = probs, soft, smoothed
    return data


def _t(array: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(array), dtype=torch.float64)


def _reference_nll(d: Derivation, data: dict[str, Any]) -> np.ndarray:
    """−log p(y | θ) per sample, from torch.distributions."""
    m = d.model
    if m.distribution == "gaussian":
        dist = torch.distributions.Normal(_t(data["f"]), _t(data["sigma"]))
        return -dist.log_prob(_t(data["y"])).numpy()
    if m.distribution == "laplace":
        dist = torch.distributions.Laplace(_t(data["f"]), _t(data["b"]))
        return -dist.log_prob(_t(data["y"])).numpy()
    if m.distribution == "bernoulli":
        if m.link == "identity":
            dist = torch.distributions.Bernoulli(probs=_t(data["p"]))
        else:
            dist = torch.distributions.Bernoulli(logits=_t(data["z"]))
        return -dist.log_prob(_t(data["y"])).numpy()
    if m.link == "identity":
        cat = torch.distributions.Categorical(probs=_t(data["_probs"]))
    else:
        cat = torch.distributions.Categorical(logits=_t(data["_logits"]))
    count = data["_onehot"].shape[1]
    log_probs = torch.stack([cat.log_prob(torch.full((N,), c)) for c in range(count)], dim=1)
    targets = dict(m.options)["targets"]
    weights = data["_soft"] if targets == "soft" else data["_smoothed"]
    return -(log_probs * _t(weights)).sum(dim=1).numpy()


def _torch_loss(d: Derivation, data: dict[str, Any], reduction: str) -> float:
    """The named torch loss, called with its own conventions."""
    name = d.loss.loss.name
    options = dict(d.model.options)
    if name == "MSELoss":
        return torch.nn.MSELoss(reduction=reduction)(_t(data["f"]), _t(data["y"])).item()
    if name == "L1Loss":
        return torch.nn.L1Loss(reduction=reduction)(_t(data["f"]), _t(data["y"])).item()
    if name == "BCELoss":
        return torch.nn.BCELoss(reduction=reduction)(_t(data["p"]), _t(data["y"])).item()
    if name == "BCEWithLogitsLoss":
        loss = torch.nn.BCEWithLogitsLoss(reduction=reduction)
        return loss(_t(data["z"]), _t(data["y"])).item()
    index = torch.as_tensor(data["_labels"] - 1)
    if name == "NLLLoss":
        return torch.nn.NLLLoss(reduction=reduction)(torch.log(_t(data["_probs"])), index).item()
    if name == "KLDivLoss":
        loss = torch.nn.KLDivLoss(reduction=reduction)
        return loss(torch.log(_t(data["_probs"])), _t(data["_soft"])).item()
    assert name == "CrossEntropyLoss"
    eps = float(sp.Rational(options.get("label_smoothing", "0")))
    loss = torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=eps)
    # the logits, or with the identity link log q (log_softmax(log q) = log q on the simplex)
    given = _t(data["_logits"]) if d.link == "softmax" else torch.log(_t(data["_probs"]))
    if options["targets"] == "soft":
        return loss(given, _t(data["_soft"])).item()
    return loss(given, index).item()


def _per_sample_offset(d: Derivation, data: dict[str, Any]) -> np.ndarray:
    return evaluate(sp.sympify(d.loss.offset) + sp.Symbol("_zero") * 0, d, data)


SATURATED = [c for c in CASES if c[1].get("link") in ("logit", "softmax")]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_against_torch(case: tuple[str, dict[str, Any]]) -> None:
    _compare(case, saturated=False)


@pytest.mark.parametrize("case", SATURATED, ids=[case_id(c) for c in SATURATED])
def test_against_torch_saturated(case: tuple[str, dict[str, Any]]) -> None:
    """|logit| ≥ 30: the derived softplus / logsumexp forms stay exact where naive forms fail."""
    _compare(case, saturated=True)


def _compare(case: tuple[str, dict[str, Any]], saturated: bool) -> None:
    name, options = case
    d = derive(name, **options)
    rng = np.random.default_rng(7)
    data = _data(d, rng, saturated)
    nll = evaluate(d.nll, d, data)
    np.testing.assert_allclose(nll, _reference_nll(d, data), rtol=TOL, atol=TOL)
    assert d.loss is not None, "every built-in derivation names its loss"
    ell = evaluate(d.loss.formula, d, data)
    offset = _per_sample_offset(d, data)
    scale = float(
        sp.sympify(d.loss.scale).xreplace({s: float(data[s.name][0]) for s in d.variables.nuisance})
    )
    # per sample: nll = scale * ℓ + offset
    np.testing.assert_allclose(nll, scale * ell + offset, rtol=TOL, atol=TOL)
    total = nll.sum()
    n = len(nll)
    loss_sum = _torch_loss(d, data, "sum")
    np.testing.assert_allclose(total, scale * loss_sum + offset.sum(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(ell.sum(), loss_sum, rtol=TOL, atol=TOL)
    if d.loss.loss.name == "KLDivLoss":
        # torch itself warns that 'mean' divides by n·K, not by n: the convention we report.
        with pytest.warns(UserWarning, match="batchmean"):
            loss_mean = _torch_loss(d, data, "mean")
    else:
        loss_mean = _torch_loss(d, data, "mean")
    divisor = n * (ell.size and (data["_onehot"].shape[1] if d.loss.loss.mean_over_classes else 1))
    np.testing.assert_allclose(
        total, scale * divisor * loss_mean + offset.sum(), rtol=TOL, atol=TOL
    )
    if d.loss.loss.name == "KLDivLoss":
        batchmean = _torch_loss(d, data, "batchmean")
        np.testing.assert_allclose(total, scale * n * batchmean + offset.sum(), rtol=TOL, atol=TOL)


def test_saturated_logits_really_saturate() -> None:
    d = derive("bernoulli", link="logit")
    data = _data(d, np.random.default_rng(1), saturated=True)
    assert np.abs(data["z"]).min() >= 30
    nll = evaluate(d.nll, d, data)
    assert np.isfinite(nll).all()


def test_identify_refuses_a_wrong_name() -> None:
    """A derived NLL that is not the loss is never forced onto it."""
    model = build_model("bernoulli")
    d = derive("bernoulli")
    assert identify(d.nll, CATALOGUE["MSELoss"], _as(model, "f")) is None
    laplace = derive("laplace")
    assert identify(laplace.nll, CATALOGUE["MSELoss"], laplace.model) is None
    gaussian = derive("gaussian")
    assert identify(gaussian.nll, CATALOGUE["L1Loss"], gaussian.model) is None


def _as(model: Any, _: str) -> Any:
    return model


def test_identify_reports_scale_and_offset() -> None:
    g = derive("gaussian")
    sigma = sp.Symbol("sigma", positive=True)
    assert g.loss is not None
    assert sp.simplify(g.loss.scale - 1 / (2 * sigma**2)) == 0
    assert sp.expand_log(g.loss.offset - sp.log(2 * sp.pi * sigma**2) / 2, force=True) == 0
    lap = derive("laplace")
    b = sp.Symbol("b", positive=True)
    assert lap.loss is not None and lap.loss.scale == 1 / b


def test_label_smoothing_on_probabilities_is_cross_entropy_on_log_q() -> None:
    """CrossEntropyLoss applies log_softmax to its input, and log_softmax(log q) = log q when q
    sums to one: label smoothing on probabilities is CrossEntropyLoss on log q, exactly."""
    for classes in (None, 3, 8):
        d = derive("categorical", label_smoothing="0.1", classes=classes)
        assert d.loss is not None and d.loss.loss.name == "CrossEntropyLoss"
        assert d.loss.scale == 1 and d.loss.offset == 0
        assert d.loss.loss.call(d.model) == (
            "torch.nn.CrossEntropyLoss(label_smoothing=0.1)(torch.log(q), y)"
        )
    # without the simplex fact the match is not proved: q that does not sum to one
    model = build_model("categorical", options={"label_smoothing": "0.1"})
    from dataclasses import replace

    loose = replace(model, context=replace(model.context, simplex=()))
    assert identify(d.nll, CATALOGUE["CrossEntropyLoss"], loose) is None


def test_unnamed_when_nothing_matches() -> None:
    d = derive("categorical", label_smoothing="0.1")
    assert identify(d.nll, CATALOGUE["NLLLoss"], d.model) is None
    assert identify(d.nll, CATALOGUE["KLDivLoss"], d.model) is None


def test_catalogue_names_are_torch_classes() -> None:
    for loss in CATALOGUE.values():
        module, _, cls = loss.torch.rpartition(".")
        assert module == "torch.nn"
        assert isinstance(getattr(torch.nn, cls), type)


def test_call_prints_the_exact_label_smoothing() -> None:
    """float(1/3) is not 1/3: the call shows a literal meaning exactly the derived value."""
    cross_entropy = CATALOGUE["CrossEntropyLoss"]
    for text, shown in (("0.1", "0.1"), ("1/4", "0.25"), ("1/3", "1/3"), ("1e-12", "1e-12")):
        model = build_model("categorical", "softmax", {"label_smoothing": text})
        assert cross_entropy.call(model) == (
            f"torch.nn.CrossEntropyLoss(label_smoothing={shown})(z, y)"
        )
    # probability targets are passed as probabilities, not class indices
    for classes in (None, 3, 8):
        soft = build_model("categorical", "softmax", {"targets": "soft", "classes": classes})
        assert cross_entropy.call(soft) == "torch.nn.CrossEntropyLoss()(z, p)"
        assert soft.label is None  # no class index, so no note about numbering classes
