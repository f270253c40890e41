from __future__ import annotations

import pytest
import sympy as sp

from derive.compile import compile_model, per_sample, with_sample_index
from derive.errors import DeriveError
from derive.family import Domain, Family


def test_options_are_validated() -> None:
    with pytest.raises(DeriveError, match="2 to 64"):
        compile_model("categorical", options={"classes": "65"})
    with pytest.raises(DeriveError, match="cannot be used with --targets soft"):
        compile_model("categorical", options={"targets": "soft", "label_smoothing": "0.2"})
    with pytest.raises(DeriveError, match="one of"):
        compile_model("weibull")
    with pytest.raises(DeriveError, match="--classes only applies to categorical, not gaussian"):
        compile_model("gaussian", options={"classes": "3"})
    with pytest.raises(DeriveError, match="--targets must be one of onehot, soft"):
        compile_model("categorical", options={"targets": "hard"})
    assert compile_model("categorical", options={"label_smoothing": "1/10"}).options[-1] == (
        "label_smoothing",
        "1/10",
    )


def test_symbolic_and_concrete_classes() -> None:
    symbolic = compile_model("categorical", "softmax")
    assert isinstance(symbolic.density, sp.Product)
    concrete = compile_model("categorical", "softmax", {"classes": 3})
    assert [p.name for p in concrete.variables.prediction] == ["z_1", "z_2", "z_3"]


def test_per_sample_round_trip() -> None:
    model = compile_model("bernoulli", "logit")
    i = sp.Symbol("i", integer=True, positive=True)
    z = model.variables.prediction[0]
    assert with_sample_index(per_sample(z[i] ** 2), model) == z[i] ** 2


def test_everything_follows_from_the_domains() -> None:
    """Assumptions, reference point, facts, sampling and axis come from the declared domains."""
    bern = compile_model("bernoulli")
    (p,) = bern.variables.prediction
    (y,) = bern.variables.target
    assert p.label.is_positive and y.label.is_integer and y.label.is_nonnegative
    assert bern.reference == {"p": sp.Rational(1, 2)}
    assert set(bern.facts) == {
        1 - sp.Symbol("y", integer=True, nonnegative=True),
        1 - sp.Symbol("p", positive=True),
    }
    assert bern.domain_of("y") is Domain.BINARY and bern.domain_of("p") is Domain.UNIT
    assert bern.axis[0] == "probability" and bern.notes == ("y ∈ {0, 1}", "0 < p < 1")
    logit = compile_model("bernoulli", "logit")
    assert logit.domain_of("z") is Domain.REAL and logit.axis == ("logit", -8.0, 8.0)
    assert logit.reference == {"z": 0} and logit.notes == ("y ∈ {0, 1}",)
    gauss = compile_model("gaussian")
    assert gauss.fixed == ((sp.Symbol("sigma", positive=True), Domain.POSITIVE),)
    assert gauss.facts == () and gauss.predictor is Domain.REAL


def test_a_link_must_fit_the_parameter_domain() -> None:
    from dataclasses import replace

    from derive.family import LinkSpec, resolve

    bad = replace(resolve("bernoulli"), links=(LinkSpec("log"),))
    with pytest.raises(DeriveError, match="log link gives p in the positive domain"):
        compile_model(bad, "log")
    # σ(z) ∈ (0, 1) is a real number: a logit link fits a real parameter
    fits = replace(resolve("gaussian"), links=(LinkSpec("logit"),))
    assert compile_model(fits, "logit").variables.prediction[0].name == "z"


def test_label_smoothing_text_is_bounded_before_it_is_built() -> None:
    """1e-9999 used to break str/int conversions later, 1e-99999999 took a minute."""
    import time

    for text in ("1e-9999", "1e-99999999", "0.999999999999999999999"):
        start = time.perf_counter()
        with pytest.raises(DeriveError, match="with at most 12 digits"):
            compile_model("categorical", options={"label_smoothing": text})
        assert time.perf_counter() - start < 0.5
    assert compile_model("categorical", options={"label_smoothing": "1e-3"}).options[-1] == (
        "label_smoothing",
        "1/1000",
    )


def _scaled_family() -> Family:
    """A made-up family whose fixed scale an option sets (not registered)."""
    from derive.family import Domain, LinkSpec, Option, Role, Var

    def density(v: dict[str, sp.Expr]) -> sp.Expr:
        return sp.exp(-((v["y"] - v["f"]) ** 2) / v["s"]) / sp.sqrt(sp.pi * v["s"])

    return Family(
        name="scaled",
        aliases=(),
        summary="test",
        variables=(
            Var("y", Role.TARGET, Domain.REAL),
            Var("f", Role.PREDICTION, Domain.REAL),
            Var("s", Role.FIXED, Domain.POSITIVE),
        ),
        links=(LinkSpec("identity"),),
        density=density,
        options=(Option("scale", "--scale", "the scale", binds="s"),),
    )


def test_an_option_that_binds_a_fixed_variable_replaces_it_by_its_exact_value() -> None:
    family = _scaled_family()
    bound = compile_model(family, options={"scale": "3/2"})
    assert bound.fixed == ()
    assert dict(bound.options) == {"scale": "1.5"}
    free = compile_model(family)
    assert [s.name for s, _ in free.fixed] == ["s"]
    (s,) = (symbol for symbol, _ in free.fixed)
    assert sp.simplify(free.density.subs(s, sp.Rational(3, 2)) - bound.density) == 0
    assert free.options == ()


def test_a_bound_value_outside_its_domain_is_refused_with_the_flag() -> None:
    family = _scaled_family()
    with pytest.raises(DeriveError, match="--scale must be a number > 0"):
        compile_model(family, options={"scale": "-1"})
    with pytest.raises(DeriveError, match="--scale"):
        compile_model(family, options={"scale": "abc"})


def test_a_bound_value_above_the_option_s_largest_is_refused_with_the_flag() -> None:
    from dataclasses import replace

    family = _scaled_family()
    (option,) = family.options
    capped = replace(family, options=(replace(option, most="10"),))
    assert compile_model(capped, options={"scale": "10"}).fixed == ()
    with pytest.raises(DeriveError, match=r"--scale must be at most 10, got '21/2'"):
        compile_model(capped, options={"scale": "21/2"})


def test_a_count_bounded_by_the_trials() -> None:
    """y ≤ N: a support fact for the analysis, a positive fact for the log rules, a note,
    and the bound the step checker samples below."""
    symbolic = compile_model("binomial")
    (y,) = symbolic.variables.target
    big_n = sp.Symbol("N", integer=True, positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    count = sp.Symbol("y", integer=True, nonnegative=True)
    assert big_n - count in symbolic.facts
    assert big_n - y[i] + 1 in symbolic.context.positive
    assert symbolic.notes == ("y ∈ {0, 1, …, N}", "N ∈ {1, 2, 3, …}")
    assert symbolic.sampled[0].upper == big_n and symbolic.domain_of("N") is Domain.NATURAL
    assert symbolic.loss_target == y[i] / big_n
    bound = compile_model("binomial", "identity", {"trials": "1e1"})
    assert bound.notes == ("y ∈ {0, 1, …, 10}", "0 < p < 1") and bound.fixed == ()
    assert bound.sampled[0].upper == 10 and bound.options == (("trials", "10"),)


@pytest.mark.parametrize("text", ["0", "2.5", "-3", "1/2"])
def test_trials_must_be_a_whole_number_of_at_least_one(text: str) -> None:
    with pytest.raises(DeriveError, match=f"--trials must be a whole number >= 1, got '{text}'"):
        compile_model("binomial", options={"trials": text})
    with pytest.raises(DeriveError, match="--trials must be a whole number >= 1 with at most 12"):
        compile_model("binomial", options={"trials": "ten"})


def test_switches_compile_the_family_s_variant() -> None:
    learned = compile_model("gaussian", options={"learn_variance": "true"})
    assert [b.name for b in learned.variables.prediction] == ["f", "v"]
    assert learned.options == (("learn_variance", "true"),) and learned.notes == ("v > 0",)
    assert learned.losses == ("GaussianNLLLoss:var",)
    rate = compile_model("exponential", "identity", {"rate": "true"})
    assert [b.name for b in rate.variables.prediction] == ["lambda"]
    assert compile_model("exponential").variables.prediction[0].name == "z"
    assert compile_model("exponential", "identity").variables.prediction[0].name == "mu"


def test_a_bound_must_be_a_fixed_variable_of_a_discrete_target() -> None:
    from dataclasses import replace

    from derive.family import Role, Var, resolve

    binomial = resolve("binomial")
    wrong = replace(
        binomial,
        variables=(Var("y", Role.TARGET, Domain.COUNT, upper="p"), *binomial.variables[1:]),
    )
    with pytest.raises(DeriveError, match="bounded by p: that must be a fixed variable"):
        compile_model(wrong)


def test_a_switch_is_on_or_off() -> None:
    on = compile_model("gaussian", options={"learn_variance": True})
    assert on.options == (("learn_variance", "true"),) and len(on.variables.prediction) == 2
    for off in (False, "false"):
        model = compile_model("gaussian", options={"learn_variance": off})
        assert model.options == () and len(model.variables.prediction) == 1
    with pytest.raises(DeriveError, match="--learn-variance is a switch"):
        compile_model("gaussian", options={"learn_variance": "yes"})


def test_a_fixed_quantile_is_below_one_and_constants_keep_declaration_order() -> None:
    """τ ∈ (0, 1) fixed: 1 − τ > 0 is a fact the log rules and the analysis may use."""
    free = compile_model("asymmetric-laplace")
    tau = sp.Symbol("tau", positive=True)
    b = sp.Symbol("b", positive=True)
    assert 1 - tau in free.context.positive and 1 - tau in free.facts
    assert free.constants == (tau, b)
    bound = compile_model("asymmetric-laplace", options={"quantile": "0.9", "scale": "2"})
    assert bound.constants == (sp.Rational(9, 10), 2) and bound.fixed == ()
    assert compile_model("gaussian").constants == (sp.Symbol("sigma", positive=True),)
