"""Assertions for your own test suite: is my loss the one the theory derives?

Two assertions, both raising :class:`AssertionError` with a readable message:

- :func:`assert_same_loss` checks a *numeric* loss function — a NumPy or PyTorch
  callable taking the predictions and then the targets, in the order of the
  ``variables`` that ``derive NAME --format json`` lists — against the loss the
  derivation of ``NAME`` names and proves, on random inputs drawn from the
  family's declared domains plus their edges (saturated logits ±30, ±1e2, ±1e3;
  probabilities within 1e-12 of 0 and 1; positive values 1e-3 and 1e3). The
  reference values are computed from the derived expression with mpmath at 50
  significant digits, from the exact float64 inputs your function receives, so a
  mismatch is your function's, not the reference's. This is a numerical check of
  a function against a proved formula — it is not a proof about your function.
- :func:`assert_equivalent` checks two *expressions* (SymPy or LaTeX) for the same
  objective up to a positive factor and an additive constant, symbolically; it is
  :func:`derive.equiv.assert_equivalent` under the name of this module.

Importing this module imports neither SymPy nor NumPy nor torch (pytest loads the
plugin built on it in every project that installs ``derive``); SymPy and NumPy are
imported when an assertion runs, torch only when your function turns out to be a
torch function (see ``backend``).

Data layout is PyTorch's: a scalar variable is an array of shape ``(N,)``
(float64; binary and count targets too, as ``torch.nn`` losses take them); a vector
over K classes — logits, probabilities, soft targets — is ``(N, K)`` float64; a
class target is ``(N,)`` int64 holding 0-based class indices (derive writes the
classes 1…K; the shift is done here). With a symbolic number of classes the data
has :data:`DEFAULT_CLASSES` columns; set ``classes=`` to choose.
"""

from __future__ import annotations

import enum
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from derive.errors import DeriveError

if TYPE_CHECKING:
    import numpy as np
    import sympy as sp

    from derive.family import Domain
    from derive.steps import Derivation

__all__ = ["DEFAULT_CLASSES", "LossCheck", "assert_equivalent", "assert_same_loss"]

DEFAULT_CLASSES = 5  # columns of a class vector when the derivation keeps K symbolic
DIGITS = 50  # significant digits of the reference values
REDUCTIONS = ("none", "mean", "sum")
BACKENDS = ("auto", "numpy", "torch")
# the edges of the domains every check visits, besides its random draws
SATURATED = (30.0, -30.0, 1e2, -1e2, 1e3, -1e3)
NEAR_EDGE_UNIT = (1e-12, 1e-6, 1 - 1e-6, 1 - 1e-12)
NEAR_EDGE_POSITIVE = (1e-3, 1e3)
TINY = 1e-12  # the smallest probability of a near-one-hot row
# constants a hint names when your loss differs from ℓ by one of them
_CONSTANTS: tuple[tuple[str, float], ...] = (
    ("log √(2π)", 0.5 * math.log(2 * math.pi)),
    ("log(2π)", math.log(2 * math.pi)),
    ("log 2", math.log(2)),
    ("log π", math.log(math.pi)),
    ("log √2", 0.5 * math.log(2)),
)


class _Kind(enum.Enum):
    """How one argument of the user's function is laid out and fed to the reference."""

    SCALAR = "scalar"  # (N,) float64
    LABEL = "label"  # (N,) int64, a 0-based class index; the derivation's label is 1-based
    CLASSES = "classes"  # (N,) int64 class index, the derivation's one-hot vector
    VECTOR = "vector"  # (N, K) float64


@dataclass(frozen=True)
class _Argument:
    """One argument of the user's function: the derivation's variable(s) it carries."""

    name: str  # what messages call it
    kind: _Kind
    domain: Domain
    bases: tuple[str, ...]  # the per-sample names it fills (one per class when explicit)
    per_class: bool  # one indexed base ``z[k]`` rather than one name per class
    upper: int | None = None  # a bound from above of a count
    edges: tuple[float, ...] = ()  # values at the edge of the domain to include


@dataclass(frozen=True)
class _Reference:
    """A derivation made numeric: the arguments and ℓ as an mpmath function of one sample."""

    command: str
    title: str  # "the MSELoss ℓ of the gaussian model" …
    formula: str  # ℓ in one line of Unicode math
    arguments: tuple[_Argument, ...]
    classes: int  # 0: no class vectors
    evaluate: Callable[..., Any]  # ℓ of one sample: mpmath values of ``names``, in order
    names: tuple[str, ...]
    derived_classes: tuple[tuple[str, str], ...]  # (one-hot name, label name) computed here
    symbolic_classes: str | None  # the name of a symbolic K passed to ``evaluate``
    conventions: tuple[str, ...] = ()  # what the library does beyond ℓ (clamps, eps)


@dataclass(frozen=True)
class LossCheck:
    """What :func:`assert_same_loss` compared (returned when everything matched)."""

    command: str
    loss: str
    samples: int  # rows compared
    skipped: int  # rows left out: ℓ is not a finite float64 there
    backend: str  # "numpy" or "torch"


# ---------------------------------------------------------------------------------------
# the reference


def _command(name: str, link: str | None, options: Mapping[str, object]) -> str:
    """The ``derive`` command line the check compares against."""
    from derive.family import resolve

    family = resolve(name)
    words = ["derive", family.name]
    if link is not None:
        words += ["--link", str(link)]
    flags = {option.name: option for option in family.options}
    for key, value in options.items():
        option = flags.get(key)
        if option is None or value is None or value is False:
            continue
        words += [option.flag] if option.switch else [option.flag, str(value)]
    return " ".join(words)


def _unset(derivation: Derivation, names: set[str]) -> DeriveError:
    """The error for a loss that depends on a fixed parameter no option set."""
    family = derivation.model.family
    parts = []
    for name in sorted(names):
        options = [o for o in family.options if o.binds == name]
        how = f"pass {options[0].name}=…, derive's {options[0].flag}" if options else "unset"
        parts.append(f"{name} ({how})")
    return DeriveError(
        f"the {family.name} loss depends on {'; '.join(parts)}: a numeric check needs a value"
    )


def _argument(sampled: Any, edges: tuple[float, ...]) -> _Argument:
    from derive.family import Domain

    names = tuple(base.name for base in sampled.bases)
    explicit = len(names) > 1
    stem = names[0].rsplit("_", 1)[0] if explicit else names[0]
    upper = None
    if sampled.upper is not None and sampled.upper.is_Integer:
        upper = int(sampled.upper)
    if sampled.domain is Domain.LABELS:
        kind = _Kind.LABEL
    elif sampled.domain is Domain.ONEHOT and (explicit or sampled.per_class):
        kind = _Kind.CLASSES
    elif explicit or sampled.per_class:
        kind = _Kind.VECTOR
    else:
        kind = _Kind.SCALAR
    if kind in (_Kind.LABEL, _Kind.CLASSES):
        stem = f"{stem} (class index)"
    return _Argument(stem, kind, sampled.domain, names, sampled.per_class, upper, edges)


def _edges(domain: Domain, linked: bool) -> tuple[float, ...]:
    from derive.family import Domain

    if domain is Domain.REAL:
        return SATURATED if linked else SATURATED[2:]
    if domain is Domain.UNIT:
        return NEAR_EDGE_UNIT
    if domain is Domain.POSITIVE:
        return NEAR_EDGE_POSITIVE
    return ()


def _per_sample_definitions(expr: sp.Expr, model: Any) -> sp.Expr:
    """Defined variables (label-smoothed targets s = (1 − ε)·t + ε/K) by their definition."""
    import sympy as sp

    from derive.compile import per_sample

    for name, value in model.context.definitions:
        local_name, local_value = per_sample(name), per_sample(value)
        if isinstance(local_name, sp.Indexed):
            base, index = local_name.base.name, local_name.indices[0]
            expr = expr.replace(
                lambda e, b=base: isinstance(e, sp.Indexed) and e.base.name == b,
                lambda e, v=local_value, k=index: v.xreplace({k: e.indices[0]}),
            )
        else:
            expr = expr.xreplace({local_name: local_value})
    return expr


@lru_cache(maxsize=64)
def _reference(name: str, link: str | None, options: tuple[tuple[str, object], ...]) -> _Reference:
    """The derivation of ``name`` as a numeric reference (cached: derivations are pure)."""
    import sympy as sp

    from derive.engine import derive
    from derive.functions import to_core
    from derive.links import LINKS
    from derive.render.unicode import unicode

    given = dict(options)
    derivation = derive(name, link=link, **given)
    model = derivation.model
    conventions: tuple[str, ...] = ()
    if derivation.loss is not None:
        conventions = derivation.loss.loss.conventions
        expr = derivation.loss.formula
        title = f"{derivation.loss.loss.name}, the loss ℓ of the {model.family.name} model"
    else:
        expr = derivation.derived
        title = f"the loss ℓ of the {model.family.name} model"
    formula = unicode(expr)
    expr = _per_sample_definitions(to_core(expr), model)
    linked = LINKS[model.link].predictor is not None
    first = model.variables.prediction[0].name
    arguments: list[_Argument] = []
    used: set[int] = set()
    for base in model.variables.prediction + model.variables.target:
        for number, sampled in enumerate(model.sampled):
            if number in used or base.name not in {b.name for b in sampled.bases}:
                continue
            used.add(number)
            edges = _edges(sampled.domain, linked and first == base.name)
            arguments.append(_argument(sampled, edges))
    one_hot = model.context.one_hot
    derived: list[tuple[str, str]] = []
    for number, sampled in enumerate(model.sampled):
        if number in used:
            continue
        if one_hot is None or sampled.bases[0].name != one_hot.indicator.name:
            raise RuntimeError(  # pragma: no cover - every sampled variable is an argument
                f"{sampled.bases[0].name} is neither an argument nor a one-hot target"
            )
        derived.append((one_hot.indicator.name, one_hot.label.name))
    classes = 0
    symbolic: str | None = None
    if model.classes is not None:
        if model.classes.is_Integer:
            classes = int(model.classes)
        else:
            classes, symbolic = DEFAULT_CLASSES, model.classes.name
    names = [b for a in arguments for b in a.bases] + [n for n, _ in derived]
    names += [symbolic] if symbolic is not None else []
    free = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    missing = free - set(names)
    if missing:
        raise _unset(derivation, missing)
    # the expression's own symbols (with their assumptions), so that lambdify renames a
    # Python keyword (the Poisson rate ``lambda``) in the arguments and the body alike
    own = {s.name: s for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    symbols = [own.get(n, sp.Symbol(n)) for n in names]
    function = sp.lambdify(symbols, expr, modules="mpmath")
    return _Reference(
        command=_command(name, link, given),
        title=title,
        formula=formula,
        arguments=tuple(arguments),
        classes=classes,
        evaluate=function,
        names=tuple(names),
        derived_classes=tuple(derived),
        symbolic_classes=symbolic,
        conventions=conventions,
    )


# ---------------------------------------------------------------------------------------
# the inputs


def _draw(
    argument: _Argument, rows: int, classes: int, rng: np.random.Generator, cycle: bool = False
) -> np.ndarray:
    """``rows`` random values of one argument from its domain; with ``cycle``, a discrete
    one takes its values in turn (beside an edge value, which comes twice: y = 0 and 1)."""
    import numpy as np

    from derive.family import Domain

    domain = argument.domain
    low, high = domain.sample_range
    if argument.kind in (_Kind.LABEL, _Kind.CLASSES):
        if cycle:
            return np.arange(rows, dtype=np.int64) % classes
        return rng.integers(0, classes, size=rows, dtype=np.int64)
    if argument.kind is _Kind.VECTOR:
        if domain is Domain.SIMPLEX:
            return rng.dirichlet(np.ones(classes), size=rows)
        return rng.uniform(low, high, size=(rows, classes))
    if domain.discrete:
        top = int(high) if argument.upper is None else min(argument.upper, 12)
        if cycle:
            return (int(low) + np.arange(rows) % (top - int(low) + 1)).astype(np.float64)
        return rng.integers(int(low), top + 1, size=rows).astype(np.float64)
    return rng.uniform(low, high, size=rows)


def _edge_rows(argument: _Argument, classes: int, rng: np.random.Generator) -> np.ndarray | None:
    """Values of one argument at the edges of its domain, one row each (``None``: none)."""
    import numpy as np

    from derive.family import Domain

    rows: list[np.ndarray] = []
    if argument.kind is _Kind.VECTOR and argument.domain is Domain.SIMPLEX:
        for c in range(classes):  # nearly one-hot rows, every class in turn
            row = np.full(classes, TINY)
            row[c] = 1 - (classes - 1) * TINY
            rows.append(row)
    elif argument.kind is _Kind.VECTOR and argument.edges:
        for edge in argument.edges:  # one saturated logit among ordinary ones, twice
            for _ in range(2):
                row = rng.uniform(-3, 3, size=classes)
                row[rng.integers(classes)] = edge
                rows.append(row)
        # every logit saturated, of both signs
        rows.append(np.array([argument.edges[-2 + c % 2] for c in range(classes)]))
    elif argument.kind is _Kind.SCALAR:
        rows = [np.array(edge) for edge in argument.edges for _ in range(2)]
    return np.stack(rows) if rows else None


def _inputs(reference: _Reference, samples: int, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """The arguments' arrays — ``samples`` random rows, then for each argument its edge
    rows (the other arguments drawn afresh there) — and which rows hold an edge value."""
    import numpy as np

    rng = np.random.default_rng(seed)
    classes, arguments = reference.classes, reference.arguments
    blocks = [[_draw(a, samples, classes, rng) for a in arguments]]
    edge = [np.zeros(samples, dtype=bool)]
    for index, argument in enumerate(arguments):
        values = _edge_rows(argument, classes, rng)
        if values is None:
            continue
        block = [_draw(a, len(values), classes, rng, cycle=True) for a in arguments]
        block[index] = values.astype(block[index].dtype)
        blocks.append(block)
        edge.append(np.ones(len(values), dtype=bool))
    arrays = [np.concatenate([block[i] for block in blocks]) for i in range(len(arguments))]
    return arrays, np.concatenate(edge)


def _expected(reference: _Reference, arrays: Sequence[np.ndarray]) -> list[Any]:
    """ℓ of every row, as mpmath numbers at :data:`DIGITS` digits (``None``: undefined)."""
    import mpmath

    out: list[Any] = []
    classes = reference.classes
    with mpmath.workdps(DIGITS):
        for row in range(len(arrays[0])):
            values: dict[str, Any] = {}
            labels: dict[str, int] = {}
            for argument, array in zip(reference.arguments, arrays):
                _fill(values, labels, argument, array[row], classes)
            for indicator, label in reference.derived_classes:
                values[indicator] = _one_hot(labels[label], classes)
            if reference.symbolic_classes is not None:
                values[reference.symbolic_classes] = classes
            try:
                value = reference.evaluate(*(values[n] for n in reference.names))
            except (ZeroDivisionError, ValueError, OverflowError):
                value = None
            out.append(value)
    return out


def _finite(value: Any) -> bool:
    """Whether a reference value is a real number a float64 holds (not inf, not complex)."""
    import mpmath

    return isinstance(value, mpmath.mpf) and math.isfinite(float(value))


def _one_hot(label: int, classes: int) -> list[Any]:
    """A class vector indexed 1…K (entry 0 unused: derive's classes start at 1)."""
    return [None] + [1 if c == label else 0 for c in range(1, classes + 1)]


def _fill(
    values: dict[str, Any], labels: dict[str, int], argument: _Argument, x: Any, classes: int
) -> None:
    import mpmath

    if argument.kind is _Kind.SCALAR:
        values[argument.bases[0]] = mpmath.mpf(float(x))
    elif argument.kind is _Kind.LABEL:
        values[argument.bases[0]] = labels[argument.bases[0]] = int(x) + 1
    elif argument.kind is _Kind.CLASSES:
        vector = _one_hot(int(x) + 1, classes)
        if argument.per_class:
            values[argument.bases[0]] = vector
        else:
            values.update(zip(argument.bases, vector[1:]))
    elif argument.per_class:
        values[argument.bases[0]] = [None] + [mpmath.mpf(float(v)) for v in x]
    else:
        values.update(zip(argument.bases, (mpmath.mpf(float(v)) for v in x)))


# ---------------------------------------------------------------------------------------
# calling the user's function


def _is_tensor(value: object) -> bool:
    """A torch tensor, recognised without importing torch."""
    return type(value).__module__.split(".")[0] == "torch"


class _Caller:
    """Calls the user's function with NumPy arrays or torch tensors, as it accepts.

    ``auto``: NumPy arrays first; if the function refuses them (raises) and torch is
    already imported — a torch function cannot exist otherwise — torch tensors
    (float64, int64 class indices), and that backend is kept for every later call.
    """

    def __init__(self, fn: Callable[..., Any], backend: str) -> None:
        self.fn = fn
        self.backend = backend

    def __call__(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        """The function's value, as float64; NumPy's overflow warnings are silenced (an
        overflow shows as the inf it gives, reported as a mismatch)."""
        import numpy as np

        with np.errstate(all="ignore"):
            out = self._call(arrays)
        if _is_tensor(out):
            out = out.detach().cpu().numpy()
        return np.asarray(out, dtype=np.float64)

    def _call(self, arrays: Sequence[np.ndarray]) -> Any:
        if self.backend == "auto":
            try:
                out = self.fn(*arrays)
                self.backend = "torch" if _is_tensor(out) else "numpy"
            except Exception as refused:
                if "torch" not in sys.modules:
                    raise
                try:
                    out = self._torch(arrays)
                except Exception as error:
                    error.add_note(
                        f"(derive.testing called your function with NumPy arrays first: "
                        f"{type(refused).__name__}: {refused}; then with torch tensors)"
                    )
                    raise
                self.backend = "torch"
        elif self.backend == "torch":
            out = self._torch(arrays)
        else:
            out = self.fn(*arrays)
        return out

    def _torch(self, arrays: Sequence[np.ndarray]) -> Any:
        import torch

        return self.fn(*(torch.from_numpy(a.copy()) for a in arrays))


# ---------------------------------------------------------------------------------------
# messages


def _show(x: Any) -> str:
    import numpy as np

    if np.ndim(x) == 0:
        return repr(x.item() if hasattr(x, "item") else x)
    return np.array2string(np.asarray(x), separator=", ", floatmode="unique", max_line_width=200)


def _nice(x: float) -> str:
    """A factor as a short fraction when it is one, else to 4 significant digits."""
    fraction = Fraction(x).limit_denominator(12)
    if fraction != 0 and abs(float(fraction) - x) <= 1e-9 * abs(x):
        return str(fraction)
    return f"{x:.4g}"


def _named(x: float) -> str:
    for name, value in _CONSTANTS:
        for sign, word in ((1, ""), (-1, "−")):
            if abs(x - sign * value) <= 1e-9 * value:
                return f" (= {word}{name})"
    return ""


def _affine_hint(expected: np.ndarray, got: np.ndarray) -> str | None:
    """'your loss is a·ℓ + b' when the values fit such a line exactly, on these samples."""
    import numpy as np

    ok = np.isfinite(expected) & np.isfinite(got)
    e, g = expected[ok], got[ok]
    if len(e) < 2 or np.ptp(e) <= 1e-9 * np.max(np.abs(e)):
        return None
    a, b = np.polyfit(e, g, 1)
    residual = np.abs(g - (a * e + b))
    if np.any(residual > 1e-9 * (np.abs(g) + np.abs(b) + 1)):
        return None
    a = round(a) if abs(a - round(a)) <= 1e-9 * max(1.0, abs(a)) else a
    if abs(b) <= 1e-9 * (np.max(np.abs(g)) + 1):
        b = 0.0
    if a == 1 and b == 0:  # the finite values agree: the mismatch is elsewhere
        return None
    observed = f"on the {len(e)} samples compared, your values are"
    if a == 1 and b != 0:
        return (
            f"{observed} ℓ + {b:.4g}{_named(b)}: they differ by a constant "
            "(the same minimiser; a dropped or added constant term?)"
        )
    if b == 0 and a == -1:
        return f"{observed} −1 × ℓ: a sign flip (the minimiser becomes a maximiser)"
    if b == 0:
        what = "a positive factor (the same minimiser)" if a > 0 else "a negative factor"
        return f"{observed} {_nice(a)} × ℓ: your loss is {_nice(a)}× ℓ, {what}"
    if a == 1 or b == 0:  # pragma: no cover - one of the two cases above
        return None
    return (
        f"{observed} {_nice(a)} × ℓ + {b:.4g}{_named(b)}: a factor and a constant "
        f"away from ℓ{' (the same minimiser)' if a > 0 else ''}"
    )


def _header(reference: _Reference, problem: str) -> list[str]:
    args = ", ".join(a.name.split(" ")[0] for a in reference.arguments)
    lines = [
        f"{problem} {reference.title}",
        f"  model:   {reference.command}",
        f"  ℓ({args}) = {reference.formula}",
    ]
    if any(a.kind in (_Kind.LABEL, _Kind.CLASSES) for a in reference.arguments):
        lines.append(
            f"  classes: K = {reference.classes}, numbered 1…K in ℓ; your class index is the "
            "number − 1 (0…K−1, as torch)"
        )
    return lines


def _row_inputs(reference: _Reference, arrays: Sequence[np.ndarray], row: int) -> str:
    return ", ".join(f"{a.name} = {_show(x[row])}" for a, x in zip(reference.arguments, arrays))


def _relative(expected: float, got: float) -> str:
    if not math.isfinite(got) or not math.isfinite(expected):
        return "inf" if got != expected else "0"
    if expected == 0:
        return "inf (ℓ = 0)" if got != 0 else "0"
    return f"{abs(got - expected) / abs(expected):.3g}"


def _mismatch(
    reference: _Reference,
    arrays: Sequence[np.ndarray],
    edge: np.ndarray,
    expected: np.ndarray,
    got: np.ndarray,
    bad: np.ndarray,
    tolerance: str,
) -> str:
    import numpy as np

    first = int(np.flatnonzero(bad)[0])
    lines = _header(reference, "your loss does not match")
    lines += [
        f"  first mismatch, sample {first} of {len(expected)}: "
        + _row_inputs(reference, arrays, first),
        f"    expected ℓ = {float(expected[first])!r}",
        f"    got          {float(got[first])!r}",
        f"    relative error {_relative(float(expected[first]), float(got[first]))}",
        f"  {int(bad.sum())} of {len(expected)} samples differ ({tolerance})",
    ]
    hint = _affine_hint(expected, got)
    if hint is None and not np.all(np.isfinite(got[bad])):
        hint = (
            "your function gives inf or nan where ℓ is finite: an overflow or a log of 0 "
            "(write log(1 + eᶻ) as softplus / logaddexp(0, z), log-softmax with logsumexp)"
        )
    if hint is None and np.all(edge[bad]):
        hint = (
            "every mismatch is at an edge of the domain (a saturated logit, a probability "
            "near 0 or 1): a numerically unstable form, rather than a different formula"
        )
    if hint is not None:
        lines.append(f"  hint: {hint}")
    lines += [f"  library convention: {text}" for text in reference.conventions]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# the assertions


def _validate(
    fn: object, name: object, reduction: object, backend: object, samples: object
) -> None:
    if not callable(fn):
        raise DeriveError(f"assert_same_loss needs a callable loss function, not {fn!r:.40}")
    if not isinstance(name, str):
        raise DeriveError(f"assert_same_loss takes a model name, not {type(name).__name__}")
    if reduction not in REDUCTIONS:
        raise DeriveError(
            f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r:.40}"
        )
    if backend not in BACKENDS:
        raise DeriveError(
            f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r:.40}"
        )
    if not isinstance(samples, int) or isinstance(samples, bool) or not 1 <= samples <= 100_000:
        raise DeriveError(f"samples must be a whole number from 1 to 100000, got {samples!r:.40}")


def assert_same_loss(
    fn: Callable[..., Any],
    name: str,
    link: str | None = None,
    reduction: str = "none",
    *,
    rtol: float = 1e-7,
    atol: float = 1e-10,
    samples: int = 64,
    seed: int = 0,
    backend: str = "auto",
    **options: object,
) -> LossCheck:
    """Assert that ``fn`` computes the loss the derivation ``derive name --link link
    --options…`` names and proves.

    ``fn`` takes the predictions and then the targets, in the order of the JSON
    ``variables`` (``derive NAME --format json``): ``fn(z, y)`` for ``bernoulli
    --link logit``, ``fn(f, v, y)`` for ``gaussian --learn-variance``. The layout is
    PyTorch's (see the module's docstring): class targets are 0-based int64 indices.
    With ``reduction="none"`` it returns one value per sample, shape ``(N,)``; with
    ``"mean"`` or ``"sum"`` one number, ℓ averaged or summed over the batch as torch
    reduces it (for ``KLDivLoss`` that is ``reduction='batchmean'``).

    ℓ is the loss the derivation names (its catalogue formula: ``(y − f)²`` for
    MSELoss) or, when no library loss matches, the derived ℓ. It is evaluated from
    the exact inputs with mpmath at 50 digits; rows where ℓ is not a finite float64
    (e^z for z = 1000) are left out. Inputs: ``samples`` random rows from the
    declared domains (``seed`` fixes them), then rows at the edges (see the module).
    A sample matches when ``|got − ℓ| ≤ atol + rtol·|ℓ|``.

    ``backend``: ``"numpy"`` calls ``fn`` with NumPy arrays, ``"torch"`` with torch
    tensors; ``"auto"`` (the default) tries NumPy arrays and falls back to torch
    tensors when ``fn`` refuses them and torch is already imported (a torch function
    cannot exist otherwise); torch is never imported for a NumPy function.

    Raises :class:`AssertionError` on a mismatch — with the model, the first
    mismatching sample's inputs, expected and actual values, the relative error,
    and a hint when your values are ℓ up to a constant factor or offset on the
    samples compared (what was observed, not a proof); :class:`derive.errors.DeriveError`
    (a ``ValueError``) for an unknown model, link or option, a loss that depends on
    a parameter no option sets (``delta=1`` for huber), or a bad ``reduction``.
    Returns a :class:`LossCheck` describing what was compared.
    """
    __tracebackhide__ = True
    import numpy as np

    _validate(fn, name, reduction, backend, samples)
    key = tuple(sorted(options.items()))
    try:
        hash(key)
    except TypeError as error:
        raise DeriveError(f"options are numbers, text or switches: {error}") from None
    try:
        reference = _reference(name, link, key)
    except DeriveError as error:  # raised again here: pytest hides derive's frames
        raise DeriveError(str(error)) from None
    arrays, edge = _inputs(reference, samples, seed)
    exact = _expected(reference, arrays)
    finite = [_finite(v) for v in exact]
    keep = np.flatnonzero(finite)
    if len(keep) == 0:  # pragma: no cover - ℓ is finite on every domain's interior
        raise DeriveError(f"ℓ is not finite on any sample of {reference.command}")
    arrays = [a[keep] for a in arrays]
    edge = edge[keep]
    exact = [exact[r] for r in keep]
    expected = np.array([float(v) for v in exact])
    call = _Caller(fn, backend)
    tolerance = f"rtol={rtol:g}, atol={atol:g}"
    rows = len(keep)
    if reduction == "none":
        got = call(arrays)
        if got.shape != (rows,):
            raise AssertionError(_shape_message(reference, got.shape, rows))
    else:
        got = np.empty(rows)
        for row in range(rows):
            value = call([a[row : row + 1] for a in arrays])
            if value.size != 1:
                raise AssertionError(_shape_message(reference, value.shape, 1, reduction))
            got[row] = value.item()
    bad = ~(np.abs(got - expected) <= atol + rtol * np.abs(expected))
    if np.any(bad):
        raise AssertionError(_mismatch(reference, arrays, edge, expected, got, bad, tolerance))
    if reduction != "none":
        _check_reduction(reference, call, arrays, exact, reduction, rtol, atol)
    return LossCheck(
        command=reference.command,
        loss=reference.title,
        samples=rows,
        skipped=len(finite) - rows,
        backend=call.backend,
    )


def _shape_message(
    reference: _Reference, shape: tuple[int, ...], rows: int, reduction: str = "none"
) -> str:
    lines = _header(reference, "your loss has the wrong shape for")
    if reduction == "none":
        lines.append(f"  expected one value per sample, shape ({rows},); got shape {shape}")
        if shape in ((), (1,)):
            lines.append(
                "  hint: torch's losses reduce by default (reduction='mean'); pass "
                "reduction='none' to your loss, or reduction='mean' here"
            )
    else:
        lines.append(f"  expected one number (reduction={reduction!r}); got shape {shape}")
    return "\n".join(lines)


def _check_reduction(
    reference: _Reference,
    call: _Caller,
    arrays: Sequence[np.ndarray],
    exact: Sequence[Any],
    reduction: str,
    rtol: float,
    atol: float,
) -> None:
    """The whole batch and two parts of it, reduced as torch reduces (per-sample values
    matched already)."""
    __tracebackhide__ = True
    import mpmath

    rows = len(exact)
    sizes = sorted({rows, max(rows // 2, 1), min(3, rows)}, reverse=True)
    ratios: list[tuple[int, float]] = []
    failure: tuple[int, float, float] | None = None
    for size in sizes:
        value = call([a[:size] for a in arrays])
        if value.size != 1:
            raise AssertionError(_shape_message(reference, value.shape, size, reduction))
        with mpmath.workdps(DIGITS):
            total = mpmath.fsum(exact[:size])
            scale = mpmath.fsum(abs(v) for v in exact[:size])
            if reduction == "mean":
                total, scale = total / size, scale / size
        expected, got = float(total), float(value.item())
        if not abs(got - expected) <= atol + rtol * float(scale):
            failure = failure or (size, expected, got)
        ratios.append((size, got / expected if expected != 0 else math.nan))
    if failure is None:
        return
    size, expected, got = failure
    lines = _header(reference, f"your reduction={reduction!r} does not match")
    lines += [
        f"  on the first {size} samples (each matched ℓ alone): expected {expected!r}, "
        f"got {got!r}, relative error {_relative(expected, got)}"
    ]
    if all(abs(r - n) <= 1e-6 * n for n, r in ratios):
        lines.append(
            "  hint: on every batch tried your value is N × the mean: your function "
            "sums where reduction='mean' averages"
        )
    elif all(abs(r - 1 / n) <= 1e-6 / n for n, r in ratios):
        lines.append(
            "  hint: on every batch tried your value is the sum / N: your function "
            "averages where reduction='sum' sums"
        )
    raise AssertionError("\n".join(lines))


def assert_equivalent(
    a: sp.Expr | str,
    b: sp.Expr | str,
    *,
    wrt: Sequence[str] | str,
    positive: Sequence[str] = (),
    real: Sequence[str] = (),
    binary: Sequence[str] = (),
) -> Any:
    """Assert that ``a`` and ``b`` (SymPy expressions or LaTeX strings) are the same
    objective in the variables ``wrt`` up to a positive factor and an additive constant.

    Delegates to :func:`derive.equiv.assert_equivalent` (imported when called): raises
    :class:`AssertionError` with the reason and an exact witness when they are not,
    and returns the proof's result (its ``factor`` and ``constant``) when they are.
    Equivalence is proved symbolically, never concluded from samples.
    """
    __tracebackhide__ = True
    from derive.equiv import assert_equivalent as prove

    try:
        return prove(a, b, wrt=wrt, positive=positive, real=real, binary=binary)
    except AssertionError as failure:  # raised again here: pytest hides derive's frames
        raise AssertionError(str(failure)) from None
