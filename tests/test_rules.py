from __future__ import annotations

import sympy as sp

from derive.functions import softplus
from derive.rules import LogOfExp, LogOfPower, LogOfProduct, RuleContext, SoftplusReflection

i = sp.Symbol("i", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
f = sp.IndexedBase("f", real=True)
ctx = RuleContext(optimised=(f,), sample_index=i, n=n)


def test_one_rule_one_law() -> None:
    u = -(f[i] ** 2)
    expr = sp.log(sp.exp(u, evaluate=False), evaluate=False)
    assert LogOfExp().apply(expr, ctx).after == u
    a = sp.Symbol("a", positive=True)
    power = sp.log(sp.Pow(sp.exp(f[i]), 3, evaluate=False), evaluate=False)
    assert LogOfPower().apply(power, ctx).after == 3 * sp.log(sp.exp(f[i]), evaluate=False)
    product = sp.log(sp.Mul(a, sp.exp(f[i]), evaluate=False), evaluate=False)
    out = LogOfProduct().apply(product, ctx).after
    assert out == sp.log(a) + sp.log(sp.exp(f[i], evaluate=False), evaluate=False)


def test_rules_decline_when_they_do_not_apply() -> None:
    x = sp.Symbol("x")  # sign unknown: log(x^2) is not 2 log x
    assert LogOfPower().apply(sp.log(x**2), ctx) is None
    assert SoftplusReflection().apply(softplus(f[i]), ctx) is None
    assert LogOfProduct().apply(sp.log(2 * sp.pi), ctx) is None


def test_expand_records_no_step_that_only_reorders_terms() -> None:
    from derive.rules import Expand

    z, y = sp.IndexedBase("z", real=True), sp.IndexedBase("y", real=True)
    written = sp.Add(-sp.exp(z[i]), y[i] * z[i], evaluate=False)  # not SymPy's own order
    reordered = sp.Sum(written, (i, 1, n))
    assert sp.srepr(reordered) == sp.srepr(sp.Sum(y[i] * z[i] - sp.exp(z[i]), (i, 1, n)))
    assert Expand().apply(reordered, RuleContext(optimised=(z,), sample_index=i, n=n)) is None
    nested = sp.Sum(sp.Mul(-1, sp.Add(y[i], -z[i]), evaluate=False), (i, 1, n))
    expanded = Expand().apply(nested, RuleContext(optimised=(z,), sample_index=i, n=n))
    assert expanded is not None and expanded.after == sp.Sum(z[i] - y[i], (i, 1, n))


def test_log_one_plus_exp_is_softplus() -> None:
    from derive.rules import LogOnePlusExp

    u = -(f[i] ** 2)
    expr = sp.log(sp.Add(1, sp.exp(u), evaluate=False), evaluate=False)
    assert LogOnePlusExp().apply(expr, ctx).after == softplus(u)
    x = sp.Symbol("x")  # not known to be real
    assert LogOnePlusExp().apply(sp.log(1 + sp.exp(x)), ctx) is None
    assert LogOnePlusExp().apply(sp.log(2 + sp.exp(f[i])), ctx) is None
    assert LogOnePlusExp().law == "log(1 + e^u) = softplus(u), for real u."
