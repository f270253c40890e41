"""Definedness: where a function may be undefined, infinite or non-real on the domain."""

from __future__ import annotations

import sympy as sp

from derive.convexity.domain import undefined

x = sp.Symbol("x", real=True)
p = sp.Symbol("p", positive=True)


def test_singular_and_non_real_functions_are_found() -> None:
    for expr, what in (
        (1 / x**2, "denominator"),
        (-sp.log(x**2), "logarithm"),
        (sp.sqrt(x), "root"),
        (x ** sp.Rational(1, 3), "root"),
        (sp.sqrt(1 + x**-2), "denominator"),
        (sp.zoo * x, "not finite"),
        (sp.tan(x), "unsupported"),
    ):
        hole = undefined(expr, [x], ())
        assert hole is not None and hole.what == what, expr


def test_functions_defined_everywhere_pass() -> None:
    for expr in (1 / p, sp.log(p), sp.sqrt(x**2 + 1), sp.log(1 + sp.exp(x)), sp.log(sp.cosh(x))):
        assert undefined(expr, [x, p], ()) is None, expr


def test_facts_make_a_log_defined() -> None:
    q = sp.Symbol("q", positive=True)
    assert undefined(sp.log(1 - q), [q], ()) is not None
    assert undefined(sp.log(1 - q), [q], (1 - q,)) is None
