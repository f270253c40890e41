"""Hostile inputs for ``derive custom``: every case must be refused with one line.

``CASES`` is a list of ``(id, argv)``; every argv starts with ``custom`` and is
bad input: the contract is exit status 2, one ``derive: error:`` line on
stderr, nothing on stdout, within the time limit. Families are generated
(bracket kind × depth, unbalanced brackets of each kind, 100 kB inputs) and
hand-written (huge numbers, TeX primitives, Python injection, unicode tricks,
densities that are not densities, bad option values).

``CANARY_PATH`` names a file that any of the ``canary-*`` payloads creates if
user text ever reaches Python's ``eval``/``exec``/``sympify``; the tests assert
it never exists. ``SLOW_IDS`` are the cases expected to reach the worker and
run into their (short, explicit) ``--timeout 2``.
"""

from __future__ import annotations

import os
import random
import tempfile
import uuid
from collections.abc import Callable

__all__ = [
    "CANARY_PATH",
    "CASES",
    "CHOICE_IDS",
    "GAUSSIAN",
    "GAUSSIAN_ARGV",
    "SLOW_IDS",
    "canary_payloads",
]

GAUSSIAN = r"\frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(y-\mu)^2}{2\sigma^2}}"
"""The valid example: a Gaussian in y with mean mu and fixed sigma."""

GAUSSIAN_ARGV = [
    "custom",
    "--density",
    GAUSSIAN,
    "--target",
    "y",
    "--predict",
    "mu",
    "--fixed",
    "sigma",
]

KERNEL = r"e^{-(y-\mu)^2}"
"""A positive kernel in y and mu: hostile cases wrap or extend it."""

CANARY_PATH = os.path.join(tempfile.gettempdir(), f"derive-hostile-canary-{uuid.uuid4().hex}")
"""Created by every ``canary-*`` payload if it is ever evaluated by Python."""


def _density(text: str, *rest: str) -> list[str]:
    """A ``custom`` argv with ``text`` as the density of y predicting mu.

    ``--density=TEXT`` (one word) so that a density starting with ``-`` reaches
    the density checks instead of being taken for an option.
    """
    return ["custom", f"--density={text}", "--target", "y", "--predict", "mu", *rest]


def _gaussian_with(*rest: str) -> list[str]:
    """The valid Gaussian with extra (bad) options."""
    return [*GAUSSIAN_ARGV, *rest]


# --------------------------------------------------------------------------- nesting

CORE = r"y-\mu"
"""Nested cores are negative somewhere on the real line: bad at any depth."""


def _wrap(open_: str, close: str) -> Callable[[int], str]:
    return lambda depth: open_ * depth + CORE + close * depth


def _frac(depth: int) -> str:
    text = CORE
    for _ in range(depth):
        text = r"\frac{" + text + "}{1}"
    return text


def _frac_denominator(depth: int) -> str:
    # 1/(1/(…(y-mu)…)): y-mu for an even depth, 1/(y-mu) for an odd one; never positive
    return r"\frac{1}{" * depth + CORE + "}" * depth


def _sqrt(depth: int) -> str:
    return r"\sqrt{" * depth + CORE + "}" * depth


def _exponent(depth: int) -> str:
    # (y-mu)^{1^{1^{…}}} = y - mu
    return "(" + CORE + ")^{" + "1^{" * (depth - 1) + "1" + "}" * depth


def _e_tower(depth: int) -> str:
    # -e^{e^{…e^{y-mu}}}: negative everywhere
    return "-" + "e^{" * depth + CORE + "}" * depth


NESTERS: dict[str, Callable[[int], str]] = {
    "paren": _wrap("(", ")"),
    "bracket": _wrap("[", "]"),
    "brace-escaped": _wrap(r"\{", r"\}"),
    "brace-group": _wrap("{", "}"),
    "left-right-paren": _wrap(r"\left(", r"\right)"),
    "left-right-bracket": _wrap(r"\left[", r"\right]"),
    "frac-numerator": _frac,
    "frac-denominator": _frac_denominator,
    "sqrt": _sqrt,
    "exponent": _exponent,
    "e-tower": _e_tower,
}

DEPTHS = (30, 60, 200, 1000)


def _nesting() -> list[tuple[str, list[str]]]:
    return [
        (f"nest-{kind}-{depth}", _density(nest(depth)))
        for kind, nest in NESTERS.items()
        for depth in DEPTHS
    ]


# --------------------------------------------------------------------------- unbalanced

UNBALANCED: dict[str, str] = {
    "paren-open": r"e^{-((y-\mu)^2}",
    "paren-close": r"e^{-(y-\mu))^2}",
    "bracket-open": r"e^{-[y-\mu^2}",
    "bracket-close": r"e^{-y-\mu]^2}",
    "brace-escaped-open": r"e^{-\{y-\mu^2}",
    "brace-escaped-close": r"e^{-y-\mu\}^2}",
    "brace-group-open": r"e^{-(y-\mu)^2",
    "brace-group-close": r"e^{-(y-\mu)^2}}",
    "left-without-right": r"e^{-\left(y-\mu)^2}",
    "right-without-left": r"e^{-(y-\mu\right)^2}",
    "left-right-mismatch": r"e^{-\left(y-\mu\right]^2}",
    "frac-missing-denominator": r"\frac{1}{",
    "frac-one-argument": r"\frac{e^{-(y-\mu)^2}}",
    "sqrt-open": r"\sqrt{e^{-(y-\mu)^2}",
    "begin-without-end": r"\begin{pmatrix} y & \mu",
    "end-without-begin": r"y \end{pmatrix}",
    "pipe-open": r"e^{-\left|y-\mu}",
    "crossed": r"e^{-(y-\mu}^2)",
    "open-1000": "(" * 1000,
    "close-1000": ")" * 1000 + KERNEL,
    "brace-open-1000": "{" * 1000 + KERNEL,
    "left-1000": r"\left(" * 1000,
}


def _unbalanced() -> list[tuple[str, list[str]]]:
    return [(f"unbalanced-{name}", _density(text)) for name, text in UNBALANCED.items()]


# --------------------------------------------------------------------------- huge work

HUGE: dict[str, str] = {
    "pow-10-10-10": r"10^{10^{10}}",
    "pow-10-10-10-kernel": r"e^{-10^{10^{10}}(y-\mu)^2}",
    "pow-2-tower-5": r"2^{2^{2^{2^{2}}}}",
    "pow-2-tower-6-kernel": r"2^{2^{2^{2^{2^{2}}}}} e^{-(y-\mu)^2}",
    "pow-y-99999999": r"y^{99999999} e^{-(y-\mu)^2}",
    "pow-even-huge": r"(y-\mu)^{10^{10^{10}}}",
    "factorial-10e7": r"(10^7)! e^{-(y-\mu)^2}",
    "factorial-100000": r"100000!",
    "binom-10e8-5": r"\binom{10^8}{5}",
    "binom-10e8-10e7": r"\binom{10^8}{10^7} e^{-(y-\mu)^2}",
    "gamma-10e7": r"\Gamma(10^7) e^{-(y-\mu)^2}",
    "det-7x7": r"\det\begin{pmatrix}"
    + r"\\".join("&".join(f"a_{{{r}{c}}}" for c in range(7)) for r in range(7))
    + r"\end{pmatrix} e^{-(y-\mu)^2}",
    "gcd-10-10-10": r"\gcd(10^{10^{10}},2) e^{-(y-\mu)^2}",
    # negative somewhere, but only a sum of 10^10 terms (a product of 10^9) shows where
    "sum-10e10-terms": r"\sum_{k=1}^{10^{10}} (y-\mu)^k",
    "prod-10e9-terms": r"\prod_{k=1}^{10^{9}} (y-\mu+k)",
}


def _huge() -> list[tuple[str, list[str]]]:
    return [(f"huge-{name}", _density(text, "--timeout", "2")) for name, text in HUGE.items()]


# --------------------------------------------------------------------------- 100 kB

SIZE = 100_000


def _big() -> list[tuple[str, list[str]]]:
    rng = random.Random(20240601)
    printable = [chr(c) for c in range(33, 127)]
    junk = "".join(rng.choice(printable) for _ in range(SIZE))
    latexy = [r"\frac", "{", "}", "(", ")", "^", "_", "y", r"\mu", "+", "-", r"\sqrt", "2", " "]
    latex_junk = ""
    while len(latex_junk) < SIZE:
        latex_junk += rng.choice(latexy)
    repeated = "+".join([KERNEL] * (SIZE // (len(KERNEL) + 1)))
    product = " ".join([KERNEL] * (SIZE // (len(KERNEL) + 1)))
    cases = {
        "random-printable": junk[:SIZE],
        "random-latex-tokens": latex_junk[:SIZE],
        "repeated-sum": repeated,
        "repeated-product": product,
        "digits": "9" * SIZE,
        "letters": "y" * SIZE,
        "frac-commands": r"\frac" * (SIZE // 5),
        "open-parens": "(" * SIZE,
        "spaces-padding": " " * (SIZE - len(GAUSSIAN)) + GAUSSIAN,
        "long-decimal": "0." + "1" * (SIZE - 2),
    }
    return [(f"big-{name}", _density(text)) for name, text in cases.items()]


# --------------------------------------------------------------------------- empty, bytes

CONTROL: dict[str, str] = {
    "empty": "",
    "space": " ",
    "whitespace-mixed": " \t\n\r ",
    "nbsp": "\u00a0",
    "ideographic-space": "\u3000",
    "nul-only": "\x00",
    "nul-inside": r"e^{-(y-\mu)^2}" + "\x00" + "junk",
    "nul-in-command": "e^{-(y-\\m\x00u)^2}",
    "escape-clear-screen": "\x1b[2J\x1b[H" + KERNEL,
    "escape-title": "\x1b]0;pwned\x07" + KERNEL,
    "escape-color": "\x1b[31m" + KERNEL + "\x1b[0m",
    "del": KERNEL + "\x7f",
    "bell": "\x07" + KERNEL,
    "backspace": KERNEL + "\x08\x08\x08",
    "carriage-return": KERNEL + "\rforged line",
    "newline-injection": KERNEL + "\nderive: error: forged",
    "vertical-tab-form-feed": KERNEL + "\x0b\x0c",
    "c1-control": KERNEL + "\x85\x9b",
    "invalid-utf8-surrogates": KERNEL + "\udcff\udcfe",
    "line-separator": KERNEL + "\u2028\u2029",
}


def _control() -> list[tuple[str, list[str]]]:
    return [(f"text-{name}", _density(text)) for name, text in CONTROL.items()]


# --------------------------------------------------------------------------- unicode

UNICODE: dict[str, str] = {
    "fullwidth-y": r"e^{-(ｙ-\mu)^2}",
    "fullwidth-everything": "ｅ＾｛－（ｙ－＼ｍｕ）＾２｝",
    "greek-mu": "e^{-(y-μ)^2}",
    "greek-micro-sign": "e^{-(y-µ)^2}",
    "zero-width-joiner": "e^{-(y-\\m\u200du)^2}",
    "zero-width-space": "e^{-(y\u200b-\\mu)^2}",
    "rtl-override": "e^{-(y-\\mu)^2}\u202e}2^)um\\",
    "bidi-isolate": "\u2066e^{-(y-\\mu)^2}\u2069",
    "bom": "\ufeff" + KERNEL,
    "cyrillic-y": r"e^{-(у-\mu)^2}",
    "cyrillic-e": r"е^{-(y-\mu)^2}",
    "greek-omicron-in-frac": r"\frac{1}{\sqrt{2\pi}} е^{-(y-\mu)^2/2}",
    "combining-acute": "e^{-(y\u0301-\\mu)^2}",
    "combining-overlay": "e^{-(y-\\mu\u0338)^2}",
    "unicode-minus": "e^{\u2212(y\u2212\\mu)^2}",
    "math-italic-y": "e^{-(\U0001d466-\\mu)^2}",
    "superscript-two": "e^{-(y-\\mu)²}",
    "emoji": "e^{-(y-\\mu)^2} \U0001f600",
    "private-use": "e^{-(y-\\mu)^2}\ue000",
    "noncharacter": "e^{-(y-\\mu)^2}\uffff",
}


def _unicode() -> list[tuple[str, list[str]]]:
    return [(f"unicode-{name}", _density(text)) for name, text in UNICODE.items()]


# --------------------------------------------------------------------------- TeX primitives

TEX: dict[str, str] = {
    "input-passwd": r"\input{/etc/passwd}",
    "input-passwd-kernel": r"\input{/etc/passwd} e^{-(y-\mu)^2}",
    "include-passwd": r"\include{/etc/passwd} e^{-(y-\mu)^2}",
    "write18": r"\write18{touch x} e^{-(y-\mu)^2}",
    "immediate-write18": r"\immediate\write18{touch x} e^{-(y-\mu)^2}",
    "def": r"\def\mu{y} e^{-(y-\mu)^2}",
    "catcode": r"\catcode`\^=11 e^{-(y-\mu)^2}",
    "openout": r"\newwrite\f\immediate\openout\f=x.tex e^{-(y-\mu)^2}",
    "csname": r"e^{-(y-\csname mu\endcsname)^2}",
    "newcommand": r"\newcommand{\m}{\mu} e^{-(y-\m)^2}",
    "let": r"\let\e\exp \e{-(y-\mu)^2}",
    "expandafter": r"\expandafter\mu e^{-(y-\mu)^2}",
    "read": r"\read16 to \x e^{-(y-\mu)^2}",
    "usepackage": r"\usepackage{shellesc} e^{-(y-\mu)^2}",
    "begin-document": r"\begin{document} e^{-(y-\mu)^2} \end{document}",
    "verb": r"\verb|e^{-(y-\mu)^2}|",
    "unknown-command": r"\foo{y} e^{-(y-\mu)^2}",
    "backslash-only": "\\",
    "jobname": r"\jobname e^{-(y-\mu)^2}",
    "comment-only": r"% e^{-(y-\mu)^2} \input{/etc/passwd}",
}


def _tex() -> list[tuple[str, list[str]]]:
    return [(f"tex-{name}", _density(text)) for name, text in TEX.items()]


# --------------------------------------------------------------------------- Python injection

PYTHON: dict[str, str] = {
    "import-os-system": "__import__('os').system('id')",
    "eval": "eval('1+1')",
    "exec": "exec('x=1')",
    "lambda": "(lambda: 1)()",
    "subclasses": "[c for c in ().__class__.__bases__[0].__subclasses__()]",
    "dunder-globals": "y.__class__.__init__.__globals__",
    "f-string": "f'{y}'",
    "backticks": "`y`",
    "sympy-constructor": "Symbol('mu') * Integer(2)",
    "sympify-string": "S('y') - S('mu')",
    "semicolon-statements": "y; import os",
    "walrus": "(z := y - mu)",
    "getattr": "getattr(y, '__class__')",
    "python-power": "exp(-(y-mu)**2)",
}


def canary_payloads(path: str) -> dict[str, str]:
    """Python texts that create ``path`` when evaluated, in several syntactic wrappings."""
    touch = f"__import__('pathlib').Path({path!r}).touch()"
    return {
        "bare": touch,
        "double-quoted": touch.replace("'", '"'),
        "plus-kernel": KERNEL + " + " + touch,
        "in-frac": r"\frac{" + touch + "}{1}",
        "in-exponent": "e^{" + touch + "}",
        "in-text": r"\text{" + touch + "}",
        "in-operatorname": r"\operatorname{" + touch + "}",
        "eval": f"eval({touch!r})",
        "exec": f"exec({touch!r})",
        "lambda": f"(lambda: {touch})()",
        "f-string": 'f"{' + touch + '}"',
        "backticks": f"`{touch}`",
        "os-system": f"__import__('os').system('touch {path}')",
        "open-write": f"open({path!r}, 'w').close()",
        "subclasses-popen": "[c for c in ().__class__.__bases__[0].__subclasses__() "
        f"if c.__name__ == 'Popen'][0](['touch', {path!r}])",
        "sympify-call": f"sympify({touch!r})",
    }


def _python() -> list[tuple[str, list[str]]]:
    cases = [(f"python-{name}", _density(text)) for name, text in PYTHON.items()]
    payloads = canary_payloads(CANARY_PATH)
    cases += [(f"canary-density-{name}", _density(text)) for name, text in payloads.items()]
    touch = payloads["bare"]
    cases += [
        ("canary-predict", [*GAUSSIAN_ARGV[:-4], "--predict", touch, "--fixed", "sigma"]),
        ("canary-target", ["custom", "--density", GAUSSIAN, "--target", touch, "--predict", "mu"]),
        ("canary-fixed", [*GAUSSIAN_ARGV[:-1], touch]),
        ("canary-support", _gaussian_with("--support", touch)),
        ("canary-link", _gaussian_with("--link", touch)),
        ("canary-timeout", _gaussian_with("--timeout", touch)),
    ]
    return cases


# --------------------------------------------------------------------------- not a density

SEMANTIC: dict[str, str] = {
    "negative-everywhere": r"-e^{-(y-\mu)^2}",
    "negative-gaussian": "-" + GAUSSIAN.replace(r"\sigma", "1"),
    "negative-somewhere": r"y-\mu",
    "negative-somewhere-cubic": r"(y-\mu)^3 e^{-(y-\mu)^2}",
    "no-predicted-parameter": r"e^{-y^2}",
    "no-target": r"e^{-\mu^2}",
    "constant-one": "1",
    "constant-zero": "0",
    "zero-times-kernel": r"0 \cdot e^{-(y-\mu)^2}",
    "undefined-function-p": "p(y)",
    "undefined-function-conditional": r"p(y \mid \mu)",
    "undefined-function-mu": r"\mu(y) e^{-y^2}",
    "undefined-function-phi": r"\Phi(y-\mu)",
    "prime": r"e^{-(y'-\mu)^2}",
    "transpose": r"e^{-(y-\theta^T x)^2}",
    "scientific-notation": r"1.5e-3 e^{-(y-\mu)^2}",
    "juxtaposed-numbers": r"2 3 e^{-(y-\mu)^2}",
    "mixed-fraction": r"2\frac12 e^{-(y-\mu)^2}",
    "equation": r"y = \mu",
    "equation-density": r"p = e^{-(y-\mu)^2}",
    "inequality": r"y < \mu",
    "inequality-leq": r"\mu \leq y",
    "integral": r"\int_{-\infty}^{\infty} e^{-(y-\mu)^2} dy",
    "integral-undefined": r"\int e^{-(t-\mu)^2} dt",
    "sum-infinite": r"\sum_{k=1}^{\infty} k (y-\mu)",
    "sum-unbound-index": r"\sum_{i=1}^n (y_i-\mu)",
    "limit": r"\lim_{t \to 0} \frac{e^{-(y-\mu)^2}}{t}",
    "infinity": r"\infty e^{-(y-\mu)^2}",
    "infinity-exponent": r"e^{-\infty (y-\mu)^2}",
    "division-by-zero": r"\frac{1}{0} e^{-(y-\mu)^2}",
    "zero-to-zero": r"0^0 e^{-(y-\mu)^2} - 1",
    "log-zero": r"\log 0 + e^{-(y-\mu)^2}",
    "log-negative": r"\ln(-1) e^{-(y-\mu)^2}",
    "sqrt-minus-one": r"\sqrt{-1} e^{-(y-\mu)^2}",
    "imaginary-i": r"e^{-i(y-\mu)^2}",
    "imaginary-mathrm": r"e^{\mathrm{i}(y-\mu)}",
    "matrix": r"\begin{pmatrix} y & \mu \\ \mu & y \end{pmatrix}",
    "matrix-bmatrix-times-kernel": r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix} e^{-(y-\mu)^2}",
    "determinant-2x2": r"\det\begin{pmatrix} y & \mu \\ \mu & y \end{pmatrix}",
    "set-literal": r"\{y, \mu\}",
    "set-empty": r"\emptyset",
    "set-membership": r"y \in \mathbb{R}",
    "set-union": r"\{y\} \cup \{\mu\}",
    "conditional-bar": r"y \mid \mu",
    "interval": r"[y, \mu)",
    "undeclared-parameter": r"e^{-(y-\mu)^2/\tau}",
    "euler-gamma-constant": r"e^{-\gamma(y-\mu)^2} - 1",
    "derivative": r"\frac{d}{dy} e^{-(y-\mu)^2}",
    "partial": r"\frac{\partial}{\partial \mu} e^{-(y-\mu)^2}",
    "trailing-operator": r"e^{-(y-\mu)^2} +",
    "leading-operator": r"* e^{-(y-\mu)^2}",
    "double-superscript": r"e^{-(y-\mu)^2^2}",
    "text-command": r"\text{density} e^{-(y-\mu)^2}",
    "percent-only": "%",
    "ampersand": r"y & \mu",
    "newline-command": r"y \\ \mu",
    "factorial-target": r"y! e^{-(y-\mu)^2}",
}


def _semantic() -> list[tuple[str, list[str]]]:
    return [(f"density-{name}", _density(text)) for name, text in SEMANTIC.items()]


# --------------------------------------------------------------------------- other options

TEN_KB = "a" * 10_000


def _options() -> list[tuple[str, list[str]]]:
    g = GAUSSIAN
    return [
        ("names-target-absent", ["custom", "--density", g, "--target", "z", "--predict", "mu"]),
        (
            "names-predict-absent",
            ["custom", "--density", g, "--target", "y", "--predict", "nu", "--fixed", "sigma"],
        ),
        ("names-fixed-absent", _gaussian_with("--fixed", "sigma,tau")),
        ("names-fixed-only-absent", [*GAUSSIAN_ARGV[:-1], "tau"]),
        (
            "names-target-is-predict",
            ["custom", "--density", g, "--target", "mu", "--predict", "mu"],
        ),
        (
            "names-target-is-predict-y",
            ["custom", "--density", g, "--target", "y", "--predict", "y", "--fixed", "sigma"],
        ),
        ("names-fixed-is-predict", [*GAUSSIAN_ARGV[:-1], "sigma,mu"]),
        ("names-fixed-is-target", [*GAUSSIAN_ARGV[:-1], "sigma,y"]),
        ("names-sigma-not-fixed", ["custom", "--density", g, "--target", "y", "--predict", "mu"]),
        (
            "names-predict-injection",
            ["custom", "--density", g, "--target", "y", "--predict", '__import__("os")'],
        ),
        ("names-fixed-empty-item", [*GAUSSIAN_ARGV[:-1], "a,,b"]),
        ("names-fixed-comma", [*GAUSSIAN_ARGV[:-1], ","]),
        ("names-fixed-empty", [*GAUSSIAN_ARGV[:-1], ""]),
        ("names-target-empty", ["custom", "--density", g, "--target", "", "--predict", "mu"]),
        (
            "names-predict-empty",
            ["custom", "--density", g, "--target", "y", "--predict", "", "--fixed", "sigma"],
        ),
        (
            "names-predict-10kb",
            ["custom", "--density", g, "--target", "y", "--predict", TEN_KB, "--fixed", "sigma"],
        ),
        ("names-target-10kb", ["custom", "--density", g, "--target", TEN_KB, "--predict", "mu"]),
        ("names-fixed-10kb", [*GAUSSIAN_ARGV[:-1], TEN_KB]),
        ("names-fixed-many", [*GAUSSIAN_ARGV[:-1], ",".join(f"s{k}" for k in range(5000))]),
        (
            "names-predict-space",
            ["custom", "--density", g, "--target", "y", "--predict", "m u", "--fixed", "sigma"],
        ),
        (
            "names-predict-digit",
            ["custom", "--density", g, "--target", "y", "--predict", "2", "--fixed", "sigma"],
        ),
        (
            "names-predict-dunder",
            ["custom", "--density", g, "--target", "y", "--predict", "__class__"],
        ),
        ("names-target-cyrillic", ["custom", "--density", g, "--target", "у", "--predict", "mu"]),
        (
            "names-predict-nul",
            ["custom", "--density", g, "--target", "y", "--predict", "m\x00u", "--fixed", "sigma"],
        ),
        (
            "names-predict-escape",
            ["custom", "--density", g, "--target", "y", "--predict", "\x1b[2Jmu"],
        ),
        ("missing-density", ["custom", "--target", "y", "--predict", "mu"]),
        ("missing-target", ["custom", "--density", g, "--predict", "mu", "--fixed", "sigma"]),
        ("missing-predict", ["custom", "--density", g, "--target", "y", "--fixed", "sigma"]),
        # its own --timeout first: --density must be the very last word, with no value
        (
            "missing-density-value",
            ["custom", "--timeout", "5", "--target", "y", "--predict", "mu", "--density"],
        ),
        ("missing-everything", ["custom"]),
        ("opt-choice-support-nonsense", _gaussian_with("--support", "nonsense")),
        ("opt-choice-support-empty", _gaussian_with("--support", "")),
        ("opt-choice-link-nonsense", _gaussian_with("--link", "nonsense")),
        ("opt-choice-link-softmax", _gaussian_with("--link", "softmax")),
        ("opt-choice-format-nonsense", _gaussian_with("--format", "nonsense")),
        ("timeout-negative", _gaussian_with("--timeout", "-1")),
        ("timeout-zero", _gaussian_with("--timeout", "0")),
        ("timeout-huge", _gaussian_with("--timeout", "1e9")),
        ("timeout-nan", _gaussian_with("--timeout", "nan")),
        ("timeout-inf", _gaussian_with("--timeout", "inf")),
        ("timeout-word", _gaussian_with("--timeout", "abc")),
        ("timeout-empty", _gaussian_with("--timeout", "")),
        ("timeout-tiny", _gaussian_with("--timeout", "1e-9")),
        ("format-json-bad-density", _density(r"e^{-(y-\mu)^2", "--format", "json")),
        ("format-latex-bad-density", _density(r"\input{/etc/passwd}", "--format", "latex")),
        ("format-markdown-bad-density", _density("", "--format", "markdown")),
        ("support-positive-negative-density", _density(r"-y e^{-y\mu}", "--support", "positive")),
    ]


# --------------------------------------------------------------------------- all cases

CASES: list[tuple[str, list[str]]] = [
    *_nesting(),
    *_unbalanced(),
    *_huge(),
    *_big(),
    *_control(),
    *_unicode(),
    *_tex(),
    *_python(),
    *_semantic(),
    *_options(),
]

SLOW_IDS = frozenset(name for name, _ in CASES if name.startswith("huge-"))
"""Cases that may legitimately run until their ``--timeout 2``."""

CHOICE_IDS = frozenset(name for name, _ in CASES if name.startswith("opt-choice-"))
"""Cases where argparse's own ``invalid choice`` message is a fine refusal."""

assert len({name for name, _ in CASES}) == len(CASES), "duplicate case ids"
assert all(argv[0] == "custom" for _, argv in CASES)
