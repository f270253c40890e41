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
from derive.convexity import Verdict
from derive.functions import to_core
from derive.report import conclude
from derive.steps import Derivation

__all__ = ["SCHEMA", "analysis_dict", "expression", "render_json", "to_dict", "verdict_dict"]

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
        }
        out["scale"] = expression(d.loss.scale)
        out["offset"] = expression(d.loss.offset)
    return out


def _key(symbol: sp.Basic) -> str:
    return sp.sstr(symbol)


def verdict_dict(v: Verdict) -> dict[str, Any]:
    """The contract's convexity object."""
    out: dict[str, Any] = {
        "verdict": v.verdict,
        "wrt": [_key(s) for s in v.wrt],
        "reason": v.reason,
    }
    if v.verdict == "convex":
        out["certificate"] = {
            "text": v.reason,
            "expr": None
            if v.certificate is None or isinstance(v.certificate, sp.MatrixBase)
            else expression(v.certificate),
        }
    elif v.verdict == "not convex":
        out["counterexample"] = {
            "point": {_key(s): str(val) for s, val in v.counterexample},
            "direction": [str(c) for c in v.direction],
            "value": None if v.value is None else expression(v.value),
            "value_float": float(sp.N(v.value, 17)) if v.value is not None else None,
        }
    return out


def analysis_dict(an: Analysis) -> dict[str, Any]:
    """Gradient, Hessian and convexity, keyed by the variable."""
    out: dict[str, Any] = {
        "derived_loss": expression(an.loss),
        "loss_definition": None if an.definition is None else expression(an.definition),
        "gradient": {_key(v): expression(g) for v, g in an.gradient},
        "convexity": verdict_dict(an.verdict),
        "notes": list(an.notes),
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
