"""The derived loss as code: a self-contained NumPy, PyTorch or JAX module.

``render_code(d, backend)`` prints a module defining

- ``loss(PREDICTIONS…, TARGETS…, FIXED…)``: the per-sample loss ℓ (the analysis's
  ``derived_loss``; with a named loss it is that loss's per-sample value, with
  ``nll = scale·ℓ + offset`` proved), vectorised over the samples;
- ``gradient(…)``, same arguments: ∂ℓ/∂prediction per sample (a tuple in the
  order of the predictions when there are several);

with the arguments named as the JSON rendering's ``variables`` (prediction, target,
nuisance, in that order), each made a safe Python identifier. Everything the
module computes is printed from a SymPy tree by the printers of
:mod:`derive.codegen`, after the rewrites to stable forms there; the module's
text around it (docstrings, signatures, ``return``) is fixed, and user text (a
custom density's LaTeX, in the command the docstring names) appears only escaped
inside the docstring.

Conventions, stated in every module's docstring:

- A fixed parameter given on the command line (Huber's δ, a quantile τ, N trials,
  label smoothing ε, a concrete K) is a literal in the code; one left symbolic is
  an argument. A fixed argument ℓ does not depend on (the noise scale a
  rescaling divided out) is accepted and ignored, and defaults to ``None`` when
  it is among the last arguments.
- Classes as indexed vectors use torch's layout: predictions and probability
  targets (n, K), a class label a 0-based int64 index of shape (n,) (derive's
  labels are 1..K: label k is index k − 1), the gradient (n, K). Up to four
  classes given with ``--classes`` are written out one argument per class, as the
  derivation writes them.

``to_function(d, backend)`` (also ``Derivation.to_function``) executes that same
module text and returns its two functions.
"""

from __future__ import annotations

import builtins
import keyword
import re
import shlex
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.algebra import proved_zero
from derive.analysis import Analysis, derived_loss, loss_gradient
from derive.codegen import BACKENDS, Backend, Squeeze, stable, vectorise
from derive.errors import DeriveError
from derive.family import Role
from derive.render.unicode import unicode
from derive.steps import Derivation

__all__ = ["CodeFunctions", "command", "render_code", "safe_names", "to_function"]

# names the module itself defines or imports, which an argument must not shadow
_RESERVED = frozenset(("numpy", "torch", "jax", "math", "functools", "loss", "gradient"))


@dataclass(frozen=True)
class CodeFunctions:
    """The two functions of an emitted module, and its text."""

    backend: str
    loss: Callable[..., Any]
    gradient: Callable[..., Any]
    source: str


@dataclass(frozen=True)
class _Argument:
    name: str  # as in the JSON variables
    python: str  # the identifier in the code
    role: Role
    symbol: sp.Symbol  # in the vectorised expressions
    array: bool  # a prediction or target (not a fixed parameter)
    label: bool = False  # a class index (0-based int64)
    classes: bool = False  # an (N, K) array over the class axis


def safe_names(names: Sequence[str]) -> list[str]:
    """Each name as a distinct, safe Python identifier: ASCII letters, digits and ``_``,
    not starting with ``_`` or a digit, not a keyword, a builtin or a name the module
    defines (``lambda`` → ``lambda_``). Deterministic, in order."""
    taken: set[str] = set()
    out: list[str] = []
    for name in names:
        text = re.sub(r"[^A-Za-z0-9_]", "_", name).lstrip("_") or "v"
        if text[0].isdigit():
            text = "v" + text
        while (
            keyword.iskeyword(text)
            or keyword.issoftkeyword(text)
            or hasattr(builtins, text)
            or text in _RESERVED
            or text in taken
        ):
            text += "_"
        taken.add(text)
        out.append(text)
    return out


def command(d: Derivation, backend: str) -> str:
    """The command line that prints this module (``derive bernoulli --link logit --format
    torch``); a custom density's flags as given, shell-quoted."""
    family = d.model.family
    words = ["derive"]
    if family.source:
        for flag, value in family.source:
            words += [flag] if value == "" else [flag, value]
        if all(flag != "--spec" for flag, _ in family.source):
            words += ["--link", d.link]
    else:
        words.append(family.name)
        if d.link != family.default_link:
            words += ["--link", d.link]
        options = {o.name: o for o in family.options}
        for name, value in d.options:
            option = options.get(name)
            if option is None or value in (option.default, option.unset):
                continue
            words += [option.flag] if option.switch else [option.flag, value]
    words += ["--format", backend]
    return shlex.join(words)


def _escape(text: str) -> str:
    """Text safe inside a triple-quoted docstring: backslashes, quotes and anything not
    printable escaped, so that no user text can end the string."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n" or char.isprintable():
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _indices(exprs: Sequence[sp.Basic]) -> tuple[set[sp.Basic], set[sp.Basic]]:
    """(indices of ``Indexed`` nodes, summation dummies) over the expressions."""
    indices: set[sp.Basic] = set()
    dummies: set[sp.Basic] = set()
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.Indexed):
                indices.update(node.indices)
            elif isinstance(node, sp.Sum):
                dummies.update(limit[0] for limit in node.limits)
    return indices, dummies


def _without_zero_constant(expr: sp.Expr, d: Derivation) -> sp.Expr:
    """``expr`` without its terms free of the predictions and targets when they are proved
    to add up to 0 (a user density's normaliser written out: −b·log 2 − b·log b −
    b·log(1/(2b)))."""
    fixed = set(d.variables.nuisance)
    varying = [s for s in expr.free_symbols if s not in fixed]
    varying += [i.base.label for i in expr.atoms(sp.Indexed)]
    constant, rest = expr.as_independent(*varying, as_Add=True)
    if constant != 0 and proved_zero(constant):
        return rest  # type: ignore[no-any-return]
    return expr


@dataclass(frozen=True)
class _Plan:
    arguments: tuple[_Argument, ...]
    loss: sp.Expr
    gradients: tuple[tuple[str, sp.Expr], ...]  # (prediction name, ∂ℓ/∂prediction)
    classes: bool
    ell: sp.Expr  # ℓ as the derivation writes it (a zero constant dropped)


def _plan(d: Derivation, analysis: Analysis | None, native: tuple[type, ...] = ()) -> _Plan:
    """The arguments and the vectorised, stable, renamed expressions of the module."""
    ell = written = _without_zero_constant(derived_loss(d), d)
    pairs_in = analysis.gradient if analysis is not None else loss_gradient(d)
    gradients = [g for _, g in pairs_in]
    wrt = [v for v, _ in pairs_in]
    indices, dummies = _indices([ell, *gradients])
    entry = {i for v in wrt if isinstance(v, sp.Indexed) for i in v.indices}
    labels = sorted(indices - dummies - entry, key=sp.default_sort_key)
    classes = bool(indices)
    roles = (
        (Role.PREDICTION, d.variables.prediction),
        (Role.TARGET, d.variables.target),
        (Role.FIXED, d.variables.nuisance),
    )
    names = [b.name for _, group in roles for b in group]  # type: ignore[attr-defined]
    pythons = safe_names(names)
    arguments: list[_Argument] = []
    position = 0
    for role, group in roles:
        for base in group:
            label = getattr(base, "label", base)
            symbol = sp.Symbol(label.name, **label._assumptions_orig)
            is_label = symbol in labels
            arguments.append(
                _Argument(
                    name=label.name,
                    python=pythons[position],
                    role=role,
                    symbol=symbol,
                    array=role is not Role.FIXED,
                    label=is_label,
                    classes=classes and isinstance(base, sp.IndexedBase) and not is_label,
                )
            )
            position += 1
    if classes:
        like = next(a.symbol for a in arguments if a.role is Role.PREDICTION)
        count = d.model.classes if isinstance(d.model.classes, sp.Symbol) else None
        ell = Squeeze(vectorise(ell, labels, like, count))
        gradients = [vectorise(g, labels, like, count) for g in gradients]
    rename = {a.symbol: sp.Symbol(a.python, **a.symbol._assumptions_orig) for a in arguments}
    names_of = {a.symbol: a.name for a in arguments}
    loss = stable(ell, native).xreplace(rename)
    pairs = []
    for var, g in zip(wrt, gradients):
        base = var.base.label if isinstance(var, sp.Indexed) else var
        key = names_of.get(sp.Symbol(base.name, **base._assumptions_orig), base.name)
        pairs.append((key, stable(g, native).xreplace(rename)))
    return _Plan(tuple(arguments), loss, tuple(pairs), classes, written)


def _body(expr: sp.Expr, printer: Any, name: str) -> list[str]:
    """``_t0 = …`` lines for the common subexpressions, then ``return …``."""
    return _bodies([expr], printer, name, tuple_return=False)


def _bodies(exprs: list[sp.Expr], printer: Any, name: str, tuple_return: bool) -> list[str]:
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_t"), order="none")
    lines: list[str] = []
    arrays = set(printer._settings["arrays"])
    try:
        for symbol, value in replacements:
            lines.append(f"    {symbol} = {printer.doprint(value)}")
            if any(s.name in arrays for s in value.free_symbols):
                arrays.add(symbol.name)  # a temporary computed from arrays is an array
                printer._settings["arrays"] = frozenset(arrays)
        printed = [printer.doprint(e) for e in reduced]
    except NotImplementedError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DeriveError(f"cannot print the {name} as code: {reason}") from None
    if tuple_return:
        lines.append(f"    return ({', '.join(printed)},)")
    else:
        lines.append(f"    return {printed[0]}")
    return lines


def _describe(argument: _Argument, d: Derivation) -> str:
    role = argument.role.value
    if argument.label:
        what = "class index, int64 of shape (n,), in 0..K−1 (derive's label k is index k − 1)"
    elif argument.classes:
        what = "array of shape (n, K), the class axis last"
    elif argument.array:
        what = "array of shape (n,) (n samples)"
    else:
        what = "a number, or an array broadcasting with the samples"
    domain = d.model.domain_of(argument.name)
    on = f", {domain.value}" if domain is not None and not argument.classes else ""
    renamed = "" if argument.python == argument.name else f" (the variable {argument.name})"
    return f"    {argument.python}{renamed}: {role}{on}; {what}"


def _docstring(d: Derivation, backend: Backend, plan: _Plan, unused: list[str]) -> str:
    family = d.model.family
    model = family.summary or family.name
    lines = [
        f"Per-sample loss and gradient of the {family.name} model (link {d.link}), "
        f"derived by derive.",
        "",
        f"Produced by: {command(d, backend.name)}",
        f"Model: {model}",
        f"Loss ℓ per sample: {unicode(plan.ell)}",
    ]
    if d.loss is not None:
        call = d.loss.loss.call(d.model)
        reduction = d.loss.loss.reduction("none")
        relation = (
            "it is the negative log-likelihood itself"
            if d.loss.scale == 1 and d.loss.offset == 0
            else "the negative log-likelihood is "
            f"{unicode(d.loss.scale * sp.Symbol('ℓ') + d.loss.offset)}, proved"
        )
        lines.append(f"ℓ is the per-sample value of {call} ({reduction}); {relation}.")
    else:
        lines.append("ℓ is the negative log-likelihood up to a positive factor and a constant.")
    lines += ["", "Arguments of loss and gradient, in this order:"]
    lines += [_describe(a, d) for a in plan.arguments]
    given = [f"{k}={v}" for k, v in d.options]
    lines += [
        "",
        "A fixed parameter given as an option is a literal in the code, one left symbolic is "
        "an argument" + (f"; options: {', '.join(given)}." if given else "."),
    ]
    if unused:
        lines.append(
            f"ℓ does not depend on {', '.join(unused)} (a constant or factor of the likelihood "
            "dropped by the derivation): accepted and ignored."
        )
    predictions = [a.name for a in plan.arguments if a.role is Role.PREDICTION]
    if len(plan.gradients) > 1:
        lines.append(
            f"gradient returns the tuple (∂ℓ/∂{', ∂ℓ/∂'.join(predictions)}), each per sample."
        )
    elif plan.classes:
        lines.append(f"gradient returns ∂ℓ/∂{predictions[0]} per sample, of shape (n, K).")
    else:
        lines.append(f"gradient returns ∂ℓ/∂{predictions[0]} per sample.")
    lines.append(backend.note)
    wrapped = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip(" ")))
        wrapped += textwrap.wrap(line, 88, subsequent_indent=indent + "  ") or [""]
    return '"""' + _escape("\n".join(wrapped)) + '\n"""'


def render_code(d: Derivation, backend: str, analysis: Analysis | None = None) -> str:
    """The module text (see the module docstring); deterministic bytes."""
    if backend not in BACKENDS:
        raise DeriveError(f"unknown code backend {backend!r}; choose one of: numpy, torch, jax")
    spec = BACKENDS[backend]
    plan = _plan(d, analysis, spec.native)
    arrays = frozenset(a.python for a in plan.arguments if a.array)
    printer = spec.printer({"arrays": arrays, "strict": True})
    grads = [g for _, g in plan.gradients]
    used = set().union(*(e.free_symbols for e in (plan.loss, *grads)))
    used_names = {s.name for s in used}  # type: ignore[attr-defined]
    unused = [a.python for a in plan.arguments if a.python not in used_names]
    prologue = []
    if spec.fixed_as is not None:
        like = next(a.python for a in plan.arguments if a.role is Role.PREDICTION)
        prologue = [
            f"    {a.python} = {spec.fixed_as.format(a.python, like=like)}"
            for a in plan.arguments
            if a.role is Role.FIXED and a.python in used_names
        ]
    loss_lines = prologue + _body(plan.loss, printer, "loss")
    grad_lines = prologue + _bodies(grads, printer, "gradient", tuple_return=len(grads) > 1)
    signature = []
    trailing = True
    for argument in reversed(plan.arguments):
        default = trailing and argument.role is Role.FIXED and argument.python in unused
        trailing = default
        signature.append(f"{argument.python}=None" if default else argument.python)
    params = ", ".join(reversed(signature))
    imports = sorted({*spec.imports, *printer.module_imports})
    helpers = [spec.helpers[h] for h in sorted(getattr(printer, "helpers", ()))]
    head = _docstring(d, spec, plan, unused) + "\n\n" + "\n".join(f"import {m}" for m in imports)
    parts = [
        head,
        *helpers,
        f'def loss({params}):\n    """ℓ per sample."""\n' + "\n".join(loss_lines) + "\n",
        f'def gradient({params}):\n    """∂ℓ/∂prediction per sample."""\n'
        + "\n".join(grad_lines)
        + "\n",
    ]
    return "\n\n\n".join(p.rstrip("\n") for p in parts) + "\n"


def to_function(
    d: Derivation, backend: str = "numpy", analysis: Analysis | None = None
) -> CodeFunctions:
    """``loss`` and ``gradient`` of :func:`render_code`'s module for ``d``, executed from
    that text (the backend's library must be installed); ``analysis`` is ``analyse(d)``
    when the caller has it."""
    source = render_code(d, backend, analysis)
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<derive {backend} module>", "exec"), namespace)
    return CodeFunctions(backend, namespace["loss"], namespace["gradient"], source)
