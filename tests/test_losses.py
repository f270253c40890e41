"""The catalogue and ``identify`` against the real library: torch.nn losses and
torch.distributions log-probabilities, float64, on random and saturated data."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import sympy as sp
import torch

from derive import derive
from derive.compile import compile_model as build_model
from derive.compile import per_sample
from derive.losses import CATALOGUE, identify
from derive.steps import Derivation
from tests.conftest import CASES, case_id, class_count, evaluate, indexed

TOL = 1e-10
N = 64


def _data(d: Derivation, rng: np.random.Generator, saturated: bool = False) -> dict[str, Any]:
    """Random data on the model's support, as NumPy arrays keyed by symbol name."""
    m = d.model
    data: dict[str, np.ndarray] = {}
    for symbol in m.variables.nuisance:  # σ, b, α: 0.7; the number of trials N: 7
        data[symbol.name] = np.full(N, 7.0 if symbol.is_integer else 0.7)
    predictions = [b.name for b in m.variables.prediction]
    if m.distribution in ("gaussian", "laplace"):
        data["y"] = rng.normal(size=N) * 2
        data["f"] = rng.normal(size=N) * 2
        if "v" in predictions:
            data["v"] = rng.uniform(0.2, 3.0, size=N)
        return data
    if m.distribution in ("poisson", "gamma", "exponential", "binomial"):
        data.update(_scalar_data(d, rng, saturated))
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


def _scalar_data(d: Derivation, rng: np.random.Generator, saturated: bool) -> dict[str, Any]:
    """A target on the family's support and its prediction (z through a link, else the
    parameter itself: a rate, a mean or a probability)."""
    m = d.model
    (name,) = [b.name for b in m.variables.prediction]
    out: dict[str, Any] = {}
    if name == "z":
        scale = 40.0 if saturated else 2.0
        z = rng.uniform(-scale, scale, size=N)
        out["z"] = np.sign(z) * np.maximum(np.abs(z), 30.0) if saturated else z
    elif name == "p":
        out["p"] = rng.uniform(0.02, 0.98, size=N)
    else:
        out[name] = rng.uniform(0.2, 5.0, size=N)
    if m.distribution == "poisson":
        out["y"] = rng.poisson(3.0, size=N).astype(float)
    elif m.distribution == "binomial":
        trials = int(dict(m.options).get("trials", 7))
        out["y"] = rng.integers(0, trials + 1, size=N).astype(float)
        out["_trials"] = np.full(N, float(trials))
    else:
        out["y"] = rng.gamma(2.0, 1.5, size=N)
    return out


def _shape(d: Derivation, data: dict[str, Any]) -> float:
    return float(sp.Rational(dict(d.model.options).get("shape", "0.7")))


def _parameter(d: Derivation, data: dict[str, Any]) -> torch.Tensor:
    """The distribution's parameter after the link: the prediction, or exp/σ of z."""
    if "z" not in data:
        name = d.variables.prediction[0].name  # type: ignore[attr-defined]
        return _t(data[name])
    z = _t(data["z"])
    return torch.sigmoid(z) if d.link == "logit" else torch.exp(z)


def _t(array: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(array), dtype=torch.float64)


def _reference_nll(d: Derivation, data: dict[str, Any]) -> np.ndarray:
    """−log p(y | θ) per sample, from torch.distributions."""
    m = d.model
    if m.distribution == "gaussian":
        scale = _t(data["sigma"]) if "sigma" in data else torch.sqrt(_t(data["v"]))
        dist = torch.distributions.Normal(_t(data["f"]), scale)
        return -dist.log_prob(_t(data["y"])).numpy()
    y = _t(data["y"]) if "y" in data else None
    if m.distribution == "poisson":
        return -torch.distributions.Poisson(_parameter(d, data)).log_prob(y).numpy()
    if m.distribution == "gamma":
        alpha = _shape(d, data)
        rate = alpha / _parameter(d, data)
        return -torch.distributions.Gamma(torch.full_like(y, alpha), rate).log_prob(y).numpy()
    if m.distribution == "exponential":
        value = _parameter(d, data)
        rate = value if "rate" in dict(m.options) else 1 / value
        return -torch.distributions.Exponential(rate).log_prob(y).numpy()
    if m.distribution == "binomial":
        trials = _t(data["_trials"])
        if m.link == "logit":
            binomial = torch.distributions.Binomial(trials, logits=_t(data["z"]))
        else:
            binomial = torch.distributions.Binomial(trials, probs=_t(data["p"]))
        return -binomial.log_prob(y).numpy()
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
    """The named torch loss, called with its own conventions (a tensor for 'none')."""
    out = _torch_call(d, data, reduction)
    return out.numpy() if reduction == "none" else out.item()  # type: ignore[no-any-return]


def _torch_call(d: Derivation, data: dict[str, Any], reduction: str) -> torch.Tensor:
    name = d.loss.loss.key or d.loss.loss.name
    options = dict(d.model.options)
    if d.model.classes is None:
        # what the loss takes as its target: y, or the proportion y/N of successes
        target = _t(evaluate(per_sample(d.model.loss_target), d, data))
    if name == "MSELoss":
        return torch.nn.MSELoss(reduction=reduction)(_t(data["f"]), target)
    if name == "L1Loss":
        return torch.nn.L1Loss(reduction=reduction)(_t(data["f"]), target)
    if name == "BCELoss":
        return torch.nn.BCELoss(reduction=reduction)(_t(data["p"]), target)
    if name == "BCEWithLogitsLoss":
        return torch.nn.BCEWithLogitsLoss(reduction=reduction)(_t(data["z"]), target)
    if name == "PoissonNLLLoss":
        return torch.nn.PoissonNLLLoss(reduction=reduction)(_t(data["z"]), target)
    if name == "PoissonNLLLoss:rate":
        # eps = 1e-300 vanishes next to the rate in float64: the loss is ℓ exactly
        loss = torch.nn.PoissonNLLLoss(log_input=False, eps=1e-300, reduction=reduction)
        return loss(_t(data["lambda"]), target)
    if name == "GaussianNLLLoss:var":
        loss = torch.nn.GaussianNLLLoss(reduction=reduction)
        return loss(_t(data["f"]), target, _t(data["v"]))
    index = torch.as_tensor(data["_labels"] - 1)
    if name == "NLLLoss":
        return torch.nn.NLLLoss(reduction=reduction)(torch.log(_t(data["_probs"])), index)
    if name == "KLDivLoss":
        loss = torch.nn.KLDivLoss(reduction=reduction)
        return loss(torch.log(_t(data["_probs"])), _t(data["_soft"]))
    assert name == "CrossEntropyLoss"
    eps = float(sp.Rational(options.get("label_smoothing", "0")))
    loss = torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=eps)
    # the logits, or with the identity link log q (log_softmax(log q) = log q on the simplex)
    given = _t(data["_logits"]) if d.link == "softmax" else torch.log(_t(data["_probs"]))
    if options["targets"] == "soft":
        return loss(given, _t(data["_soft"]))
    return loss(given, index)


def _per_sample_offset(d: Derivation, data: dict[str, Any]) -> np.ndarray:
    return evaluate(sp.sympify(d.loss.offset) + sp.Symbol("_zero") * 0, d, data)


SATURATED = [
    c
    for c in CASES
    if c[1].get("link", build_model(c[0]).link) in ("logit", "softmax", "log")
    and c[0] != "exponential"  # e^{±40}·y: no cancellation to test, only overflow
]


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
    if d.loss is None:  # unnamed only where no catalogue loss was a candidate
        assert d.model.losses == ()
        return
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
    # reduction='none': the loss of each sample, ℓ_i (KLDivLoss: of each class, summed here)
    each = np.asarray(_torch_loss(d, data, "none"))
    each = each.sum(axis=1) if each.ndim == 2 else each
    np.testing.assert_allclose(each, ell, rtol=TOL, atol=TOL)


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
    """Every catalogue loss is a torch.nn class, except the written-out ones, which torch
    really has no class for."""
    for loss in CATALOGUE.values():
        if loss.torch is None:
            assert not hasattr(torch.nn, loss.name) and loss.conventions
            continue
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


def test_gaussian_nll_loss_conventions_are_torch_s() -> None:
    """GaussianNLLLoss drops log(2π)/2 (full=True adds it back: the loss is the NLL) and
    clamps the variance at eps = 1e-6, as the derivation's notes say."""
    d = derive("gaussian", learn_variance="true")
    assert d.loss is not None and d.loss.loss.key == "GaussianNLLLoss:var"
    assert d.loss.scale == 1 and d.loss.offset == sp.log(2 * sp.pi) / 2
    assert d.loss.loss.call(d.model) == "torch.nn.GaussianNLLLoss()(f, y, v)"
    notes = " ".join(d.loss.loss.conventions)
    assert "`full=True`" in notes and "log(2π)/2" in notes and "`eps=1e-6`" in notes
    data = _data(d, np.random.default_rng(5))
    nll = evaluate(d.nll, d, data)
    full = torch.nn.GaussianNLLLoss(full=True, reduction="none")
    got = full(_t(data["f"]), _t(data["y"]), _t(data["v"])).numpy()
    np.testing.assert_allclose(got, nll, rtol=TOL, atol=TOL)
    loss = torch.nn.GaussianNLLLoss(reduction="none")
    tiny, at_eps = (loss(_t([0.0]), _t([1.0]), _t([v])) for v in (1e-9, 1e-6))
    assert torch.equal(tiny, at_eps)  # below eps, torch computes with var = eps


def test_poisson_full_is_stirling_not_log_factorial() -> None:
    """full=True adds y·log y − y + log(2πy)/2 for y > 1: close to log y!, not equal to it."""
    d = derive("poisson")
    count = sp.Symbol("y", integer=True, nonnegative=True)
    assert d.loss is not None and d.loss.offset == sp.log(sp.factorial(count))
    assert any("approximation of the offset log y!" in note for note in d.loss.loss.conventions)
    y = np.arange(0.0, 12.0)
    z = np.full_like(y, 0.3)
    full = torch.nn.PoissonNLLLoss(full=True, reduction="none")(_t(z), _t(y)).numpy()
    plain = torch.nn.PoissonNLLLoss(reduction="none")(_t(z), _t(y)).numpy()
    big = np.maximum(y, 1)  # the term is 0 where y ≤ 1; no log 0 is taken
    stirling = np.where(y > 1, big * np.log(big) - big + 0.5 * np.log(2 * np.pi * big), 0)
    np.testing.assert_allclose(full - plain, stirling, rtol=TOL, atol=TOL)
    log_factorial = np.array([math.lgamma(v + 1) for v in y])
    error = np.abs(stirling - log_factorial)
    assert error[2] > 1e-2 and error[-1] > 1e-3  # an approximation: never exact
    exact = evaluate(d.nll, d, {"y": y, "z": z})
    assert np.abs(full - exact)[2:].min() > 1e-3


def test_poisson_rate_eps_is_stated_and_bounded() -> None:
    """log_input=False adds eps = 1e-8 inside the log: ℓ up to at most y·eps/λ."""
    d = derive("poisson", link="identity")
    assert d.loss is not None and d.loss.loss.key == "PoissonNLLLoss:rate"
    assert d.loss.loss.call(d.model) == "torch.nn.PoissonNLLLoss(log_input=False)(lambda_, y)"
    assert any("`eps=1e-8`" in note for note in d.loss.loss.conventions)
    data = _data(d, np.random.default_rng(6))
    ell = evaluate(d.loss.formula, d, data)
    default = torch.nn.PoissonNLLLoss(log_input=False, reduction="none")
    got = default(_t(data["lambda"]), _t(data["y"])).numpy()
    bound = data["y"] * 1e-8 / data["lambda"]
    assert np.all(np.abs(got - ell) <= bound * (1 + 1e-6) + 1e-15)
    assert np.abs(got - ell).max() > 1e-12  # the default eps is visible in float64


def test_bce_loss_clamps_its_logs() -> None:
    d = derive("bernoulli")
    assert d.loss is not None and any("−100" in c for c in d.loss.loss.conventions)
    p, y = _t([1e-60, 0.3]), _t([1.0, 1.0])
    got = torch.nn.BCELoss(reduction="none")(p, y).numpy()
    ell = evaluate(d.loss.formula, d, {"p": p.numpy(), "y": y.numpy()})
    assert got[0] == 100.0 and ell[0] > 138  # clamped where log p < −100
    np.testing.assert_allclose(got[1], ell[1], rtol=TOL)


@pytest.mark.parametrize("link", ["logit", "identity"])
def test_binomial_is_n_times_the_bce_loss_on_the_proportion(link: str) -> None:
    """N·softplus(z) − y·z = N·BCEWithLogitsLoss(z, y/N), and −y·log p − (N − y)·log(1 − p)
    = N·BCELoss(p, y/N); the NLL adds −log C(N, y)."""
    d = derive("binomial", link=link, trials="10")
    assert d.loss is not None and d.loss.scale == 10
    assert d.loss.loss.call(d.model).endswith(", y / 10)")
    rng = np.random.default_rng(8)
    y = rng.integers(0, 11, size=N).astype(float)
    if link == "logit":
        data = {"y": y, "z": rng.normal(size=N) * 3}
        torch_loss = torch.nn.BCEWithLogitsLoss(reduction="none")(_t(data["z"]), _t(y / 10))
        binomial = torch.distributions.Binomial(10, logits=_t(data["z"]))
    else:
        data = {"y": y, "p": rng.uniform(0.05, 0.95, size=N)}
        torch_loss = torch.nn.BCELoss(reduction="none")(_t(data["p"]), _t(y / 10))
        binomial = torch.distributions.Binomial(10, probs=_t(data["p"]))
    log_choose = np.array([math.log(math.comb(10, int(v))) for v in y])
    nll = -binomial.log_prob(_t(y)).numpy()
    np.testing.assert_allclose(nll, 10 * torch_loss.numpy() - log_choose, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(evaluate(d.nll, d, data), nll, rtol=TOL, atol=TOL)


def test_families_without_a_torch_loss_say_so() -> None:
    for name, options in (("gamma", {}), ("exponential", {}), ("exponential", {"rate": "true"})):
        d = derive(name, **options)
        assert d.loss is None and d.model.losses == ()
        assert any("`torch.nn` has no" in remark for remark in d.model.remarks)


def test_huber_and_pinball_are_identified_and_nothing_else_is() -> None:
    huber = derive("huber", delta="1")
    assert huber.loss is not None and huber.loss.loss.name == "HuberLoss"
    assert huber.loss.scale == 1 and not huber.loss.offset.has(sp.Symbol("f", real=True))
    assert identify(huber.nll, CATALOGUE["MSELoss"], huber.model) is None
    assert identify(huber.nll, CATALOGUE["L1Loss"], huber.model) is None
    laplace = derive("laplace")
    assert identify(laplace.nll, CATALOGUE["HuberLoss"], build_model("huber")) is None
    pinball = derive("asymmetric-laplace", quantile="0.9")
    assert pinball.loss is not None and pinball.loss.loss.name == "PinballLoss"
    # a different quantile is not the same loss
    other = build_model("asymmetric-laplace", options={"quantile": "0.25"})
    assert identify(pinball.nll, CATALOGUE["PinballLoss"], other) is None
    assert identify(pinball.nll, CATALOGUE["L1Loss"], pinball.model) is None


def test_a_written_out_loss_names_its_reductions_as_methods() -> None:
    pinball = CATALOGUE["PinballLoss"]
    assert pinball.torch is None
    assert (pinball.reduction("sum"), pinball.reduction("mean")) == (".sum()", ".mean()")
    assert CATALOGUE["HuberLoss"].reduction("sum") == "reduction='sum'"
