"""A user's density as a law: entropy, cross-entropy and KL of densities written in LaTeX.

``law_family(DensitySpec(latex, target=…, support=…, domains=…), label)`` reads the
LaTeX with :func:`derive.parse.parse_density` (the one place that reads user text,
with its limits on length, depth, literal size and commands) and checks it as
``derive custom`` does (:func:`derive.custom.check_nonnegative`,
:func:`derive.custom.check_normalised`):

- every symbol but the target is a parameter of the law, real unless ``domains``
  says otherwise; the density must depend on the target;
- it must be non-negative on the declared domains (proved, or seen at exact
  points and said so; an exact point where it is negative is an error);
- it must integrate (sum) to 1 over the support: a density shown to integrate to
  something else is an error; one whose normalisation SymPy could not decide in
  time is kept, with ``normalised=False`` and the words in ``Family.checks``, so
  that a report can say the values hold only if it is normalised.

The result is a :class:`~derive.family.Family` whose ``law`` has no moment hook
and no torch class: the engine integrates or sums every expectation from the
density itself (:mod:`derive.information.integrate`). Work on user text must run
in a bounded worker (:func:`derive.sandbox.run_bounded`): :func:`information_output`
is the worker's entry point for the command line.
"""

from __future__ import annotations

import cmath
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from derive.custom import (
    MAX_NAMES,
    SUPPORTS,
    check_nonnegative,
    check_normalised,
    split_names,
)
from derive.errors import DeriveError
from derive.family import Domain, Family, Law, Role, Var, resolve, shorten
from derive.information.engine import KINDS, Information, base_key, information
from derive.information.expectation import Expectation
from derive.information.rules import Moment

__all__ = [
    "DensitySpec",
    "checked_moments",
    "information_from_specs",
    "information_output",
    "law_family",
]

VARIABLE = "y"
"""What the random variable is called in a derivation (and in a law's density mapping)."""
CHECK_POINTS = 3
"""Points of the parameters at which each moment is checked against numeric quadrature."""
CHECK_SECONDS = 3.0
"""Time each moment's numeric check may take (in its own bounded worker)."""
QUADRATURE_ERROR = 1e-10
"""Largest error estimate of a quadrature that counts as evidence."""
TOLERANCE = 1e-7
"""Largest relative gap between a moment's closed form and its numeric value."""
_GRID: dict[Domain, tuple[str, ...]] = {
    Domain.REAL: ("1/3", "-1/2", "1", "-2"),
    Domain.POSITIVE: ("1/2", "2", "3/2", "1"),
    Domain.UNIT: ("1/3", "3/4", "1/2", "1/5"),
    Domain.BINARY: ("0", "1"),
    Domain.COUNT: ("1", "2", "0", "3"),
}


@dataclass(frozen=True)
class DensitySpec:
    """A law given as the LaTeX of its density (mass function) of one observation.

    ``target`` names the random variable in the text; ``support`` is one of
    ``real``, ``positive``, ``unit``, ``binary``, ``count``; ``domains`` gives a
    parameter's domain (same names), every other parameter is real.
    """

    latex: str
    target: str = "y"
    support: str = "real"
    domains: tuple[tuple[str, str], ...] = ()


def _domain(text: str, what: str) -> Domain:
    domain = SUPPORTS.get(text.strip().lower())
    if domain is None:
        raise DeriveError(f"{what} must be one of {', '.join(SUPPORTS)}, got {shorten(text)!r}")
    return domain


def _parameter_domains(spec: DensitySpec, target: str, parameters: list[str]) -> dict[str, Domain]:
    """Each parameter's domain: as ``spec.domains`` gives it, else real."""
    domains = dict.fromkeys(parameters, Domain.REAL)
    for name, text in spec.domains:
        if name == target:
            raise DeriveError(f"{target} is the target: its domain is the support")
        if name not in domains:
            raise DeriveError(
                f"a domain is given for {shorten(str(name))!r}, "
                "which is not a parameter of the density"
            )
        domains[name] = _domain(text, f"the domain of {name}")
    return domains


def law_family(spec: DensitySpec, label: str) -> Family:
    """The law ``spec`` describes, parsed and checked, as a family named ``label``.

    Parses in this process: call it on text you trust, or through
    :func:`derive.sandbox.run_bounded` for text you do not. Raises
    :class:`DeriveError`, one line starting with the label, for anything that is not
    the density of a law.
    """
    (label,) = split_names([label], "label")
    try:
        if not isinstance(spec, DensitySpec):
            raise DeriveError(f"a law is given as a DensitySpec, not {type(spec).__name__}")
        if not all(isinstance(t, str) for t in (spec.latex, spec.target, spec.support)):
            raise DeriveError("the density, target and support of a DensitySpec are strings")
        if not isinstance(spec.domains, tuple) or not all(
            isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(t, str) for t in pair)
            for pair in spec.domains
        ):
            raise DeriveError("the domains of a DensitySpec are (name, domain) pairs of strings")
        family = _checked_family(spec)
    except DeriveError as error:
        raise DeriveError(f"{label}: {error}") from None
    assert family.law is not None
    return replace(family, name=label, law=replace(family.law, name=label))


@functools.lru_cache(maxsize=64)
def _checked_family(spec: DensitySpec) -> Family:
    """The checked law, unnamed (cached: the checks take about a second, and P and Q of
    one density, or its entropy and a KL, need them once)."""
    from derive.parse import parse_density, symbol_names

    (target,) = split_names([spec.target], "target")
    support = _domain(spec.support, "the support")
    expr = parse_density(spec.latex)
    if expr.has(sp.Sum, sp.Product, sp.Indexed):
        raise DeriveError(
            "a sum or product inside the density is not supported: "
            "write the density of one scalar observation"
        )
    names = symbol_names(expr)
    if target not in names:
        raise DeriveError(f"the density does not depend on the target {target}")
    parameters = [n for n in names if n != target]
    if len(parameters) > MAX_NAMES:
        raise DeriveError(f"at most {MAX_NAMES} parameters")
    if VARIABLE in parameters:
        raise DeriveError(
            f"the parameter {VARIABLE} would be confused with the random variable, "
            f"which a derivation calls {VARIABLE}: rename it"
        )
    domains = _parameter_domains(spec, target, parameters)
    variables = (
        Var(target, Role.TARGET, support),
        *(Var(p, Role.FIXED, domains[p]) for p in parameters),
    )
    symbols = {v.name: sp.Symbol(v.name, **v.domain.assumptions) for v in variables}
    typed: sp.Expr = expr.xreplace({sp.Symbol(n): s for n, s in symbols.items()})
    nonnegative = check_nonnegative(typed, symbols, variables)
    normalised, words = check_normalised(typed, symbols, variables)
    if normalised is False:
        raise DeriveError(f"{words}, so it is not the density of a law")
    keys = {symbols[target]: VARIABLE, **{symbols[p]: p for p in parameters}}

    def density(values: Mapping[str, sp.Expr]) -> sp.Expr:
        return typed.xreplace({s: values[key] for s, key in keys.items()})  # type: ignore[no-any-return]

    law = Law(
        name="",
        parameters=variables[1:],
        support=support,
        density=density,
        torch="",
        torch_args=(),
        moments=None,
        torch_entropy=False,
    )
    return Family(
        name="",
        aliases=(),
        summary="your density, from LaTeX",
        variables=variables,
        links=(),
        checks=(nonnegative, words),
        normalised=normalised is True,
        law=law,
    )


# --------------------------------------------------------------------------- moments, checked


def _points(d: Information) -> list[dict[sp.Basic, sp.Expr]]:
    """A few exact points of the laws' scalar parameters, each symbol moving differently."""
    symbols: list[tuple[sp.Basic, tuple[str, ...]]] = []
    for law in d.laws:
        for var in law.law.parameters:
            value = law.values[var.name]
            grid = _GRID.get(var.domain)
            if isinstance(value, sp.Symbol) and grid is not None:
                symbols.append((value, grid))
    return [
        {s: sp.Rational(grid[(j + i) % len(grid)]) for i, (s, grid) in enumerate(symbols)}
        for j in range(CHECK_POINTS)
    ]


def _numeric(term: Expectation, point: dict[sp.Basic, sp.Expr]) -> tuple[float, float] | None:
    """E[φ] at ``point`` by quadrature (or summation), or ``None`` when it is not sure."""
    import mpmath

    y = term.variable
    f = (term.integrand * term.density).xreplace(point)
    low, high = term.bounds
    if f.free_symbols - {y} or not (low.is_number and high.is_number):
        return None
    try:
        # a tree of whitelisted nodes (derive.parse), printed by SymPy's own printer
        fn = sp.lambdify([y], f, modules="mpmath")
        if term.discrete:
            if high.is_finite:
                value = mpmath.fsum(fn(v) for v in range(int(low), int(high) + 1))
            else:
                value = mpmath.nsum(fn, [int(low), mpmath.inf])
        else:
            lo = -mpmath.inf if low == -sp.oo else mpmath.mpf(float(low))
            hi = mpmath.inf if high == sp.oo else mpmath.mpf(float(high))
            marks = sorted({float(v) for v in point.values()} | {-3.0, -1.0, 0.0, 1.0, 3.0})
            inside = [m for m in marks if lo < m < hi]
            value, error = mpmath.quad(fn, [lo, *inside, hi], error=True)
            if not abs(error) <= QUADRATURE_ERROR:
                return None
        number = complex(value)
    except (ArithmeticError, ValueError, TypeError, NameError, KeyError):
        return None
    return (number.real, number.imag) if cmath.isfinite(number) else None


def _numerics(term: Expectation, points: list[dict[sp.Basic, sp.Expr]]) -> list[Any]:
    return [_numeric(term, point) for point in points]


def _closed(value: sp.Expr, points: list[dict[sp.Basic, sp.Expr]]) -> list[Any]:
    """A closed form at each point, as (real, imaginary) floats (``None``: not a number)."""
    out: list[tuple[float, float] | None] = []
    for point in points:
        number = sp.N(value.xreplace(point), 20)
        if number.is_number and number.is_finite:
            z = complex(number)
            out.append((z.real, z.imag))
        else:
            out.append(None)
    return out


def _bounded(fn: Callable[..., list[Any]], *args: Any) -> list[Any] | None:
    from derive.sandbox import run_bounded

    try:
        return run_bounded(fn, *args, timeout=CHECK_SECONDS)
    except (DeriveError, RuntimeError):
        return None  # out of time or memory, or SymPy failed: no evidence


def _disagreement(
    term: Expectation, value: sp.Expr, points: list[dict[sp.Basic, sp.Expr]]
) -> str | None:
    """Why ``value``, the closed form of ``term``, is wrong at one of ``points``, or ``None``."""
    closed = _bounded(_closed, value, points)
    if closed is None:
        return None

    def where(point: dict[sp.Basic, sp.Expr]) -> str:
        values = ", ".join(f"{s} = {v}" for s, v in sorted(point.items(), key=str))
        return f" at {values}" if values else ""

    for point, z in zip(points, closed):
        if z is not None and abs(z[1]) > TOLERANCE * max(1.0, abs(z[0])):
            return f"is not real{where(point)}, but the expectation of a real function is"
    numerics = _bounded(_numerics, term, points)
    for point, z, numeric in zip(points, closed, numerics or []):
        if z is None or numeric is None:
            continue
        gap = abs(complex(*z) - complex(*numeric))
        if gap > TOLERANCE * max(1.0, abs(complex(*numeric))):
            return f"disagrees with numeric quadrature ({numeric[0]:.10g}){where(point)}"
    return None


def checked_moments(d: Information) -> Information:
    """``d`` with every moment checked numerically at a few exact points of the parameters.

    SymPy's definite integrals are not always right (∫ y·e^{y−e^y} dy over ℝ comes back
    as −γ − iπ; it is −γ): a moment whose closed form is not real, or disagrees with
    numeric quadrature (summation), ends the derivation there with the reason, like a
    moment SymPy cannot find. Each check runs in a bounded worker
    (:data:`CHECK_SECONDS`); a quadrature that is not sure of itself, or out of time,
    is no evidence either way.
    """
    if d.value is None:
        return d
    points = _points(d)
    for index, step in enumerate(d.steps):
        rule = step.rule
        if not isinstance(rule, Moment) or rule.term is None or rule.how == "series":
            continue
        why = _disagreement(rule.term, rule.value, points)
        if why is not None:
            reason = (
                f"SymPy's value {sp.sstr(rule.value)} of the expectation of "
                f"{sp.sstr(rule.term.integrand)} under {rule.law} {why}: not trusted"
            )
            return Information(
                d.kind, d.base, d.laws, d.quantity, d.start, d.steps[:index], None, reason
            )
    return d


def _family(law: str | DensitySpec, label: str) -> Family:
    if isinstance(law, DensitySpec):
        return law_family(law, label)
    if isinstance(law, str):
        return resolve(law)
    raise DeriveError(
        f"a law is named by a string or given as a DensitySpec, not {type(law).__name__}"
    )


def information_from_specs(
    kind: str,
    p: str | DensitySpec,
    q: str | DensitySpec | None,
    base: str = "e",
    classes: int | None = None,
) -> Information:
    """H(P), H(P, Q) or KL(P‖Q) of built-in laws (by name) or user densities (specs).

    An entropy takes ``q=None``. The user densities are parsed and checked first
    (:func:`law_family`), and every moment of the derivation is checked numerically
    (:func:`checked_moments`); run this in a bounded worker when they are untrusted.
    """
    if kind not in KINDS:
        raise DeriveError(
            f"unknown quantity {shorten(str(kind))!r}; choose one of: {', '.join(KINDS)}"
        )
    key = base_key(base)
    if kind == "entropy":
        if q is not None:
            raise DeriveError("an entropy takes one law (P), not two")
        return checked_moments(information(kind, _family(p, "P"), base=key, classes=classes))
    if q is None:
        raise DeriveError(f"a {kind} takes two laws, P and Q")
    laws = (_family(p, "P"), _family(q, "Q"))
    return checked_moments(information(kind, *laws, base=key, classes=classes))


def information_output(
    kind: str,
    p: str | DensitySpec,
    q: str | DensitySpec | None,
    base: str,
    classes: int | None,
    fmt: str,
    standalone: bool,
) -> str:
    """Parse, check, derive and render (run in the worker): the command line's entry point
    for ``derive entropy|cross-entropy|kl`` with a user density as P or Q."""
    derivation = information_from_specs(kind, p, q, base, classes)
    from derive.render.information import render_information  # written beside this module

    return render_information(derivation, fmt, standalone)  # type: ignore[no-any-return]
