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
    """One loss along the plotted axis: its values and its gradient magnitude.

    ``comparison`` marks the loss set beside the derived one (MSE on the probability),
    drawn dashed; the derived loss ℓ is drawn solid.
    """

    label: str
    target: str
    loss: Any  # numpy arrays
    gradient: Any
    comparison: bool = False


def _domain(d: Derivation, name: str) -> Domain | None:
    """The domain of ``name``: a per-sample variable, or entry c of a class vector (``z_2``)."""
    found = d.model.domain_of(name)
    if found is None and _class_number(name) is not None:
        found = d.model.domain_of(name.rpartition("_")[0])
    return found


def _is_target(d: Derivation, name: str) -> bool:
    names = _names(d.variables.target)
    return name in names or name.rpartition("_")[0] in names


def _target_share(number: int | None, classes: int) -> sp.Expr:
    """Soft targets of a sample of class 1: 7/10 on class 1, the rest shared."""
    return sp.Rational(7, 10) if number == 1 else sp.Rational(3, 10) / (classes - 1)


def _point(
    expr_symbols: set[sp.Basic], x: sp.Symbol, d: Derivation, classes: int, label_value: int
) -> dict:
    """Values for every symbol but ``x``, from its domain: the first class is the target,
    the other logits 0, the other probabilities share what x leaves."""
    values: dict[sp.Basic, sp.Expr] = {}
    for s in expr_symbols:
        if s == x:
            continue
        domain = _domain(d, s.name)
        number = _class_number(s.name)
        if domain is Domain.LABELS:
            values[s] = sp.Integer(1)  # a sample of class 1
        elif domain in (Domain.BINARY, Domain.COUNT):
            values[s] = sp.Integer(label_value)
        elif domain is Domain.ONEHOT:
            values[s] = sp.Integer(1 if number == 1 else 0)
        elif domain is Domain.SIMPLEX and _is_target(d, s.name):
            values[s] = _target_share(number, classes)
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


def _written_out(expr: sp.Expr, d: Derivation, classes: int) -> sp.Expr:
    """An entrywise ℓ of class vectors with its sums written out and each entry z[c] a symbol
    z_c, for a sample of class 1 (a concrete K only)."""
    if d.model.label is not None:
        label = sp.Symbol(d.model.label.name, **d.model.label.label._assumptions_orig)
        expr = expr.xreplace({label: 1})
    expr = expr.doit()
    return expr.replace(  # type: ignore[no-any-return]
        lambda e: isinstance(e, sp.Indexed) and len(e.indices) == 1 and e.indices[0].is_Integer,
        lambda e: sp.Symbol(f"{e.base.name}_{e.indices[0]}", **e.base.label._assumptions_orig),
    )


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


def _target_text(d: Derivation, binary: bool, label: int, classes: int) -> str:
    """What the curves' sample is: its label, or its soft targets written out."""
    if binary:
        return f"y = {label}"
    if d.model.classes is None:
        return f"y = {label}"
    soft = [b for b in d.variables.target if _domain(d, b.name) is Domain.SIMPLEX]  # type: ignore[attr-defined]
    if not soft:
        return "target class 1"
    shares = [str(_target_share(c, classes)) for c in range(1, classes + 1)]
    if classes > 4:
        shares = [shares[0], shares[1], "…", shares[-1]]
    return f"target p = ({', '.join(shares)})"


def curves(d: Derivation, an: Analysis) -> tuple[str, Any, list[Curve]]:
    """The axis label, the x values and the curves the figure draws."""
    import numpy as np

    if d.model.classes is not None and not d.model.classes.is_Integer:
        raise DeriveError("plot needs a concrete number of classes (--classes K)")
    what, low, high = d.model.axis
    xs = np.linspace(low, high, POINTS)
    classes = int(d.model.classes) if d.model.classes is not None else 2
    loss_expr, wrt = an.loss, an.wrt
    if an.hessian_entry is not None:  # class vectors indexed by k: written out for numbers
        loss_expr = _written_out(an.loss, d, classes)
        base = d.variables.prediction[0].name  # type: ignore[attr-defined]
        wrt = tuple(
            sorted(
                (s for s in loss_expr.free_symbols if s.name.rpartition("_")[0] == base),
                key=lambda s: _class_number(s.name) or 0,
            )
        )
    x = wrt[0]
    target_name = d.variables.target[0].name  # type: ignore[attr-defined]
    target_domain = d.model.domain_of(target_name)
    binary = target_domain is Domain.BINARY
    labels = [1, 0] if binary else [0]
    if binary and an.comparison is not None:
        labels = [1]
    if target_domain is Domain.COUNT:
        labels = _counts(d)
    name = f"{d.loss.loss.name} (derived)" if d.loss is not None else "derived loss"
    out: list[Curve] = []
    for label in labels:
        values = _point(loss_expr.free_symbols, x, d, classes, label)
        target = _target_text(d, binary, label, classes)
        if d.model.classes is None and not binary:
            # the value the curve was drawn at (a positive target sits at its reference point)
            drawn = next((v for s, v in values.items() if s.name == target_name), label)
            target = f"{target_name} = {drawn}"
        loss, grad = _evaluate(loss_expr, wrt, x, xs, values)
        out.append(Curve(name, target, loss, grad))
        c = an.comparison
        if c is not None and (c.classes is None or c.classes == classes):
            mse_vars = tuple(
                sorted((s for s in c.mse.free_symbols if s.name.startswith("z")), key=str)
            )
            mx = mse_vars[0]
            mse_values = _point(c.mse.free_symbols, mx, d, classes, label)
            mse = c.mse.xreplace({mx: x})
            mse_values = {k: v.xreplace({mx: x}) for k, v in mse_values.items()}
            mse_wrt = tuple(v.xreplace({mx: x}) if v == mx else v for v in mse_vars)
            loss, grad = _evaluate(mse, mse_wrt, x, xs, mse_values)
            head = r"$\sigma(z)$" if c.classes is None else r"$\mathrm{softmax}(z)$"
            out.append(Curve(f"MSE on {head}", target, loss, grad, comparison=True))
    axis = f"${sp.latex(x)}$ ({what}"
    if d.model.classes is not None:
        axis += " of class 1" + ("; the other logits 0" if d.model.predictor is Domain.REAL else "")
    return axis + ")", xs, out


def figure_title(d: Derivation) -> str:
    """The model, its link and every option that differs from its default (the figure
    says which derivation it draws, as the command that made it does)."""
    given = dict(d.options)
    shown = []
    for option in d.model.family.options:
        value = given.get(option.name)
        if value is not None and value not in (option.default, option.unset):
            name = option.flag.removeprefix("--")
            shown.append(name if option.switch else f"{name} {value}")
    return ", ".join([d.distribution, f"{d.link} link", *shown])


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
    title = figure_title(d)
    with matplotlib.rc_context(
        {"pgf.texsystem": "pdflatex", "pgf.rcfonts": False, "svg.hashsalt": "derive"}
    ):
        fig = Figure(figsize=(9.0, 3.6), layout="constrained")
        left, right = fig.subplots(1, 2)
        for curve in drawn:
            style = "--" if curve.comparison else "-"
            label = f"{curve.label}, {curve.target}"
            left.plot(xs, curve.loss, style, label=label)
            right.plot(xs, curve.gradient, style, label=label)
        fig.suptitle(title, fontsize="medium")
        left.set(title="loss", xlabel=axis, ylabel="per-sample loss")
        # mathtext labels: drawn by Agg/PDF/SVG and by LaTeX itself for PGF
        magnitude = (
            r"$|\partial \ell / \partial %s|$" % sp.latex(an.wrt[0])
            if len(an.wrt) == 1 and an.hessian_entry is None
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
