"""Hand-made laws and identities for the renderer tests.

The built-in families gain their laws, and the identity registry its entries, in
other modules; these small records exercise every path of the renderers
meanwhile: a moment from the law, a sum, a series, an integral, an integral split
at two kinks, a probability vector (symbolic and concrete K) with library
remarks, an inequality chain, and a refuted claim with an exact witness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from derive.family import Domain, Family, Law, LinkSpec, Role, Var
from derive.information.engine import Quantity
from derive.information.identity import Identity, Witness
from derive.rules import Rewrite, Rule, RuleContext
from derive.steps import Relation, Step

__all__ = [
    "CATEGORICAL",
    "EXPONENTIAL",
    "LAPLACE",
    "LAWS",
    "POISSON",
    "SWITCH",
    "asymmetry",
    "decomposition",
    "gibbs",
    "registry",
]


def _laplace(v: Mapping[str, sp.Expr]) -> sp.Expr:
    return sp.exp(-sp.Abs(v["y"] - v["loc"]) / v["b"]) / (2 * v["b"])


def _switch(v: Mapping[str, sp.Expr]) -> sp.Expr:
    y, p = v["y"], v["p"]
    return p**y * (1 - p) ** (1 - y)


def _categorical(v: Mapping[str, sp.Expr]) -> sp.Expr:
    y, k, p = v["y"], v["k"], v["probs"]
    return sp.Product(p[k] ** sp.KroneckerDelta(y, k), (k, 1, v["K"]))


def _categorical_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """E[[y = c]] = p_c."""
    y = v["y"]
    if isinstance(phi, sp.KroneckerDelta) and y in phi.args:
        (c,) = [a for a in phi.args if a != y]
        return v["probs"][c]  # type: ignore[index, no-any-return]
    return None


def _poisson(v: Mapping[str, sp.Expr]) -> sp.Expr:
    y, rate = v["y"], v["rate"]
    return rate**y * sp.exp(-rate) / sp.factorial(y)


def _exponential(v: Mapping[str, sp.Expr]) -> sp.Expr:
    return v["rate"] * sp.exp(-v["rate"] * v["y"])


def _family(name: str, support: Domain, law: Law) -> Family:
    return Family(
        name=name,
        aliases=(),
        summary=f"{law.name}, a test law",
        variables=(Var("y", Role.TARGET, support),),
        links=(LinkSpec("identity"),),
        law=law,
    )


LAPLACE = _family(
    "fixture-laplace",
    Domain.REAL,
    Law(
        name="Laplace",
        parameters=(Var("loc", Role.FIXED, Domain.REAL), Var("b", Role.FIXED, Domain.POSITIVE)),
        support=Domain.REAL,
        density=_laplace,
        torch="Laplace",
        torch_args=(("loc", "loc"), ("scale", "b")),
    ),
)
SWITCH = _family(
    "fixture-switch",
    Domain.BINARY,
    Law(
        name="Bernoulli",
        parameters=(Var("p", Role.FIXED, Domain.UNIT),),
        support=Domain.BINARY,
        density=_switch,
        torch="Bernoulli",
        torch_args=(("probs", "p"),),
    ),
)
CATEGORICAL = _family(
    "fixture-categorical",
    Domain.LABELS,
    Law(
        name="Categorical",
        parameters=(Var("probs", Role.FIXED, Domain.SIMPLEX),),
        support=Domain.LABELS,
        density=_categorical,
        torch="Categorical",
        torch_args=(("probs", "probs"),),
        moments=_categorical_moments,
        remarks=(
            ("kl", "`torch.nn.KLDivLoss` takes log q as its input and p as its target"),
            ("entropy", "a remark of another kind of derivation"),
        ),
    ),
)
POISSON = _family(
    "fixture-poisson",
    Domain.COUNT,
    Law(
        name="Poisson",
        parameters=(Var("rate", Role.FIXED, Domain.POSITIVE),),
        support=Domain.COUNT,
        density=_poisson,
        torch="Poisson",
        torch_args=(("rate", "rate"),),
    ),
)
EXPONENTIAL = _family(
    "fixture-exponential",
    Domain.POSITIVE,
    Law(
        name="Exponential",
        parameters=(Var("rate", Role.FIXED, Domain.POSITIVE),),
        support=Domain.POSITIVE,
        density=_exponential,
        torch="Exponential",
        torch_args=(("rate", "rate"),),
        torch_entropy=False,  # as if torch had no .entropy() for it
    ),
)
LAWS = (LAPLACE, SWITCH, CATEGORICAL, POISSON, EXPONENTIAL)

# ------------------------------------------------------------------ identities

P, Q = sp.Symbol("P"), sp.Symbol("Q")
KL_PQ = Quantity(sp.Symbol("kl"), P, Q)
KL_QP = Quantity(sp.Symbol("kl"), Q, P)
H_P = Quantity(sp.Symbol("entropy"), P)
H_PQ = Quantity(sp.Symbol("cross-entropy"), P, Q)


@dataclass(frozen=True)
class Definitions(Rule):
    """H(P, Q) = H(P) + KL(P‖Q), both sides written as expectations under P."""

    title: ClassVar[str] = "the definitions"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        return None


@dataclass(frozen=True)
class LogBound(Rule):
    """log x ≤ x − 1 for x > 0, with equality only at x = 1."""

    relation: ClassVar[Relation] = Relation.AT_MOST
    title: ClassVar[str] = "log x ≤ x − 1"

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        return None

    def certify(self, before: sp.Expr, after: sp.Expr) -> bool:
        return False  # a fixture proves nothing


def decomposition() -> Identity:
    after = sp.Add(H_P, KL_PQ, evaluate=False)
    return Identity(
        name="decomposition",
        title="Cross-entropy is entropy plus KL divergence",
        claim="H(P, Q) = H(P) + KL(P‖Q) for laws P and Q on one sample space",
        statement=sp.Eq(H_PQ, after, evaluate=False),
        start=H_PQ,
        steps=(Step(Definitions(), H_PQ, after, Relation.EQUAL),),
        symbols=((P, "a law"), (Q, "a law with q > 0 wherever p > 0")),
        notes=("`torch.nn.CrossEntropyLoss` with probability targets computes H(P, Q)",),
    )


def gibbs() -> Identity:
    return Identity(
        name="gibbs",
        title="Gibbs' inequality",
        claim="KL(P‖Q) ≥ 0, with equality exactly when P = Q",
        statement=sp.LessThan(0, KL_PQ, evaluate=False),
        start=-KL_PQ,
        steps=(Step(LogBound(), -KL_PQ, sp.S.Zero, Relation.AT_MOST),),
    )


def _kl(p: tuple[sp.Rational, ...], q: tuple[sp.Rational, ...]) -> sp.Expr:
    return sp.Add(*(a * sp.log(a / b) for a, b in zip(p, q, strict=True)))


def asymmetry() -> Identity:
    p = (sp.Rational(1, 2), sp.Rational(1, 2))
    q = (sp.Rational(1, 4), sp.Rational(3, 4))
    witness = Witness(
        family="categorical",
        laws=(("P", p), ("Q", q)),
        values=(("KL(P||Q)", _kl(p, q)), ("KL(Q||P)", _kl(q, p))),
        comparison=sp.Ne(KL_PQ, KL_QP, evaluate=False),
    )
    return Identity(
        name="asymmetry",
        title="KL divergence is not symmetric",
        claim="KL(P‖Q) ≠ KL(Q‖P) in general",
        statement=sp.Ne(KL_PQ, KL_QP, evaluate=False),
        start=KL_PQ,
        steps=(),
        witness=witness,
    )


def registry() -> dict[str, tuple[str, object]]:
    """Entries in the shape of :data:`derive.information.identities.IDENTITIES`."""
    return {
        "decomposition": ("H(P, Q) = H(P) + KL(P‖Q)", decomposition),
        "gibbs": ("KL(P‖Q) ≥ 0", gibbs),
        "asymmetry": ("KL(P‖Q) ≠ KL(Q‖P), by an exact witness", asymmetry),
    }
