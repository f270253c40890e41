"""The pytest plugin of ``derive``: a fixture ``derive_check`` for your test suite.

Installed with the package (a ``pytest11`` entry point named ``derive``), so every
project that installs ``derive`` gets the fixture without configuration; disable it
with ``-p no:derive``. Loading the plugin imports neither SymPy nor torch: they are
imported by an assertion when it runs::

    def test_my_bce(derive_check):
        derive_check.same_loss(my_bce_with_logits, "bernoulli", link="logit")

    def test_scaled_objective(derive_check):
        derive_check.equivalent(r"(y-\\mu)^2", r"\\frac{(y-\\mu)^2}{2\\sigma^2}", wrt="mu")

A failure is an :class:`AssertionError` whose message is the whole report (the
model, the first mismatching sample, expected and actual values, a hint); the
frames of ``derive`` are hidden from pytest's traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from derive import testing

__all__ = ["DeriveCheck", "derive_check"]


class DeriveCheck:
    """The ``derive_check`` fixture: :mod:`derive.testing`'s assertions as methods."""

    def same_loss(
        self,
        fn: Callable[..., Any],
        name: str,
        link: str | None = None,
        reduction: str = "none",
        **kwargs: Any,
    ) -> testing.LossCheck:
        """:func:`derive.testing.assert_same_loss`: ``fn`` computes the loss of ``name``."""
        __tracebackhide__ = True
        return testing.assert_same_loss(fn, name, link, reduction, **kwargs)

    def equivalent(
        self,
        a: Any,
        b: Any,
        *,
        wrt: Sequence[str] | str,
        positive: Sequence[str] = (),
        real: Sequence[str] = (),
        binary: Sequence[str] = (),
    ) -> Any:
        """:func:`derive.testing.assert_equivalent`: ``a`` and ``b`` are the same objective in
        ``wrt`` up to a positive factor and an additive constant (proved symbolically)."""
        __tracebackhide__ = True
        return testing.assert_equivalent(a, b, wrt=wrt, positive=positive, real=real, binary=binary)


@pytest.fixture
def derive_check() -> DeriveCheck:
    """Assert that a loss function or an objective is what ``derive`` derives."""
    return DeriveCheck()
