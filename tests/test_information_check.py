"""Every step of every information derivation obeys its law, proved symbolically and
computed at random points; and the checker rejects steps that are false."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

import pytest
import sympy as sp

from derive.family import Domain, Family, Law, Role, Var, families, resolve
from derive.information import Expectation, Identity, information
from derive.information.check import (
    TOLERANCE,
    Certifying,
    StepCheck,
    check_identity,
    check_information,
    check_step,
)
from derive.information.engine import KINDS, Information
from derive.information.identities import IDENTITIES, identity
from derive.information.instance import instance
from derive.information.rules import ChangeOfBase, Linearity, Moment
from derive.rules import Rewrite, Rule, RuleContext
from derive.steps import Relation, Step

# ---------------------------------------------------------------- laws made here
# Three small laws, written like the built-in ones, so that the checker's quadrature split
# at a kink, its series and its sums over a symbolic number of classes are exercised
# whichever built-in families have laws.


def _two_sided(v: Mapping[str, sp.Expr]) -> sp.Expr:
    y, m, s = v["y"], v["m"], v["s"]
    return sp.Mul(sp.Pow(2 * s, -1, evaluate=False), sp.exp(-sp.Abs(y - m) / s), evaluate=False)


def _counts(v: Mapping[str, sp.Expr]) -> sp.Expr:
    y, rate = v["y"], v["rate"]
    return rate**y * sp.exp(-rate) / sp.factorial(y)


def _counts_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    return v["rate"] if phi == v["y"] else None


def _classes(v: Mapping[str, sp.Expr]) -> sp.Expr:
    y, w, k, classes = v["y"], v["w"], v["k"], v["K"]
    return sp.Product(w[k] ** sp.KroneckerDelta(k, y), (k, 1, classes))


def _classes_moments(phi: sp.Expr, v: Mapping[str, sp.Expr]) -> sp.Expr | None:
    y, w = v["y"], v["w"]
    if isinstance(phi, sp.KroneckerDelta) and y in phi.args:
        (other,) = [a for a in phi.args if a != y]
        return w[other]  # type: ignore[no-any-return]
    return None


def _law_family(name: str, law: Law) -> Family:
    return Family(name=name, aliases=(), summary=name, variables=(), links=(), law=law)


TWO_SIDED = _law_family(
    "two-sided",
    Law(
        "TwoSided",
        (Var("m", Role.FIXED, Domain.REAL), Var("s", Role.FIXED, Domain.POSITIVE)),
        Domain.REAL,
        _two_sided,
        "Laplace",
        (("loc", "m"), ("scale", "s")),
    ),
)
COUNTS = _law_family(
    "counts",
    Law(
        "Counts",
        (Var("rate", Role.FIXED, Domain.POSITIVE),),
        Domain.COUNT,
        _counts,
        "Poisson",
        (("rate", "rate"),),
        moments=_counts_moments,
    ),
)
CLASSES = _law_family(
    "classes",
    Law(
        "Classes",
        (Var("w", Role.FIXED, Domain.SIMPLEX),),
        Domain.LABELS,
        _classes,
        "Categorical",
        (("probs", "w"),),
        moments=_classes_moments,
    ),
)
MADE_HERE = (TWO_SIDED, COUNTS, CLASSES)


def _vector(family: Family) -> bool:
    assert family.law is not None
    return any(v.domain is Domain.SIMPLEX for v in family.law.parameters)


def _cases(laws: tuple[Family, ...]) -> list[tuple[str, Family, str, int | None]]:
    out = []
    for family in laws:
        for classes in (None, 3) if _vector(family) else (None,):
            for kind in KINDS:
                for base in ("e", "2"):
                    out.append((kind, family, base, classes))
    return out


BUILT_IN = _cases(tuple(f for f in families() if f.law is not None))
HAND_MADE = _cases(MADE_HERE)


def _id(case: tuple[str, Family, str, int | None]) -> str:
    kind, family, base, classes = case
    return f"{kind}-{family.name}-{base}" + ("" if classes is None else f"-K{classes}")


def _derive(case: tuple[str, Family, str, int | None]) -> Information:
    kind, family, base, classes = case
    laws = (family,) if kind == "entropy" else (family, family)
    return information(kind, *laws, base=base, classes=classes)


def _assert_all_ok(d: Information, checks: list[StepCheck]) -> None:
    assert len(checks) == len(d.steps) > 0
    for check in checks:
        assert check.symbolic, f"{check.step.rule.name}: {check.note}"
        assert check.numeric_error <= TOLERANCE, f"{check.step.rule.name}: {check.note}"
        assert check.ok
    assert d.steps[0].before == d.start, "the chain starts at the definition"
    for first, second in zip(d.steps, d.steps[1:], strict=False):
        assert first.after == second.before, "the chain is linear"


def test_some_built_in_family_has_a_law() -> None:
    assert BUILT_IN, "the built-in laws are checked below"


@pytest.mark.parametrize("case", BUILT_IN, ids=[_id(c) for c in BUILT_IN])
def test_every_step_of_a_built_in_law_is_proved(
    case: tuple[str, Family, str, int | None],
) -> None:
    d = _derive(case)
    _assert_all_ok(d, check_information(d))


@pytest.mark.parametrize("case", HAND_MADE, ids=[_id(c) for c in HAND_MADE])
def test_every_step_of_a_law_made_here_is_proved(
    case: tuple[str, Family, str, int | None],
) -> None:
    d = _derive(case)
    assert d.value is not None, d.reason
    _assert_all_ok(d, check_information(d))


# ---------------------------------------------------------------- false steps are rejected


def _normal_kl(base: str = "e") -> Information:
    return information("kl", "normal", "normal", base=base)


def _rejected(check: StepCheck) -> None:
    assert not check.symbolic, "not proved"
    assert check.numeric_error > 1e-6, "and off numerically"
    assert not check.ok


def _moment_off_by_a_term(d: Information) -> tuple[Step, Step]:
    step = next(s for s in d.steps if isinstance(s.rule, Moment))
    rule = step.rule
    assert isinstance(rule, Moment) and rule.term is not None
    scalars = [s for s in d.laws[0].symbols if isinstance(s, sp.Symbol)]
    extra = scalars[0] if scalars else sp.Rational(1, 7)
    wrong = step.before.xreplace({rule.term: rule.value + extra})
    return step, replace(step, after=wrong)


@pytest.mark.parametrize("family", [f.name for f in (*MADE_HERE,)] + ["normal"])
def test_a_moment_off_by_a_term_is_rejected(family: str) -> None:
    named = {f.name: f for f in MADE_HERE}
    law: str | Family = named.get(family, family)
    d = information("kl", law, law)
    step, wrong = _moment_off_by_a_term(d)
    assert check_step(step, d.laws).ok
    _rejected(check_step(wrong, d.laws))


def test_a_dropped_log_term_is_rejected() -> None:
    d = _normal_kl()
    step = next(s for s in d.steps if s.rule.name == "LogOfPower")
    y = d.laws[0].variable
    constant_logs = sorted(
        (a for a in step.after.atoms(sp.log) if not a.has(y)), key=sp.default_sort_key
    )
    wrong = step.after.xreplace({constant_logs[0]: sp.S.Zero})
    assert wrong != step.after
    _rejected(check_step(replace(step, after=wrong), d.laws))


def test_a_wrong_base_factor_is_rejected() -> None:
    d = _normal_kl(base="2")
    step = d.steps[0]
    assert isinstance(step.rule, ChangeOfBase)
    assert check_step(step, d.laws).ok
    wrong = step.after.xreplace({sp.log(2): sp.log(10)})
    assert wrong != step.after
    _rejected(check_step(replace(step, after=wrong), d.laws))


def test_a_closed_form_off_by_a_billionth_is_rejected() -> None:
    d = _normal_kl()
    last = d.steps[-1]
    check = check_step(replace(last, after=last.after + sp.Rational(1, 10**9)), d.laws)
    assert not check.symbolic and not check.ok
    assert TOLERANCE < check.numeric_error <= 1e-9


def test_a_wrong_moment_fact_is_caught_by_the_numbers() -> None:
    """A Moment step is proved given its own fact; the numbers check the fact itself."""
    d = _normal_kl()
    step = next(s for s in d.steps if isinstance(s.rule, Moment))
    rule = step.rule
    assert isinstance(rule, Moment) and rule.term is not None
    false_rule = replace(rule, value=rule.value + 1)
    after = step.before.xreplace({rule.term: false_rule.value})
    check = check_step(replace(step, rule=false_rule, after=after), d.laws)
    assert check.symbolic, "consistent with its (false) fact"
    assert check.numeric_error > 1e-3
    assert not check.ok


def test_normalisation_and_linearity_are_the_only_laws_of_expectation() -> None:
    d = _normal_kl()
    p = d.laws[0]
    y, mu = p.variable, p.values["mu"]

    def under_p(g: sp.Expr) -> Expectation:
        return Expectation(g, y, p.label, p.density, p.low, p.high)

    constant = Step(Linearity(), under_p(3 * mu), 3 * mu, Relation.EQUAL)
    assert check_step(constant, d.laws).ok
    _rejected(check_step(replace(constant, after=6 * mu), d.laws))
    # E[y]² is not E[y²]: an expectation inside a power is not linear
    square = Step(Linearity(), under_p(y) ** 2, under_p(y**2), Relation.EQUAL)
    _rejected(check_step(square, d.laws))


def test_a_constant_is_its_own_expectation_only_under_a_normalised_law() -> None:
    normal = resolve("normal").law
    assert normal is not None

    def doubled(v: Mapping[str, sp.Expr]) -> sp.Expr:
        return 2 * normal.density(v)

    law = replace(normal, name="Doubled", density=doubled)
    family = replace(_law_family("doubled", law), normalised=False)
    checks = check_information(information("entropy", family))
    linearity = next(c for c in checks if isinstance(c.step.rule, Linearity))
    assert not linearity.symbolic and not linearity.ok
    assert linearity.numeric_error > 1e-3


def test_a_relation_other_than_equal_or_at_most_is_rejected() -> None:
    d = _normal_kl()
    for relation in (Relation.UP_TO_CONSTANT, Relation.ARGMIN_EQUIVALENT):
        check = check_step(replace(d.steps[-1], relation=relation), d.laws)
        assert not check.ok and not check.symbolic


# ---------------------------------------------------------------- inequalities


@dataclass(frozen=True)
class Claimed(Rule):
    """log x ≤ x − 1 (a stand-in lemma: its certificate is the test's ``verdict``)."""

    title: ClassVar[str] = "log x ≤ x − 1"
    verdict: bool = True

    def apply(self, expr: sp.Expr, ctx: RuleContext) -> Rewrite | None:
        return None

    def certify(self, before: sp.Expr, after: sp.Expr) -> bool:
        return self.verdict


def _gibbs_step(verdict: bool) -> tuple[Step, Information]:
    d = _normal_kl()
    p = d.laws[0]
    y = p.variable
    ratio = sp.Function("q")(y) / sp.Function("p")(y)
    before = Expectation(sp.log(ratio), y, p.label, p.density, p.low, p.high)
    after = Expectation(ratio - 1, y, p.label, p.density, p.low, p.high)
    return Step(Claimed(verdict), before, after, Relation.AT_MOST), d


def test_an_inequality_is_proved_by_its_rules_certificate_and_the_numbers() -> None:
    assert isinstance(Claimed(), Certifying)
    step, d = _gibbs_step(True)
    check = check_step(step, d.laws)
    assert check.ok, check.note
    refused = check_step(_gibbs_step(False)[0], d.laws)
    assert not refused.symbolic and refused.numeric_error <= TOLERANCE and not refused.ok


def test_an_inequality_that_fails_numerically_is_rejected() -> None:
    step, d = _gibbs_step(True)
    reversed_step = replace(step, before=step.after, after=step.before)
    check = check_step(reversed_step, d.laws)
    assert check.symbolic, "the lemma says so"
    assert check.numeric_error > 1e-3 and not check.ok


def test_an_inequality_without_a_certificate_is_rejected() -> None:
    step, d = _gibbs_step(True)
    check = check_step(replace(step, rule=ChangeOfBase()), d.laws)
    assert not check.symbolic and not check.ok


# ---------------------------------------------------------------- identities


def _decomposition(sign: int) -> Identity:
    """H(P, Q) = H(P) + KL(P‖Q) for two normal laws (sign −1: a false variant)."""
    normal = resolve("normal")
    p = instance(normal, "P", 1)
    y = p.variable
    pf, qf = sp.Function("p")(y), sp.Function("q")(y)

    def under_p(g: sp.Expr) -> Expectation:
        return Expectation(g, y, p.label, p.density, p.low, p.high)

    start = under_p(-sp.log(qf))
    split = under_p(-sp.log(pf)) + sign * under_p(sp.log(pf) - sp.log(qf))
    return Identity(
        name="decomposition",
        title="decomposition",
        claim="H(P, Q) = H(P) + KL(P||Q)",
        statement=sp.Eq(start, split),
        start=start,
        steps=(Step(Linearity(), start, split, Relation.EQUAL),),
    )


def test_an_identity_over_built_in_laws_is_checked_with_the_laws_recognised() -> None:
    checks = check_identity(_decomposition(1))
    assert [c.ok for c in checks] == [True]
    wrong = check_identity(_decomposition(-1))
    assert len(wrong) == 1
    _rejected(wrong[0])


def _gibbs_identity(end: sp.Expr, classes: sp.Expr) -> Identity:
    """KL ≥ 0 over any two laws on {1, …, K}: E_P[log(q/p)] ≤ E_P[q/p − 1] = Σ q − 1 = 0."""
    y = sp.Symbol("y", integer=True, positive=True)
    label = sp.Symbol("P")
    pf, qf = sp.Function("p")(y), sp.Function("q")(y)

    def under_p(g: sp.Expr) -> Expectation:
        return Expectation(g, y, label, pf, sp.S.One, classes)

    start = under_p(sp.log(qf / pf))
    bound = under_p(qf / pf - 1)
    total = sp.Sum(qf, (y, 1, classes)) - 1
    steps = (
        Step(Claimed(True), start, bound, Relation.AT_MOST),
        Step(Linearity(), bound, total, Relation.EQUAL),
        Step(Linearity(), total, end, Relation.EQUAL),
    )
    return Identity(
        name="gibbs",
        title="Gibbs' inequality",
        claim="KL(P||Q) ≥ 0",
        statement=sp.Le(start, 0),
        start=start,
        steps=steps,
    )


@pytest.mark.parametrize("classes", [sp.Symbol("K", integer=True, positive=True), sp.Integer(4)])
def test_an_identity_over_any_law_is_checked_at_random_laws(classes: sp.Expr) -> None:
    checks = check_identity(_gibbs_identity(sp.S.Zero, classes), seed=3)
    assert all(c.ok for c in checks), [c.note for c in checks]
    wrong = check_identity(_gibbs_identity(sp.Rational(1, 100), classes), seed=3)
    assert [c.ok for c in wrong] == [True, True, False]
    _rejected(wrong[-1])


def test_the_points_follow_the_seed() -> None:
    d = _normal_kl()
    step = d.steps[-2]
    first = check_step(step, d.laws, random.Random(1))
    again = check_step(step, d.laws, random.Random(1))
    assert first == again


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_every_step_of_every_registered_identity_is_checked(name: str) -> None:
    """The identities of ``derive identity``: each step proved (its facts substituted,
    or its rule's certificate) and computed at random points of its domains."""
    proved = identity(name)
    checks = check_identity(proved)
    assert len(checks) == len(proved.steps) > 0
    assert all(c.ok for c in checks), [(c.step.rule.name, c.note) for c in checks if not c.ok]
