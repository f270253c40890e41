"""Soundness and completeness of the convexity verdicts on functions whose convexity is
known. Soundness: no non-convex function may be called convex. Completeness: the
known-convex functions should all be proved convex (the count is reported)."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import sympy as sp

from derive.convexity import MidpointWitness, Verdict, convexity, nonnegative, sigmoid_region
from derive.functions import sigmoid, softplus, to_core
from tests import convexity_corpus as corpus
from tests.convexity_check import midpoint_violations, nonconvexity_evidence, witness_problems

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


# --------------------------------------------------------------------------- the corpus
#
# tests/convexity_corpus.py holds 80+ functions known (from mathematics) not to be
# convex and 80+ known to be convex; tests/convexity_check.py re-checks every witness
# the engine gives, independently and exactly. Verdicts are computed once per session.


@functools.cache
def _corpus_verdicts() -> dict[tuple[str, str], Any]:
    """(list, name) → the engine's Verdict, or the exception it raised."""
    verdicts: dict[tuple[str, str], Any] = {}
    for label, entries in (("NON_CONVEX", corpus.NON_CONVEX), ("CONVEX", corpus.CONVEX)):
        for name, f, wrt, facts, _why in entries:
            try:
                verdicts[label, name] = convexity(f, wrt, facts)
            except Exception as error:  # every crash is reported, not raised
                verdicts[label, name] = error
    return verdicts


def _verdict_of(label: str, name: str) -> str:
    found = _corpus_verdicts()[label, name]
    return f"crash: {type(found).__name__}" if isinstance(found, Exception) else found.verdict


def test_corpus_is_large_and_well_formed() -> None:
    for label, entries in (("NON_CONVEX", corpus.NON_CONVEX), ("CONVEX", corpus.CONVEX)):
        assert len(entries) >= 80, label
        names = [entry[0] for entry in entries]
        assert len(names) == len(set(names)), f"{label}: duplicate names"
        for name, f, wrt, facts, why in entries:
            assert isinstance(f, sp.Expr) and why, name
            assert wrt and all(isinstance(s, sp.Symbol) for s in wrt), name
            known = f.free_symbols | set(wrt)
            assert all(sp.sympify(fact).free_symbols <= known for fact in facts), name


def test_corpus_entries_are_what_they_claim() -> None:
    """The referee's own claims, checked numerically without the engine: every
    non-convex entry shows a midpoint violation (or a point of the domain where it is
    undefined or not real), no convex entry shows one."""
    wrong = [
        f"NON_CONVEX {name!r}: no evidence of non-convexity found"
        for name, f, wrt, facts, _ in corpus.NON_CONVEX
        if nonconvexity_evidence(f, wrt, facts) is None
    ]
    for name, f, wrt, facts, _ in corpus.CONVEX:
        found = midpoint_violations(
            f, wrt, facts, pairs=120, parameter_points=6, allow_infinite=True, limit=1
        )
        wrong += [f"CONVEX {name!r}: {problem}" for problem in found]
    assert not wrong, "\n".join(wrong)


def test_corpus_the_engine_never_crashes() -> None:
    crashes = [
        f"{label} {name!r}: {type(found).__name__}: {found}".splitlines()[0]
        for (label, name), found in _corpus_verdicts().items()
        if isinstance(found, Exception)
    ]
    assert not crashes, f"{len(crashes)} crashes:\n" + "\n".join(crashes)


def test_corpus_soundness_no_non_convex_function_is_called_convex() -> None:
    false_convex = [
        f"{name!r}: {f} in {wrt} (why not: {why})"
        for name, f, wrt, _facts, why in corpus.NON_CONVEX
        if _verdict_of("NON_CONVEX", name) == "convex"
    ]
    assert not false_convex, (
        f"{len(false_convex)} of {len(corpus.NON_CONVEX)} non-convex functions called "
        "convex:\n" + "\n".join(false_convex)
    )


def test_corpus_no_convex_function_is_called_not_convex() -> None:
    """A counterexample to a true theorem is a soundness bug too."""
    false_counterexamples = [
        f"{name!r}: {f} in {wrt} (why convex: {why})"
        for name, f, wrt, _facts, why in corpus.CONVEX
        if _verdict_of("CONVEX", name) == "not convex"
    ]
    assert not false_counterexamples, (
        f"{len(false_counterexamples)} convex functions called not convex:\n"
        + "\n".join(false_counterexamples)
    )


def test_corpus_every_not_convex_verdict_has_a_valid_witness() -> None:
    """Each witness is re-checked exactly: in the domain, every free symbol assigned,
    vᵀ∇²f v < 0 (and a negative second difference along v) or f(mid) > mean."""
    bad: list[str] = []
    entries = [
        *(("NON_CONVEX", entry) for entry in corpus.NON_CONVEX),
        *(("CONVEX", entry) for entry in corpus.CONVEX),
    ]
    checked = 0
    for label, (name, f, wrt, facts, _why) in entries:
        found = _corpus_verdicts()[label, name]
        if isinstance(found, Exception) or found.verdict != "not convex":
            continue
        checked += 1
        problems = witness_problems(f, wrt, facts, found)
        bad += [f"{label} {name!r}: {problem}" for problem in problems]
    assert not bad, f"invalid witnesses ({checked} checked):\n" + "\n".join(bad)


def test_corpus_completeness_at_least_90_percent_of_convex_functions_are_proved() -> None:
    unproved = [
        f"{name!r} ({_verdict_of('CONVEX', name)})"
        for name, *_ in corpus.CONVEX
        if _verdict_of("CONVEX", name) != "convex"
    ]
    proved = len(corpus.CONVEX) - len(unproved)
    assert proved >= 0.9 * len(corpus.CONVEX), (
        f"{proved} of {len(corpus.CONVEX)} convex functions proved convex "
        f"({100 * proved / len(corpus.CONVEX):.0f}%, 90% required); unproved:\n"
        + "\n".join(unproved)
    )


def test_corpus_convex_verdicts_carry_a_certificate() -> None:
    missing = [
        f"{label} {name!r}"
        for (label, name), found in _corpus_verdicts().items()
        if not isinstance(found, Exception)
        and found.verdict == "convex"
        and getattr(found, "certificate", None) is None
    ]
    assert not missing, "convex without a certificate:\n" + "\n".join(missing)


# ------------------------------------------------------------- the referee refereed


def _hessian(point: dict, direction: tuple, value: Any) -> Any:
    """A verdict with a Hessian witness, in the new API's shape."""
    witness = SimpleNamespace(point=tuple(point.items()), direction=direction, value=value)
    return SimpleNamespace(verdict="not convex", witness=witness)


def _midpoint(a: dict, b: dict, gap: Any) -> Any:
    witness = SimpleNamespace(a=tuple(a.items()), b=tuple(b.items()), gap=gap)
    return SimpleNamespace(verdict="not convex", witness=witness)


def test_the_witness_checker_accepts_true_witnesses() -> None:
    one, half = sp.Integer(1), sp.Rational(1, 2)
    c = sp.Symbol("c", real=True)
    truncated = sp.Piecewise((x**2, x < 1), (1, True))
    valid = [
        (-(x**2), [x], [], _hessian({x: one}, (one,), -2)),
        (c * x**2, [x], [], _hessian({c: -one, x: half}, (one,), -2)),
        (a * b, [a, b], [], _hessian({a: one, b: one}, (one, -one), -2)),
        (truncated, [x], [], _midpoint({x: sp.Integer(0)}, {x: sp.Integer(2)}, half)),
        (-sp.Abs(x), [x], [], _midpoint({x: -one}, {x: one}, one)),
        (sp.exp(-sp.Abs(x)), [x], [], _midpoint({x: -one}, {x: one}, 1 - sp.exp(-1))),
        (sp.log(xp), [xp], [], _midpoint({xp: one}, {xp: 3 * one}, sp.log(2) - sp.log(3) / 2)),
        # far out: a curvature of −e⁻⁴⁵ (about −3·10⁻²⁰) is still decided
        (-sp.exp(-x), [x], [], _hessian({x: 45 * one}, (one,), -sp.exp(-45))),
        # the old API: counterexample + direction + value
        (
            x**3,
            [x],
            [],
            SimpleNamespace(
                verdict="not convex", counterexample=((x, -one),), direction=(one,), value=-6
            ),
        ),
    ]
    for f, wrt, facts, verdict in valid:
        assert witness_problems(f, wrt, facts, verdict) == [], f


def test_the_witness_checker_refuses_false_witnesses() -> None:
    one, half, zero = sp.Integer(1), sp.Rational(1, 2), sp.Integer(0)
    c = sp.Symbol("c", nonnegative=True)
    # x² everywhere (0 at 0 by either piece); its "Hessian" at 0 reads the one-point piece
    one_point = sp.Piecewise((-(x**2), sp.Eq(x, 0)), (x**2, True))
    kink = sp.Piecewise((-x, x < 0), (x, True))
    invalid = [
        ("convex", x**2, [x], [], _hessian({x: one}, (one,), -2)),
        ("missing symbol", -(x**2), [x], [], _hessian({}, (one,), -2)),
        ("float", -(x**2), [x], [], _hessian({x: sp.Float(1)}, (one,), -2)),
        ("assumption", c * x**2, [x], [], _hessian({c: -one, x: one}, (one,), -2)),
        ("fact", -(x**2), [x], [1 - x], _hessian({x: 2 * one}, (one,), -2)),
        ("value", -(x**2), [x], [], _hessian({x: one}, (one,), -3)),
        ("inexact value", -(x**2), [x], [], _hessian({x: one}, (one,), sp.Float(-2))),
        ("inexact gap", -sp.Abs(x), [x], [], _midpoint({x: -one}, {x: one}, sp.Float(1))),
        ("one-point piece", one_point, [x], [], _hessian({x: zero}, (one,), -2)),
        ("zero direction", -(x**2), [x], [], _hessian({x: one}, (zero,), 0)),
        ("not a gap", x**2, [x], [], _midpoint({x: zero}, {x: 2 * one}, one)),
        ("kink", kink, [x], [], _midpoint({x: -one}, {x: one}, one)),
        ("domain", -sp.log(xp), [xp], [], _midpoint({xp: -one}, {xp: one}, one)),
        (
            "parameter moved",
            c * x**2,
            [x],
            [],
            _midpoint({c: zero, x: one}, {c: one, x: one}, half),
        ),
        ("reported gap", -sp.Abs(x), [x], [], _midpoint({x: -one}, {x: one}, half)),
        ("undefined", 1 / x**2, [x], [], _midpoint({x: -one}, {x: one}, one)),
        ("no witness", x**2, [x], [], SimpleNamespace(verdict="not convex")),
    ]
    accepted = [
        label
        for label, f, wrt, facts, verdict in invalid
        if not witness_problems(f, wrt, facts, verdict)
    ]
    assert not accepted, accepted


def test_the_midpoint_search_finds_what_it_should() -> None:
    assert midpoint_violations(sp.Piecewise((x**2, x < 1), (1, True)), [x])
    assert midpoint_violations(1 / x**2, [x])  # undefined at 0
    assert midpoint_violations(x ** sp.Rational(1, 3), [x])  # not real for x < 0
    assert not midpoint_violations(sp.Max(x, 0) + sp.Abs(x - sp.Rational(1, 3)), [x])
    assert not midpoint_violations(softplus(1000 * x) - 1000 * x, [x])  # cancellation
    assert not midpoint_violations(sp.exp(sp.exp(3 * x)), [x])  # exp(e³⁰⁰⁰) is not trusted


def test_a_relation_is_not_a_fact() -> None:
    """facts are expressions ≥ 0; a relation would be silently ignored, so it is refused."""
    import pytest

    x = sp.Symbol("x", real=True)
    with pytest.raises(TypeError, match="not x > 0"):
        convexity(x**3, [x], [x > 0])


def test_witnesses_keep_every_assumption_of_their_symbols() -> None:
    """k ≠ 0 is never sampled at 0, an even symbol never at 3, a negative one never at 0."""
    x = sp.Symbol("x", real=True)
    k = sp.Symbol("k", integer=True, nonzero=True)
    assert convexity(k**2 * sp.Abs(x) - sp.Abs(x) / 2, [x]).verdict != "not convex"
    for symbol, expr in (
        (sp.Symbol("e", even=True), lambda s: x**s),
        (sp.Symbol("c", negative=True, even=True), lambda s: s * x**2),
        (sp.Symbol("o", odd=True), lambda s: (s - 1) * x**2),
    ):
        v = convexity(expr(symbol), [x])
        for s, value in v.counterexample:
            if s == symbol:
                assert all(
                    getattr(value, f"is_{name}") in (held, None)
                    for name, held in symbol.assumptions0.items()
                ), (symbol, value)


def test_huber_is_convex_only_for_a_positive_delta() -> None:
    from derive.functions import huber

    x = sp.Symbol("x", real=True)
    assert convexity(huber(x, 2), [x]).verdict == "convex"
    assert convexity(huber(x, -1), [x]).verdict != "convex"
    assert convexity(huber(x, sp.Symbol("d", real=True)), [x]).verdict != "convex"
