"""Families as data: the records a model is described by, and the registry of names.

A :class:`Family` is a value: its variables (each with a role and a domain), the
density of one observation, the links its prediction admits with the library
loss each gives, its options, and optional hooks. The built-in families live
one per module in :mod:`derive.families`; ``derive custom`` and spec files build
the same record from the user's LaTeX (:mod:`derive.custom`). Everything else —
symbols with assumptions, support facts, reference points, sampling ranges,
plot axes — is derived from the declared domains by :mod:`derive.compile`.

This module is plain data and imports no SymPy, so ``derive --help`` and
``derive list`` stay fast (modelled on ``sympy/stats/crv_types.py``: data,
a density, and closed forms as hooks that default to ``None``).
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from derive.errors import DeriveError

if TYPE_CHECKING:
    import sympy as sp

__all__ = [
    "Domain",
    "Family",
    "Law",
    "LinkSpec",
    "Option",
    "Role",
    "Var",
    "all_options",
    "closest",
    "families",
    "resolve",
    "resolve_link",
    "shorten",
]


class Role(enum.Enum):
    """What a variable is to the model."""

    TARGET = "target"
    PREDICTION = "prediction"
    FIXED = "fixed"


class Domain(enum.Enum):
    """Where a variable lives; everything the engine needs to know of it follows from this.

    Each member carries: the SymPy assumptions of its symbol, a reference point
    (where constants are evaluated), the range the step checker samples from,
    and the range a plot draws.
    """

    REAL = "real"
    POSITIVE = "positive"
    UNIT = "unit"
    BINARY = "binary"
    COUNT = "count"
    NATURAL = "natural"
    LABELS = "labels"
    SIMPLEX = "simplex"
    ONEHOT = "onehot"

    @property
    def assumptions(self) -> dict[str, bool]:
        return dict(_ASSUMPTIONS[self])

    @property
    def reference(self) -> tuple[int, int]:
        """A point of the domain as a fraction (numerator, denominator); simplex: 1/K."""
        return _REFERENCE[self]

    @property
    def sample_range(self) -> tuple[float, float]:
        """The interval the step checker draws continuous values from."""
        return _SAMPLE_RANGE[self]

    @property
    def plot_range(self) -> tuple[str, float, float]:
        """What a plot's axis calls a value of this domain, and the range it draws."""
        return _PLOT_RANGE[self]

    @property
    def discrete(self) -> bool:
        return self in (
            Domain.BINARY,
            Domain.COUNT,
            Domain.NATURAL,
            Domain.LABELS,
            Domain.ONEHOT,
        )

    def note(self, name: str, upper: str | None = None) -> str | None:
        """The assumption the domain adds to a derivation, in words (``None``: none).

        ``upper`` is a bound from above, shown (a count of successes out of N trials).
        """
        if upper is not None:
            low = _REFERENCE[self][0]
            return f"{name} ∈ {{{low}, {low + 1}, …, {upper}}}"
        template = _NOTES.get(self)
        return None if template is None else template.format(name=name)

    def upper_facts(self) -> bool:
        """True when ``1 − x ≥ 0`` holds on the domain (and so is a fact for the analysis)."""
        return self in (Domain.UNIT, Domain.BINARY, Domain.ONEHOT)


_ASSUMPTIONS: dict[Domain, dict[str, bool]] = {
    Domain.REAL: {"real": True},
    Domain.POSITIVE: {"positive": True},
    Domain.UNIT: {"positive": True},
    Domain.BINARY: {"integer": True, "nonnegative": True},
    Domain.COUNT: {"integer": True, "nonnegative": True},
    Domain.NATURAL: {"integer": True, "positive": True},
    Domain.LABELS: {"integer": True, "positive": True},
    Domain.SIMPLEX: {"nonnegative": True},
    Domain.ONEHOT: {"integer": True, "nonnegative": True},
}
_REFERENCE: dict[Domain, tuple[int, int]] = {
    Domain.REAL: (0, 1),
    Domain.POSITIVE: (1, 1),
    Domain.UNIT: (1, 2),
    Domain.BINARY: (0, 1),
    Domain.COUNT: (0, 1),
    Domain.NATURAL: (1, 1),
    Domain.LABELS: (1, 1),
    Domain.SIMPLEX: (1, 0),  # 1/K, filled in by the compile step
    Domain.ONEHOT: (0, 1),
}
_SAMPLE_RANGE: dict[Domain, tuple[float, float]] = {
    Domain.REAL: (-3.0, 3.0),
    Domain.POSITIVE: (0.5, 2.0),
    Domain.UNIT: (0.05, 0.95),
    Domain.BINARY: (0, 1),
    Domain.COUNT: (0, 6),
    Domain.NATURAL: (1, 6),
    Domain.LABELS: (1, 1),
    Domain.SIMPLEX: (0.0, 1.0),
    Domain.ONEHOT: (0, 1),
}
_PLOT_RANGE: dict[Domain, tuple[str, float, float]] = {
    Domain.REAL: ("prediction", -3.0, 3.0),
    Domain.POSITIVE: ("prediction", 0.05, 4.0),
    Domain.UNIT: ("probability", 0.005, 0.995),
    Domain.SIMPLEX: ("probability", 0.005, 0.995),
    Domain.BINARY: ("label", 0.0, 1.0),
    Domain.COUNT: ("count", 0.0, 6.0),
    Domain.NATURAL: ("count", 1.0, 6.0),
    Domain.LABELS: ("class", 1.0, 3.0),
    Domain.ONEHOT: ("indicator", 0.0, 1.0),
}
_NOTES: dict[Domain, str] = {
    Domain.POSITIVE: "{name} > 0",
    Domain.BINARY: "{name} ∈ {{0, 1}}",
    Domain.COUNT: "{name} ∈ {{0, 1, 2, …}}",
    Domain.NATURAL: "{name} ∈ {{1, 2, 3, …}}",
    Domain.UNIT: "0 < {name} < 1",
}


@dataclass(frozen=True)
class Var:
    """One variable of a family: its name (SymPy's), role and domain.

    ``upper`` names a fixed variable that bounds a discrete variable from above
    (successes out of N trials: y ∈ {0, …, N}); the compile step turns it into a
    support fact and the step checker samples below it.
    """

    name: str
    role: Role
    domain: Domain
    upper: str | None = None


@dataclass(frozen=True)
class LinkSpec:
    """A link the family's prediction admits, and the catalogue losses it may give.

    ``losses`` are tried in order by the loss matcher (a match is proved, never
    assumed); ``shows`` is what ``derive list`` prints; ``compare_mse`` allows
    ``--loss mse`` (MSE on the predicted probability beside the derived loss);
    ``remarks`` are sentences the conclusion states about the library side of
    this link (that torch.nn has no such loss, say).
    """

    name: str
    losses: tuple[str, ...] = ()
    shows: str = ""
    compare_mse: bool = False
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    """A family option: its name, command-line flag, help, and choices or value parser.

    ``default`` is the value when the option is not given (``None``: absent).
    ``binds`` names a fixed variable of the family the option sets to a number
    (checked against the variable's domain; unset, the variable stays symbolic).
    ``switch`` makes the option a flag without a value (``"true"`` when given).
    ``most`` is the largest number a bound option takes, where exact arithmetic with a
    larger one would not finish (the gamma family's α^α).
    """

    name: str
    flag: str
    help: str
    metavar: str = "VALUE"
    choices: tuple[str, ...] = ()
    default: str | None = None
    unset: str | None = None  # how a derivation shows the option when it was not given
    figure: str | None = None  # the value a figure uses when the option was not given
    binds: str | None = None
    switch: bool = False
    most: str | None = None


@dataclass(frozen=True)
class Hooks:
    """Optional knowledge of a family; each returns ``None`` (the generic path) by default."""

    compile: Callable[..., Any] | None = (
        None  # (family, link, options) → Model, for vector families and variants
    )


@dataclass(frozen=True)
class Law:
    """A family read as a probability law of its target, for entropies and divergences.

    ``parameters`` are the law's own parameters (Normal: ``mu``, ``sigma``), each
    with its domain; a ``SIMPLEX`` parameter is a probability vector over the
    ``LABELS`` support (one entry per class). ``density`` receives the target
    ``y`` and the parameters by name (a vector as its entry at class index
    ``k``, with ``K`` the number of classes) and returns the density (mass
    function) of one observation. ``moments`` is a hook: given a function φ of
    ``y`` and the same mapping, it returns E[φ(y)] in closed form, or ``None``
    when the law does not know it (the engine then integrates or sums).
    ``torch`` names the ``torch.distributions`` class and ``torch_args`` maps
    each constructor argument to the parameter it is (a law is parametrised
    as its torch class is, so that every argument is one parameter; ``""``
    when torch has no such class: a user's density).
    ``remarks`` are sentences the conclusion of a derivation states about the
    library, each keyed by the kind of derivation it belongs to (``kl``: what
    ``torch.nn.KLDivLoss`` computes of a categorical law, say); code between
    backticks.
    """

    name: str
    parameters: tuple[Var, ...]
    support: Domain
    density: Callable[[Mapping[str, sp.Expr]], sp.Expr]
    torch: str
    torch_args: tuple[tuple[str, str], ...]
    moments: Callable[[sp.Expr, Mapping[str, sp.Expr]], sp.Expr | None] | None = None
    torch_entropy: bool = True  # torch implements ``.entropy()`` for this class
    remarks: tuple[tuple[str, str], ...] = ()  # (kind, sentence)


@dataclass(frozen=True)
class Family:
    """A noise or label model as data.

    ``density`` receives the per-observation expressions of the variables by name
    (the target, the predicted parameter after its link, the fixed parameters)
    and returns the density of one observation. ``loss_target`` receives the same
    and returns what a library loss is given as its target when that is not the
    target itself (a proportion y/N of successes); ``None``: the target.
    ``normalised`` says the density integrates (sums) to one over the support for
    every value of the parameters — true of every built-in family; a user density
    is normalised only when the check proved it. Conclusions that rest on it (the
    log-partition function of an exponential family) are drawn only then.
    """

    name: str
    aliases: tuple[str, ...]
    summary: str
    variables: tuple[Var, ...]
    links: tuple[LinkSpec, ...]
    density: Callable[[Mapping[str, sp.Expr]], sp.Expr] | None = None
    options: tuple[Option, ...] = ()
    hooks: Hooks = field(default_factory=Hooks)
    notes: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # what was checked of a user density, in words
    source: tuple[tuple[str, str], ...] = ()  # how a user family was given (for reproduction)
    loss_target: Callable[[Mapping[str, sp.Expr]], sp.Expr] | None = None
    normalised: bool = True
    law: Law | None = None  # the family as a law of y, for ``derive entropy`` and ``kl``

    @property
    def default_link(self) -> str:
        return self.links[0].name

    def link(self, name: str) -> LinkSpec:
        for spec in self.links:
            if spec.name == name:
                return spec
        raise DeriveError(f"unknown link {name!r} for {self.name}")  # pragma: no cover

    def variable(self, role: Role) -> tuple[Var, ...]:
        return tuple(v for v in self.variables if v.role is role)


_LINK_ALIASES = {"sigmoid": "logit", "none": "identity", "id": "identity", "exp": "log"}


def families() -> tuple[Family, ...]:
    """The built-in families, in the order ``derive list`` shows them."""
    from derive.families import FAMILIES

    return FAMILIES


def all_options() -> tuple[Option, ...]:
    """Every option of every built-in family, once each (for the command line)."""
    seen: dict[str, Option] = {}
    for family in families():
        for option in family.options:
            seen.setdefault(option.name, option)
    return tuple(seen.values())


def shorten(text: str, limit: int = 40) -> str:
    """User text for an error message: at most ``limit`` characters, one line."""
    flat = text.encode("unicode_escape").decode("ascii")
    return flat if len(flat) <= limit else flat[:limit] + "…"


def closest(word: str, choices: list[str]) -> str:
    """' (did you mean X?)' for the nearest choice, or '' when none is near."""
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def resolve(name: object) -> Family:
    """The built-in family called ``name`` or one of its aliases (case-insensitive)."""
    if isinstance(name, Family):
        return name
    if not isinstance(name, str):
        raise DeriveError(
            f"a model is named by a string or given as a Family, not {type(name).__name__}"
        )
    key = name.strip().lower()
    known = families()
    for family in known:
        if key == family.name or key in family.aliases:
            return family
    names = [f.name for f in known] + [a for f in known for a in f.aliases]
    valid = ", ".join(f.name for f in known)
    raise DeriveError(
        f"unknown distribution {shorten(name)!r}{closest(key, names)}; "
        f"choose one of: {valid} (or 'custom' for your own density)"
    )


def resolve_link(family: Family, link: object) -> str:
    """The link ``link`` for ``family`` (its default when ``None``)."""
    if link is None:
        return family.default_link
    if not isinstance(link, str):
        raise DeriveError(f"a link is named by a string, not {type(link).__name__}")
    key = link.strip().lower()
    key = _LINK_ALIASES.get(key, key)
    valid = [spec.name for spec in family.links]
    if key not in valid:
        raise DeriveError(
            f"unknown link {shorten(link)!r} for {family.name}{closest(key, valid)}; "
            f"choose one of: {', '.join(valid)}"
        )
    return key
