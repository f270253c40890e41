"""The identities ``derive identity NAME`` proves, by name (see :class:`Identity`).

Each entry of :data:`IDENTITIES` builds its :class:`Identity` when asked (SymPy
work happens then, not at import).
"""

from __future__ import annotations

from collections.abc import Callable

from derive.errors import DeriveError
from derive.family import closest, shorten
from derive.information.identity import Identity

__all__ = ["IDENTITIES", "identity"]

# name → (one-line summary for ``derive list``, builder)
IDENTITIES: dict[str, tuple[str, Callable[[], Identity]]] = {}


def identity(name: str) -> Identity:
    """The identity called ``name`` (case-insensitive), proved."""
    key = name.strip().lower() if isinstance(name, str) else ""
    if key not in IDENTITIES:
        known = list(IDENTITIES)
        raise DeriveError(
            f"unknown identity {shorten(str(name))!r}{closest(key, known)}; "
            f"choose one of: {', '.join(known)}"
        )
    return IDENTITIES[key][1]()
