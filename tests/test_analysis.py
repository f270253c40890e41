"""Gradients and Hessians against torch autograd; convex verdicts against sampled Hessian
eigenvalues; counterexamples re-evaluated exactly; the seed's MSE-vs-cross-entropy facts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp
import torch

from derive import derive
from derive.analysis import A, B, analyse
from derive.codegen import torch_function
from derive.compile import K
from derive.convexity import Verdict
from derive.family import Domain
from derive.functions import sigmoid, to_core
from derive.steps import Derivation
from tests.conftest import CASES, CONVEX_CASES, case_id, class_count, indexed, unnamed

TOL = 1e-9


def _instance(expr: sp.Expr, d: Derivation, classes: int) -> sp.Expr:
    """ℓ with its sums over classes written out (K = ``classes`` when K is symbolic)."""
    if indexed(d):
        return expr.xreplace({K: classes}).doit()
    return expr


def _variables(d: Derivation, classes: int) -> list[sp.Basic]:
    """The prediction variables of the (instantiated) loss, in class order."""
    if indexed(d):
        base = d.variables.prediction[0]
        vec = sp.IndexedBase(base.name, **base.label._assumptions_orig)
        return [vec[c] for c in range(1, classes + 1)]
    return [sp.Symbol(b.name, **b.label._assumptions_orig) for b in d.variables.prediction]


def _point(
    d: Derivation, variables: list[sp.Basic], rng: np.random.Generator, classes: int
) -> dict[sp.Basic, float]:
    """Random values of the predictions and targets on the support."""
    values: dict[sp.Basic, float] = {}
    m = d.model
    simplex = rng.dirichlet(np.ones(classes))
    for nuisance in m.variables.nuisance:
        values[nuisance] = 7.0 if m.domain_of(nuisance.name) is Domain.NATURAL else 0.8
    for c, v in enumerate(variables):
        name = v.base.name if isinstance(v, sp.Indexed) else v.name
        domain = m.domain_of(name)
        if name.startswith("q"):
            values[v] = float(simplex[c])
        elif domain is Domain.UNIT:
            values[v] = float(rng.uniform(0.05, 0.95))
        elif domain is Domain.POSITIVE:
            values[v] = float(rng.uniform(0.3, 3.0))
        else:
            values[v] = float(rng.normal() * 2)
    label = int(rng.integers(1, classes + 1))
    soft = rng.dirichlet(np.ones(classes))
    for base in m.variables.target:
        domain = m.domain_of(base.name)
        symbol = sp.Symbol(base.name, **base.label._assumptions_orig)
        if m.classes is None and domain is Domain.REAL:
            values[symbol] = float(rng.normal() * 2)
        elif m.classes is None and domain is Domain.POSITIVE:
            values[symbol] = float(rng.uniform(0.3, 3.0))
        elif m.classes is None and domain is Domain.BINARY:
            values[symbol] = float(rng.integers(0, 2))
        elif m.classes is None and domain is Domain.COUNT:
            upper = next((s.upper for s in m.sampled if s.upper is not None), None)
            top = (
                9
                if upper is None
                else int(upper.xreplace({n: values[n] for n in m.variables.nuisance}))
            )
            values[symbol] = float(rng.integers(0, top + 1))
        elif base.name == "y":
            values[sp.Symbol("y", integer=True, positive=True)] = label
        elif base.name == "p":
            vec = sp.IndexedBase("p", nonnegative=True)
            values.update({vec[c + 1]: float(soft[c]) for c in range(classes)})
        elif base.name.startswith("t_"):
            c = int(base.name[2:])
            values[sp.Symbol(base.name, integer=True, nonnegative=True)] = float(c == label)
        elif base.name.startswith("p_"):
            c = int(base.name[2:])
            values[sp.Symbol(base.name, nonnegative=True)] = float(soft[c - 1])
    return values


def _torch_loss(loss: sp.Expr, variables: list[sp.Basic], point: dict[sp.Basic, float]) -> Any:
    """ℓ as a torch function of the prediction vector, the rest fixed at the point."""
    label = [
        v
        for v in point
        if isinstance(v, sp.Symbol) and v.name == "y" and v.is_integer and v.is_positive
    ]
    if label:  # a class label selects an entry: substitute it before printing
        loss = loss.xreplace({label[0]: int(point[label[0]])}).doit()
    mapping = {v: sp.Symbol(f"_v{c}", real=True) for c, v in enumerate(variables)}
    rest = {k: v for k, v in point.items() if k not in mapping and k not in label}
    others = {k: sp.Symbol(f"_o{c}", real=True) for c, k in enumerate(rest)}
    expr = loss.xreplace(mapping).xreplace(others)
    fn = torch_function(expr, [*mapping.values(), *others.values()])
    fixed = [torch.tensor(val, dtype=torch.float64) for val in rest.values()]

    def loss_of(x: torch.Tensor) -> torch.Tensor:
        out = fn(*[x[c] for c in range(len(variables))], *fixed)
        return out if isinstance(out, torch.Tensor) else torch.tensor(out, dtype=torch.float64)

    return loss_of


def _evaluate(expr: sp.Expr, point: dict[sp.Basic, float], d: Derivation, classes: int) -> float:
    label = {
        k: int(v)
        for k, v in point.items()
        if isinstance(k, sp.Symbol) and k.name == "y" and k.is_integer and k.is_positive
    }
    expr = _instance(expr, d, classes).xreplace(label).doit()
    return float(sp.N(expr.xreplace({k: sp.Float(v, 30) for k, v in point.items()}), 20))


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_gradient_and_hessian_match_autograd(case: tuple[str, dict[str, Any]]) -> None:
    name, options = case
    d = derive(name, **options)
    an = analyse(d)
    classes = class_count(d)
    variables = _variables(d, classes)
    loss = _instance(an.loss, d, classes)
    rng = np.random.default_rng(3)
    for _ in range(4):
        point = _point(d, variables, rng, classes)
        x = torch.tensor([point[v] for v in variables], dtype=torch.float64, requires_grad=True)
        f = _torch_loss(loss, variables, point)
        (grad,) = torch.autograd.grad(f(x), x)
        hess = torch.autograd.functional.hessian(f, x.detach())
        if an.hessian_entry is not None:
            ((_var, entry),) = an.gradient
            ours = [
                _evaluate(entry.xreplace({A: a}), point, d, classes) for a in range(1, classes + 1)
            ]
            h = [
                [
                    _evaluate(an.hessian_entry.xreplace({A: a, B: b}), point, d, classes)
                    for b in range(1, classes + 1)
                ]
                for a in range(1, classes + 1)
            ]
        else:
            ours = [_evaluate(g, point, d, classes) for _, g in an.gradient]
            assert an.hessian is not None
            h = [
                [_evaluate(an.hessian[r, c], point, d, classes) for c in range(len(variables))]
                for r in range(len(variables))
            ]
        np.testing.assert_allclose(ours, grad.numpy(), rtol=TOL, atol=TOL)
        np.testing.assert_allclose(h, hess.numpy(), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("case", CONVEX_CASES, ids=[case_id(c) for c in CONVEX_CASES])
def test_convex_verdicts_survive_sampling(case: tuple[str, dict[str, Any]]) -> None:
    name, options = case
    d = derive(name, **options)
    an = analyse(d)
    assert an.verdict.verdict == "convex", an.verdict.reason
    rng = np.random.default_rng(11)
    symbolic = an.hessian_entry is not None and not d.model.classes.is_Integer
    for classes in (2, 3, 5) if symbolic else (class_count(d),):
        variables = _variables(d, classes)
        loss = _instance(an.loss, d, classes)
        for _ in range(25):
            point = _point(d, variables, rng, classes)
            x = torch.tensor([point[v] for v in variables], dtype=torch.float64)
            hess = torch.autograd.functional.hessian(_torch_loss(loss, variables, point), x)
            assert torch.linalg.eigvalsh(hess).min().item() >= -1e-12


def test_logistic_regression_facts() -> None:
    an = analyse(derive("bernoulli", link="logit"))
    z = sp.Symbol("z", real=True)
    y = sp.Symbol("y", integer=True, nonnegative=True)
    assert an.gradient == ((z, sigmoid(z) - y),)
    assert an.verdict.verdict == "convex"
    assert an.linear is not None and an.linear.derivative == sigmoid(z) - y
    assert an.linear.verdict.verdict == "convex"


def test_mse_on_sigmoid_is_the_seed_argument() -> None:
    an = analyse(derive("bernoulli", link="logit"), "mse")
    c = an.comparison
    assert c is not None
    z = sp.Symbol("z", real=True)
    y = sp.Symbol("y", integer=True, nonnegative=True)
    s = sigmoid(z)
    assert sp.expand(c.mse_gradient - 2 * (s - y) * s * (1 - s)) == 0
    assert [(m, dl) for _, m, dl in c.limits] == [(0, -1), (0, 1)]
    v = c.mse_verdict
    assert v.verdict == "not convex"
    point = dict(v.counterexample)
    curvature = sp.diff(c.mse, z, 2).xreplace(point)
    assert curvature.is_negative and v.value is not None and v.value.is_negative
    assert dict(c.regions) == {
        "y = 1": "the curvature in z is negative exactly where σ(z) < 1/3",
        "y = 0": "the curvature in z is negative exactly where σ(z) > 2/3",
    }


@pytest.mark.parametrize("classes", [None, 3])
def test_mse_on_softmax_is_not_convex(classes: int | None) -> None:
    d = derive("categorical", link="softmax", classes=classes)
    c = analyse(d, "mse").comparison
    assert c is not None and c.mse_verdict.verdict == "not convex"
    assert c.limits[0][1:] == (0, -1)
    v = c.mse_verdict
    zs = sp.symbols(f"z_1:{c.classes + 1}", real=True)
    # the counterexample alone fixes every variable: the logits and the one-hot target
    hess = sp.hessian(c.mse, zs).xreplace(dict(v.counterexample))
    direction = sp.Matrix(v.direction)
    assert (direction.T * hess * direction)[0, 0].is_negative


SOFTMAX = [c for c in CASES if c[1].get("link") == "softmax"]


def _expected_limit(options: dict[str, Any]) -> sp.Expr:
    """−w₁ for the witness sample of class 1: the one-hot, smoothed or soft target."""
    if options.get("targets") == "soft":
        return -sp.Rational(7, 10)
    eps = sp.Rational(options.get("label_smoothing", "0"))
    return -(1 - eps) - eps / 3  # the comparison is drawn with three classes or fewer


@pytest.mark.parametrize("case", SOFTMAX, ids=[case_id(c) for c in SOFTMAX])
def test_comparison_uses_the_derivations_targets_and_gradient(
    case: tuple[str, dict[str, Any]],
) -> None:
    """MSE is taken against the targets the derivation uses (one-hot, smoothed or soft),
    beside the gradient the Gradient section prints."""
    name, options = case
    d = derive(name, **options)
    c = analyse(d, "mse").comparison
    assert c is not None
    if indexed(d):  # drawn on three classes, same link and targets
        assert c.classes == 3
        d = derive(name, **{**options, "classes": 3})
    own = dict(analyse(d).gradient)
    assert c.loss_gradient == own[c.variable]
    # for the cross-entropy ∂ℓ/∂z_k = q_k − w_k: the MSE Σ_k (q_k − w_k)² against the same
    # targets w is the squared norm of the derived gradient
    assert sp.cancel(sp.together(c.mse - sum(g**2 for g in own.values()))) == 0
    ((case_text, mse_limit, derived_limit),) = c.limits
    assert mse_limit == 0
    assert derived_limit == _expected_limit(options) if len(own) == 3 else derived_limit < 0
    assert c.variable.name == "z_1" and "z[1] → −∞" in case_text


def _negative_curvature(f: sp.Expr, v: Verdict) -> sp.Expr:
    """vᵀ∇²f v at the counterexample: a number only if the point fixes every variable."""
    point = dict(v.counterexample)
    hess = sp.hessian(f, list(v.wrt)).xreplace(point)
    direction = sp.Matrix(v.direction or (1,))
    value = (direction.T * hess * direction)[0, 0]
    assert not value.free_symbols, f"the witness omits {value.free_symbols}"
    assert value.is_negative
    assert abs(sp.N(value - v.value, 30)) < 1e-25  # the value it reports
    return value


def _witnesses() -> list[tuple[str, sp.Expr, Verdict, Derivation, Any]]:
    out = []
    for options in (
        {"link": "softmax"},
        {"link": "softmax", "classes": 3, "label_smoothing": "0.1"},
        {"link": "softmax", "classes": 3, "targets": "soft"},
        {"link": "softmax", "classes": 8, "targets": "soft"},
    ):
        d = derive("categorical", **options)
        an = analyse(d, "mse")
        assert an.comparison is not None
        out.append((str(options), an.comparison.mse, an.comparison.mse_verdict, d, an))
    d = derive("bernoulli", link="logit")
    an = analyse(d, "mse")
    assert an.comparison is not None
    out.append(("bernoulli", an.comparison.mse, an.comparison.mse_verdict, d, an))
    d = unnamed()  # Cauchy: not convex in μ, and in w for a linear predictor
    an = analyse(d)
    out.append(("cauchy", an.loss, an.verdict, d, an))
    assert an.linear is not None
    z, w, x = an.linear.variable, sp.Symbol("w"), sp.Symbol("x")
    out.append(("cauchy-linear", an.loss.xreplace({z: w * x}), an.linear.verdict, d, an))
    return out


def test_every_witness_names_every_variable_it_depends_on() -> None:
    """A counterexample can be re-checked from what is printed: in text, LaTeX and JSON
    it names the logits and the targets (t = e₁ or the soft p), the value is exact."""
    from derive.render.json import analysis_dict
    from derive.render.latex import render_latex
    from derive.render.text import class_vectors, render_text
    from derive.render.unicode import unicode

    for what, f, verdict, d, an in _witnesses():
        assert verdict.verdict == "not convex", what
        _negative_curvature(f, verdict)
        text, tex = render_text(d, an), render_latex(d, an)
        vectors = class_vectors(d)  # written-out classes print as entries: t[1], z[1]
        shown = ", ".join(
            f"{unicode(s, vectors=vectors)} = {value}" for s, value in verdict.counterexample
        )
        assert f"at {shown}" in text, what
        for symbol, value in verdict.counterexample:
            assert f"${sp.latex(sp.Eq(symbol, value, evaluate=False))}$" in tex, (what, symbol)
        data = analysis_dict(an)
        found = data["comparison"]["mse_convexity"] if an.comparison else data["convexity"]
        if what == "cauchy-linear":
            found = data["linear_predictor"]["convexity"]
        point = found["counterexample"]["point"]
        assert set(point) == {sp.sstr(s) for s in f.free_symbols}, what
        assert sp.sympify(found["counterexample"]["value"]["sympy"]) == to_core(verdict.value)


def test_soft_targets_and_the_softmax_have_distinct_letters() -> None:
    an = analyse(derive("categorical", link="softmax", targets="soft"))
    words = an.verdict.reason + " ".join(an.notes)
    assert "diag(q) − qqᵀ" in words and "q = softmax(z)" in words
    assert "diag(p)" not in words and "p_a" not in words


def test_the_loss_analysed_is_the_loss_the_conclusion_names() -> None:
    """ℓ means one thing: the Gradient section differentiates the ℓ of the conclusion."""
    for name, options in CASES:
        d = derive(name, **options)
        an = analyse(d)
        if d.loss is None:  # unnamed (gamma, exponential): ℓ is the derived objective itself
            assert an.definition is None and an.loss == d.derived, (name, options)
            continue
        assert d.loss.formula in (an.loss, an.definition), (name, options)
        # written two ways, proved equal by the loss matcher: equal as numbers too
        if an.definition is not None:
            rng = np.random.default_rng(5)
            point = _point(d, _variables(d, class_count(d)), rng, class_count(d))
            gap = _evaluate(an.definition - an.loss, point, d, class_count(d))
            assert abs(gap) < 1e-12, (name, options, gap)


def test_label_smoothing_on_probabilities_differentiates_the_nll_itself() -> None:
    """CrossEntropyLoss(label_smoothing=ε) on log q is the NLL exactly: the gradient is of
    the NLL, not of ten times it."""
    from derive.algebra import proved_zero
    from derive.compile import per_sample

    d = derive("categorical", label_smoothing="0.1")
    an = analyse(d)
    assert d.loss is not None and d.loss.scale == 1 and d.loss.offset == 0
    assert proved_zero(an.loss - d.nll)
    ((_var, grad),) = an.gradient
    q, y = sp.IndexedBase("q", positive=True), sp.Symbol("y", integer=True, positive=True)
    expected = -1 / (10 * K * q[A]) - sp.Rational(9, 10) * sp.KroneckerDelta(A, y) / q[y]
    assert sp.cancel(grad - expected) == 0
    assert any("is not the probability of the observed label" in n for n in d.notes)
    assert per_sample(d.loss.formula_indexed) == d.loss.formula


def test_symbolic_softmax_is_convex_by_the_variance_argument() -> None:
    an = analyse(derive("categorical", link="softmax"))
    assert an.verdict.verdict == "convex" and "variance" in an.verdict.reason
    assert an.hessian_entry is not None and an.hessian is None


def test_explicit_three_by_three_hessian() -> None:
    an = analyse(derive("categorical", link="softmax", classes=3))
    assert an.hessian is not None and an.hessian.shape == (3, 3)
    z = sp.symbols("z_1:4", real=True)
    total = sum(sp.exp(v) for v in z)
    p = [sp.exp(v) / total for v in z]
    expected = sp.diag(*p) - sp.Matrix(p) * sp.Matrix(p).T
    assert (an.hessian - expected).applyfunc(sp.cancel) == sp.zeros(3, 3)


def test_laplace_states_the_subgradient() -> None:
    an = analyse(derive("laplace"))
    assert an.verdict.verdict == "convex"
    assert any("subdifferential at f = y is [−1, 1]" in note for note in an.notes)


def test_compare_is_validated() -> None:
    from derive.errors import DeriveError

    with pytest.raises(DeriveError, match="--loss mse"):
        analyse(derive("gaussian"), "mse")


VERDICTS = [
    (("poisson", {}), "convex"),
    (("poisson", {"link": "identity"}), "convex"),
    (("gamma", {}), "convex"),
    (("exponential", {}), "convex"),
    (("exponential", {"link": "identity"}), "not convex"),
    (("exponential", {"rate": "true"}), "convex"),
    (("exponential", {"rate": "true", "link": "identity"}), "convex"),
    (("binomial", {}), "convex"),
    (("binomial", {"link": "identity"}), "convex"),
    (("gaussian", {"learn_variance": "true"}), "not convex"),
]


@pytest.mark.parametrize(("case", "truth"), VERDICTS, ids=[case_id(c) for c, _ in VERDICTS])
def test_true_verdicts_of_the_new_families(case: tuple[str, dict[str, Any]], truth: str) -> None:
    """The true verdict, and for 'not convex' an exact point of the domain and a direction
    with vᵀ∇²v < 0 (y/μ + log μ for μ > 2y; log v + (y − f)²/v everywhere)."""
    name, options = case
    d = derive(name, **options)
    an = analyse(d)
    assert an.verdict.verdict == truth, an.verdict.reason
    if truth == "not convex":
        point = dict(an.verdict.counterexample)
        for symbol, value in point.items():
            assert not (symbol.is_positive and value <= 0), (symbol, value)
        direction = sp.Matrix(an.verdict.direction or (1,))
        hessian = sp.hessian(an.loss, list(an.wrt)).xreplace(point)
        assert (direction.T * hessian * direction)[0, 0].is_negative


def test_residual_region_solves_the_sign_of_the_curvature_exactly() -> None:
    """A general mechanism: a curvature depending on f and y only through r = y − f is
    solved in r (in |r| when it is even)."""
    from derive.analysis import residual_region

    y = sp.Symbol("y", real=True)
    f = sp.Symbol("f", real=True)
    c = sp.Symbol("c", positive=True)
    r = y - f
    region = residual_region(sp.diff(1 - sp.exp(-(r**2)), f, 2), f, y)
    assert region == (sp.Abs(r) > sp.sqrt(2) / 2)
    assert residual_region(sp.diff(sp.log(1 + r**2 / c**2), f, 2), f, y) == (sp.Abs(r) > c)
    # odd in r: the condition is on y − f itself
    assert residual_region(sp.diff(r**3, f, 2), f, y) == (r < 0)
    # negative at r = 0 too: the region includes it
    assert residual_region(sp.diff(-(r**2) + r**4 / 12, f, 2), f, y) == (sp.Abs(r) < sp.sqrt(2))
    # nowhere negative, not a function of the residual alone, or no dependence on it
    assert residual_region(sp.diff(r**2, f, 2), f, y) is None
    assert residual_region(sp.diff(sp.log(1 + f**2), f, 2), f, y) is None
    assert residual_region(sp.diff(r**4, f, 2), f, y) == sp.false
    # negative everywhere: softplus(r) − r²/4 has curvature σ(1 − σ) − 1/2 < 0
    assert residual_region(sp.diff(sp.log(1 + sp.exp(r)) - r**2 / 4, f, 2), f, y) == sp.true
    # periodic: SymPy would solve one period and call it the whole region; no claim
    assert residual_region(sp.diff(sp.sin(r), f, 2), f, y) is None
    assert residual_region(sp.diff(r * sp.cos(r), f, 2), f, y) is None


def test_pinball_subdifferential_is_shifted_by_the_affine_part() -> None:
    an = analyse(derive("asymmetric-laplace"))
    assert an.verdict.verdict == "convex"
    assert any("subdifferential at f = y is [−τ, 1 − τ]" in note for note in an.notes)
    assert an.hessian is not None and an.hessian[0, 0] == 0
    assert an.linear is not None and "plus an affine function of w" in an.linear.verdict.reason
    concrete = analyse(derive("asymmetric-laplace", quantile="0.9"))
    assert any("[−9/10, 1/10]" in note for note in concrete.notes)


def test_student_t_not_convex_with_its_region() -> None:
    an = analyse(derive("student-t", nu="3"))
    assert an.verdict.verdict == "not convex"
    y = sp.Symbol("y", real=True)
    f = sp.Symbol("f", real=True)
    s = sp.Symbol("s", positive=True)
    assert an.region == (sp.Abs(y - f) > sp.sqrt(3) * s)
    assert analyse(derive("gaussian")).region is None


def test_forms_equal_only_on_the_support_say_so() -> None:
    """log(q_k/Σ_j q_j) and log q_k are equal where q sums to one, not off it: the analysis
    says which form it differentiates. Forms equal everywhere need no such note."""
    from derive.analysis import ON_THE_SUPPORT

    assert ON_THE_SUPPORT in analyse(derive("categorical", label_smoothing="0.1")).notes
    assert ON_THE_SUPPORT not in analyse(derive("categorical", targets="soft")).notes
