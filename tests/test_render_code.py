"""The emitted NumPy, PyTorch and JAX modules against torch's own losses and autograd.

Every built-in family × link × option combination (from the family records) is
derived once; its module's ``loss`` is compared with the torch functional loss
(``reduction='none'``) the derivation names, per sample, to 1e-12 relative in
float64 — ℓ *is* that per-sample value (``nll = scale·ℓ + offset`` is proved), so no
rescaling is needed — and with a 40-digit evaluation of ℓ for every family,
including those torch has no loss for. ``gradient`` is compared with autograd of
the emitted torch loss and of the native torch loss, and the loss must be finite
wherever torch's is for logits up to ±10⁴.
"""

from __future__ import annotations

import ast
import itertools
import os
import subprocess
import sys
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
import torch

from derive.analysis import derived_loss
from derive.cli import main
from derive.codegen import torch_function
from derive.compile import per_sample
from derive.engine import derive
from derive.errors import DeriveError
from derive.family import Domain, Option, families
from derive.render.code import CodeFunctions, command, render_code, safe_names, to_function
from derive.render.json import to_dict
from derive.steps import Derivation

jax.config.update("jax_enable_x64", True)

BACKENDS = ("numpy", "torch", "jax")
SAMPLES = 48
CLASSES = 5  # K when the derivation leaves it symbolic
# option values the records give no figure for (a value each; the records give the rest)
EXTRA: dict[str, tuple[str, ...]] = {
    "--label-smoothing": ("1/10",),
    "--scale": ("3/2",),
    "--shape": ("2",),
    "--classes": ("6",),
}
FIXED: dict[Domain, float] = {
    Domain.POSITIVE: 1.3,
    Domain.UNIT: 0.3,
    Domain.NATURAL: 7.0,
    Domain.REAL: 0.4,
}
EXTREMES = np.array([-1e4, -700.0, -30.0, -1.0, 0.0, 1.0, 30.0, 700.0, 1e4])


def _values(option: Option) -> list[str | None]:
    values: list[str | None] = [None]
    if option.switch:
        values.append("true")
    values += [c for c in option.choices if c != option.default]
    if option.figure is not None:
        values.append(option.figure)
    values += [v for v in EXTRA.get(option.flag, ()) if v not in values]
    return values


def _combinations() -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    out = []
    for family in families():
        for link in family.links:
            lists = [_values(o) for o in family.options]
            for values in itertools.product(*lists):
                given = tuple((o.name, v) for o, v in zip(family.options, values) if v is not None)
                out.append((family.name, link.name, given))
    return out


@cache
def _derivation(name: str, link: str, options: tuple[tuple[str, str], ...]) -> Derivation | None:
    try:
        return derive(name, link=link, **dict(options))
    except DeriveError:  # a combination the family refuses (soft targets with smoothing)
        return None


@cache
def _functions(case: tuple[Any, ...], backend: str) -> CodeFunctions:
    d = _derivation(*case)
    assert d is not None
    fn = to_function(d, backend)
    if backend == "jax":  # one compilation for both functions instead of one per operation
        both = jax.jit(lambda *a: (fn.loss(*a), fn.gradient(*a)))
        return CodeFunctions(backend, lambda *a: both(*a)[0], lambda *a: both(*a)[1], fn.source)
    return fn


CASES = [c for c in _combinations() if _derivation(*c) is not None]
TORCH_CASES = [c for c in CASES if _derivation(*c).loss is not None]  # type: ignore[union-attr]


def _id(case: tuple[Any, ...]) -> str:
    name, link, options = case
    return "-".join([name, link, *(f"{k}={v}" for k, v in options)])


# ------------------------------------------------------------------ data


def _variables(d: Derivation) -> dict[str, list[str]]:
    """The JSON rendering's ``variables`` (``to_dict`` serialises every step: slow)."""
    v = d.variables
    return {
        "prediction": [b.name for b in v.prediction],  # type: ignore[attr-defined]
        "target": [b.name for b in v.target],  # type: ignore[attr-defined]
        "nuisance": [b.name for b in v.nuisance],
    }


def _names(d: Derivation) -> list[str]:
    v = _variables(d)
    return [*v["prediction"], *v["target"], *v["nuisance"]]


def _fixed(d: Derivation) -> dict[str, float]:
    return {s.name: FIXED[domain] for s, domain in d.model.fixed}


def _draw(d: Derivation, seed: int, extreme: bool = False) -> dict[str, Any]:
    """Values of every variable by its JSON name, from its domain (labels 0-based)."""
    rng = np.random.default_rng(seed)
    values: dict[str, Any] = dict(_fixed(d))
    n = SAMPLES
    for sampled in d.model.sampled:
        bases = [b.name for b in sampled.bases]
        k = len(bases) if len(bases) > 1 else CLASSES
        if isinstance(d.model.classes, sp.Integer) and len(bases) == 1:
            k = int(d.model.classes)
        shape = (n, k) if sampled.per_class or len(bases) > 1 else (n,)
        domain = sampled.domain
        if domain is Domain.SIMPLEX:
            raw = rng.uniform(0.05, 1.0, (n, k))
            array: Any = raw / raw.sum(axis=1, keepdims=True)
        elif domain is Domain.ONEHOT:
            array = np.eye(k)[rng.integers(0, k, n)]
        elif domain is Domain.LABELS:
            array = rng.integers(0, k, n).astype(np.int64)
        elif domain is Domain.REAL:
            array = rng.choice(EXTREMES, shape) if extreme else rng.uniform(-3, 3, shape)
        elif domain is Domain.POSITIVE:
            array = rng.uniform(0.5, 2.0, shape)
        elif domain is Domain.UNIT:
            array = rng.uniform(0.05, 0.95, shape)
        elif domain is Domain.BINARY:
            array = rng.integers(0, 2, shape).astype(float)
        else:  # COUNT, NATURAL: up to the bound (N trials) when there is one
            upper = 6 if sampled.upper is None else int(sampled.upper.subs(_symbols(values)))
            low = 1 if domain is Domain.NATURAL else 0
            array = rng.integers(low, upper + 1, shape).astype(float)
        if len(bases) > 1:
            for number, base in enumerate(bases):
                values[base] = np.ascontiguousarray(array[:, number])
        else:
            values[bases[0]] = array
    return values


def _symbols(values: dict[str, Any]) -> dict[sp.Symbol, Any]:
    return {
        sp.Symbol(k, **a): v
        for k, v in values.items()
        for a in ({}, {"positive": True}, {"integer": True, "positive": True})
    }


def _convert(value: Any, backend: str) -> Any:
    if isinstance(value, float):
        return value
    if backend == "torch":
        return torch.from_numpy(np.asarray(value))
    if backend == "jax":
        return jnp.asarray(value)
    return value


def _arguments(d: Derivation, values: dict[str, Any], backend: str) -> list[Any]:
    return [_convert(values[name], backend) for name in _names(d)]


def _numpy(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


# ------------------------------------------------------------------ torch's own losses


def _value(expr: sp.Expr, values: dict[str, Any]) -> float:
    return float(expr.xreplace({s: values[s.name] for s in expr.free_symbols}))  # type: ignore[attr-defined]


def _torch_target(d: Derivation, values: dict[str, torch.Tensor]) -> torch.Tensor:
    """What the library loss takes as its target (y, or y/N), from the model's record."""
    target = d.variables.target[0].name  # type: ignore[attr-defined]
    if d.model.loss_target is None:
        return values[target]
    expr = per_sample(d.model.loss_target)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)  # type: ignore[attr-defined]
    fn = torch_function(expr, symbols)
    return fn(*(values[s.name] for s in symbols))  # type: ignore[no-any-return]


def _class_tensor(d: Derivation, names: list[str], values: dict[str, Any]) -> torch.Tensor:
    parts = [values[n] for n in names]
    return parts[0] if len(parts) == 1 else torch.stack(parts, dim=-1)


def native(d: Derivation, values: dict[str, Any]) -> torch.Tensor:
    """The torch loss the derivation names, per sample (reduction='none'), at ``values``
    (torch tensors and numbers by JSON name)."""
    assert d.loss is not None
    F = torch.nn.functional  # noqa: N806 - as torch writes it
    key = d.loss.loss.key or d.loss.loss.name
    v = _variables(d)
    predictions, targets = v["prediction"], v["target"]
    if d.model.classes is not None:
        x = _class_tensor(d, predictions, values)
        t = _class_tensor(d, targets, values)
        if d.model.domain_of(predictions[0]) is Domain.SIMPLEX:
            x = torch.log(x)  # NLLLoss, KLDivLoss, CrossEntropyLoss take log q
        if key == "KLDivLoss":
            return F.kl_div(x, t, reduction="none").sum(-1)
        if key == "NLLLoss":
            index = t if t.dtype == torch.int64 else t.argmax(-1)
            return F.nll_loss(x, index, reduction="none")
        assert key == "CrossEntropyLoss"
        smoothing = float(Fraction(dict(d.options).get("label_smoothing", "0")))
        return F.cross_entropy(x, t, reduction="none", label_smoothing=smoothing)
    f, y = values[predictions[0]], _torch_target(d, values)
    constant = _value(d.model.constants[0], values) if d.model.constants else None
    losses: dict[str, Callable[[], torch.Tensor]] = {
        "MSELoss": lambda: F.mse_loss(f, y, reduction="none"),
        "L1Loss": lambda: F.l1_loss(f, y, reduction="none"),
        "BCELoss": lambda: F.binary_cross_entropy(f, y, reduction="none"),
        "BCEWithLogitsLoss": lambda: F.binary_cross_entropy_with_logits(f, y, reduction="none"),
        "PoissonNLLLoss": lambda: F.poisson_nll_loss(f, y, reduction="none"),
        # eps=0: torch's log(input + eps) is ℓ's log(input) exactly
        "PoissonNLLLoss:rate": lambda: F.poisson_nll_loss(
            f, y, log_input=False, eps=0.0, reduction="none"
        ),
        "HuberLoss": lambda: F.huber_loss(f, y, delta=constant, reduction="none"),  # type: ignore[arg-type]
        "PinballLoss": lambda: torch.maximum(constant * (y - f), (constant - 1) * (y - f)),  # type: ignore[operator]
        "GaussianNLLLoss:var": lambda: F.gaussian_nll_loss(
            f, y, values[predictions[1]], reduction="none"
        ),
    }
    return losses[key]()


def _torch_values(d: Derivation, values: dict[str, Any], grad: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    predictions = set(_variables(d)["prediction"])
    for name, value in values.items():
        if isinstance(value, float):
            out[name] = value
            continue
        tensor = torch.tensor(value)
        if grad and name in predictions:
            tensor.requires_grad_(True)
        out[name] = tensor
    return out


# ------------------------------------------------------------------ the tests


def _exact(d: Derivation, values: dict[str, Any], sample: int) -> sp.Float:
    """ℓ at one sample, to 40 digits, from the derivation's expression (labels 1-based)."""
    ell = derived_loss(d)
    if d.model.classes is not None and not isinstance(d.model.classes, sp.Integer):
        ell = ell.subs(d.model.classes, CLASSES)
    point: dict[sp.Basic, sp.Basic] = {}
    for symbol in ell.free_symbols | {i.base.label for i in ell.atoms(sp.Indexed)}:
        value = values.get(symbol.name)  # type: ignore[attr-defined]
        if value is None:
            continue
        row = value if isinstance(value, float) else value[sample]
        if np.ndim(row) == 0:
            if isinstance(row, np.integer):  # a 0-based label: derive's label is one more
                point[symbol] = sp.Integer(int(row) + 1)
            else:
                point[symbol] = sp.Float(float(row), 40)
    ell = ell.xreplace(point).doit()
    entries: dict[sp.Basic, sp.Basic] = {}
    for node in ell.atoms(sp.Indexed):
        row = values[node.base.label.name][sample]
        entries[node] = sp.Float(float(row[int(node.indices[0]) - 1]), 40)
    return sp.N(ell.xreplace(entries), 40)  # type: ignore[no-any-return]


def _check_loss_against_torch(case: tuple[Any, ...], d: Derivation) -> None:
    values = _draw(d, 1)
    expected = native(d, _torch_values(d, values, grad=False)).numpy()
    assert expected.shape == (SAMPLES,)
    for backend in BACKENDS:
        got = _numpy(_functions(case, backend).loss(*_arguments(d, values, backend)))
        assert got.dtype == np.float64, backend
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, err_msg=backend)


def _check_gradient_against_autograd(case: tuple[Any, ...], d: Derivation) -> None:
    values = _draw(d, 2)
    predictions = _variables(d)["prediction"]

    def autograd(loss: Callable[[dict[str, Any]], torch.Tensor]) -> list[np.ndarray]:
        tensors = _torch_values(d, values, grad=True)
        loss(tensors).sum().backward()
        return [tensors[p].grad.numpy() for p in predictions]

    emitted = _functions(case, "torch")
    names = _names(d)
    of_emitted = autograd(lambda t: emitted.loss(*(t[n] for n in names)))
    of_native = autograd(lambda t: native(d, t)) if d.loss is not None else of_emitted
    # On a simplex, ℓ and torch's loss (which normalises q) agree on the simplex only: their
    # gradients agree along it, i.e. after removing the component along (1, …, 1).
    simplex = d.model.predictor is Domain.SIMPLEX
    written_out = simplex and len(predictions) > 1  # one argument per class: one vector
    if written_out:
        of_emitted, of_native = [np.stack(of_emitted, -1)], [np.stack(of_native, -1)]
    for backend in BACKENDS:
        got = _functions(case, backend).gradient(*_arguments(d, values, backend))
        got = list(got) if len(predictions) > 1 else [got]
        if written_out:
            got = [np.stack([_numpy(g) for g in got], -1)]
        for mine, a, b in zip(got, of_emitted, of_native):
            mine = _numpy(mine)
            np.testing.assert_allclose(mine, a, rtol=1e-11, atol=1e-14, err_msg=backend)
            if simplex:
                mine, b = _along_simplex(mine), _along_simplex(b)
            np.testing.assert_allclose(mine, b, rtol=1e-11, atol=1e-13, err_msg=backend)


def _along_simplex(g: np.ndarray) -> np.ndarray:
    return g - g.mean(axis=-1, keepdims=True)


def _check_saturated_logits(case: tuple[Any, ...], d: Derivation) -> None:
    """Finite wherever torch's loss is, logits up to ±10⁴, and ℓ to 1e-12 of the size of
    the inputs (torch's own value loses as much: log(1 + e^{−30}) to 1%, e^{−700} to 0)."""
    values = _draw(d, 3, extreme=True)
    expected = native(d, _torch_values(d, values, grad=False)).numpy()
    finite = np.isfinite(expected)
    assert finite.any()
    head = 6
    exact = np.array([float(_exact(d, values, s)) for s in range(head)])
    size = np.array([max(1.0, _size(values, d, s)) for s in range(head)])
    for backend in BACKENDS:
        with np.errstate(all="ignore"):
            got = _numpy(_functions(case, backend).loss(*_arguments(d, values, backend)))
        assert np.isfinite(got[finite]).all(), backend
        near = np.abs(got[:head][finite[:head]] - exact[finite[:head]])
        bound = 1e-12 * np.maximum(np.abs(exact), size)[finite[:head]]
        assert (near <= bound).all(), backend


def _size(values: dict[str, Any], d: Derivation, sample: int) -> float:
    predictions = _variables(d)["prediction"]
    return max(float(np.max(np.abs(values[p][sample]))) for p in predictions)


def _check_high_precision(case: tuple[Any, ...], d: Derivation) -> None:
    values = _draw(d, 4)
    expected = np.array([float(_exact(d, values, s)) for s in range(4)])
    for backend in BACKENDS:
        got = _numpy(_functions(case, backend).loss(*_arguments(d, values, backend)))[:4]
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=backend)


@pytest.mark.parametrize("case", TORCH_CASES, ids=_id)
def test_against_the_torch_loss(case: tuple[Any, ...]) -> None:
    """loss equals torch's per-sample loss; gradient equals autograd of the emitted and of
    the native torch loss; finite wherever torch is at saturated logits; ℓ to 40 digits."""
    d = _derivation(*case)
    assert d is not None
    _check_loss_against_torch(case, d)
    _check_gradient_against_autograd(case, d)
    if d.model.predictor is Domain.REAL:
        _check_saturated_logits(case, d)
    _check_high_precision(case, d)


@pytest.mark.parametrize("case", [c for c in CASES if c not in TORCH_CASES], ids=_id)
def test_without_a_torch_loss(case: tuple[Any, ...]) -> None:
    """ℓ to 40 digits, and gradient equals autograd of the emitted torch loss."""
    d = _derivation(*case)
    assert d is not None
    _check_high_precision(case, d)
    _check_gradient_against_autograd(case, d)


def test_acceptance_bce_with_logits() -> None:
    """The issue's acceptance: equal to BCEWithLogitsLoss(reduction='none') to 1e-12, and
    finite at z = ±1e4."""
    d = derive("bernoulli", link="logit")
    fn = to_function(d, "torch")
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    rng = np.random.default_rng(0)
    z = torch.from_numpy(rng.normal(0, 4, 1000))
    y = torch.from_numpy(rng.uniform(0, 1, 1000))
    torch.testing.assert_close(fn.loss(z, y), bce(z, y, reduction="none"), rtol=1e-12, atol=0)
    z = torch.tensor([-1e4, -1e4, 1e4, 1e4, -1e4], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5], dtype=torch.float64)
    assert torch.isfinite(fn.loss(z, y)).all()
    torch.testing.assert_close(fn.loss(z, y), bce(z, y, reduction="none"), rtol=1e-12, atol=0)
    # at z = −30, y = 0 ℓ is log(1 + e^{−30}): the module has it to the last digit, torch
    # to 1.3% (it subtracts two numbers near 30)
    exact = float(sp.N(sp.log(1 + sp.exp(-30)), 30))
    zero = torch.zeros(1, dtype=torch.float64)
    assert fn.loss(torch.tensor([-30.0], dtype=torch.float64), zero).item() == pytest.approx(
        exact, rel=1e-15
    )
    assert fn.source == render_code(d, "torch")


def test_arguments_are_the_json_variables_in_order() -> None:
    for case in CASES[:: len(CASES) // 4]:
        d = _derivation(*case)
        assert d is not None
        variables = {k: v for k, v in to_dict(d)["variables"].items() if k in _variables(d)}
        assert variables == _variables(d)
    for case in CASES:
        d = _derivation(*case)
        assert d is not None
        tree = ast.parse(_functions(case, "numpy").source)
        functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        for name in ("loss", "gradient"):
            args = [a.arg for a in functions[name].args.args]
            assert args == safe_names(_names(d)), case


def test_module_text_names_its_command_and_model() -> None:
    d = derive("huber", delta="3/2")
    text = render_code(d, "jax")
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring is not None
    assert "Produced by: derive huber --delta 1.5 --format jax" in docstring
    assert d.model.family.summary in docstring
    assert "torch.nn.HuberLoss(delta=1.5)" in docstring
    # δ was given: it is a literal, not an argument
    assert "def loss(f, y):" in text
    symbolic = render_code(derive("huber"), "jax")
    assert "def loss(f, y, delta):" in symbolic


def test_class_labels_are_zero_based_indices() -> None:
    d = derive("categorical", link="softmax")
    fn = to_function(d, "numpy")
    z = np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]])
    y = np.array([2, 0])
    lse = np.log(np.exp(z).sum(axis=1))
    np.testing.assert_allclose(fn.loss(z, y), lse - z[[0, 1], y], rtol=1e-14)
    assert "0..K−1" in fn.source and "index k − 1" in fn.source


def test_unused_fixed_parameters_default_to_none() -> None:
    fn = to_function(derive("gaussian"), "numpy")
    np.testing.assert_allclose(fn.loss(np.array([1.0]), np.array([3.0])), [4.0])
    np.testing.assert_allclose(fn.loss(np.array([1.0]), np.array([3.0]), 2.0), [4.0])
    assert "does not depend on sigma" in fn.source


def test_safe_names() -> None:
    assert safe_names(["lambda", "y", "numpy", "abs", "x-1", "1x", "_t0", "y"]) == [
        "lambda_",
        "y",
        "numpy_",
        "abs_",
        "x_1",
        "v1x",
        "t0",
        "y_",
    ]


def test_user_text_stays_inside_the_docstring() -> None:
    density = r"\frac{1}{2}e^{-|y-\mu|}"
    d = _custom(density)
    text = render_code(d, "numpy")
    tree = ast.parse(text)
    assert [type(n).__name__ for n in tree.body] == ["Expr", "Import", "FunctionDef", "FunctionDef"]
    assert density in (ast.get_docstring(tree) or "")
    # the escaping itself: quotes and backslashes cannot end the string
    from derive.render.code import _escape

    hostile = '"""\nimport os\\'
    assert ast.literal_eval('"""' + _escape(hostile) + '"""') == hostile


def _custom(density: str) -> Derivation:
    from derive.custom import family_from_request
    from derive.spec import CustomRequest

    request = CustomRequest(
        density=density,
        target="y",
        predict=("mu",),
        fixed=(),
        support="real",
        domains=(),
        source=(("custom", ""), ("--density", density), ("--target", "y"), ("--predict", "mu")),
    )
    return derive(family_from_request(request), link="identity")


def test_command_quotes_user_text() -> None:
    d = _custom(r"\frac{1}{2}e^{-|y-\mu|}")
    assert command(d, "torch") == (
        r"derive custom --density '\frac{1}{2}e^{-|y-\mu|}' --target y --predict mu "
        "--link identity --format torch"
    )


def test_derivation_to_function() -> None:
    d = derive("poisson")
    for backend in BACKENDS:
        fn = d.to_function(backend)  # type: ignore[attr-defined]
        assert isinstance(fn, CodeFunctions) and fn.backend == backend
        assert fn.source == render_code(d, backend)
    with pytest.raises(DeriveError, match="unknown code backend"):
        render_code(d, "tensorflow")


def test_same_bytes_whatever_the_hash_seed() -> None:
    """One other hash seed in a subprocess gives the bytes this process gives."""
    script = (
        "import sys; from derive.engine import derive; from derive.render.code import "
        "render_code; d = derive('categorical', link='softmax', label_smoothing='1/10'); "
        "sys.stdout.write(render_code(d, 'torch') + render_code(derive('huber'), 'numpy'))"
    )
    here = render_code(
        derive("categorical", link="softmax", label_smoothing="1/10"), "torch"
    ) + render_code(derive("huber"), "numpy")
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True)
    assert run.stdout.decode("utf-8") == here


# ------------------------------------------------------------------ the command line


def test_cli_prints_the_module(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bernoulli", "--link", "logit", "--format", "torch"]) == 0
    out = capsys.readouterr().out
    assert out == render_code(derive("bernoulli", link="logit"), "torch")
    namespace: dict[str, Any] = {}
    exec(compile(out, "<cli>", "exec"), namespace)
    z = torch.tensor([-1e4, 0.3, 1e4], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none")
    torch.testing.assert_close(namespace["loss"](z, y), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--format", "torch"],
        ["kl", "normal", "normal", "--format", "numpy"],
        ["entropy", "bernoulli", "--format", "jax"],
        ["identity", "gibbs", "--format", "torch"],
        ["bernoulli", "--link", "logit", "--loss", "mse", "--format", "torch"],
    ],
)
def test_cli_refuses_code_where_there_is_no_loss(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("derive: error: ")


def test_cli_prints_a_custom_density_as_code(capsys: pytest.CaptureFixture[str]) -> None:
    """A user density goes through the worker like any format; its names become arguments."""
    argv = ["custom", "--density", r"\frac{1}{2b}e^{-|y-\mu|/b}", "--target", "y"]
    argv += ["--predict", "mu", "--fixed", "b", "--format", "numpy"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    namespace: dict[str, Any] = {}
    exec(compile(out, "<cli>", "exec"), namespace)
    assert "def loss(mu, y, b=None):" in out
    mu, y = np.array([0.5, -2.0]), np.array([1.0, 1.0])
    np.testing.assert_allclose(namespace["loss"](mu, y), np.abs(y - mu), rtol=1e-15)
    np.testing.assert_allclose(namespace["gradient"](mu, y), np.sign(mu - y), rtol=1e-15)


def test_an_expression_no_printer_knows_is_one_line_of_error() -> None:
    from derive.codegen import StableTorchPrinter
    from derive.render.code import _bodies

    x = sp.Symbol("x")
    printer = StableTorchPrinter({"arrays": frozenset({"x"}), "strict": True})
    with pytest.raises(DeriveError) as caught:
        _bodies([sp.besselj(0, x)], printer, "loss", tuple_return=False)
    assert str(caught.value).startswith("cannot print the loss as code: ")
    assert "\n" not in str(caught.value) and "besselj" in str(caught.value)


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_a_probability_at_the_edge_with_its_certain_target_has_loss_zero(backend: str) -> None:
    """p⁰ = 1: with p = 0 and y = 0 (or p = 1 and y = 1) ℓ is 0, as torch's BCE says, not
    0·log 0 = nan; the gradient is ℓ's one-sided derivative there (±1), not 0/0."""
    import numpy as np

    from derive import derive

    fn = derive("bernoulli").to_function(backend)
    p = np.array([0.0, 1.0, 0.25])
    y = np.array([0.0, 1.0, 1.0])
    if backend == "torch":
        import torch

        args = (torch.from_numpy(p), torch.from_numpy(y))
    elif backend == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
        args = (jax.numpy.asarray(p), jax.numpy.asarray(y))
    else:
        args = (p, y)
    loss = np.asarray(fn.loss(*args))
    gradient = np.asarray(fn.gradient(*args))
    np.testing.assert_allclose(loss, [0.0, 0.0, np.log(4.0)], rtol=1e-15, atol=0)
    np.testing.assert_allclose(gradient, [1.0, -1.0, -4.0], rtol=1e-15, atol=0)
