"""The verdict's lines are chosen by the type of its evidence, never by its wording."""

from __future__ import annotations

import sympy as sp

from derive.convexity import (
    Composition,
    ConstantHessian,
    HessianWitness,
    MidpointWitness,
    Verdict,
    convexity,
)
from derive.render.analysis_text import verdict_lines

x, y = sp.symbols("x y", real=True)
v = sp.Symbol("v", positive=True)


def test_each_certificate_type_has_its_lines() -> None:
    composed = convexity(sp.Abs(x) + sp.exp(x), [x])
    assert isinstance(composed.certificate, Composition)
    assert "certificate (composition of atoms): " in "\n".join(verdict_lines(composed))
    quadratic = convexity(3 * x**2 + 2 * x * y + y**2, [x, y])
    assert isinstance(quadratic.certificate, ConstantHessian)
    lines = "\n".join(verdict_lines(quadratic))
    assert "H = L·D·Lᵀ" in lines and "D = diag(6, 4/3) ≥ 0" in lines


def test_each_witness_type_has_its_lines() -> None:
    jump = convexity(sp.Piecewise((x, x < 0), (x + 1, True)), [x])
    assert isinstance(jump.witness, MidpointWitness)
    lines = verdict_lines(jump)
    assert any(line.strip().startswith("a: x = ") for line in lines)
    assert any("ℓ((a+b)/2) − (ℓ(a)+ℓ(b))/2 = " in line for line in lines)
    bump = convexity(sp.log(v) / 2 + (y - x) ** 2 / (2 * v), [x, v])
    assert isinstance(bump.witness, HessianWitness)
    text = "\n".join(verdict_lines(bump))
    assert "direction u = (" in text  # v is a variable: the direction is called u


def test_an_unknown_verdict_says_why() -> None:
    lines = verdict_lines(Verdict("unknown", (x,), "no certificate"))
    assert lines[-1].strip() == "no certificate"
