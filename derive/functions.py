"""The few named functions a derivation uses: the logistic sigmoid, softplus and Huber's.

They are SymPy ``Function`` subclasses so that a derivation can *say* σ(z),
softplus(z) and huber_δ(r) — the names practitioners know — while every claim
about them stays checkable: each has its derivative (``fdiff``), its sign and
realness, and a rewrite to core SymPy (``rewrite(exp)`` / ``rewrite(log)`` /
``rewrite(Piecewise)``) that :func:`to_core` applies before serialising or
evaluating.

- ``sigmoid(z) = 1 / (1 + e^{-z})``, σ' = σ(1 − σ), values in (0, 1).
- ``softplus(z) = log(1 + e^{z})``, softplus' = σ, values in (0, ∞).
- ``huber(r, δ) = r²/2`` for |r| < δ and ``δ·(|r| − δ/2)`` otherwise (δ > 0), the
  function ``torch.nn.HuberLoss(delta=δ)`` applies to r = input − target;
  its derivative in r is r clipped to [−δ, δ], its second derivative the indicator
  of |r| < δ; values in [0, ∞). It is a named atom, not a ``Piecewise``, because
  SymPy's sums and products fold a ``Piecewise`` summand into a ``Piecewise`` of
  sums, which the rules and proofs cannot take apart term by term.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp
from sympy.core.logic import fuzzy_and

__all__ = ["DEFINED", "huber", "sigmoid", "softplus", "to_core"]


class _RealToPositive(sp.Function):
    """What σ and softplus share: real and positive on real arguments, numeric
    evaluation through their core-SymPy form, and a LaTeX name."""

    nargs = 1
    latex_name: ClassVar[str] = ""
    meaning: ClassVar[str] = ""  # what a proof says it is, where it defines it

    @classmethod
    def definition(cls, u: sp.Symbol) -> sp.Expr:
        """The core-SymPy form of the function of ``u``, its terms in the order a proof
        writes them (print it as written)."""
        raise NotImplementedError

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
    meaning = "the logistic sigmoid"

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

    @classmethod
    def definition(cls, u: sp.Symbol) -> sp.Expr:
        return sp.Pow(sp.Add(1, sp.exp(-u), evaluate=False), -1, evaluate=False)


class softplus(_RealToPositive):  # noqa: N801
    """softplus(z) = log(1 + e^{z}); domain ℝ, range (0, ∞)."""

    latex_name = r"\operatorname{softplus}"
    meaning = "a smooth rectifier"

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(z))

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(z))

    @classmethod
    def definition(cls, u: sp.Symbol) -> sp.Expr:
        return sp.log(sp.Add(1, sp.exp(u), evaluate=False), evaluate=False)


class huber(sp.Function):  # noqa: N801
    """huber(r, δ) = r²/2 for |r| < δ, δ·(|r| − δ/2) otherwise; δ > 0, values in [0, ∞)."""

    nargs = 2

    @classmethod
    def eval(cls, r: sp.Expr, delta: sp.Expr) -> sp.Expr | None:
        """huber is even: huber(−r, δ) is written huber(r, δ) (huber(y − f) as huber(f − y),
        input minus target, as PyTorch writes it)."""
        if r.could_extract_minus_sign():
            return cls(-r, delta)
        return None

    def _eval_is_real(self) -> bool | None:
        r, delta = self.args
        return fuzzy_and([r.is_real, delta.is_positive])

    def _eval_is_nonnegative(self) -> bool | None:
        return self._eval_is_real()

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        r, delta = self.args
        if argindex == 1:  # r clipped to [−δ, δ]
            return sp.Piecewise((-delta, r <= -delta), (r, r < delta), (delta, True))
        return sp.Piecewise((0, sp.Abs(r) < delta), (sp.Abs(r) - delta, True))

    def _eval_rewrite_as_Piecewise(self, r: sp.Expr, delta: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Piecewise((r**2 / 2, sp.Abs(r) < delta), (delta * (sp.Abs(r) - delta / 2), True))

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        if not all(a.is_number for a in self.args):
            return None
        return self.rewrite(sp.Piecewise)._eval_evalf(prec)  # type: ignore[no-any-return]

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        r, delta = (printer._print(a) for a in self.args)
        power = "" if exp is None else "^{%s}" % exp
        return r"\operatorname{huber}_{%s}\left(%s\right)%s" % (delta, r, power)

    def _unicode(self, printer: Any) -> str:
        r, delta = (printer._print(a) for a in self.args)
        sub = "".join(_SUBSCRIPTS.get(c, "") for c in delta)
        head = f"huber{sub}" if len(sub) == len(delta) else f"huber_{delta}"
        return f"{head}({r})"


_SUBSCRIPTS = dict(zip("0123456789./", "₀₁₂₃₄₅₆₇₈₉.⸝", strict=True))


DEFINED: tuple[type[_RealToPositive], ...] = (sigmoid, softplus)
"""The named functions a proof defines where it first uses them."""


def to_core(expr: sp.Expr, piecewise: bool = True) -> sp.Expr:
    """Rewrite the named functions into core SymPy (exp, log, Piecewise), nothing else.

    ``piecewise=False`` keeps the functions whose core form is a ``Piecewise``
    (huber): inside a ``Sum`` SymPy folds a ``Piecewise`` into a ``Piecewise`` of
    sums, which no longer cancels term by term in a proof.
    """
    # each function by its own definition, its argument untouched (``rewrite`` would also
    # turn x**3 inside it into exp(3·log x), complex for x < 0)
    expr = expr.replace(
        lambda e: isinstance(e, (sigmoid, softplus)),
        lambda e: e._eval_rewrite_as_exp(*e.args),
    )
    if not piecewise:
        return expr
    return expr.replace(  # type: ignore[no-any-return]
        lambda e: isinstance(e, huber),
        lambda e: e.rewrite(sp.Piecewise),
    )
