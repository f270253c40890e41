"""The emitted losses against torch's own: seconds per call on 10⁶ samples, and the ratios.

Run: python benchmarks/code_speed.py [--samples N] [--repeats R] [--threads T]

For every built-in model with a torch loss (default options; a fixed parameter left
symbolic is passed as a number), the ``loss`` of the module ``--format numpy`` and
``--format torch`` print (:func:`derive.render.code.to_function`) is timed against
torch's functional loss with ``reduction='none'`` on the same float64 data of N
samples (default 10⁶). Class models use N·K = 10⁷ entries (80 MB per (N, K) array):
the softmax cross-entropy at K = 10 (N = 10⁶) and K = 1000 (N = 10⁴), and the other
categorical variants at K = 10. The three functions run interleaved, one call each
per round, and each figure is the median over the rounds, so all three see the same
noise; the ratios (emitted / native, target ≤ 1.2) are what to compare across
machines. torch runs with its default intra-op threads unless ``--threads`` is given
(NumPy's elementwise functions use one thread).

``rows()`` returns the table as tuples of strings (the columns are ``HEADER``), for
``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import torch

from derive.codegen import torch_function
from derive.compile import per_sample
from derive.engine import derive
from derive.family import Domain, families
from derive.render.code import to_function
from derive.steps import Derivation

__all__ = ["HEADER", "main", "rows"]

HEADER = (
    "model",
    "torch loss",
    "N × K",
    "native torch ms",
    "emitted torch ms",
    "emitted numpy ms",
    "torch / native",
    "numpy / native",
)
FIXED = {Domain.POSITIVE: 1.0, Domain.UNIT: 0.3, Domain.NATURAL: 10.0, Domain.REAL: 0.0}
ENTRIES = 10**7  # N·K for class models


def _cases() -> list[tuple[str, str, dict[str, str], int]]:
    """(model, link, options, K) for every model with a torch loss; K = 0 for scalars."""
    out: list[tuple[str, str, dict[str, str], int]] = []
    for family in families():
        for link in family.links:
            d = derive(family.name, link=link.name)
            if d.loss is None:
                continue
            if d.model.classes is None:
                out.append((family.name, link.name, {}, 0))
                continue
            out.append((family.name, link.name, {}, 10))
            for option in family.options:
                for choice in option.choices:
                    if choice != option.default:
                        out.append((family.name, link.name, {option.name: choice}, 10))
            if link.compare_mse:  # the softmax: also with many classes and label smoothing
                out.append((family.name, link.name, {}, 1000))
                out.append((family.name, link.name, {"label_smoothing": "1/10"}, 10))
    return out


def _data(d: Derivation, samples: int, classes: int, seed: int = 0) -> dict[str, Any]:
    """float64 (int64 labels) arrays by variable name, from the variables' domains."""
    rng = np.random.default_rng(seed)
    n = ENTRIES // classes if classes else samples
    values: dict[str, Any] = {s.name: FIXED[domain] for s, domain in d.model.fixed}
    for sampled in d.model.sampled:
        (base,) = sampled.bases
        shape = (n, classes) if sampled.per_class else (n,)
        domain = sampled.domain
        if domain is Domain.SIMPLEX:
            raw = rng.uniform(0.05, 1.0, (n, classes))
            array: Any = raw / raw.sum(axis=1, keepdims=True)
        elif domain is Domain.LABELS:
            array = rng.integers(0, classes, n)
        elif domain is Domain.ONEHOT:
            continue
        elif domain is Domain.REAL:
            array = rng.normal(0.0, 3.0, shape)
        elif domain is Domain.POSITIVE:
            array = rng.uniform(0.5, 2.0, shape)
        elif domain is Domain.UNIT:
            array = rng.uniform(0.05, 0.95, shape)
        elif domain is Domain.BINARY:
            array = rng.integers(0, 2, shape).astype(np.float64)
        else:
            upper = 6 if sampled.upper is None else int(FIXED[Domain.NATURAL])
            array = rng.integers(0, upper + 1, shape).astype(np.float64)
        values[base.name] = array
    return values


def _native(d: Derivation, t: dict[str, Any]) -> Callable[[], torch.Tensor]:
    """torch's functional loss the derivation names, reduction='none', as a thunk."""
    assert d.loss is not None
    f = torch.nn.functional
    key = d.loss.loss.key or d.loss.loss.name
    (prediction, *more) = [b.name for b in d.variables.prediction]
    (target,) = [b.name for b in d.variables.target]
    x, y = t[prediction], t[target]
    if d.model.classes is not None:
        log_input = d.model.domain_of(prediction) is Domain.SIMPLEX
        smoothing = float(Fraction(dict(d.options).get("label_smoothing", "0")))
        calls: dict[str, Callable[[], torch.Tensor]] = {
            "CrossEntropyLoss": lambda: f.cross_entropy(
                torch.log(x) if log_input else x, y, reduction="none", label_smoothing=smoothing
            ),
            "NLLLoss": lambda: f.nll_loss(torch.log(x), y, reduction="none"),
            "KLDivLoss": lambda: f.kl_div(torch.log(x), y, reduction="none").sum(-1),
        }
        return calls[key]
    if d.model.loss_target is not None:  # what the loss takes as its target (y/N)
        target_expr = per_sample(d.model.loss_target)
        symbols = sorted(target_expr.free_symbols, key=lambda s: s.name)  # type: ignore[attr-defined]
        y = torch_function(target_expr, symbols)(*(t[s.name] for s in symbols))
    constant = float(t[d.model.constants[0].name]) if d.model.constants else 0.0
    calls = {
        "MSELoss": lambda: f.mse_loss(x, y, reduction="none"),
        "L1Loss": lambda: f.l1_loss(x, y, reduction="none"),
        "BCELoss": lambda: f.binary_cross_entropy(x, y, reduction="none"),
        "BCEWithLogitsLoss": lambda: f.binary_cross_entropy_with_logits(x, y, reduction="none"),
        "PoissonNLLLoss": lambda: f.poisson_nll_loss(x, y, reduction="none"),
        "PoissonNLLLoss:rate": lambda: f.poisson_nll_loss(
            x, y, log_input=False, eps=0.0, reduction="none"
        ),
        "HuberLoss": lambda: f.huber_loss(x, y, delta=constant, reduction="none"),
        "PinballLoss": lambda: torch.maximum(constant * (y - x), (constant - 1) * (y - x)),
        "GaussianNLLLoss:var": lambda: f.gaussian_nll_loss(x, y, t[more[0]], reduction="none"),
    }
    return calls[key]


def _time(thunk: Callable[[], Any]) -> float:
    start = time.perf_counter()
    thunk()
    return time.perf_counter() - start


def rows(samples: int = 10**6, repeats: int = 9) -> list[tuple[str, ...]]:
    """One row per model (the columns are ``HEADER``): median milliseconds per call of
    torch's loss, the emitted torch and NumPy losses, and the two ratios to torch's."""
    out: list[tuple[str, ...]] = []
    for name, link, options, classes in _cases():
        d = derive(name, link=link, **options)
        assert d.loss is not None
        values = _data(d, samples, classes)
        tensors = {k: v if isinstance(v, float) else torch.from_numpy(v) for k, v in values.items()}
        names = [b.name for b in (*d.variables.prediction, *d.variables.target)]
        names += [s.name for s in d.variables.nuisance]
        emitted_torch = to_function(d, "torch").loss
        emitted_numpy = to_function(d, "numpy").loss
        torch_args = [tensors[n] for n in names]
        numpy_args = [values[n] for n in names]
        thunks = {
            "native": _native(d, tensors),
            "torch": lambda f=emitted_torch, a=torch_args: f(*a),
            "numpy": lambda f=emitted_numpy, a=numpy_args: f(*a),
        }
        expected = thunks["native"]().numpy()
        for check in ("torch", "numpy"):  # the same numbers, or the timing means nothing
            got = np.asarray(thunks[check]())
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12, err_msg=name)
        times: dict[str, list[float]] = {k: [] for k in thunks}
        for _ in range(repeats):
            for key, thunk in thunks.items():
                times[key].append(_time(thunk))
        median = {k: statistics.median(v) for k, v in times.items()}
        n = ENTRIES // classes if classes else samples
        flags = {o.name: o.flag for o in d.model.family.options}
        given = [f"{flags[k]} {v}" for k, v in options.items()]
        model = " ".join([name, "--link", link, *given])
        out.append(
            (
                model,
                d.loss.loss.name,
                f"{n:.0e} × {classes}" if classes else f"{n:.0e}",
                f"{median['native'] * 1e3:.2f}",
                f"{median['torch'] * 1e3:.2f}",
                f"{median['numpy'] * 1e3:.2f}",
                f"{median['torch'] / median['native']:.2f}",
                f"{median['numpy'] / median['native']:.2f}",
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10**6)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    found = rows(args.samples, args.repeats)
    print(
        f"emitted loss vs torch, float64, median of {args.repeats} interleaved calls, "
        f"torch threads {torch.get_num_threads()}"
    )
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" for _ in HEADER) + "|")
    for row in found:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
