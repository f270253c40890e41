"""The rules of an information derivation and the tidying that collects its terms: logs of
positive products expanded and regrouped by coefficient in the orientation whose
coefficient is positive, sums over the same classes merged, exponentials merged and
rational coefficients cancelled, bits and bans tidied in nats — each result proved equal
to its input, and tidying a tidy result changes nothing."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.algebra import proved_zero
from derive.information import rules
from derive.information.expectation import Expectation, LogBase
from derive.information.rules import (
    ChangeOfBase,
    CollectTerms,
    Densities,
    Linearity,
    Moment,
    expand_logs,
    neat,
    tidy,
)
from derive.rules import RuleContext

y = sp.Symbol("y", real=True)
a, b = sp.symbols("a b", real=True)
s1, s2, lam, beta = sp.symbols("sigma_1 sigma_2 lambda beta", positive=True)
p, q = sp.symbols("p q", positive=True)
k = sp.Symbol("k", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)
PI, QI = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)
P = sp.Symbol("P")
CTX = RuleContext(optimised=(y,), sample_index=y, n=sp.S.One, positive=(1 - p, 1 - q))


def _e(g: sp.Expr) -> Expectation:
    return Expectation(g, y, P, sp.exp(-(y**2) / 2) / sp.sqrt(2 * sp.pi), -sp.oo, sp.oo)


def _tidy(expr: sp.Expr) -> sp.Expr:
    after = tidy(expr, CTX.positive)
    assert proved_zero(expr - after)
    assert tidy(after, CTX.positive) == after  # settled
    return after


def test_logs_expand_only_over_positive_factors() -> None:
    assert expand_logs(sp.log(2 * sp.pi * s1**2, evaluate=False)) == (
        sp.log(2) + sp.log(sp.pi) + 2 * sp.log(s1)
    )
    assert expand_logs(sp.log(a * b, evaluate=False)) == sp.log(a * b)  # signs unknown
    power = sp.log(sp.Pow(1 - p, y, evaluate=False), evaluate=False)
    assert expand_logs(power) == power
    assert expand_logs(power, (1 - p,)) == y * sp.log(1 - p)


def test_like_logs_are_combined_with_a_positive_coefficient() -> None:
    normal = sp.log(2 * sp.pi * s2**2) / 2 - sp.log(2 * sp.pi * s1**2) / 2
    assert _tidy(normal) == sp.log(s2 / s1)  # the exponent is pulled out, 2π cancels
    assert _tidy(-sp.log(s2) + sp.log(s1)) == sp.log(s1 / s2)
    kl = p * sp.log(p) - p * sp.log(q) + (1 - p) * sp.log(1 - p) - (1 - p) * sp.log(1 - q)
    assert _tidy(kl) == p * sp.log(p / q) + sp.Mul(1 - p, sp.log((1 - p) / (1 - q)))


def test_a_negative_coefficient_is_written_minus_a_positive_one() -> None:
    entropy = -p * sp.log(p) + (p - 1) * sp.log(1 - p)
    after = _tidy(entropy)
    assert after == sp.Mul(-1, p, sp.log(p)) + sp.Mul(-1, 1 - p, sp.log(1 - p))
    assert str(after) == "-p*log(p) - (1 - p)*log(1 - p)"


def test_sums_over_the_same_classes_are_merged() -> None:
    kl = sp.Sum(PI[k] * sp.log(PI[k]), (k, 1, K)) - sp.Sum(PI[k] * sp.log(QI[k]), (k, 1, K))
    assert _tidy(kl) == sp.Sum(PI[k] * sp.log(PI[k] / QI[k]), (k, 1, K))
    apart = sp.Sum(PI[k], (k, 1, K)) + sp.Sum(QI[k], (k, 1, 3))
    assert _tidy(apart) == apart
    alone = -sp.Sum(PI[k] * sp.log(PI[k]), (k, 1, K))
    assert _tidy(alone) == alone


def test_exponentials_merge_and_coefficients_cancel() -> None:
    mu1, mu2 = sp.symbols("mu_1 mu_2", real=True)
    messy = (
        (mu1**3 - mu2**3 - 3 * mu1**2 * mu2 + 3 * mu1 * mu2**2)
        / (mu1 - mu2) ** 2
        * sp.exp(-(mu1**2) / (2 * s1**2))
        * sp.exp(mu1 * mu2 / s1**2)
        * sp.exp(-(mu2**2) / (2 * s1**2))
    )
    after = neat(messy)
    assert after == (mu1 - mu2) * sp.exp(-((mu1 - mu2) ** 2) / (2 * s1**2))
    assert proved_zero(messy - after)


def test_a_sum_of_fractions_reads_term_by_term_when_shorter() -> None:
    alpha = sp.Symbol("alpha", positive=True)
    assert _tidy(sp.EulerGamma * alpha + beta / lam) == sp.EulerGamma * alpha + beta / lam
    quadratic = (s1**2 + a**2 - 2 * a * b + b**2) / (2 * s2**2)
    assert _tidy(quadratic) == (s1**2 + (a - b) ** 2) / (2 * s2**2)


def test_bits_are_tidied_in_nats_and_divided_by_log_2() -> None:
    bits = (-p * sp.log(p) + (p - 1) * sp.log(1 - p)) / sp.log(2)
    after = _tidy(bits)
    assert after == sp.Mul(
        sp.Mul(-1, p, sp.log(p)) + sp.Mul(-1, 1 - p, sp.log(1 - p)),
        sp.Pow(sp.log(2), -1),
        evaluate=False,
    )
    mixed = sp.log(p) / sp.log(2) + 1  # not every term in bits
    assert _tidy(mixed) == mixed


def test_change_of_base_and_densities() -> None:
    x = sp.Function("p")(y)
    step = ChangeOfBase().apply(_e(-LogBase(x, sp.Integer(2))), CTX)
    assert step is not None
    assert isinstance(step.after, Expectation) and not step.after.has(LogBase)
    assert sp.expand(step.after.integrand + sp.log(x) / sp.log(2)) == 0
    density = sp.exp(-y)
    replaced = Densities(((x, density),)).apply(_e(sp.log(x)), CTX)
    assert replaced is not None
    assert replaced.after == _e(sp.log(density, evaluate=False))  # log(e^{−y}) kept for its rule


def test_linearity_passes_into_sums_over_classes() -> None:
    inner = sp.Sum(sp.KroneckerDelta(y, k) * sp.log(PI[k]), (k, 1, K))
    step = Linearity().apply(_e(3 + 2 * y - inner), CTX)
    assert step is not None
    expected = 3 + 2 * _e(y) - sp.Sum(sp.log(PI[k]) * _e(sp.KroneckerDelta(y, k)), (k, 1, K))
    assert sp.expand(step.after - expected) == 0
    assert Linearity().apply(_e(y), CTX) is None


def test_a_moment_replaces_its_expectation_wherever_it_occurs() -> None:
    rule = Moment(term=_e(y), value=sp.S.Zero, how="law", law="Normal")
    expr = 1 + _e(y) * s1 + sp.Sum(PI[k] * _e(y), (k, 1, K))
    step = rule.apply(expr, CTX)
    assert step is not None and not list(step.after.atoms(Expectation))
    assert rule.apply(_e(y**2), CTX) is None


def test_collect_terms_never_changes_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    expr = sp.log(s2) - sp.log(s1)
    assert CollectTerms().apply(expr, CTX) is not None
    monkeypatch.setattr(rules, "tidy", lambda e, positive=(): sp.log(s2 / s1) + 1)
    assert CollectTerms().apply(expr, CTX) is None
