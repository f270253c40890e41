"""Shared helpers for the information tests: random exact points of the laws' parameters,
the torch distributions the JSON-like mapping ``Instance.torch()`` names, and exact
evaluation of a derived value (indexed vectors and a symbolic K included)."""

from __future__ import annotations

import random

import sympy as sp
import torch

from derive.family import Domain
from derive.information.instance import Instance, K

# The ranges parameters are drawn from: wide enough that P and Q differ visibly.
RANGES = {
    Domain.REAL: (-2.0, 2.0),
    Domain.POSITIVE: (0.3, 3.0),
    Domain.UNIT: (0.05, 0.95),
}
SYMBOLIC_K = 4  # the number of classes a symbolic K is evaluated at


def _exact(x: float) -> sp.Rational:
    """The float as the exact binary fraction it is (torch receives the same number)."""
    return sp.Rational(x)


def _probabilities(rng: random.Random, count: int) -> list[sp.Rational]:
    raw = [_exact(rng.uniform(0.05, 1.0)) for _ in range(count)]
    total = sum(raw)
    return [r / total for r in raw]


def point(laws: tuple[Instance, ...], rng: random.Random) -> dict[sp.Basic, sp.Rational]:
    """Exact values for every parameter of the laws: a scalar symbol by its domain, a
    probability vector entry by entry (p_1, …, p_K, or p[1], …, p[4] for a symbolic K)."""
    at: dict[sp.Basic, sp.Rational] = {}
    for law in laws:
        for var in law.law.parameters:
            value = law.values[var.name]
            if var.domain is Domain.SIMPLEX:
                assert isinstance(value, sp.IndexedBase)
                cells = law.entries or tuple(value[i] for i in range(1, SYMBOLIC_K + 1))
                at.update(zip(cells, _probabilities(rng, len(cells))))
            else:
                low, high = RANGES[var.domain]
                at[value] = _exact(rng.uniform(low, high))
    return at


def _vector(law: Instance, at: dict[sp.Basic, sp.Rational]) -> list[float]:
    if law.entries:
        return [float(at[e]) for e in law.entries]
    base = next(v for v in law.values.values() if isinstance(v, sp.IndexedBase))
    return [float(at[base[i]]) for i in range(1, SYMBOLIC_K + 1)]


def torch_law(law: Instance, at: dict[sp.Basic, sp.Rational]) -> torch.distributions.Distribution:
    """The torch distribution ``law.torch()`` names, built from the mapping at ``at``.

    Every argument is looked up by the symbol name the mapping gives (a list of names
    for a concrete K); a symbolic K's vector is the one the point drew.
    """
    spec = law.torch()
    module, _, name = str(spec["class"]).rpartition(".")
    assert module == "torch.distributions"
    by_name = {str(symbol): value for symbol, value in at.items()}
    args: dict[str, torch.Tensor] = {}
    for arg, symbols in dict(spec["args"]).items():  # type: ignore[call-overload]
        if isinstance(symbols, list):
            values = [float(by_name[s]) for s in symbols]
        elif isinstance(symbols, str) and symbols in by_name:
            values = float(by_name[symbols])  # type: ignore[assignment]
        else:  # a symbolic K: "p_1, …, p_K"
            assert "…" in symbols
            values = _vector(law, at)
        args[arg] = torch.tensor(values, dtype=torch.float64)
    return getattr(torch.distributions, name)(**args)  # type: ignore[no-any-return]


def exact(expr: sp.Expr, at: dict[sp.Basic, sp.Rational], digits: int = 30) -> float:
    """``expr`` at ``at``, evaluated with ``digits`` significant digits (a symbolic K set to
    :data:`SYMBOLIC_K` and its sums written out first)."""
    if expr.has(K):
        expr = expr.xreplace({K: sp.Integer(SYMBOLIC_K)}).doit()
    value = expr.xreplace(at)
    assert not value.free_symbols, value
    return float(sp.N(value, digits))
