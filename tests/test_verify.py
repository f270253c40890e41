"""Every step of every built-in derivation obeys before = factor·after + dropped (or its
argmin transform), proved symbolically and checked at random exact points; and the
checker rejects steps that are false."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import sympy as sp

from derive import derive
from derive.compile import K
from derive.steps import Relation
from derive.verify import check_derivation, check_step
from tests.conftest import CASES, case_id


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_every_step_is_proved(case: tuple[str, dict[str, Any]]) -> None:
    name, options = case
    d = derive(name, **options)
    assert d.steps, "a derivation has steps"
    assert d.steps[0].relation is Relation.ARGMIN_EQUIVALENT
    for check in check_derivation(d):
        assert check.symbolic, f"{check.step.rule.name}: not proved symbolically"
        assert check.numeric_error < 1e-20, f"{check.step.rule.name}: {check.numeric_error}"
        assert check.factor_ok and check.dropped_ok, check.step.rule.name
    for before, after in zip(d.steps, d.steps[1:], strict=False):
        assert before.after == after.before, "the chain is linear"


def test_checker_rejects_a_wrong_constant() -> None:
    d = derive("gaussian")
    drop = next(s for s in d.steps if s.relation is Relation.UP_TO_CONSTANT)
    wrong = replace(drop, dropped=drop.dropped * 2)
    check = check_step(wrong, d.model)
    assert not check.symbolic
    assert check.numeric_error > 1e-6


def test_checker_rejects_a_wrong_factor_and_a_non_constant_drop() -> None:
    d = derive("gaussian")
    scale = next(s for s in d.steps if s.relation is Relation.PROPORTIONAL)
    assert not check_step(replace(scale, factor=-scale.factor), d.model).ok
    drop = next(s for s in d.steps if s.relation is Relation.UP_TO_CONSTANT)
    f = d.variables.prediction[0][d.sample_index]
    moved = replace(drop, after=drop.after - f, dropped=drop.dropped + f)
    check = check_step(moved, d.model)
    assert check.symbolic and not check.dropped_ok and not check.ok


def test_checker_rejects_a_false_log_rule() -> None:
    d = derive("bernoulli", link="logit")
    step = next(s for s in d.steps if s.rule.name == "SoftplusReflection")
    z = sp.Symbol("zz", real=True)
    bogus = replace(step, after=step.after + 0 * z + sp.Rational(1, 1000))
    assert not check_step(bogus, d.model).ok


def test_a_bounded_count_is_sampled_as_a_whole_number_below_its_bound() -> None:
    import random

    from derive.verify import sample_point

    d = derive("binomial", link="identity")
    rng = random.Random(3)
    y, trials = d.model.variables.target[0], d.model.fixed[0][0]
    seen = set()
    for _ in range(40):
        values = sample_point(d.nll, d.model, rng)
        bound = values[trials]
        assert bound.is_Integer and 1 <= bound <= 6
        for s in range(1, 4):
            count = values[y[s]]
            assert count.is_Integer and 0 <= count <= bound
            seen.add(int(count == bound))
    assert seen == {0, 1}  # the bound itself is drawn too
    assert all(c.ok for c in check_derivation(derive("binomial", trials="1000000")))


def test_rational_powers_are_checked_in_floats_quickly() -> None:
    """A Student-t exponent −(ν + 1)/2 at a drawn ν = p/997 made SymPy factor huge
    integers for minutes; the numeric check now evaluates in 40-digit floats."""
    import time

    start = time.perf_counter()
    d = derive("student-t")
    assert all(check.ok for check in check_derivation(d))
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize(
    "options",
    [
        {"link": "softmax", "classes": 8},
        {"link": "softmax", "label_smoothing": "0.1"},
        {"targets": "soft", "classes": 3},
        {"label_smoothing": "0.2", "classes": 6},
    ],
)
def test_direct_evaluation_agrees_with_sympy(options: dict[str, Any]) -> None:
    """The checker's mpmath evaluation (sums iterated in place) gives SymPy's number for
    every expression of a derivation, not only for residuals that vanish."""
    import random

    from derive.functions import to_core
    from derive.verify import _direct, sample_point

    d = derive("categorical", **options)
    model = d.model
    symbolic = not model.classes.is_Integer  # type: ignore[union-attr]
    fixed = {d.n: 3, **({K: 3} if symbolic else {})}
    rng = random.Random(4)
    for step in d.steps[1:]:
        values = sample_point(step.after, model, rng)
        ours = _direct(to_core(step.after), values, fixed)
        written = step.after.xreplace(fixed).doit()
        labels = {k: v for k, v in values.items() if k.base.name == "y"}  # type: ignore[attr-defined]
        written = written.xreplace(labels).doit().xreplace(values)
        theirs = sp.N(to_core(written), 40)
        assert abs(ours - theirs) < 1e-30 * max(1, abs(theirs)), step.rule.name


def test_checker_rejects_a_wrong_step_with_many_classes() -> None:
    d = derive("categorical", link="softmax", classes=16)
    step = next(s for s in d.steps if s.rule.name == "OneHotSelection")
    z = d.variables.prediction[0]
    i = d.sample_index
    bogus = replace(step, after=step.after + sp.Sum(z[i, 1] / 1000, (i, 1, d.n)))
    check = check_step(bogus, d.model)
    assert not check.symbolic and check.numeric_error > 1e-6
