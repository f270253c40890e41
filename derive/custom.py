"""Your own density: a :class:`~derive.family.Family` built from LaTeX, checked first.

``custom_family(density, target=…, predict=…, fixed=…, support=…)`` parses the
LaTeX with :func:`derive.parse.parse_density` (the one place that reads user
text), gives every symbol the assumptions of its declared domain, and checks
the density before anything is derived from it:

- every symbol is declared (target, predicted or fixed), and the density
  depends on the target and on every predicted parameter (else a
  :class:`~derive.errors.DeriveError`);
- it is non-negative on the support: proved from its structure or by SymPy's
  assumptions, refuted by an exact point where it is negative (an error), or
  else checked at sample points and said so;
- it is normalised where SymPy decides the integral (or sum) over the support
  within a few seconds, cross-checked numerically: "normalised", "not
  normalised (factor …)" or "not checked".

The result goes through the same compile step, engine, analysis and renderers
as the built-in families. Work on user text should run in a bounded worker
(:func:`derive.sandbox.run_bounded`); the command line does so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from derive.algebra import is_positive_on_support, proved_zero
from derive.errors import DeriveError
from derive.family import Domain, Family, LinkSpec, Role, Var, shorten
from derive.links import LINKS

__all__ = [
    "LINK_NAMES",
    "SUPPORTS",
    "CustomRequest",
    "check_nonnegative",
    "check_normalised",
    "custom_family",
    "family_from_request",
]

SUPPORTS: dict[str, Domain] = {
    "real": Domain.REAL,
    "positive": Domain.POSITIVE,
    "unit": Domain.UNIT,
    "binary": Domain.BINARY,
    "count": Domain.COUNT,
}
# What a predicted parameter defaults to, by the support of the target.
_PARAMETER_DEFAULT: dict[Domain, Domain] = {
    Domain.REAL: Domain.REAL,
    Domain.POSITIVE: Domain.POSITIVE,
    Domain.UNIT: Domain.UNIT,
    Domain.BINARY: Domain.UNIT,
    Domain.COUNT: Domain.POSITIVE,
}
LINK_NAMES = ("identity", "logit", "log")
MAX_NAMES = 12
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,23}$")
CHECK_SECONDS = 4.0
POINTS = 120


@dataclass(frozen=True)
class CustomRequest:
    """What the user asked for, as text (from the command line or a spec file)."""

    density: str
    target: str
    predict: tuple[str, ...]
    fixed: tuple[str, ...] = ()
    support: str = "real"
    domains: tuple[tuple[str, str], ...] = ()
    name: str = "custom"
    summary: str = ""
    link: str | None = None
    source: tuple[tuple[str, str], ...] = ()


def _names(text: Iterable[str], what: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text)
    if len(names) > MAX_NAMES:
        raise DeriveError(f"{what}: at most {MAX_NAMES} names")
    for name in names:
        if not NAME.match(name):
            raise DeriveError(
                f"{what}: {shorten(name)!r} is not a symbol name "
                "(a letter, then letters, digits or _; e.g. y, mu, sigma_0)"
            )
    return names


def split_names(text: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    """``"sigma, nu"`` or ``["sigma", "nu"]`` as validated names."""
    if text is None:
        return ()
    parts = text.split(",") if isinstance(text, str) else list(text)
    if isinstance(text, str) and not text.strip():
        return ()
    return _names(parts, what)


def _domain(text: str, what: str) -> Domain:
    domain = SUPPORTS.get(text.strip().lower())
    if domain is None:
        raise DeriveError(f"{what} must be one of {', '.join(SUPPORTS)}, got {shorten(text)!r}")
    return domain


def family_from_request(request: CustomRequest) -> Family:
    """The family a request describes, parsed and checked."""
    from derive.parse import parse_density

    target = _names([request.target], "--target")[0]
    predict = _names(request.predict, "--predict")
    fixed = _names(request.fixed, "--fixed")
    if not predict:
        raise DeriveError("--predict needs the name of the parameter the model predicts")
    declared = (target, *predict, *fixed)
    repeated = sorted({n for n in declared if declared.count(n) > 1})
    if repeated:
        raise DeriveError(f"{repeated[0]} is declared twice (target, --predict and --fixed differ)")
    support = _domain(request.support, "--support")
    domains: dict[str, Domain] = {target: support}
    domains[predict[0]] = _PARAMETER_DEFAULT[support]
    domains.update({p: Domain.REAL for p in predict[1:]})
    domains.update({f: Domain.POSITIVE for f in fixed})
    for name, text in request.domains:
        if name not in domains:
            raise DeriveError(f"--domain names {shorten(name)!r}, which is not declared")
        if name == target:
            raise DeriveError("the target's domain is --support, not --domain")
        domains[name] = _domain(text, f"--domain {name}")
    expr = parse_density(request.density)
    if expr.has(sp.Sum, sp.Product, sp.Indexed):
        raise DeriveError(
            "a sum or product inside the density of one observation is not supported: "
            "write the density of one scalar observation (derive takes the product over samples)"
        )
    used = sorted(s.name for s in expr.free_symbols if isinstance(s, sp.Symbol))
    unknown = [u for u in used if u not in declared]
    if unknown:
        raise DeriveError(
            f"the density uses {unknown[0]}, which is not the target, predicted or fixed "
            f"(add --fixed {unknown[0]} or --predict {unknown[0]})"
        )
    for name in fixed:
        if name not in used:
            raise DeriveError(f"{name} is declared --fixed, but the density does not use it")
    if target not in used:
        raise DeriveError(f"the density does not depend on the target {target}")
    for p in predict:
        if p not in used:
            raise DeriveError(f"the density does not depend on the predicted parameter {p}")
    variables = (
        Var(target, Role.TARGET, support),
        *(Var(p, Role.PREDICTION, domains[p]) for p in predict),
        *(Var(f, Role.FIXED, domains[f]) for f in fixed),
    )
    symbols = {v.name: sp.Symbol(v.name, **v.domain.assumptions) for v in variables}
    typed = expr.xreplace({sp.Symbol(n): s for n, s in symbols.items()})
    checks, normalised = _check(typed, symbols, variables)
    plain = {sp.Symbol(n, **v.domain.assumptions): n for n, v in ((v.name, v) for v in variables)}

    def density(values: Mapping[str, sp.Expr]) -> sp.Expr:
        return typed.xreplace({s: values[n] for s, n in plain.items()})  # type: ignore[no-any-return]

    from derive.losses import CUSTOM_LOSSES

    links = tuple(
        LinkSpec(name, CUSTOM_LOSSES, "proved match, if any")
        for name in LINK_NAMES
        if LINKS[name].fits(domains[predict[0]])
    )
    return Family(
        name=request.name,
        aliases=(),
        summary=request.summary or "your density, from LaTeX",
        variables=variables,
        links=links,
        density=density,
        checks=checks,
        source=request.source,
        normalised=normalised,
    )


def custom_family(
    density: str,
    *,
    target: str = "y",
    predict: str | Sequence[str] = "mu",
    fixed: str | Sequence[str] | None = None,
    support: str = "real",
    domains: Mapping[str, str] | None = None,
    name: str = "custom",
) -> Family:
    """A family from the LaTeX of a density of one observation (see the module doc).

    Parses in this process: call it on text you trust, or through
    :func:`derive.sandbox.run_bounded` for text you do not.
    """
    request = CustomRequest(
        density=density,
        target=target,
        predict=split_names(predict, "predict"),
        fixed=split_names(fixed, "fixed"),
        support=support,
        domains=tuple(sorted((domains or {}).items())),
        name=name,
    )
    return family_from_request(request)


# ------------------------------------------------------------------ checks


def _check(
    density: sp.Expr, symbols: Mapping[str, sp.Symbol], variables: tuple[Var, ...]
) -> tuple[tuple[str, ...], bool]:
    """What was checked, in words, and whether normalisation was proved."""
    nonnegative = check_nonnegative(density, symbols, variables)
    normalised, words = check_normalised(density, symbols, variables)
    return (nonnegative, words), normalised is True


def _grid(domain: Domain) -> list[sp.Rational]:
    values = {
        Domain.REAL: ["0", "1", "-1", "1/2", "-1/2", "2", "-2", "3", "-3", "1/3"],
        Domain.POSITIVE: ["1", "1/2", "2", "1/3", "3", "1/10", "5"],
        Domain.UNIT: ["1/2", "1/4", "3/4", "1/10", "9/10"],
        Domain.BINARY: ["0", "1"],
        Domain.COUNT: ["0", "1", "2", "3", "5"],
    }[domain]
    return [sp.Rational(v) for v in values]


def _points(symbols: Mapping[str, sp.Symbol], variables: tuple[Var, ...]) -> list[dict]:
    """Exact points of the domains: the whole grid when it is small, else a fixed
    pseudo-random sample of it (the same points on every run)."""
    import itertools
    import random

    grids = [(symbols[v.name], _grid(v.domain)) for v in variables]
    sizes = [len(grid) for _, grid in grids]
    total = math.prod(sizes)
    if total <= POINTS:
        chosen = list(itertools.product(*(range(size) for size in sizes)))
    else:
        rng = random.Random(0)
        chosen = [tuple(rng.randrange(size) for size in sizes) for _ in range(POINTS)]
    return [{s: grid[k] for (s, grid), k in zip(grids, index, strict=True)} for index in chosen]


def _domains_in_words(variables: tuple[Var, ...]) -> str:
    return ", ".join(f"{v.name} {v.domain.value}" for v in variables)


def check_nonnegative(
    density: sp.Expr, symbols: Mapping[str, sp.Symbol], variables: tuple[Var, ...]
) -> str:
    """How the density was found non-negative on the domains of ``variables`` (the target
    first), in words; raises :class:`DeriveError` at an exact point where it is negative
    or not real."""
    known = tuple(1 - symbols[v.name] for v in variables if v.domain is Domain.UNIT)
    if is_positive_on_support(density, known) or density.is_nonnegative:
        return "the density is non-negative on the support (proved from its form)"
    for point in _points(symbols, variables):
        value = density.xreplace(point)
        where = ", ".join(f"{s} = {v}" for s, v in sorted(point.items(), key=str))
        hint = (
            f"on the declared domains ({_domains_in_words(variables)}; "
            "change them with --support or --domain NAME=DOMAIN)"
        )
        if value.is_number and value.is_extended_real and value.is_negative:
            raise DeriveError(f"the density is negative at {where}: not a density {hint}")
        if value.is_number and value.is_real is False:
            raise DeriveError(f"the density is not real at {where}: not a density {hint}")
    return (
        f"the density is non-negative at {POINTS} exact points of the support "
        "(not proved for every point)"
    )


def check_normalised(
    density: sp.Expr, symbols: Mapping[str, sp.Symbol], variables: tuple[Var, ...]
) -> tuple[bool | None, str]:
    """Whether the density integrates (sums) to 1 over the support of ``variables[0]``,
    where SymPy decides it and a numeric quadrature agrees, both within
    :data:`CHECK_SECONDS` in a bounded worker: ``True`` (proved), ``False`` (it integrates
    to something else, shown at a point of the parameters) or ``None`` (not checked),
    and in words."""
    from derive.sandbox import run_bounded

    try:
        proved, words = run_bounded(
            _normalisation, density, symbols, variables, timeout=CHECK_SECONDS
        )
    except DeriveError:
        return None, f"normalisation not checked (not decided within {CHECK_SECONDS:g} s)"
    except RuntimeError:
        return None, "normalisation not checked (SymPy could not decide it)"
    return proved, str(words)


def _normalisation(
    density: sp.Expr, symbols: Mapping[str, sp.Symbol], variables: tuple[Var, ...]
) -> tuple[bool | None, str]:
    target = variables[0]
    how = "sums" if target.domain.discrete else "integrates"
    total = _integrate(density, symbols[target.name], target.domain)
    if total is None:
        verb = "sum" if target.domain.discrete else "integrate"
        return None, f"normalisation not checked (SymPy could not {verb} it)"
    agrees = _numerically_one(density, symbols, variables, total)
    if agrees is None:
        return None, "normalisation not checked (the numeric cross-check was inconclusive)"
    if not agrees:
        return None, "normalisation not checked (the numeric cross-check disagrees)"
    if total == 1 or proved_zero(total - 1):
        return True, f"the density is normalised: it {how} to 1 over the support"
    if not _differs_from_one(total, symbols, variables):
        return None, f"normalisation not checked (it {how} to {sp.sstr(total)})"
    return False, f"the density is not normalised: it {how} to {sp.sstr(total)} over the support"


def _differs_from_one(
    total: sp.Expr, symbols: Mapping[str, sp.Symbol], variables: tuple[Var, ...]
) -> bool:
    """Whether ``total`` (free of the target) is away from 1 at an exact point of the
    parameters' domains: the evidence that a density is not normalised."""
    y = symbols[variables[0].name]
    for point in _points(symbols, variables):
        value = total.xreplace({s: v for s, v in point.items() if s != y})
        if value.is_number and abs(complex(sp.N(value - 1, 20))) > 1e-9:
            return True
    return False


def _integrate(density: sp.Expr, y: sp.Symbol, domain: Domain) -> sp.Expr | None:
    bounds = {
        Domain.REAL: (-sp.oo, sp.oo),
        Domain.POSITIVE: (0, sp.oo),
        Domain.UNIT: (0, 1),
        Domain.BINARY: (0, 1),
        Domain.COUNT: (0, sp.oo),
    }[domain]
    if domain.discrete:
        total = sp.summation(density, (y, *bounds))
    else:
        x = sp.Symbol(y.name, real=True)  # integrate over a real variable
        total = sp.integrate(density.xreplace({y: x}), (x, *bounds), conds="none")
    if total.has(sp.Integral, sp.Sum, sp.Piecewise, sp.nan, sp.zoo):
        return None
    # simplify only tidies the integral's value, inside the 4 s worker; it is not the proof:
    # "normalised" also needs a numeric quadrature to agree (_numerically_one).
    total = sp.simplify(total)
    if total.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    return total  # type: ignore[no-any-return]


def _numerically_one(
    density: sp.Expr, symbols: Mapping[str, sp.Symbol], variables: tuple[Var, ...], total: sp.Expr
) -> bool | None:
    """Whether the symbolic total agrees with a numeric quadrature at up to four parameter
    points: ``True`` when it agrees wherever the quadrature is sure of itself (at least
    once), ``False`` on a disagreement, ``None`` when the quadrature was never sure."""
    import mpmath

    target = variables[0]
    y = symbols[target.name]
    agreed = 0
    seen: list[dict] = []
    for full in _points(symbols, variables):
        point = {s: v for s, v in full.items() if s != y}
        if point in seen:
            continue
        seen.append(point)
        if len(seen) > 4:
            break
        params = {s: v for s, v in point.items() if s != y}
        expected = total.xreplace(params)
        if not expected.is_number:
            return False
        f = sp.lambdify([y], density.xreplace(params), modules="mpmath")
        # break points at the parameters' values and the integers near them: kinks and peaks
        marks = sorted({float(v) for v in params.values()} | {-3.0, -1.0, 0.0, 1.0, 3.0})
        bounds = {
            Domain.REAL: [-mpmath.inf, *marks, mpmath.inf],
            Domain.POSITIVE: [0, *(m for m in marks if m > 0), mpmath.inf],
            Domain.UNIT: [0, *(m for m in marks if 0 < m < 1), 1],
        }
        try:
            if target.domain.discrete:
                top = 1 if target.domain is Domain.BINARY else mpmath.inf
                numeric, error = mpmath.nsum(f, [0, top]), mpmath.mpf(0)
            else:
                numeric, error = mpmath.quad(f, bounds[target.domain], error=True)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return False
        if abs(error) > 1e-8:
            continue  # the quadrature is unsure here (an endpoint singularity): no evidence
        if abs(complex(numeric) - complex(sp.N(expected, 20))) > 1e-6:
            return False
        agreed += 1
    return True if agreed else None
