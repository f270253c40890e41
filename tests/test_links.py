from __future__ import annotations

import sympy as sp

from derive.functions import sigmoid
from derive.links import LINKS


def test_inverse_links() -> None:
    z = sp.Symbol("z", real=True)
    assert LINKS["identity"].inverse(z) == z
    assert LINKS["logit"].inverse(z) == sigmoid(z)
    total = sp.exp(z) + 1
    assert sp.simplify(LINKS["softmax"].inverse(z, total) - sp.exp(z) / total) == 0
