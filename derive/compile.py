"""Compile a family: ``(family, link, options) → Model``, what the engine runs.

The compile step turns the declared domains into everything a derivation
needs — symbols with SymPy assumptions (``IndexedBase`` with the sample index
``i``, so the cost does not grow with n), the facts of the support the rules
and the convexity analysis use, the reference point, the step checker's
sampling domains and the plot axis — so no family writes them by hand.
A family whose variables are vectors over classes compiles through its
``hooks.compile`` with the same record as the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from derive.errors import DeriveError
from derive.family import (
    Domain,
    Family,
    Role,
    Var,
    all_options,
    families,
    resolve,
    resolve_link,
)
from derive.links import LINKS, Link
from derive.render.unicode import unicode
from derive.rules import Rule, RuleContext
from derive.steps import Variables

__all__ = [
    "Model",
    "Sampled",
    "at_reference",
    "compile_model",
    "compile_scalar",
    "context",
    "per_sample",
    "reference_value",
    "support_facts",
    "with_sample_index",
]

i = sp.Symbol("i", integer=True, positive=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
j = sp.Symbol("j", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)


@dataclass(frozen=True)
class Sampled:
    """How the step checker draws a variable: its base(s) and domain.

    One base indexed ``[i]`` (a scalar per sample), one base indexed ``[i, k]``
    (``per_class``: a vector per sample, symbolic K), or a group of bases each
    indexed ``[i]`` (one per class, concrete K) whose values are drawn together
    (a simplex sums to one, a one-hot group has one 1). ``upper`` bounds a
    discrete variable from above (a fixed symbol or a number: y ≤ N).
    """

    bases: tuple[sp.IndexedBase, ...]
    domain: Domain
    per_class: bool = False
    upper: sp.Expr | None = None


@dataclass(frozen=True)
class Model:
    """One observation's density and everything a derivation needs to know of it.

    ``loss_target`` is what a library loss receives as its target (the target
    itself, or a function of it such as the proportion y/N); ``remarks`` are the
    link's sentences about the library side (see :class:`derive.family.LinkSpec`).
    """

    family: Family
    link: str
    options: tuple[tuple[str, str], ...]
    density: sp.Expr
    variables: Variables
    context: RuleContext
    rules: tuple[Rule, ...]
    reference: dict[str, sp.Expr]
    losses: tuple[str, ...]
    sampled: tuple[Sampled, ...]
    fixed: tuple[tuple[sp.Symbol, Domain], ...]
    facts: tuple[sp.Expr, ...]
    predictor: Domain
    axis: tuple[str, float, float]
    compare_mse: bool = False
    classes: sp.Expr | None = None
    label: sp.IndexedBase | None = None
    notes: tuple[str, ...] = field(default=())
    loss_target: sp.Expr | None = None
    remarks: tuple[str, ...] = field(default=())
    # every fixed variable's value in declaration order: its symbol, or the number an
    # option bound it to (what a catalogue loss with a parameter, HuberLoss's delta, reads)
    constants: tuple[sp.Expr, ...] = ()

    @property
    def summary(self) -> str:
        """The family's one-line summary, its support written out for a concrete K."""
        text = self.family.summary
        if self.classes is not None and self.classes.is_Integer:
            text = text.replace("{1, …, K}", unicode(sp.Range(1, self.classes + 1)))
        return text

    @property
    def distribution(self) -> str:
        return self.family.name

    def domain_of(self, name: str) -> Domain | None:
        """The domain of the per-sample variable called ``name`` (``q_2`` or ``q``)."""
        for sampled in self.sampled:
            for base in sampled.bases:
                if base.name == name:
                    return sampled.domain
        for symbol, domain in self.fixed:
            if symbol.name == name:
                return domain
        return None


def per_sample(expr: sp.Basic, index: sp.Symbol = i) -> sp.Basic:
    """Drop the sample index: ``y[i]`` → ``y``, ``z[i, k]`` → ``z[k]``."""

    def strip(e: sp.Indexed) -> sp.Basic:
        base = e.base
        assumptions = base.label._assumptions_orig
        if len(e.indices) == 1:
            return sp.Symbol(base.name, **assumptions)
        return sp.IndexedBase(base.name, **assumptions)[e.indices[1:]]

    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.indices[0] == index, strip)


def with_sample_index(expr: sp.Basic, model: Model, index: sp.Symbol = i) -> sp.Basic:
    """The inverse of :func:`per_sample` for the model's variables: ``y`` → ``y[i]``."""
    bases = {b.name: b for b in model.variables.target + model.variables.prediction}
    mapping: dict[sp.Basic, sp.Basic] = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Indexed) and node.base.name in bases:
            mapping[node] = bases[node.base.name][(index, *node.indices)]
        elif isinstance(node, sp.Symbol) and node.name in bases:
            mapping[node] = bases[node.name][index]
    # Symbols that are only labels of an indexed base stay as they are.
    for node in expr.atoms(sp.IndexedBase):
        mapping.pop(node.label, None)
    return expr.xreplace(mapping)


def at_reference(expr: sp.Basic, model: Model) -> sp.Basic:
    """``expr`` with every (per-sample) parameter set to the model's reference point."""
    ref = model.reference
    expr = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base.name in ref, lambda e: ref[e.base.name]
    )
    return expr.replace(lambda e: isinstance(e, sp.Symbol) and e.name in ref, lambda e: ref[e.name])


def reference_value(domain: Domain, classes: sp.Expr = K) -> sp.Expr:
    """The domain's reference point (1/K on a simplex of K classes)."""
    numerator, denominator = domain.reference
    if denominator == 0:
        return 1 / classes
    return sp.Rational(numerator, denominator)


def support_facts(
    pairs: Iterable[tuple[sp.IndexedBase | sp.Symbol, Domain]],
) -> tuple[sp.Expr, ...]:
    """``1 − x ≥ 0`` for each per-sample or fixed variable whose domain lies below 1 (the
    facts the convexity analysis may use that assumptions cannot state)."""
    return tuple(
        1 - sp.Symbol(base.name, **domain.assumptions)
        for base, domain in pairs
        if domain.upper_facts()
    )


def context(optimised: tuple[sp.Basic, ...], **facts: object) -> RuleContext:
    """The rules' context with the sample index and count of every model."""
    return RuleContext(optimised=optimised, sample_index=i, n=n, **facts)  # type: ignore[arg-type]


def _options(family: Family, given: Mapping[str, object]) -> dict[str, str | None]:
    """The family's options, validated: one the family does not declare is an error."""
    declared = {option.name: option for option in family.options}
    values: dict[str, str | None] = {o.name: o.default for o in family.options}
    for name, value in given.items():
        if value is None:
            continue
        option = declared.get(name)
        if option is None:
            flag = _flag(name)
            owners = [f.name for f in families() if any(o.name == name for o in f.options)]
            where = f"only applies to {', '.join(owners)}, not" if owners else "does not apply to"
            raise DeriveError(f"{flag} {where} {family.name}")
        if option.switch:
            # on: True or "true" (what the command line passes); off: False or "false"
            if value is False or value == "false":
                continue
            if value is not True and value != "true":
                raise DeriveError(f"{option.flag} is a switch: on (True) or off (False)")
            values[name] = "true"
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            from fractions import Fraction

            if not isinstance(value, (float, Fraction)):
                raise DeriveError(f"{option.flag} takes text, not {type(value).__name__}")
        text = str(value)
        if option.choices and text.lower() in option.choices:
            text = text.lower()  # values are case-insensitive, like the names
        if option.choices and text not in option.choices:
            raise DeriveError(
                f"{option.flag} must be one of {', '.join(option.choices)}, got {text[:40]!r}"
            )
        values[name] = text
    return values


def _flag(name: str) -> str:
    for option in all_options():
        if option.name == name:
            return option.flag
    return "--" + name.replace("_", "-")


def compile_model(
    family: Family | str, link: str | None = None, options: Mapping[str, object] | None = None
) -> Model:
    """The model of ``family`` (a record, a name or an alias) through ``link``, validated."""
    record = resolve(family)
    link_name = resolve_link(record, link)
    values = _options(record, options or {})
    if record.hooks.compile is not None:
        return record.hooks.compile(record, link_name, values)  # type: ignore[no-any-return]
    return compile_scalar(record, link_name, values)


def _one(family: Family, role: Role) -> Var:
    found = family.variable(role)
    if len(found) != 1:
        raise DeriveError(f"{family.name}: needs exactly one {role.value} variable")
    return found[0]


def _predictor(family: Family, parameter: Var, link: Link) -> tuple[sp.IndexedBase, Domain]:
    if link.predictor is None:
        return sp.IndexedBase(parameter.name, **parameter.domain.assumptions), parameter.domain
    taken = {v.name for v in family.variables}
    letter = next(x for x in (link.letter, "eta", "zeta", "xi") if x not in taken)
    return sp.IndexedBase(letter, **link.predictor.assumptions), link.predictor


_WHOLE = {
    Domain.COUNT: "a whole number >= 0",
    Domain.NATURAL: "a whole number >= 1",
    Domain.LABELS: "a whole number >= 1",
}


def _bound(family: Family, values: Mapping[str, str | None]) -> dict[str, sp.Rational]:
    """The fixed variables an option sets to a number, each checked against its domain."""
    from derive.numbers import MAX_DIGITS, parse_fraction

    domains = {v.name: v.domain for v in family.variable(Role.FIXED)}
    bound: dict[str, sp.Rational] = {}
    for option in family.options:
        text = values.get(option.name)
        if option.binds is None or text is None:
            continue
        domain = domains[option.binds]
        try:
            value = sp.Rational(parse_fraction(text, option.flag))
        except DeriveError:
            if not domain.discrete:
                raise
            # "a number like 0.1" misleads where only whole numbers are meant
            raise DeriveError(
                f"{option.flag} must be {_WHOLE[domain]} with at most {MAX_DIGITS} digits, "
                f"got {text[:40]!r}"
            ) from None
        allowed = {
            Domain.POSITIVE: value > 0,
            Domain.UNIT: 0 < value < 1,
            Domain.COUNT: value.is_integer and value >= 0,
            Domain.NATURAL: value.is_integer and value >= 1,
            Domain.LABELS: value.is_integer and value >= 1,
        }.get(domain, True)
        if not allowed:
            what = {
                Domain.POSITIVE: "a number > 0",
                Domain.UNIT: "a number strictly between 0 and 1",
                **_WHOLE,
            }[domain]
            raise DeriveError(f"{option.flag} must be {what}, got {text[:40]!r}")
        if option.most is not None and value > sp.Rational(option.most):
            raise DeriveError(f"{option.flag} must be at most {option.most}, got {text[:40]!r}")
        bound[option.binds] = value
    return bound


def compile_scalar(
    family: Family, link_name: str, values: Mapping[str, str | None] | None = None
) -> Model:
    """A family with one scalar target and scalar predicted parameters.

    The link applies to the first predicted parameter; the others are predicted
    as they are (a location through its link, and a scale, say). ``values`` are
    the validated options; those that bind a fixed variable replace it by their
    number (the others are for the family's own hooks).
    """
    values = values or {}
    bound = _bound(family, values)
    if family.density is None:  # pragma: no cover - every scalar family declares one
        raise DeriveError(f"{family.name}: no density")
    target = _one(family, Role.TARGET)
    parameters = family.variable(Role.PREDICTION)
    if not parameters:
        raise DeriveError(f"{family.name}: needs a predicted parameter")
    link = LINKS[link_name]
    first = parameters[0]
    if not link.fits(first.domain):
        raise DeriveError(
            f"the {link.name} link gives {first.name} in the {link.parameter.value} "  # type: ignore[union-attr]
            f"domain, but {first.name} is declared {first.domain.value}"
        )
    y = sp.IndexedBase(target.name, **target.domain.assumptions)
    eta, eta_domain = _predictor(family, first, link)
    predictors = [(first, eta, eta_domain, link.inverse(eta[i]))]
    for other in parameters[1:]:
        base = sp.IndexedBase(other.name, **other.domain.assumptions)
        predictors.append((other, base, other.domain, base[i]))
    fixed = tuple(
        (sp.Symbol(v.name, **v.domain.assumptions), v.domain)
        for v in family.variable(Role.FIXED)
        if v.name not in bound
    )
    given: dict[str, sp.Expr] = {target.name: y[i]}
    given.update({var.name: value for var, _, _, value in predictors})
    given.update({symbol.name: symbol for symbol, _ in fixed})
    given.update(bound)
    density = family.density(given)
    # 1 − x > 0 on the open unit interval: the log rules may split log(1 − x)
    unit = [value for var, _, _, value in predictors if var.domain is Domain.UNIT]
    unit += [y[i]] if target.domain is Domain.UNIT else []
    unit += [symbol for symbol, domain in fixed if domain is Domain.UNIT]  # a quantile τ
    positive = tuple(1 - value for value in unit)
    pairs = [(y, target.domain)] + [(base, domain) for _, base, domain, _ in predictors]
    facts = support_facts([*pairs, *fixed])
    upper = _upper(family, target, given)
    if upper is not None:
        # 0 ≤ y ≤ N for whole numbers: N − y ≥ 0, and N − y + 1 > 0 (C(N, y) > 0)
        positive += (upper - y[i] + 1,)
        facts += (upper - sp.Symbol(y.name, **target.domain.assumptions),)
    shown = [(unicode(sp.Symbol(base.name)), domain) for base, domain in pairs]
    # the target's domain (with its bound), the predictions', and a fixed whole number's
    said = [target.domain.note(shown[0][0], None if upper is None else unicode(upper))]
    said += [domain.note(name) for name, domain in shown[1:]]
    said += [domain.note(unicode(symbol)) for symbol, domain in fixed if domain.discrete]
    notes = tuple(note for note in said if note)
    spec = family.link(link_name)
    bases = tuple(base for _, base, _, _ in predictors)
    return Model(
        family=family,
        link=link_name,
        options=_shown_options(family, values, bound),
        density=density,
        variables=Variables(target=(y,), prediction=bases, nuisance=tuple(s for s, _ in fixed)),
        context=context(bases, positive=positive),
        rules=link.rules,
        reference={base.name: reference_value(domain) for _, base, domain, _ in predictors},
        losses=spec.losses,
        sampled=(Sampled((y,), target.domain, upper=upper),)
        + tuple(Sampled((base,), domain) for _, base, domain, _ in predictors),
        fixed=fixed,
        facts=facts,
        predictor=eta_domain,
        axis=link.axis or eta_domain.plot_range,
        compare_mse=spec.compare_mse,
        notes=notes + family.notes,
        loss_target=y[i] if family.loss_target is None else family.loss_target(given),
        remarks=spec.remarks,
        constants=tuple(
            bound.get(v.name, sp.Symbol(v.name, **v.domain.assumptions))
            for v in family.variable(Role.FIXED)
        ),
    )


def _shown_options(
    family: Family, values: Mapping[str, str | None], bound: Mapping[str, sp.Rational]
) -> tuple[tuple[str, str], ...]:
    """The options given, a bound number written exactly and plainly (1e3 → 1000, 5/2 →
    2.5, 1/3 stays 1/3)."""
    from fractions import Fraction

    from derive.numbers import plain

    binds = {option.name: option.binds for option in family.options}
    shown = []
    for name, text in values.items():
        if text is None:
            continue
        target = binds.get(name)
        if target is not None and target in bound:
            value = bound[target]
            text = plain(Fraction(int(value.p), int(value.q)))
        shown.append((name, text))
    return tuple(shown)


def _upper(family: Family, target: Var, given: Mapping[str, sp.Expr]) -> sp.Expr | None:
    """The expression bounding a discrete target from above (its fixed symbol or number)."""
    if target.upper is None:
        return None
    fixed = {v.name for v in family.variable(Role.FIXED)}
    if not target.domain.discrete or target.upper not in fixed:
        raise DeriveError(
            f"{target.name} is bounded by {target.upper}: that must be a fixed variable and "
            f"{target.name} discrete"
        )
    return given[target.upper]
