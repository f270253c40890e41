"""The terminal rendering: steps in readable Unicode math, each with its justification."""

from __future__ import annotations

import sympy as sp

from derive.analysis import Analysis
from derive.render.analysis_text import analysis_lines
from derive.render.unicode import unicode
from derive.report import conclude
from derive.steps import Derivation, Relation, Step

__all__ = ["render_text"]


def _justify(step: Step) -> str:
    note = step.rule.title or step.rule.name
    extra = []
    if step.dropped != 0:
        extra.append(f"dropped {unicode(step.dropped)}")
    if step.factor != 1 and step.relation is not Relation.ARGMIN_EQUIVALENT:
        extra.append(f"factor {unicode(step.factor)} > 0")
    return note + (f" ({'; '.join(extra)})" if extra else "")


def _plus(term: sp.Expr) -> str:
    """`` + term`` or `` − (−term)``, so a sum never reads ``+ −``."""
    if term == 0:
        return ""
    if isinstance(term, sp.Add):  # a sum keeps its own signs: + a − b, or − a − b
        text = unicode(term)
        return f" − {text[1:]}" if text.startswith("−") else f" + {text}"
    if term.could_extract_minus_sign():
        text = unicode(-term)
        return f" − ({text})" if isinstance(-term, sp.Add) else f" − {text}"
    return f" + {unicode(term)}"


def _scaled(factor: sp.Expr, name: str) -> str:
    """``factor·name``, the factor printed by the printer, in the reading order of a paper."""
    if factor == 1:
        return name
    text = unicode(factor)
    if isinstance(factor, sp.Add):
        text = f"({text})"
    return f"{text}·{name}"


def render_text(d: Derivation, analysis: Analysis | None = None) -> str:
    lines = [f"derive {d.distribution} (link: {d.link}) — {d.model.family.summary}"]
    options = ", ".join(f"{k}={v}" for k, v in d.options)
    if options:
        lines.append(f"options: {options}")
    v = d.variables
    lines.append(
        "variables: target "
        + ", ".join(unicode(t) for t in v.target)
        + "; prediction "
        + ", ".join(unicode(p) for p in v.prediction)
        + ("; fixed " + ", ".join(unicode(s) for s in v.nuisance) if v.nuisance else "")
    )
    lines.extend(f"assume: {note}" for note in d.notes)
    lines.extend(f"checked: {check}" for check in d.model.family.checks)
    lines.append("")
    lines.append("Likelihood of an i.i.d. sample")
    lines.append(f"  L(θ) = {unicode(d.likelihood)}")
    lines.append("")
    lines.append("Derivation")
    for number, step in enumerate(d.steps, 1):
        lines.append(f"  ({number}) {step.relation.symbol} {unicode(step.after)}")
        lines.append(f"        [{step.rule.name}] {_justify(step)}")
    lines.append("")
    lines.append("Conclusion")
    lines.append(f"  per-sample negative log-likelihood: {unicode(d.nll)}")
    conclusion = conclude(d)
    if d.loss is None or conclusion is None:
        lines.append("  loss: unnamed — the derived objective matches no loss in the catalogue")
        lines.append(f"  minimise: {unicode(d.objective)}")
        lines.extend(f"  note: {remark}" for remark in d.model.remarks)
        if analysis is not None:
            lines.extend(analysis_lines(analysis))
        return "\n".join(lines) + "\n"
    loss = d.loss.loss
    lines.append(f"  −log L(θ) = {unicode(conclusion.total)}")
    offset = _plus(d.loss.offset)
    lines.append(
        f"  per sample: nll = {_scaled(d.loss.scale, 'ℓ')}{offset}"
        f", with ℓ = {unicode(d.loss.formula)}"
    )
    lines.append(
        f"  hence argmax L(θ) = argmin Σ ℓ: "
        f"maximum likelihood is minimum {loss.title} ({loss.name})"
    )
    where = "torch" if loss.torch is not None else "torch (written out)"
    lines.append(f"  {where}: {loss.call(d.model)}")
    for r in conclusion.reductions:
        default = " (the default)" if r.reduction == "mean" else ""
        offset = _plus(r.offset)
        lines.append(
            f"    {loss.reduction(r.reduction)}{default}: −log L(θ) = "
            f"{_scaled(r.factor, 'loss')}{offset}"
        )
    if d.model.label is not None:
        lines.append("  (torch numbers classes from 0: pass y − 1 as the class index)")
    lines.extend(f"  note: {convention}" for convention in loss.conventions)
    lines.extend(f"  note: {remark}" for remark in d.model.remarks)
    if analysis is not None:
        lines.extend(analysis_lines(analysis))
    return "\n".join(lines) + "\n"
