from __future__ import annotations

import sympy as sp

from derive.functions import sigmoid, softplus, to_core

z = sp.Symbol("z", real=True)


def test_derivatives_and_rewrites() -> None:
    assert sp.diff(softplus(z), z) == sigmoid(z)
    assert sp.diff(sigmoid(z), z) == sigmoid(z) * (1 - sigmoid(z))
    assert to_core(softplus(z)) == sp.log(1 + sp.exp(z))
    assert to_core(sigmoid(z)) == 1 / (1 + sp.exp(-z))
    assert sigmoid(0) == sp.Rational(1, 2)
    assert sigmoid(z).is_positive and softplus(z).is_positive


def test_derivative_matches_the_core_form() -> None:
    for f in (sigmoid(z), softplus(z)):
        diff = to_core(sp.diff(f, z)) - sp.diff(to_core(f), z)
        assert abs(sp.N(diff.subs(z, sp.Rational(3, 7)), 30)) < 1e-25


def test_latex_printing_including_powers() -> None:
    assert sp.latex(sigmoid(z)) == r"\sigma\left(z\right)"
    assert sp.latex(sigmoid(z) ** 2) == r"\sigma\left(z\right)^{2}"
    assert sp.latex(softplus(-z)) == r"\operatorname{softplus}\left(- z\right)"
    assert sp.latex(softplus(z) ** 3) == r"\operatorname{softplus}\left(z\right)^{3}"


def test_huber_is_even_non_negative_and_differentiable_once() -> None:
    from derive.functions import huber

    r = sp.Symbol("r", real=True)
    delta = sp.Symbol("delta", positive=True)
    assert huber(-r, delta) == huber(r, delta)  # written input − target, as torch does
    assert huber(r, delta).is_real and huber(r, delta).is_nonnegative
    assert to_core(huber(r, 1)) == sp.Piecewise(
        (r**2 / 2, sp.Abs(r) < 1), (sp.Abs(r) - sp.Rational(1, 2), True)
    )
    # the derivative is r clipped to [−δ, δ]: continuous, so the second derivative is the
    # indicator of |r| < δ with no Dirac mass at ±δ
    first = sp.diff(huber(r, delta), r)
    for value, expected in ((-3, -delta), (sp.Rational(1, 5), sp.Rational(1, 5)), (3, delta)):
        assert first.xreplace({delta: 1}).xreplace({r: value}) == expected.xreplace({delta: 1})
    second = sp.diff(huber(r, 2), r, 2)
    assert [second.xreplace({r: v}) for v in (-3, 0, 1, 3)] == [0, 1, 1, 0]
    assert sp.N(huber(sp.Rational(5, 2), 1)) == sp.Float(2)  # 1·(5/2 − 1/2)
    assert to_core(huber(r, 1), piecewise=False) == huber(r, 1)


def test_huber_derivative_matches_its_core_form() -> None:
    from derive.functions import huber

    r = sp.Symbol("r", real=True)
    for value in (sp.Rational(-7, 3), sp.Rational(1, 7), sp.Rational(9, 4)):
        ours = sp.diff(huber(r, sp.Rational(3, 2)), r).xreplace({r: value})
        core = sp.diff(to_core(huber(r, sp.Rational(3, 2))), r).xreplace({r: value})
        assert sp.simplify(ours - core) == 0
    assert sp.latex(huber(r, sp.Symbol("delta"))) == r"\operatorname{huber}_{\delta}\left(r\right)"


def test_each_defined_function_s_definition_is_its_core_form() -> None:
    """The definition a proof prints (terms as written) is the function's own core form."""
    from derive.functions import DEFINED

    u = sp.Symbol("u", real=True)
    for f in DEFINED:
        written = f.definition(u)
        assert sp.expand(written.doit() - f(u)._eval_rewrite_as_exp(u)) == 0, f
        assert f.meaning
