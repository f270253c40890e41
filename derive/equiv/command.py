"""``derive equiv``: the worker's entry point and the text and JSON renderings.

:func:`equiv_output` reads, decides and renders in one call, so the command line can
run it in a bounded worker (:func:`derive.sandbox.run_bounded`) and get back only an
exit status and text. Exit statuses: :data:`EXIT` (0 equivalent, 1 different,
3 unknown; bad input is a :class:`~derive.errors.DeriveError`, status 2).
"""

from __future__ import annotations

import json
from typing import Any

import sympy as sp

from derive.equiv.check import RELATION, Equivalence, check_equivalent
from derive.equiv.witness import Assignment, FactorWitness, OrderWitness, SlopeWitness, Witness
from derive.functions import to_core

__all__ = ["EXIT", "equiv_output", "render_equivalence", "to_dict"]

EXIT = {"equivalent": 0, "different": 1, "unknown": 3}
SCHEMA = 1


def _expression(expr: sp.Basic) -> dict[str, str]:
    """The JSON contract's expression object (as :func:`derive.render.json.expression`)."""
    return {"sympy": sp.srepr(to_core(expr)), "text": sp.sstr(expr, order="none")}


def _assignment(values: Assignment) -> dict[str, str]:
    return {name: sp.sstr(value) for name, value in values}


def _witness(w: Witness) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": w.kind, "constants": _assignment(w.constants)}
    if isinstance(w, OrderWitness):
        out.update(
            p1=_assignment(w.p1),
            p2=_assignment(w.p2),
            a1=_expression(w.a1),
            a2=_expression(w.a2),
            b1=_expression(w.b1),
            b2=_expression(w.b2),
            increasing=w.first,
            other="equal" if w.other == 0 else "decreasing",
        )
    elif isinstance(w, SlopeWitness):
        out.update(
            p0=_assignment(w.p0),
            p1=_assignment(w.p1),
            p2=_assignment(w.p2),
            a=[_expression(v) for v in w.a],
            b=[_expression(v) for v in w.b],
            slopes=[_expression(s) for s in w.slopes],
        )
    elif isinstance(w, FactorWitness):
        out.update(
            factor=_expression(w.factor),
            constant=_expression(w.constant),
            p1=_assignment(w.p1),
            p2=_assignment(w.p2),
            a1=_expression(w.a1),
            a2=_expression(w.a2),
        )
    out["text"] = w.describe()
    return out


def to_dict(result: Equivalence) -> dict[str, Any]:
    """The JSON document of an answer."""
    return {
        "schema": SCHEMA,
        "command": "equiv",
        "status": result.status,
        "wrt": list(result.wrt),
        "relation": RELATION,
        "factor": None if result.factor is None else _expression(result.factor),
        "constant": None if result.constant is None else _expression(result.constant),
        "reason": result.reason,
        "witness": None if result.witness is None else _witness(result.witness),
    }


def render_equivalence(result: Equivalence, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
    return result.explain()


def equiv_output(
    a: str,
    b: str,
    wrt: str,
    positive: str | None,
    real: str | None,
    binary: str | None,
    fmt: str,
) -> tuple[int, str]:
    """Read, decide and render (run in the worker): (exit status, text)."""
    result = check_equivalent(
        a, b, wrt, positive=positive or (), real=real or (), binary=binary or ()
    )
    return EXIT[result.status], render_equivalence(result, fmt)
