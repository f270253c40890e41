"""Names, aliases, links and options of the built-in models: plain data, no SymPy.

The CLI's ``--help`` and ``derive list`` read this module only, so they answer
without importing SymPy. :mod:`derive.distributions` builds the models.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from derive.errors import DeriveError

__all__ = ["ENTRIES", "GALLERY", "Entry", "Exhibit", "closest", "resolve", "resolve_link"]


@dataclass(frozen=True)
class Entry:
    """One built-in model: its name, aliases, links and the loss each link gives."""

    name: str
    aliases: tuple[str, ...]
    summary: str
    links: tuple[tuple[str, str], ...]  # (link, loss it gives), default first

    @property
    def default_link(self) -> str:
        return self.links[0][0]


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "gaussian", ("normal",), "y = f + ε, ε ~ N(0, σ²), σ > 0 fixed", (("identity", "MSELoss"),)
    ),
    Entry("laplace", (), "y = f + ε, ε ~ Laplace(0, b), b > 0 fixed", (("identity", "L1Loss"),)),
    Entry(
        "bernoulli",
        (),
        "y ∈ {0, 1}, y ~ Bernoulli(p)",
        (("identity", "BCELoss"), ("logit", "BCEWithLogitsLoss")),
    ),
    Entry(
        "categorical",
        (),
        "y ∈ {1, …, K}, y ~ Categorical(q)",
        (
            ("identity", "NLLLoss (on log q); KLDivLoss with --targets soft"),
            ("softmax", "CrossEntropyLoss"),
        ),
    ),
)


@dataclass(frozen=True)
class Exhibit:
    """One derivation of the gallery: the file stem and the options that produce it."""

    stem: str
    name: str
    link: str | None = None
    targets: str = "onehot"
    label_smoothing: str | None = None
    compare: str | None = None


# Every built-in model and link, then the option variants worth reading.
GALLERY: tuple[Exhibit, ...] = (
    Exhibit("gaussian", "gaussian"),
    Exhibit("laplace", "laplace"),
    Exhibit("bernoulli", "bernoulli"),
    Exhibit("bernoulli-logit", "bernoulli", "logit", compare="mse"),
    Exhibit("categorical", "categorical"),
    Exhibit("categorical-softmax", "categorical", "softmax", compare="mse"),
    Exhibit("categorical-soft", "categorical", targets="soft"),
    Exhibit("categorical-softmax-soft", "categorical", "softmax", targets="soft"),
    Exhibit("categorical-softmax-smoothing", "categorical", "softmax", label_smoothing="0.1"),
)

_LINK_ALIASES = {"sigmoid": "logit", "none": "identity", "id": "identity"}


def closest(word: str, choices: list[str]) -> str:
    """' (did you mean X?)' for the nearest choice, or '' when none is near."""
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def resolve(name: str) -> Entry:
    """The entry called ``name`` or one of its aliases (case-insensitive)."""
    key = name.strip().lower()
    for entry in ENTRIES:
        if key == entry.name or key in entry.aliases:
            return entry
    names = [e.name for e in ENTRIES] + [a for e in ENTRIES for a in e.aliases]
    valid = ", ".join(e.name for e in ENTRIES)
    shown = name if len(name) <= 40 else name[:40] + "…"
    raise DeriveError(
        f"unknown distribution {shown!r}{closest(key, names)}; choose one of: {valid}"
    )


def resolve_link(entry: Entry, link: str | None) -> str:
    """The link ``link`` for ``entry`` (its default when ``None``)."""
    if link is None:
        return entry.default_link
    key = _LINK_ALIASES.get(link.strip().lower(), link.strip().lower())
    valid = [name for name, _ in entry.links]
    if key not in valid:
        shown = link if len(link) <= 40 else link[:40] + "…"
        raise DeriveError(
            f"unknown link {shown!r} for {entry.name}{closest(key, valid)}; "
            f"choose one of: {', '.join(valid)}"
        )
    return key
