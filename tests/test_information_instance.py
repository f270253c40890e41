"""Laws with their own symbols: P's parameters ``name_1``, Q's ``name_2``, an entropy's plain
names; a probability vector as ``p``/``q`` indexed by k up to K, or entries written out for
a concrete K (the product in the density unrolled); the torch mapping; the refusals."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import DeriveError
from derive.family import Domain, resolve
from derive.information.instance import MAX_CLASSES, K, instance, k, number_of_classes, y_for


def test_scalar_parameters_are_numbered_by_law() -> None:
    p = instance(resolve("gamma"), "P", 1)
    q = instance(resolve("gamma"), "Q", 2)
    alone = instance(resolve("gamma"), "P", None)
    assert [str(s) for s in p.symbols] == ["alpha_1", "beta_1"]
    assert [str(s) for s in q.symbols] == ["alpha_2", "beta_2"]
    assert [str(s) for s in alone.symbols] == ["alpha", "beta"]
    assert all(s.is_positive for s in p.symbols)
    assert p.torch() == {
        "class": "torch.distributions.Gamma",
        "args": {"concentration": "alpha_1", "rate": "beta_1"},
    }
    assert (p.low, p.high) == (0, sp.oo) and p.variable == y_for(Domain.POSITIVE)


def test_a_probability_is_known_positive_below_one() -> None:
    inst = instance(resolve("bernoulli"), "Q", 2)
    (p,) = inst.symbols
    assert inst.positive == (1 - p,)
    assert (inst.low, inst.high) == (0, 1) and inst.variable.is_integer


def test_a_symbolic_vector_is_indexed_by_k_up_to_k() -> None:
    inst = instance(resolve("categorical"), "Q", 2)
    q = inst.values["p"]
    assert isinstance(q, sp.IndexedBase) and str(q) == "q"
    assert inst.classes == K and inst.entries == ()
    assert inst.density == sp.Product(
        sp.Pow(q[k], sp.KroneckerDelta(inst.variable, k), evaluate=False), (k, 1, K)
    )
    assert inst.torch()["args"] == {"probs": "q_1, …, q_K"}


@pytest.mark.parametrize("classes", [2, 3, 5, MAX_CLASSES])
def test_a_concrete_vector_is_written_out(classes: int) -> None:
    inst = instance(resolve("categorical"), "P", 1, classes)
    names = [f"p_{c}" for c in range(1, classes + 1)]
    assert [str(e) for e in inst.entries] == names
    assert not inst.density.has(sp.Product) and not inst.density.has(sp.Indexed)
    assert inst.torch() == {"class": "torch.distributions.Categorical", "args": {"probs": names}}
    y = inst.variable
    for c, entry in enumerate(inst.entries, 1):  # the density at y = c is p_c
        assert inst.density.xreplace({y: c}).doit() == entry
    # a moment of the law at a class is the named entry
    assert inst.moment(sp.KroneckerDelta(y, 2)) == inst.entries[1]


def test_the_number_of_classes_is_checked() -> None:
    assert number_of_classes(None) is None
    assert number_of_classes(" 7 ") == 7 and number_of_classes(64) == 64
    for bad in (1, 0, 65, -3, "x", "1e3", True, 2.5, "99999"):
        with pytest.raises(DeriveError, match="--classes"):
            number_of_classes(bad)
    with pytest.raises(DeriveError, match="applies to the categorical law"):
        instance(resolve("poisson"), "P", None, 3)


def test_a_family_without_a_law_is_refused_with_those_that_have_one() -> None:
    with pytest.raises(DeriveError, match="no law") as raised:
        instance(resolve("student-t"), "P", None)
    for name in ("gaussian", "laplace", "bernoulli", "categorical", "poisson", "exponential"):
        assert name in str(raised.value)
