from __future__ import annotations

import numpy as np
import sympy as sp

from derive.codegen import numpy_function
from derive.functions import sigmoid, softplus

z = sp.Symbol("z", real=True)


def test_stable_at_saturation() -> None:
    f = numpy_function(softplus(z) - z, [z])
    g = numpy_function(sigmoid(z), [z])
    values = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    assert np.all(np.isfinite(f(values)))
    np.testing.assert_allclose(
        g(values), [0.0, 1 / (1 + np.exp(30)), 0.5, 1 / (1 + np.exp(-30)), 1.0], rtol=1e-12
    )


def test_gamma_is_elementwise() -> None:
    import math

    nu = sp.Symbol("nu", positive=True)
    values = numpy_function(sp.log(sp.gamma(nu / 2)) + sp.loggamma(nu), [nu])(np.array([1.0, 5.0]))
    expected = [math.log(math.gamma(v / 2)) + math.lgamma(v) for v in (1.0, 5.0)]
    np.testing.assert_allclose(values, expected, rtol=1e-12)


def test_factorials_and_binomial_coefficients_are_elementwise() -> None:
    import math

    y = sp.Symbol("y", integer=True, nonnegative=True)
    trials = sp.Symbol("N", integer=True, positive=True)
    counts = np.array([0.0, 3.0, 7.0])
    fact = numpy_function(sp.log(sp.factorial(y)), [y])(counts)
    np.testing.assert_allclose(fact, [math.lgamma(c + 1) for c in counts], rtol=1e-12)
    choose = numpy_function(sp.binomial(trials, y), [trials, y])(np.full(3, 7.0), counts)
    np.testing.assert_allclose(choose, [math.comb(7, int(c)) for c in counts], rtol=1e-12)


def test_erf_and_huber_are_elementwise() -> None:
    import math

    from derive.functions import huber

    r = sp.Symbol("r", real=True)
    d = sp.Symbol("delta", positive=True)
    fn = numpy_function(huber(r, d) + sp.erf(d), [r, d])
    values = fn(np.array([-3.0, 0.5, 2.0]), np.array([1.0, 1.0, 2.5]))
    expected = [2.5 + math.erf(1.0), 0.125 + math.erf(1.0), 2.0 + math.erf(2.5)]
    np.testing.assert_allclose(values, expected, rtol=1e-12)
