"""The one exception type user-facing failures raise (no SymPy import here)."""

from __future__ import annotations

__all__ = ["DeriveError"]


class DeriveError(ValueError):
    """A problem with the user's request, reported as one line and exit status 2."""
