"""One law with its own parameter symbols: P with ``mu_1, sigma_1``, Q with ``mu_2, sigma_2``.

A scalar parameter of the i-th law is named ``name_i`` (plain ``name`` when a
derivation has one law); a probability vector is named by the law's letter
(``p`` for P, ``q`` for Q), indexed by the class ``k`` up to ``K`` — symbolic,
or written out entry by entry for a concrete K.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.errors import DeriveError
from derive.family import Domain, Family, Law

__all__ = ["MAX_CLASSES", "Instance", "K", "instance", "k", "number_of_classes", "y_for"]

k = sp.Symbol("k", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)

MAX_CLASSES = 64


def y_for(support: Domain) -> sp.Symbol:
    """The random variable, with the assumptions of its support."""
    return sp.Symbol("y", **support.assumptions)


def _bounds(support: Domain, classes: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    if support is Domain.REAL:
        return sp.S.NegativeInfinity, sp.S.Infinity
    if support is Domain.POSITIVE:
        return sp.S.Zero, sp.S.Infinity
    if support is Domain.UNIT:
        return sp.S.Zero, sp.S.One
    if support is Domain.BINARY:
        return sp.S.Zero, sp.S.One
    if support is Domain.COUNT:
        return sp.S.Zero, sp.S.Infinity
    if support is Domain.NATURAL:
        return sp.S.One, sp.S.Infinity
    if support is Domain.LABELS:
        return sp.S.One, classes
    raise DeriveError(f"a law cannot have {support.value} support")  # pragma: no cover


@dataclass(frozen=True)
class Instance:
    """A law with symbols: its label, density at ``y``, support and the facts rules may use.

    ``values`` maps each parameter name to its symbol (a vector to its
    ``IndexedBase``); ``entries`` lists the vector's entries for a concrete K
    (empty otherwise); ``positive`` lists expressions positive on the
    parameter domain that assumptions cannot state (1 − p for a probability).
    """

    family: Family
    law: Law
    label: sp.Symbol
    values: dict[str, sp.Basic]
    density: sp.Expr
    variable: sp.Symbol
    low: sp.Expr
    high: sp.Expr
    classes: sp.Expr | None
    entries: tuple[sp.Symbol, ...]
    positive: tuple[sp.Expr, ...]

    @property
    def symbols(self) -> tuple[sp.Basic, ...]:
        """The parameter symbols in the law's order (a concrete vector entry by entry)."""
        out: list[sp.Basic] = []
        for var in self.law.parameters:
            if var.domain is Domain.SIMPLEX:
                out.extend(self.entries or (self.values[var.name],))
            else:
                out.append(self.values[var.name])
        return tuple(out)

    def moment(self, phi: sp.Expr) -> sp.Expr | None:
        """E[φ(y)] from the law's hook, or ``None``."""
        if self.law.moments is None:
            return None
        mapping = {"y": self.variable, "k": k, "K": self.classes or K, **self.values}
        value = self.law.moments(phi, mapping)
        if value is not None and self.entries:
            value = _concrete(value, self)
        return value

    def torch(self) -> dict[str, object] | None:
        """The torch constructor: its class and each argument as the symbol (or list) it is;
        ``None`` when torch has no class for the law (a user's density)."""
        if not self.law.torch:
            return None
        args: dict[str, object] = {}
        for arg, name in self.law.torch_args:
            if name in self.values and isinstance(self.values[name], sp.IndexedBase):
                args[arg] = (
                    [s.name for s in self.entries]
                    if self.entries
                    else (f"{self.values[name]}_1, …, {self.values[name]}_{self.classes}")
                )
            else:
                args[arg] = self.values[name].name  # type: ignore[attr-defined]
        return {"class": f"torch.distributions.{self.law.torch}", "args": args}


def _concrete(expr: sp.Expr, inst: Instance) -> sp.Expr:
    """An expression over the vector's ``IndexedBase`` with the class entries written out."""
    for var in inst.law.parameters:
        if var.domain is Domain.SIMPLEX:
            base = inst.values[var.name]
            expr = expr.replace(
                lambda e, b=base: (
                    isinstance(e, sp.Indexed) and e.base == b and e.indices[0].is_Integer
                ),
                lambda e: inst.entries[int(e.indices[0]) - 1],
            )
    return expr


def _symbol(var_name: str, domain: Domain, suffix: str) -> sp.Symbol:
    return sp.Symbol(f"{var_name}{suffix}", **domain.assumptions)


def number_of_classes(classes: object) -> int | None:
    """A concrete number of classes from 2 to :data:`MAX_CLASSES` (an int or its digits)."""
    if classes is None:
        return None
    if isinstance(classes, str) and classes.strip().isdigit() and len(classes.strip()) <= 4:
        classes = int(classes.strip())
    if not isinstance(classes, int) or isinstance(classes, bool):
        raise DeriveError(
            f"--classes must be a whole number from 2 to {MAX_CLASSES}, got {str(classes)[:20]!r}"
        )
    if not 2 <= classes <= MAX_CLASSES:
        raise DeriveError(f"--classes must be from 2 to {MAX_CLASSES}, got {classes}")
    return classes


def instance(
    family: Family, label: str, number: int | None, classes: int | str | None = None
) -> Instance:
    """The law of ``family`` as P (``number`` 1), Q (2) …; ``None``: the only law, plain names."""
    classes = number_of_classes(classes)
    law = family.law
    if law is None:
        raise DeriveError(
            f"{family.name} has no law for entropies and divergences yet; "
            "these do: " + ", ".join(f.name for f in _with_laws())
        )
    suffix = "" if number is None else f"_{number}"
    letter = label.lower()
    values: dict[str, sp.Basic] = {}
    entries: tuple[sp.Symbol, ...] = ()
    positive: list[sp.Expr] = []
    vector = any(v.domain is Domain.SIMPLEX for v in law.parameters)
    n_classes: sp.Expr | None = None
    if vector:
        n_classes = K if classes is None else sp.Integer(classes)
    elif classes is not None:
        raise DeriveError(f"--classes applies to the categorical law, not to {family.name}")
    for var in law.parameters:
        if var.domain is Domain.SIMPLEX:
            base = sp.IndexedBase(letter, positive=True)
            values[var.name] = base
            if classes is not None:
                entries = tuple(
                    sp.Symbol(f"{letter}_{c}", positive=True) for c in range(1, classes + 1)
                )
        else:
            symbol = _symbol(var.name, var.domain, suffix)
            values[var.name] = symbol
            if var.domain is Domain.UNIT:
                positive.append(1 - symbol)
    y = y_for(law.support)
    mapping = {"y": y, "k": k, "K": n_classes if n_classes is not None else K, **values}
    density = law.density(mapping)
    low, high = _bounds(law.support, n_classes if n_classes is not None else K)
    inst = Instance(
        family=family,
        law=law,
        label=sp.Symbol(label),
        values=values,
        density=density,
        variable=y,
        low=low,
        high=high,
        classes=n_classes,
        entries=entries,
        positive=tuple(positive),
    )
    if entries:
        concrete = _concrete_product(density, inst)
        inst = Instance(**{**inst.__dict__, "density": concrete})
    return inst


def _concrete_product(density: sp.Expr, inst: Instance) -> sp.Expr:
    """∏_{k=1}^{K} a_k written out for a concrete K, each a_k over the named entries."""

    def unroll(node: sp.Basic) -> sp.Basic:
        if isinstance(node, sp.Product) and node.limits[0][0] == k:
            factors = [
                _concrete(node.function.xreplace({k: sp.Integer(c)}), inst)
                for c in range(1, len(inst.entries) + 1)
            ]
            return sp.Mul(*factors, evaluate=False)
        return node

    return density.replace(lambda e: isinstance(e, sp.Product), unroll)


def _with_laws() -> tuple[Family, ...]:
    from derive.family import families

    return tuple(f for f in families() if f.law is not None)
