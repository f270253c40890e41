"""derive's own sentences (rule titles, verdict reasons, notes) as LaTeX or Markdown.

The analysis states its reasons in readable Unicode ("ℓ is convex in f and
f = wᵀx is affine in w"). A document needs the words as text and the
mathematics as math: this module splits a sentence into prose words and math
runs, escapes the prose, and spells each Unicode math character as its LaTeX
command. It reads only derive's own strings, never user input, and refuses a
character it does not know (``ValueError``) rather than emit something that
fails to compile: every string the package can produce is compiled by
``pdflatex`` in the test suite.

Three targets:

- ``"latex"``: prose as LaTeX text, math runs in ``$…$``;
- ``"markdown"``: prose escaped for Markdown, math runs in ``$…$`` (GitHub);
- ``"math"``: for use inside a formula: prose in ``\\text{…}``, math as is.
"""

from __future__ import annotations

import re

from derive.render.unicode import GREEK

__all__ = ["FUNCTION_NAMES", "MATH_CHARACTERS", "prose", "prose_text"]

MATH_CHARACTERS: dict[str, str] = {
    "∫": r"\int ",
    "′": "'",
    "″": "''",
    "σ": r"\sigma ",
    "ε": r"\varepsilon ",
    "μ": r"\mu ",
    "θ": r"\theta ",
    "π": r"\pi ",
    "η": r"\eta ",
    "ℓ": r"\ell ",
    "∇": r"\nabla ",
    "∂": r"\partial ",
    "Σ": r"\sum ",
    "∏": r"\prod ",
    "²": "^{2}",
    "ᵀ": "^{\\top}",
    "≥": r"\geq ",
    "⪰": r"\succeq ",
    "≤": r"\leq ",
    "≠": r"\neq ",
    "−": "-",
    "·": r"\cdot ",
    "→": r"\to ",
    "∞": r"\infty ",
    "⇔": r"\iff ",
    "∈": r"\in ",
    "…": r"\dots ",
    "~": r"\sim ",
    "×": r"\times ",
    "‖": r"\| ",
    "∼": r"\sim ",
    "𝔼": r"\mathbb{E}",
    "ℝ": r"\mathbb{R}",
    "≐": r"\doteq ",
    "∝": r"\propto ",
    "↦": r"\mapsto ",
    "₀": "_{0}",
    "₁": "_{1}",
    "₂": "_{2}",
    "₃": "_{3}",
    "ₐ": "_{a}",
    "ᵢ": "_{i}",
    "ⱼ": "_{j}",
    "ₖ": "_{k}",
    "ₙ": "_{n}",
    "{": r"\lbrace ",
    "}": r"\rbrace ",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "$": r"\$",
}

# Every Greek letter the Unicode printer writes for a symbol named after it.
for _name, _char in GREEK.items():
    MATH_CHARACTERS.setdefault(_char, "\\%s " % _name)

FUNCTION_NAMES: dict[str, str] = {
    "log": r"\log ",
    "exp": r"\exp ",
    "diag": r"\operatorname{diag}",
    "softmax": r"\operatorname{softmax}",
    "softplus": r"\operatorname{softplus}",
    "logsumexp": r"\operatorname{logsumexp}",
    "sign": r"\operatorname{sign}",
    "argmin": r"\operatorname*{arg\,min}",
    "argmax": r"\operatorname*{arg\,max}",
    "onehot": r"\operatorname{onehot}",
    "Var": r"\operatorname{Var}",
    "Cov": r"\operatorname{Cov}",
}

_LATEX_TEXT = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
    "—": "---",
    "–": "--",
}
_MARKDOWN_TEXT = {c: "\\" + c for c in "\\`*_[]<>|#"} | {"—": "—", "–": "–"}

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
_OPEN = "("
_CLOSE = ").,;:!?"


def _core(word: str) -> str:
    """The word without its surrounding brackets and punctuation."""
    return word.lstrip(_OPEN).rstrip(_CLOSE)


def _is_prose(word: str, following: str | None, previous: str | None = None) -> bool:
    core = _core(word)
    if core in FUNCTION_NAMES and word == core and following and _is_prose(following, None):
        return True  # "log of a product", "softplus reflection": the function named in words
    if not core or not _WORD.fullmatch(core) or core in FUNCTION_NAMES:
        return False
    if len(core) > 1:
        return True
    # One letter: "a" and "I" read as words before a word ("a convex function"),
    # but not after "and"/"or", where "a" is a symbol ("c and a free of k").
    if previous in ("and", "or"):
        return False
    return core in ("a", "I") and following is not None and _is_prose(following, None)


_ENTRY = re.compile(r"(?<=[A-Za-z\u0370-\u03ff])(ᵢ?)\[([^\[\]=]+)\]")


def _entries(run: str) -> str:
    """Class entries in the text notation, z[k] and zᵢ[yᵢ], as LaTeX's z_{k} and z_{i,yᵢ}
    (an Iverson bracket, [k = y], has an ``=`` and is left alone)."""
    return _ENTRY.sub(lambda m: "_{" + ("i," if m.group(1) else "") + m.group(2) + "}", run)


def _math(run: str) -> str:
    """One run of Unicode math as LaTeX math."""
    run = _entries(run)
    out: list[str] = []
    index = depth = 0
    while index < len(run):
        word = _WORD.match(run, index)
        if word is not None and word.group() in FUNCTION_NAMES:
            out.append(FUNCTION_NAMES[word.group()])
            index = word.end()
            continue
        char = run[index]
        if run[index + 1 : index + 2] == "\u0303" and char.isalpha() and char.isascii():
            out.append(r"\tilde{%s}" % char)  # t̃: a letter with a combining tilde
            index += 2
            continue
        if char == "{" and index and run[index - 1] in "^_":
            out.append(char)  # a group, as in Σ_{i=1}^n
            depth += 1
        elif char == "}" and depth:
            out.append(char)
            depth -= 1
        elif char in MATH_CHARACTERS:
            out.append(MATH_CHARACTERS[char])
        elif char.isascii() and char != "\\":
            out.append(char)
        else:
            raise ValueError(f"no LaTeX spelling for {char!r} in {run!r}")
        index += 1
    return re.sub(r" +", " ", "".join(out)).strip()


def _text(words: str, table: dict[str, str]) -> str:
    out = []
    for char in words:
        if char in table:
            out.append(table[char])
        elif char.isascii():
            out.append(char)
        else:
            raise ValueError(f"no text spelling for {char!r} in {words!r}")
    return "".join(out)


def _runs(sentence: str) -> list[tuple[bool, str]]:
    """(is_math, text) runs; spaces between words of one kind stay in the run."""
    words = sentence.split(" ")
    runs: list[tuple[bool, str]] = []
    for number, word in enumerate(words):
        following = words[number + 1] if number + 1 < len(words) else None
        previous = words[number - 1] if number else None
        if word:
            math = not _is_prose(word, following, previous)
        else:  # a double space continues the run it is in
            math = runs[-1][0] if runs else False
        if runs and runs[-1][0] == math:
            runs[-1] = (math, runs[-1][1] + " " + word)
        else:
            runs.append((math, word))
    return runs


def _split_punctuation(run: str) -> tuple[str, str]:
    """The trailing ',;:.' of a math run belongs to the sentence, not the formula."""
    body = run.rstrip(",;:.")
    return body, run[len(body) :]


def prose(sentence: str, target: str = "latex") -> str:
    """``sentence`` with its math in math mode, for ``target`` latex, markdown or math."""
    if target not in ("latex", "markdown", "math"):
        raise ValueError(f"unknown target {target!r}")
    pieces: list[str] = []
    runs = _runs(sentence)
    for number, (math, run) in enumerate(runs):
        space_before = " " if number else ""
        if math:
            body, tail = _split_punctuation(run)
            if not body:
                pieces.append(space_before + _text(run, _LATEX_TEXT))
                continue
            formula = _math(body)
            if target == "math":
                text_tail = r"\text{%s}" % _text(tail, _LATEX_TEXT) if tail else ""
                pieces.append((r"\ " if number else "") + formula + text_tail)
            else:
                table = _MARKDOWN_TEXT if target == "markdown" else _LATEX_TEXT
                pieces.append(space_before + f"${formula}$" + _text(tail, table))
        elif target == "math":
            pieces.append(r"\text{%s%s}" % (space_before, _text(run, _LATEX_TEXT)))
        else:
            table = _MARKDOWN_TEXT if target == "markdown" else _LATEX_TEXT
            pieces.append(space_before + _text(run, table))
    return "".join(pieces)


def prose_text(text: str, target: str = "latex") -> str:
    """Plain words (a title), escaped for ``target`` latex or markdown, with no math."""
    return _text(text, _MARKDOWN_TEXT if target == "markdown" else _LATEX_TEXT)
