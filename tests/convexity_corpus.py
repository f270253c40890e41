"""Functions whose convexity is known from mathematics, for refereeing convexity verdicts.

``NON_CONVEX`` and ``CONVEX`` are lists of ``(name, expr, wrt, facts, why)``:

- ``expr`` is a SymPy expression, ``wrt`` the variables it is a function of, the other
  free symbols are parameters; ``facts`` are expressions ≥ 0 on the domain.
- The domain is what the symbols' assumptions say (positive → (0, ∞), nonnegative →
  [0, ∞), integer nonnegative → {0, 1, 2, …}) intersected with every fact ≥ 0.
- "convex" means convex in ``wrt`` on that domain for *every* admissible value of the
  parameters; "not convex" means there is an admissible parameter value for which it is
  not (a non-real, undefined or −∞ value somewhere in the domain also counts as not
  convex: 1/x², −log x² and x**(1/3) on ℝ).
- ``why`` is the mathematical reason, in one line.

Every entry was checked numerically (``tests/convexity_check.py``, and the test
``test_corpus_entries_are_what_they_claim`` re-checks them on every run). Plain data:
no engine is imported here.
"""

from __future__ import annotations

import sympy as sp
from sympy import Abs, Heaviside, Max, Min, Piecewise, Rational, exp, log, sqrt

from derive.functions import sigmoid, softplus

__all__ = ["CONVEX", "NON_CONVEX", "Entry"]

Entry = tuple[str, sp.Expr, list[sp.Symbol], list[sp.Expr], str]

half = Rational(1, 2)

# variables
x, y, z, m, t = sp.symbols("x y z m t", real=True)
u, v = sp.symbols("u v", positive=True)
w = sp.Symbol("w", nonnegative=True)
z1, z2, z3, z4 = sp.symbols("z1:5", real=True)
w1, w2 = sp.symbols("w1 w2", real=True)

# parameters
a, b = sp.symbols("a b", real=True)  # real parameters (features, labels, shifts)
c = sp.Symbol("c", real=True)
cn = sp.Symbol("c", nonnegative=True)
cp = sp.Symbol("c", nonpositive=True)
k = sp.Symbol("k", positive=True)
d = sp.Symbol("d", positive=True)  # Huber δ
beta = sp.Symbol("beta", positive=True)
tau = sp.Symbol("tau", positive=True)  # with the fact 1 − τ ≥ 0
taur = sp.Symbol("tau", real=True)  # unconstrained
eps = sp.Symbol("epsilon", positive=True)
epsr = sp.Symbol("epsilon", real=True)
lam = sp.Symbol("lambda", nonnegative=True)
sigma = sp.Symbol("sigma", positive=True)
yb = sp.Symbol("y", integer=True, nonnegative=True)  # with 1 − y ≥ 0: y ∈ {0, 1}
yn = sp.Symbol("y", integer=True, nonnegative=True)  # a count
yp = sp.Symbol("y", positive=True)
ynp = sp.Symbol("y", nonpositive=True)
p = sp.Symbol("p", positive=True)  # a probability with the fact 1 − p ≥ 0
l = sp.Symbol("l", positive=True)  # noqa: E741 - minus the second natural parameter
e1 = sp.Symbol("eta1", real=True)


def lse(zs: tuple[sp.Symbol, ...]) -> sp.Expr:
    return log(sp.Add(*(exp(s) for s in zs)))


def softmax(zs: tuple[sp.Symbol, ...], i: int) -> sp.Expr:
    return exp(zs[i]) / sp.Add(*(exp(s) for s in zs))


def student_t(nu: int) -> sp.Expr:
    return Rational(nu + 1, 2) * log(1 + (y - m) ** 2 / nu)


def huber(delta: sp.Expr, r: sp.Expr = x) -> sp.Expr:
    return Piecewise((r**2 / 2, Abs(r) <= delta), (delta * (Abs(r) - delta / 2), True))


def smooth_l1(b_: sp.Expr, r: sp.Expr = x) -> sp.Expr:
    """torch.nn.SmoothL1Loss: ½r²/β when |r| < β, |r| − β/2 otherwise."""
    return Piecewise((r**2 / (2 * b_), Abs(r) < b_), (Abs(r) - b_ / 2, True))


# (name, expr, wrt, facts ≥ 0, why it is not convex)
NON_CONVEX: list[Entry] = [
    # -------------------------------------------------------- kinks, jumps, steps
    ("−|x| as a Piecewise", Piecewise((x, x < 0), (-x, True)), [x], [], "concave kink at 0"),
    ("−|x|", -Abs(x), [x], [], "concave"),
    ("min(x, 0)", Min(x, 0), [x], [], "concave kink at 0"),
    ("min(x, 1 − x)", Min(x, 1 - x), [x], [], "a tent: concave kink at ½"),
    ("min(x, y)", Min(x, y), [x, y], [], "concave (minimum of linear functions)"),
    (
        "truncated quadratic",
        Piecewise((x**2, x < 1), (1, True)),
        [x],
        [],
        "bounded for x > 1, quadratic below: f(0) = 0, f(2) = 1, f(1) = 1 > ½",
    ),
    ("min(x², 1)", Min(x**2, 1), [x], [], "the truncated quadratic as a Min"),
    ("0–1 loss (Piecewise)", Piecewise((1, x < 0), (0, True)), [x], [], "a downward step"),
    ("0–1 loss (Heaviside)", Heaviside(-x), [x], [], "a downward step"),
    ("0–1 loss, other form", Piecewise((0, x > 0), (1, True)), [x], [], "a downward step"),
    ("1 − H(x)", 1 - Heaviside(x), [x], [], "a downward step"),
    ("ramp loss", Min(1, Max(0, 1 - x)), [x], [], "bounded and non-constant"),
    ("truncated L1 min(|x|, 1)", Min(Abs(x), 1), [x], [], "bounded and non-constant"),
    ("capped hinge", Min(Max(0, 1 - x), 2), [x], [], "bounded and non-constant"),
    (
        "upward jump",
        Piecewise((x, x < 0), (x + 1, True)),
        [x],
        [],
        "jump at 0: f(0) = 1 > (f(−1) + f(1))/2 = ½",
    ),
    ("downward jump", Piecewise((x + 1, x < 0), (x, True)), [x], [], "jump at 0"),
    (
        "jump up between convex pieces",
        Piecewise((x**2, x < 1), (2 * x, True)),
        [x],
        [],
        "left limit 1, f(1) = 2: a jump inside the domain",
    ),
    (
        "jump down between convex pieces",
        Piecewise((x**2 + 1, x < 0), (x**2, True)),
        [x],
        [],
        "left limit 1, f(0) = 0",
    ),
    (
        "|x − 1/3| with a shifted right piece",
        Piecewise((-x, x < Rational(1, 3)), (x - half, True)),
        [x],
        [],
        "jump of 1/6 at 1/3",
    ),
    (
        "x² then x³ (concave left piece)",
        Piecewise((x**3, x < 0), (x**2, True)),
        [x],
        [],
        "x³ is concave on x < 0",
    ),
    ("x² then −x", Piecewise((x**2, x < 0), (-x, True)), [x], [], "slopes 0 then −1"),
    (
        "x then x² (slopes 2 then 1)",
        Piecewise((x, x > 1), (x**2, True)),
        [x],
        [],
        "continuous at 1, left slope 2 > right slope 1",
    ),
    ("ELU with α = 2", Piecewise((x, x > 0), (2 * (exp(x) - 1), True)), [x], [], "slopes 2 | 1"),
    (
        "leaky ReLU with slope 2 for x < 0",
        Piecewise((x, x > 0), (2 * x, True)),
        [x],
        [],
        "slopes 2 | 1",
    ),
    ("min(x, x/10)", Min(x, x / 10), [x], [], "concave kink"),
    (
        "reverse pinball",
        Piecewise(((taur - 1) * x, x >= 0), (taur * x, True)),
        [x],
        [],
        "slopes τ | τ − 1: a concave kink for every τ",
    ),
    ("min(τx, (τ−1)x)", Min(taur * x, (taur - 1) * x), [x], [], "concave for every τ"),
    ("min(x − c, 0)", Piecewise((x - c, x < c), (0, True)), [x], [], "concave kink at c"),
    ("floor", sp.floor(x), [x], [], "f(½) = 0, f(3/2) = 1, f(1) = 1 > ½"),
    ("ceiling", sp.ceiling(x), [x], [], "steps"),
    ("x|x|", x * Abs(x), [x], [], "−x² for x < 0"),
    ("sign(x)·x²", sp.sign(x) * x**2, [x], [], "−x² for x < 0"),
    ("H(x)·(−x²)", -Heaviside(x) * x**2, [x], [], "−x² for x > 0"),
    ("clip(x, −1, 1)", Max(-1, Min(x, 1)), [x], [], "bounded and non-constant"),
    ("hard sigmoid", Max(x, 0) - Max(x - 1, 0), [x], [], "bounded and non-constant"),
    ("|x² − 1|", Abs(x**2 - 1), [x], [], "f(±1) = 0 < f(0) = 1"),
    ("√|x|", sqrt(Abs(x)), [x], [], "concave on each side"),
    ("log(1 + |x|)", log(1 + Abs(x)), [x], [], "concave on each side"),
    ("√max(x, 0)", sqrt(Max(x, 0)), [x], [], "concave on x > 0"),
    ("x² − 2|x|", x**2 - 2 * Abs(x), [x], [], "concave kink at 0"),
    ("(|x| − 1)²", (Abs(x) - 1) ** 2, [x], [], "f(±1) = 0 < f(0) = 1"),
    ("exp(−|x|)", exp(-Abs(x)), [x], [], "a peak at 0"),
    ("|x| − |y|", Abs(x) - Abs(y), [x, y], [], "concave in y"),
    ("min(x², y²)", Min(x**2, y**2), [x, y], [], "0 at (0, 1) and (1, 0), ¼ at the midpoint"),
    ("max(−x², −(x−2)²)", Max(-(x**2), -((x - 2) ** 2)), [x], [], "a maximum of concave parts"),
    ("min(x², (x−2)²)", Min(x**2, (x - 2) ** 2), [x], [], "0 at 0 and 2, 1 at 1"),
    # ------------------------------------------------- singular or non-real on the domain
    ("1/x² on ℝ", 1 / x**2, [x], [], "undefined at 0: the domain ℝ∖{0} is not convex"),
    ("(x − ½)⁻⁴ on ℝ", (x - half) ** -4, [x], [], "undefined at ½"),
    ("−log(x²) on ℝ", -log(x**2), [x], [], "undefined at 0"),
    ("√(1 + x⁻²) on ℝ", sqrt(1 + x**-2), [x], [], "undefined at 0"),
    ("1/|x|", 1 / Abs(x), [x], [], "undefined at 0"),
    ("1/x on ℝ", 1 / x, [x], [], "undefined at 0, concave on x < 0"),
    ("x**(1/3) on ℝ", x ** Rational(1, 3), [x], [], "not real for x < 0, concave for x > 0"),
    ("x**(3/2) on ℝ", x ** Rational(3, 2), [x], [], "not real for x < 0"),
    ("√x on ℝ", sqrt(x), [x], [], "not real for x < 0"),
    ("log x on ℝ", log(x), [x], [], "not real for x ≤ 0"),
    ("x log x on ℝ", x * log(x), [x], [], "not real for x < 0"),
    ("x²/y with y real", x**2 / y, [x, y], [], "undefined at y = 0, concave for y < 0"),
    ("−log(1 − x²)", -log(1 - x**2), [x], [], "not real for |x| > 1"),
    (
        "Poisson NLL, square-root link",
        t**2 - yp * log(t**2),
        [t],
        [],
        "undefined at t = 0 (μ = t²)",
    ),
    (
        "logit on (0, 1]",
        log(p / (1 - p)),
        [p],
        [1 - p],
        "curvature −1/p² + 1/(1−p)² < 0 for p < ½; undefined at p = 1",
    ),
    (
        "cosine of (x, y) with the x axis",
        -x / sqrt(x**2 + y**2),
        [x, y],
        [],
        "undefined at 0, bounded",
    ),
    # ------------------------------------------------------------------ smooth
    ("x⁴ + x³", x**4 + x**3, [x], [], "f'' = 12x² + 6x < 0 on (−½, 0)"),
    ("x³", x**3, [x], [], "f'' = 6x < 0 for x < 0"),
    ("x⁵", x**5, [x], [], "f'' = 20x³ < 0 for x < 0"),
    ("x² − x⁴", x**2 - x**4, [x], [], "f'' = 2 − 12x² < 0 for |x| > 1/√6"),
    ("(x² − 1)² double well", (x**2 - 1) ** 2, [x], [], "f'' = 12x² − 4 < 0 near 0"),
    ("−x²", -(x**2), [x], [], "concave"),
    ("−eˣ", -exp(x), [x], [], "concave"),
    ("x eˣ", x * exp(x), [x], [], "f'' = (x + 2)eˣ < 0 for x < −2"),
    ("eˣ − x³", exp(x) - x**3, [x], [], "f''(1) = e − 6 < 0"),
    ("cosh x − x²", sp.cosh(x) - x**2, [x], [], "f''(0) = −1"),
    ("log cosh x − x²/2", log(sp.cosh(x)) - x**2 / 2, [x], [], "f'' = −tanh² x"),
    ("softplus(x) − x²/8", softplus(x) - x**2 / 8, [x], [], "f'' = σ(1−σ) − ¼ < 0 off 0"),
    ("sin x", sp.sin(x), [x], [], "periodic"),
    ("cos x", sp.cos(x), [x], [], "periodic"),
    ("sin x + x²/4", sp.sin(x) + x**2 / 4, [x], [], "f''(3/2) = ½ − sin(3/2) < 0"),
    ("tanh x", sp.tanh(x), [x], [], "bounded and non-constant"),
    ("tanh² x", sp.tanh(x) ** 2, [x], [], "bounded and non-constant"),
    ("arctan x", sp.atan(x), [x], [], "bounded and non-constant"),
    ("erf x", sp.erf(x), [x], [], "bounded and non-constant"),
    ("σ(x)", sigmoid(x), [x], [], "bounded and non-constant"),
    ("sigmoid loss σ(−x)", sigmoid(-x), [x], [], "bounded and non-constant"),
    ("Savage loss σ(−2x)²", sigmoid(-2 * x) ** 2, [x], [], "bounded and non-constant"),
    ("softsign x/(1 + |x|)", x / (1 + Abs(x)), [x], [], "bounded and non-constant"),
    ("x/(1 + x²)", x / (1 + x**2), [x], [], "bounded and non-constant"),
    ("1/(1 + x²)", 1 / (1 + x**2), [x], [], "bounded and non-constant"),
    ("Gaussian bump", exp(-((x - 1) ** 2) / 2), [x], [], "bounded and non-constant"),
    ("exp(−x² − y²)", exp(-(x**2) - y**2), [x, y], [], "bounded and non-constant"),
    ("softplus(−x²)", softplus(-(x**2)), [x], [], "bounded and non-constant"),
    ("swish x σ(x)", x * sigmoid(x), [x], [], "f''(−3) < 0"),
    ("−softplus(x)", -softplus(x), [x], [], "concave"),
    ("log σ(z)", log(sigmoid(z)), [z], [], "= −softplus(−z), concave"),
    ("log(1 − σ(z))", log(1 - sigmoid(z)), [z], [], "= −softplus(z), concave"),
    ("log-likelihood y z − softplus(z)", y * z - softplus(z), [z], [], "concave"),
    ("MSE∘σ, target ½", (sigmoid(z) - half) ** 2, [z], [], "bounded and non-constant"),
    (
        "MSE∘σ, y ∈ {0, 1}",
        (sigmoid(z) - yb) ** 2,
        [z],
        [1 - yb],
        "bounded and non-constant for either label",
    ),
    ("MSE∘tanh", (sp.tanh(z) - 1) ** 2, [z], [], "bounded and non-constant"),
    (
        "MSE∘softmax, K = 2",
        (softmax((z1, z2), 0) - 1) ** 2 + softmax((z1, z2), 1) ** 2,
        [z1, z2],
        [],
        "along z₁ − z₂ it is MSE∘σ",
    ),
    (
        "MSE∘exp with y real",
        (exp(z) - y) ** 2,
        [z],
        [],
        "f'' = 2eᶻ(2eᶻ − y) < 0 where eᶻ < y/2, for y > 0",
    ),
    ("x² − 3√(x² + 1)", x**2 - 3 * sqrt(x**2 + 1), [x], [], "f''(0) = 2 − 3 < 0"),
    ("x² − 4 log(1 + x²)", x**2 - 4 * log(1 + x**2), [x], [], "f''(0) = 2 − 8 < 0"),
    ("−x log x", -u * log(u), [u], [], "entropy: concave"),
    ("log x on x > 0", log(u), [u], [], "concave"),
    ("√x on x > 0", sqrt(u), [u], [], "concave"),
    ("log(1 + x) on x > 0", log(1 + u), [u], [], "concave"),
    ("√(xy) on x, y > 0", sqrt(u * v), [u, v], [], "geometric mean: concave"),
    # ------------------------------------------------------------- robust losses
    ("Cauchy NLL log(1 + r²)", log(1 + x**2), [x], [], "f'' < 0 for |r| > 1"),
    (
        "Cauchy NLL, scale 10",
        log(1 + ((y - m) / 10) ** 2),
        [m],
        [],
        "negative curvature only for |y − m| > 10",
    ),
    ("log(1 + (r/100)²)", log(1 + (x / 100) ** 2), [x], [], "negative curvature for |r| > 100"),
    ("Student-t NLL ν = 25", student_t(25), [m], [], "negative curvature for |y − m| > 5"),
    ("Student-t NLL ν = 30", student_t(30), [m], [], "negative curvature for |y − m| > √30"),
    ("Student-t NLL ν = 100", student_t(100), [m], [], "negative curvature for |y − m| > 10"),
    ("Welsch loss, c = 2", 2 * (1 - exp(-((x / 2) ** 2))), [x], [], "bounded and non-constant"),
    ("Geman–McClure x²/(x² + σ)", x**2 / (x**2 + sigma), [x], [], "bounded, for every σ > 0"),
    (
        "Tukey biweight, c = 1",
        Piecewise((Rational(1, 6) * (1 - (1 - x**2) ** 3), Abs(x) <= 1), (Rational(1, 6), True)),
        [x],
        [],
        "bounded and non-constant",
    ),
    ("min(softplus(−x), 2)", Min(softplus(-x), 2), [x], [], "bounded and non-constant"),
    # ------------------------------------------------------------- likelihoods
    (
        "Gaussian NLL in (mean, variance)",
        log(v) / 2 + (y - m) ** 2 / (2 * v),
        [m, v],
        [],
        "∂²/∂v² = −1/(2v²) + (y−m)²/v³ < 0 for v > 2(y − m)²",
    ),
    (
        "Gaussian NLL in σ",
        log(sigma) + (y - m) ** 2 / (2 * sigma**2),
        [sigma],
        [],
        "f'' = −1/σ² + 3r²/σ⁴ < 0 for σ² > 3r²",
    ),
    (
        "Gaussian NLL in (mean, log σ)",
        t + (y - m) ** 2 * exp(-2 * t) / 2,
        [m, t],
        [],
        "det ∇² = −2(y − m)² e^{−4t} < 0",
    ),
    (
        "Gaussian NLL in (mean, precision)",
        -log(k) / 2 + k * (y - m) ** 2 / 2,
        [m, k],
        [],
        "det ∇² = 1/(2k) − (y − m)² < 0 for large |y − m|",
    ),
    (
        "Laplace NLL in the scale",
        log(k) + Abs(y - m) / k,
        [k],
        [],
        "f'' = −1/k² + 2|r|/k³ < 0 for k > 2|r|",
    ),
    (
        "Laplace NLL in (location, precision)",
        -log(k) + k * Abs(y - m),
        [m, k],
        [],
        "det ∇² = −1 where y ≠ m",
    ),
    (
        "Gamma NLL, identity link",
        yp / u + log(u),
        [u],
        [],
        "f'' = (2y − μ)/μ³ < 0 for μ > 2y",
    ),
    (
        "inverse-Gaussian NLL in the mean",
        (yp - u) ** 2 / (u**2 * yp),
        [u],
        [],
        "f'' = (6y − 4μ)/μ⁴ < 0 for μ > 3y/2",
    ),
    ("Poisson NLL, identity link on ℝ", t - yp * log(t), [t], [], "not real for t < 0"),
    # ------------------------------------------------------------ several variables
    ("x² − y²", x**2 - y**2, [x, y], [], "saddle"),
    ("x² + xy", x**2 + x * y, [x, y], [], "det [[2, 1], [1, 0]] = −1"),
    ("x² + y² − 3xy", x**2 + y**2 - 3 * x * y, [x, y], [], "along (1, 1): −t²"),
    ("x y", x * y, [x, y], [], "indefinite"),
    ("x y on x, y > 0", u * v, [u, v], [], "indefinite"),
    ("x² y²", x**2 * y**2, [x, y], [], "det ∇² at (1, 1) = 4 − 16 < 0"),
    ("exp(x y)", exp(x * y), [x, y], [], "∇² at 0 is [[0, 1], [1, 0]]"),
    ("x/y on y > 0", x / v, [x, v], [], "det ∇² = −1/y⁴"),
    ("x y z", x * y * z, [x, y, z], [], "indefinite"),
    ("−‖(x, y)‖", -sqrt(x**2 + y**2), [x, y], [], "concave"),
    # ------------------------------------------------------------- parameters
    ("c x² with c real", c * x**2, [x], [], "c = −1 gives −x²"),
    ("c x² with c ≤ 0", cp * x**2, [x], [], "c = −1 gives −x²"),
    ("(c³ − c² + c) x² with c real", (c**3 - c**2 + c) * x**2, [x], [], "negative for c < 0"),
    ("(c − 1) x² with c ≥ 0", (cn - 1) * x**2, [x], [], "c = 0 gives −x²"),
    (
        "(2y − 1) x² with y ∈ {0, 1}",
        (2 * yb - 1) * x**2,
        [x],
        [1 - yb],
        "y = 0 gives −x²",
    ),
    ("(a − ½) x² with a real", (a - half) * x**2, [x], [], "a = 0 gives −x²/2"),
    ("a eˣ with a real", a * exp(x), [x], [], "a = −1 gives −eˣ"),
    ("a |x| with a real", a * Abs(x), [x], [], "a = −1 gives −|x|"),
    ("exp(a x²) with a real", exp(a * x**2), [x], [], "a = −1 gives a bump"),
    ("x⁴ − c x² with c > 0", x**4 - k * x**2, [x], [], "f''(0) = −2c"),
    ("x² + c x³ with c ≥ 0", x**2 + cn * x**3, [x], [], "f'' = 2 + 6cx < 0 for x < −1/(3c)"),
    ("x^a on x > 0, a real", u**a, [u], [], "a = ½ gives √x"),
    ("x^p on x > 0, p > 0", u**k, [u], [], "p = ½ gives √x"),
    ("Huber with δ real", huber(c), [x], [], "δ < 0: δ(|x| − δ/2) is concave"),
    ("Huber with δ = −1", huber(sp.Integer(-1)), [x], [], "−|x| − ½: concave"),
]

# (name, expr, wrt, facts ≥ 0, why it is convex)
CONVEX: list[Entry] = [
    # ---------------------------------------------------------------- smooth
    ("log cosh x", log(sp.cosh(x)), [x], [], "f'' = sech² x"),
    ("hyperbolic-secant NLL", log(sp.cosh(sp.pi * x / 2)), [x], [], "f'' = (π/2)² sech²"),
    ("log cosh(x/c), c > 0", log(sp.cosh(x / k)), [x], [], "f'' = sech²(x/c)/c²"),
    ("log(eˣ + e⁻ˣ)", log(exp(x) + exp(-x)), [x], [], "logsumexp of ±x"),
    ("3x² + 2xy + y²", 3 * x**2 + 2 * x * y + y**2, [x, y], [], "[[6, 2], [2, 2]] ≻ 0"),
    ("x² + y² + z²", x**2 + y**2 + z**2, [x, y, z], [], "identity Hessian"),
    ("x² − 2x + 1", x**2 - 2 * x + 1, [x], [], "(x − 1)²"),
    ("MSE (y − f)²", (y - m) ** 2, [m], [], "a square of an affine map"),
    ("MSE / (2σ²)", (y - m) ** 2 / (2 * sigma**2), [m], [], "a positive multiple of a square"),
    ("x⁴", x**4, [x], [], "f'' = 12x²"),
    ("x⁴ + c x² with c ≥ 0", x**4 + cn * x**2, [x], [], "f'' = 12x² + 2c"),
    ("eˣ", exp(x), [x], [], "f'' = eˣ"),
    ("eˣ + e⁻ˣ", exp(x) + exp(-x), [x], [], "f'' = f > 0"),
    ("cosh x", sp.cosh(x), [x], [], "f'' = cosh"),
    ("exp(x²)", exp(x**2), [x], [], "exp of convex"),
    ("exp(x + y)", exp(x + y), [x, y], [], "exp of affine"),
    ("eˣ + eʸ", exp(x) + exp(y), [x, y], [], "sum of convex"),
    ("exp(a x) with a real", exp(a * x), [x], [], "f'' = a² e^{ax}"),
    ("exp(a x²) with a ≥ 0", exp(cn * x**2), [x], [], "f'' = e^{cx²}(2c + 4c²x²)"),
    ("softplus", softplus(x), [x], [], "f'' = σ(1 − σ)"),
    ("softplus(x) + softplus(−x)", softplus(x) + softplus(-x), [x], [], "sum of convex"),
    ("softplus(a x) with a real", softplus(a * x), [x], [], "softplus of affine"),
    ("softplus(x + y)", softplus(x + y), [x, y], [], "softplus of affine"),
    ("−log σ(z)", -log(sigmoid(z)), [z], [], "= softplus(−z)"),
    ("BCE with logits, y ∈ {0, 1}", softplus(z) - yb * z, [z], [1 - yb], "softplus − linear"),
    ("BCE with logits, y real", softplus(z) - y * z, [z], [], "softplus − linear, any y"),
    ("logistic loss softplus(−y f)", softplus(-y * m), [m], [], "softplus of affine"),
    ("exponential loss exp(−y f)", exp(-y * m), [m], [], "exp of affine"),
    ("logsumexp, K = 2", lse((z1, z2)), [z1, z2], [], "∇² = diag(p) − ppᵀ"),
    ("logsumexp, K = 3", lse((z1, z2, z3)), [z1, z2, z3], [], "∇² = diag(p) − ppᵀ"),
    ("logsumexp, K = 4", lse((z1, z2, z3, z4)), [z1, z2, z3, z4], [], "∇² = diag(p) − ppᵀ"),
    ("CE∘softmax, K = 2", lse((z1, z2)) - z1, [z1, z2], [], "logsumexp − linear"),
    ("CE∘softmax, K = 3", lse((z1, z2, z3)) - z2, [z1, z2, z3], [], "logsumexp − linear"),
    (
        "CE∘softmax, K = 2, as −log softmax",
        -log(softmax((z1, z2), 0)),
        [z1, z2],
        [],
        "= logsumexp − z₁",
    ),
    (
        "CE∘softmax, K = 3, as −log softmax",
        -log(softmax((z1, z2, z3), 2)),
        [z1, z2, z3],
        [],
        "= logsumexp − z₃",
    ),
    ("Poisson NLL, log link", exp(z) - yn * z, [z], [], "exp − linear"),
    ("Gamma NLL, log link", yp * exp(-z) + z, [z], [], "positive multiple of exp + linear"),
    (
        "Gaussian NLL in the natural parameters",
        -e1 * y + l * y**2 + e1**2 / (4 * l) - log(2 * l) / 2,
        [e1, l],
        [],
        "A(η) = η₁²/(4l) − ½ log 2l: quad-over-lin and −log; the rest is linear",
    ),
    ("MSE∘exp with y ≤ 0", (exp(z) - ynp) ** 2, [z], [], "f'' = 2eᶻ(2eᶻ − y) ≥ 0 for y ≤ 0"),
    ("x² + cos x", x**2 + sp.cos(x), [x], [], "f'' = 2 − cos x ≥ 1"),
    ("x² + sin x", x**2 + sp.sin(x), [x], [], "f'' = 2 − sin x ≥ 1"),
    ("√(1 + x²)", sqrt(1 + x**2), [x], [], "the norm of (1, x)"),
    (
        "pseudo-Huber δ²(√(1 + (x/δ)²) − 1)",
        d**2 * (sqrt(1 + (x / d) ** 2) - 1),
        [x],
        [],
        "a positive multiple of √(1 + (x/δ)²)",
    ),
    ("(y² − y + ½) x², y real", (y**2 - y + half) * x**2, [x], [], "y² − y + ½ > 0 for all y"),
    # ---------------------------------------------------------------- positive domains
    ("−log x", -log(u), [u], [], "f'' = 1/x²"),
    ("x log x", u * log(u), [u], [], "f'' = 1/x"),
    ("negative entropy, 2 variables", u * log(u) + v * log(v), [u, v], [], "separable"),
    ("1/x on x > 0", 1 / u, [u], [], "f'' = 2/x³"),
    ("1/x² on x > 0", u**-2, [u], [], "f'' = 6/x⁴"),
    ("1/√x on x > 0", 1 / sqrt(u), [u], [], "f'' = ¾ x^{−5/2}"),
    ("x**(3/2) on x > 0", u ** Rational(3, 2), [u], [], "f'' = ¾ x^{−½}"),
    ("−√x on x ≥ 0", -sqrt(w), [w], [], "√ is concave"),
    ("−√x on x > 0", -sqrt(u), [u], [], "√ is concave"),
    ("x**(3/2) on x ≥ 0", w ** Rational(3, 2), [w], [], "f'' = ¾ x^{−½} on x > 0, C¹ at 0"),
    ("−log(xy)", -log(u * v), [u, v], [], "= −log x − log y"),
    ("−√(xy)", -sqrt(u * v), [u, v], [], "the geometric mean is concave"),
    ("x²/p, p > 0, in x", x**2 / k, [x], [], "a positive multiple of x²"),
    ("x²/p jointly in (x, p)", x**2 / u, [x, u], [], "quad-over-lin"),
    ("(x² + y²)/p jointly", (x**2 + y**2) / u, [x, y, u], [], "quad-over-lin"),
    ("KL term p log(p/q) in q", yp * log(yp / u), [u], [], "−p log q + const"),
    ("p log(p/q) jointly", u * log(u / v), [u, v], [], "perspective of −log"),
    ("Poisson NLL, identity link", u - yn * log(u), [u], [], "linear − y log μ, y ≥ 0"),
    ("Laplace NLL in the precision", -log(k) + k * Abs(y - m), [k], [], "−log + linear"),
    (
        "log barrier on (0, 1]",
        -log(1 - u) - log(u),
        [u],
        [1 - u],
        "sum of −log of affine maps (+∞ at the end point 1)",
    ),
    # --------------------------------------------------------------- non-smooth
    ("|x|", Abs(x), [x], [], "a norm"),
    ("L1 |y − f|", Abs(y - m), [m], [], "|affine|"),
    ("|x − y|", Abs(x - y), [x, y], [], "|affine|"),
    ("|x| + |y|", Abs(x) + Abs(y), [x, y], [], "ℓ₁ norm"),
    ("max(|x|, |y|)", Max(Abs(x), Abs(y)), [x, y], [], "ℓ∞ norm"),
    ("√(x² + y²)", sqrt(x**2 + y**2), [x, y], [], "ℓ₂ norm"),
    ("|x|³", Abs(x) ** 3, [x], [], "f'' = 6|x|"),
    ("|x|^(3/2)", Abs(x) ** Rational(3, 2), [x], [], "convex increasing power of |x|"),
    ("x² + |x|", x**2 + Abs(x), [x], [], "sum of convex"),
    ("|x| + |x − 1|", Abs(x) + Abs(x - 1), [x], [], "sum of convex"),
    ("|x − 1| + x²", Abs(x - 1) + x**2, [x], [], "sum of convex"),
    ("exp(|x|)", exp(Abs(x)), [x], [], "exp of convex"),
    ("max(x, 0)", Max(x, 0), [x], [], "max of affine"),
    ("max(x, y)", Max(x, y), [x, y], [], "max of affine"),
    ("max(x, y, 0)", Max(x, y, 0), [x, y], [], "max of affine"),
    ("max(x, 2x)", Max(x, 2 * x), [x], [], "max of affine"),
    ("leaky ReLU max(x, x/10)", Max(x, x / 10), [x], [], "max of affine"),
    ("max(x², 1)", Max(x**2, 1), [x], [], "max of convex"),
    ("max(x² − 1, 0)", Max(x**2 - 1, 0), [x], [], "max of convex"),
    ("exp(max(x, 0))", exp(Max(x, 0)), [x], [], "exp of convex"),
    ("hinge max(0, 1 − x)", Max(0, 1 - x), [x], [], "max of affine"),
    ("hinge max(0, 1 − y f), y real", Max(0, 1 - y * m), [m], [], "max of affine"),
    ("squared hinge", Max(0, 1 - x) ** 2, [x], [], "square of a non-negative convex"),
    ("squared ReLU", Max(x, 0) ** 2, [x], [], "square of a non-negative convex"),
    ("min(x, 0)²", Min(x, 0) ** 2, [x], [], "x² for x < 0, 0 after: C¹"),
    ("max(x, 0)³", Max(x, 0) ** 3, [x], [], "C² with f'' ≥ 0"),
    (
        "SVM objective",
        Max(1 - x, 0) + x**2 / 10,
        [x],
        [],
        "hinge + positive multiple of a square",
    ),
    (
        "multi-class hinge (Crammer–Singer)",
        Max(0, 1 + z2 - z1, 1 + z3 - z1),
        [z1, z2, z3],
        [],
        "max of affine",
    ),
    ("two hinges", Max(x, 0) + Max(-x - 1, 0), [x], [], "sum of convex"),
    ("Huber, δ > 0", huber(d), [x], [], "C¹, f'' = 1 inside, 0 outside"),
    ("Huber, δ = 1", huber(sp.Integer(1)), [x], [], "C¹, f'' = 1 inside, 0 outside"),
    ("Huber of y − f, δ > 0", huber(d, y - m), [m], [], "Huber of affine"),
    ("smooth L1, β > 0", smooth_l1(beta), [x], [], "C¹, f'' = 1/β inside, 0 outside"),
    ("smooth L1, β = 1", smooth_l1(sp.Integer(1)), [x], [], "C¹"),
    (
        "pinball loss",
        Piecewise((tau * x, x >= 0), ((tau - 1) * x, True)),
        [x],
        [tau, 1 - tau],
        "slopes τ − 1 | τ increase",
    ),
    ("pinball, max form", Max(tau * x, (tau - 1) * x), [x], [tau, 1 - tau], "max of linear"),
    (
        "pinball with τ real",
        Piecewise((taur * x, x >= 0), ((taur - 1) * x, True)),
        [x],
        [],
        "slopes τ − 1 < τ for every τ",
    ),
    ("pinball max form, τ real", Max(taur * x, (taur - 1) * x), [x], [], "max of linear"),
    ("ε-insensitive", Max(0, Abs(x) - eps), [x], [], "max of convex"),
    ("ε-insensitive, ε real", Max(0, Abs(x) - epsr), [x], [], "max of convex, any ε"),
    (
        "squared ε-insensitive",
        Max(Abs(x) - 1, 0) ** 2,
        [x],
        [],
        "square of a non-negative convex",
    ),
    ("x then x² (slopes 1 then 2)", Piecewise((x**2, x > 1), (x, True)), [x], [], "C⁰, slopes up"),
    ("x² then x³", Piecewise((x**2, x < 0), (x**3, True)), [x], [], "C¹, f'' ≥ 0 on each side"),
    (
        "x² then 2x − 1",
        Piecewise((x**2, x < 1), (2 * x - 1, True)),
        [x],
        [],
        "C¹ continuation by the tangent",
    ),
    (
        "|x − 1/3| − 1/3 as a Piecewise",
        Piecewise((-x, x < Rational(1, 3)), (x - Rational(2, 3), True)),
        [x],
        [],
        "continuous, slopes −1 | 1",
    ),
    ("ELU", Piecewise((x, x > 0), (exp(x) - 1, True)), [x], [], "C¹, f'' = eˣ or 0"),
    ("max(0, x − c) as a Piecewise", Piecewise((0, x < c), (x - c, True)), [x], [], "any c"),
    ("x H(x)", x * Heaviside(x), [x], [], "= max(x, 0)"),
    ("x² H(x)", x**2 * Heaviside(x), [x], [], "C¹, f'' ∈ {0, 2}"),
    ("x sign(x)", x * sp.sign(x), [x], [], "= |x|"),
    # ------------------------------------------------------------------ parameters
    ("c x² with c ≥ 0", cn * x**2, [x], [], "non-negative multiple of x²"),
    ("(c³ − c² + c) x² with c ≥ 0", (cn**3 - cn**2 + cn) * x**2, [x], [], "c(c² − c + 1) ≥ 0"),
    ("(c − 1) x² with c ≥ 1", (cn - 1) * x**2, [x], [cn - 1], "the fact c − 1 ≥ 0"),
    ("c x² with c ∈ {0, 1}", yb * x**2, [x], [1 - yb], "non-negative multiple of x²"),
    ("ridge (y − a w)² + λ w²", (y - a * w1) ** 2 + lam * w1**2, [w1], [], "sum of convex"),
    ("lasso (y − w)² + λ|w|", (y - w1) ** 2 + lam * Abs(w1), [w1], [], "sum of convex"),
    (
        "least squares in two weights",
        (y - a * w1 - b * w2) ** 2,
        [w1, w2],
        [],
        "square of an affine map: rank-one PSD Hessian",
    ),
    (
        "elastic net",
        (y - a * w1 - b * w2) ** 2 + lam * (Abs(w1) + Abs(w2)) + lam * (w1**2 + w2**2),
        [w1, w2],
        [],
        "sum of convex",
    ),
    ("affine a x + b", a * x + b, [x], [], "affine"),
    ("a constant", sp.Integer(3), [x], [], "constant"),
]
