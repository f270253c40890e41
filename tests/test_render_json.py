from __future__ import annotations

import json

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
