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


def test_region_convention_and_a_loss_without_a_torch_class() -> None:
    from derive.analysis import analyse

    d = derive("cauchy")
    doc = json.loads(render_json(d, analyse(d)))
    y, f = sp.Symbol("y", real=True), sp.Symbol("f", real=True)
    gamma = sp.Symbol("gamma", positive=True)
    assert sp.sympify(doc["negative_curvature"]["sympy"]) == (sp.Abs(y - f) > gamma)
    assert doc["convexity"]["verdict"] == "not convex" and doc["loss"] is None
    pinball = to_dict(derive("asymmetric-laplace", quantile="0.9"))
    assert (
        pinball["loss"]["torch"] is None
        and "no pinball loss class" in (pinball["loss"]["convention"])
    )
    assert pinball["loss"]["call"].startswith("torch.maximum(")
    huber = json.loads(render_json(derive("huber", delta="1"), None))
    assert huber["loss"]["call"] == "torch.nn.HuberLoss(delta=1.0)(f, y)"
    # huber is written in core SymPy: a Piecewise
    assert sp.sympify(huber["loss"]["per_sample"]["sympy"]).has(sp.Piecewise)
