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
    assert "\n    ℓ = log(" in text and "∂ℓ/∂μ" in text


def test_the_exponential_family_section_says_whether_the_link_is_canonical() -> None:
    def text(name: str, **options: str) -> str:
        d = derive(name, **options)
        return render_text(d, analyse(d))

    poisson = text("poisson")
    assert "\nExponential family\n  The density is an exponential family, " in poisson
    assert "log p(y) = η·T(y) − A(η) + log(h(y))" in poisson
    assert "    T(y)      = y\n    η         = z\n    A(η)      = exp(η)\n" in poisson
    assert "The log link is canonical: η = z is an affine map of z" in poisson
    assert "A''(η) = Var(T) ≥ 0; here A''(η) = exp(η)." in poisson
    gamma = text("gamma")
    assert "The log link is not canonical" in gamma
    assert "the canonical link is η = −1/μ up to an affine map." in gamma
    bernoulli = text("bernoulli")
    assert "the canonical link is η = log(p/(1 − p)) up to an affine map, the logit link." in (
        bernoulli
    )
    learned = text("gaussian", learn_variance="true")
    assert "    T(y)      = (y, y²)\n    η₁        = f/v\n    η₂        = −1/(2·v)\n" in learned
    assert "convex in the natural parameters (η₁, η₂)" in learned
    assert "ℓ is not convex in f, v. Counterexample:" in learned
    assert "Exponential family" not in text("laplace")


def test_verdicts_are_worded_by_the_type_of_their_evidence() -> None:
    """The text output prints a verdict with the proof printer's own wording."""
    import sympy as sp

    from derive.convexity import ConstantHessian, HessianWitness, MidpointWitness, Verdict
    from derive.convexity import convexity as decide
    from derive.render.text import TextPrinter

    x, y = sp.symbols("x y", real=True)
    v = sp.Symbol("v", positive=True)
    printer = TextPrinter()
    composed = printer.doprint(decide(sp.Abs(x) + sp.exp(x), [x]))
    assert composed.startswith("  ℓ is convex in x. Certificate (composition of atoms): |·|")
    quadratic = decide(3 * x**2 + 2 * x * y + y**2, [x, y])
    assert isinstance(quadratic.certificate, ConstantHessian)
    assert "[[6, 2], [2, 2]] = [[1, 0], [1/3, 1]]·[[6, 0], [0, 4/3]]·" in printer.doprint(quadratic)
    jump = decide(sp.Piecewise((x, x < 0), (x + 1, True)), [x])
    assert isinstance(jump.witness, MidpointWitness)
    text = printer.doprint(jump)
    assert "two exact points, a: x = −1/10 and b: x = 1/10" in text
    assert "ℓ((a + b)/2) − (ℓ(a) + ℓ(b))/2 is 1/2, which is positive" in text  # exact: no ≈
    bump = decide(sp.log(v) / 2 + (y - x) ** 2 / (2 * v), [x, v])
    assert isinstance(bump.witness, HessianWitness)
    assert "Direction u = (0, 1)." in printer.doprint(bump)  # v is a variable: u
    unknown = printer.doprint(Verdict("unknown", (x,), "no certificate"))
    assert unknown == "  The convexity of ℓ in x is unknown: no proof either way, no certificate."


def test_one_index_notation_and_a_natural_order() -> None:
    """A class entry is in brackets (z[a] beside z[b], never zₐ beside z[b]); the sample
    index is a subscript; classes ascend; |y − f|; (Σⱼ exp(z[j]))² is squared outside."""
    d = derive("categorical", link="softmax")
    text = render_text(d, analyse(d))
    assert "∂²ℓ/∂z[a]∂z[b] = exp(z[a])·[a = b]/Σⱼ₌₁ᴷ exp(z[j]) − " in text
    assert "exp(z[a])·exp(z[b])/(Σⱼ₌₁ᴷ exp(z[j]))²" in text
    assert "L(θ) = ∏ᵢ₌₁ⁿ∏ₖ₌₁ᴷ (exp(zᵢ[k])/Σⱼ₌₁ᴷ exp(zᵢ[j]))^(tᵢ[k])" in text
    assert "zᵢ[yᵢ]" in text and "Σ[" not in text and "zₐ" not in text
    three = derive("categorical", link="softmax", classes=3)
    text = render_text(three, analyse(three, "mse"))
    assert "exp(zᵢ[1]) + exp(zᵢ[2]) + exp(zᵢ[3])" in text and "z₁" not in text
    assert "y ∈ {1, 2, 3}" in text and "prediction z[1], z[2], z[3]" in text
    laplace = render_text(derive("laplace"))
    assert "|yᵢ − fᵢ|" in laplace and "/(2·b)" in laplace and "((2·b))" not in laplace
    gaussian = derive("gaussian")
    assert "∂ℓ/∂f = 2·f − 2·y" in render_text(gaussian, analyse(gaussian))


def test_the_header_states_the_link_and_the_text_defines_its_symbols() -> None:
    text = render_text(derive("bernoulli", link="logit"))
    assert "link: the model predicts a logit z, and p = σ(z)" in text
    assert "notation: σ(u) = 1/(1 + exp(−u)), the logistic sigmoid" in text
    assert "notation: softplus(u) = log(1 + exp(u))" in text
    assert "relations: ⇔ the same minimiser" in text and "∝ equal up to a positive factor" in text
    assert "notation:" not in render_text(derive("gaussian"))
    laplace = render_text(derive("laplace"))
    assert "≐ equal up to an additive term free of θ" in laplace


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
    assert "∂²ℓ/∂f² < 0, exactly where |y − f| > √(3)·s; elsewhere it is non-negative." in text
    huber = render_text(derive("huber", delta="1"))
    assert "torch: torch.nn.HuberLoss(delta=1.0)(f, y)" in huber
    assert "note: quadratic where" in huber and "SmoothL1Loss(beta=delta)" in huber
    pinball = render_text(derive("quantile", quantile="0.9"))
    assert (
        "torch (written out): torch.maximum(0.9 * (y - f), (0.9 - 1) * (y - f)).mean()" in pinball
    )
    assert "    .sum(): −log L(θ) = (1/b)·loss" in pinball
    assert "    .mean() (the default): −log L(θ) = (n/b)·loss" in pinball


def test_a_negative_offset_with_several_terms_is_bracketed() -> None:
    """nll = ℓ/b + log b − log(1 − τ) − log τ: the offset's terms keep their signs (a sum
    opens with its positive term), not ℓ/b − log(1 − τ) + log τ − log b."""
    text = render_text(derive("asymmetric-laplace"))
    assert "nll = (1/b)·ℓ + log(b) − log(1 − τ) − log(τ)" in text


def test_no_text_output_mixes_index_notations() -> None:
    """docs/notation.md: in text, a class entry is in brackets (z[a], q[k], zᵢ[yᵢ]) and the
    subscript is the sample index's; no output falls back to zₐ, z_a or Σ[b=1..K]."""
    import re

    from derive.information import information
    from derive.render.information import render_information
    from tests.conftest import CASES, LOCATION_CASES

    subscript_entry = re.compile(r"[A-Za-zα-ω][ₐₑₕⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ]")  # zₐ, pₖ (not yᵢ, not μ₁)
    underscore_entry = re.compile(r"(?<![\w∇𝔼])[A-Za-zα-ω]_[a-z](?![\w{])")  # z_a, q_k
    outputs = []
    for name, options in [*CASES, *LOCATION_CASES]:
        d = derive(name, **options)
        compare = "mse" if options.get("link") in ("logit", "softmax") else None
        outputs.append((name, render_text(d, analyse(d, compare))))
    for kind, laws, classes in (
        ("kl", ("categorical", "categorical"), None),
        ("kl", ("categorical", "categorical"), 3),
        ("entropy", ("categorical",), None),
        ("cross-entropy", ("categorical", "categorical"), 4),
        ("kl", ("normal", "normal"), None),
    ):
        doc = information(kind, *laws, classes=classes)
        outputs.append((f"{kind} {laws}", render_information(doc)))
    for name, text in outputs:
        assert not subscript_entry.search(text), (name, subscript_entry.search(text))
        assert not underscore_entry.search(text), (name, underscore_entry.search(text))
        assert "Σ[" not in text and "∏[" not in text, name
        ascii_minus = re.search(r"(^|[\s(=,≈])-[\d(]", text, re.MULTILINE)
        assert ascii_minus is None, (name, ascii_minus)  # a minus sign is "−", not "-"
