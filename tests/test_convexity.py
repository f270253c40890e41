"""Soundness and completeness of the convexity verdicts on functions whose convexity is
known. Soundness: no non-convex function may be called convex. Completeness: the
known-convex functions should all be proved convex (the count is reported)."""

from __future__ import annotations

import sympy as sp

from derive.convexity import MidpointWitness, Verdict, convexity, nonnegative, sigmoid_region
from derive.functions import sigmoid, softplus, to_core

z, x, r, m, a, b = sp.symbols("z x r m a b", real=True)
y01 = sp.Symbol("y", integer=True, nonnegative=True)  # a binary target, with the fact 1 − y ≥ 0
y = sp.Symbol("y", real=True)
sigma = sp.Symbol("sigma", positive=True)
xp = sp.Symbol("x", positive=True)
p = sp.Symbol("p", positive=True)
Z2 = sp.symbols("z1:3", real=True)
Z3 = sp.symbols("z1:4", real=True)
Z5 = sp.symbols("z1:6", real=True)


def softmax(zs: tuple[sp.Symbol, ...], k: int) -> sp.Expr:
    return sp.exp(zs[k]) / sp.Add(*(sp.exp(v) for v in zs))


def lse(zs: tuple[sp.Symbol, ...]) -> sp.Expr:
    return sp.log(sp.Add(*(sp.exp(v) for v in zs)))


# (name, function, variables, facts ≥ 0, why it is not convex)
NON_CONVEX = [
    ("MSE∘σ, y = 1", (sigmoid(z) - 1) ** 2, [z], [], "curvature < 0 where σ(z) < 1/3"),
    ("MSE∘σ, y = 0", sigmoid(z) ** 2, [z], [], "curvature < 0 where σ(z) > 2/3"),
    ("MSE∘σ, y ∈ {0,1}", (sigmoid(z) - y01) ** 2, [z], [1 - y01], "either case above"),
    (
        "MSE∘softmax, K = 2",
        (softmax(Z2, 0) - 1) ** 2 + softmax(Z2, 1) ** 2,
        list(Z2),
        [],
        "along z₁ − z₂ it is MSE∘σ",
    ),
    (
        "MSE∘softmax, K = 3",
        (softmax(Z3, 0) - 1) ** 2 + softmax(Z3, 1) ** 2 + softmax(Z3, 2) ** 2,
        list(Z3),
        [],
        "bounded and non-constant along a line",
    ),
    ("Cauchy NLL log(1 + r²)", sp.log(1 + r**2), [r], [], "second derivative < 0 for |r| > 1"),
    (
        "Student-t NLL in the location (ν = 3)",
        2 * sp.log(1 + (y - m) ** 2 / 3),
        [m],
        [],
        "bounded growth: curvature < 0 for |y − m| > √3",
    ),
    (
        "Gaussian NLL in σ",
        sp.log(sigma) + (y - m) ** 2 / (2 * sigma**2),
        [sigma],
        [],
        "second derivative −1/σ² + 3r²/σ⁴ < 0 for σ² > 3r²",
    ),
    (
        "Gaussian NLL in (μ, σ)",
        sp.log(sigma) + (y - m) ** 2 / (2 * sigma**2),
        [m, sigma],
        [],
        "contains the σ direction above",
    ),
    ("1 − exp(−r²)", 1 - sp.exp(-(r**2)), [r], [], "bounded, non-constant"),
    ("sin x", sp.sin(x), [x], [], "periodic"),
    ("x³", x**3, [x], [], "second derivative 6x < 0 for x < 0"),
    ("−x²", -(x**2), [x], [], "concave"),
    ("log x", sp.log(xp), [xp], [], "concave"),
    ("√x", sp.sqrt(xp), [xp], [], "concave"),
    ("a·b", a * b, [a, b], [], "indefinite Hessian"),
    ("exp(−x²)", sp.exp(-(x**2)), [x], [], "bounded bump"),
    ("x⁴ − x²", x**4 - x**2, [x], [], "second derivative −2 at 0"),
    ("log σ(z)", sp.log(sigmoid(z)), [z], [], "concave (−softplus(−z))"),
    ("−|x|", -sp.Abs(x), [x], [], "concave"),
]

CONVEX = [
    ("softplus", softplus(z), [z], []),
    ("logsumexp, K = 2", lse(Z2), list(Z2), []),
    ("logsumexp, K = 3", lse(Z3), list(Z3), []),
    ("|x|", sp.Abs(x), [x], []),
    ("x²", x**2, [x], []),
    ("eˣ", sp.exp(x), [x], []),
    ("−log x", -sp.log(xp), [xp], []),
    ("BCE∘σ", softplus(z) - y01 * z, [z], [1 - y01]),
    ("CE∘softmax, K = 2", lse(Z2) - Z2[0], list(Z2), []),
    ("CE∘softmax, K = 3", lse(Z3) - Z3[1], list(Z3), []),
    ("CE∘softmax, K = 5", lse(Z5) - Z5[2], list(Z5), []),
    ("x⁴", x**4, [x], []),
    ("eˣ + x²", sp.exp(x) + x**2, [x], []),
    ("|x − 1| + x²", sp.Abs(x - 1) + x**2, [x], []),
    ("BCE in p", -y01 * sp.log(p) - (1 - y01) * sp.log(1 - p), [p], [1 - y01, 1 - p]),
    ("x log x", xp * sp.log(xp), [xp], []),
    ("1/x", 1 / xp, [xp], []),
    ("cosh x", sp.cosh(x), [x], []),
    ("MSE / (2σ²)", (y - m) ** 2 / (2 * sigma**2), [m], []),
    ("softplus(−z) + z²", softplus(-z) + z**2, [z], []),
]


def _exactly_negative(v: Verdict, f: sp.Expr, wrt: list[sp.Symbol]) -> bool:
    """Re-evaluate a counterexample: the exact Hessian, or the exact midpoint gap."""
    if isinstance(v.witness, MidpointWitness):
        a, b = dict(v.witness.a), dict(v.witness.b)
        mid = {s: (a[s] + b[s]) / 2 for s in a}
        core = to_core(f)
        gap = core.xreplace(mid) - (core.xreplace(a) + core.xreplace(b)) / 2
        return bool(gap.is_positive)
    hess = sp.hessian(f, wrt).xreplace(dict(v.counterexample))
    direction = sp.Matrix(v.direction)
    value = (direction.T * hess * direction)[0, 0]
    return bool(value.is_negative)


def test_soundness_no_false_convex() -> None:
    assert len(NON_CONVEX) >= 15
    for name, f, wrt, facts, _why in NON_CONVEX:
        v = convexity(f, wrt, facts)
        assert v.verdict != "convex", name
        if v.verdict == "not convex":
            assert _exactly_negative(v, f, wrt), name
            assert all(isinstance(val, sp.Rational) for _, val in v.counterexample), name


def test_non_convex_functions_get_counterexamples() -> None:
    found = sum(
        convexity(f, wrt, facts).verdict == "not convex" for _, f, wrt, facts, _ in NON_CONVEX
    )
    assert found == len(NON_CONVEX)


def test_completeness_every_known_convex_function_is_proved() -> None:
    assert len(CONVEX) >= 15
    proved = [name for name, f, wrt, facts in CONVEX if convexity(f, wrt, facts).is_convex]
    assert proved == [name for name, *_ in CONVEX]


def test_signs_and_regions() -> None:
    s = sigmoid(z)
    assert nonnegative(s * (1 - s))
    assert nonnegative(y01 / p**2 + (1 - y01) / (1 - p) ** 2, [1 - y01, 1 - p])
    assert not nonnegative(z * s)
    curvature = sp.diff((s - 1) ** 2, z, 2)
    assert sigmoid_region(curvature, z) == "exactly where σ(z) < 1/3"
    assert sigmoid_region(sp.diff(softplus(z) - z, z, 2), z) == "nowhere"


def test_a_singularity_inside_the_domain_is_never_convex() -> None:
    """1/x², (x − ½)⁻⁴ and −log(x²) on ℝ: their domain ℝ∖{c} is not convex."""
    x = sp.Symbol("x", real=True)
    p = sp.Symbol("p", positive=True)
    for expr in (1 / x**2, (x - sp.Rational(1, 2)) ** -4, -sp.log(x**2), sp.sqrt(1 + x**-2)):
        verdict = convexity(expr, [x])
        assert verdict.verdict != "convex", expr
    assert convexity(1 / p, [p]).verdict == "convex"
    assert convexity(-sp.log(p), [p]).verdict == "convex"
    assert convexity(1 / (x**2 + 1), [x]).verdict == "not convex"
