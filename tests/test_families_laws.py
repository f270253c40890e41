"""The laws of the built-in families (``Family.law``): each density is normalised, each
moment a hook states is proved by SymPy integration or summation of φ·density, a hook
knows nothing beyond the standard moments (E|y − c| off the Laplace centre is the
engine's to compute), and the torch class each law names takes exactly the arguments
the law maps, with ``torch_entropy`` true exactly when torch implements the entropy."""

from __future__ import annotations

import inspect

import pytest
import sympy as sp
import torch

from derive.algebra import proved_zero
from derive.family import Domain, Role, resolve
from derive.information.instance import Instance, instance, k

LAWS = ["normal", "laplace", "bernoulli", "categorical", "poisson", "exponential", "gamma"]


def _law(name: str, classes: int | None = None) -> Instance:
    return instance(resolve(name), "P", None, classes)


def _expectation(inst: Instance, phi: sp.Expr) -> sp.Expr:
    """E[φ] by SymPy from the density alone: a sum over a discrete support, else an
    integral (the Laplace density split at its centre, where |y − μ| changes sign)."""
    y, f = inst.variable, phi * inst.density
    if inst.variable.is_integer:
        if inst.high.is_Integer:
            return sp.Add(*(f.xreplace({y: v}) for v in range(int(inst.low), int(inst.high) + 1)))
        return sp.summation(f, (y, inst.low, inst.high))
    if f.has(sp.Abs):
        mu = inst.values["mu"]
        pieces = sp.S.Zero
        for low, high, inside in ((-sp.oo, mu, mu - 1), (mu, sp.oo, mu + 1)):
            # on each side of μ every |u| is ±u, the sign of u at a point inside
            piece = f.replace(sp.Abs, lambda u, t=inside: sp.sign(u.xreplace({y: t})) * u)
            pieces += sp.integrate(piece, (y, low, high))
        return pieces
    return sp.integrate(f, (y, inst.low, inst.high))


def _moments(name: str, inst: Instance) -> list[sp.Expr]:
    y = inst.variable
    if name == "categorical":
        return [sp.KroneckerDelta(y, j) for j in range(1, len(inst.entries) + 1)]
    phis = [y, y**2]
    if name == "laplace":
        phis.append(sp.Abs(y - inst.values["mu"]))
    if name == "bernoulli":
        phis = [y]
    return phis


@pytest.mark.parametrize("name", LAWS)
def test_density_is_normalised(name: str) -> None:
    inst = _law(name, 3 if name == "categorical" else None)
    total = _expectation(inst, sp.S.One)
    if inst.entries:
        total = total.xreplace({inst.entries[-1]: 1 - sp.Add(*inst.entries[:-1])})
    assert proved_zero(total - 1), total


@pytest.mark.parametrize("name", LAWS)
def test_every_hook_moment_is_proved_by_integration_or_summation(name: str) -> None:
    for classes in (2, 3, 5) if name == "categorical" else (None,):
        inst = _law(name, classes)
        for phi in _moments(name, inst):
            stated = inst.moment(phi)
            assert stated is not None, (name, phi)
            computed = _expectation(inst, phi)
            assert proved_zero(sp.expand_func(computed - stated)), (name, phi, computed, stated)


def test_categorical_hook_at_a_symbolic_class() -> None:
    inst = _law("categorical")
    p = inst.values["p"]
    assert isinstance(p, sp.IndexedBase)
    assert inst.moment(sp.KroneckerDelta(inst.variable, k)) == p[k]
    assert inst.moment(sp.KroneckerDelta(k, inst.variable)) == p[k]
    assert inst.moment(inst.variable) is None


def test_gamma_log_moment_is_the_derivative_of_the_log_normaliser() -> None:
    """E[log y] = ∂/∂α log Z(α, β) with Z = ∫ y^{α−1} e^{−βy} dy = Γ(α)/β^α."""
    inst = _law("gamma")
    y = inst.variable
    alpha, beta = inst.values["alpha"], inst.values["beta"]
    normaliser = sp.integrate(y ** (alpha - 1) * sp.exp(-beta * y), (y, 0, sp.oo))
    assert proved_zero(normaliser - sp.gamma(alpha) / beta**alpha), normaliser
    # the density is y^{α−1} e^{−βy} / Z, so differentiating Z under the integral sign
    assert proved_zero(inst.density - y ** (alpha - 1) * sp.exp(-beta * y) / normaliser)
    derivative = sp.diff(sp.log(normaliser), alpha)
    stated = inst.moment(sp.log(y))
    assert stated is not None
    assert sp.expand(sp.expand_func(derivative - stated)) == 0


def test_hooks_know_only_the_standard_moments() -> None:
    laplace = _law("laplace")
    y, c = laplace.variable, sp.Symbol("c", real=True)
    assert laplace.moment(sp.Abs(y - c)) is None  # the engine splits this integral
    assert laplace.moment(sp.Abs(y - laplace.values["mu"])) == laplace.values["b"]
    assert _law("poisson").moment(sp.log(sp.factorial(_law("poisson").variable))) is None
    assert _law("exponential").moment(sp.log(_law("exponential").variable)) is None
    assert _law("bernoulli").moment(_law("bernoulli").variable ** 2) is None


@pytest.mark.parametrize("name", LAWS)
def test_torch_class_takes_the_mapped_arguments(name: str) -> None:
    inst = _law(name, 3 if name == "categorical" else None)
    law = inst.law
    cls = getattr(torch.distributions, law.torch)
    accepted = inspect.signature(cls.__init__).parameters
    assert all(arg in accepted for arg, _ in law.torch_args)
    assert sorted(p for _, p in law.torch_args) == sorted(v.name for v in law.parameters)
    spec = inst.torch()
    assert spec["class"] == f"torch.distributions.{law.torch}"
    args = spec["args"]
    assert isinstance(args, dict)
    for arg, parameter in law.torch_args:
        expected: object = str(inst.values[parameter])
        if isinstance(inst.values[parameter], sp.IndexedBase):
            expected = [str(e) for e in inst.entries]
        assert args[arg] == expected
    # a distribution at the domain's reference point; torch implements .entropy() iff flagged
    values = {
        Domain.REAL: 0.5,
        Domain.POSITIVE: 1.5,
        Domain.UNIT: 0.25,
    }
    kwargs = {}
    for arg, parameter in law.torch_args:
        var = next(v for v in law.parameters if v.name == parameter)
        value = [0.2, 0.3, 0.5] if var.domain is Domain.SIMPLEX else values[var.domain]
        kwargs[arg] = torch.tensor(value, dtype=torch.float64)
    distribution = cls(**kwargs)
    if law.torch_entropy:
        assert torch.isfinite(distribution.entropy())
    else:
        with pytest.raises(NotImplementedError):
            distribution.entropy()


def test_each_law_lives_where_its_family_target_does() -> None:
    for name in LAWS:
        family = resolve(name)
        assert family.law is not None
        (target,) = [v for v in family.variables if v.role is Role.TARGET]
        assert family.law.support is target.domain
