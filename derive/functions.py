"""The few named functions a derivation uses: the logistic sigmoid and softplus.

They are SymPy ``Function`` subclasses so that a derivation can *say* σ(z)
and softplus(z) — the names practitioners know — while every claim about
them stays checkable: each has its derivative (``fdiff``), its positivity
and realness, and a rewrite to core SymPy (``rewrite(exp)`` / ``rewrite(log)``)
that :func:`to_core` applies before serialising or proving.

- ``sigmoid(z) = 1 / (1 + e^{-z})``, σ' = σ(1 − σ), values in (0, 1).
- ``softplus(z) = log(1 + e^{z})``, softplus' = σ, values in (0, ∞).
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp

__all__ = ["sigmoid", "softplus", "to_core"]


class _RealToPositive(sp.Function):
    """What σ and softplus share: real and positive on real arguments, numeric
    evaluation through their core-SymPy form, and a LaTeX name."""

    nargs = 1
    latex_name: ClassVar[str] = ""

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real  # type: ignore[no-any-return]

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_real  # type: ignore[no-any-return]

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        if not self.args[0].is_number:
            return None
        return self.rewrite(sp.exp)._eval_evalf(prec)  # type: ignore[no-any-return]

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        power = "" if exp is None else "^{%s}" % exp
        return r"%s\left(%s\right)%s" % (self.latex_name, printer._print(self.args[0]), power)


class sigmoid(_RealToPositive):  # noqa: N801 - named like SymPy's own functions
    """σ(z) = 1 / (1 + e^{−z}); domain ℝ, range (0, 1)."""

    latex_name = r"\sigma"

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))


class softplus(_RealToPositive):  # noqa: N801
    """softplus(z) = log(1 + e^{z}); domain ℝ, range (0, ∞)."""

    latex_name = r"\operatorname{softplus}"

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(z))

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(z))


def to_core(expr: sp.Expr) -> sp.Expr:
    """Rewrite the named functions into core SymPy (exp, log), nothing else."""
    # each function by its own definition, its argument untouched (``rewrite`` would also
    # turn x**3 inside it into exp(3·log x), complex for x < 0)
    return expr.replace(  # type: ignore[no-any-return]
        lambda e: isinstance(e, (sigmoid, softplus)),
        lambda e: e._eval_rewrite_as_exp(*e.args),
    )
