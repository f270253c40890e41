from __future__ import annotations

from typing import Any

import numpy as np
import pytest
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


# ------------------------------------------------------------------ stable forms


def _value(expr: sp.Expr, point: dict[sp.Symbol, float]) -> float:
    from derive.functions import to_core

    return float(sp.N(to_core(expr).xreplace({s: sp.Float(v, 30) for s, v in point.items()}), 30))


def test_stable_rewrites_are_identities() -> None:
    from derive.codegen import LogAddExp, stable

    a, b = sp.symbols("a b", real=True)
    cases = [
        (sp.log(sp.exp(a) + sp.exp(b)), LogAddExp),
        (sp.log(1 + sp.exp(a)), softplus),
        (sp.log(sigmoid(a)), softplus),
        (1 / (1 + sp.exp(-a)), sigmoid),
        (sp.exp(a) / (sp.exp(a) + sp.exp(b)), LogAddExp),
        (sp.log(1 - sigmoid(a)), softplus),
    ]
    for expr, node in cases:
        rewritten = stable(expr)
        assert rewritten.has(node), (expr, rewritten)
        assert not rewritten.has(sp.log(sp.exp(a) + sp.exp(b)))
        for point in ({a: 0.3, b: -1.7}, {a: -4.0, b: 2.5}):
            assert _value(rewritten, point) == pytest.approx(_value(expr, point), rel=1e-14)


def test_huber_has_no_branch() -> None:
    from derive.codegen import stable
    from derive.functions import huber

    r = sp.Symbol("r", real=True)
    rewritten = stable(huber(r, sp.Rational(3, 2)))
    assert not rewritten.has(huber) and not rewritten.has(sp.Piecewise)
    for value in (-4.0, -1.5, -0.2, 0.0, 1.0, 1.5, 7.0):
        expected = value**2 / 2 if abs(value) < 1.5 else 1.5 * (abs(value) - 0.75)
        assert _value(rewritten, {r: value}) == pytest.approx(expected, rel=1e-15)


def test_x_log_x_is_zero_at_zero() -> None:
    import torch

    from derive.codegen import XLogX, stable

    p = sp.Symbol("p", nonnegative=True)
    q = sp.Symbol("q", positive=True)
    assert stable(p * sp.log(p)).has(XLogX)
    assert not stable(q * sp.log(q)).has(XLogX)  # never 0: nothing to guard
    values = np.array([0.0, 0.25, 1.0])
    expected = [0.0, 0.25 * np.log(0.25), 0.0]
    text = _module("numpy", stable(p * sp.log(p)), [p])
    np.testing.assert_allclose(text(values), expected, rtol=1e-15)
    fn = _module("torch", stable(p * sp.log(p)), [p])
    np.testing.assert_allclose(fn(torch.tensor(values)).numpy(), expected, rtol=1e-15)


def _module(backend: str, expr: sp.Expr, args: list[sp.Symbol]) -> Any:
    """A function of ``args`` printed by the backend's printer (every argument an array)."""
    from derive.codegen import BACKENDS

    spec = BACKENDS[backend]
    printer = spec.printer({"arrays": frozenset(a.name for a in args), "strict": True})
    body = printer.doprint(expr)
    helpers = "\n".join(spec.helpers[h] for h in sorted(getattr(printer, "helpers", ())))
    imports = "\n".join(f"import {m}" for m in sorted({*spec.imports, *printer.module_imports}))
    names = ", ".join(a.name for a in args)
    source = f"{imports}\n{helpers}\ndef f({names}):\n    return {body}\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace["f"]


def test_class_axis_nodes_print_for_every_backend() -> None:
    import jax
    import torch

    from derive.codegen import ClassCount, ClassLogSumExp, ClassSum, Gather, OneHot, Squeeze

    jax.config.update("jax_enable_x64", True)
    z = sp.Symbol("z", real=True)
    y = sp.Symbol("y", integer=True)
    expr = Squeeze(ClassLogSumExp(z) - Gather(z, y) + ClassSum(OneHot(y, z) * z) / ClassCount(z))
    zs = np.array([[1e4, -1e4, 0.0], [0.5, 2.0, -1.0]])
    ys = np.array([0, 2])
    lse = np.array([1e4, np.log(np.exp(zs[1]).sum())])
    expected = lse - zs[[0, 1], ys] + zs[[0, 1], ys] / 3
    convert = {
        "numpy": lambda a: a,
        "torch": torch.from_numpy,
        "jax": lambda a: jax.numpy.asarray(a),
    }
    for backend, to in convert.items():
        fn = _module(backend, expr, [z, y])
        np.testing.assert_allclose(np.asarray(fn(to(zs), to(ys))), expected, rtol=1e-15)


def test_vectorise_reads_class_indices_as_the_last_axis() -> None:
    from derive.codegen import ClassCount, ClassSum, Gather, OneHot, vectorise
    from derive.errors import DeriveError

    k, j, a = sp.symbols("k j a", integer=True, positive=True)
    classes = sp.Symbol("K", integer=True, positive=True)
    y = sp.Symbol("y", integer=True, positive=True)
    z = sp.IndexedBase(sp.Symbol("z", real=True))
    zs = sp.Symbol("z", real=True)
    expr = sp.log(sp.Sum(sp.exp(z[j]), (j, 1, classes))) - z[y] + sp.KroneckerDelta(a, y) / classes
    assert vectorise(expr, [y], zs, classes) == (
        sp.log(ClassSum(sp.exp(zs))) - Gather(zs, y) + OneHot(y, zs) / ClassCount(zs)
    )
    with pytest.raises(DeriveError, match="two class indices"):
        vectorise(sp.Sum(z[j] * z[k], (j, 1, classes)), [y], zs, classes)
    with pytest.raises(DeriveError, match="label used as a number"):
        vectorise(z[y] * y, [y], zs, classes)


def test_torch_bounds_take_numbers_and_fixed_parameters() -> None:
    import torch

    from derive.codegen import StableTorchPrinter

    r = sp.Symbol("r", real=True)
    delta = sp.Symbol("delta", positive=True)
    printer = StableTorchPrinter({"arrays": frozenset({"r"})})
    assert printer.doprint(sp.Min(r, delta)) == "torch.clamp(r, max=delta)"
    assert printer.doprint(sp.Max(r, 0)) == "torch.clamp(r, min=0)"
    fn = _module("torch", sp.Min(sp.Abs(r), delta), [r])
    assert fn.__code__.co_varnames[:1] == ("r",)
    values = torch.tensor([-3.0, 0.5], dtype=torch.float64)
    namespace = {"torch": torch, "r": values, "delta": 1.0}
    got = eval(printer.doprint(sp.Min(sp.Abs(r), delta)), namespace)
    assert got.tolist() == [1.0, 0.5]


def test_softmax_and_log_softmax_forms() -> None:
    from derive.codegen import ClassLogSumExp, Gather, LogSoftmax, Softmax, stable

    z = sp.Symbol("z", real=True)
    y = sp.Symbol("y", integer=True)
    assert stable(sp.exp(z - ClassLogSumExp(z))) == Softmax(z)
    cross_entropy = ClassLogSumExp(z) - Gather(z, y)
    # only where the backend has a fused log_softmax
    assert stable(cross_entropy) == cross_entropy
    assert stable(cross_entropy, (LogSoftmax,)) == -Gather(LogSoftmax(z), y)


def test_torch_prints_huber_as_its_own_loss() -> None:
    import torch

    from derive.codegen import StableTorchPrinter
    from derive.functions import huber

    f, y = sp.symbols("f y", real=True)
    printer = StableTorchPrinter({"arrays": frozenset({"f", "y"})})
    text = printer.doprint(huber(f - y, sp.Rational(3, 2)))
    assert text == 'torch.nn.functional.huber_loss(f, y, reduction="none", delta=3/2)'
    fs = torch.tensor([-3.0, 0.5, 4.0], dtype=torch.float64)
    ys = torch.zeros(3, dtype=torch.float64)
    got = eval(text, {"torch": torch, "f": fs, "y": ys})
    # δ(|r| − δ/2) in the tails, r²/2 in the middle
    expected = torch.tensor([1.5 * (3 - 0.75), 0.125, 1.5 * (4 - 0.75)], dtype=torch.float64)
    torch.testing.assert_close(got, expected)


def test_torch_prints_a_squared_difference_of_arrays_as_fused_mse() -> None:
    """(y − f)² of two array arguments is torch's one-kernel mse_loss, with the same values
    and gradients; a square involving a number or a non-array stays a power."""
    import torch

    from derive.codegen import StableTorchPrinter

    f, y, s = sp.symbols("f y s", real=True)
    printer = StableTorchPrinter({"arrays": frozenset({"f", "y"})})
    text = printer.doprint((y - f) ** 2)
    assert text == 'torch.nn.functional.mse_loss(y, f, reduction="none")'
    assert "mse_loss" not in printer.doprint((y - 1) ** 2)
    assert "mse_loss" not in printer.doprint((y - s) ** 2)
    gen = torch.Generator().manual_seed(3)
    fs = torch.randn(50, dtype=torch.float64, generator=gen, requires_grad=True)
    ys = torch.randn(50, dtype=torch.float64, generator=gen, requires_grad=True)
    got = eval(text, {"torch": torch, "f": fs, "y": ys})
    expected = (ys - fs) ** 2
    assert torch.equal(got, expected)
    grads = torch.autograd.grad(got.sum(), (fs, ys))
    assert torch.equal(grads[0], 2 * (fs - ys)) and torch.equal(grads[1], 2 * (ys - fs))


def test_a_weight_that_may_be_zero_guards_its_log_and_its_quotient() -> None:
    """y·log p → XLogY, (1 − y)·log(1 − p) → XLog1PY, y/p → XDivY when y may be 0; a
    weight that is never 0 keeps the plain product."""
    from derive.codegen import XDivY, XLog1PY, XLogY, stable

    y = sp.Symbol("y", integer=True, nonnegative=True)
    p = sp.Symbol("p", positive=True)
    s = sp.Symbol("s", positive=True)
    assert stable(-y * sp.log(p)) == -XLogY(y, p)
    assert stable((1 - y) * sp.log(1 - p)).has(XLog1PY)
    assert stable(y / p) == XDivY(y, p)
    assert not stable(s * sp.log(p)).has(XLogY)
    assert not stable(sp.log(p) / 2).has(XLogY)
    assert not stable(s / p).has(XDivY)


def test_torch_huber_takes_one_delta_or_a_delta_per_sample() -> None:
    """torch's huber_loss takes δ as a float or a 0-d tensor: the emitted module calls it for
    one δ (one fused kernel) and writes Huber out for an array of δ."""
    import torch

    from derive import derive

    fn = derive("huber").to_function("torch")
    assert "huber_loss" in fn.source
    fs = torch.tensor([-3.0, 0.5, 4.0], dtype=torch.float64)
    ys = torch.zeros(3, dtype=torch.float64)
    deltas = torch.tensor([1.5, 1.5, 0.5], dtype=torch.float64)
    expected = torch.tensor([1.5 * (3 - 0.75), 0.125, 0.5 * (4 - 0.25)], dtype=torch.float64)
    torch.testing.assert_close(fn.loss(fs, ys, deltas), expected)
    one = torch.nn.functional.huber_loss(fs, ys, reduction="none", delta=1.5)
    torch.testing.assert_close(fn.loss(fs, ys, 1.5), one)
