"""Your own density in LaTeX: the same engine, checked against the built-ins and torch."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import sympy as sp
import torch

from derive import derive
from derive.algebra import proved_zero
from derive.analysis import analyse
from derive.cli import main
from derive.custom import check_normalised, custom_family
from derive.errors import DeriveError
from derive.family import Domain, Role, Var
from derive.verify import check_derivation
from tests.conftest import evaluate

CAUCHY = r"\frac{1}{\pi\gamma\left(1+\left(\frac{y-\mu}{\gamma}\right)^2\right)}"
GAUSSIAN = r"\frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(y-\mu)^2}{2\sigma^2}}"
LAPLACE = r"\frac{1}{2b} e^{-\frac{|y-\mu|}{b}}"
BERNOULLI = r"p^{y}(1-p)^{1-y}"
STUDENT = (
    r"\frac{\Gamma\left(\frac{\nu+1}{2}\right)}{\sqrt{\nu\pi}\,\Gamma\left(\frac{\nu}{2}\right)}"
    r"\left(1+\frac{(y-\mu)^2}{\nu}\right)^{-\frac{\nu+1}{2}}"
)
N = 48
y = sp.Symbol("y", real=True)
mu = sp.Symbol("mu", real=True)
f = sp.Symbol("f", real=True)
gamma = sp.Symbol("gamma", positive=True)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cauchy_acceptance(capsys: pytest.CaptureFixture[str]) -> None:
    """log(1 + ((y − μ)/γ)²) up to a positive factor and a constant; no library loss; not convex."""
    argv = ["custom", "--density", CAUCHY, "--target", "y", "--predict", "mu", "--fixed", "gamma"]
    code, out, err = _run([*argv, "--format", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["loss"] is None
    assert doc["convexity"]["verdict"] == "not convex"
    point = doc["convexity"]["counterexample"]["point"]
    assert set(point) == {"gamma", "mu", "y"} and sp.Rational(point["gamma"]) > 0
    assert doc["convexity"]["counterexample"]["value_float"] < 0
    d = derive(custom_family(CAUCHY, target="y", predict="mu", fixed="gamma"))
    expected = sp.log(1 + ((y - mu) / gamma) ** 2)
    ratio = sp.cancel(sp.diff(d.derived, mu) / sp.diff(expected, mu))
    assert ratio.is_positive and not ratio.has(mu, y)
    # and the second derivative at the counterexample is negative, exactly
    at = {
        sp.Symbol(k, **a): sp.Rational(v)
        for (k, v), a in zip(
            sorted(point.items()), ({"positive": True}, {"real": True}, {"real": True})
        )
    }
    assert sp.diff(d.derived, mu, 2).xreplace(at) < 0
    code, out, err = _run(argv, capsys)
    assert code == 0 and "unnamed" in out and "not convex" in out
    assert "normalised" in out


def _rename(expr: sp.Expr) -> sp.Expr:
    return expr.xreplace({mu: f})


@pytest.mark.parametrize(
    ("density", "kwargs", "builtin", "link"),
    [
        (GAUSSIAN, {"predict": "mu", "fixed": "sigma"}, "gaussian", None),
        (LAPLACE, {"predict": "mu", "fixed": "b"}, "laplace", None),
        (BERNOULLI, {"predict": "p", "support": "binary"}, "bernoulli", None),
        (BERNOULLI, {"predict": "p", "support": "binary"}, "bernoulli", "logit"),
    ],
    ids=["gaussian", "laplace", "bernoulli", "bernoulli-logit"],
)
def test_latex_reproduces_the_built_in(
    density: str, kwargs: dict[str, Any], builtin: str, link: str | None
) -> None:
    custom = derive(custom_family(density, target="y", **kwargs), link=link)
    reference = derive(builtin, link=link)
    assert custom.loss is not None and reference.loss is not None
    assert custom.loss.loss.name == reference.loss.loss.name
    assert proved_zero(_rename(custom.loss.scale) - reference.loss.scale)
    assert proved_zero(_rename(custom.loss.offset) - reference.loss.offset)
    assert proved_zero(_rename(custom.nll) - reference.nll)
    assert all(check.ok for check in check_derivation(custom))
    assert analyse(custom).verdict.verdict == analyse(reference).verdict.verdict == "convex"


def _torch(values: np.ndarray) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def test_cauchy_and_student_t_against_torch_distributions() -> None:
    rng = np.random.default_rng(0)
    data = {"y": rng.normal(size=N) * 3, "mu": rng.normal(size=N)}
    cauchy = derive(custom_family(CAUCHY, target="y", predict="mu", fixed="gamma"))
    got = evaluate(cauchy.nll, cauchy, {**data, "gamma": np.full(N, 0.7)})
    want = -torch.distributions.Cauchy(_torch(data["mu"]), 0.7).log_prob(_torch(data["y"]))
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-10)
    student = derive(custom_family(STUDENT, target="y", predict="mu", fixed="nu"))
    got = evaluate(student.nll, student, {**data, "nu": np.full(N, 2.5)})
    want = -torch.distributions.StudentT(2.5, _torch(data["mu"])).log_prob(_torch(data["y"]))
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-10)
    assert all(check.ok for check in check_derivation(student))


def test_learned_scale_is_gaussian_nll_loss_in_torch() -> None:
    family = custom_family(
        GAUSSIAN, target="y", predict=["mu", "sigma"], domains={"sigma": "positive"}
    )
    d = derive(family)
    assert d.loss is not None and d.loss.loss.name == "GaussianNLLLoss"
    rng = np.random.default_rng(1)
    data = {"y": rng.normal(size=N), "mu": rng.normal(size=N), "sigma": rng.uniform(0.3, 2, N)}
    loss = evaluate(d.loss.formula, d, data)
    torch_loss = torch.nn.GaussianNLLLoss(reduction="none", eps=1e-300)(
        _torch(data["mu"]), _torch(data["y"]), _torch(data["sigma"] ** 2)
    )
    np.testing.assert_allclose(loss, torch_loss.numpy(), rtol=1e-10, atol=1e-10)
    nll = evaluate(d.nll, d, data)
    offset = float(d.loss.offset)
    np.testing.assert_allclose(nll, float(d.loss.scale) * loss + offset, rtol=1e-10)
    want = -torch.distributions.Normal(_torch(data["mu"]), _torch(data["sigma"])).log_prob(
        _torch(data["y"])
    )
    np.testing.assert_allclose(nll, want.numpy(), rtol=1e-10, atol=1e-10)
    assert d.loss.loss.call(d.model) == "torch.nn.GaussianNLLLoss()(mu, y, sigma**2)"
    assert analyse(d).verdict.verdict == "not convex"
    assert all(check.ok for check in check_derivation(d))


def test_normalisation_is_reported() -> None:
    normalised = custom_family(GAUSSIAN, predict="mu", fixed="sigma")
    assert any(c.startswith("the density is normalised") for c in normalised.checks)
    scaled = custom_family(r"e^{-(y-\mu)^2}", predict="mu")
    assert any("not normalised: it integrates to sqrt(pi)" in c for c in scaled.checks)


def test_normalisation_is_proved_refuted_with_a_point_or_not_checked() -> None:
    """Three answers: a law needs the first, refuses the second and reports the third."""
    tau = sp.Symbol("tau", real=True)
    variables = (
        Var("y", Role.TARGET, Domain.REAL),
        Var("mu", Role.FIXED, Domain.REAL),
        Var("tau", Role.FIXED, Domain.REAL),
    )
    symbols = {"y": y, "mu": mu, "tau": tau}
    kernel = sp.exp(-((y - mu) ** 2))
    assert check_normalised(kernel / sp.sqrt(sp.pi), symbols, variables)[0] is True
    refuted, words = check_normalised(kernel, symbols, variables)
    assert refuted is False and words.endswith("integrates to sqrt(pi) over the support")
    # τ = 0 is a point of the real line where the density is undefined: no evidence
    unknown, words = check_normalised(sp.exp(-((y - mu) ** 2) / tau), symbols, variables)
    assert unknown is None and words.startswith("normalisation not checked")


def test_densities_that_are_not_densities_are_refused() -> None:
    with pytest.raises(DeriveError, match="negative at"):
        custom_family(r"y - \mu", predict="mu")
    with pytest.raises(DeriveError, match="does not depend on the predicted parameter mu"):
        custom_family(r"e^{-y^2}", predict="mu")
    with pytest.raises(DeriveError, match="does not depend on the target y"):
        custom_family(r"e^{-\mu^2}", predict="mu")
    with pytest.raises(DeriveError, match="uses sigma, which is not"):
        custom_family(GAUSSIAN, predict="mu")
    with pytest.raises(DeriveError, match="declared twice"):
        custom_family(GAUSSIAN, predict="mu", fixed="sigma,mu")
    with pytest.raises(DeriveError, match="not a symbol name"):
        custom_family(GAUSSIAN, predict="__import__('os')")


def test_log_link_and_positive_support() -> None:
    """Exponential waiting times with rate e^z: the loss e^z·y − z, convex in z."""
    d = derive(
        custom_family(r"\lambda e^{-\lambda y}", predict="lambda", support="positive"),
        link="log",
    )
    z, t = sp.Symbol("z", real=True), sp.Symbol("y", positive=True)
    assert proved_zero(d.derived - (t * sp.exp(z) - z))
    assert analyse(d).verdict.verdict == "convex"
    assert all(check.ok for check in check_derivation(d))


def test_command_line_custom_formats_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["custom", "--density", GAUSSIAN, "--target", "y", "--predict", "mu", "--fixed", "sigma"]
    for fmt, needle in (("latex", r"\begin{align*}"), ("markdown", "$$"), ("text", "MSELoss")):
        code, out, err = _run([*base, "--format", fmt], capsys)
        assert code == 0 and needle in out, err
    code, out, err = _run([*base, "--link", "softmax"], capsys)
    assert code == 2 and "unknown link" in err and out == ""
    code, out, err = _run(["custom", "--target", "y", "--predict", "mu"], capsys)
    assert code == 2 and "--density" in err
    code, out, err = _run([*base, "--classes", "3"], capsys)
    assert code == 2 and "does not apply to a custom density" in err
    code, out, err = _run(["gaussian", "--density", "x"], capsys)
    assert code == 2 and "only applies to 'derive custom'" in err


def test_the_worker_is_stopped_at_the_time_limit(capsys: pytest.CaptureFixture[str]) -> None:
    """Work on user text runs in a worker that is killed at the limit: one line, exit 2."""
    import time

    start = time.monotonic()
    argv = ["custom", "--density", STUDENT, "--target", "y", "--predict", "mu", "--fixed", "nu"]
    code, out, err = _run([*argv, "--timeout", "0.01"], capsys)
    assert time.monotonic() - start < 5
    assert code == 2 and out == "" and err == "derive: error: gave up after 0.01 s\n"


def test_poisson_with_log_link_is_poisson_nll_loss_in_torch() -> None:
    """λ = e^z: the loss e^z − y·z is PoissonNLLLoss(log_input=True); log Γ(y + 1) is dropped."""
    poisson = r"\frac{\lambda^{y} e^{-\lambda}}{\Gamma\left(y+1\right)}"
    family = custom_family(poisson, predict="lambda", support="count")
    assert any(c.startswith("the density is normalised") for c in family.checks)
    d = derive(family, link="log")
    assert d.loss is not None and d.loss.loss.name == "PoissonNLLLoss" and d.loss.scale == 1
    rng = np.random.default_rng(2)
    data = {"y": rng.poisson(3.0, size=N).astype(float), "z": rng.normal(size=N)}
    loss = evaluate(d.loss.formula, d, data)
    want = torch.nn.PoissonNLLLoss(reduction="none")(_torch(data["z"]), _torch(data["y"]))
    np.testing.assert_allclose(loss, want.numpy(), rtol=1e-10, atol=1e-10)
    nll = evaluate(d.nll, d, data)
    rate = torch.distributions.Poisson(torch.exp(_torch(data["z"])))
    np.testing.assert_allclose(nll, -rate.log_prob(_torch(data["y"])).numpy(), rtol=1e-9)
    assert all(check.ok for check in check_derivation(d))
    assert analyse(d).verdict.verdict == "convex"


def test_beta_on_the_unit_interval_is_derived() -> None:
    """1 − y > 0 on the open unit interval is a support fact the log rules use."""
    beta = r"\frac{\Gamma(a+b)}{\Gamma(a)\Gamma(b)} y^{a-1} (1-y)^{b-1}"
    family = custom_family(beta, predict="a", fixed="b", support="unit", domains={"a": "positive"})
    d = derive(family)
    a, t = sp.Symbol("a", positive=True), sp.Symbol("y", positive=True)
    b = sp.Symbol("b", positive=True)
    expected = sp.log(sp.gamma(a)) - sp.log(sp.gamma(a + b)) - (a - 1) * sp.log(t)
    assert proved_zero(d.derived - expected)
    assert all(check.ok for check in check_derivation(d))


def test_points_cover_the_domains_and_the_error_says_which() -> None:
    """λ real by default: the density λe^{−λy} is negative somewhere, and the message
    names the declared domains and how to change them."""
    with pytest.raises(DeriveError, match=r"lambda = -.*lambda real; change them with"):
        custom_family(r"\lambda e^{-\lambda y}", predict="lambda")
    bumpy = r"\frac{1}{\sqrt{\pi}} e^{-(y-\mu)^2}\left(1+\frac{\mu(y-\mu)}{1+\mu^2}\right)"
    with pytest.raises(DeriveError, match="negative at"):
        custom_family(bumpy, predict="mu")


def test_normalisation_checks_are_bounded_and_singularities_are_no_evidence() -> None:
    import time

    start = time.monotonic()
    gumbel = custom_family(r"\exp\left(-(y-\mu)-e^{-(y-\mu)}\right)", predict="mu")
    assert time.monotonic() - start < 10
    assert gumbel.checks[1].startswith(("normalisation not checked", "the density is normalised"))
    power = custom_family(r"a y^{a-1}", predict="a", support="unit", domains={"a": "positive"})
    assert power.checks[1] == "the density is normalised: it integrates to 1 over the support"
    poisson = custom_family(
        r"\frac{\lambda^{y} e^{-\lambda}}{\Gamma(y+1)}", predict="lambda", support="count"
    )
    assert poisson.checks[1] == "the density is normalised: it sums to 1 over the support"


def test_a_predicted_variance_is_gaussian_nll_loss_with_var() -> None:
    """The catalogue's GaussianNLLLoss takes the variance itself as well as a scale."""
    variance = r"\frac{1}{\sqrt{2\pi v}} e^{-\frac{(y-\mu)^2}{2v}}"
    family = custom_family(variance, target="y", predict=["mu", "v"], domains={"v": "positive"})
    assert family.normalised
    d = derive(family)
    assert d.loss is not None and d.loss.loss.key == "GaussianNLLLoss:var"
    assert d.loss.loss.call(d.model) == "torch.nn.GaussianNLLLoss()(mu, y, v)"
    rng = np.random.default_rng(4)
    data = {"y": rng.normal(size=N), "mu": rng.normal(size=N), "v": rng.uniform(0.3, 2, N)}
    loss = evaluate(d.loss.formula, d, data)
    want = torch.nn.GaussianNLLLoss(reduction="none")(
        _torch(data["mu"]), _torch(data["y"]), _torch(data["v"])
    )
    np.testing.assert_allclose(loss, want.numpy(), rtol=1e-10, atol=1e-10)
    # and the scale form of the learned-scale spec still matches with var = σ²
    scale = derive(custom_family(GAUSSIAN, predict=["mu", "sigma"], domains={"sigma": "positive"}))
    assert scale.loss is not None and scale.loss.loss.key == ""
    assert scale.loss.loss.call(scale.model).endswith("(mu, y, sigma**2)")


def test_a_poisson_rate_with_the_identity_link_is_poisson_nll_loss_without_log_input() -> None:
    poisson = r"\frac{\lambda^{y} e^{-\lambda}}{\Gamma\left(y+1\right)}"
    d = derive(custom_family(poisson, predict="lambda", support="count"))
    assert d.loss is not None and d.loss.loss.key == "PoissonNLLLoss:rate"
    assert d.loss.loss.call(d.model) == "torch.nn.PoissonNLLLoss(log_input=False)(lambda_, y)"
    assert all(check.ok for check in check_derivation(d))
