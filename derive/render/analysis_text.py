"""Text sections for an :class:`~derive.analysis.Analysis`: gradient, Hessian, verdicts."""

from __future__ import annotations

import sympy as sp

from derive.analysis import Analysis, Comparison, LinearPredictor
from derive.convexity import (
    CONVEX,
    NOT_CONVEX,
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
from derive.render.unicode import unicode

__all__ = ["analysis_lines", "exponential_lines"]


def _names(symbols: tuple[sp.Basic, ...]) -> str:
    return ", ".join(unicode(s) for s in symbols)


def _point(point: tuple[tuple[sp.Basic, sp.Expr], ...]) -> str:
    return ", ".join(f"{unicode(s)} = {unicode(val)}" for s, val in point) or "any point"


def _certificate_lines(v: Verdict, indent: str) -> list[str]:
    c = v.certificate
    if isinstance(c, Affine):
        return [f"{indent}certificate: affine"]
    if isinstance(c, Composition):
        return [f"{indent}certificate (composition of atoms): {'; '.join(c.facts)}"]
    if isinstance(c, Curvature):
        what = "ℓ''" if len(v.wrt) == 1 else "diag ∇²ℓ"
        return [f"{indent}certificate: {v.reason}", f"{indent}  {what} = {unicode(c.form)} ≥ 0"]
    if isinstance(c, ConstantHessian):
        pivots = ", ".join(unicode(d) for d in c.diagonal)
        return [
            f"{indent}certificate: the Hessian is constant, H = {unicode(c.hessian)}",
            f"{indent}  H = L·D·Lᵀ with L = {unicode(c.lower)} and D = diag({pivots}) ≥ 0",
        ]
    if isinstance(c, Minors):
        minors = ", ".join(unicode(m) for m in c.minors)
        return [f"{indent}certificate: {v.reason}: {minors} (each ≥ 0)"]
    lines = [f"{indent}certificate: {v.reason}"]
    if isinstance(c, Given) and c.quadratic and c.form is not None:
        lines.append(f"{indent}  vᵀ∇²v = {unicode(c.form)} ≥ 0")
    return lines


def _witness_lines(v: Verdict, indent: str) -> list[str]:
    w = v.witness
    if isinstance(w, MidpointWitness):
        return [
            f"{indent}counterexample: {v.reason}",
            f"{indent}  a: {_point(w.a)}",
            f"{indent}  b: {_point(w.b)}",
            f"{indent}  ℓ((a+b)/2) − (ℓ(a)+ℓ(b))/2 = {unicode(w.gap)} ≈ "
            f"{unicode(sp.N(w.gap, 6))} > 0 (exact sign)",
        ]
    if isinstance(w, HessianWitness):
        lines = [f"{indent}counterexample: {v.reason}: at {_point(w.point)}"]
        if len(w.direction) > 1:
            shown = ", ".join(str(c) for c in w.direction)
            lines.append(f"{indent}  direction {w.letter} = ({shown})")
        lines.append(
            f"{indent}  value {unicode(w.value)} ≈ {unicode(sp.N(w.value, 6))} < 0 (exact sign)"
        )
        return lines
    return [f"{indent}counterexample: {v.reason}"]  # pragma: no cover - every witness is typed


def verdict_lines(v: Verdict, indent: str = "  ") -> list[str]:
    """The verdict and its evidence, one fact a line; the wording follows the evidence's type."""
    lines = [f"{indent}convexity in {_names(v.wrt)}: {v.verdict}"]
    if v.verdict == CONVEX:
        lines += _certificate_lines(v, indent + "  ")
    elif v.verdict == NOT_CONVEX:
        lines += _witness_lines(v, indent + "  ")
    else:
        lines.append(f"{indent}  {v.reason}")
    return lines


def _factor(expr: sp.Expr) -> str:
    """A scalar factor before a vector: parenthesised unless it is an atom or a call."""
    text = unicode(expr)
    return text if expr.is_Atom or isinstance(expr, sp.Function) else f"({text})"


def _linear_lines(lin: LinearPredictor) -> list[str]:
    z = unicode(lin.variable)
    lines = [
        f"Linear predictor {z} = wᵀx (linear / logistic regression)",
        f"  ∇_w ℓ = {_factor(lin.derivative)}·x",
        f"  ∇²_w ℓ = {_factor(lin.curvature)}·x xᵀ",
    ]
    lines.extend(verdict_lines(lin.verdict))
    return lines


def _comparison_lines(c: Comparison, an: Analysis) -> list[str]:
    what = "σ(z)" if c.classes is None else f"softmax(z) with K = {c.classes}"
    z = unicode(c.variable)
    lines = [
        f"Comparison: MSE on the probability {what}, ℓ_MSE = {unicode(c.mse)}",
        f"  ∂ℓ_MSE/∂{z} = {unicode(c.mse_gradient)}",
        f"  ∂ℓ/∂{z} (derived loss) = {unicode(c.loss_gradient)}",
    ]
    if c.classes is None:
        lines.append(
            "  the MSE gradient carries the factor σ(z)·(1 − σ(z)), which vanishes as "
            "the output saturates"
        )
    lines.append("  on a misclassified sample:")
    for case, mse_limit, loss_limit in c.limits:
        lines.append(
            f"    {case}: MSE gradient → {unicode(mse_limit)}, derived gradient → "
            f"{unicode(loss_limit)}"
        )
    lines.append("  MSE:")
    lines.extend(verdict_lines(c.mse_verdict, "    "))
    for case, words in c.regions:
        lines.append(f"    {case}: {words}")
    lines.append("  derived loss:")
    lines.extend(verdict_lines(an.verdict, "    "))
    return lines


def _vector(parts: tuple[sp.Expr, ...]) -> str:
    shown = ", ".join(unicode(p) for p in parts)
    return shown if len(parts) == 1 else f"({shown})"


def exponential_lines(ef: ExponentialFamily) -> list[str]:
    """The exponential-family form, the convexity in η, and whether the link is canonical."""
    eta = _vector(ef.parameters)
    lines = [
        "Exponential family: log p(y) = η·T(y) − A(η) + log h(y)",
        f"  T(y) = {_vector(ef.statistic)}, {eta} = {_vector(ef.natural)}",
        f"  A({_names(ef.parameters)}) = {unicode(ef.log_partition)}, "
        f"log h(y) = {unicode(ef.log_base)}",
    ]
    if ef.scalar:
        lines.append(
            f"  A''(η) = {unicode(ef.curvature)} = Var(T) ≥ 0 (A is the log-partition function): "
            "the NLL A(η) − η·T(y) − log h(y) is convex in η"
        )
    else:
        lines.append(
            f"  ∇²A({_names(ef.parameters)}) = Cov(T) ⪰ 0 (A is the log-partition function): "
            f"the NLL is convex in the natural parameters {eta}"
        )
        for row in range(ef.curvature.rows):  # type: ignore[attr-defined]
            entries = ", ".join(unicode(e) for e in ef.curvature.row(row))  # type: ignore[attr-defined]
            lines.append(f"    [{entries}]")
    predictions = _names(ef.wrt)
    if ef.canonical:
        lines.append(
            f"  the {ef.link} link is canonical ({eta} = {_vector(ef.natural)} is affine in "
            f"{predictions}): the NLL is convex in {predictions} because "
            + ("A''(η) = Var(T) ≥ 0" if ef.scalar else "∇²A = Cov(T) ⪰ 0")
        )
        return lines
    line = (
        f"  the {ef.link} link is not canonical ({eta} = {_vector(ef.natural)} is not affine in "
        f"{predictions})"
    )
    if ef.canonical_form is not None and ef.parameter is not None:
        named = f", the {ef.canonical_link} link" if ef.canonical_link else ""
        line += f"; canonical: η = {unicode(ef.canonical_form)} up to an affine map{named}"
    lines.append(line)
    return lines


def analysis_lines(an: Analysis) -> list[str]:
    """The gradient, Hessian and convexity sections."""
    lines = ["", "Gradient (per sample; the gradient of Σᵢ ℓᵢ is the sum of these)"]
    if an.definition is not None:
        lines.append(f"  ℓ = {unicode(an.definition)}")
        lines.append(f"    = {unicode(an.loss)}")
    else:
        lines.append(f"  ℓ = {unicode(an.loss)}")
    for var, grad in an.gradient:
        lines.append(f"  ∂ℓ/∂{unicode(var)} = {unicode(grad)}")
    lines.append("")
    lines.append("Hessian")
    if an.hessian_entry is not None:
        b = sp.Symbol("b")
        var = an.wrt[0]
        other = var.xreplace({var.indices[0]: b}) if isinstance(var, sp.Indexed) else var
        classes = unicode(an.classes) if an.classes is not None else "K"
        lines.append(
            f"  ∂²ℓ/∂{unicode(var)}∂{unicode(other)} = {unicode(an.hessian_entry)}"
            f"   (a, b = 1, …, {classes})"
        )
    elif an.hessian is not None:
        if an.hessian.shape == (1, 1):
            lines.append(f"  ∂²ℓ/∂{unicode(an.wrt[0])}² = {unicode(an.hessian[0, 0])}")
        else:
            for row in range(an.hessian.rows):
                entries = ", ".join(unicode(e) for e in an.hessian.row(row))
                lines.append(f"  [{entries}]")
    for note in an.notes:
        lines.append(f"  note: {note}")
    lines.append("")
    lines.append("Convexity")
    lines.extend(verdict_lines(an.verdict))
    if an.region is not None:
        where = (
            "everywhere"
            if an.region is sp.true
            else f"exactly where {unicode(an.region)}, and ≥ 0 elsewhere"
        )
        lines.append(f"    region: ∂²ℓ/∂{unicode(an.wrt[0])}² < 0 {where}")
    if an.linear is not None:
        lines.append("")
        lines.extend(_linear_lines(an.linear))
    if an.exponential is not None:
        lines.append("")
        lines.extend(exponential_lines(an.exponential))
    if an.comparison is not None:
        lines.append("")
        lines.extend(_comparison_lines(an.comparison, an))
    return lines
