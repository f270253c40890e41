"""Typed verdicts: the old fields read the typed witness; unknown always has a reason."""

from __future__ import annotations

import sympy as sp

from derive.convexity.verdict import (
    CONVEX,
    UNKNOWN,
    Given,
    HessianWitness,
    MidpointWitness,
    NoProof,
    Verdict,
)

x = sp.Symbol("x", real=True)


def test_an_expression_certificate_becomes_a_given_certificate() -> None:
    v = Verdict(CONVEX, (x,), "words", certificate=x**2)
    assert isinstance(v.certificate, Given) and v.form == x**2


def test_the_compatible_fields_read_the_witness() -> None:
    h = Verdict("not convex", (x,), "r", counterexample=((x, sp.Integer(1)),), value=sp.Integer(-2))
    assert isinstance(h.witness, HessianWitness) and h.value == -2
    m = Verdict(
        "not convex",
        (x,),
        "r",
        witness=MidpointWitness(((x, sp.Integer(0)),), ((x, sp.Integer(2)),), sp.Integer(1)),
    )
    assert m.counterexample == ((x, 1),) and m.value == 1 and m.direction == ()


def test_unknown_has_a_typed_reason() -> None:
    assert isinstance(Verdict(UNKNOWN, (x,), "no").why, NoProof)
