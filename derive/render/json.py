"""The JSON rendering: a stable, versioned contract for tools and tests (schema 1).

Every expression is an object ``{"sympy": srepr, "text": str}``; ``sympy.sympify``
on the ``sympy`` string rebuilds the expression. Named functions (σ, softplus)
are rewritten to core SymPy first, so nothing outside SymPy is needed to rebuild.
"""

from __future__ import annotations

import json
from typing import Any

import sympy as sp

from derive.functions import to_core
from derive.report import conclude
from derive.steps import Derivation

__all__ = ["SCHEMA", "expression", "render_json", "to_dict"]

SCHEMA = 1


def expression(expr: sp.Basic) -> dict[str, str]:
    """The contract's expression object."""
    core = to_core(sp.sympify(expr))
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


def render_json(d: Derivation) -> str:
    return json.dumps(to_dict(d), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
