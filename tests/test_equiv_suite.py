r"""The equivalence suite: real ML losses, true pairs and their mutants.

Every true pair must be *proved* equivalent (and the proved c, d are cross-checked
here at exact points with 60-digit arithmetic); no false pair may be accepted, and
every witness of a difference is re-checked here independently of the engine:
A and B re-evaluated at the witness's exact values, signs by SymPy's own evalf at 60
digits (or exact equality), the values checked admissible for each symbol's domain.
At most :data:`MAX_UNKNOWN` false pairs may end ``unknown``.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import sympy as sp

from derive.equiv import (
    Equivalence,
    FactorWitness,
    OrderWitness,
    SlopeWitness,
    check_equivalent,
)
from derive.equiv.names import Problem, read_problem
from derive.family import Domain
from derive.functions import huber, sigmoid, softplus

MAX_UNKNOWN = 3

y, f, z, p, tau, delta, t = sp.symbols("y f z p tau delta t")

Case = tuple[str, Any, Any, str, dict[str, str]]

# ---------------------------------------------------------------- true pairs
GAUSS = r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma"
BCE = r"-y\log p - (1-y)\log(1-p)"
CE2 = r"-\log\frac{e^{z_1}}{e^{z_0}+e^{z_1}}"
CE3 = r"-\log\frac{e^{z_1}}{e^{z_1}+e^{z_2}+e^{z_3}}"
KL = r"p\log\frac{p}{q} + (1-p)\log\frac{1-p}{1-q}"
SMOOTH = (
    r"(1-\epsilon)(-\log q_1) + \epsilon\left(-\frac{1}{2}\log q_1 - \frac{1}{2}\log q_2\right)"
)
PINBALL = tau * sp.Max(y - f, 0) + (1 - tau) * sp.Max(f - y, 0)
HUBER_PIECES = sp.Piecewise(
    ((y - f) ** 2 / 2, sp.Abs(y - f) < delta), (delta * (sp.Abs(y - f) - delta / 2), True)
)

TRUE: list[Case] = [
    ("mse-gaussian-nll", r"(y-\mu)^2", GAUSS, "mu", {}),
    ("mse-gaussian-full", r"(y-\mu)^2", GAUSS + r" + \frac{1}{2}\log(2\pi)", "mu", {}),
    (
        "mse-gaussian-density",
        r"(y-f)^2",
        r"-\log\left(\frac{1}{\sqrt{2\pi}\sigma} e^{-\frac{(y-f)^2}{2\sigma^2}}\right)",
        "f",
        {},
    ),
    (
        "l1-laplace-density",
        r"|y-f|",
        r"-\log\left(\frac{1}{2b} e^{-\frac{|y-f|}{b}}\right)",
        "f",
        {},
    ),
    ("l1-laplace-nll", r"|y-f|", r"\frac{|y-f|}{b} + \log(2b)", "f", {}),
    ("l1-scaled", r"2|y-f|", r"\frac{|f-y|}{b}", "f", {}),
    ("bce-bernoulli", BCE, r"-\log\left(p^{y}(1-p)^{1-y}\right)", "p", {"binary": "y"}),
    ("bce-logits-softplus", r"\log(1+e^{-z}) + (1-y)z", r"\log(1+e^{z}) - yz", "z", {}),
    ("softplus-shift", r"\log(1+e^{-z})", r"\log(1+e^{z}) - z", "z", {}),
    (
        "bce-on-sigmoid",
        r"-y\log\frac{1}{1+e^{-z}} - (1-y)\log\left(1-\frac{1}{1+e^{-z}}\right)",
        r"\log(1+e^{z}) - yz",
        "z",
        {},
    ),
    ("bernoulli-logit-density", r"-\log\frac{e^{yz}}{1+e^{z}}", r"\log(1+e^{z}) - yz", "z", {}),
    ("ce2-bce", CE2, r"\log(1+e^{z_0 - z_1})", "z_0,z_1", {}),
    ("ce3-logsumexp", CE3, r"\log(e^{z_1}+e^{z_2}+e^{z_3}) - z_1", "z_1,z_2,z_3", {}),
    (
        "lse-shift",
        r"\log(e^{z_1}+e^{z_2}) - z_1",
        r"\log(e^{z_1 - m}+e^{z_2 - m}) - z_1 + m",
        "z_1,z_2",
        {},
    ),
    (
        "tempered-ce2",
        r"-\log\frac{e^{z_1/T}}{e^{z_1/T}+e^{z_2/T}}",
        r"\log(1+e^{(z_2 - z_1)/T})",
        "z_1,z_2",
        {},
    ),
    (
        "poisson-density",
        r"\lambda - y\log\lambda",
        r"-\log\left(\lambda^{y} e^{-\lambda}\right)",
        "lambda",
        {},
    ),
    ("poisson-scaled", r"e^{\eta} - y\eta", r"2(e^{\eta} - y\eta) + 5", "eta", {}),
    ("poisson-log-input", r"e^{x} - yx", r"-y\log e^{x} + e^{x}", "x", {}),
    (
        "poisson-identity-link",
        r"\mu - y\log\mu",
        r"-\log\left(\mu^{y} e^{-\mu}\right)",
        "mu",
        {"positive": "mu"},
    ),
    (
        "exponential-density",
        r"\log\mu + \frac{y}{\mu}",
        r"-\log\left(\frac{1}{\mu}e^{-\frac{y}{\mu}}\right)",
        "mu",
        {"positive": "mu"},
    ),
    (
        "gamma-nll-shape",
        r"\alpha\left(\log\mu + \frac{y}{\mu}\right)",
        r"\log\mu + \frac{y}{\mu}",
        "mu",
        {"positive": "mu"},
    ),
    (
        "binomial-density",
        r"-y\log p - (N-y)\log(1-p)",
        r"-\log\left(p^{y}(1-p)^{N-y}\right)",
        "p",
        {},
    ),
    ("kl-ce", KL, r"-p\log q - (1-p)\log(1-q)", "q", {}),
    (
        "label-smoothing",
        SMOOTH,
        r"-\left(1-\frac{\epsilon}{2}\right)\log q_1 - \frac{\epsilon}{2}\log q_2",
        "q_1,q_2",
        {},
    ),
    ("scaled-shifted", r"3(y-\mu)^2 + 7", r"(y-\mu)^2", "mu", {}),
    ("expanded-square", r"(y-f)^2", r"f^2 - 2yf", "f", {}),
    ("log-product", r"\log(ab)", r"\log a + \log b + 1", "a", {"positive": "a"}),
    ("neg-log-product", r"-\log(p_1 p_2)", r"-\log p_1 - \log p_2", "p_1,p_2", {}),
    (
        "student-t",
        r"\frac{\nu+1}{2}\log\left(1+\frac{(y-\mu)^2}{\nu s^2}\right)",
        r"\log(\nu s^2 + (y-\mu)^2)",
        "mu",
        {},
    ),
    (
        "cauchy-density",
        r"\log(\gamma^2 + (y-\mu)^2)",
        r"-\log\frac{\gamma}{\pi(\gamma^2+(y-\mu)^2)}",
        "mu",
        {},
    ),
    ("weighted-mse", r"w(y-f)^2", r"(y-f)^2", "f", {"positive": "w"}),
    ("linear-regression", r"(y - w_1 x - w_0)^2", r"2(w_0 + w_1 x - y)^2 - 1", "w_0,w_1", {}),
    (
        "gaussian-learned-variance",
        GAUSS,
        r"-\log\left(\frac{1}{\sqrt{2\pi}\sigma} e^{-\frac{(y-\mu)^2}{2\sigma^2}}\right)",
        "mu,sigma",
        {},
    ),
    (
        "gaussian-log-variance",
        r"v + (y-\mu)^2 e^{-v}",
        r"\frac{1}{2}\left(v + \frac{(y-\mu)^2}{e^{v}}\right) + 3",
        "mu,v",
        {},
    ),
    (
        "sum-gaussian",
        r"\sum_{i=1}^{n}(y_i - f)^2",
        r"\frac{1}{2\sigma^2}\sum_{i=1}^{n}(y_i-f)^2 + n\log\sigma",
        "f",
        {},
    ),
    ("mean-sum", r"\frac{1}{n}\sum_{i=1}^{n}(y_i-f)^2", r"\sum_{i=1}^{n}(y_i-f)^2", "f", {}),
    (
        "sum-laplace",
        r"\sum_{i=1}^{n}|y_i - f|",
        r"-\sum_{i=1}^{n}\log\left(\frac{1}{2b}e^{-\frac{|y_i-f|}{b}}\right)",
        "f",
        {},
    ),
    ("exp-square", r"e^{2x}", r"\left(e^{x}\right)^2", "x", {}),
    ("sqrt-square-abs", r"|f-y|", r"\sqrt{(f-y)^2}", "f", {}),
    ("focal-gamma-zero", -((1 - p) ** 0) * sp.log(p), -sp.log(p), "p", {}),
    ("log-sigmoid-softplus", -sp.log(sigmoid(z)), softplus(-z), "z", {}),
    (
        "bce-sigmoid-softplus",
        -y * sp.log(sigmoid(z)) - (1 - y) * sp.log(1 - sigmoid(z)),
        softplus(z) - y * z,
        "z",
        {},
    ),
    ("pinball-abs", PINBALL, (sp.Abs(y - f) + (2 * tau - 1) * (y - f)) / 2, "f", {}),
    ("hinge-abs", sp.Max(0, 1 - y * z), 2 * (1 - y * z + sp.Abs(1 - y * z)), "z", {}),
    ("huber-pieces", huber(y - f, delta), 2 * HUBER_PIECES + 1, "f", {}),
    ("softplus-names", softplus(z) - softplus(-z), z, "z", {}),
    (
        "kl-gaussians-mean",
        r"\frac{(\mu_1-\mu_2)^2}{2\sigma_2^2} + \log\frac{\sigma_2}{\sigma_1}",
        r"(\mu_1 - \mu_2)^2",
        "mu_1",
        {},
    ),
    ("constant-in-wrt", r"\log\sigma + t", r"2\log\sigma + 2t", "t", {}),
]

# ---------------------------------------------------------------- false pairs (mutants)
FALSE: list[Case] = [
    ("gaussian-wrt-sigma", r"(y-\mu)^2", GAUSS, "sigma", {}),
    ("flipped-sign", r"(y-f)^2", r"-(y-f)^2", "f", {}),
    ("factor-depends-on-f", r"(y-f)^2", r"f(y-f)^2", "f", {}),
    ("factor-exp-f", r"(y-f)^2", r"e^{f}(y-f)^2", "f", {}),
    ("missing-term-logits", r"\log(1+e^{z}) - yz", r"\log(1+e^{z})", "z", {"binary": "y"}),
    ("extra-term", r"(y-f)^2", r"(y-f)^2 + f", "f", {}),
    ("swapped-argument-bce", BCE, r"-p\log y - (1-p)\log(1-y)", "p", {"positive": "y"}),
    ("zero-factor", r"(y-f)^2", 0, "f", {}),
    ("negative-factor", r"|y-f|", r"-2|y-f| + 1", "f", {}),
    ("sigmoid-vs-tanh", -sp.log(sigmoid(z)), -sp.log((1 + sp.tanh(z)) / 2 + 0 * z), "z", {}),
    ("identity-vs-log-link", r"(y - \mu)^2", r"(y - \log\mu)^2", "mu", {"positive": "mu"}),
    ("mse-vs-l1", r"(y-f)^2", r"|y-f|", "f", {}),
    ("poisson-sign", r"\lambda - y\log\lambda", r"\lambda + y\log\lambda", "lambda", {}),
    ("bce-vs-mse-prob", BCE, r"(y-p)^2", "p", {"binary": "y"}),
    ("ce2-swapped", CE2, r"\log(1+e^{z_1 - z_0})", "z_0,z_1", {}),
    ("label-smoothing-weights", SMOOTH, r"-(1-\epsilon)\log q_1 - \epsilon\log q_2", "q_1,q_2", {}),
    ("lse-extra", r"\log(e^{z_1}+e^{z_2})", r"\log(e^{z_1}+e^{z_2}) + z_1", "z_1,z_2", {}),
    ("huber-vs-mse", huber(y - f, delta), (y - f) ** 2 / 2, "f", {}),
    ("huber-vs-l1", huber(y - f, delta), sp.Abs(y - f), "f", {}),
    ("pinball-vs-l1", PINBALL, sp.Abs(y - f), "f", {}),
    ("focal-gamma-two", r"-(1-p)^{2}\log p", r"-\log p", "p", {}),
    ("gaussian-both", r"(y-\mu)^2", GAUSS, "mu,sigma", {}),
    ("student-vs-gaussian", r"\log(\nu s^2 + (y-\mu)^2)", r"(y-\mu)^2", "mu", {}),
    ("cauchy-vs-l1", r"\log(\gamma^2 + (y-\mu)^2)", r"|y-\mu|", "mu", {}),
    ("sum-mse-vs-l1", r"\sum_{i=1}^{n}(y_i - f)^2", r"\sum_{i=1}^{n}|y_i - f|", "f", {}),
    ("exponential-wrong", r"\log\mu + \frac{y}{\mu}", r"\log\mu + y\mu", "mu", {"positive": "mu"}),
    ("monotone-sqrt", r"(y-f)^2", r"\sqrt{(y-f)^2 + 1}", "f", {}),
    ("monotone-log", r"(y-f)^2", r"\log(1 + (y-f)^2)", "f", {}),
    ("poisson-missing-y", r"e^{\eta} - y\eta", r"e^{\eta} - \eta", "eta", {}),
    ("bce-swapped-p", BCE, r"-y\log(1-p) - (1-y)\log p", "p", {"binary": "y"}),
    (
        "sigmoid-vs-algebraic",
        r"-\log\frac{1}{1+e^{-z}}",
        r"-\log\left(\frac{1}{2} + \frac{z}{2(1+|z|)}\right)",
        "z",
        {},
    ),
    ("density-vs-nll", r"(y-f)^2", r"e^{-(y-f)^2}", "f", {}),
    ("wrong-target-sign", r"(y-f)^2", r"(y+f)^2", "f", {}),
    ("kl-reversed", KL, r"q\log\frac{q}{p} + (1-q)\log\frac{1-q}{1-p}", "q", {}),
    ("ce3-wrong-class", CE3, r"\log(e^{z_1}+e^{z_2}+e^{z_3}) - z_2", "z_1,z_2,z_3", {}),
    ("weight-not-positive", r"w(y-f)^2", r"(y-f)^2", "f", {}),
    ("factor-one-minus-two-eps", r"(1-2\epsilon)(y-f)^2", r"(y-f)^2", "f", {}),
    ("regression-missing-cross", r"(y - w_1 x - w_0)^2", r"(y - w_1 x)^2 + w_0^2", "w_0,w_1", {}),
    ("tempered-wrong", r"\log(1+e^{(z_2 - z_1)/T})", r"\log(1+e^{(z_2 - z_1)T})", "z_1,z_2", {}),
    ("logistic-flipped", r"\log(1+e^{-z})", r"\log(1+e^{z})", "z", {}),
    ("cube", r"x", r"x^3", "x", {}),
    ("exp-rate", r"e^{2x}", r"e^{x}", "x", {}),
    ("gamma-missing-log", r"\log\mu + \frac{y}{\mu}", r"\frac{y}{\mu}", "mu", {"positive": "mu"}),
    ("binomial-vs-bernoulli", r"-y\log p - (N-y)\log(1-p)", BCE, "p", {}),
    ("laplace-vs-gaussian", r"\frac{|y-f|}{b} + \log b", r"\frac{(y-f)^2}{2b^2} + \log b", "f", {}),
    ("product-of-logs", r"\log a \log b", r"\log a + \log b", "a", {"positive": "a"}),
    ("squared-hinge", sp.Max(0, 1 - z), sp.Max(0, 1 - z) ** 2, "z", {}),
    ("softplus-vs-relu", softplus(z), sp.Max(0, z), "z", {}),
]


@functools.cache
def _decide(kind: str, index: int) -> tuple[Equivalence, Problem]:
    _, a, b, wrt, declared = (TRUE if kind == "true" else FALSE)[index]
    return check_equivalent(a, b, wrt, **declared), read_problem(a, b, wrt, **declared)


# ---------------------------------------------------------------- independent re-checks


def _at(expr: sp.Expr, values: dict[str, sp.Rational]) -> sp.Expr:
    plain = {s: values[s.name] for s in expr.free_symbols if getattr(s, "name", None) in values}
    out = expr.xreplace(plain)
    if out.has(sp.Sum, sp.Indexed):
        out = out.doit()
        out = out.xreplace({a: values[str(a)] for a in out.atoms(sp.Indexed) if str(a) in values})
    assert not out.free_symbols, out
    return out  # type: ignore[no-any-return]


def _sign(x: sp.Expr) -> int:
    """The sign of a closed number by SymPy's evalf at 60 digits, or exact equality."""
    if x == 0:
        return 0
    value = sp.N(x, 60)
    assert value.is_Number and value.is_real, value
    if abs(value) > sp.Float("1e-40"):
        return 1 if value > 0 else -1
    assert sp.simplify(x) == 0, x
    return 0


def _admissible(problem: Problem, values: dict[str, sp.Rational]) -> None:
    for symbol, domain in problem.domains:
        if symbol.name not in values:
            continue
        v = values[symbol.name]
        assert v.is_Rational
        if domain is Domain.POSITIVE:
            assert v > 0
        elif domain is Domain.UNIT:
            assert 0 < v < 1
        elif domain is Domain.BINARY:
            assert v in (0, 1)
        elif domain is Domain.NATURAL:
            assert v.is_integer and v > 0


def recheck(problem: Problem, result: Equivalence) -> None:
    """Re-derive the witness's claim from the original expressions, exactly."""
    w = result.witness
    constants = dict(w.constants)  # type: ignore[union-attr]
    _admissible(problem, constants)

    def value(expr: sp.Expr, point: tuple[tuple[str, sp.Rational], ...]) -> sp.Expr:
        values = {**constants, **dict(point)}
        _admissible(problem, values)
        return _at(expr, values)

    if isinstance(w, OrderWitness):
        a1, a2 = value(problem.a, w.p1), value(problem.a, w.p2)
        b1, b2 = value(problem.b, w.p1), value(problem.b, w.p2)
        assert _sign(a1 - w.a1) == _sign(a2 - w.a2) == _sign(b1 - w.b1) == _sign(b2 - w.b2) == 0
        up, other = (a2 - a1, b2 - b1) if w.first == "A" else (b2 - b1, a2 - a1)
        assert _sign(up) == 1 and _sign(other) <= 0
    elif isinstance(w, SlopeWitness):
        a = [value(problem.a, q) for q in (w.p0, w.p1, w.p2)]
        b = [value(problem.b, q) for q in (w.p0, w.p1, w.p2)]
        assert _sign(a[1] - a[0]) != 0 and _sign(a[2] - a[0]) != 0
        assert _sign((b[1] - b[0]) * (a[2] - a[0]) - (b[2] - b[0]) * (a[1] - a[0])) != 0
    else:
        assert isinstance(w, FactorWitness)
        c = _at(w.factor, constants)
        assert _sign(c) <= 0
        for q in (w.p1, w.p2):
            gap = value(problem.b, q) - c * value(problem.a, q) - _at(w.constant, constants)
            assert _sign(gap) == 0
        assert _sign(value(problem.a, w.p1) - value(problem.a, w.p2)) != 0


# ---------------------------------------------------------------- the tests


def test_the_suite_is_large_enough() -> None:
    assert len(TRUE) >= 45 and len(FALSE) >= 45
    assert len({c[0] for c in TRUE + FALSE}) == len(TRUE) + len(FALSE)


@pytest.mark.parametrize("index", range(len(TRUE)), ids=[c[0] for c in TRUE])
def test_every_true_pair_is_proved(index: int) -> None:
    result, problem = _decide("true", index)
    assert result.status == "equivalent", result.explain()
    assert result.factor is not None and result.constant is not None
    names = {v.name for v in problem.variables}
    for e in (result.factor, result.constant):
        assert not {getattr(s, "name", "") for s in e.free_symbols} & names
    # cross-check the proved identity B = c·A + d at exact points, numerically
    grid = {
        Domain.REAL: (sp.Rational(2, 7), sp.Rational(-5, 3)),
        Domain.POSITIVE: (sp.Rational(3, 7), sp.Rational(5, 2)),
        Domain.UNIT: (sp.Rational(2, 7), sp.Rational(5, 6)),
        Domain.BINARY: (sp.Integer(1), sp.Integer(0)),
        Domain.NATURAL: (sp.Integer(3), sp.Integer(2)),
    }
    for k in range(2):
        values: dict[str, sp.Rational] = {}
        for j, (symbol, domain) in enumerate(problem.domains):
            values[symbol.name] = grid[domain][(j + k) % 2]
        for atom in (problem.a + problem.b).atoms(sp.IndexedBase):
            for i in range(1, 4):
                values[f"{atom.label}[{i}]"] = sp.Rational(i, 5) - k
        c = _at(result.factor, values)
        assert _sign(c) == 1
        gap = _at(problem.b, values) - c * _at(problem.a, values) - _at(result.constant, values)
        assert abs(sp.N(gap, 50)) < sp.Float("1e-40"), (values, gap)


@pytest.mark.parametrize("index", range(len(FALSE)), ids=[c[0] for c in FALSE])
def test_no_false_pair_is_accepted(index: int) -> None:
    result, problem = _decide("false", index)
    assert result.status in ("different", "unknown"), result.explain()
    assert result.factor is None and result.constant is None
    if result.status == "different":
        assert result.witness is not None
        recheck(problem, result)


def test_few_false_pairs_are_unknown() -> None:
    unknown = [FALSE[i][0] for i in range(len(FALSE)) if _decide("false", i)[0].status == "unknown"]
    assert len(unknown) <= MAX_UNKNOWN, unknown
