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


def test_exponential_family_object() -> None:
    from derive.analysis import analyse

    def document(name: str, **options: str) -> dict:
        d = derive(name, **options)
        return json.loads(render_json(d, analyse(d)))

    assert document("laplace")["exponential_family"] is None
    poisson = document("poisson", link="identity")["exponential_family"]
    assert poisson["canonical"] is False and poisson["link"] == "identity"
    assert poisson["natural_parameters"] == ["eta"]
    assert poisson["convex_in_natural_parameters"] is True
    eta = sp.Symbol("eta", real=True)
    assert sp.sympify(poisson["log_partition"]["sympy"]) == sp.exp(eta)
    assert sp.sympify(poisson["curvature"]["sympy"]) == sp.exp(eta)
    assert poisson["canonical_link"]["link"] == "log"
    assert poisson["canonical_link"]["parameter"] == "lambda"
    learned = document("gaussian", learn_variance="true")["exponential_family"]
    assert learned["natural_parameters"] == ["eta_1", "eta_2"]
    assert [t["text"] for t in learned["statistic"]] == ["y", "y**2"]
    assert len(learned["curvature"]) == 2 and len(learned["curvature"][0]) == 2
    assert learned["canonical_link"] is None


def test_conventions_and_remarks() -> None:
    doc = to_dict(derive("poisson"))
    assert doc["remarks"] == []
    assert any("approximation of the offset log y!" in c for c in doc["loss"]["conventions"])
    assert to_dict(derive("laplace"))["loss"]["conventions"] == []
    gamma = to_dict(derive("gamma"))
    assert gamma["loss"] is None and "`torch.nn` has no Gamma loss" in gamma["remarks"][0]


def test_region_convention_and_a_loss_without_a_torch_class() -> None:
    from derive.analysis import analyse

    d = derive("cauchy")
    doc = json.loads(render_json(d, analyse(d)))
    y, f = sp.Symbol("y", real=True), sp.Symbol("f", real=True)
    gamma = sp.Symbol("gamma", positive=True)
    assert sp.sympify(doc["negative_curvature"]["sympy"]) == (sp.Abs(y - f) > gamma)
    assert doc["convexity"]["verdict"] == "not convex" and doc["loss"] is None
    pinball = to_dict(derive("asymmetric-laplace", quantile="0.9"))
    assert pinball["loss"]["torch"] is None and "no pinball loss class" in " ".join(
        pinball["loss"]["conventions"]
    )
    assert pinball["loss"]["call"].startswith("torch.maximum(")
    huber = json.loads(render_json(derive("huber", delta="1"), None))
    assert huber["loss"]["call"] == "torch.nn.HuberLoss(delta=1.0)(f, y)"
    # huber is written in core SymPy: a Piecewise
    assert sp.sympify(huber["loss"]["per_sample"]["sympy"]).has(sp.Piecewise)


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
