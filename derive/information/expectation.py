"""The expectation E_{y∼P}[g(y)] as a SymPy expression, and its linearity.

:class:`Expectation` is unevaluated data: the integrand, the random variable,
the law's label (``P``, ``Q``), its density and its support. It prints as
𝔼_{y∼P}[g] and is evaluated only by the rules that say how (a moment of the
law, an integral split at the kinks, a sum over the support) and, numerically,
by the step checker.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

__all__ = ["Expectation", "LogBase", "expectations", "linear_terms"]


class Expectation(sp.Expr):
    """E_{y∼P}[g(y)]: args ``(g, y, P, density, low, high)``.

    ``y`` ranges over [low, high] (integers when ``y`` is an integer symbol);
    ``density`` is the density (mass function) of P at ``y``.
    """

    is_commutative = True

    def __new__(
        cls,
        integrand: sp.Expr,
        variable: sp.Symbol,
        label: sp.Symbol,
        density: sp.Expr,
        low: sp.Expr,
        high: sp.Expr,
    ) -> Expectation:
        parts = (integrand, variable, label, density, low, high)
        if not all(isinstance(part, sp.Basic) for part in parts):
            raise TypeError("an expectation is built from SymPy expressions only")
        return sp.Expr.__new__(cls, *parts)  # type: ignore[no-any-return]

    @property
    def integrand(self) -> sp.Expr:
        return self.args[0]  # type: ignore[no-any-return]

    @property
    def variable(self) -> sp.Symbol:
        return self.args[1]  # type: ignore[no-any-return]

    @property
    def label(self) -> sp.Symbol:
        return self.args[2]  # type: ignore[no-any-return]

    @property
    def density(self) -> sp.Expr:
        return self.args[3]  # type: ignore[no-any-return]

    @property
    def bounds(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[4], self.args[5]

    @property
    def discrete(self) -> bool:
        return bool(self.variable.is_integer)

    @property
    def free_symbols(self) -> set[sp.Basic]:  # type: ignore[override]
        inner = self.integrand.free_symbols | self.density.free_symbols
        inner |= self.args[4].free_symbols | self.args[5].free_symbols
        return inner - {self.variable}

    def with_integrand(self, integrand: sp.Expr) -> Expectation:
        return Expectation(integrand, *self.args[1:])

    def _eval_is_extended_real(self) -> bool | None:
        return self.integrand.is_extended_real  # type: ignore[no-any-return]

    def _sympystr(self, printer: sp.printing.str.StrPrinter) -> str:
        return f"E_{self.label}[{printer._print(self.integrand)}]"


class LogBase(sp.Function):
    """log_b x, kept unevaluated (SymPy's ``log(x, b)`` is at once log x / log b)."""

    nargs = 2

    @classmethod
    def eval(cls, x: sp.Expr, base: sp.Expr) -> None:
        return None

    def _eval_is_extended_real(self) -> bool | None:
        x, base = self.args
        if x.is_positive and base.is_positive:
            return True
        return None


def expectations(expr: sp.Basic) -> Iterator[Expectation]:
    """Every expectation in ``expr``, outermost first, each once."""
    seen: set[sp.Basic] = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, Expectation) and node not in seen:
            seen.add(node)
            yield node


def _expanded(expr: sp.Expr) -> sp.Expr:
    return sp.expand(  # type: ignore[no-any-return]
        expr, log=False, power_exp=False, power_base=False, multinomial=True
    )


def linear_terms(expr: sp.Expr, variable: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
    """``expr`` = Σ c·φ as (c, φ) pairs: c free of ``variable``, φ a function of it (1 if none).

    A finite sum Σ_k of such terms is kept as one φ whose own summand is
    linearised by the caller (the expectation passes inside the sum).
    """
    pairs: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(_expanded(expr)):
        coefficient, rest = term.as_independent(variable, as_Add=False)
        pairs[rest] = pairs.get(rest, sp.S.Zero) + coefficient
    return [(c, phi) for phi, c in pairs.items() if c != 0]
