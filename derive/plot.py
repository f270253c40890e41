"""Figures: the derived loss and its gradient magnitude against the prediction.

``derive plot NAME [options] -o FILE`` draws two panels — the per-sample loss
ℓ and the gradient magnitude ‖∇ℓ‖ — against the model's output (f, p, or the
logit z). With ``--loss mse`` it overlays MSE on the predicted probability,
so the vanishing gradient of MSE∘σ beside BCE∘σ (or MSE∘softmax beside the
cross-entropy) is visible. The file type comes from the suffix: ``.png``,
``.pdf``, ``.svg`` or ``.pgf`` (PGF measures text with ``pdflatex``).

matplotlib is an optional extra (``pip install '.[plot]'``), imported
only here, through its object-oriented API (no pyplot, no global backend).
The curves are evaluated from the same expressions the proof prints, through
:func:`derive.codegen.numpy_function`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.analysis import Analysis
from derive.codegen import numpy_function
from derive.compile import reference_value
from derive.errors import DeriveError
from derive.family import Domain
from derive.files import atomic_path
from derive.steps import Derivation

__all__ = ["SUFFIXES", "Curve", "curves", "plot"]

SUFFIXES = (".png", ".pdf", ".svg", ".pgf")
POINTS = 401


@dataclass(frozen=True)
class Curve:
    """One loss along the plotted axis: its values and its gradient magnitude."""

    label: str
    target: str
    loss: Any  # numpy arrays
    gradient: Any


def _point(
    expr_symbols: set[sp.Basic], x: sp.Symbol, d: Derivation, classes: int, label_value: int
) -> dict:
    """Values for every symbol but ``x``, from its domain: the first class is the target,
    the other logits 0, the other probabilities share what x leaves."""
    values: dict[sp.Basic, sp.Expr] = {}
    for s in expr_symbols:
        if s == x:
            continue
        domain = d.model.domain_of(s.name)
        number = _class_number(s.name)
        if domain in (Domain.BINARY, Domain.LABELS, Domain.COUNT):
            values[s] = sp.Integer(label_value)
        elif domain is Domain.ONEHOT:
            values[s] = sp.Integer(1 if number == 1 else 0)
        elif domain is Domain.SIMPLEX and s.name in _names(d.variables.target):
            values[s] = sp.Rational(7, 10) if number == 1 else sp.Rational(3, 10) / (classes - 1)
        elif domain is Domain.SIMPLEX:
            values[s] = (1 - x) / (classes - 1)
        elif domain is not None:
            values[s] = reference_value(domain, sp.Integer(classes))
        else:
            raise DeriveError(f"plot: no value for {s.name}")
    return values


COUNTS = (0, 3)  # the counts a figure draws the loss for (at most the bound: y ≤ N)


def _counts(d: Derivation) -> list[int]:
    """The observed counts to draw: 0 and 3, below the count's bound when it has one."""
    upper = next((s.upper for s in d.model.sampled if s.upper is not None), None)
    if upper is None or not upper.is_Integer:
        return list(COUNTS)
    return sorted({min(count, int(upper)) for count in COUNTS})


def _class_number(name: str) -> int | None:
    tail = name.rpartition("_")[2]
    return int(tail) if tail.isdigit() else None


def _names(bases: tuple[sp.Basic, ...]) -> set[str]:
    return {b.name for b in bases}  # type: ignore[attr-defined]


def _evaluate(
    expr: sp.Expr, wrt: tuple[sp.Basic, ...], x: sp.Symbol, xs: Any, values: dict
) -> tuple[Any, Any]:
    import numpy as np

    grads = [sp.diff(expr, v) for v in wrt]
    loss = numpy_function(expr.xreplace(values), [x])(xs)
    norm_squared = np.zeros(xs.shape)
    for g in grads:
        norm_squared = (
            norm_squared
            + np.broadcast_to(numpy_function(g.xreplace(values), [x])(xs), xs.shape) ** 2
        )
    return np.broadcast_to(loss, xs.shape).astype(float), np.sqrt(norm_squared)


def curves(d: Derivation, an: Analysis) -> tuple[str, Any, list[Curve]]:
    """The axis label, the x values and the curves the figure draws."""
    import numpy as np

    if d.model.classes is not None and not d.model.classes.is_Integer:
        raise DeriveError("plot needs a concrete number of classes (--classes K)")
    x = an.wrt[0]
    what, low, high = d.model.axis
    xs = np.linspace(low, high, POINTS)
    classes = int(d.model.classes) if d.model.classes is not None else 2
    target_domain = d.model.domain_of(d.variables.target[0].name)  # type: ignore[attr-defined]
    binary = target_domain is Domain.BINARY
    labels = [1, 0] if binary else [0]
    if binary and an.comparison is not None:
        labels = [1]
    if target_domain is Domain.COUNT:
        labels = _counts(d)
    name = f"{d.loss.loss.name} (derived)" if d.loss is not None else "derived loss"
    target_name = d.variables.target[0].name  # type: ignore[attr-defined]
    out: list[Curve] = []
    for label in labels:
        values = _point(an.loss.free_symbols, x, d, classes, label)
        # the value the curve was drawn at (a positive target sits at its reference point)
        drawn = next((v for s, v in values.items() if s.name == target_name), label)
        target = "target class 1" if d.model.classes is not None else f"{target_name} = {drawn}"
        loss, grad = _evaluate(an.loss, an.wrt, x, xs, values)
        out.append(Curve(name, target, loss, grad))
        c = an.comparison
        if c is not None:
            mse_vars = tuple(
                sorted((s for s in c.mse.free_symbols if s.name.startswith("z")), key=str)
            )
            mx = mse_vars[0]
            mse_values = _point(c.mse.free_symbols, mx, d, classes, label)
            mse = c.mse.xreplace({mx: x})
            mse_values = {k: v.xreplace({mx: x}) for k, v in mse_values.items()}
            wrt = tuple(v.xreplace({mx: x}) if v == mx else v for v in mse_vars)
            loss, grad = _evaluate(mse, wrt, x, xs, mse_values)
            head = r"$\sigma(z)$" if c.classes is None else r"$\mathrm{softmax}(z)$"
            out.append(Curve(f"MSE on {head}", target, loss, grad))
    axis = f"${sp.latex(x)}$ ({what}"
    if d.model.classes is not None:
        axis += " of class 1" + ("; the other logits 0" if d.model.predictor is Domain.REAL else "")
    return axis + ")", xs, out


def plot(d: Derivation, an: Analysis, path: str) -> None:
    """Draw the figure for ``d`` into ``path``; the suffix picks PNG, PDF, SVG or PGF."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        raise DeriveError(f"plot writes {', '.join(SUFFIXES)} files, not {suffix or 'no suffix'!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):  # before the figure is computed, not after
        raise DeriveError(f"cannot write {path}: no such directory {folder}")
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise DeriveError(
            "derive plot needs matplotlib: pip install 'derive-losses[plot]'"
        ) from None
    axis, xs, drawn = curves(d, an)
    title = f"{d.distribution}, {d.link} link"
    with matplotlib.rc_context(
        {"pgf.texsystem": "pdflatex", "pgf.rcfonts": False, "svg.hashsalt": "derive"}
    ):
        fig = Figure(figsize=(9.0, 3.6), layout="constrained")
        left, right = fig.subplots(1, 2)
        for curve in drawn:
            style = "--" if curve.label.startswith("MSE") else "-"
            label = f"{curve.label}, {curve.target}"
            left.plot(xs, curve.loss, style, label=label)
            right.plot(xs, curve.gradient, style, label=label)
        left.set(title=f"{title}: loss", xlabel=axis, ylabel="per-sample loss")
        # mathtext labels: drawn by Agg/PDF/SVG and by LaTeX itself for PGF
        magnitude = (
            r"$|\partial \ell / \partial %s|$" % sp.latex(an.wrt[0])
            if len(an.wrt) == 1
            else r"$\Vert \nabla \ell \Vert$ (all outputs)"
        )
        right.set(title="gradient magnitude", xlabel=axis, ylabel=magnitude)
        for ax in (left, right):
            ax.grid(alpha=0.3)
        left.legend(fontsize="small")
        _save(fig, path, suffix)


def _save(fig: Any, path: str, suffix: str) -> None:
    """Write atomically (:func:`derive.files.atomic_path`), without dates in the file."""
    metadata = {
        "png": {"Software": None},
        "pdf": {"CreationDate": None, "Producer": None},
        "svg": {"Date": None},
        "pgf": None,
    }[suffix[1:]]
    kwargs: dict[str, Any] = {"format": suffix[1:]}
    if metadata is not None:
        kwargs["metadata"] = metadata
    if suffix == ".pgf":
        kwargs["backend"] = "pgf"
    with atomic_path(path, suffix) as temporary:
        try:
            fig.savefig(temporary, **kwargs)
        except (RuntimeError, OSError, ValueError) as error:
            raise DeriveError(f"could not write {path}: {error}".splitlines()[0]) from None
