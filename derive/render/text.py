"""The terminal rendering: the proof printer of the LaTeX and Markdown proofs, laid out in
Unicode.

:class:`TextPrinter` is :class:`~derive.render.latex.ProofPrinter` with its layout swapped
for plain lines, and its mathematics printed by the Unicode printer: the analysis
(gradient, Hessian, verdict, certificate, witness, comparison, exponential family) is
worded once, in the proof printer, for every format. The derivation keeps the terminal's
compact form: one numbered line per step, with the rule that justifies it.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp

from derive.analysis import Analysis
from derive.functions import DEFINED, huber
from derive.links import IDENTITY, LINKS
from derive.render.latex import Proof, ProofPrinter
from derive.render.phrases import Phrase
from derive.render.unicode import UnicodePrinter, undouble
from derive.report import conclude
from derive.steps import Derivation, Relation, Step

__all__ = ["TextPrinter", "render_text"]

_HEADING = "\x01"  # marks a heading block until the layout is done
_DISPLAY = "    "  # a displayed formula's indent
_PARAGRAPH = "  "  # a paragraph's indent
_ALIGN = "\x02"  # the alignment point of a display row (before its relation)

# What a relation between two lines of the derivation means (the legend under "Derivation").
MEANINGS = {
    Relation.ARGMIN_EQUIVALENT: "the same minimiser (maximise L ⇔ minimise −log L)",
    Relation.UP_TO_CONSTANT: "equal up to an additive term free of θ (same minimiser)",
    Relation.PROPORTIONAL: "equal up to a positive factor free of θ (same minimiser)",
}


# What text writes with brackets or a name where LaTeX has a symbol, defined where used.
_BRACKETS: dict[Any, str] = {
    sp.KroneckerDelta: "[a = b] is 1 when a = b and 0 otherwise (the Iverson bracket)",
    huber: "huber_δ(r) = r²/2 for |r| < δ and δ·(|r| − δ/2) otherwise, the Huber function",
}


class TextPrinter(ProofPrinter):
    """The proof printer with a terminal layout: Unicode math, indented paragraphs."""

    _default_settings: ClassVar[dict[str, Any]] = {
        **ProofPrinter._default_settings,
        "line_width": 400,  # a terminal line is not broken: the reader's terminal wraps it
        "vectors": frozenset(),  # class vectors, whose numbered entries print z[1]
    }

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__(settings)
        self._unicode = UnicodePrinter(
            {"order": self._settings["order"], "vectors": self._settings["vectors"]}
        )

    def written(self) -> TextPrinter:
        keys = ("line_width", "standalone", "laws", "vectors")
        return type(self)({**{key: self._settings[key] for key in keys}, "order": "none"})

    # ------------------------------------------------------------ layout

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, (sp.Basic, sp.MatrixBase)):
            if isinstance(expr, DEFINED):
                self.__dict__.setdefault("used", set()).add(type(expr))
            for f in (*DEFINED, *_BRACKETS):  # inside an expression, they count as used too
                if expr.has(f):
                    self.__dict__.setdefault("used", set()).add(f)
            text: str = self._unicode.doprint(expr)
            return undouble(text).replace("-", "−")
        return super()._print(expr, **kwargs)

    def heading(self, text: str, level: int = 1) -> str:
        return _HEADING + text

    def plain(self, text: str) -> str:
        return text

    def words(self, sentence: str) -> str:
        return sentence

    def formula(self, text: str) -> str:
        return text

    def brackets(self, text: str) -> str:
        return f"({text})"

    def side_by_side(self, formulas: list[str]) -> str:
        return ",   ".join(formulas)

    def inline(self, tex: str) -> str:
        return tex

    def code(self, text: str) -> str:
        return text

    def strong(self, text: str) -> str:
        return text

    def ragged(self, text: str) -> str:
        return text

    def note(self, words: str, extras: list[tuple[str, str]]) -> str:
        return words + "".join(f"; {label} {text}" for label, text in extras)

    def code_note(self, text: str) -> str:
        return text

    def phrase_note(self, phrase: Phrase) -> str:
        return self.phrase_text(phrase)

    def phrase_text(self, phrase: Phrase) -> str:
        return "".join(part if isinstance(part, str) else self._print(part) for part in phrase)

    def justified(self, rows: list[str], note: str) -> list[str]:
        return [f"{rows[0]}   [{note}]", *rows[1:]]

    def equation(self, lhs: str, relation: str, expr: sp.Basic, aligned: bool = False) -> list[str]:
        """One row, ``lhs relation expr``; a row without ``lhs`` continues the one above."""
        return [f"{lhs}{_ALIGN}{relation} {self._print(expr)}".strip()]

    def display(self, rows: list[str]) -> str:
        """Rows indented under the paragraph, their relations aligned."""
        width = max((len(row.split(_ALIGN)[0]) for row in rows if _ALIGN in row), default=0)
        out = []
        for row in rows:
            if _ALIGN in row:
                lhs, rest = row.split(_ALIGN, 1)
                row = (lhs.ljust(width) + " " + rest).rstrip() if lhs or width else rest
            out.append(_DISPLAY + row.lstrip() if not row.startswith(" ") else _DISPLAY + row)
        return "\n".join(out)

    def bullets(self, entries: list[str]) -> str:
        return "\n".join(f"{_DISPLAY}- {text}" for text in entries)

    def items(self, entries: list[tuple[str, str]]) -> str:
        return "\n".join(f"{_DISPLAY}{label}: {text}" for label, text in entries)

    def code_block(self, text: str) -> str:
        return "\n".join(_DISPLAY + line for line in text.split("\n"))

    def layout(self, body: str) -> list[str]:
        """The blocks of ``body`` as lines: a heading flush left after a blank line, a
        paragraph indented, a display (already indented) as it is."""
        lines: list[str] = []
        for block in body.split("\n\n"):
            if block.startswith(_HEADING):
                lines += ["", block[len(_HEADING) :]]
            elif block.startswith(_DISPLAY):
                lines += block.split("\n")
            else:
                lines += [_PARAGRAPH + line for line in block.split("\n")]
        return lines

    # ----------------------------------------------------- the derivation

    def _scaled(self, factor: sp.Expr, name: str) -> str:
        """``factor·name``, in the reading order of a paper; a factor that is not a plain
        number or symbol in brackets: (1/(2·σ²))·ℓ, not 1/(2·σ²)·ℓ."""
        if factor == 1:
            return name
        text = self._print(factor)
        plain = factor.is_Integer or isinstance(factor, sp.Symbol)
        return f"{text}·{name}" if plain else f"({text})·{name}"

    def _plus(self, term: sp.Expr) -> str:
        """`` + term`` or `` − (−term)``, so a sum never reads ``+ −``."""
        if term == 0:
            return ""
        if isinstance(term, sp.Add):  # a sum keeps its own signs: + a − b, or − a − b
            text = self._print(term)
            return f" − {text[1:]}" if text.startswith("−") else f" + {text}"
        if term.could_extract_minus_sign():
            text = self._print(-term)
            return f" − ({text})" if isinstance(-term, sp.Add) else f" − {text}"
        return f" + {self._print(term)}"

    def _step_note(self, step: Step) -> str:
        extra = []
        if step.dropped != 0:
            extra.append(f"dropped {self._print(step.dropped)}")
        if step.factor != 1 and step.relation is not Relation.ARGMIN_EQUIVALENT:
            extra.append(f"factor {self._print(step.factor)} > 0")
        note = step.rule.title or step.rule.name
        return note + (f" ({'; '.join(extra)})" if extra else "")

    def header(self, d: Derivation) -> list[str]:
        """The model in one line, its options and variables (the notation comes next)."""
        lines = [f"derive {d.distribution} (link: {d.link}) — {d.model.summary}"]
        options = ", ".join(f"{k}={v}" for k, v in d.options)
        if options:
            lines.append(f"options: {options}")
        v = d.variables
        lines.append(
            "variables: target "
            + ", ".join(self._print(t) for t in v.target)
            + "; prediction "
            + ", ".join(self._print(p) for p in v.prediction)
            + ("; fixed " + ", ".join(self._print(s) for s in v.nuisance) if v.nuisance else "")
        )
        return lines

    def assumptions(self, d: Derivation) -> list[str]:
        """The link, what the model assumes, and what derive checked of it."""
        lines = []
        link = LINKS.get(d.link)
        if link is not None and link is not IDENTITY:
            lines.append(f"link: {link.description}")
        lines.extend(f"assume: {note}" for note in d.notes)
        lines.extend(f"checked: {check}" for check in d.model.family.checks)
        return lines

    def derivation_lines(self, d: Derivation) -> list[str]:
        lines = [
            "",
            "Likelihood of an i.i.d. sample of n observations (θ: the predictions)",
            f"  L(θ) = {self._print(d.likelihood)}",
        ]
        lines += ["", "Derivation"]
        used = [r for r in MEANINGS if any(step.relation is r for step in d.steps)]
        if used:
            legend = "; ".join(f"{r.symbol} {MEANINGS[r]}" for r in used)
            lines.append(f"  relations: {legend}")
        for number, step in enumerate(d.steps, 1):
            lines.append(f"  ({number}) {step.relation.symbol} {self._print(step.after)}")
            lines.append(f"        [{step.rule.name}] {self._step_note(step)}")
        lines += ["", "Conclusion", f"  per-sample negative log-likelihood: {self._print(d.nll)}"]
        conclusion = conclude(d)
        if d.loss is None or conclusion is None:
            lines.append("  loss: unnamed — the derived objective matches no loss in the catalogue")
            lines.append(f"  minimise: {self._print(d.objective)}")
            lines.extend(f"  note: {remark}" for remark in d.model.remarks)
            return lines
        loss = d.loss.loss
        lines.append(f"  −log L(θ) = {self._print(conclusion.total)}")
        lines.append(
            f"  per sample: nll = {self._scaled(d.loss.scale, 'ℓ')}{self._plus(d.loss.offset)}"
            f", with ℓ = {self._print(d.loss.formula)}"
        )
        lines.append(
            f"  hence argmax L(θ) = argmin Σ ℓ: "
            f"maximum likelihood is minimum {loss.title} ({loss.name})"
        )
        where = "torch" if loss.torch is not None else "torch (written out)"
        lines.append(f"  {where}: {loss.call(d.model)}")
        for r in conclusion.reductions:
            default = " (the default)" if r.reduction == "mean" else ""
            lines.append(
                f"    {loss.reduction(r.reduction)}{default}: −log L(θ) = "
                f"{self._scaled(r.factor, 'loss')}{self._plus(r.offset)}"
            )
        if d.model.label is not None:
            lines.append("  (torch numbers classes from 0: pass y − 1 as the class index)")
        lines.extend(f"  note: {convention}" for convention in loss.conventions)
        lines.extend(f"  note: {remark}" for remark in d.model.remarks)
        return lines

    def notation(self) -> list[str]:
        """``notation: σ(u) = …`` for each named function the output used, and the
        brackets text writes for what LaTeX has a symbol for."""
        used = self.__dict__.pop("used", set())
        u = sp.Symbol("u", real=True)
        lines = [
            f"notation: {self._print(f(u))} = {self.as_written(f.definition(u))}, {f.meaning}"
            for f in DEFINED
            if f in used
        ]
        lines += [f"notation: {words}" for kind, words in _BRACKETS.items() if kind in used]
        return lines

    def _print_Proof(self, proof: Proof) -> str:
        d = proof.derivation
        header = self.header(d)
        body = self.derivation_lines(d)
        if proof.analysis is not None:
            body += self.layout(self._print(proof.analysis))
        return "\n".join(header + self.notation() + self.assumptions(d) + body) + "\n"

    def doprint(self, expr: Any) -> str:
        self.__dict__.pop("used", None)
        if isinstance(expr, Proof):
            return self._print(expr)
        return "\n".join(self.layout(self._print(expr)))


def class_vectors(d: Derivation) -> frozenset[str]:
    """The names of ``d``'s class vectors written out entry by entry (z for z_1, z_2, …)."""
    v = d.variables
    heads = (str(x).partition("_") for x in (*v.target, *v.prediction))
    return frozenset(head for head, _, number in heads if number.isdigit())


def render_text(d: Derivation, analysis: Analysis | None = None) -> str:
    """The derivation (and its analysis) as readable Unicode text for a terminal."""
    return TextPrinter({"vectors": class_vectors(d)}).doprint(Proof(d, analysis))
