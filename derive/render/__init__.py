"""Renderers: pure functions of a ``Derivation``; the engine never imports them."""

from __future__ import annotations

__all__ = ["json", "latex", "markdown", "prose", "text", "unicode"]
