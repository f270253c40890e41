"""Text sections for an :class:`~derive.analysis.Analysis`: gradient, Hessian, verdicts."""

from __future__ import annotations

import sympy as sp

from derive.analysis import Analysis, Comparison, LinearPredictor
from derive.convexity import Verdict
from derive.render.unicode import unicode

__all__ = ["analysis_lines"]


def _names(symbols: tuple[sp.Basic, ...]) -> str:
    return ", ".join(unicode(s) for s in symbols)


def verdict_lines(v: Verdict, indent: str = "  ") -> list[str]:
    """The verdict and its evidence, one fact a line."""
    lines = [f"{indent}convexity in {_names(v.wrt)}: {v.verdict}"]
    if v.verdict == "convex":
        lines.append(f"{indent}  certificate: {v.reason}")
        shown = v.certificate is not None and not isinstance(v.certificate, sp.MatrixBase)
        if shown and "variance" in v.reason:
            lines.append(f"{indent}  vᵀ∇²v = {unicode(v.certificate)} ≥ 0")
        elif shown and ("second derivative" in v.reason or "quadratic" in v.reason):
            lines.append(f"{indent}  {unicode(v.certificate)} ≥ 0")
    elif v.verdict == "not convex":
        point = ", ".join(f"{unicode(s)} = {val}" for s, val in v.counterexample)
        lines.append(f"{indent}  counterexample: {v.reason}: at {point or 'any point'}")
        if len(v.direction) > 1:
            lines.append(f"{indent}  direction v = ({', '.join(str(c) for c in v.direction)})")
        if v.value is not None:
            lines.append(
                f"{indent}  value {unicode(v.value)} ≈ {sp.N(v.value, 6)} < 0 (exact sign)"
            )
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
    if an.linear is not None:
        lines.append("")
        lines.extend(_linear_lines(an.linear))
    if an.comparison is not None:
        lines.append("")
        lines.extend(_comparison_lines(an.comparison, an))
    return lines
