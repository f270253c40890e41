"""Numerical code for derived expressions, through SymPy's own ``NumPyPrinter``.

Named functions print in numerically stable forms: softplus(z) as
``numpy.logaddexp(0, z)`` and σ(z) as ``exp(-logaddexp(0, -z))``, so a saturated
logit (|z| ≥ 30) evaluates without overflow or cancellation; huber_δ(r) prints
as its two branches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pytorch import TorchPrinter

__all__ = ["StableNumPyPrinter", "StableTorchPrinter", "numpy_function", "torch_function"]


class StableNumPyPrinter(NumPyPrinter):
    """NumPy code with stable softplus and sigmoid."""

    def _print_softplus(self, expr: sp.Function) -> str:
        return f"numpy.logaddexp(0, {self._print(expr.args[0])})"

    def _print_sigmoid(self, expr: sp.Function) -> str:
        return f"numpy.exp(-numpy.logaddexp(0, -({self._print(expr.args[0])})))"

    def _print_gamma(self, expr: sp.Function) -> str:
        """Γ elementwise (NumPy has none; ``math.gamma`` takes one number at a time)."""
        return f"numpy.vectorize(math.gamma)({self._print(expr.args[0])})"

    def _print_loggamma(self, expr: sp.Function) -> str:
        return f"numpy.vectorize(math.lgamma)({self._print(expr.args[0])})"

    def _print_factorial(self, expr: sp.Function) -> str:
        """x! = Γ(x + 1), elementwise."""
        return f"numpy.vectorize(math.gamma)({self._print(expr.args[0] + 1)})"

    def _print_binomial(self, expr: sp.Function) -> str:
        """C(n, k) = exp(log Γ(n + 1) − log Γ(k + 1) − log Γ(n − k + 1)), elementwise."""
        n, k = expr.args
        lgamma = "numpy.vectorize(math.lgamma)"
        terms = [
            f"{lgamma}({self._print(n + 1)})",
            f"{lgamma}({self._print(k + 1)})",
            f"{lgamma}({self._print(n - k + 1)})",
        ]
        return f"numpy.exp({terms[0]} - {terms[1]} - {terms[2]})"

    def _print_erf(self, expr: sp.Function) -> str:
        """erf elementwise (in Huber's normaliser; NumPy has none)."""
        return f"numpy.vectorize(math.erf)({self._print(expr.args[0])})"

    def _print_huber(self, expr: sp.Function) -> str:
        return self._print(expr.rewrite(sp.Piecewise))  # type: ignore[no-any-return]


def numpy_function(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> Callable[..., Any]:
    """A NumPy function of ``symbols`` computing ``expr`` (an expression derive built)."""
    return sp.lambdify(
        list(symbols), expr, modules=[{"math": math}, "numpy"], printer=StableNumPyPrinter
    )


class StableTorchPrinter(TorchPrinter):
    """PyTorch code with torch's own stable softplus and sigmoid (differentiable by autograd)."""

    def _print_softplus(self, expr: sp.Function) -> str:
        return f"torch.nn.functional.softplus({self._print(expr.args[0])})"

    def _print_sigmoid(self, expr: sp.Function) -> str:
        return f"torch.sigmoid({self._print(expr.args[0])})"

    def _print_huber(self, expr: sp.Function) -> str:
        return self._print(expr.rewrite(sp.Piecewise))  # type: ignore[no-any-return]


def torch_function(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> Callable[..., Any]:
    """A PyTorch function of ``symbols`` computing ``expr`` (requires the torch extra)."""
    return sp.lambdify(list(symbols), expr, modules="torch", printer=StableTorchPrinter)
