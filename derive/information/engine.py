"""Entropy, cross-entropy and KL divergence, derived from the densities step by step.

The program is fixed: start from the definition as an expectation under P
(H(P) = E_P[−log p], H(P, Q) = E_P[−log q], KL(P‖Q) = E_P[log p − log q]),
change the base of the logs when it is not e, write out the densities, expand
the logs, pass the expectation through the sum (linearity), replace each
remaining expectation by its value — a moment the law knows, or a sum, a
series or an integral split at its kinks computed here — and collect terms.
When a moment cannot be found the derivation stops there and says ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.engine import LOG_RULES, run_in_context
from derive.errors import DeriveError
from derive.family import Family, resolve
from derive.information.expectation import Expectation, LogBase, expectations
from derive.information.instance import Instance, instance
from derive.information.integrate import compute
from derive.information.rules import ChangeOfBase, CollectTerms, Densities, Linearity, Moment
from derive.rules import Rule, RuleContext
from derive.steps import Step

__all__ = ["BASES", "KINDS", "Information", "Quantity", "information"]

KINDS = ("entropy", "cross-entropy", "kl")
BASES = {"e": ("nats", None), "2": ("bits", 2), "10": ("bans", 10)}
_BASE_ALIASES = {"nats": "e", "nat": "e", "bits": "2", "bit": "2", "bans": "10", "ban": "10"}


class Quantity(sp.Function):
    """The quantity a derivation is about, for display: H(P), H(P, Q) or KL(P‖Q).

    args: the kind as a Symbol (``entropy``, ``cross-entropy``, ``kl``) and the laws.
    """

    @classmethod
    def eval(cls, *args: sp.Basic) -> None:
        return None

    @property
    def kind(self) -> str:
        return str(self.args[0])

    @property
    def laws(self) -> tuple[sp.Symbol, ...]:
        return self.args[1:]  # type: ignore[no-any-return]

    def _sympystr(self, printer: sp.printing.str.StrPrinter) -> str:
        names = [str(a) for a in self.laws]
        if self.kind == "kl":
            return f"KL({names[0]}||{names[1]})"
        return f"H({', '.join(names)})"


@dataclass(frozen=True)
class Information:
    """A derivation of an entropy, a cross-entropy or a KL divergence.

    ``value`` is the closed form the steps reached (``None`` with ``reason``
    when a moment could not be found: the verdict is then ``unknown``).
    ``notes`` are sentences a reader needs beside the value (an expectation kept
    as its series because SymPy finds no closed form: the series is the exact value).
    """

    kind: str
    base: str
    laws: tuple[Instance, ...]
    quantity: Quantity
    start: sp.Expr
    steps: tuple[Step, ...]
    value: sp.Expr | None
    reason: str | None
    notes: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        return BASES[self.base][0]

    @property
    def context(self) -> RuleContext:
        return _context(self.laws)

    def __repr__(self) -> str:
        names = ", ".join(law.family.name for law in self.laws)
        state = "unknown" if self.value is None else f"{len(self.steps)} steps"
        return f"<Information {self.kind}({names}) in {self.unit}: {state}>"


def _context(laws: tuple[Instance, ...]) -> RuleContext:
    y = laws[0].variable
    positive = tuple(p for law in laws for p in law.positive)
    return RuleContext(optimised=(y,), sample_index=y, n=sp.S.One, positive=positive)


def _run(expr: sp.Expr, rules: tuple[Rule, ...], ctx: RuleContext, steps: list[Step]) -> sp.Expr:
    """Cycle ``rules`` over ``expr`` (every rule here states an equality), keeping the steps."""
    found = run_in_context(expr, rules, ctx)
    steps.extend(found)
    return found[-1].after if found else expr


def base_key(base: object) -> str:
    """``e``, ``2`` or ``10`` from what a user wrote (``bits`` and ``nats`` too)."""
    key = "e" if base is None else str(base).strip().lower()
    key = _BASE_ALIASES.get(key, key)
    if key not in BASES:
        raise DeriveError(f"unknown base {str(base)[:20]!r}; choose one of: e, 2, 10")
    return key


def _log(x: sp.Expr, base: str) -> sp.Expr:
    number = BASES[base][1]
    return sp.log(x, evaluate=False) if number is None else LogBase(x, sp.Integer(number))


def _laws(
    kind: str, names: tuple[str | Family, ...], classes: int | str | None
) -> tuple[Instance, ...]:
    wanted = 1 if kind == "entropy" else 2
    if len(names) != wanted:
        raise DeriveError(f"{kind} takes {wanted} law{'s' if wanted > 1 else ''}, not {len(names)}")
    families = [resolve(n) for n in names]
    if wanted == 1:
        return (instance(families[0], "P", None, classes),)
    laws = (instance(families[0], "P", 1, classes), instance(families[1], "Q", 2, classes))
    if laws[0].law.support is not laws[1].law.support:
        raise DeriveError(
            f"{families[0].name} and {families[1].name} live on different supports "
            f"({laws[0].law.support.value} and {laws[1].law.support.value}); "
            f"a {kind} needs one sample space"
        )
    return laws


def information(
    kind: str,
    *names: str | Family,
    base: object = "e",
    classes: int | str | None = None,
) -> Information:
    """Derive ``kind`` (``entropy``, ``cross-entropy`` or ``kl``) of the named laws."""
    if kind not in KINDS:
        raise DeriveError(f"unknown quantity {kind!r}; choose one of: {', '.join(KINDS)}")
    key = base_key(base)
    laws = _laws(kind, names, classes)
    return derive_information(kind, laws, key)


def derive_information(kind: str, laws: tuple[Instance, ...], base: str) -> Information:
    """Run the program over instantiated laws (built-in or a user's density)."""
    first = laws[0]
    y = first.variable
    names = [sp.Function(law.label.name.lower())(y) for law in laws]
    if kind == "entropy":
        integrand = -_log(names[0], base)
    elif kind == "cross-entropy":
        integrand = -_log(names[1], base)
    else:
        integrand = sp.Add(_log(names[0], base), -_log(names[1], base), evaluate=False)
    start = Expectation(integrand, y, first.label, first.density, first.low, first.high)
    quantity = Quantity(sp.Symbol(kind), *(law.label for law in laws))
    ctx = _context(laws)
    steps: list[Step] = []
    expr: sp.Expr = start
    if base != "e":
        expr = _run(expr, (ChangeOfBase(),), ctx, steps)
    densities = Densities(tuple((name, law.density) for name, law in zip(names, laws)))
    expr = _run(expr, (densities,), ctx, steps)
    expr = _run(expr, LOG_RULES, ctx, steps)
    expr = _run(expr, (Linearity(),), ctx, steps)
    by_label = {law.label: law for law in laws}
    notes: list[str] = []
    for term in list(expectations(expr)):
        law = by_label[term.label]
        value = law.moment(term.integrand)
        rule: Moment | None = None
        if value is not None:
            rule = Moment(term=term, value=value, how="law", law=law.law.name)
        else:
            found = compute(term)
            if found is not None:
                rule = Moment(
                    term=term, value=found.value, how=found.how, at=found.at, law=law.law.name
                )
                if found.how == "series":
                    notes.append(
                        f"SymPy finds no closed form for the expectation of "
                        f"{sp.sstr(term.integrand)} under {law.law.name}: it is kept as its "
                        "series over the support, which is its exact value"
                    )
        if rule is None:
            reason = (
                f"SymPy found no closed form for the expectation of {sp.sstr(term.integrand)} "
                f"under {law.law.name}"
            )
            return Information(kind, base, laws, quantity, start, tuple(steps), None, reason)
        expr = _run(expr, (rule,), ctx, steps)
    expr = _run(expr, (CollectTerms(),), ctx, steps)
    return Information(kind, base, laws, quantity, start, tuple(steps), expr, None, tuple(notes))
