"""Run the rules over a model's likelihood and record each application as a step.

The program is fixed and short: negate the log of the i.i.d. likelihood,
expand the logs (cycling the log rules until none applies), apply the rules the
link and the targets bring, separate the constants, drop them, divide out the
positive factor, recognise the named loss, and reduce by the mean.
Every rule application over the whole objective is one :class:`Step`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derive import display as _display  # noqa: F401 - attaches to_latex/to_markdown
from derive.compile import Model, compile_model, i, n, per_sample, with_sample_index
from derive.errors import DeriveError
from derive.family import Family
from derive.losses import identify, match_model
from derive.rules import (
    DivideOutPositiveFactor,
    DropConstant,
    LogOfExp,
    LogOfIndexedProduct,
    LogOfPower,
    LogOfProduct,
    LogOnePlusExp,
    MeanReduction,
    NegativeLogLikelihood,
    RecogniseLoss,
    Rule,
    RuleContext,
    SeparateConstants,
    split_sample_sum,
)
from derive.steps import Derivation, Step

__all__ = ["derive", "derive_model", "run_in_context", "run_rules"]

LOG_RULES: tuple[Rule, ...] = (
    LogOfIndexedProduct(),
    LogOfProduct(),
    LogOfPower(),
    LogOfExp(),
    LogOnePlusExp(),
)
MAX_PASSES = 40


def _record(rule: Rule, expr: sp.Expr, ctx: RuleContext) -> Step | None:
    rewrite = rule.apply(expr, ctx)
    if rewrite is None:
        return None
    return Step(
        rule=rule,
        before=expr,
        after=rewrite.after,
        relation=rule.relation_for(rewrite),
        dropped=rewrite.dropped,
        factor=rewrite.factor,
        transform=rewrite.transform,
    )


def run_rules(expr: sp.Expr, rules: Sequence[Rule], model: Model) -> list[Step]:
    """Cycle ``rules`` over ``expr`` until none applies; one step per application."""
    return run_in_context(expr, rules, model.context)


def run_in_context(expr: sp.Expr, rules: Sequence[Rule], ctx: RuleContext) -> list[Step]:
    """:func:`run_rules` under a context of its own (an information derivation has no model)."""
    steps: list[Step] = []
    for _ in range(MAX_PASSES):
        changed = False
        for rule in rules:
            step = _record(rule, expr, ctx)
            if step is not None:
                steps.append(step)
                expr = step.after
                changed = True
        if not changed:
            return steps
    raise RuntimeError("the rewrite rules did not settle; this is a bug in derive")


def _per_sample_nll(expr: sp.Expr, model: Model) -> sp.Expr:
    """The summand of −log L = Σ_i nll_i, sample index removed, nothing dropped."""
    split = split_sample_sum(expr, model.context)
    if split is None:
        raise DeriveError(
            "the log-likelihood does not split into a sum over samples: derive could not "
            "prove the density positive on the support (declare the domains with "
            "--support and --domain)"
        )
    return per_sample(sp.expand(split[0], deep=False, log=False))  # type: ignore[no-any-return]


def _derived_loss(expr: sp.Expr, model: Model) -> sp.Expr:
    """ℓ: the per-sample summand of the objective once constants and the factor are gone."""
    split = split_sample_sum(expr, model.context)
    if split is None:  # pragma: no cover - every model reaches a sum over samples
        raise RuntimeError("the derivation did not reach a sum over samples; a bug in derive")
    return sp.expand(  # type: ignore[no-any-return]
        per_sample(split[0]),
        deep=False,
        log=False,
        multinomial=False,
        power_base=False,
        power_exp=False,
    )


def derive(
    name: str | Family,
    *,
    link: str | None = None,
    **options: object,
) -> Derivation:
    """Derive the loss of a model: a built-in family by name or alias (``derive list``
    shows them all: ``gaussian``, ``laplace``, ``student-t``, ``poisson``, …) or a
    :class:`~derive.family.Family` record (for example one built from LaTeX by
    :func:`derive.custom.custom_family`).

    ``options`` are the family's options (categorical: ``classes``, ``targets``,
    ``label_smoothing``; gaussian: ``learn_variance=True``; gamma: ``shape``;
    exponential: ``rate=True``; binomial: ``trials``; ``nu``, ``delta``,
    ``quantile``, ``scale`` for the location families). Raises
    :class:`derive.errors.DeriveError` for an unknown name, link or option and for
    values out of range.
    """
    if not isinstance(name, (str, Family)):
        raise DeriveError(f"derive() takes a model name or a Family, not {type(name).__name__}")
    return derive_model(compile_model(name, link, options))


def derive_model(model: Model) -> Derivation:
    """Run the rule program over a compiled model."""
    likelihood = sp.Product(model.density, (i, 1, n))
    steps: list[Step] = []

    def add(found: list[Step]) -> sp.Expr:
        steps.extend(found)
        return steps[-1].after if steps else likelihood

    expr = add(run_rules(likelihood, (NegativeLogLikelihood(),), model))
    expr = add(run_rules(expr, LOG_RULES, model))
    expr = add(run_rules(expr, model.rules, model))
    expr = add(run_rules(expr, LOG_RULES, model))
    nll = _per_sample_nll(expr, model)
    expr = add(run_rules(expr, (SeparateConstants(),), model))
    expr = add(run_rules(expr, (DropConstant(),), model))
    expr = add(run_rules(expr, (DivideOutPositiveFactor(),), model))
    derived = _derived_loss(expr, model)

    match = match_model(nll, model)
    if match is not None and isinstance(expr, sp.Sum):
        summand = per_sample(expr.function)
        local = identify(summand, match.loss, model)
        if local is not None:
            rule = RecogniseLoss(
                match.loss.name,
                local.formula_indexed,
                local.scale,
                with_sample_index(local.offset, model),
            )
            expr = add(run_rules(expr, (rule,), model))
    expr = add(run_rules(expr, (MeanReduction(),), model))
    return Derivation(
        distribution=model.distribution,
        link=model.link,
        options=model.options,
        variables=model.variables,
        likelihood=likelihood,
        steps=tuple(steps),
        nll=nll,
        derived=derived,
        loss=match,
        n=n,
        sample_index=i,
        notes=model.notes,
        model=model,
    )
