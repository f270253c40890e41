"""The JSON rendering: a stable, versioned contract for tools and tests (schema 1).

Every expression is an object ``{"sympy": srepr, "text": str}``; ``sympy.sympify``
on the ``sympy`` string rebuilds the expression. Named functions (σ, softplus)
are rewritten to core SymPy first, so nothing outside SymPy is needed to rebuild.
"""

from __future__ import annotations

import json
from typing import Any

import sympy as sp

from derive.analysis import Analysis
from derive.convexity import (
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
from derive.functions import to_core
from derive.report import conclude
from derive.steps import Derivation

__all__ = [
    "SCHEMA",
    "analysis_dict",
    "exponential_dict",
    "expression",
    "render_json",
    "to_dict",
    "verdict_dict",
]

SCHEMA = 1


def expression(expr: sp.Basic) -> dict[str, str]:
    """The contract's expression object."""
    core = to_core(sp.Integer(expr) if isinstance(expr, int) else expr)
    return {"sympy": sp.srepr(core), "text": sp.sstr(expr, order="none")}


def _names(symbols: tuple[sp.Basic, ...]) -> list[str]:
    return [s.name for s in symbols]  # type: ignore[attr-defined]


def to_dict(d: Derivation) -> dict[str, Any]:
    """The JSON document as Python data."""
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "distribution": d.distribution,
        "link": d.link,
        "options": dict(d.options),
        "variables": {
            "target": _names(d.variables.target),
            "prediction": _names(d.variables.prediction),
            "nuisance": _names(d.variables.nuisance),
            "sample_index": d.sample_index.name,
            "sample_count": d.n.name,
        },
        "checks": list(d.model.family.checks),
        "remarks": list(d.model.remarks),
        "likelihood": expression(d.likelihood),
        "nll": expression(d.nll),
        "loss": None,
        "scale": None,
        "offset": None,
        "steps": [
            {
                "rule": s.rule.name,
                "law": s.rule.law,
                "relation": s.relation.name.lower(),
                "symbol": s.relation.symbol,
                "expr": expression(s.after),
                "dropped": expression(s.dropped),
                "factor": expression(s.factor),
            }
            for s in d.steps
        ],
    }
    conclusion = conclude(d)
    if d.loss is not None and conclusion is not None:
        out["loss"] = {
            "name": d.loss.loss.name,
            "torch": d.loss.loss.torch,
            "call": d.loss.loss.call(d.model),
            "title": d.loss.loss.title,
            "per_sample": expression(d.loss.formula),
            "reductions": {
                r.reduction: {"factor": expression(r.factor), "offset": expression(r.offset)}
                for r in conclusion.reductions
            },
            "total": expression(conclusion.total),
            "conventions": list(d.loss.loss.conventions),
        }
        out["scale"] = expression(d.loss.scale)
        out["offset"] = expression(d.loss.offset)
    return out


def _key(symbol: sp.Basic) -> str:
    return sp.sstr(symbol)


def _point(point: tuple[tuple[sp.Basic, sp.Expr], ...]) -> dict[str, str]:
    return {_key(s): str(val) for s, val in point}


_KINDS: dict[type, str] = {
    Affine: "affine",
    Composition: "composition",
    Curvature: "curvature",
    ConstantHessian: "constant-hessian",
    Minors: "principal-minors",
    Given: "structure",
}


def _certificate(v: Verdict) -> dict[str, Any]:
    c = v.certificate
    out: dict[str, Any] = {"kind": _KINDS.get(type(c), "structure"), "text": v.reason}
    out["expr"] = expression(v.form) if v.form is not None else None
    if isinstance(c, Composition):
        out["facts"] = list(c.facts)
    elif isinstance(c, ConstantHessian):
        out["hessian"] = expression(sp.ImmutableMatrix(c.hessian))
        out["L"] = expression(sp.ImmutableMatrix(c.lower))
        out["D"] = [expression(d) for d in c.diagonal]
    elif isinstance(c, Minors):
        out["minors"] = [expression(m) for m in c.minors]
    return out


def _witness(v: Verdict) -> dict[str, Any]:
    w = v.witness
    if isinstance(w, MidpointWitness):
        return {
            "kind": "midpoint",
            "a": _point(w.a),
            "b": _point(w.b),
            "point": _point(w.midpoint),
            "direction": [],
            "value": expression(w.gap),
            "value_float": float(sp.N(w.gap, 17)),
        }
    assert isinstance(w, HessianWitness)
    return {
        "kind": "hessian",
        "point": _point(w.point),
        "direction": [str(c) for c in w.direction],
        "value": expression(w.value),
        "value_float": float(sp.N(w.value, 17)),
    }


def verdict_dict(v: Verdict) -> dict[str, Any]:
    """The contract's convexity object: the certificate or witness by its type."""
    out: dict[str, Any] = {
        "verdict": v.verdict,
        "wrt": [_key(s) for s in v.wrt],
        "reason": v.reason,
    }
    if v.verdict == "convex":
        out["certificate"] = _certificate(v)
    elif v.verdict == "not convex":
        out["counterexample"] = _witness(v)
    return out


def exponential_dict(ef: ExponentialFamily | None) -> dict[str, Any] | None:
    """The contract's exponential-family object (``None``: not recognised)."""
    if ef is None:
        return None
    curvature: Any
    if ef.scalar:
        curvature = expression(ef.curvature)
    else:
        matrix = ef.curvature
        curvature = [
            [expression(matrix[r, c]) for c in range(matrix.cols)]  # type: ignore[attr-defined]
            for r in range(matrix.rows)  # type: ignore[attr-defined]
        ]
    canonical_link = None
    if ef.canonical_form is not None and ef.parameter is not None:
        canonical_link = {
            "parameter": _key(ef.parameter),
            "eta": expression(ef.canonical_form),
            "link": ef.canonical_link,
        }
    return {
        "statistic": [expression(t) for t in ef.statistic],
        "natural_parameters": [_key(p) for p in ef.parameters],
        "natural": [expression(eta) for eta in ef.natural],
        "log_partition": expression(ef.log_partition),
        "log_base": expression(ef.log_base),
        "curvature": curvature,
        "convex_in_natural_parameters": True,
        "certificate": (
            "A''(η) = Var(T) ≥ 0: A is the log-partition function"
            if ef.scalar
            else "∇²A(η) = Cov(T) ⪰ 0: A is the log-partition function"
        ),
        "link": ef.link,
        "canonical": ef.canonical,
        "canonical_link": canonical_link,
    }


def analysis_dict(an: Analysis) -> dict[str, Any]:
    """Gradient, Hessian and convexity, keyed by the variable."""
    out: dict[str, Any] = {
        "derived_loss": expression(an.loss),
        "loss_definition": None if an.definition is None else expression(an.definition),
        "gradient": {_key(v): expression(g) for v, g in an.gradient},
        "convexity": verdict_dict(an.verdict),
        "notes": list(an.notes),
        "exponential_family": exponential_dict(an.exponential),
        "negative_curvature": None if an.region is None else expression(an.region),
    }
    if an.hessian_entry is not None:
        out["hessian"] = {
            "indices": ["a", "b"],
            "range": expression(an.classes if an.classes is not None else sp.Symbol("K")),
            "entry": expression(an.hessian_entry),
        }
    elif an.hessian is not None:
        out["hessian"] = {
            _key(r): {_key(c): expression(an.hessian[i, j]) for j, c in enumerate(an.wrt)}
            for i, r in enumerate(an.wrt)
        }
    if an.linear is not None:
        out["linear_predictor"] = {
            "predictor": f"{an.linear.variable} = w^T x",
            "gradient_w": {"factor": expression(an.linear.derivative), "times": "x"},
            "hessian_w": {"factor": expression(an.linear.curvature), "times": "x x^T"},
            "convexity": verdict_dict(an.linear.verdict),
        }
    if an.comparison is not None:
        c = an.comparison
        out["comparison"] = {
            "loss": "mse",
            "classes": c.classes,
            "mse": expression(c.mse),
            "mse_gradient": expression(c.mse_gradient),
            "variable": _key(c.variable),
            "derived_gradient": expression(c.loss_gradient),
            "limits": [
                {"case": case, "mse": expression(m), "derived": expression(dl)}
                for case, m, dl in c.limits
            ],
            "mse_convexity": verdict_dict(c.mse_verdict),
            "regions": {case: words for case, words in c.regions},
        }
    return out


def render_json(d: Derivation, analysis: Analysis | None = None) -> str:
    data = to_dict(d)
    if analysis is not None:
        data.update(analysis_dict(analysis))
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
