"""Readable Unicode math for the terminal, as a subclass of SymPy's ``StrPrinter``."""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp
from sympy.printing.str import StrPrinter

__all__ = ["GREEK", "SAMPLE", "UnicodePrinter", "absolute_argument", "natural_order", "unicode"]

SAMPLE = sp.Symbol("i", integer=True, positive=True)  # the sample index (docs/notation.md)

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
NAMES = {"ell": "ℓ", "ell_MSE": "ℓ_MSE"}  # the loss, as the proofs name it
_SUB = dict(zip("0123456789aehijklmnoprstuvx+-=()", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₊₋₌₍₎"))
_SUP = dict(zip("0123456789nKik+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹ⁿᴷⁱᵏ⁺⁻⁼⁽⁾"))


def _class_numbers(term: sp.Basic) -> tuple[int, ...]:
    """The classes a term is about: the numbers its numbered names (z_2, z_2[i], z[2])
    carry most often. (exp(z₃)/(exp(z₁) + exp(z₂) + exp(z₃)) − t₃)² is about class 3;
    a term that names every class equally often is about none."""
    counts: dict[int, int] = {}
    for node in sp.preorder_traversal(term):
        numbers: list[int] = []
        if isinstance(node, sp.Indexed):
            numbers = [int(x) for x in node.indices if x.is_Integer]
            name = node.base.label.name
        elif isinstance(node, sp.Symbol):
            name = node.name
        else:
            continue
        tail = name.rpartition("_")[2]
        if "_" in name and tail.isdigit():
            numbers.append(int(tail))
        for number in numbers:
            counts[number] = counts.get(number, 0) + 1
    if not counts:
        return ()
    top = max(counts.values())
    about = tuple(sorted(n for n, c in counts.items() if c == top))
    return () if len(counts) > 1 and len(about) == len(counts) else about


def natural_order(terms: list[sp.Basic]) -> list[sp.Basic]:
    """Terms in the order a paper writes them: classes ascending (exp(z₁) + exp(z₂) + …),
    and a sum opens with a positive term when it has one (f − y, not −y + f).

    Both the Unicode and the LaTeX printers order their sums with this, on top of
    SymPy's order (which puts y before f, and would put z₃ before z₁).
    """
    terms = list(terms)
    keyed = [_class_numbers(t) for t in terms]
    places = [number for number, key in enumerate(keyed) if key]
    ordered = sorted((key, number) for number, key in enumerate(keyed) if key)
    if len({key for key, _ in ordered}) > 1:
        moved = [terms[number] for _, number in ordered]
        for place, term in zip(places, moved, strict=True):
            terms[place] = term
    if terms and terms[0].could_extract_minus_sign():
        for number, term in enumerate(terms):
            if not term.could_extract_minus_sign():
                terms.insert(0, terms.pop(number))
                break
    return terms


def absolute_argument(arg: sp.Expr) -> sp.Expr:
    """arg or −arg, whichever SymPy's own order opens with a positive term (|y − f|)."""
    if isinstance(arg, sp.Add) and arg.as_ordered_terms("rev-lex")[0].could_extract_minus_sign():
        return -arg
    return -arg if arg.could_extract_minus_sign() else arg


def undouble(text: str) -> str:
    """``text`` without doubled brackets: ``/((2·b))`` is ``/(2·b)``."""
    while True:
        start = text.find("((")
        found = False
        while start != -1:
            outer = _closing(text, start)
            inner = _closing(text, start + 1)
            if outer is not None and inner == outer - 1:
                text = text[:start] + text[start + 1 : outer] + text[outer + 1 :]
                found = True
                break
            start = text.find("((", start + 1)
        if not found:
            return text


def _closing(text: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return None


def _script(text: str, table: dict[str, str]) -> str | None:
    return "".join(table[c] for c in text) if all(c in table for c in text) else None


class UnicodePrinter(StrPrinter):
    """σ for sigma, yᵢ for y[i], Σᵢ₌₁ⁿ for sums, x² for squares, · for products."""

    printmethod = "_unicode"
    _default_settings: ClassVar[dict[str, Any]] = {
        **StrPrinter._default_settings,
        "vectors": frozenset(),  # names of class vectors: their numbered entries print z[1]
    }

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = expr.name
        if name in NAMES:
            return NAMES[name]
        head, _, number = name.partition("_")
        if number.isdigit() and head in self._settings["vectors"]:
            return f"{self._print(sp.Symbol(head))}[{number}]"  # an entry of a class vector
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
        """yᵢ for the sample index; a class entry in brackets: z[k], zᵢ[k], zᵢ[yᵢ], zᵢ[1].

        The subscript is kept for the sample index i (and for numbered names, z₁ or μ₂);
        an index that picks an entry of a class vector is written in brackets, whether
        or not its letter has a Unicode subscript, so one output never shows zₐ beside
        z[b] (see docs/notation.md).
        """
        name = expr.base.label.name
        head, _, number = name.partition("_")
        indices = list(expr.indices)
        classes = [number] if number.isdigit() else []
        if not classes:
            head = name
        base = self._print(sp.Symbol(head))
        if indices and isinstance(indices[0], sp.Symbol) and indices[0].name == SAMPLE.name:
            base += "ᵢ"
            indices = indices[1:]
        classes = [self._print(index) for index in indices] + classes
        return f"{base}[{', '.join(classes)}]" if classes else base

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
        if isinstance(exp, sp.Indexed) and "[" in self._print(exp):
            # x^(tᵢ[k]): the bracket belongs to the exponent
            base_text = self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Pow"])
            return f"{base_text}^({self._print(exp)})"
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Mul(self, expr: sp.Mul) -> str:
        """a·b; a sum among the factors in brackets: (Σᵢ ℓᵢ)/n, not Σᵢ ℓᵢ/n."""
        sums = [a for a in expr.args if isinstance(a, sp.Sum)]
        if not sums or len(expr.args) < 2 or (len(expr.args) == 2 and -1 in expr.args):
            return super()._print_Mul(expr).replace("*", "·")
        holes = {s: sp.Symbol(f"\x00sum{number}\x00") for number, s in enumerate(sums)}
        text: str = super()._print_Mul(expr.xreplace(holes)).replace("*", "·")
        for s, hole in holes.items():
            text = text.replace(self._print(hole), f"({self._print(s)})", 1)
        return text

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """(−1 if f − y ≤ −1; f − y if f − y < 1; 1 otherwise): the first branch that holds."""
        parts = []
        for value, condition in expr.args:
            shown = self._print(value)
            parts.append(
                f"{shown} otherwise"
                if condition is sp.true
                else f"{shown} if {self._print(condition)}"
            )
        return "(" + "; ".join(parts) + ")"

    def _print_Abs(self, expr: sp.Abs) -> str:
        """|y − f|, not |f − y| or |−y + f|: the sign that puts the target first."""
        return f"|{self._print(absolute_argument(expr.args[0]))}|"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        """∂ℓ/∂f, ∂²ℓ/∂f², ∂²ℓ/∂z[a]∂z[b]; ∇_w ℓ and ∇²_w ℓ for a vector w."""
        variables = [v for v, count in expr.variable_count for _ in range(count)]
        power = "" if len(variables) == 1 else _script(str(len(variables)), _SUP) or ""
        function = self._print(expr.expr)
        if isinstance(variables[0], sp.MatrixSymbol):
            return f"∇{power}_{self._print(variables[0])} {function}"
        parts = []
        for v, count in expr.variable_count:
            exponent = "" if count == 1 else _script(str(count), _SUP) or ""
            parts.append(f"∂{self._print(v)}{exponent}")
        return f"∂{power}{function}/{''.join(parts)}"

    def _print_Transpose(self, expr: sp.Basic) -> str:
        return self.parenthesize(expr.args[0], sp.printing.precedence.PRECEDENCE["Pow"]) + "ᵀ"

    def _print_MatMul(self, expr: sp.Basic) -> str:
        """wᵀx, (σ(z) − y)·x, ℓ''·x xᵀ: vectors side by side, a scalar factor with a dot."""
        out = ""
        previous: sp.Basic | None = None
        for factor in expr.args:
            text = self.parenthesize(factor, sp.printing.precedence.PRECEDENCE["Mul"])
            vector = isinstance(factor, (sp.MatrixSymbol, sp.Transpose))
            if previous is None:
                out = text
            elif vector and isinstance(previous, (sp.MatrixSymbol, sp.Transpose)):
                out += ("" if out.endswith("ᵀ") else " ") + text
            else:
                out += "·" + text
            previous = factor
        return out

    def _print_MatrixBase(self, expr: sp.MatrixBase) -> str:
        rows = (", ".join(self._print(e) for e in expr.row(r)) for r in range(expr.rows))
        return "[" + ", ".join(f"[{row}]" for row in rows) + "]"

    def _print_StrictLessThan(self, expr: sp.Basic) -> str:
        return f"{self._print(expr.args[0])} < {self._print(expr.args[1])}"

    def _print_StrictGreaterThan(self, expr: sp.Basic) -> str:
        return f"{self._print(expr.args[0])} > {self._print(expr.args[1])}"

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

    def _as_ordered_terms(self, expr: sp.Basic, order: str | None = None) -> list[sp.Basic]:
        terms = super()._as_ordered_terms(expr, order)
        if (order or self.order) in ("none", "old"):
            return terms  # type: ignore[no-any-return]
        return natural_order(terms)

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


def unicode(expr: sp.Basic, order: str = "rev-lex", vectors: frozenset[str] = frozenset()) -> str:
    """``expr`` as one line of readable Unicode math (terms in ``order``; the numbered
    entries of the class ``vectors`` as z[1])."""
    text: str = UnicodePrinter({"order": order, "vectors": vectors}).doprint(expr)
    return undouble(text).replace("-", "−")
