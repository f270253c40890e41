from __future__ import annotations

import sympy as sp

from derive.algebra import proved_zero
from derive.functions import sigmoid
from derive.links import LINKS


def test_inverse_links() -> None:
    z = sp.Symbol("z", real=True)
    assert LINKS["identity"].inverse(z) == z
    assert LINKS["logit"].inverse(z) == sigmoid(z)
    total = sp.exp(z) + 1
    assert sp.simplify(LINKS["softmax"].inverse(z, total) - sp.exp(z) / total) == 0


def test_log_link_and_domains() -> None:
    from derive.family import Domain

    z = sp.Symbol("z", real=True)
    assert LINKS["log"].inverse(z) == sp.exp(z)
    assert LINKS["log"].fits(Domain.POSITIVE) and LINKS["log"].fits(Domain.REAL)
    assert not LINKS["log"].fits(Domain.UNIT)
    assert LINKS["logit"].fits(Domain.UNIT) and LINKS["identity"].fits(Domain.BINARY)


def test_links_know_their_function() -> None:
    theta = sp.Symbol("theta", positive=True)
    z = sp.Symbol("z", real=True)
    assert LINKS["identity"].function is not None and LINKS["identity"].function(theta) == theta
    assert LINKS["log"].function is not None and LINKS["log"].function(theta) == sp.log(theta)
    logit = LINKS["logit"].function
    assert logit is not None and logit(theta) == sp.log(theta / (1 - theta))
    for name in ("identity", "log", "logit"):
        function = LINKS[name].function
        assert function is not None
        assert proved_zero(function(LINKS[name].inverse(z)) - z)
    assert LINKS["softmax"].function is None


def test_what_a_link_covers() -> None:
    from derive.family import Domain

    assert LINKS["log"].covers(Domain.POSITIVE) and LINKS["log"].covers(Domain.UNIT)
    assert not LINKS["logit"].covers(Domain.POSITIVE) and LINKS["logit"].covers(Domain.UNIT)
    assert LINKS["identity"].covers(Domain.REAL) and not LINKS["log"].covers(Domain.REAL)
