"""Markdown proofs that render on GitHub: the LaTeX proof's content, Markdown's layout.

:class:`MarkdownPrinter` is the LaTeX printer with the block layout swapped:
headings are ``#``, math is ``$…$`` inline and ``$$…$$`` on its own lines,
aligned steps are an ``aligned`` block with the justification in a
``\\text{…}`` column (GitHub's MathJax has no ``\\tag`` inside ``aligned``).
"""

from __future__ import annotations

from derive.analysis import Analysis
from derive.render.latex import Proof, ProofPrinter
from derive.render.phrases import Phrase
from derive.render.prose import prose, prose_text
from derive.steps import Derivation

__all__ = ["DISPLAY_CHARACTERS", "MarkdownPrinter", "render_markdown", "repr_latex"]

DISPLAY_CHARACTERS = 3500  # the most text one display formula holds (MathJax's buffer is 5 KiB)


class MarkdownPrinter(ProofPrinter):
    """The proof printer, laid out as GitHub-flavoured Markdown."""

    def heading(self, text: str, level: int = 1) -> str:
        return "#" * level + " " + self.plain(text)

    def plain(self, text: str) -> str:
        return prose_text(text, "markdown")

    def words(self, sentence: str) -> str:
        return prose(sentence, "markdown")

    def code(self, text: str) -> str:
        return f"`{text}`"

    def format_flags(self) -> list[str]:
        return ["--format", "markdown"]

    def strong(self, text: str) -> str:
        return f"**{text}**"

    def ragged(self, text: str) -> str:
        return text

    def display(self, rows: list[str]) -> str:
        """``$$…$$``; no line inside starts with ``-`` or ``+`` (Markdown would see a list).

        MathJax refuses a formula whose text outgrows its buffer (5 KiB) while it expands
        macros, so a long aligned block is cut into several, between rows.
        """
        if len(rows) == 1 and "&" not in rows[0]:
            return "$$%s$$" % rows[0]
        return "\n\n".join(
            "$$\\begin{aligned}%s\n\\end{aligned}$$" % " \\\\\n".join(block)
            for block in _blocks(rows)
        )

    def bullets(self, entries: list[str]) -> str:
        return "\n".join(f"- {text}" for text in entries)

    def items(self, entries: list[tuple[str, str]]) -> str:
        return "\n".join(f"- **{label}**: {text}" for label, text in entries)

    def code_block(self, text: str) -> str:
        return f"```python\n{text}\n```"

    def note(self, words: str, extras: list[tuple[str, str]]) -> str:
        text = prose(words, "math")
        return text + "".join(r"\text{; %s } %s" % (label, tex) for label, tex in extras)

    def phrase_note(self, phrase: Phrase) -> str:
        return "".join(
            r"\text{%s}" % prose_text(part, "latex") if isinstance(part, str) else self._print(part)
            for part in phrase
        )

    def code_note(self, text: str) -> str:
        return r"\texttt{%s}" % text.replace("_", r"\_")

    def justified(self, rows: list[str], note: str) -> list[str]:
        return [rows[0] + r" && " + note, *rows[1:]]

    def document(self, body: str) -> str:
        if self._settings["standalone"]:
            raise ValueError("a Markdown proof has no standalone form")
        return body + "\n"


def render_markdown(d: Derivation, analysis: Analysis | None = None) -> str:
    """The proof of ``d`` (and its analysis) as GitHub-flavoured Markdown."""
    return MarkdownPrinter().doprint(Proof(d, analysis))


def repr_latex(d: Derivation) -> str:
    """The derivation's steps as one formula, SymPy's ``$\\displaystyle …$`` convention."""
    printer = MarkdownPrinter()
    rows = printer.derivation_rows(d)
    return "\n".join(
        "$\\displaystyle \\begin{aligned}%s\\end{aligned}$" % " \\\\ ".join(block)
        for block in _blocks(rows)
    )


def _blocks(rows: list[str]) -> list[list[str]]:
    """``rows`` in consecutive groups of at most :data:`DISPLAY_CHARACTERS` (a longer row
    stands alone)."""
    blocks: list[list[str]] = [[]]
    for row in rows:
        if blocks[-1] and sum(len(r) + 4 for r in blocks[-1]) + len(row) > DISPLAY_CHARACTERS:
            blocks.append([])
        blocks[-1].append(row)
    return blocks
