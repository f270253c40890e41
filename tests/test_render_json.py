from __future__ import annotations

import json
from typing import Any

import sympy as sp

from derive import derive
from derive.render.json import SCHEMA, expression, render_json, to_dict


def test_expression_objects_rebuild() -> None:
    z = sp.Symbol("z", real=True)
    obj = expression(sp.log(1 + sp.exp(z)) - z)
    assert sp.sympify(obj["sympy"]) == sp.log(1 + sp.exp(z)) - z


def test_document_is_stable_and_complete() -> None:
    d = derive("laplace")
    doc = to_dict(d)
    assert doc["schema"] == SCHEMA == 1
    assert doc["loss"]["name"] == "L1Loss"
    assert set(doc["loss"]["reductions"]) == {"sum", "mean"}
    assert render_json(d) == render_json(derive("laplace"))
    assert json.loads(render_json(d)) == doc


def _expression_objects(node: Any) -> list[dict[str, str]]:
    """Every ``{"sympy": …, "text": …}`` object in a JSON document."""
    if isinstance(node, dict):
        if set(node) == {"sympy", "text"}:
            return [node]
        return [found for value in node.values() for found in _expression_objects(value)]
    if isinstance(node, list):
        return [found for value in node for found in _expression_objects(value)]
    return []


def test_every_expression_object_rebuilds_without_undefined_functions() -> None:
    """sympify(obj["sympy"]) of each expression object gives an expression of core SymPy:
    a bare string where an object belongs (the counterexample's value was one) would not."""
    from sympy.core.function import AppliedUndef

    from derive.analysis import analyse
    from derive.families import GALLERY
    from tests.conftest import unnamed

    documents = []
    for exhibit in GALLERY:
        d = derive(exhibit.name, link=exhibit.link, **dict(exhibit.options))
        documents.append(render_json(d, analyse(d, exhibit.compare)))
    for options in ({"classes": 3}, {"classes": 8}, {"classes": 3, "targets": "soft"}):
        d = derive("categorical", link="softmax", **options)  # type: ignore[arg-type]
        documents.append(render_json(d, analyse(d, "mse")))
    d = unnamed()
    documents.append(render_json(d, analyse(d)))
    count = 0
    for document in documents:
        for obj in _expression_objects(json.loads(document)):
            rebuilt = sp.sympify(obj["sympy"])
            assert isinstance(rebuilt, sp.Basic), obj
            assert not rebuilt.atoms(AppliedUndef), obj
            count += 1
    assert count > 500
    values = [json.loads(doc) for doc in documents]
    counterexamples = [
        v["comparison"]["mse_convexity"]["counterexample"] for v in values if "comparison" in v
    ]
    assert counterexamples and all(set(c["value"]) == {"sympy", "text"} for c in counterexamples)
