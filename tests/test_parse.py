r"""derive.parse: user LaTeX → a SymPy density, with every parser trap handled or refused."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import sympy as sp

import derive.parse as parse_module
from derive.errors import DeriveError
from derive.parse import MAX_DEPTH, MAX_LENGTH, parse_density, symbol_names

y, mu, sigma, b, p, x, nu, gamma = sp.symbols("y mu sigma b p x nu gamma")

GAUSSIAN = r"\frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(y-\mu)^2}{2\sigma^2}}"
LAPLACE = r"\frac{1}{2b} e^{-\frac{|y-\mu|}{b}}"
BERNOULLI = r"p^{y}(1-p)^{1-y}"
CAUCHY = r"\frac{1}{\pi\gamma\left(1+\left(\frac{y-\mu}{\gamma}\right)^2\right)}"
STUDENT_T = (
    r"\frac{\Gamma\left(\frac{\nu+1}{2}\right)}{\sqrt{\nu\pi}\,\Gamma\left(\frac{\nu}{2}\right)}"
    r"\left(1+\frac{(y-\mu)^2}{\nu}\right)^{-\frac{\nu+1}{2}}"
)


def _with_assumptions(expr: sp.Expr, **facts: dict[str, bool]) -> sp.Expr:
    """What the caller does: re-create symbols with assumptions, by name."""
    return expr.xreplace({s: sp.Symbol(s.name, **facts[s.name]) for s in expr.free_symbols})


def _numerically_equal(a: sp.Expr, c: sp.Expr, points: list[dict[sp.Symbol, float]]) -> bool:
    return all(abs(complex(sp.N((a - c).subs(point), 30))) < 1e-20 for point in points)


def test_public_api() -> None:
    assert sorted(parse_module.__all__) == parse_module.__all__
    for name in parse_module.__all__:
        assert getattr(parse_module, name) is not None


def test_importing_does_not_import_the_parser() -> None:
    code = "import sys, derive.parse; print('latex2sympy2_extended' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- densities


def test_gaussian() -> None:
    got = parse_density(GAUSSIAN)
    want = 1 / sp.sqrt(2 * sp.pi * sigma**2) * sp.exp(-((y - mu) ** 2) / (2 * sigma**2))
    assert sp.simplify(got - want) == 0
    points = [{y: 0.3, mu: -1.2, sigma: 0.7}, {y: 2.0, mu: 2.5, sigma: 3.0}]
    assert _numerically_equal(got, want, points)
    assert symbol_names(got) == ["mu", "sigma", "y"]


def test_laplace() -> None:
    got = parse_density(LAPLACE)
    want = sp.exp(-sp.Abs(y - mu) / b) / (2 * b)
    assert sp.simplify(got - want) == 0
    assert symbol_names(got) == ["b", "mu", "y"]


def test_bernoulli() -> None:
    got = parse_density(BERNOULLI)
    assert got == p**y * (1 - p) ** (1 - y)


def test_cauchy_has_a_symbol_gamma_not_eulers_constant() -> None:
    got = parse_density(CAUCHY)
    assert not got.has(sp.EulerGamma)
    assert symbol_names(got) == ["gamma", "mu", "y"]
    assert got.subs({mu: 0, gamma: 1, y: 0}) == 1 / sp.pi
    real = {"y": {"real": True}, "mu": {"real": True}, "gamma": {"positive": True}}
    density = _with_assumptions(got, **real)
    ys = next(s for s in density.free_symbols if s.name == "y")
    assert sp.simplify(sp.integrate(density, (ys, -sp.oo, sp.oo))) == 1


def test_student_t() -> None:
    got = parse_density(STUDENT_T)
    want = (
        sp.gamma((nu + 1) / 2)
        / (sp.sqrt(nu * sp.pi) * sp.gamma(nu / 2))
        * (1 + (y - mu) ** 2 / nu) ** (-(nu + 1) / 2)
    )
    points = [{y: 0.4, mu: 0.1, nu: 3.0}, {y: -2.0, mu: 1.0, nu: 7.5}]
    assert _numerically_equal(got, want, points)
    assert got.has(sp.gamma) and not got.has(sp.EulerGamma)
    assert symbol_names(got) == ["mu", "nu", "y"]
    # with nu = 1 it is the standard Cauchy density
    assert sp.simplify(got.subs({nu: 1, mu: 0}) - 1 / (sp.pi * (1 + y**2))) == 0


def test_poisson_with_gamma_of_y_plus_one() -> None:
    lam = sp.Symbol("lambda")
    got = parse_density(r"\frac{\lambda^{y} e^{-\lambda}}{\Gamma\left(y+1\right)}")
    assert got == lam**y * sp.exp(-lam) / sp.gamma(y + 1)


def test_symbols_carry_no_assumptions() -> None:
    for text in (GAUSSIAN, LAPLACE, BERNOULLI, CAUCHY, STUDENT_T):
        for s in parse_density(text).free_symbols:
            assert s == sp.Symbol(s.name)


# --------------------------------------------------------------------------- conventions


def test_log_is_natural() -> None:
    assert parse_density(r"\log x") == sp.log(x)
    assert parse_density(r"\log\left(x\right)") == sp.log(x)
    assert parse_density(r"\log^2 x") == sp.log(x) ** 2
    assert parse_density(r"\ln x") == sp.log(x)


def test_log_with_a_base_is_a_quotient() -> None:
    got = parse_density(r"\log_2 x")
    assert got == sp.log(x) / sp.log(2)
    assert sp.diff(got, x) == 1 / (x * sp.log(2))  # log(x, 2).diff drops the base
    assert parse_density(r"\log_{b} x") == sp.log(x) / sp.log(b)
    assert parse_density(r"\log_{10} x") == sp.log(x) / sp.log(10)
    assert not any(len(node.args) == 2 for node in parse_density(r"\log_{b} x").atoms(sp.log))


def test_upper_and_lower_case_differ() -> None:
    got = parse_density("X x")
    assert symbol_names(got) == ["X", "x"]
    assert parse_density(r"\Sigma \sigma") == sp.Symbol("Sigma") * sigma


def test_greek_and_subscripts() -> None:
    assert parse_density(r"\sigma_0 x_1 x_{12}") == sp.Symbol("sigma_0") * sp.Symbol(
        "x_1"
    ) * sp.Symbol("x_12")
    assert symbol_names(parse_density(r"\lambda \theta \alpha \beta \tau \kappa")) == sorted(
        ["lambda", "theta", "alpha", "beta", "tau", "kappa"]
    )
    assert symbol_names(parse_density(r"\epsilon \varepsilon")) == ["epsilon", "varepsilon"]
    assert symbol_names(parse_density(r"\gamma_0 y")) == ["gamma_0", "y"]


def test_e_is_eulers_number_and_pi_is_pi() -> None:
    assert parse_density("e^{x}") == sp.exp(x)
    assert parse_density(r"\exp\left(-x\right)") == sp.exp(-x)
    assert parse_density(r"\mathrm{e}^{x}") == sp.exp(x)
    assert parse_density("x e") == sp.E * x
    assert parse_density(r"\pi x") == sp.pi * x


def test_decimals_are_exact_rationals() -> None:
    assert parse_density("0.1 x") == sp.Rational(1, 10) * x
    assert parse_density("0.5 x") == x / 2
    assert parse_density("x^{0.5}") == sp.sqrt(x)
    assert parse_density("1.25 x") == sp.Rational(5, 4) * x
    assert parse_density("0.000001 x") == sp.Rational(1, 10**6) * x
    assert parse_density(r"\frac{0.1}{0.3} x") == x / 3
    assert not parse_density("0.1 x + 0.2").atoms(sp.Float)


def test_fractions_are_canonical() -> None:
    got = parse_density(r"\frac{1}{x}")
    assert got == 1 / x
    assert got.func is sp.Pow  # not the parser's Mul(1, 1/x)
    assert parse_density(r"\frac{1}{2} x") == x / 2


def test_juxtaposed_numbers_multiply() -> None:
    """The parser adds an integer juxtaposed with a positive rational (a 'mixed number')."""
    assert parse_density("(3)(5) x") == 15 * x
    assert parse_density("(3)(5)(7) x") == 105 * x
    assert parse_density(r"\left(3\right)\left(0.20\right) x") == sp.Rational(3, 5) * x
    assert parse_density(r"(3)\frac{1}{5} x") == sp.Rational(3, 5) * x
    assert parse_density(r"\frac{4}{2}\frac{1}{2} x") == x
    assert parse_density("2 (0.5) x") == x


def test_exponential_of_a_log_keeps_the_base() -> None:
    """The parser builds e^{...} evaluated, and SymPy reads exp(log(x, 2)) as x."""
    assert parse_density(r"e^{\log_2 x}") == x ** (1 / sp.log(2))
    assert parse_density(r"e^{2\log_{b} x}") == sp.exp(2 * sp.log(x) / sp.log(b))
    assert parse_density(r"e^{\ln x}") == x
    assert parse_density("e^x y") == sp.exp(x) * y
    assert parse_density(r"e^\mu") == sp.exp(mu)
    assert parse_density("e^2 x") == sp.exp(2) * x


def test_spacing_sizing_and_dollars_are_ignored() -> None:
    assert parse_density(r"x\,y\;z\!w\quad v") == sp.Mul(*sp.symbols("x y z w v"))
    assert parse_density(r"\big(x + 1\big)^{2}") == (x + 1) ** 2
    assert parse_density(r"$\frac{1}{2} x$") == x / 2
    assert parse_density("x\ny") == x * sp.Symbol("y")
    assert parse_density("x\r\ny") == x * sp.Symbol("y")


def test_absolute_values() -> None:
    want = sp.Abs(y - mu)
    assert parse_density(r"|y-\mu|") == want
    assert parse_density(r"\left|y-\mu\right|") == want
    assert parse_density(r"\lvert y-\mu \rvert") == want


def test_a_letter_before_a_compound_parenthesis_is_a_product() -> None:
    assert parse_density(r"\mu\left(1+x\right)") == mu * (1 + x)
    assert parse_density(r"\gamma(1+x)") == gamma * (1 + x)


# --------------------------------------------------------------------------- sums


def test_sum_maps_subscripts_to_indexed() -> None:
    got = parse_density(r"\sum_{i=1}^{n} (y_i-\mu)^2")
    i, n = sp.symbols("i n")
    assert got == sp.Sum((sp.IndexedBase("y")[i] - mu) ** 2, (i, 1, n))
    assert symbol_names(got) == ["mu", "n", "y"]
    assert parse_density(r"\sum_{i=1}^n (y_i-\mu)^2") == got
    assert parse_density(r"\sum\limits_{i=1}^{n} (y_i-\mu)^2") == got


def test_product_over_classes() -> None:
    got = parse_density(r"\prod_{k=1}^{K} q_k^{y_k}")
    k, big_k = sp.symbols("k K")
    q_, y_ = sp.IndexedBase("q"), sp.IndexedBase("y")
    assert got == sp.Product(q_[k] ** y_[k], (k, 1, big_k))
    assert symbol_names(got) == ["K", "q", "y"]


def test_subscripts_not_bound_by_a_sum_stay_symbols() -> None:
    got = parse_density(r"\sum_{i=1}^{n} \sigma_0 y_i")
    assert "sigma_0" in symbol_names(got)


def test_small_numeric_sums_are_kept_unevaluated() -> None:
    i = sp.Symbol("i")
    assert parse_density(r"\sum_{i=1}^{3} i x") == sp.Sum(i * x, (i, 1, 3))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (r"\sum_{i=1}^{n} y_i + y_i", "outside a sum"),
        (r"\sum_{i=1}^{n} (y_i - y)", "both as a symbol"),
        (r"\sum_{i=1}^{n} \sum_{j=1}^{m} x_{ij}", "one bound index"),
        (r"\sum_i y_i", "needs its limits"),
        (r"\sum_{i=1}^{1000} i x", "more than 100 terms"),
        (r"\sum_{i=1}^{\infty} x", r"unsupported command \infty"),
    ],
)
def test_sums_refused(text: str, reason: str) -> None:
    with pytest.raises(DeriveError, match=reason.replace("\\", "\\\\")):
        parse_density(text)


# --------------------------------------------------------------------------- refusals

REFUSED = [
    # what the parser silently misreads
    ("p(y)", r"p(y) reads as a function call; write p \cdot (y) or p y for a product"),
    (r"\mu(y)", r"\mu(y) reads as a function call"),
    (r"\Phi(x)", r"\Phi(x) reads as a function call"),
    (r"\gamma(x)", r"\gamma(x) reads as a function call"),
    (r"x^{y}(z)", "reads as a function call"),
    ("y'", "prime"),
    (r"y^\prime", "prime"),
    (r"\theta^T x", "not a transpose"),
    (r"\theta^{T} x", "not a transpose"),
    (r"\theta^\top x", "not a transpose"),
    (r"\theta^{\top} x", "transpose"),
    ("1.5e-3 x", r"1.5e-3 is not LaTeX: write scientific notation as 1.5 \times 10^{-3}"),
    ("2e3 x", "is not LaTeX"),
    ("2 3 x", "adjacent numbers are misread"),
    ("2 3", "adjacent numbers are misread"),
    (r"2\,3 x", "adjacent numbers are misread"),
    ("2 .5 x", "adjacent numbers are misread"),
    (r"(-8)^{\frac{1}{3}} x", "root of a negative number"),
    (r"2\frac12 x", "mixed number"),
    (r"2\frac{1}{2} x", "mixed number"),
    ("x^23", "ambiguous"),
    ("x^0.5", "ambiguous"),
    ("x_12", "ambiguous"),
    (r"\frac12", "needs braces"),
    (r"\frac x y", "needs braces"),
    (r"\sqrt x", "needs braces"),
    # Gamma / gamma
    (r"\Gamma", "Gamma function"),
    (r"\Gamma x", "Gamma function"),
    (r"\Gamma\left[x\right]", "Gamma function"),
    (r"\text{gamma} x", r"\text is only supported"),
    # commands
    (r"\input{/etc/passwd}", r"unsupported command \input"),
    (r"\write18{rm -rf /}", r"unsupported command \write"),
    (r"\def\x{1}", r"unsupported command \def"),
    (r"\catcode", r"unsupported command \catcode"),
    (r"\binom{10^8}{3}", r"unsupported command \binom"),
    (r"\det", r"unsupported command \det"),
    (r"\begin{matrix}1\end{matrix}", r"unsupported command \begin"),
    (r"\gcd(x, 2)", r"unsupported command \gcd"),
    (r"\int x", r"unsupported command \int"),
    (r"\sin x", r"unsupported command \sin"),
    (r"\hat{y}", r"unsupported command \hat"),
    (r"\mathbf{x}", r"unsupported command \mathbf"),
    (r"\mathrm{Var}(x)", r"\mathrm is only supported"),
    (r"\infty x", r"unsupported command \infty"),
    (r"\Upsilon x", r"unsupported command \Upsilon"),
    (r"\varpi x", r"unsupported command \varpi"),
    (r"\omicron x", r"unsupported command \omicron"),
    (r"\\ x", "unsupported command"),
    # equations, sets, lists
    ("x = y", "equations are not densities"),
    (r"x \le y", "equations and inequalities"),
    ("x < y", "inequalities"),
    ("x, y", "','"),
    (r"\{x\}", "sets"),
    ("{x}", "braces"),
    (r"\exp{x}", "braces"),
    # brackets
    ("(x", "not closed"),
    ("x)", "closes nothing"),
    ("(x]", "does not close"),
    (r"\left(x\right]", "does not close"),
    (r"\left.x\right|", r"\left. is not supported"),
    ("|x|y|", "unbalanced |"),
    # characters
    ("", "empty input"),
    ("   ", "empty input"),
    ("μ", "not ASCII"),
    ("x\x00", "control character U+0000"),
    ("x\x1b[2J", "control character U+001B"),
    ("e^{-y}\rforged line", "lone carriage return"),
    ("x $ y", "'$' is not supported"),
    ("x & y", "is not supported"),
    # values
    (r"\frac{1}{2}", "no symbol"),
    (r"\pi", "no symbol"),
    ("I x", "imaginary unit"),
    (r"\sqrt{-1} x", "imaginary unit"),
    (r"\frac{1}{0} x", "division by zero"),
    ("0^{-1} x", "division by zero"),
    (r"\log_{1} x", "division by zero"),
    ("x_{i+1}", "symbol name"),
    ("e_1", "cannot parse"),
    ("x^", "needs an argument"),
    ("x^{2}^{3}", "double superscript"),
    ("e^{x}^{2}", "double superscript"),
    ("x_1_2", "double subscript"),
    # sizes
    ("1234567 x", "more than 6 digits"),
    ("0.123456789 x", "more than 8 digits after the point"),
    (r"\Gamma(10^7)", "more than 2000 digits"),
    (r"\Gamma(99999)", "more than 2000 digits"),
    (r"\Gamma\left(x - x + 99999\right)", "more than 2000 digits"),
    ("(10^7)!", "factorial"),
    ("y!", "factorial"),
    (r"10^{10^{10}} x", "exponent"),
    (r"x^{10^{10}}", "exponent"),
    ("x^{1001}", "exponent larger than 1000"),
    ("x^{10^{400}}", "exponent larger than 1000"),
    (r"\Gamma(10^{400}) x", "more than 2000 digits"),
    (r"e^{10^{400}} x", "more than 2000 digits"),
    ("x^{x - x + 5000}", "exponent larger than 1000"),
    ("999^{999} x", "more than 2000 digits"),
    (r"e^{999999} x", "more than 2000 digits"),
    (r"e^{\pi \cdot 99999} x", "may exceed"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED, ids=[t for t, _ in REFUSED])
def test_refused_quickly_with_one_line(text: str, reason: str) -> None:
    start = time.monotonic()
    with pytest.raises(DeriveError) as caught:
        parse_density(text)
    assert time.monotonic() - start < 5
    message = str(caught.value)
    assert message.startswith("density: ")
    assert "\n" not in message and "\r" not in message
    assert message.isascii() and message.isprintable()
    assert reason in message


def test_nothing_but_deriveerror_escapes() -> None:
    for text in ("x+" * 999 + "x", "x" * 1000, "(" * 5 + "x" * 300 + ")" * 5, "|" * 40):
        with pytest.raises(DeriveError):
            parse_density(text)


# --------------------------------------------------------------------------- bounds


def test_length_is_capped() -> None:
    start = time.monotonic()
    with pytest.raises(DeriveError, match=f"longer than {MAX_LENGTH} characters"):
        parse_density("x+" * MAX_LENGTH)
    assert time.monotonic() - start < 1


@pytest.mark.parametrize(
    ("open_", "close"),
    [("(", ")"), ("[", "]"), (r"\left(", r"\right)"), (r"\frac{1}{", "}"), ("e^{", "}")],
)
def test_nesting_is_capped_before_parsing(open_: str, close: str) -> None:
    start = time.monotonic()
    too_deep = f"nesting deeper than {MAX_DEPTH}|weighted by depth"
    with pytest.raises(DeriveError, match=too_deep):
        parse_density(open_ * (MAX_DEPTH + 1) + "x" + close * (MAX_DEPTH + 1))
    with pytest.raises(DeriveError, match=too_deep):
        parse_density(open_ * 100 + "x" + close * 100)
    assert time.monotonic() - start < 1


def test_deep_parentheses_are_refused_by_depth() -> None:
    with pytest.raises(DeriveError, match=f"nesting deeper than {MAX_DEPTH}"):
        parse_density("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(DeriveError, match=f"nesting deeper than {MAX_DEPTH}"):
        parse_density("(" * 900 + "x" + ")" * 900)


def test_allowed_depth_parses_in_reasonable_time() -> None:
    start = time.monotonic()
    assert parse_density("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH) == x
    assert time.monotonic() - start < 10


def test_text_deep_inside_brackets_is_bounded() -> None:
    start = time.monotonic()
    with pytest.raises(DeriveError, match="weighted by depth"):
        parse_density("(" * 10 + "x" * 300 + ")" * 10)
    assert time.monotonic() - start < 1


def test_message_truncates_long_input() -> None:
    with pytest.raises(DeriveError) as caught:
        parse_density("e_1 " + "x" * 500)
    assert len(str(caught.value)) < 200


def test_wrong_type() -> None:
    with pytest.raises(DeriveError, match="must be text"):
        parse_density(b"x")  # type: ignore[arg-type]


def test_symbol_names_skips_bound_indices() -> None:
    i, n = sp.symbols("i n")
    expr = sp.Sum(sp.IndexedBase("y")[i] * x, (i, 1, n))
    assert symbol_names(expr) == ["n", "x", "y"]
    assert symbol_names(sp.Integer(3)) == []
