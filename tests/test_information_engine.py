"""Entropy, cross-entropy and KL divergence derived by the engine, against the libraries.

Every closed form is evaluated exactly (30 digits) at random exact parameter points and
compared in float64 with ``torch.distributions.kl_divergence`` and ``.entropy()``, the
torch objects built from the mapping ``Instance.torch()`` gives (so the mapping is tested
too); a cross-entropy is torch's entropy plus its KL; Poisson's entropy, which torch
lacks, against a truncated sum; bits and bans are nats divided by log b; every moment
the engine computed (a sum, a series, an integral split at its kinks) against mpmath.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest
import sympy as sp
import torch

from derive.errors import DeriveError
from derive.family import Domain, Family, Law, LinkSpec, Role, Var
from derive.information import information
from derive.information.engine import Information
from derive.information.expectation import Expectation
from derive.information.instance import K, k
from derive.information.rules import ChangeOfBase, CollectTerms, Moment
from derive.steps import Relation
from tests.information_numbers import SYMBOLIC_K, exact, point, torch_law

ROOT = Path(__file__).resolve().parent.parent
REL = 1e-10
POINTS = 4
WITHIN = ["normal", "laplace", "bernoulli", "poisson", "exponential", "gamma"]
# (family, --classes): a symbolic K, and concrete ones
CASES = [(name, None) for name in WITHIN] + [("categorical", c) for c in (None, 2, 3, 5)]
# pairs of different families on one support that torch also knows
CROSS = [
    ("normal", "laplace"),
    ("laplace", "normal"),
    ("exponential", "gamma"),
    ("gamma", "exponential"),
]


def _id(case: tuple[str, int | None]) -> str:
    name, classes = case
    return name if classes is None else f"{name}-K{classes}"


def _close(derived: float, expected: float) -> None:
    assert derived == pytest.approx(expected, rel=REL, abs=1e-12)


def _points(d: Information, seed: int) -> list[dict[sp.Basic, sp.Rational]]:
    rng = random.Random(seed)
    return [point(d.laws, rng) for _ in range(POINTS)]


def _torch_entropy(d: Information, at: dict[sp.Basic, sp.Rational]) -> float:
    return float(torch_law(d.laws[0], at).entropy())


def _torch_kl(d: Information, at: dict[sp.Basic, sp.Rational]) -> float:
    p, q = (torch_law(law, at) for law in d.laws)
    return float(torch.distributions.kl_divergence(p, q))


def _value(d: Information) -> sp.Expr:
    assert d.value is not None, d.reason
    assert d.reason is None
    return d.value


# ------------------------------------------------------------------ against torch


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_kl_against_torch(case: tuple[str, int | None]) -> None:
    name, classes = case
    d = information("kl", name, name, classes=classes)
    value = _value(d)
    for at in _points(d, 1):
        _close(exact(value, at), _torch_kl(d, at))


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_entropy_against_torch_or_a_truncated_sum(case: tuple[str, int | None]) -> None:
    name, classes = case
    d = information("entropy", name, classes=classes)
    value = _value(d)
    for at in _points(d, 2):
        if d.laws[0].law.torch_entropy:
            expected = _torch_entropy(d, at)
        else:  # torch.distributions.Poisson has no entropy
            (rate,) = d.laws[0].symbols
            expected = _poisson_sum(float(at[rate]), float(at[rate]))
        _close(exact(value, at), expected)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_cross_entropy_is_torch_entropy_plus_kl(case: tuple[str, int | None]) -> None:
    name, classes = case
    d = information("cross-entropy", name, name, classes=classes)
    value = _value(d)
    for at in _points(d, 3):
        if d.laws[0].law.torch_entropy:
            expected = _torch_entropy(d, at) + _torch_kl(d, at)
        else:
            p, q = (float(at[law.symbols[0]]) for law in d.laws)
            expected = _poisson_sum(p, q)
        _close(exact(value, at), expected)


def _poisson_sum(rate_p: float, rate_q: float, terms: int = 400) -> float:
    """−Σ_y p(y) log q(y) over y = 0 … terms − 1, directly (the tail is far below 1e-30)."""
    mpmath.mp.dps = 40
    lp, lq = mpmath.mpf(rate_p), mpmath.mpf(rate_q)
    total = mpmath.mpf(0)
    for y in range(terms):
        log_q = y * mpmath.log(lq) - lq - mpmath.loggamma(y + 1)
        total -= mpmath.exp(y * mpmath.log(lp) - lp - mpmath.loggamma(y + 1)) * log_q
    return float(total)


def test_categorical_with_64_classes_against_torch() -> None:
    d = information("kl", "categorical", "categorical", classes=64)
    value = _value(d)
    assert len(sp.Add.make_args(value)) == 64
    for at in _points(d, 4)[:2]:
        _close(exact(value, at), _torch_kl(d, at))


@pytest.mark.parametrize("pair", CROSS, ids="-".join)
def test_cross_family_kl_against_torch(pair: tuple[str, str]) -> None:
    d = information("kl", *pair)
    value = _value(d)
    for at in _points(d, 5):
        _close(exact(value, at), _torch_kl(d, at))


@pytest.mark.parametrize("pair", CROSS, ids="-".join)
def test_cross_family_cross_entropy_is_torch_entropy_plus_kl(pair: tuple[str, str]) -> None:
    d = information("cross-entropy", *pair)
    value = _value(d)
    for at in _points(d, 10):
        _close(exact(value, at), _torch_entropy(d, at) + _torch_kl(d, at))


def test_normal_laplace_kl_against_quadrature() -> None:
    """KL(N(μ₁, σ₁²) ‖ Laplace(μ₂, b₂)) = ∫ p log(p/q), by mpmath with the kink as a breakpoint."""
    d = information("kl", "normal", "laplace")
    value = _value(d)
    mpmath.mp.dps = 30
    for at in _points(d, 6):
        mu1, sigma1 = (mpmath.mpf(at[s].p) / at[s].q for s in d.laws[0].symbols)
        mu2, b2 = (mpmath.mpf(at[s].p) / at[s].q for s in d.laws[1].symbols)

        def integrand(t: mpmath.mpf, mu1=mu1, sigma1=sigma1, mu2=mu2, b2=b2) -> mpmath.mpf:
            log_p = -((t - mu1) ** 2) / (2 * sigma1**2) - mpmath.log(2 * mpmath.pi * sigma1**2) / 2
            log_q = -abs(t - mu2) / b2 - mpmath.log(2 * b2)
            return mpmath.exp(log_p) * (log_p - log_q)

        inner = sorted([mu2, *(mu1 + j * sigma1 for j in (-8, -4, -2, 0, 2, 4, 8))])
        expected = mpmath.quad(integrand, [-mpmath.inf, *inner, mpmath.inf])
        _close(exact(value, at), float(expected))


# ------------------------------------------------------------------ bases


@pytest.mark.parametrize("base", ["2", "10"])
@pytest.mark.parametrize("kind", ["entropy", "cross-entropy", "kl"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_bits_and_bans_are_nats_over_log_b(
    case: tuple[str, int | None], kind: str, base: str
) -> None:
    name, classes = case
    names = [name] * (1 if kind == "entropy" else 2)
    nats = _value(information(kind, *names, classes=classes))
    d = information(kind, *names, base=base, classes=classes)
    value = _value(d)
    assert isinstance(d.steps[0].rule, ChangeOfBase)
    assert d.unit == {"2": "bits", "10": "bans"}[base]
    for at in _points(d, 7)[:2]:
        _close(exact(value, at), exact(nats, at) / float(sp.log(int(base))))


def test_bits_are_shown_as_nats_over_log_2() -> None:
    d = information("entropy", "bernoulli", base="bits")
    p = d.laws[0].symbols[0]
    assert d.value == sp.Mul(
        -p * sp.log(p) - (1 - p) * sp.log(1 - p), sp.Pow(sp.log(2), -1), evaluate=False
    )


# ------------------------------------------------------------------ readable forms


def test_readable_closed_forms() -> None:
    mu1, mu2 = sp.symbols("mu_1 mu_2", real=True)
    s1, s2, b1, b2, l1, l2 = sp.symbols("sigma_1 sigma_2 b_1 b_2 lambda_1 lambda_2", positive=True)
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    normal = sp.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - sp.Rational(1, 2)
    assert _value(information("kl", "normal", "normal")) == normal
    gap = sp.Abs(mu1 - mu2)
    laplace = sp.log(b2 / b1) + gap / b2 + b1 * sp.exp(-gap / b1) / b2 - 1
    assert _value(information("kl", "laplace", "laplace")) == laplace
    bernoulli = p1 * sp.log(p1 / p2) + sp.Mul(1 - p1, sp.log((1 - p1) / (1 - p2)))
    assert _value(information("kl", "bernoulli", "bernoulli")) == bernoulli
    entropy = sp.Mul(-1, p1, sp.log(p1)) + sp.Mul(-1, 1 - p1, sp.log(1 - p1))
    d = information("entropy", "bernoulli")
    assert _value(d) == entropy.xreplace({p1: d.laws[0].symbols[0]})
    assert _value(information("kl", "poisson", "poisson")) == l1 * sp.log(l1 / l2) - l1 + l2
    assert _value(information("kl", "exponential", "exponential")) == (
        sp.log(l1 / l2) + l2 / l1 - 1
    )


def test_categorical_kl_is_one_sum_of_p_log_p_over_q() -> None:
    d = information("kl", "categorical", "categorical")
    p, q = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)
    assert _value(d) == sp.Sum(p[k] * sp.log(p[k] / q[k]), (k, 1, K))
    three = _value(information("kl", "categorical", "categorical", classes=3))
    entries = [sp.symbols(f"p_{i} q_{i}", positive=True) for i in (1, 2, 3)]
    assert three == sp.Add(*(a * sp.log(a / b) for a, b in entries))


def test_symbolic_k_stays_symbolic() -> None:
    for kind in ("entropy", "cross-entropy", "kl"):
        names = ["categorical"] * (1 if kind == "entropy" else 2)
        d = information(kind, *names)
        value = _value(d)
        sums = list(value.atoms(sp.Sum))
        assert sums and all(s.limits[0][2] == K for s in sums)
        assert not any(
            isinstance(i, sp.Indexed) and i.indices[0].is_Integer for i in value.atoms(sp.Indexed)
        )
        assert d.laws[0].torch() == {
            "class": "torch.distributions.Categorical",
            "args": {"probs": "p_1, …, p_K"},
        }
    assert SYMBOLIC_K > 3  # the symbolic case is evaluated beyond the written-out sizes


def test_gamma_and_its_digamma() -> None:
    d = information("entropy", "gamma")
    alpha, beta = d.laws[0].symbols
    expected = alpha - sp.log(beta) + sp.loggamma(alpha) + (1 - alpha) * sp.digamma(alpha)
    for at in _points(d, 8):
        _close(exact(_value(d), at), exact(expected, at))


# ------------------------------------------------------------------ structure of the proof


ALL = [
    *((("entropy", name), c) for name, c in CASES),
    *((("cross-entropy", name, name), c) for name, c in CASES),
    *((("kl", name, name), c) for name, c in CASES),
    *((("kl", *pair), None) for pair in CROSS),
]


def _all_id(case: tuple[tuple[str, ...], int | None]) -> str:
    names, classes = case
    return "-".join(names) + ("" if classes is None else f"-K{classes}")


@pytest.mark.parametrize("case", ALL, ids=_all_id)
def test_steps_are_one_chain_of_equalities(case: tuple[tuple[str, ...], int | None]) -> None:
    names, classes = case
    d = information(*names, classes=classes)
    value = _value(d)
    assert d.steps[0].before == d.start
    for before, after in zip(d.steps, d.steps[1:]):
        assert after.before == before.after
    assert d.steps[-1].after == value
    assert all(step.relation is Relation.EQUAL for step in d.steps)
    assert not list(value.atoms(Expectation))
    collected = [s for s in d.steps if isinstance(s.rule, CollectTerms)]
    assert len(collected) <= 1  # tidying settles in one step


@pytest.mark.parametrize(
    "names",
    [
        ("kl", "laplace", "laplace"),
        ("kl", "normal", "laplace"),
        ("entropy", "poisson"),
        ("kl", "exponential", "gamma"),
    ],
    ids="-".join,
)
def test_computed_moments_against_mpmath(names: tuple[str, ...]) -> None:
    """Each moment the engine computed (not a law's hook) at random points, by quadrature
    split at its kinks, or by a direct sum."""
    d = information(*names)
    computed = [s.rule for s in d.steps if isinstance(s.rule, Moment) and s.rule.how != "law"]
    assert computed
    mpmath.mp.dps = 30
    for rule in computed:
        assert isinstance(rule, Moment) and rule.term is not None
        term = rule.term
        y = term.variable
        for at in _points(d, 9)[:2]:
            f = sp.lambdify(y, (term.integrand * term.density).xreplace(at), modules="mpmath")
            low = term.bounds[0]
            start = -mpmath.inf if low == -sp.oo else mpmath.mpf(int(low))
            if term.discrete:
                expected = mpmath.nsum(f, [start, mpmath.inf])
            else:
                edges = sorted(mpmath.mpf(float(a.xreplace(at))) for a in rule.at)
                expected = mpmath.quad(f, [start, *edges, mpmath.inf])
            _close(exact(rule.value, at), float(expected))


def test_series_moment_is_kept_and_noted() -> None:
    d = information("entropy", "poisson")
    value = _value(d)
    (series,) = value.atoms(sp.Sum)
    assert series.limits[0][1:] == (0, sp.oo)
    assert series.function.has(sp.factorial)
    assert [s.rule.how for s in d.steps if isinstance(s.rule, Moment)] == ["law", "series"]
    assert len(d.notes) == 1 and "exact" in d.notes[0] and "Poisson" in d.notes[0]
    assert information("kl", "poisson", "poisson").notes == ()  # log y! cancels in the KL


# ------------------------------------------------------------------ unknown and refused


def _sech_family() -> Family:
    """The hyperbolic secant law 1/(π cosh y): E[log cosh y] has no closed form SymPy finds."""

    def density(v: dict[str, sp.Expr]) -> sp.Expr:
        return 1 / (sp.pi * sp.cosh(v["y"] - v["m"]))

    return Family(
        name="sech-test",
        aliases=(),
        summary="test only",
        variables=(Var("y", Role.TARGET, Domain.REAL), Var("m", Role.PREDICTION, Domain.REAL)),
        links=(LinkSpec("identity"),),
        law=Law(
            name="HyperbolicSecant",
            parameters=(Var("m", Role.FIXED, Domain.REAL),),
            support=Domain.REAL,
            density=density,  # type: ignore[arg-type]
            torch="HyperbolicSecant",
            torch_args=(("loc", "m"),),
        ),
    )


def test_a_moment_without_closed_form_gives_unknown_with_a_reason() -> None:
    d = information("entropy", _sech_family())
    assert d.value is None
    assert d.reason is not None and "cosh" in d.reason and "HyperbolicSecant" in d.reason
    assert "unknown" in repr(d)
    assert d.steps and not any(isinstance(s.rule, CollectTerms) for s in d.steps)


@pytest.mark.parametrize(
    "pair",
    [
        ("normal", "bernoulli"),
        ("poisson", "bernoulli"),
        ("exponential", "normal"),
        ("categorical", "bernoulli"),
        ("gamma", "poisson"),
    ],
    ids="-".join,
)
def test_different_supports_are_refused(pair: tuple[str, str]) -> None:
    with pytest.raises(DeriveError, match="different supports"):
        information("kl", *pair)


def test_bad_requests_are_refused() -> None:
    with pytest.raises(DeriveError, match="unknown quantity"):
        information("mutual-information", "normal", "normal")
    with pytest.raises(DeriveError, match="unknown base"):
        information("entropy", "normal", base="3")
    with pytest.raises(DeriveError, match="takes 2 laws"):
        information("kl", "normal")
    with pytest.raises(DeriveError, match="applies to the categorical law"):
        information("entropy", "normal", classes=3)
    for bad in (1, 65, "x", True, 2.5, "-3"):
        with pytest.raises(DeriveError, match="--classes"):
            information("entropy", "categorical", classes=bad)  # type: ignore[arg-type]
    assert _value(information("entropy", "categorical", classes="3")).has(
        sp.Symbol("p_3", positive=True)
    )
    with pytest.raises(DeriveError, match="no law"):
        information("entropy", "cauchy")


def test_output_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from derive.information import information\n"
        "for args, kw in [(('kl', 'normal', 'laplace'), {}), (('kl', 'gamma', 'gamma'), {}),"
        " (('kl', 'categorical', 'categorical'), {'classes': 5}), (('entropy', 'poisson'), {}),"
        " (('kl', 'bernoulli', 'bernoulli'), {'base': '2'})]:\n"
        "    d = information(*args, **kw)\n"
        "    print(d.value, [str(s.after) for s in d.steps])\n"
    )
    outputs = set()
    for seed in ("0", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
