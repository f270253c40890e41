"""LaTeX proofs: a statement, the justified steps in ``align*``, and the analysis.

:class:`ProofPrinter` is a SymPy ``LatexPrinter``: expressions go through
SymPy's printer, and derive's own objects print by class dispatch —
``_print_Proof``, ``_print_Derivation``, ``_print_Step``, ``_print_Relation``,
one ``_print_<Rule>`` per law, ``_print_Analysis``, ``_print_Verdict``.
The block layout (headings, paragraphs, displays) is a handful of methods that
:class:`derive.render.markdown.MarkdownPrinter` overrides, so both formats
say the same thing.

Settings, validated on construction:

- ``line_width``: how many characters of a formula a line may hold before it
  breaks at a top-level ``+``/``−`` (20–400, default 62);
- ``standalone``: wrap the proof in a document that ``pdflatex`` compiles
  with amsmath, amssymb and mathtools only;
- ``laws``: list the law of every rule used, after the derivation.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from derive.analysis import Analysis, Comparison, LinearPredictor
from derive.convexity import (
    Affine,
    Composition,
    ConstantHessian,
    Curvature,
    Given,
    HessianWitness,
    MidpointWitness,
    Minors,
    Verdict,
)
from derive.exponential import ExponentialFamily
from derive.functions import DEFINED, sigmoid, softplus
from derive.information.expectation import Expectation, LogBase
from derive.information.rules import ChangeOfBase, CollectTerms, Densities, Linearity, Moment
from derive.render.phrases import Phrase, moment_phrase
from derive.render.prose import prose, prose_text
from derive.render.unicode import absolute_argument, natural_order
from derive.report import conclude
from derive.rules import Rule
from derive.steps import Derivation, Relation, Step

__all__ = ["Proof", "ProofPrinter", "command_line", "render_latex"]

ELL = sp.Symbol("ell")
ELL_MSE = sp.Symbol("ell_MSE")
LOSS = sp.Symbol("loss", commutative=False)  # non-commutative: printed after its factor
THETA = sp.Symbol("theta")
L_OF_THETA = sp.Function("L")(THETA)
NEG_LOG_L = sp.Mul(-1, sp.log(L_OF_THETA, evaluate=False), evaluate=False)
W = sp.MatrixSymbol("w", sp.Symbol("m"), 1)
X = sp.MatrixSymbol("x", sp.Symbol("m"), 1)

_a, _b = sp.symbols("a b", positive=True)
_r, _u, _z = sp.symbols("r u z", real=True)
_j, _m = sp.symbols("j m", integer=True, positive=True)
_A = sp.IndexedBase("a", positive=True)

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{mathtools}
\setlength{\textwidth}{16.5cm}
\setlength{\oddsidemargin}{0cm}
\setlength{\evensidemargin}{0cm}
\setlength{\topmargin}{-1cm}
\setlength{\textheight}{23cm}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
\setlength{\emergencystretch}{3em}
\allowdisplaybreaks
\begin{document}
"""


@dataclass(frozen=True)
class Proof:
    """What a document prints: a derivation and, optionally, its analysis."""

    derivation: Derivation
    analysis: Analysis | None = None


NOTATION_MARK = "\x00notation\x00"  # where the notation paragraph goes (see with_notation)


CODE_WIDTH = 78  # characters of a verbatim line that fit the text width


def wrap_code(line: str, width: int = CODE_WIDTH) -> list[str]:
    """A line of Python broken after a comma inside brackets, each continuation indented
    under its bracket's first argument (still valid Python), when it is wider than
    ``width``; a line with no such comma stays whole."""
    out: list[str] = []
    carried: list[int] = []  # columns of the brackets still open where the line broke
    while len(line) > width:
        quote, cut, kept = "", -1, carried
        opened = list(carried)
        for at, char in enumerate(line[:width]):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "([{":
                opened.append(at)
            elif char in ")]}" and opened:
                opened.pop()
            elif char == "," and opened and line[at + 1 : at + 2] == " ":
                cut, kept = at, list(opened)
        if cut < 0:
            break
        out.append(line[: cut + 1])
        line = " " * (kept[-1] + 1) + line[cut + 2 :]
        carried = kept
    return [*out, line]


def command_line(d: Derivation, compare: str | None = None) -> str:
    """The ``derive`` command that reproduces ``d`` (and its comparison)."""
    family = d.model.family
    if family.source:
        words = ["derive", *(shlex.quote(w) for pair in family.source for w in pair if w)]
    else:
        words = ["derive", family.name]
    if d.link != family.default_link:
        words += ["--link", d.link]
    given = dict(d.options)
    for option in family.options:
        value = given.get(option.name)
        if value is not None and value not in (option.default, option.unset):
            words += [option.flag] if option.switch else [option.flag, value]
    if compare is not None:
        words += ["--loss", compare]
    return " ".join(words)


# The typewriter font has these glyphs itself (OT1 cmtt); \{ would borrow the math font's.
_TT = {
    "\\": r"\char92{}",
    "{": r"\char123{}",
    "}": r"\char125{}",
    "^": r"\char94{}",
    "~": r"\char126{}",
    "'": r"\textquotesingle{}",
}
_BREAK_AFTER = ")}+-,"
LONG_WORD = 30
INLINE_WIDTH = 50  # a likelihood wider than this (visible characters) is displayed

_SIZING = re.compile(r"\\(left|right|bigg?[lr]?|Bigg?[lr]?|displaystyle|operatorname\*?|mathrm)\b")
_COMMAND = re.compile(r"\\[A-Za-z]+")
# commands that print as a word: as wide as the word (\log shows three letters, not one)
_WORD = re.compile(
    r"\\(log|ln|exp|sin|cos|tan|sinh|cosh|tanh|arcsin|arccos|arctan|max|min|sup|inf|lim"
    r"|det|arg|gcd|Pr)\b"
)
# binary operators and relations, set with space on each side: a character more each
_SPACED = re.compile(
    r"\\(cdot|times|pm|mp|sim|leq|geq|neq|le|ge|ne|doteq|propto|approx|equiv|in|to)\b"
    r"|(?<!\\)[-+=<>]"
)
_QUAD = re.compile(r"\\(q?quad)\b")


def _group(tex: str, start: int) -> int:
    """The index after the brace group that opens at ``tex[start]`` (or after one token)."""
    if tex[start : start + 1] != "{":
        return start + 1
    depth = 0
    for at in range(start, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[at], 0)
        if depth == 0:
            return at + 1
    return len(tex)


def _fractions(tex: str) -> str:
    """``\\frac{a}{b}`` as the wider of ``a`` and ``b`` (a fraction stacks them)."""
    while (at := tex.find("\\frac")) >= 0:
        top = at + len("\\frac")
        mid = _group(tex, top)
        end = _group(tex, mid)
        a, b = _fractions(tex[top:mid]), _fractions(tex[mid:end])
        wider = a if visible_width(a) >= visible_width(b) else b
        tex = tex[:at] + "{" + wider + "}" + tex[end:]
    return tex


def visible_width(tex: str) -> int:
    """A rough count of the characters ``tex`` shows (for line breaking only): a word-like
    command (``\\log``) counts its letters, a spaced operator (``+``, ``=``, ``\\cdot``) two,
    a ``\\quad`` two, a fraction its wider part; each estimate errs wide, so a line that
    fits by count fits the page."""
    tex = _fractions(tex)
    tex = _WORD.sub(lambda m: m.group(1), tex)
    tex = _QUAD.sub(lambda m: "xx" if m.group(1) == "quad" else "xxxx", tex)
    spaced = len(_SPACED.findall(tex))
    tex = _SIZING.sub("", tex)
    tex = _COMMAND.sub("x", tex)
    return len(re.sub(r"[\s{}^_&]", "", tex)) + spaced


def _vector(variable: sp.Basic) -> sp.Basic:
    """A class entry z[a] stands for its vector z (a verdict in z[a] is one in z)."""
    return variable.base.label if isinstance(variable, sp.Indexed) else variable


class ProofPrinter(LatexPrinter):
    """SymPy's LaTeX printer, taught derive's objects and a document layout."""

    printmethod = "_latex"
    _default_settings: ClassVar[dict[str, Any]] = {
        **LatexPrinter._default_settings,
        "order": "rev-lex",
        "line_width": 62,
        "standalone": False,
        "laws": True,
    }

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__(settings)
        width = self._settings["line_width"]
        if not isinstance(width, int) or isinstance(width, bool) or not 20 <= width <= 400:
            raise ValueError(f"line_width must be a whole number from 20 to 400, got {width!r}")
        for flag in ("standalone", "laws"):
            if not isinstance(self._settings[flag], bool):
                raise ValueError(f"{flag} must be True or False, got {self._settings[flag]!r}")
        self._symbol_names = {
            ELL: r"\ell",
            ELL_MSE: r"\ell_{\mathrm{MSE}}",
            LOSS: r"\mathrm{loss}",
        }
        self._settings["symbol_names"] = {**self._settings["symbol_names"], **self._symbol_names}

    # ------------------------------------------------------------ layout
    # The few methods the Markdown printer overrides.

    def heading(self, text: str, level: int = 1) -> str:
        command = "section" if level == 1 else "subsection"
        return "\\%s*{%s}" % (command, self.plain(text))

    def plain(self, text: str) -> str:
        """Plain words (no math), escaped."""
        return prose_text(text, "latex")

    def note(self, words: str, extras: list[tuple[str, str]]) -> str:
        """A step's justification: the rule's title and what the step dropped or divided out."""
        text = self.words(words) + "".join(f"; {label} ${tex}$" for label, tex in extras)
        return r"\text{%s}" % text

    def code_note(self, text: str) -> str:
        """Code as a row's note (``\\tag*`` content is text)."""
        return self.code(text)

    def phrase_note(self, phrase: Phrase) -> str:
        """A row's note of words and formulas (a moment: which one, and how it was found)."""
        return r"\text{%s}" % "".join(
            prose_text(part, "latex") if isinstance(part, str) else self.inline(self._print(part))
            for part in phrase
        )

    def phrase_text(self, phrase: Phrase) -> str:
        """Words and formulas in a paragraph."""
        return "".join(
            self.plain(part) if isinstance(part, str) else self.inline(self._print(part))
            for part in phrase
        )

    def justified(self, rows: list[str], note: str) -> list[str]:
        """Rows with the justification tagged on the first (amsmath moves it down if needed)."""
        return [rows[0] + r" \tag*{%s}" % note, *rows[1:]]

    def words(self, sentence: str) -> str:
        """derive's own words, with their math in math mode."""
        return prose(sentence, "latex")

    def with_code(self, sentence: str) -> str:
        """derive's words with the code in backticks set as code."""
        parts = sentence.split("`")
        return "".join(
            self.code(part) if number % 2 else self.words(part) if part.strip() else part
            for number, part in enumerate(parts)
        )

    def inline(self, tex: str) -> str:
        return f"${tex}$"

    def sentence(self, text: str) -> str:
        """derive's words with code between backticks (a library's conventions)."""
        out = []
        for number, part in enumerate(text.split("`")):
            if not part:
                continue
            if number % 2:
                out.append(self.code(part))
                continue
            lead = " " if part.startswith(" ") else ""
            tail = " " if part.endswith(" ") else ""
            out.append(lead + self.words(part.strip()) + tail)
        return "".join(out)

    def code(self, text: str) -> str:
        """Typewriter text: specials by their typewriter glyph, long words breakable.

        A long word (a density's LaTeX in a command line) may break after a closing
        bracket or an operator, so it does not run into the margin.
        """
        words = []
        for word in text.split(" "):
            escaped = []
            for char in word:
                escaped.append(_TT.get(char) or prose_text(char, "latex"))
                if len(word) > LONG_WORD and char in _BREAK_AFTER:
                    escaped.append(r"\allowbreak{}")
            words.append("".join(escaped))
        return r"\texttt{%s}" % " ".join(words)

    def strong(self, text: str) -> str:
        return r"\textbf{%s}" % text

    def ragged(self, text: str) -> str:
        """A paragraph set ragged right (a typewriter command line cannot stretch)."""
        return "{\\raggedright %s\\par}" % text

    def format_flags(self) -> list[str]:
        """The flags that ask ``derive`` for this very output."""
        return ["--format", "latex", *(["--standalone"] if self._settings["standalone"] else [])]

    def generated_by(self, command: str) -> str:
        """The sentence naming the command that prints this output, byte for byte, and the
        place of the notation paragraph (filled in once the whole document is printed)."""
        line = " ".join([command, *self.format_flags()])
        return self.ragged("Generated by " + self.code(line) + ".") + NOTATION_MARK

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, DEFINED):
            self.__dict__.setdefault("used", set()).add(type(expr))
        return super()._print(expr, **kwargs)  # type: ignore[no-any-return]

    def with_notation(self, body: str) -> str:
        """``body`` with, after its first paragraph, the definition of each named function
        it uses (σ, softplus): every symbol is introduced before it is used."""
        used = self.__dict__.pop("used", set())
        u = sp.Symbol("u", real=True)
        definitions = [
            self.inline(r"%s = %s" % (self._print(f(u)), self.as_written(f.definition(u))))
            + ", "
            + self.words(f.meaning)
            for f in DEFINED
            if f in used
        ]
        paragraph = ("\n\n" + "Notation: " + "; ".join(definitions) + ".") if definitions else ""
        return body.replace(NOTATION_MARK, paragraph, 1)

    def display(self, rows: list[str]) -> str:
        """One formula (one row) or an aligned block (several rows with ``&``)."""
        if len(rows) == 1 and "&" not in rows[0]:
            return "\\[\n%s\n\\]" % rows[0]
        return "\\begin{align*}\n%s\n\\end{align*}" % " \\\\\n".join(rows)

    def bullets(self, entries: list[str]) -> str:
        body = "\n".join(r"\item %s" % text for text in entries)
        return "\\begin{itemize}\n%s\n\\end{itemize}" % body

    def code_block(self, text: str) -> str:
        lines = [part for line in text.split("\n") for part in wrap_code(line)]
        return "\\begin{verbatim}\n%s\n\\end{verbatim}" % "\n".join(lines)

    def items(self, entries: list[tuple[str, str]]) -> str:
        body = "\n".join(r"\item[%s] %s" % (label, text) for label, text in entries)
        return "\\begin{description}\n%s\n\\end{description}" % body

    def document(self, body: str) -> str:
        if not self._settings["standalone"]:
            return body + "\n"
        return PREAMBLE + body + "\n\\end{document}\n"

    # ------------------------------------------------------- expressions

    def math(self, expr: sp.Basic) -> str:
        return self._print(expr)  # type: ignore[no-any-return]

    def written(self) -> ProofPrinter:
        """A printer that keeps sums in the order their terms were written."""
        settings = {key: self._settings[key] for key in ("line_width", "standalone", "laws")}
        return type(self)({**settings, "order": "none"})

    def as_written(self, expr: sp.Basic) -> str:
        """``expr`` with sums in the order their terms were written (laws, reductions)."""
        return self.written().math(expr)

    def _as_ordered_terms(self, expr: sp.Basic, order: str | None = None) -> list[sp.Basic]:
        """SymPy's order, then the natural one (classes ascending, a positive term first)."""
        terms = super()._as_ordered_terms(expr, order)
        if (order or self.order) in ("none", "old"):
            return terms  # type: ignore[no-any-return]
        return natural_order(terms)

    def _print_Mul(self, expr: sp.Mul) -> str:
        """A root of a product in a denominator stays one root: 1/√(2πσ²), not
        1/(√2·√π·σ) (SymPy's fraction() re-evaluates the root and splits it)."""
        roots = [
            a
            for a in expr.args
            if isinstance(a, sp.Pow)
            and isinstance(a.base, sp.Mul)
            and a.exp.is_Rational
            and a.exp.is_negative
            and not a.exp.is_Integer
        ]
        if not roots:
            return super()._print_Mul(expr)  # type: ignore[no-any-return]
        rest = sp.Mul(*(a for a in expr.args if a not in roots))
        sign = ""
        if rest.could_extract_minus_sign():
            sign, rest = "- ", -rest
        denominator = r" ".join(self._print(sp.Pow(r.base, -r.exp, evaluate=False)) for r in roots)
        return r"%s\frac{%s}{%s}" % (sign, self._print(rest), denominator)

    def _print_Abs(self, expr: sp.Abs, exp: str | None = None) -> str:
        """|y − f|: the sign of the argument that puts the target first."""
        inner = absolute_argument(expr.args[0])
        if inner is not expr.args[0]:
            expr = sp.Abs(inner, evaluate=False)
        return super()._print_Abs(expr, exp)  # type: ignore[no-any-return]

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        """log a and log L(θ) without brackets around a single symbol or call."""
        arg = expr.args[0]
        if isinstance(arg, (sp.Symbol, sp.Indexed)) or (
            isinstance(arg, sp.Function) and not isinstance(arg, sp.exp)
        ):
            head = r"\log" if exp is None else r"\log^{%s}" % exp
            return r"%s %s" % (head, self._print(arg))
        return super()._print_log(expr, exp)  # type: ignore[no-any-return]

    def _print_AppliedUndef(self, expr: sp.Function, exp: str | None = None) -> str:
        """L(θ): an undefined function applied, with plain brackets."""
        args = ", ".join(self._print(a) for a in expr.args)
        name = self._print(sp.Symbol(expr.func.__name__))
        tex = r"%s(%s)" % (name, args)
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_Transpose(self, expr: sp.Basic) -> str:
        base = self.parenthesize(expr.arg, PRECEDENCE["Pow"])  # type: ignore[attr-defined]
        return r"%s^{\top}" % base

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        """∂ℓ/∂f and ∂²ℓ/∂a∂b with the function in the numerator; ∇_w for a vector w."""
        variables = [v for v, count in expr.variable_count for _ in range(count)]
        if isinstance(variables[0], sp.MatrixSymbol):
            power = "" if len(variables) == 1 else "^{%d}" % len(variables)
            return r"\nabla%s_{%s} %s" % (power, self._print(variables[0]), self._print(expr.expr))
        power = "" if len(variables) == 1 else "^{%d}" % len(variables)
        parts = []
        for v, count in expr.variable_count:
            exponent = "" if count == 1 else "^{%d}" % count
            parts.append(r"\partial %s%s" % (self._print(v), exponent))
        return r"\frac{\partial%s %s}{%s}" % (power, self._print(expr.expr), " ".join(parts))

    def _limit_head(self, symbol: str, limit: tuple[sp.Basic, ...]) -> str:
        index, low, high = (self._print(part) for part in limit)
        return r"%s_{%s=%s}^{%s} " % (symbol, index, low, high)

    def _print_Sum(self, expr: sp.Sum) -> str:
        """Σ_i Σ_k …: several limits print as nested sums, the outermost first."""
        if len(expr.limits) == 1:
            body = expr.function
            if isinstance(body, sp.Mul) and body.could_extract_minus_sign():
                # Σ (−x), not Σ −x
                return self._limit_head(r"\sum", expr.limits[0]) + r"\left(%s\right)" % (
                    self._print(body)
                )
            return super()._print_Sum(expr)  # type: ignore[no-any-return]
        inner = sp.Sum(expr.function, *expr.limits[:-1])
        return self._limit_head(r"\sum", expr.limits[-1]) + self._print(inner)

    def _print_Product(self, expr: sp.Product) -> str:
        if len(expr.limits) == 1:
            return super()._print_Product(expr)  # type: ignore[no-any-return]
        inner = sp.Product(expr.function, *expr.limits[:-1])
        return self._limit_head(r"\prod", expr.limits[-1]) + self._print(inner)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        """y_i, z_{i,k}; a class-numbered base q_1[i] prints q_{i,1}."""
        name = expr.base.label.name
        indices = [self._print(index) for index in expr.indices]
        if "_" in name and name.split("_", 1)[1].isdigit():
            head, number = name.split("_", 1)
            return "%s_{%s}" % (self._print(sp.Symbol(head)), ",".join([*indices, number]))
        return "%s_{%s}" % (self._print(sp.Symbol(name)), ",".join(indices))

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: str | None = None) -> str:
        a, b = (self._print(x) for x in expr.args)
        tex = r"\delta_{%s %s}" % (a, b)
        return tex if exp is None else "%s^{%s}" % (tex, exp)

    # ------------------------------------------------- information theory

    def _print_Expectation(self, expr: Expectation) -> str:
        """𝔼_{y∼P}[g]: the expectation of g(y) under the law P."""
        return r"%s\left[%s\right]" % (self._expectation_head(expr), self._print(expr.integrand))

    def _expectation_head(self, expr: Expectation) -> str:
        variable, label = self._print(expr.variable), self._print(expr.label)
        return r"\mathbb{E}_{%s \sim %s}" % (variable, label)

    def _print_LogBase(self, expr: LogBase, exp: str | None = None) -> str:
        """log₂ x, log₁₀(a b): a base-b logarithm, unevaluated."""
        x, base = expr.args
        head = r"\log_{%s}" % self._print(base)
        if exp is not None:
            head += "^{%s}" % exp
        if isinstance(x, (sp.Symbol, sp.Indexed)) or (
            isinstance(x, sp.Function) and not isinstance(x, sp.exp)
        ):
            return r"%s %s" % (head, self._print(x))
        return r"%s{\left(%s \right)}" % (head, self._print(x))

    def _print_Quantity(self, expr: sp.Expr, exp: str | None = None) -> str:
        """H(P), H(P, Q), D_KL(P ‖ Q)."""
        names = [self._print(law) for law in expr.args[1:]]
        if str(expr.args[0]) == "kl":
            tex = r"D_{\mathrm{KL}}\left(%s\right)" % r" \,\|\, ".join(names)
        else:
            tex = r"H\left(%s\right)" % ", ".join(names)
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_Range(self, expr: sp.Range) -> str:
        """{1, 2, …, K} for a symbolic K (SymPy prints Range(1, K + 1))."""
        start, stop = expr.start, expr.stop
        if stop.is_infinite or (stop - start).is_Integer:
            return super()._print_Range(expr)  # type: ignore[no-any-return]
        first = ", ".join(self._print(start + offset) for offset in range(2))
        return r"\left\{%s, \ldots, %s\right\}" % (first, self._print(stop - 1))

    def _print_ChangeOfBase(self, rule: ChangeOfBase) -> str:
        rhs = sp.Mul(sp.log(_a), sp.Pow(sp.log(_b), -1), evaluate=False)
        return self._law(LogBase(_a, _b), rhs, "for a > 0, b > 0 and b ≠ 1")

    def _print_Densities(self, rule: Densities) -> str:
        names = [self.inline(self._print(name)) for name, _ in rule.densities]
        if len(names) == 1:
            return names[0] + " is the density (mass function) of the law, as stated above."
        return (
            " and ".join(names)
            + " are the densities (mass functions) of the laws, as stated above."
        )

    def _print_Linearity(self, rule: Linearity) -> str:
        y, label = sp.Symbol("y", real=True), sp.Symbol("P")
        u, v = sp.Function("u")(y), sp.Function("v")(y)

        def mean(g: sp.Expr) -> Expectation:
            return Expectation(g, y, label, sp.Function("p")(y), -sp.oo, sp.oo)

        lhs = mean(sp.Add(sp.Mul(_a, u), sp.Mul(_b, v), evaluate=False))
        rhs = sp.Add(sp.Mul(_a, mean(u)), sp.Mul(_b, mean(v)), evaluate=False)
        law = self.inline(self.as_written(sp.Eq(lhs, rhs, evaluate=False)))
        constant = self.inline(self.as_written(sp.Eq(mean(sp.Symbol("c")), sp.Symbol("c"))))
        return (
            law
            + " and "
            + constant
            + " "
            + self.words("for a, b and c free of y")
            + "; the expectation of a finite sum is the sum of the expectations."
        )

    def _print_Moment(self, rule: Moment) -> str:
        assert rule.term is not None
        tex = self.as_written(sp.Eq(rule.term, rule.value, evaluate=False))
        how = self.phrase_text(moment_phrase(rule))
        if visible_width(tex) <= INLINE_WIDTH:
            return self.inline(tex) + ", " + how + "."
        # a long value: displayed, broken where it can break
        rows = self.written().equation(self.as_written(rule.term), "=", rule.value)
        return how[:1].upper() + how[1:] + ":\n\n" + self.display(rows)

    def _print_CollectTerms(self, rule: CollectTerms) -> str:
        lhs = sp.Add(
            sp.Mul(sp.Symbol("c"), sp.log(_a)),
            sp.Mul(-1, sp.Symbol("c"), sp.log(_b), evaluate=False),
            evaluate=False,
        )
        rhs = sp.Mul(sp.Symbol("c"), sp.log(_a / _b, evaluate=False), evaluate=False)
        return (
            self._law(lhs, rhs, "for a, b > 0")[:-1]
            + ", and fractions over one denominator; the collected form is proved equal "
            "to the expression before it."
        )

    def pieces(self, expr: sp.Basic) -> list[str]:
        """``expr`` printed as pieces that may each start a new line; joined they read as one."""
        if isinstance(expr, sp.Add):
            out: list[str] = []
            for number, term in enumerate(self._as_ordered_terms(expr, order=None)):
                sign = ""
                if number and term.could_extract_minus_sign():
                    sign, term = " - ", -term
                elif number:
                    sign = " + "
                if isinstance(term, sp.Add):  # a bracketed sum: it breaks inside its brackets
                    parts = self._headed("", term)
                elif self._needs_add_brackets(term):
                    parts = [r"\left(%s\right)" % self._print(term)]
                else:
                    parts = self.pieces(term)
                if sign == " + " and parts[0].startswith("- "):  # a + (−b c): a − b c
                    sign, parts[0] = " - ", parts[0][2:]
                out += [sign + parts[0], *parts[1:]]
            return out
        if isinstance(expr, sp.Mul) and expr.could_extract_minus_sign():
            parts = self.pieces(-expr)
            if len(parts) > 1:
                return ["- " + parts[0], *parts[1:]]
        if isinstance(expr, Expectation):
            parts = self.pieces(expr.integrand)
            if len(parts) > 1:  # a long integrand: breakable brackets
                head = self._expectation_head(expr) + r"\biggl["
                return [head + parts[0], *parts[1:-1], parts[-1] + r"\biggr]"]
            return [self._print(expr)]
        if isinstance(expr, sp.Sum) and len(expr.limits) == 1:
            return self._headed(self._limit_head(r"\sum", expr.limits[0]), expr.function)
        if isinstance(expr, sp.Product):
            inner = sp.Product(expr.function, *expr.limits[:-1]) if len(expr.limits) > 1 else None
            head = self._limit_head(r"\prod", expr.limits[-1])
            body = inner if inner is not None else expr.function
            parts = self.pieces(body)
            if isinstance(body, sp.Add):
                return [self._print(expr)]
            return [head + parts[0], *parts[1:]]
        if isinstance(expr, sp.log) and isinstance(expr.args[0], (sp.Mul, sp.Product)):
            parts = self.pieces(expr.args[0])
            if len(parts) > 1:  # log of a long product: breakable brackets
                return [r"\log\biggl(" + parts[0], *parts[1:-1], parts[-1] + r"\biggr)"]
        if isinstance(expr, sp.Mul):
            coefficient, rest = expr.as_independent(sp.Sum, sp.Add, as_Add=False)
            if coefficient != 1 and isinstance(rest, (sp.Sum, sp.Add)):
                parts = self._headed(self._print(coefficient) + " ", rest)
                if len(parts) > 1:
                    return parts
            factors = self._factors(expr)
            if factors is not None:
                return [factors[0], *(r" \cdot " + f for f in factors[1:])]
        return [self._print(expr)]

    def _factors(self, expr: sp.Mul) -> list[str] | None:
        """The factors of a product of powers, functions and bracketed sums, printed in the
        printer's order (``None`` for a product with a number or a fraction among its factors)."""
        ordered = self._settings["order"] not in ("old", "none")
        args = expr.as_ordered_factors() if ordered else expr.args
        simple = (sp.Pow, sp.Function, sp.Symbol, sp.Indexed, sp.Add)
        if len(args) < 2 or not all(isinstance(a, simple) for a in args):
            return None
        if any(isinstance(a, sp.Pow) and a.exp.could_extract_minus_sign() for a in args):
            return None  # a fraction: the printer writes it as one \frac
        return [self.parenthesize(a, PRECEDENCE["Mul"]) for a in args]

    def _headed(self, head: str, body: sp.Basic) -> list[str]:
        """``head`` then the pieces of ``body``, in breakable brackets when it is a sum."""
        parts = self.pieces(body)
        if isinstance(body, sp.Add):  # an Add has two pieces at least
            return [head + r"\biggl(" + parts[0], *parts[1:-1], parts[-1] + r"\biggr)"]
        return [head + parts[0], *parts[1:]]

    def lines(self, expr: sp.Basic, width: int | None = None) -> list[str]:
        """``expr`` in lines of at most ``width`` visible characters where it can break."""
        limit = width or self._settings["line_width"]
        whole = self._print(expr)
        if visible_width(whole) <= limit:
            return [whole]
        out: list[str] = []
        current = ""
        for piece in self.pieces(expr):
            if current and visible_width(current + piece) > limit:
                out.append(current)
                current = piece.lstrip()
            else:
                current += piece
        out.append(current)
        return out

    def equation(self, lhs: str, relation: str, expr: sp.Basic, aligned: bool = False) -> list[str]:
        """Rows ``lhs & relation expr``, broken where long; one plain row when it fits."""
        width = self._settings["line_width"] - visible_width(lhs) // 2
        parts = self.lines(expr, width)
        if len(parts) == 1 and not aligned:
            return [f"{lhs} {relation} {parts[0]}".strip()]
        rows = [f"{lhs} &{relation} {parts[0]}".strip()]
        rows += [rf"&\quad {part}" for part in parts[1:]]
        return rows

    # ------------------------------------------------- derive's objects

    def _print_Relation(self, relation: Relation) -> str:
        return {
            Relation.EQUAL: "=",
            Relation.UP_TO_CONSTANT: r"\doteq",
            Relation.PROPORTIONAL: r"\propto",
            Relation.ARGMIN_EQUIVALENT: "=",
            Relation.AT_MOST: r"\leq",
        }[relation]

    def justification(self, step: Step) -> str:
        """The rule's title, with what the step dropped or divided out."""
        extras = []
        if step.dropped != 0:
            extras.append(("dropped", self._print(step.dropped)))
        if step.factor != 1 and step.relation is not Relation.ARGMIN_EQUIVALENT:
            factor = sp.StrictGreaterThan(step.factor, 0, evaluate=False)
            extras.append(("factor", self._print(factor)))
        return self.note(step.rule.title or step.rule.name, extras)

    def _print_Step(self, step: Step) -> str:
        return " \\\\\n".join(self.step_rows(step))

    def step_rows(self, step: Step) -> list[str]:
        lhs = self._print(NEG_LOG_L) if step.relation is Relation.ARGMIN_EQUIVALENT else ""
        rows = self.equation(lhs, self._print(step.relation), step.after, aligned=True)
        return self.justified(rows, self.justification(step))

    def derivation_rows(self, d: Derivation) -> list[str]:
        rows: list[str] = []
        for step in d.steps:
            rows += self.step_rows(step)
        return rows

    def _print_Rule(self, rule: Rule) -> str:
        """The law, in the words of the rule's docstring."""
        return self.words(rule.law)

    def _law(self, lhs: sp.Basic, rhs: sp.Basic, condition: str = "") -> str:
        law = self.inline(self.as_written(sp.Eq(lhs, rhs, evaluate=False)))
        return law + (" " + self.words(condition) if condition else "") + "."

    def _print_LogOfIndexedProduct(self, rule: Rule) -> str:
        product = sp.Product(_A[_j], (_j, 1, _m))
        total = sp.Sum(sp.log(_A[_j], evaluate=False), (_j, 1, _m))
        return self._law(sp.log(product, evaluate=False), total, "for a_j > 0")

    def _print_LogOfProduct(self, rule: Rule) -> str:
        rhs = sp.Add(sp.log(_a), sp.log(_b), evaluate=False)
        return self._law(sp.log(_a * _b, evaluate=False), rhs, "for a, b > 0")

    def _print_LogOfPower(self, rule: Rule) -> str:
        rhs = sp.Mul(_r, sp.log(_a), evaluate=False)
        return self._law(sp.log(sp.Pow(_a, _r), evaluate=False), rhs, "for a > 0 and real r")

    def _print_LogOfExp(self, rule: Rule) -> str:
        return self._law(sp.log(sp.exp(_u), evaluate=False), _u, "for real u")

    def _print_LogOnePlusExp(self, rule: Rule) -> str:
        lhs = sp.log(sp.Add(1, sp.exp(_u), evaluate=False), evaluate=False)
        return self._law(lhs, softplus(_u), "for real u")

    def _print_LogOfSigmoid(self, rule: Rule) -> str:
        rhs = sp.Mul(-1, softplus(-_z), evaluate=False)
        return self._law(sp.log(sigmoid(_z), evaluate=False), rhs, "for real z")

    def _print_LogOfOneMinusSigmoid(self, rule: Rule) -> str:
        lhs = sp.log(sp.Add(1, -sigmoid(_z), evaluate=False), evaluate=False)
        return self._law(lhs, sp.Mul(-1, softplus(_z), evaluate=False), "for real z")

    def _print_SoftplusReflection(self, rule: Rule) -> str:
        rhs = sp.Add(softplus(_z), -_z, evaluate=False)
        return self._law(softplus(-_z), rhs, "for real z")

    def _print_SmoothedTargets(self, rule: Rule) -> str:
        eps, classes = sp.Symbol("epsilon", positive=True), sp.Symbol("K", positive=True)
        s, t = sp.IndexedBase("s"), sp.IndexedBase("t")
        i, k = sp.symbols("i k", integer=True)
        rhs = sp.Add((1 - eps) * t[i, k], eps / classes, evaluate=False)
        return self._law(s[i, k], rhs, "where t_{ik} = [k = y_i] is the one-hot target")

    def laws(self, d: Derivation) -> str:
        seen: dict[str, tuple[str, str]] = {}
        for step in d.steps:
            title = self.words(step.rule.title or step.rule.name)
            seen.setdefault(step.rule.name, (title, self._print(step.rule)))
        return self.items(list(seen.values()))

    def statement(self, d: Derivation) -> list[str]:
        """The proposition: the model, −log L as the named loss, and the torch call."""
        v = d.variables
        i = d.sample_index
        blocks: list[str] = []
        density = self._print(d.model.density)
        likelihood = r"L_{%s}(\theta)" % self._print(i)
        predictions = ", ".join(self.inline(self._print(p[i])) for p in v.prediction)
        lead = (
            "Let the observations "
            + self.inline(r"i = 1, \dots, %s" % self._print(d.n))
            + " be independent, observation "
            + self.inline(self._print(i))
            + " with likelihood "
        )
        if visible_width(density) <= INLINE_WIDTH:
            lead += self.inline(r"%s = %s" % (likelihood, density)) + ", where "
        else:  # too long for a line of text: displayed, and broken where it can break
            blocks.append(self.strong("Proposition.") + " " + lead)
            blocks.append(self.display(self.equation(likelihood, "=", d.model.density)))
            lead = "where "
        lead += self.inline(r"\theta") + " stands for the predictions " + predictions
        facts = [
            self.inline(self._print(sp.StrictGreaterThan(s, 0, evaluate=False))) for s in v.nuisance
        ]
        if facts:
            lead += "; " + ", ".join(facts) + (" is" if len(facts) == 1 else " are") + " fixed"
        notes = [self.words(note) for note in d.notes]
        lead += "".join("; " + note for note in notes) + "."
        blocks.append(lead if blocks else self.strong("Proposition.") + " " + lead)
        checks = [
            self.words(check[:1].upper() + check[1:]) + "." for check in d.model.family.checks
        ]
        if checks:
            blocks.append(" ".join(checks))
        conclusion = conclude(d)
        if d.loss is None or conclusion is None:
            blocks.append(
                "Maximising the likelihood is equivalent to minimising the objective below; "
                "it matches no loss in derive's catalogue."
            )
            blocks.append(self.display(self.equation("", "", d.objective)))
            blocks += [
                self.sentence(remark[:1].upper() + remark[1:]) + "." for remark in d.model.remarks
            ]
            return blocks
        loss = d.loss.loss
        blocks.append("Then")
        ell_i = sp.Symbol(f"ell_{i.name}")
        # the form scale·Σ ℓᵢ + offset first (the statement), then −log L written out
        total = conclusion.reductions[0]  # reduction='sum': −log L = scale·Σ ℓᵢ + offset
        ell_sum = sp.Sum(ell_i, (i, 1, d.n))
        form = [ell_sum if total.factor == 1 else sp.Mul(total.factor, ell_sum, evaluate=False)]
        form += [total.offset] if total.offset != 0 else []
        stated = self.written().equation(
            self._print(NEG_LOG_L), "=", sp.Add(*form, evaluate=False), aligned=True
        )
        stated += self.equation("", "=", conclusion.total, aligned=True)
        blocks.append(self.display(stated))
        blocks.append("with")
        blocks.append(self.display(self.equation(self._print(ell_i), "=", d.loss.formula_indexed)))
        blocks.append(
            "Hence maximising the likelihood is equivalent to minimising "
            + self.inline(self._print(sp.Sum(ell_i, (i, 1, d.n))))
            + ": maximum likelihood is minimum "
            + self.words(loss.title)
            + " ("
            + (self.code(loss.torch) if loss.torch else "no class in " + self.code("torch.nn"))
            + ")."
        )
        written = self.written()
        rows: list[str] = []
        for number, r in enumerate(conclusion.reductions):
            terms = [r.factor * LOSS] + ([r.offset] if r.offset != 0 else [])
            rhs = sp.Add(*terms, evaluate=False)
            lhs = self._print(NEG_LOG_L) if number == 0 else ""
            default = " (the default)" if r.reduction == "mean" else ""
            note = self.code_note(f"{loss.reduction(r.reduction)}{default}")
            rows += self.justified(written.equation(lhs, "=", rhs, aligned=True), note)
        blocks.append("In PyTorch, with")
        blocks.append(self.code_block("loss = " + loss.call(d.model)))
        blocks.append(self.display(rows))
        if d.model.label is not None:
            blocks.append(
                "PyTorch numbers classes from 0: pass "
                + self.inline(self.as_written(sp.Add(sp.Symbol("y"), -1, evaluate=False)))
                + " as the class index."
            )
        notes = [self.sentence(text) for text in (*loss.conventions, *d.model.remarks)]
        if notes:
            blocks.append("Conventions of the library:")
            blocks.append(self.bullets([note[:1].upper() + note[1:] + "." for note in notes]))
        return blocks

    def _print_Derivation(self, d: Derivation) -> str:
        return self.derivation_text(d, command_line(d))

    def derivation_text(self, d: Derivation, command: str) -> str:
        """Title, the command that reproduces it, statement, steps and laws."""
        title = f"{d.model.family.name.capitalize()} model, {d.link} link"
        blocks = [
            self.heading(title),
            self.generated_by(command),
            *self.statement(d),
            self.strong("Proof.")
            + " The likelihood of the sample is the product of the observations' likelihoods,",
            self.display(self.equation(self._print(L_OF_THETA), "=", d.likelihood)),
            "Each line below follows from the one before it by the rule on its right. "
            + self.inline(r"\doteq")
            + " means equal up to an additive term free of "
            + self.inline(r"\theta")
            + ", and "
            + self.inline(r"\propto")
            + " equal up to a positive factor free of "
            + self.inline(r"\theta")
            + "; neither changes the minimiser.",
            self.display(self.derivation_rows(d)),
        ]
        if self._settings["laws"]:
            blocks += ["The laws used, in order of first use:", self.laws(d)]
        return "\n\n".join(blocks)

    # --------------------------------------------------------- analysis
    # Written once for every printer of the family (LaTeX, Markdown, text): words go
    # through words()/formula(), expressions through _print, layout through display().

    def formula(self, text: str) -> str:
        """A formula written in derive's Unicode notation (∇²ℓ, Var(T) ≥ 0), as math."""
        return prose(text, "math")

    def brackets(self, text: str) -> str:
        """``(text)`` around printed math, sized to what it holds."""
        return r"\left(%s\right)" % text

    def side_by_side(self, formulas: list[str]) -> str:
        """Formulas on one display line."""
        return r", \qquad ".join(formulas)

    def _points(self, point: tuple[tuple[sp.Basic, sp.Expr], ...]) -> str:
        return ", ".join(
            self.inline(self._print(sp.Eq(s, value, evaluate=False))) for s, value in point
        )

    def _certificate(self, v: Verdict) -> str:
        """The certificate's words and display, chosen by its type."""
        c = v.certificate
        if isinstance(c, Affine):
            return "Certificate: it is affine."
        if isinstance(c, Composition):
            return "Certificate (composition of atoms): " + self.words("; ".join(c.facts)) + "."
        if isinstance(c, Minors):
            minors = ", ".join(self.inline(self._print(m)) for m in c.minors)
            return "Certificate: " + self.words(v.reason) + ": " + minors + ", each non-negative."
        head = "Certificate: " + self.words(v.reason) + "."
        if isinstance(c, Curvature) and not isinstance(c.form, sp.MatrixBase):
            form = sp.GreaterThan(c.form, 0, evaluate=False)
            derivative = sp.Derivative(ELL, (v.wrt[0], 2))
            return head + "\n\n" + self.display(self.equation(self._print(derivative), "=", form))
        if isinstance(c, ConstantHessian):
            d = sp.diag(*c.diagonal)
            rhs = sp.MatMul(c.lower, d, c.lower.T, evaluate=False)
            body = self.equation(self._print(c.hessian), "=", rhs)
            return head + "\n\n" + self.display(body)
        if isinstance(c, Given) and c.quadratic and c.form is not None:
            form = sp.GreaterThan(c.form, 0, evaluate=False)
            lhs = self.formula("vᵀ∇²ℓ v")
            return head + "\n\n" + self.display(self.equation(lhs, "=", form))
        return head

    def _approximately(self, value: sp.Expr) -> str:
        """``, about −0.0555322`` after an exact value that is not a plain number."""
        if value.is_Rational:
            return ""
        return ", about " + self.inline(self._print(sp.Float(sp.N(value, 6), 6)))

    def _witness(self, v: Verdict) -> str:
        """The witness's words, chosen by its type."""
        w = v.witness
        if isinstance(w, MidpointWitness):
            return (
                "Counterexample: two exact points, "
                + self.inline("a")
                + ": "
                + self._points(w.a)
                + " and "
                + self.inline("b")
                + ": "
                + self._points(w.b)
                + ", where "
                + self.inline(self.formula("ℓ((a + b)/2) − (ℓ(a) + ℓ(b))/2"))
                + " is "
                + self.inline(self._print(w.gap))
                + self._approximately(w.gap)
                + ", which is positive (its sign decided exactly)."
            )
        assert isinstance(w, HessianWitness)
        parts = ["Counterexample: " + self.words(v.reason) + ", at " + self._points(w.point) + "."]
        if len(w.direction) > 1:
            direction = sp.Eq(sp.Symbol(w.letter), sp.Tuple(*w.direction), evaluate=False)
            parts.append("Direction " + self.inline(self._print(direction)) + ".")
        parts.append(
            "The exact value there is "
            + self.inline(self._print(w.value))
            + self._approximately(w.value)
            + ", which is negative (its sign decided exactly)."
        )
        return " ".join(parts)

    def verdict(self, v: Verdict, name: sp.Symbol = ELL) -> str:
        """The verdict on the loss ``name`` and its evidence, worded by the evidence's type."""
        names = ", ".join(self.inline(self._print(_vector(s))) for s in v.wrt) or "its variables"
        head = self.inline(self._print(name)) + " is " + self.strong(v.verdict) + " in " + names
        if v.verdict == "convex":
            return head + ". " + self._certificate(v)
        if v.verdict == "not convex":
            return head + ". " + self._witness(v)
        return (
            "The convexity of "
            + self.inline(self._print(name))
            + " in "
            + names
            + " is "
            + self.strong(v.verdict)
            + ": no proof either way, "
            + self.words(v.reason)
            + "."
        )

    def _print_Verdict(self, v: Verdict) -> str:
        return self.verdict(v)

    def _gradient_rows(self, an: Analysis) -> list[str]:
        rows: list[str] = []
        for var, grad in an.gradient:
            rows += self.equation(self._print(sp.Derivative(ELL, var)), "=", grad, True)
        return rows

    def _hessian_rows(self, an: Analysis) -> list[str]:
        var = an.wrt[0]
        if an.hessian_entry is not None:
            other = (
                var.xreplace({var.indices[0]: sp.Symbol("b")})
                if isinstance(var, sp.Indexed)
                else var
            )
            lhs = self._print(sp.Derivative(ELL, var, other))
            return self.equation(lhs, "=", an.hessian_entry, aligned=True)
        if an.hessian is None:
            return []
        rows: list[str] = []
        size = an.hessian.rows
        for r in range(size):
            for c in range(r, size):
                a, b = an.wrt[r], an.wrt[c]
                derivative = sp.Derivative(ELL, (a, 2)) if r == c else sp.Derivative(ELL, a, b)
                rows += self.equation(self._print(derivative), "=", an.hessian[r, c], aligned=True)
        return rows

    def _linear(self, lin: LinearPredictor) -> str:
        affine = sp.Eq(lin.variable, W.T * X, evaluate=False)
        gradient = sp.Eq(sp.Derivative(ELL, W), lin.derivative * X, evaluate=False)
        hessian = sp.Eq(sp.Derivative(ELL, (W, 2)), lin.curvature * X * X.T, evaluate=False)
        formula = self.side_by_side([self._print(gradient), self._print(hessian)])
        if visible_width(formula) > self._settings["line_width"]:
            # too long for one line: by name, the derivatives written out above
            first = sp.Derivative(ELL, lin.variable)
            second = sp.Derivative(ELL, (lin.variable, 2))
            gradient = sp.Eq(sp.Derivative(ELL, W), sp.Mul(first, X), evaluate=False)
            hessian = sp.Eq(sp.Derivative(ELL, (W, 2)), sp.Mul(second, X * X.T), evaluate=False)
            formula = self.side_by_side([self._print(gradient), self._print(hessian)])
        return "\n\n".join(
            [
                self.heading("Linear predictor", 2),
                "With a linear predictor "
                + self.inline(self._print(affine))
                + " (a generalised linear model on features "
                + self.inline(self._print(X))
                + "), by the chain rule",
                self.display([formula]),
                self._print(lin.verdict),
            ]
        )

    def _comparison(self, c: Comparison, an: Analysis) -> str:
        z = c.variable
        if c.classes is None:
            what = "the predicted probability " + self.inline(self._print(sigmoid(z)))
        else:
            what = (
                "the predicted probabilities (the softmax of the logits), written out for "
                + self.inline(self._print(sp.Eq(sp.Symbol("K"), c.classes)))
                + " classes"
            )
        ell_mse = ELL_MSE
        blocks = [
            self.heading("Comparison: mean squared error on the probability", 2),
            "Instead of "
            + self.inline(self._print(ELL))
            + ", the mean squared error on "
            + what
            + ":",
            self.display(self.equation(self._print(ell_mse), "=", c.mse)),
            "Its gradient, beside the gradient of the derived loss:",
            self.display(
                self.equation(self._print(sp.Derivative(ell_mse, z)), "=", c.mse_gradient, True)
                + self.equation(self._print(sp.Derivative(ELL, z)), "=", c.loss_gradient, True)
            ),
        ]
        if c.classes is None:
            factor = sp.Mul(sigmoid(z), 1 - sigmoid(z), evaluate=False)
            blocks.append(
                "The MSE gradient carries the factor "
                + self.inline(self._print(factor))
                + ", which vanishes as the output saturates. On a misclassified sample:"
            )
        else:
            blocks.append("On a misclassified sample:")
        entries = []
        for case, mse_limit, loss_limit in c.limits:
            entries.append(
                self.words(case)
                + ": the MSE gradient tends to "
                + self.inline(self._print(mse_limit))
                + ", the derived gradient to "
                + self.inline(self._print(loss_limit))
                + "."
            )
        blocks.append(self.bullets(entries))
        blocks.append("Mean squared error: " + self.verdict(c.mse_verdict, ell_mse))
        for case, words in c.regions:
            blocks.append(self.words(case) + ": " + self.words(words) + ".")
        blocks.append("Derived loss: " + self._print(an.verdict))
        return "\n\n".join(blocks)

    def _tuple(self, parts: tuple[sp.Expr, ...]) -> str:
        shown = ", ".join(self._print(p) for p in parts)
        return shown if len(parts) == 1 else self.brackets(shown)

    def _print_ExponentialFamily(self, ef: ExponentialFamily) -> str:
        y = sp.Symbol("y")
        eta = self._tuple(ef.parameters)
        statistic, partition, base = (sp.Function(name) for name in ("T", "A", "h"))
        form = sp.Add(
            sp.Mul(sp.Symbol("eta"), statistic(y), evaluate=False),
            -partition(sp.Symbol("eta")),
            sp.log(base(y)),
            evaluate=False,
        )
        value = ef.statistic[0] if ef.scalar else sp.Tuple(*ef.statistic)
        rows = self.equation(self._print(statistic(y)), "=", value, aligned=True)
        for symbol, natural in zip(ef.parameters, ef.natural, strict=True):
            rows += self.equation(self._print(symbol), "=", natural, aligned=True)
        rows += self.equation(self._print(partition(*ef.parameters)), "=", ef.log_partition, True)
        rows += self.equation(self._print(sp.log(base(y))), "=", ef.log_base, aligned=True)
        blocks = [
            self.heading("Exponential family", 2),
            "The density is an exponential family, "
            + self.inline(self.formula("log p(y) =") + " " + self.as_written(form))
            + " (for "
            + ("one natural parameter" if ef.scalar else "the natural parameters ")
            + ("" if ef.scalar else self.inline(eta))
            + "), with",
            self.display(rows),
        ]
        if ef.scalar:
            (symbol,) = ef.parameters
            second = "A''(" + self._print(symbol) + ")"
            blocks.append(
                "Since "
                + self.inline("A")
                + " is the log-partition function, "
                + self.inline(second + " " + self.formula("= Var(T) ≥ 0"))
                + "; here "
                + self.inline(second + " = " + self._print(ef.curvature))
                + ". Hence the negative log-likelihood "
                + self.inline(self.formula("A(η) − η T(y) − log h(y)"))
                + " is convex in "
                + self.inline(self._print(symbol))
                + "."
            )
        else:
            hessian = self.formula("∇²A") + self.brackets(
                ", ".join(self._print(p) for p in ef.parameters)
            )
            blocks.append(
                "Since "
                + self.inline("A")
                + " is the log-partition function, "
                + self.inline(hessian + " " + self.formula("= Cov(T) ⪰ 0"))
                + "; here"
            )
            blocks.append(self.display([hessian + " = " + self._print(ef.curvature)]))
            blocks.append(
                "Hence the negative log-likelihood is convex in the natural parameters "
                + self.inline(eta)
                + "."
            )
        predictions = ", ".join(self.inline(self._print(w)) for w in ef.wrt)
        natural = self.inline(eta + " = " + self._tuple(ef.natural))
        if ef.canonical:
            blocks.append(
                "The "
                + ef.link
                + " link is canonical: "
                + natural
                + " is an affine map of "
                + predictions
                + ", so the negative log-likelihood is convex in "
                + predictions
                + " as well."
            )
            return "\n\n".join(blocks)
        sentence = "The " + ef.link + " link is not canonical: " + natural + " is not affine in "
        sentence += predictions
        if ef.canonical_form is not None:
            canonical = sp.Eq(sp.Symbol("eta"), ef.canonical_form, evaluate=False)
            sentence += "; the canonical link is " + self.inline(self._print(canonical))
            sentence += " up to an affine map"
            if ef.canonical_link is not None:
                sentence += ", the " + ef.canonical_link + " link"
        blocks.append(sentence + ".")
        return "\n\n".join(blocks)

    def _print_Analysis(self, an: Analysis) -> str:
        ell = self._print(ELL)
        lead = "Per sample (the gradient of the sum over samples is the sum of these), for the loss"
        if an.definition is not None:
            lead += " " + self.inline(ell) + " of the conclusion, which equals the form the"
            lead += " derivation reached,"
            ell_rows = self.equation(ell, "=", an.definition, True)
            ell_rows += self.equation("", "=", an.loss, True)
        else:
            ell_rows = self.equation(ell, "=", an.loss)
        blocks = [
            self.heading("Gradient", 2),
            lead,
            self.display(ell_rows),
            "the gradient is",
            self.display(self._gradient_rows(an)),
            self.heading("Hessian", 2),
        ]
        rows = self._hessian_rows(an)
        if rows:
            if an.hessian_entry is not None:
                classes = self._print(an.classes if an.classes is not None else sp.Symbol("K"))
                blocks.append(
                    "Entrywise, for class indices "
                    + self.inline(self.formula("a, b = 1, …,") + " " + classes)
                    + ":"
                )
            blocks.append(self.display(rows))
        blocks += [self.words(note) + "." for note in an.notes]
        blocks += [self.heading("Convexity", 2), self._print(an.verdict)]
        if an.region is not None:
            curvature = sp.Derivative(ELL, (an.wrt[0], 2))
            blocks.append(
                "The curvature is negative, "
                + self.inline(self._print(sp.StrictLessThan(curvature, 0, evaluate=False)))
                + (
                    " everywhere."
                    if an.region is sp.true
                    else ", exactly where "
                    + self.inline(self._print(an.region))
                    + "; elsewhere it is non-negative."
                )
            )
        if an.linear is not None:
            blocks.append(self._linear(an.linear))
        if an.exponential is not None:
            blocks.append(self._print(an.exponential))
        if an.comparison is not None:
            blocks.append(self._comparison(an.comparison, an))
        return "\n\n".join(blocks)

    def _print_Proof(self, proof: Proof) -> str:
        an = proof.analysis
        compare = "mse" if an is not None and an.comparison is not None else None
        blocks = [self.derivation_text(proof.derivation, command_line(proof.derivation, compare))]
        if proof.analysis is not None:
            blocks.append(self._print(proof.analysis))
        return "\n\n".join(blocks)

    def doprint(self, expr: Any) -> str:
        if isinstance(expr, Proof):
            self.__dict__.pop("used", None)
            return self.document(self.with_notation(self._print(expr)))
        self.__dict__.pop("used", None)
        return self.with_notation(super().doprint(expr))


def render_latex(
    d: Derivation, analysis: Analysis | None = None, *, standalone: bool = False
) -> str:
    """The proof of ``d`` (and its analysis) as a LaTeX fragment or a whole document."""
    return ProofPrinter({"standalone": standalone}).doprint(Proof(d, analysis))
