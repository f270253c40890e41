"""What the justification of a moment says: which expectation, and how its value was found.

Shared by the Unicode, LaTeX and Markdown renderers. A phrase is a list of
words (``str``) and formulas (SymPy expressions); each renderer prints the
formulas with its own printer.
"""

from __future__ import annotations

import sympy as sp

from derive.information.rules import Moment

__all__ = ["Phrase", "moment_phrase"]

Phrase = list[str | sp.Basic]

# how → what the value is, in words (a split integral also names its kinks)
_HOW = {
    "law": "a moment of the {law} law",
    "sum": "a sum over the support",
    "series": "a series with no closed form",
    "integral": "an integral over the support",
    "split": "the integral split at ",
}


def moment_phrase(rule: Moment) -> Phrase:
    """``a moment of the Normal law``, ``the integral split at y = μ₁ and y = μ₂`` …"""
    template = _HOW.get(rule.how)
    if template is None:  # pragma: no cover - a new way of finding a moment, unnamed here
        raise ValueError(f"no words for a moment found by {rule.how!r}")
    words = template.format(law=rule.law)
    if not rule.at:
        return [words]
    assert rule.term is not None
    y = rule.term.variable
    out: Phrase = [words]
    for number, point in enumerate(rule.at):
        if number:
            out.append(" and ")
        out.append(sp.Eq(y, point, evaluate=False))
    return out
