"""Readable Unicode math for the terminal, as a subclass of SymPy's ``StrPrinter``."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

__all__ = ["GREEK", "UnicodePrinter", "unicode"]

GREEK = dict(
    zip(
        (
            "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
            "sigma tau upsilon phi chi psi omega Delta Theta Lambda Xi Pi Sigma Phi Psi Omega"
        ).split(),
        "αβγδεζηθικλμνξπρστυφχψωΔΘΛΞΠΣΦΨΩ",
        strict=True,
    )
)
_SUB = dict(zip("0123456789aehijklmnoprstuvx+-=()", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₊₋₌₍₎"))
_SUP = dict(zip("0123456789nKik+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹ⁿᴷⁱᵏ⁺⁻⁼⁽⁾"))


def _script(text: str, table: dict[str, str]) -> str | None:
    return "".join(table[c] for c in text) if all(c in table for c in text) else None


class UnicodePrinter(StrPrinter):
    """σ for sigma, yᵢ for y[i], Σᵢ₌₁ⁿ for sums, x² for squares, · for products."""

    printmethod = "_unicode"

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = expr.name
        if "_" in name:
            head, tail = name.split("_", 1)
            sub = _script(tail, _SUB)
            return GREEK.get(head, head) + (sub if sub else "_" + tail)
        return GREEK.get(name, name)

    def _print_gamma(self, expr: sp.Expr) -> str:
        return f"Γ({self._print(expr.args[0])})"

    def _print_factorial(self, expr: sp.Expr) -> str:
        arg = expr.args[0]
        inner = self._print(arg)
        return f"{inner}!" if arg.is_Atom or isinstance(arg, sp.Indexed) else f"({inner})!"

    def _print_binomial(self, expr: sp.Expr) -> str:
        n, k = (self._print(a) for a in expr.args)
        return f"C({n}, {k})"

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return self._print(expr.label)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base = self._print(expr.base)
        parts = [self._print(index) for index in expr.indices]
        sub = _script("".join(parts), _SUB)
        if sub is not None:
            return base + sub
        return f"{base}[{', '.join(parts)}]"

    def _limits(self, symbol: str, expr: Any) -> str:
        out = ""
        for index, lower, upper in reversed(expr.limits):
            low = f"{self._print(index)}={self._print(lower)}"
            sub = _script(low, _SUB)
            sup = _script(self._print(upper), _SUP)
            out += (symbol + sub + sup) if sub and sup else f"{symbol}[{low}..{self._print(upper)}]"
        return out

    def _print_Sum(self, expr: sp.Sum) -> str:
        body = self._print(expr.function)
        if isinstance(expr.function, (sp.Add, sp.Sum)) or body.startswith("-"):
            body = f"({body})"
        return f"{self._limits('Σ', expr)} {body}"

    def _print_Product(self, expr: sp.Product) -> str:
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = f"({body})"
        return f"{self._limits('∏', expr)} {body}"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if isinstance(base, sp.Sum) and exp.is_Integer and exp < 0:
            # 1/(Σⱼ eᶻʲ)², not Σⱼ eᶻʲ^(−2), which reads as a sum of powers
            inverse = sp.Pow(base, -exp, evaluate=False)
            return f"1/({self._print(base)})" if exp == -1 else f"1/{self._print(inverse)}"
        if exp == sp.S.Half:
            return f"√({self._print(base)})"
        if exp == -sp.S.Half:
            return f"1/√({self._print(base)})"
        if exp.is_Integer and int(exp) > 1:
            sup = _script(str(exp), _SUP)
            if sup is not None:
                if isinstance(base, sp.Sum):  # (Σⱼ eᶻʲ)², not Σⱼ eᶻʲ² (the square of a term)
                    return f"({self._print(base)}){sup}"
                return self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Pow"]) + sup
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Mul(self, expr: sp.Mul) -> str:
        return super()._print_Mul(expr).replace("*", "·")

    def _print_Abs(self, expr: sp.Abs) -> str:
        # |f − y| = |y − f|: print the form that does not open with a minus sign.
        text = self._print(expr.args[0])
        if text.startswith("-"):
            text = self._print(-expr.args[0])
        return f"|{text}|"

    def _print_Max(self, expr: sp.Max) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: sp.Min) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_sigmoid(self, expr: sp.Function) -> str:
        return f"σ({self._print(expr.args[0])})"

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "e"

    def _print_Pi(self, expr: sp.Basic) -> str:
        return "π"

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        return super()._print_Add(expr, order).replace(" - ", " − ")

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        a, b = (self._print(x) for x in expr.args)
        return f"[{a} = {b}]"

    # ------------------------------------------------- information theory

    def _print_Expectation(self, expr: sp.Expr) -> str:
        """𝔼_{y∼P}[g]: the expectation of g(y) under the law P."""
        integrand, variable, label = expr.args[:3]
        inner = self._print(integrand)
        return f"𝔼_{{{self._print(variable)}∼{self._print(label)}}}[{inner}]"

    def _print_LogBase(self, expr: sp.Expr) -> str:
        """log₂(x), log₁₀(x)."""
        x, base = expr.args
        shown = self._print(base)
        sub = _script(shown, _SUB)
        head = f"log{sub}" if sub is not None else f"log_{shown}"
        return f"{head}({self._print(x)})"

    def _print_Quantity(self, expr: sp.Expr) -> str:
        """H(P), H(P, Q), KL(P‖Q)."""
        names = [self._print(law) for law in expr.args[1:]]
        if str(expr.args[0]) == "kl":
            return f"KL({'‖'.join(names)})"
        return f"H({', '.join(names)})"

    def _print_Equality(self, expr: sp.Basic) -> str:
        return f"{self._print(expr.args[0])} = {self._print(expr.args[1])}"

    def _print_Unequality(self, expr: sp.Basic) -> str:
        return f"{self._print(expr.args[0])} ≠ {self._print(expr.args[1])}"

    def _print_LessThan(self, expr: sp.Basic) -> str:
        return f"{self._print(expr.args[0])} ≤ {self._print(expr.args[1])}"

    def _print_GreaterThan(self, expr: sp.Basic) -> str:
        return f"{self._print(expr.args[0])} ≥ {self._print(expr.args[1])}"

    def _print_Contains(self, expr: sp.Basic) -> str:
        element, where = expr.args
        return f"{self._print(element)} ∈ {self._print(where)}"

    def _print_Reals(self, expr: sp.Basic) -> str:
        return "ℝ"

    def _print_Interval(self, expr: sp.Interval) -> str:
        left = "(" if expr.left_open else "["
        right = ")" if expr.right_open else "]"
        return f"{left}{self._print(expr.start)}, {self._print(expr.end)}{right}"

    def _print_Infinity(self, expr: sp.Basic) -> str:
        return "∞"

    def _print_NegativeInfinity(self, expr: sp.Basic) -> str:
        return "−∞"

    def _print_Range(self, expr: sp.Range) -> str:
        """{0, 1}, {0, 1, 2, …}, {1, 2, …, K}: the integers a discrete law lives on."""
        start, stop = expr.start, expr.stop
        last = stop - 1
        first = [self._print(start + offset) for offset in range(2)]
        if stop.is_infinite:
            return "{" + ", ".join(first) + ", …}"
        if (last - start).is_Integer and int(last - start) <= 2:
            count = int(last - start) + 1
            return "{" + ", ".join(self._print(start + o) for o in range(count)) + "}"
        return "{" + ", ".join(first) + f", …, {self._print(last)}}}"


def unicode(expr: sp.Basic, order: str = "rev-lex") -> str:
    """``expr`` as one line of readable Unicode math (terms in ``order``)."""
    text: str = UnicodePrinter({"order": order}).doprint(expr)
    return text.replace("-", "−")
