"""Entropies, cross-entropies, KL divergences and identities in every output format.

Pure functions of an :class:`~derive.information.engine.Information` (a quantity
derived from the densities) or an :class:`~derive.information.identity.Identity`
(an identity proved, or a claim refuted by an exact witness):

- text: readable Unicode, through :class:`derive.render.unicode.UnicodePrinter`;
- LaTeX and Markdown: :class:`InformationPrinter` and
  :class:`InformationMarkdownPrinter`, the proof printers of
  :mod:`derive.render.latex` and :mod:`derive.render.markdown` taught
  ``_print_Information`` and ``_print_Identity`` (the expectation, the base-b
  logarithm, the quantities and the justifications print there);
- JSON: schema 1, expressions as in :func:`derive.render.json.expression`.

The JSON's expressions may hold derive's own nodes (``Expectation``, ``LogBase``,
``Quantity``): a reader passes :data:`REBUILD` as the locals of SymPy's own rebuilder.
"""

from __future__ import annotations

import json
import keyword
import shlex
from typing import Any, ClassVar

import sympy as sp

from derive.information.engine import BASES, Information, Quantity
from derive.information.expectation import Expectation, LogBase
from derive.information.identity import Identity, Witness
from derive.information.instance import Instance, k
from derive.information.rules import Moment
from derive.render.json import SCHEMA, expression
from derive.render.latex import INLINE_WIDTH, ProofPrinter, visible_width
from derive.render.markdown import MarkdownPrinter
from derive.render.phrases import Phrase, moment_phrase
from derive.render.prose import prose
from derive.render.unicode import unicode
from derive.steps import Step

__all__ = [
    "REBUILD",
    "InformationMarkdownPrinter",
    "InformationPrinter",
    "command_line",
    "identity_dict",
    "information_dict",
    "render_information",
    "render_json",
    "render_latex",
    "render_markdown",
    "render_text",
    "title",
    "torch_call",
]

# derive's own nodes in the JSON's expressions, for sympy.sympify(…, locals=REBUILD)
REBUILD: dict[str, type] = {"Expectation": Expectation, "LogBase": LogBase, "Quantity": Quantity}

_NAMES = {"entropy": "Entropy", "cross-entropy": "Cross-entropy", "kl": "KL divergence"}
_TORCH_OBJECT = "torch.distributions"

Document = Information | Identity


# ------------------------------------------------------------------ shared facts


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def title(d: Information) -> str:
    """``KL divergence between a Normal law P and a Laplace law Q, in nats`` …"""
    laws = [f"{_article(inst.law.name)} law {inst.label}" for inst in d.laws]
    joined = laws[0] if len(laws) == 1 else f"between {laws[0]} and {laws[1]}"
    of = "of " if len(laws) == 1 else ""
    return f"{_NAMES[d.kind]} {of}{joined}, in {d.unit}"


def command_line(d: Document) -> str:
    """The ``derive`` command that reproduces ``d``."""
    if isinstance(d, Identity):
        return f"derive identity {shlex.quote(d.name)}"
    words = ["derive", d.kind]
    pairs: list[tuple[str, str]] = []  # a user density: the flags that give it, each once
    for inst in d.laws:
        if not inst.family.source:
            words.append(inst.family.name)
        pairs += [pair for pair in inst.family.source if pair not in pairs]
    flags = [shlex.quote(w) for pair in pairs for w in pair if w]
    if d.base != "e":
        flags += ["--base", d.base]
    concrete = [inst for inst in d.laws if inst.entries]
    if concrete:
        flags += ["--classes", str(len(concrete[0].entries))]
    return " ".join(words + flags)


def _parameters(inst: Instance) -> list[sp.Basic]:
    """The law's parameters as printed: a probability vector as its letter (p, q)."""
    return [inst.values[var.name] for var in inst.law.parameters]


def _support(inst: Instance) -> sp.Basic:
    """y ∈ ℝ, y ∈ (0, ∞), y ∈ {0, 1, …}, y ∈ {1, 2, …, K}."""
    low, high = inst.low, inst.high
    if inst.variable.is_integer:
        where: sp.Basic = sp.Range(low, high + 1)
    elif low == -sp.oo and high == sp.oo:
        where = sp.S.Reals
    else:
        where = sp.Interval.open(low, high)
    return sp.Contains(inst.variable, where, evaluate=False)


def _vector_facts(inst: Instance, base: sp.IndexedBase) -> list[sp.Basic]:
    classes = inst.classes if inst.classes is not None else sp.Symbol("K")
    entry = base[k]
    return [
        sp.StrictGreaterThan(entry, 0, evaluate=False),
        sp.Eq(sp.Sum(entry, (k, 1, classes)), 1, evaluate=False),
    ]


def _facts(d: Information) -> list[str | sp.Basic]:
    """What the parameters satisfy: words of their domain, or relations (a simplex)."""
    out: list[str | sp.Basic] = []
    for inst in d.laws:
        for var in inst.law.parameters:
            value = inst.values[var.name]
            if isinstance(value, sp.IndexedBase):
                out += _vector_facts(inst, value)
                continue
            note = var.domain.note(unicode(value))
            if note is not None:
                out.append(note)
    return out


def _remarks(d: Information) -> list[str]:
    """The laws' library remarks for this kind of derivation, each once, in law order."""
    out: list[str] = []
    for inst in d.laws:
        for kind, sentence in inst.law.remarks:
            if kind == d.kind and sentence not in out:
                out.append(sentence)
    return out


def _python(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) else name


def _constructor(inst: Instance) -> str | None:
    """``torch.distributions.Normal(loc=mu_1, scale=sigma_1)``, or ``None`` without a class."""
    if not inst.law.torch:
        return None
    args = []
    for arg, name in inst.law.torch_args:
        value = inst.values[name]
        if isinstance(value, sp.IndexedBase):
            letter = value.label.name  # type: ignore[attr-defined]
            entries = [s.name for s in inst.entries] or [
                f"{letter}_1",
                "...",
                f"{letter}_{inst.classes}",
            ]
            shown = f"torch.tensor([{', '.join(entries)}])"
        else:
            shown = _python(value.name)  # type: ignore[attr-defined]
        args.append(f"{arg}={shown}")
    return f"{_TORCH_OBJECT}.{inst.law.torch}({', '.join(args)})"


def _in_unit(call: str, base: str) -> str:
    number = BASES[base][1]
    return call if number is None else f"{call} / math.log({number})"


def torch_call(d: Information) -> str | None:
    """The torch expression that computes ``d`` at the same point (``None``: none does).

    With the laws bound to ``P`` and ``Q`` by :func:`torch_lines`; torch works in nats.
    """
    if any(_constructor(inst) is None for inst in d.laws):
        return None
    entropy = d.laws[0].law.torch_entropy
    kl = f"{_TORCH_OBJECT}.kl_divergence(P, Q)"
    if d.kind == "entropy":
        return _in_unit("P.entropy()", d.base) if entropy else None
    if d.kind == "cross-entropy":
        return _in_unit(f"(P.entropy() + {kl})", d.base) if entropy else None
    return _in_unit(kl, d.base)


def torch_lines(d: Information) -> list[str]:
    """``P = …``, ``Q = …`` and the call, as lines of code (empty without torch classes)."""
    call = torch_call(d)
    if call is None:
        return []
    lines = ["import math"] if d.base != "e" else []
    lines += [f"{inst.label} = {_constructor(inst)}" for inst in d.laws]
    return [*lines, f"value = {call}"]


def _torch_sentence(d: Information) -> str | None:
    """A caveat on the torch call: a pair of different laws must be registered."""
    if d.kind == "entropy" or d.laws[0].law.torch == d.laws[1].law.torch:
        return None
    if not (d.laws[0].law.torch and d.laws[1].law.torch):
        return None  # a user's density has no torch class: there is no call to caveat
    names = f"({d.laws[0].law.torch}, {d.laws[1].law.torch})"
    return (
        "`torch.distributions.kl_divergence` computes this only where torch registers "
        f"the pair {names}; it raises `NotImplementedError` otherwise"
    )


def _why(step: Step) -> str:
    return step.rule.title or step.rule.name


def _law_words(step: Step) -> str:
    """The rule's law, the first line of its docstring (a ``Moment``'s field ``law`` names
    the probability law instead)."""
    return (type(step.rule).__doc__ or "").strip().splitlines()[0]


# ------------------------------------------------------------------ text


def _u(expr: sp.Basic) -> str:
    return unicode(expr, order="none")


def _phrase_text(phrase: Phrase) -> str:
    return "".join(part if isinstance(part, str) else _u(part) for part in phrase)


def _text_note(step: Step) -> str:
    rule = step.rule
    if isinstance(rule, Moment) and rule.term is not None:
        return f"{_u(rule.term)} = {_u(rule.value)}, {_phrase_text(moment_phrase(rule))}"
    return _why(step)


def _text_steps(lhs: sp.Basic, start: sp.Expr, steps: tuple[Step, ...], why: str) -> list[str]:
    lines = [f"  {_u(lhs)} = {_u(start)}", f"        [{why}]"]
    for number, step in enumerate(steps, 1):
        lines.append(f"  ({number}) {step.relation.symbol} {_u(step.after)}")
        lines.append(f"        [{step.rule.name}] {_text_note(step)}")
    return lines


def _information_text(d: Information) -> str:
    lines = [f"{command_line(d)} — {title(d)}"]
    laws = ", ".join(
        f"{inst.label} = {inst.law.name}({', '.join(_u(p) for p in _parameters(inst))})"
        for inst in d.laws
    )
    lines.append(f"laws: {laws}; {_u(_support(d.laws[0]))}")
    facts = [fact if isinstance(fact, str) else _u(fact) for fact in _facts(d)]
    if facts:
        lines.append(f"assume: {', '.join(facts)}")
    for inst in d.laws:
        name = sp.Function(inst.label.name.lower())(inst.variable)
        lines.append(f"  {_u(name)} = {_u(inst.density)}")
    lines += ["", "Derivation"]
    lines += _text_steps(d.quantity, d.start, d.steps, "definition")
    lines += ["", "Conclusion"]
    if d.value is None:
        lines.append(f"  {_u(d.quantity)}: unknown — {d.reason}")
    else:
        lines.append(f"  {_u(d.quantity)} = {_u(d.value)}   ({d.unit})")
    code = torch_lines(d)
    if code:
        lines.append(f"  torch: {code[0]}")
        lines += [f"         {line}" for line in code[1:]]
    caveat = _torch_sentence(d)
    lines += [f"  note: {text}" for text in ([caveat] if caveat else []) + _remarks(d)]
    return "\n".join(lines) + "\n"


def _witness_name(name: str) -> str:
    return name.replace("||", "‖")


def _identity_text(i: Identity) -> str:
    lines = [f"{command_line(i)} — {i.title}", f"claim: {i.claim}"]
    lines.append(f"statement: {_u(i.statement)}")
    lines += [f"where {_u(symbol)}: {meaning}" for symbol, meaning in i.symbols]
    if i.steps:
        lines += ["", "Proof"]
        lines += [f"  {_u(i.start)}"]
        for number, step in enumerate(i.steps, 1):
            lines.append(f"  ({number}) {step.relation.symbol} {_u(step.after)}")
            lines.append(f"        [{step.rule.name}] {_text_note(step)}")
    if i.witness is not None:
        w = i.witness
        lines += ["", f"Witness ({w.family}, exact)"]
        lines += [f"  {label} = {_u(sp.Tuple(*values))}" for label, values in w.laws]
        for name, value in w.values:
            lines.append(f"  {_witness_name(name)} = {_u(value)} ≈ {_approx(value)}")
        lines.append(f"  hence {_u(w.comparison)}")
    lines += [f"note: {note}" for note in i.notes]
    return "\n".join(lines) + "\n"


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _approx(value: sp.Expr) -> str:
    return str(sp.Float(sp.N(value, 6), 6))


def render_text(d: Document) -> str:
    """``d`` as readable Unicode text for a terminal."""
    return _identity_text(d) if isinstance(d, Identity) else _information_text(d)


# ------------------------------------------------------------------ JSON


def _step_dict(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": step.rule.name,
        "law": _law_words(step),
        "title": _why(step),
        "relation": step.relation.name.lower(),
        "symbol": step.relation.symbol,
        "after": expression(step.after),
    }
    rule = step.rule
    if isinstance(rule, Moment) and rule.term is not None:
        out["moment"] = {
            "term": expression(rule.term),
            "value": expression(rule.value),
            "how": rule.how,
            "at": [expression(point) for point in rule.at],
            "law": rule.law,
        }
    return out


def _law_dict(inst: Instance) -> dict[str, Any]:
    return {
        "label": inst.label.name,
        "family": inst.family.name,
        "law": inst.law.name,
        "parameters": {var.name: str(inst.values[var.name]) for var in inst.law.parameters},
        "entries": [s.name for s in inst.entries],
        "classes": None if inst.classes is None else str(inst.classes),
        "support": inst.law.support.value,
        "variable": inst.variable.name,
        "density": expression(inst.density),
    }


def information_dict(d: Information) -> dict[str, Any]:
    """The JSON document of an entropy, cross-entropy or KL divergence, as Python data."""
    torch: dict[str, Any] = {}
    for inst in d.laws:
        torch[inst.label.name.lower()] = inst.torch() if inst.law.torch else None
    caveat = _torch_sentence(d)
    return {
        "schema": SCHEMA,
        "kind": d.kind,
        "base": d.base,
        "unit": d.unit,
        "command": command_line(d),
        "quantity": expression(d.quantity),
        "laws": [_law_dict(inst) for inst in d.laws],
        "start": expression(d.start),
        "value": None if d.value is None else expression(d.value),
        "status": "unknown" if d.value is None else "derived",
        "reason": d.reason,
        "steps": [_step_dict(step) for step in d.steps],
        "torch": torch,
        "torch_call": torch_call(d),
        "remarks": ([caveat] if caveat else []) + _remarks(d),
    }


def _witness_dict(w: Witness) -> dict[str, Any]:
    out: dict[str, Any] = {"family": w.family}
    for label, values in w.laws:
        out[label] = [str(v) for v in values]
    out["values"] = {name: expression(value) for name, value in w.values}
    out["comparison"] = expression(w.comparison)
    return out


def identity_dict(i: Identity) -> dict[str, Any]:
    """The JSON document of an identity (or a refuted claim and its witness)."""
    return {
        "schema": SCHEMA,
        "kind": "identity",
        "name": i.name,
        "title": i.title,
        "claim": i.claim,
        "command": command_line(i),
        "statement": expression(i.statement),
        "start": expression(i.start),
        "steps": [_step_dict(step) for step in i.steps],
        "witness": None if i.witness is None else _witness_dict(i.witness),
        "symbols": {sp.sstr(symbol): meaning for symbol, meaning in i.symbols},
        "notes": list(i.notes),
    }


def render_json(d: Document) -> str:
    """``d`` as the schema-1 JSON document."""
    data = identity_dict(d) if isinstance(d, Identity) else information_dict(d)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ LaTeX and Markdown


class InformationPrinter(ProofPrinter):
    """The proof printer, taught a derived entropy or divergence and an identity."""

    _default_settings: ClassVar[dict[str, Any]] = {
        **ProofPrinter._default_settings,
        "order": "none",
    }

    def _law_tex(self, inst: Instance) -> str:
        """P = \\operatorname{Normal}(μ₁, σ₁)."""
        name = inst.law.name
        shown = name if name.replace("-", "").isalnum() and name.isascii() else "law"
        args = ", ".join(self._print(p) for p in _parameters(inst))
        return r"%s = \operatorname{%s}\left(%s\right)" % (self._print(inst.label), shown, args)

    def _fact(self, fact: str | sp.Basic) -> str:
        return self.words(fact) if isinstance(fact, str) else self.inline(self._print(fact))

    def _step_note(self, step: Step) -> str:
        rule = step.rule
        if isinstance(rule, Moment) and rule.term is not None:
            term = self._print(rule.term)
            how = moment_phrase(rule)
            if visible_width(term) <= INLINE_WIDTH // 2:
                return self.phrase_note([rule.term, ", ", *how])
            return self.phrase_note(how)
        return self.note(_why(step), [])

    def _rows(self, lhs: str, relation: str, expr: sp.Basic, width: int) -> list[str]:
        parts = self.lines(expr, width)
        return [f"{lhs} &{relation} {parts[0]}".strip(), *(rf"&\quad {p}" for p in parts[1:])]

    def chain(self, lhs: sp.Basic, start: sp.Expr, steps: tuple[Step, ...]) -> list[str]:
        """``lhs = start`` and each step's row, justified on the right; every row is as
        narrow as the left-hand side, which widens the whole alignment, requires."""
        left = self._print(lhs)
        width = max(20, self._settings["line_width"] - visible_width(left))
        rows = self._rows(left, "=", start, width)
        if steps:
            rows = self.justified(rows, self.note("definition", []))
        for step in steps:
            part = self._rows("", self._print(step.relation), step.after, width)
            rows += self.justified(part, self._step_note(step))
        return rows

    def laws_used(self, steps: tuple[Step, ...]) -> str:
        """Each law once, in order of first use (every moment is its own law)."""
        seen: dict[str, tuple[str, str]] = {}
        for step in steps:
            law = self._print(step.rule)
            seen.setdefault(law, (self.words(_why(step)), law))
        return self.items(list(seen.values()))

    def _statement(self, d: Information) -> list[str]:
        laws = " and ".join(self.inline(self._law_tex(inst)) for inst in d.laws)
        verb = "be laws" if len(d.laws) > 1 else "be a law"
        lead = f"Let {laws} {verb} of " + self.inline(self._print(_support(d.laws[0])))
        facts = [self._fact(fact) for fact in _facts(d)]
        if facts:
            lead += ", where " + ", ".join(facts)
        many = len(d.laws) > 1
        lead += ", with " + ("densities (mass functions)" if many else "density (mass function)")
        rows: list[str] = []
        for inst in d.laws:
            name = sp.Function(inst.label.name.lower())(inst.variable)
            rows += self.equation(self._print(name), "=", inst.density, aligned=True)
        blocks = [self.strong("Proposition.") + " " + lead, self.display(rows)]
        if d.value is None:
            blocks.append(
                "No closed form was found: "
                + self.words(d.reason or "")
                + ". The derivation below stops where it did; the value of "
                + self.inline(self._print(d.quantity))
                + " is unknown."
            )
        else:
            blocks.append(f"Then, in {d.unit},")
            blocks.append(self.display(self.equation(self._print(d.quantity), "=", d.value)))
        code = torch_lines(d)
        if code:
            blocks.append("In PyTorch, at the same point (torch works in nats):")
            blocks.append(self.code_block("\n".join(code)))
        caveat = _torch_sentence(d)
        notes = [self.sentence(text) for text in ([caveat] if caveat else []) + _remarks(d)]
        if notes:
            blocks.append("Conventions of the library:")
            blocks.append(self.bullets([note[:1].upper() + note[1:] + "." for note in notes]))
        return blocks

    def _print_Information(self, d: Information) -> str:
        blocks = [
            self.heading(title(d)),
            self.generated_by(command_line(d)),
            *self._statement(d),
            self.strong("Proof.")
            + " Start from the definition and apply, line by line, the rule on the right;"
            " every line is equal to the one before it.",
            self.display(self.chain(d.quantity, d.start, d.steps)),
        ]
        if self._settings["laws"] and d.steps:
            blocks += ["The laws used, in order of first use:", self.laws_used(d.steps)]
        return "\n\n".join(blocks)

    def _identity_witness(self, w: Witness) -> list[str]:
        laws = ", ".join(
            self.inline(self._print(sp.Eq(sp.Symbol(label), sp.Tuple(*values), evaluate=False)))
            for label, values in w.laws
        )
        rows: list[str] = []
        for name, value in w.values:
            lhs = prose(_witness_name(name), "math")
            approx = sp.Float(sp.N(value, 6), 6)
            rows += self.equation(lhs, "=", value, aligned=True)
            rows[-1] += r" \approx %s" % self._print(approx)
        return [
            self.strong("Witness.")
            + " In the "
            + self.plain(w.family)
            + " family, with the exact laws "
            + laws
            + ":",
            self.display(rows),
            "hence " + self.inline(self._print(w.comparison)) + ", decided exactly.",
        ]

    def _print_Identity(self, i: Identity) -> str:
        blocks = [
            self.heading(i.title),
            self.generated_by(command_line(i)),
            self.strong("Claim.") + " " + self.sentence(_sentence(i.claim)),
            self.display([self._print(i.statement)]),
        ]
        if i.symbols:
            blocks.append("Where:")
            blocks.append(
                self.bullets(
                    [
                        self.inline(self._print(symbol)) + ": " + self.sentence(meaning)
                        for symbol, meaning in i.symbols
                    ]
                )
            )
        if i.steps:
            left = self._print(i.start)
            rows: list[str] = []
            if visible_width(left) > self._settings["line_width"] // 2:
                rows, left = [f"&{left}"], ""  # a wide start takes a row of its own
            width = max(20, self._settings["line_width"] - visible_width(left))
            for number, step in enumerate(i.steps):
                relation = self._print(step.relation)
                part = self._rows("" if number else left, relation, step.after, width)
                rows += self.justified(part, self._step_note(step))
            blocks += [
                self.strong("Proof.") + " Each line follows from the one before it by the rule "
                "on its right.",
                self.display(rows),
            ]
            if self._settings["laws"]:
                blocks += ["The laws used, in order of first use:", self.laws_used(i.steps)]
        if i.witness is not None:
            blocks += self._identity_witness(i.witness)
        if i.notes:
            blocks.append("Remarks:")
            # ragged right: a remark names library calls, which cannot stretch
            blocks.append(
                self.bullets([self.ragged(self.sentence(_sentence(note))) for note in i.notes])
            )
        return "\n\n".join(blocks)

    def doprint(self, expr: Any) -> str:
        if isinstance(expr, (Information, Identity)):
            self.__dict__.pop("used", None)
            return self.document(self.with_notation(self._print(expr)))
        return super().doprint(expr)


class InformationMarkdownPrinter(MarkdownPrinter, InformationPrinter):
    """The same document, laid out as GitHub-flavoured Markdown."""

    _default_settings: ClassVar[dict[str, Any]] = InformationPrinter._default_settings


def render_latex(d: Document, *, standalone: bool = False) -> str:
    """``d`` as a LaTeX fragment, or with ``standalone`` a document pdflatex compiles."""
    return InformationPrinter({"standalone": standalone}).doprint(d)


def render_markdown(d: Document) -> str:
    """``d`` as GitHub-flavoured Markdown (math for MathJax)."""
    return InformationMarkdownPrinter().doprint(d)


def render_information(d: Document, fmt: str = "text", standalone: bool = False) -> str:
    """``d`` in ``fmt``: ``text``, ``json``, ``latex`` or ``markdown``."""
    if fmt == "json":
        return render_json(d)
    if fmt == "latex":
        return render_latex(d, standalone=standalone)
    if fmt == "markdown":
        return render_markdown(d)
    if fmt == "text":
        return render_text(d)
    raise ValueError(f"unknown format {fmt!r}")
