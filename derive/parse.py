r"""The one module that reads user LaTeX: a density of one observation → a SymPy expression.

:func:`parse_density` turns the LaTeX of a probability density or mass function
into a SymPy expression over plain ``Symbol(name)`` objects *without*
assumptions; the caller re-creates them with assumptions by name (``xreplace``).
User text is untrusted: it never reaches ``sympify``, ``parse_expr``, ``eval``,
``lambdify`` or ``Number("…")``. The work happens in three bounded stages.

1. **Text checks and rewrites, before the parser sees anything.** Length at most
   :data:`MAX_LENGTH`; printable ASCII only (write ``\mu``, not ``μ``); only the
   commands a density needs (:data:`COMMANDS`); brackets balanced, ``\left(``
   closed by ``\right)``, nesting at most :data:`MAX_DEPTH` deep, and at most
   :data:`MAX_NESTING_COST` depth-weighted tokens inside brackets (parse time grows
   with the square of the depth and with the text inside brackets, about 5 ms a
   token; *bare* braces ``{{…}}`` grow exponentially, 28 s at depth 20, so braces
   may only delimit arguments of ``^``, ``_``, ``\frac`` and ``\sqrt``); number
   literals at most :data:`MAX_INT_DIGITS` digits before the point and
   :data:`MAX_FRACTION_DIGITS` after. Text the parser silently misreads is
   refused with the reason: ``y'`` (prime dropped), ``\theta^T x`` (``T`` read
   as a power), ``1.5e-3`` (read as 1.5e − 3), ``2 3`` (read as 5),
   ``2\frac{1}{2}`` (read as 5/2), ``x^23`` (TeX shows x²3), ``x^{2}^{3}``
   (double superscript), ``!`` (factorials of big literals hang), ``=``, ``<``,
   ``,``. Rewrites:

   - bare ``\log`` → ``\ln`` (in ML, log is natural; the parser reads base 10);
   - ``\gamma`` → a placeholder letter renamed ``gamma`` afterwards (the parser
     reads ``\gamma`` as Euler's constant);
   - ``\Gamma(`` gets a placeholder addend, so the parser cannot evaluate
     ``\Gamma(99999)`` while parsing;
   - every number literal gets a placeholder factor (replaced by 1 afterwards):
     the parser *adds* an integer juxtaposed with a positive rational — its
     mixed-number rule, on even when ``interpret_as_mixed_fractions=False`` —
     so ``(3)(5)`` would read 8 and ``(3)\frac{1}{5}`` 16/5;
   - decimals ``0.5`` → ``\frac{5}{10}`` (exact, from the text, never a Float);
   - ``e^{…}`` → ``\exp\left(…\right)``: the parser builds ``e^{…}`` evaluated,
     and SymPy then turns ``exp(log(x, 2))`` into ``x``, dropping the base;
   - spacing and sizing commands (``\,`` ``\big``…) are dropped;
     ``\mathrm{e}``, ``\mathrm{exp}``… become ``e``, ``\exp``; ``$…$`` is unwrapped.
2. **The parser** (``latex2sympy2_extended``, imported lazily, default
   normalisation, ``lowercase_symbols=False`` so ``X`` and ``x`` differ). Every
   failure (a bare ``Exception`` echoing the input, ``RecursionError``,
   ``MemoryError``) becomes one line.
3. **A walk over the unevaluated tree** that accepts only the node types a density
   needs (``+ × ^``, ``exp``, ``log``, ``|·|``, ``Γ``, sums and products, symbols,
   rationals, ``π``, ``e``), names what it refuses, converts ``log(x, b)`` to
   ``log(x)/log(b)`` (SymPy's ``diff`` silently drops the base of a two-argument
   log), maps ``y_i`` to ``IndexedBase("y")[i]`` inside a sum or product over
   ``i``, bounds every numeric sub-expression *without evaluating it*
   (``10^{10^{10}}`` and ``\Gamma(10^7)`` parse instantly and hang at the first
   evaluation), and only then rebuilds the tree bottom-up with evaluation on (the
   parser leaves ``\frac{1}{…}`` as an unevaluated ``Mul(1, …)``).

Conventions (decided here): ``e`` is Euler's number, ``e^{x}`` and ``\exp`` are the
exponential; ``\log`` and ``\ln`` are natural logs, ``\log_b`` has base ``b``;
``\pi`` is π; ``\Gamma\left(x\right)`` is the Gamma function and ``\Gamma`` never a
symbol; ``\gamma`` is always the symbol ``gamma`` and, like every other letter,
``\gamma(x)`` with a single-atom argument reads as a function call (refused) while
``\gamma\left(1 + x\right)`` is a product (the parser's rule for every letter: so
``\Phi(y-\mu)`` is Φ·(y − μ), and the caller's check that every symbol is declared
is what refuses it);
Greek letters are named as written (``\varepsilon`` is ``varepsilon``, not
``epsilon``); ``x_{12}`` is ``x_12`` and ``\sigma_0`` is ``sigma_0``. ``I`` is the
imaginary unit to the parser and is refused. Sums and products need both limits;
numeric limits span at most :data:`MAX_TERMS` terms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.errors import DeriveError

__all__ = [
    "COMMANDS",
    "MAX_BARS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_FRACTION_DIGITS",
    "MAX_INT_DIGITS",
    "MAX_LENGTH",
    "MAX_NESTING_COST",
    "MAX_TERMS",
    "parse_density",
    "symbol_names",
]

MAX_LENGTH = 2000
"""Longest accepted input, in characters."""
MAX_DEPTH = 20
"""Deepest accepted nesting of ( ), [ ], { }, \\left…\\right (parse time ~ depth², ~1 s at 20)."""
MAX_NESTING_COST = 500
"""Most tokens inside brackets, each weighted 1 + (depth − 1)/2 (the parser spends about
5 ms per unit, against under 1 ms per token outside brackets; the Gaussian costs 40 and
the Student-t density 88)."""
MAX_BARS = 2 * MAX_DEPTH
"""Most bare ``|`` (and ``\\vert``) bars, whose nesting the text does not show."""
MAX_INT_DIGITS = 6
"""Most digits in a number literal before the decimal point."""
MAX_FRACTION_DIGITS = 8
"""Most digits in a number literal after the decimal point."""
MAX_DIGITS = 2000
"""Most decimal digits any numeric sub-expression may reach when evaluated (bounded a priori)."""
MAX_EXPONENT = 1000
"""Largest magnitude of a numeric exponent (bounded a priori, not evaluated)."""
MAX_TERMS = 100
"""Most terms of a sum or product with numeric limits."""

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu"
    " nu xi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"
    " Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split()
)
"""Greek letters accepted as symbols (``\\Gamma`` is the Gamma function, ``\\pi`` is π)."""

_STRUCTURE = frozenset(
    "frac dfrac tfrac sqrt exp ln log left right cdot times div sum prod pi Gamma"
    " lvert rvert vert".split()
)
_DROPPED = frozenset(
    "quad qquad big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr"
    " limits nolimits displaystyle textstyle".split()
)
_NAMED = frozenset(("mathrm", "operatorname", "text"))
_NAMED_CONTENT = {"e": "e", "exp": r"\exp", "ln": r"\ln", "log": r"\log"}
COMMANDS = _STRUCTURE | _DROPPED | _NAMED | GREEK
"""Every LaTeX command (without its backslash) a density may use."""

_SPACING_SYMBOLS = frozenset(",;:!> ")
_FRAC = frozenset(("frac", "dfrac", "tfrac"))
_RELATIONS = frozenset(
    "le leq ge geq lt gt ne neq leqslant geqslant approx sim equiv propto in".split()
)
_TRANSPOSE = frozenset(("top", "intercal", "mathsf"))
_DELIMITERS = {
    "(": "(",
    ")": "(",
    "[": "[",
    "]": "[",
    "|": "|",
    r"\vert": "|",
    r"\lvert": "|",
    r"\rvert": "|",
}
_CLOSE = {")": "(", "]": "["}

# Placeholders: commands the parser knows as letters but users cannot write (not in
# COMMANDS), so their names can only come from the rewrites below.
_GAMMA_SYMBOL = r"\omicron"
_GAMMA_NAME = "omicron"
_GAMMA_ADDEND = r"\varpi"
_GAMMA_ADDEND_NAME = "varpi"
_ONE = r"\Upsilon"  # no subscript: a subscripted placeholder parses ten times slower
_ONE_NAME = "Upsilon"

_NAME = re.compile(r"[A-Za-z]+(?:_[A-Za-z0-9]+)?")
_TOKEN = re.compile(
    r"(?P<cmd>\\[A-Za-z]+)|(?P<sym>\\[^A-Za-z])|(?P<num>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"|(?P<letter>[A-Za-z])|(?P<space>\s+)|(?P<punct>.)",
    re.DOTALL,
)
_SCIENTIFIC = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]")


_NOUN: ContextVar[tuple[str, str]] = ContextVar("noun", default=("density", "densities"))
"""What the text being read is called in messages (singular, plural)."""
_NOUNS = {"density": "densities", "expression": "expressions"}


def _fail(message: str) -> DeriveError:
    return DeriveError(f"{_NOUN.get()[0]}: {message}")


def _noun(plural: bool = False) -> str:
    return _NOUN.get()[1 if plural else 0]


def _shorten(text: str, limit: int = 60) -> str:
    """``text`` on one line: control characters escaped, at most ``limit`` characters."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif not ch.isprintable() or not ch.isascii():
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    flat = "".join(out)
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


# --------------------------------------------------------------------------- stage 1: text


@dataclass
class _Token:
    kind: str  # cmd, sym, num, letter, space, punct
    text: str
    pos: int
    out: str = ""  # what is emitted to the parser (set by the scan)

    def __post_init__(self) -> None:
        self.out = self.text


@dataclass
class _Group:
    opener: str  # "(", "[", "{", "left", "lvert"
    pos: int  # character position, for messages
    start: int  # token index of the opener
    then: int = 0  # argument braces still required after this group closes
    then_cmd: str = ""  # the command those arguments belong to (for the message)
    script: str = ""  # "^" or "_" when this is the braced argument of one
    sum_subscript: bool = False  # the {…} after \sum_ / \prod_: one "=" allowed
    equals: int = 0
    bars: int = 0  # bare | and \vert inside, which must pair up
    exp: bool = False  # the {…} of e^{…}, emitted as \left( … \right)
    name: bool = False  # the {…} of a symbol's subscript: text, not evaluated


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.lastgroup or "punct", m.group(), m.start()) for m in _TOKEN.finditer(text)]


def _check_characters(text: str) -> None:
    if not text.strip():
        raise _fail("empty input")
    if len(text) > MAX_LENGTH:
        raise _fail(f"input longer than {MAX_LENGTH} characters ({len(text)})")
    if "\r" in text.replace("\r\n", ""):
        raise _fail("control character U+000D (a lone carriage return) is not allowed")
    for ch in text:
        if ch in "\n\t\r":
            continue
        if not ch.isascii():
            raise _fail(
                f"character U+{ord(ch):04X} is not ASCII: write LaTeX commands such as \\mu"
            )
        if not ch.isprintable():
            raise _fail(f"control character U+{ord(ch):04X} is not allowed")
    found = _SCIENTIFIC.search(text)
    if found is not None:
        literal = _shorten(found.group() + text[found.end() :].split(" ")[0], 20)
        raise _fail(f"{literal} is not LaTeX: write scientific notation as 1.5 \\times 10^{{-3}}")


def _next_index(tokens: list[_Token], i: int) -> int:
    """Index of the first non-space token after ``i`` (``len(tokens)`` if none)."""
    j = i + 1
    while j < len(tokens) and tokens[j].kind == "space":
        j += 1
    return j


def _is_spacing(token: _Token) -> bool:
    return (token.kind == "sym" and token.text[1] in _SPACING_SYMBOLS) or (
        token.kind == "cmd" and token.text[1:] in ("quad", "qquad")
    )


def _check_number(token: _Token) -> None:
    whole, _, fraction = token.text.partition(".")
    if len(whole) > MAX_INT_DIGITS:
        raise _fail(f"number {_shorten(token.text, 20)} has more than {MAX_INT_DIGITS} digits")
    if len(fraction) > MAX_FRACTION_DIGITS:
        raise _fail(
            f"number {_shorten(token.text, 20)} has more than {MAX_FRACTION_DIGITS}"
            " digits after the point"
        )


def _literal(text: str) -> str:
    """A number literal as the parser is given it, e.g. ``0.05`` → ``\\frac{U 5}{U 100}``.

    ``U`` is :data:`_ONE`, a placeholder factor the tree walk replaces by 1: it keeps
    every literal from being an ``Integer`` or ``Rational`` while parsing, so the
    parser's mixed-number rule (an integer juxtaposed with a positive rational is
    *added*: ``(3)(5)`` → 8, ``(3)\\frac{1}{5}`` → 16/5) can never fire. Decimals
    become exact fractions of their digits, never a ``Float``.
    """
    if "." not in text:
        return f"{_ONE} {text}"
    whole, _, fraction = text.partition(".")
    numerator = (whole + fraction).lstrip("0") or "0"
    return r"\frac{%s %s}{%s 1%s}" % (_ONE, numerator, _ONE, "0" * len(fraction))


def _number_run(tokens: list[_Token], i: int) -> int | None:
    """If a number at ``i`` is followed (across spaces, spacing and ``{``) by another
    number or by a fraction, the index of that token; else ``None``."""
    j = i + 1
    while j < len(tokens) and (
        tokens[j].kind == "space" or _is_spacing(tokens[j]) or tokens[j].text == "{"
    ):
        j += 1
    if j < len(tokens) and (
        tokens[j].kind == "num" or (tokens[j].kind == "cmd" and tokens[j].text[1:] in _FRAC)
    ):
        return j
    return None


def _named(match: re.Match[str]) -> str:
    return " " + _NAMED_CONTENT[match.group(1)] + " "


_NAMED_PATTERN = re.compile(r"\\(?:mathrm|operatorname|text)\s*\{\s*(e|exp|ln|log)\s*\}")
_PRIME_MESSAGE = (
    "a prime (y' or \\prime) is dropped by the parser: name the variable y_1 or similar"
)
_TRANSPOSE_MESSAGE = (
    "reads as a power, not a transpose: write the product out (e.g. \\theta_1 x_1 + \\theta_2 x_2)"
)


class _Scanner:
    """One pass over the tokens: checks, and sets each token's ``out`` text."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.stack: list[_Group] = []
        self.top_bars = 0
        self.expect_arg = 0  # argument braces the next significant token must open
        self.expect_cmd = ""
        self.sqrt_optional = False  # \sqrt may take [n] first
        self.script = ""  # "^" or "_" waiting for its argument
        self.big = ""  # "\sum" or "\prod" waiting for "_", then for "{"
        self.gamma = False  # \Gamma waiting for "(" or \left(
        self.side = ""  # "left" / "right" waiting for a delimiter
        self.cost = 0.0  # tokens weighted by their depth, see MAX_NESTING_COST
        self.bars = 0
        self.script_args: set[int] = set()  # single tokens read as an argument of ^ or _
        self.exp_base: int | None = None  # the "e" of e^…, rewritten as \exp\left(…\right)
        self.wrapped: set[int] = set()  # single-token arguments of e^ to wrap in ( )
        self.last_script = ""  # "^" or "_" when the previous token ended that script
        self.symbol_subscript = False  # the pending "_" follows a letter: its text is a name
        self.single: tuple[int, bool] | None = None  # (index, is a name) of a one-token script

    def open(self, opener: str, index: int) -> _Group:
        group = _Group(opener, self.tokens[index].pos, index)
        self.stack.append(group)
        if len(self.stack) > MAX_DEPTH:
            raise _fail(f"nesting deeper than {MAX_DEPTH}")
        return group

    def close(self, opener: str, index: int) -> _Group:
        token = self.tokens[index]
        if not self.stack:
            raise _fail(f"unbalanced brackets: {token.text} at position {token.pos} closes nothing")
        group = self.stack.pop()
        if group.opener != opener:
            raise _fail(
                f"unbalanced brackets: {token.text} at position {token.pos}"
                f" does not close the {group.opener} at position {group.pos}"
            )
        if group.bars % 2:
            raise _fail(f"unbalanced | between positions {group.pos} and {token.pos}")
        if group.then:
            self.expect_arg, self.expect_cmd = group.then, group.then_cmd
        return group

    def bar(self) -> None:
        self.bars += 1
        if self.bars > MAX_BARS:
            raise _fail(f"more than {MAX_BARS} | bars")
        if self.stack:
            self.stack[-1].bars += 1
        else:
            self.top_bars += 1

    def open_gamma(self, index: int, opener: str) -> None:
        r"""The "(" of \Gamma(: a placeholder addend keeps the parser from evaluating it."""
        if self.gamma:
            self.gamma = False
            self.tokens[index].out = self.tokens[index].text + " " + _GAMMA_ADDEND + "+"
        self.open(opener, index)

    def run(self) -> str:
        for index, token in enumerate(self.tokens):
            if (
                token.kind == "space"
                or _is_spacing(token)
                or (token.kind == "cmd" and token.text[1:] in _DROPPED)
            ):
                token.out = "" if (self.gamma or self.side) else " "
                continue
            depth = len(self.stack)
            self.cost += 0.0 if depth == 0 else 1.0 + (depth - 1) / 2
            if self.cost > MAX_NESTING_COST:
                raise _fail(
                    "too much text inside brackets to parse in time"
                    f" (tokens weighted by depth over {MAX_NESTING_COST})"
                )
            self.pending(index)
            self.one(index)
        self.finish()
        return "".join(
            r"\left(" + token.out + r"\right)" if index in self.wrapped else token.out
            for index, token in enumerate(self.tokens)
        )

    def pending(self, index: int) -> None:
        """What the previous significant token requires of this one."""
        token = self.tokens[index]
        body = token.text
        if self.gamma and body != "(" and body != r"\left":
            raise _fail(r"\Gamma is the Gamma function: write \Gamma\left(x\right)")
        if self.expect_arg and body != "{" and not (self.sqrt_optional and body == "["):
            example = r"\sqrt{x}" if self.expect_cmd == r"\sqrt" else self.expect_cmd + "{a}{b}"
            raise _fail(f"{self.expect_cmd} needs braces: write {example}")
        if (self.big == "_" and body != "{") or (self.big not in ("", "_") and body != "_"):
            raise _fail(r"a sum or product needs its limits: write \sum_{i=1}^{n}")

    def one(self, index: int) -> None:
        token = self.tokens[index]
        kind, body = token.kind, token.text
        if self.side:
            self.delimiter(index)
            return
        sqrt_optional, self.sqrt_optional = self.sqrt_optional, False
        previous_script, self.last_script = self.last_script, ""
        if self.script:
            if self.argument(index):
                return
        if kind == "cmd":
            self.command(index)
        elif kind == "sym":
            if body[1] in "{}":
                raise _fail(f"\\{body[1]}: sets are not supported")
            raise _fail(f"unsupported command {_shorten(body, 4)}")
        elif kind == "num":
            self.number(index)
        elif kind == "letter":
            pass
        elif body == "{":
            if not self.expect_arg:
                raise _fail(
                    "braces { } only delimit arguments of ^, _, \\frac and \\sqrt:"
                    " group with ( ) instead"
                )
            group = self.open("{", index)
            group.then, group.then_cmd = self.expect_arg - 1, self.expect_cmd
            self.expect_arg = 0
        elif body == "}":
            group = self.close("{", index)
            if group.exp:
                token.out = r"\right)"
            self.last_script = group.script
            inside = [t for t in self.tokens[group.start + 1 : index] if t.kind != "space"]
            if group.script == "^" and [t.text for t in inside] == ["T"]:
                raise _fail("^{T} " + _TRANSPOSE_MESSAGE)
            if group.sum_subscript and group.equals != 1:
                raise _fail(r"a sum or product needs its index and lower limit: \sum_{i=1}^{n}")
        elif body == "(":
            self.open_gamma(index, "(")
        elif body == "[":
            group = self.open("[", index)
            if sqrt_optional:
                group.then, group.then_cmd = 1, r"\sqrt"
                self.expect_arg = 0
        elif body in _CLOSE:
            self.close(_CLOSE[body], index)
        elif body in "^_":
            if previous_script == body:
                raise _fail(f"double {'superscript' if body == '^' else 'subscript'}: add braces")
            self.script = body
            before = index - 1
            while before >= 0 and self.tokens[before].kind == "space":
                before -= 1
            self.symbol_subscript = body == "_" and before >= 0 and self._names_symbol(before)
            if body == "^":
                self.exponential(index)
            if self.big:
                self.big = "_" if body == "_" else self.big
        elif body == "|":
            self.bar()
        elif body in "+-*/":
            pass
        else:
            self.punctuation(body)

    def _names_symbol(self, index: int) -> bool:
        """Whether the token at ``index`` is a letter (a ``_`` after it starts a name)."""
        token = self.tokens[index]
        return token.kind == "letter" or (token.kind == "cmd" and token.text[1:] in GREEK)

    def exponential(self, caret: int) -> None:
        """``e^…`` becomes ``\\exp\\left(…\\right)``: the parser builds ``e^{…}`` with
        evaluation on, and SymPy then reads ``exp(log(x, 2))`` as ``x``, dropping the base."""
        before = caret - 1
        while before >= 0 and self.tokens[before].kind == "space":
            before -= 1
        if before < 0 or before in self.script_args:
            return
        base = self.tokens[before]
        if base.kind == "letter" and base.text == "e":
            self.exp_base = before
            base.out = r"\exp"
            self.tokens[caret].out = " "

    def argument(self, index: int) -> bool:
        """The token after ^ or _; ``True`` when it was consumed as a braced argument."""
        token = self.tokens[index]
        kind, body = token.kind, token.text
        sign, self.script = self.script, ""
        exp, self.exp_base = self.exp_base is not None and sign == "^", None
        name, self.symbol_subscript = self.symbol_subscript, False
        if body == "{":
            group = self.open("{", index)
            group.script = sign
            group.name = name
            group.sum_subscript = self.big == "_" and sign == "_"
            self.big = ""
            if exp:
                group.exp = True
                token.out = r"\left("
            return True
        self.script_args.add(index)
        self.single = (index, name)
        if exp:
            self.wrapped.add(index)
        self.last_script = sign
        if kind == "num" and len(body) > 1:
            other = "" if "." in body else f" or {sign}{{{body[0]}}} {body[1:]}"
            raise _fail(f"{sign}{body} is ambiguous: write {sign}{{{body}}}{other}")
        if kind == "cmd" and body[1:] in _TRANSPOSE:
            raise _fail(f"{sign}{body} " + _TRANSPOSE_MESSAGE)
        if body == r"\prime":
            raise _fail(_PRIME_MESSAGE)
        if sign == "^" and body == "T":
            raise _fail("^T " + _TRANSPOSE_MESSAGE)
        if kind not in ("num", "letter", "cmd") or (
            kind == "cmd" and body[1:] not in GREEK and body != r"\pi"
        ):
            raise _fail(f"{sign} needs braces here: write {sign}{{...}}")
        return False

    def delimiter(self, index: int) -> None:
        """The token after \\left or \\right: \\left( pairs with \\right), [ with ], | with |."""
        token = self.tokens[index]
        side, self.side = self.side, ""
        kind = _DELIMITERS.get(token.text)
        if side == "left" and kind == "(":
            self.open_gamma(index, "\\left(")
            return
        if self.gamma:
            raise _fail(r"\Gamma is the Gamma function: write \Gamma\left(x\right)")
        if kind is None:
            raise _fail(
                f"\\{side}{_shorten(token.text, 10)} is not supported:"
                f" use \\{side}( \\{side}[ \\{side}|"
            )
        if side == "left":
            self.open("\\left" + kind, index)
        else:
            self.close("\\left" + kind, index)

    def command(self, index: int) -> None:
        token = self.tokens[index]
        name = token.text[1:]
        if name in _TRANSPOSE:
            raise _fail(
                f"\\{name} (a transpose) is not supported: write the product out"
                " (e.g. \\theta_1 x_1 + \\theta_2 x_2)"
            )
        if name == "prime":
            raise _fail(_PRIME_MESSAGE)
        if name in _RELATIONS:
            raise _fail(
                f"\\{name}: equations and inequalities are not {_noun(True)};"
                f" give the {_noun()}'s formula only"
            )
        if name not in COMMANDS:
            raise _fail(f"unsupported command \\{_shorten(name, 30)}")
        if name in _NAMED:
            raise _fail(f"\\{name} is only supported as \\{name}{{e}}, {{exp}}, {{ln}} or {{log}}")
        elif name == "gamma":
            token.out = _GAMMA_SYMBOL + " "
        elif name in _FRAC:
            self.expect_arg, self.expect_cmd = 2, token.text
        elif name == "sqrt":
            self.expect_arg, self.expect_cmd, self.sqrt_optional = 1, token.text, True
        elif name in ("sum", "prod"):
            self.big = token.text
        elif name == "log":
            following = _next_index(self.tokens, index)
            if following >= len(self.tokens) or self.tokens[following].text != "_":
                token.out = r"\ln "
        elif name == "Gamma":
            self.gamma = True
        elif name in ("left", "right"):
            self.side = name
        elif name == "lvert":
            self.open("lvert", index)
        elif name == "rvert":
            self.close("lvert", index)
        elif name == "vert":
            self.bar()

    def number(self, index: int) -> None:
        token = self.tokens[index]
        body = token.text
        _check_number(token)
        following = _number_run(self.tokens, index)
        if following is not None:
            other = self.tokens[following].text
            if self.tokens[following].kind == "num":
                raise _fail(
                    f"'{body} {other}': adjacent numbers are misread (the parser reads 2 3 as 5);"
                    f" write {body} \\cdot {other}"
                )
            raise _fail(
                f"{body}{other}{{...}} reads as a mixed number ({body} + ...):"
                f" write {body} \\cdot {other}{{...}}"
            )
        single = self.single if self.single is not None and self.single[0] == index else None
        if any(group.name for group in self.stack) or (single is not None and single[1]):
            return  # part of a symbol's name, such as x_{12}
        token.out = _literal(body)
        if single is not None and index not in self.wrapped:
            token.out = "{" + token.out + "}"  # x^2 → x^{U 2}

    def punctuation(self, body: str) -> None:
        if body == "=":
            if self.stack and self.stack[-1].sum_subscript and self.stack[-1].equals == 0:
                self.stack[-1].equals = 1
                return
            raise _fail(f"'=': equations are not {_noun(True)}; give the {_noun()}'s formula only")
        if body in "<>":
            raise _fail(f"'{body}': inequalities are not {_noun(True)}")
        if body == "'":
            raise _fail(_PRIME_MESSAGE)
        if body == "!":
            raise _fail(r"factorial ! is not supported: write \Gamma\left(y+1\right)")
        if body == ",":
            raise _fail("',' is not supported (no lists, sets or multi-index subscripts)")
        raise _fail(f"character {_shorten(body, 4)!r} is not supported")

    def finish(self) -> None:
        if self.side:
            raise _fail(f"\\{self.side} at the end needs a delimiter")
        if self.gamma:
            raise _fail(r"\Gamma is the Gamma function: write \Gamma\left(x\right)")
        if self.expect_arg:
            raise _fail(f"{self.expect_cmd} at the end needs its arguments in braces")
        if self.script:
            raise _fail(f"{self.script} at the end needs an argument")
        if self.big:
            raise _fail(r"a sum or product needs its limits: write \sum_{i=1}^{n}")
        if self.stack:
            group = self.stack[-1]
            raise _fail(
                f"unbalanced brackets: {group.opener} at position {group.pos} is not closed"
            )
        if self.top_bars % 2:
            raise _fail("unbalanced |")


def _rewrite(text: str) -> str:
    """Check ``text`` token by token and return what the parser is given."""
    text = _NAMED_PATTERN.sub(_named, text)
    return _Scanner(text).run()


# --------------------------------------------------------------------------- stage 2: parse


def _parse(text: str, original: str) -> Any:
    from latex2sympy2_extended import latex2sympy
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig

    try:
        return latex2sympy(text, conversion_config=ConversionConfig(lowercase_symbols=False))
    except RecursionError:
        raise _fail(f"too long or too deeply nested to parse: {_shorten(original)}") from None
    except MemoryError:
        raise _fail(f"out of memory while parsing: {_shorten(original)}") from None
    except Exception as error:  # the parser raises bare Exception, echoing the input
        lines = str(error).splitlines()
        reason = _shorten(lines[0], 50) if lines else type(error).__name__
        raise _fail(f'cannot parse "{_shorten(original)}" ({reason})') from None


# --------------------------------------------------------------------------- stage 3: tree


def _symbol_name(raw: str) -> str:
    name = raw.replace("\\", "").replace("{", "").replace("}", "").replace(" ", "")
    if _NAME.fullmatch(name) is None:
        raise _fail(
            f"symbol name {_shorten(raw, 30)} is not supported:"
            " a letter, optionally with a subscript of letters and digits"
        )
    base, _, sub = name.partition("_")
    if base == _GAMMA_NAME:
        return "gamma" + ("_" + sub if sub else "")
    return name


def _function_latex(raw: str) -> str:
    name = raw.strip()
    return r"\gamma" if name.lstrip("\\") == _GAMMA_NAME else name


def _friendly(expr: Any) -> str:
    """Why the node type of ``expr`` is refused, as one line."""
    if isinstance(expr, sp.core.relational.Relational):
        return f"equations and inequalities are not {_noun(True)}"
    if isinstance(expr, sp.Set):
        return "sets (braces or commas) are not supported"
    if isinstance(expr, (sp.factorial, sp.binomial)):
        return r"factorials and binomials are not supported: write \Gamma\left(y+1\right)"
    if expr is sp.EulerGamma:
        return "stray Euler's constant (the parser's reading of \\gamma or \\text{gamma})"
    if expr is sp.I:
        return "the imaginary unit (I or a root of a negative number) is not allowed"
    if expr in (sp.oo, -sp.oo, sp.zoo):
        return "infinity or a division by zero"
    if expr is sp.nan:
        return "an undefined value (0/0 or similar)"
    if isinstance(expr, sp.Float):
        return "a floating-point number the text does not spell exactly"
    if isinstance(expr, sp.Function):
        return f"function {type(expr).__name__} is not supported (exp, log, sqrt, |.|, \\Gamma are)"
    return f"{type(expr).__name__} is not supported"


@dataclass(frozen=True)
class _Builder:
    """Validate the parser's tree and rebuild it unevaluated, with the fixes applied."""

    bound: frozenset[str] = frozenset()

    def build(self, expr: Any) -> sp.Basic:
        if isinstance(expr, sp.Symbol):
            return self._symbol(expr)
        if isinstance(expr, (sp.Integer, sp.Rational)):
            return expr
        if expr is sp.pi or expr is sp.E:
            return expr
        if isinstance(expr, sp.Add):
            return sp.Add(*(self.build(a) for a in expr.args), evaluate=False)
        if isinstance(expr, sp.Mul):
            return sp.Mul(*(self.build(a) for a in expr.args), evaluate=False)
        if isinstance(expr, sp.Pow):
            base, exponent = expr.args
            return sp.Pow(self.build(base), self.build(exponent), evaluate=False)
        if isinstance(expr, sp.exp):
            return sp.exp(self.build(expr.args[0]), evaluate=False)
        if isinstance(expr, sp.log):
            return self._log(expr)
        if isinstance(expr, sp.Abs):
            return sp.Abs(self.build(expr.args[0]), evaluate=False)
        if isinstance(expr, sp.gamma):
            return self._gamma(expr)
        if isinstance(expr, (sp.Sum, sp.Product)):
            return self._big(expr)
        if isinstance(expr, AppliedUndef):
            name = _function_latex(str(expr.func))
            inner = sp.latex(expr.args[0]) if len(expr.args) == 1 else "..."
            inner = _shorten(inner, 20)
            raise _fail(
                f"{name}({inner}) reads as a function call;"
                f" write {name} \\cdot ({inner}) or {name} {inner} for a product"
            )
        raise _fail(_friendly(expr))

    def _symbol(self, expr: sp.Symbol) -> sp.Basic:
        name = _symbol_name(expr.name)
        if name == _ONE_NAME:
            return sp.Integer(1)
        if name == _GAMMA_ADDEND_NAME:
            raise _fail(r"\Gamma is the Gamma function: write \Gamma\left(x\right)")
        base, _, sub = name.partition("_")
        if sub and sub in self.bound:
            return sp.IndexedBase(sp.Symbol(base))[sp.Symbol(sub)]
        if sub and len(sub) > 1 and all(ch in self.bound for ch in sub):
            raise _fail(
                f"{base}_{{{sub}}}: one bound index per subscript (write a sum per index"
                " and a single-letter index)"
            )
        return sp.Symbol(name)

    def _log(self, expr: sp.log) -> sp.Basic:
        argument = self.build(expr.args[0])
        if len(expr.args) == 1:
            return sp.log(argument, evaluate=False)
        base = self.build(expr.args[1])
        if base is sp.E:
            return sp.log(argument, evaluate=False)
        return sp.Mul(
            sp.log(argument, evaluate=False),
            sp.Pow(sp.log(base, evaluate=False), -1, evaluate=False),
            evaluate=False,
        )

    def _gamma(self, expr: sp.gamma) -> sp.Basic:
        argument = expr.args[0]
        placeholder = sp.Symbol(_GAMMA_ADDEND_NAME)
        if not isinstance(argument, sp.Add) or placeholder not in argument.args:
            raise _fail(r"cannot read the argument of \Gamma: write \Gamma\left(x\right)")
        rest = list(argument.args)
        rest.remove(placeholder)
        inner = rest[0] if len(rest) == 1 else sp.Add(*rest, evaluate=False)
        return sp.gamma(self.build(inner), evaluate=False)

    def _big(self, expr: sp.Sum | sp.Product) -> sp.Basic:
        body, *limits = expr.args
        bound = set(self.bound)
        rebuilt = []
        for limit in reversed(limits):  # the outermost limit comes last
            if len(limit) != 3:
                raise _fail(r"a sum or product needs both limits: \sum_{i=1}^{n}")
            index, low, high = limit
            if not isinstance(index, sp.Symbol) or _NAME.fullmatch(index.name) is None:
                raise _fail("the index of a sum or product must be a letter")
            inner = _Builder(frozenset(bound))
            low, high = inner.build(low), inner.build(high)
            rebuilt.append(sp.Tuple(sp.Symbol(index.name), low, high))
            bound.add(index.name)
        body = _Builder(frozenset(bound)).build(body)
        return type(expr)(body, *reversed(rebuilt))


def _digits(value: sp.Rational) -> float:
    """Upper bound on log10 of the numerator and the denominator."""
    return float(max(len(str(abs(value.p))), len(str(value.q))))


def _value_bound(expr: sp.Basic, digits: float) -> float:
    """An upper bound on |value| of a numeric ``expr`` with ``digits`` digits at most."""
    if isinstance(expr, sp.Rational):
        p, q = abs(int(expr.p)), int(expr.q)
        return math.inf if p > q * 10**6 else p / q  # no float overflow on 10^400
    if digits > math.log10(MAX_EXPONENT) + 1:
        raise _fail(f"a number in an exponent or \\Gamma may exceed {MAX_EXPONENT}")
    return 10.0**digits


def _node_size(kind: type, args: tuple[sp.Basic, ...], sizes: list[float | None]) -> float | None:
    """An a-priori bound on the decimal digits of ``kind(*args)`` if it is a number.

    Nothing is evaluated: the bound follows the tree (a product adds digits, a
    power multiplies them by the exponent …). ``None`` when the node is symbolic.
    Raises when a bound passes :data:`MAX_DIGITS` or :data:`MAX_EXPONENT`.
    """
    result: float | None
    if issubclass(kind, sp.Pow):
        if sizes[1] is None:
            return None
        exponent = _value_bound(args[1], sizes[1])
        if exponent > MAX_EXPONENT:
            raise _fail(f"exponent larger than {MAX_EXPONENT}")
        result = None if sizes[0] is None else exponent * sizes[0] + 1
    elif None in sizes:
        return None
    else:
        known = [s for s in sizes if s is not None]
        if issubclass(kind, sp.Add):
            result = sum(known) + math.log10(len(known)) + 1
        elif issubclass(kind, sp.Mul):
            result = sum(known)
        elif issubclass(kind, sp.exp):
            result = 0.4343 * _value_bound(args[0], known[0]) + 1
        elif issubclass(kind, sp.log):
            result = math.log10(2.31 * known[0] + 2) + 1
        elif issubclass(kind, sp.gamma):
            value = _value_bound(args[0], known[0])
            result = value * math.log10(value + 2) + 1
        elif issubclass(kind, sp.Abs):
            result = known[0]
        else:  # pragma: no cover - the builder admits nothing else
            raise _fail(f"{kind.__name__} is not supported")
    if result is not None and result > MAX_DIGITS:
        raise _fail(f"a number in the {_noun()} would have more than {MAX_DIGITS} digits")
    return result


def _atom_size(expr: sp.Basic, env: dict[str, float]) -> float | None:
    if isinstance(expr, sp.Rational):
        return _digits(expr)
    if expr is sp.pi or expr is sp.E:
        return 1.0
    if isinstance(expr, sp.Symbol):
        return env.get(expr.name)
    return None


def _magnitude(expr: sp.Basic, env: dict[str, float]) -> float | None:
    """:func:`_node_size` over a whole tree (used on already-evaluated results)."""
    if expr.is_Atom or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return _atom_size(expr, env)
    if isinstance(expr, (sp.Sum, sp.Product)):
        return _evaluate(expr, env)[1]
    return _node_size(type(expr), expr.args, [_magnitude(a, env) for a in expr.args])


def _evaluate(expr: sp.Basic, env: dict[str, float]) -> tuple[sp.Basic, float | None]:
    """Rebuild bottom-up with evaluation on, bounding every node *before* building it.

    Returns the evaluated node and a bound on its digits (``None`` if symbolic).
    Children are evaluated first, so a numeric child reached by cancellation
    (``x - x + 99999``) is bounded by its value before ``\\Gamma`` sees it.
    """
    if expr.is_Atom or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr, _atom_size(expr, env)
    if isinstance(expr, (sp.Sum, sp.Product)):
        return _evaluate_big(expr, env)
    pairs = [_evaluate(a, env) for a in expr.args]
    args = tuple(p[0] for p in pairs)
    size = _node_size(type(expr), args, [p[1] for p in pairs])
    result = expr.func(*args)
    if size is None and not {s.name for s in result.free_symbols} - set(env):
        size = _magnitude(result, env)
    return result, size


def _evaluate_big(
    expr: sp.Sum | sp.Product, env: dict[str, float]
) -> tuple[sp.Basic, float | None]:
    body, *limits = expr.args
    inner = dict(env)
    terms = 1
    numeric = True
    rebuilt = []
    for index, low, high in limits:
        (low, low_size), (high, high_size) = _evaluate(low, inner), _evaluate(high, inner)
        rebuilt.append(sp.Tuple(index, low, high))
        if low_size is None or high_size is None:
            numeric = False
            inner.pop(index.name, None)
            continue
        if not (isinstance(low, sp.Integer) and isinstance(high, sp.Integer)):
            raise _fail("numeric limits of a sum or product must be whole numbers")
        terms *= max(int(high) - int(low) + 1, 1)
        if terms > MAX_TERMS:
            raise _fail(f"a sum or product with numeric limits spans more than {MAX_TERMS} terms")
        inner[index.name] = max(low_size, high_size)
    body, size = _evaluate(body, inner)
    result = type(expr)(body, *rebuilt)
    if not numeric or size is None:
        return result, None
    total = terms * size + math.log10(terms) + 1
    if total > MAX_DIGITS:
        raise _fail(f"a number in the {_noun()} would have more than {MAX_DIGITS} digits")
    return result, total


def _walk(expr: sp.Basic) -> Iterator[sp.Basic]:
    yield expr
    for arg in expr.args:
        yield from _walk(arg)


def _check_result(expr: sp.Basic, constant: bool) -> None:
    for node in _walk(expr):
        if node in (sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I, sp.EulerGamma) or isinstance(
            node, sp.Float
        ):
            raise _fail(_friendly(node))
        if (
            isinstance(node, sp.Pow)
            and node.base.is_negative
            and node.exp.is_number
            and node.exp.is_integer is False
        ):
            raise _fail("a root of a negative number is not real")
    plain, bases = _names(expr)
    if not plain and not bases and not constant:
        raise _fail(f"no symbol in the {_noun()}")
    for name in sorted(plain & bases):
        raise _fail(f"{name} is used both as a symbol and as {name}_i in a sum or product")
    for name in sorted(plain):
        base, _, sub = name.partition("_")
        if sub and base in bases:
            raise _fail(f"{name} is used outside a sum or product over {sub}")


def _names(expr: sp.Basic) -> tuple[set[str], set[str]]:
    """(free plain symbol names, ``IndexedBase`` names) of ``expr``; bound indices left out."""
    plain: set[str] = set()
    bases: set[str] = set()

    def visit(node: sp.Basic, bound: frozenset[str]) -> None:
        if isinstance(node, sp.Symbol):
            if node.name not in bound:
                plain.add(node.name)
        elif isinstance(node, sp.IndexedBase):
            bases.add(str(node.label))
        elif isinstance(node, (sp.Sum, sp.Product)):
            body, *limits = node.args
            inner = set(bound)
            for limit in limits:
                for end in limit.args[1:]:
                    visit(end, frozenset(inner))
                inner.add(limit.args[0].name)
            visit(body, frozenset(inner))
        else:
            for arg in node.args:
                visit(arg, bound)

    visit(expr, frozenset())
    return plain, bases


def _strip_dollars(text: str) -> str:
    """``$…$`` or ``$$…$$`` around the whole input: the math inside."""
    inner = text.strip()
    for fence in ("$$", "$"):
        if len(inner) > 2 * len(fence) and inner.startswith(fence) and inner.endswith(fence):
            return inner[len(fence) : -len(fence)]
    return text


# --------------------------------------------------------------------------- public API


def parse_density(text: str, *, noun: str = "density", constant: bool = False) -> sp.Expr:
    r"""The density or mass function ``text`` (LaTeX, one observation) as a SymPy expression.

    Symbols are plain ``Symbol(name)`` without assumptions; ``y_i`` inside a sum or
    product over ``i`` is ``IndexedBase("y")[i]``. Raises :class:`DeriveError` (one
    line, starting ``density:``) for anything it cannot read soundly. ``noun``
    (``density`` or ``expression``) names the text in messages; ``constant`` admits
    an expression without symbols.

    >>> parse_density(r"\frac{1}{2b} e^{-\frac{|y-\mu|}{b}}")
    exp(-Abs(mu - y)/b)/(2*b)
    """
    token = _NOUN.set((noun, _NOUNS[noun]))
    try:
        return _parse_text(text, constant)
    finally:
        _NOUN.reset(token)


def _parse_text(text: str, constant: bool) -> sp.Expr:
    if not isinstance(text, str):
        raise _fail(f"the {_noun()} must be text")
    _check_characters(text)
    text = _strip_dollars(text)
    rewritten = _rewrite(text)
    parsed = _parse(rewritten, text)
    try:
        if not isinstance(parsed, sp.Basic):
            raise _fail(f"{type(parsed).__name__} is not supported")
        tree = _Builder().build(parsed)
        result = _evaluate(tree, {})[0]
        _check_result(result, constant)
    except RecursionError:
        raise _fail(f"too deeply nested: {_shorten(text)}") from None
    if not isinstance(result, sp.Expr):
        raise _fail(f"{type(result).__name__} is not supported")
    return result


def symbol_names(expr: sp.Basic) -> list[str]:
    """Sorted names of the free symbols of ``expr``, counting an ``IndexedBase`` by its name.

    Indices bound by a ``Sum`` or ``Product`` are not listed.
    """
    plain, bases = _names(expr)
    return sorted(plain | bases)
