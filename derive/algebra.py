"""Small, targeted algebra shared by the rules, the loss matcher and the checker.

Nothing here calls ``sympy.simplify``. Zero is *proved* by bringing an
expression to a canonical form with identity-preserving rewrites (rewrite the
named functions into exp/log, max and min into absolute values, put each log
argument over a common denominator, expand logs of products and powers and logs
of rationals into logs of primes, linearise sums, expand) and finding the
literal ``0``; when that fails the answer is "not proved", never "zero".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import sympy as sp

from derive.functions import sigmoid, softplus, to_core

__all__ = [
    "canonical",
    "free_of",
    "is_positive_on_support",
    "linearise_sums",
    "parameter_atoms",
    "proved_zero",
    "rebuild",
    "rewrite_nodes",
]

_UNEVALUATED = (sp.Add, sp.Mul, sp.Pow, sp.Function)


def rebuild(node: sp.Basic, args: Iterable[sp.Basic]) -> sp.Basic:
    """``node.func(*args)`` without SymPy's automatic evaluation where it has any.

    A rule must change exactly what its law says; automatic evaluation would
    silently apply other laws (``log(exp(u))`` → ``u``) and hide proof lines.
    """
    new_args = tuple(args)
    if new_args == node.args:
        return node
    if isinstance(node, _UNEVALUATED):
        return node.func(*new_args, evaluate=False)
    return node.func(*new_args)


def rewrite_nodes(expr: sp.Basic, match: Callable[[sp.Basic], sp.Basic | None]) -> sp.Basic:
    """Apply ``match`` to every node, children first; keep nodes it returns ``None`` for."""
    if expr.args and not isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        expr = rebuild(expr, (rewrite_nodes(a, match) for a in expr.args))
    replaced = match(expr)
    return expr if replaced is None else replaced


def parameter_atoms(expr: sp.Basic, params: Iterable[sp.Basic]) -> list[sp.Basic]:
    """The occurrences of ``params`` in ``expr``: the symbols, indexed bases and their
    elements, each once, in traversal order."""
    wanted = set(params)
    found: list[sp.Basic] = []
    for atom in sp.preorder_traversal(expr):
        hit = atom in wanted or (isinstance(atom, sp.Indexed) and atom.base in wanted)
        if hit and atom not in found:
            found.append(atom)
    return found


def free_of(expr: sp.Basic, symbols: Iterable[sp.Basic]) -> bool:
    """True when no symbol, indexed base or indexed element of ``symbols`` occurs in ``expr``."""
    return not parameter_atoms(expr, symbols)


def is_positive_on_support(expr: sp.Basic, known: Iterable[sp.Basic] = ()) -> bool:
    """A sufficient test that ``expr`` > 0 wherever the model is defined.

    ``known`` lists expressions the support makes positive that assumptions
    cannot state (``1 - p`` for a probability ``p``, ``N − y + 1`` for y ≤ N successes).
    """
    known_set = set(known)

    def structural(e: sp.Basic) -> bool:
        if isinstance(e, (sp.exp, sigmoid, softplus)):
            return bool(e.args[0].is_extended_real)
        if isinstance(e, sp.Pow):
            return positive(e.base) and bool(e.exp.is_extended_real)
        if isinstance(e, (sp.Mul, sp.Add)):
            return all(positive(a) for a in e.args)
        if isinstance(e, (sp.Sum, sp.Product)):
            return positive(e.function)
        if isinstance(e, sp.binomial):
            # C(n, k) > 0 for whole numbers 0 ≤ k ≤ n, i.e. n − k + 1 > 0
            n, k = e.args
            whole = bool(n.is_integer and k.is_integer and k.is_nonnegative)
            return whole and positive(n - k + 1)
        return False

    def positive(e: sp.Basic) -> bool:
        # Structure first: SymPy's assumption queries on a compound expression are
        # slow (they ask is_composite, is_algebraic, …); they are the fallback.
        return e in known_set or structural(e) or bool(e.is_positive)

    return positive(expr)


def _exp_negatives_as_reciprocals(expr: sp.Basic) -> sp.Basic:
    return expr.replace(
        lambda e: isinstance(e, sp.exp) and e.args[0].could_extract_minus_sign(),
        lambda e: 1 / sp.exp(-e.args[0]),
    )


def _summand_terms(summand: sp.Expr, index: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
    """Split an expanded summand into (coefficient free of index, rest) pairs."""
    pairs = []
    for term in sp.Add.make_args(sp.expand(summand)):
        coeff, rest = term.as_independent(index, as_Add=False)
        pairs.append((coeff, rest))
    return pairs


def linearise_sums(expr: sp.Basic) -> sp.Basic:
    """Σ(a + b) = Σa + Σb, Σ c·g = c·Σg (c free of the index), Σ c = (count)·c.

    Applied to every single-index ``Sum`` in ``expr``, innermost first.
    """

    def one(node: sp.Basic) -> sp.Basic | None:
        if not isinstance(node, sp.Sum):
            return None
        if len(node.limits) > 1:
            innermost = sp.Sum(node.function, node.limits[0])
            inner = one(innermost)
            if inner is None or inner == innermost:
                return None
            outer = sp.Sum(inner, *node.limits[1:])
            split = one(outer)
            return outer if split is None else split
        index, lower, upper = node.limits[0]
        total: sp.Expr = sp.S.Zero
        for coeff, rest in _summand_terms(node.function, index):
            if rest == 1:
                total += coeff * (upper - lower + 1)
            else:
                total += coeff * sp.Sum(rest, (index, lower, upper))
        return total

    def walk(e: sp.Basic) -> sp.Basic:
        if e.args and not isinstance(e, (sp.Indexed, sp.IndexedBase)):
            e = e.func(*(walk(a) for a in e.args))
        out = one(e)
        return e if out is None else out

    return walk(expr)


def _rename(expr: sp.Basic, name: object, depth: int = 0) -> sp.Basic:
    if isinstance(expr, sp.Sum) and len(expr.limits) == 1:
        index, lower, upper = expr.limits[0]
        fresh = name(depth, index)  # type: ignore[operator]
        body = _rename(expr.function.xreplace({index: fresh}), name, depth + 1)
        return sp.Sum(body, (fresh, lower, upper))
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    return expr.func(*(_rename(a, name, depth) for a in expr.args))


def rename_dummies(expr: sp.Basic, names: tuple[str, ...] = ()) -> sp.Basic:
    """Give every summation index a canonical name by nesting depth.

    ``Σ_a g(a)`` and ``Σ_b g(b)`` are the same number; after renaming they are
    the same expression, so they cancel. Indices first become unique dummies,
    so no renaming can capture another index. ``names`` picks readable names
    by depth (``k``, ``j``); the default names are private.
    """
    unique = _rename(
        expr,
        lambda depth, index: sp.Dummy(index.name, integer=True, positive=bool(index.is_positive)),
    )

    def canonical_name(depth: int, index: sp.Symbol) -> sp.Symbol:
        label = names[depth] if depth < len(names) else f"_ι{depth}"
        return sp.Symbol(label, integer=True, positive=bool(index.is_positive))

    return _rename(unique, canonical_name)


def _extrema_as_abs(expr: sp.Basic) -> sp.Basic:
    """max(a, b) = (a + b + |a − b|)/2 and min(a, b) = (a + b − |a − b|)/2, for real a, b."""

    def two(e: sp.Basic) -> bool:
        return isinstance(e, (sp.Max, sp.Min)) and len(e.args) == 2 and e.is_extended_real

    def rewrite(e: sp.Basic) -> sp.Basic:
        a, b = e.args
        sign = 1 if isinstance(e, sp.Max) else -1
        return (a + b + sign * sp.Abs(a - b)) / 2

    return expr.replace(two, rewrite)


_FACTOR_BELOW = 10**12  # integers beyond this are not factored (that can take long)


def _prime_logs(expr: sp.Basic) -> sp.Basic:
    """log(p/q) = Σ k·log(prime) for a positive rational p/q: log 6 = log 2 + log 3."""

    def small(e: sp.Basic) -> bool:
        if not (isinstance(e, sp.log) and e.args[0].is_Rational and e.args[0].is_positive):
            return False
        value = e.args[0]
        return value != 1 and max(value.p, value.q) < _FACTOR_BELOW

    def split(e: sp.Basic) -> sp.Basic:
        factors = sp.factorrat(e.args[0])
        return sp.Add(*(power * sp.log(prime) for prime, power in factors.items()))

    return expr.replace(small, split)


def _together_logs(expr: sp.Basic) -> sp.Basic:
    return expr.replace(
        lambda e: isinstance(e, sp.log),
        lambda e: sp.expand_log(sp.log(sp.together(e.args[0])), force=True),
    )


def canonical(expr: sp.Basic, substitutions: Mapping[sp.Basic, sp.Basic] | None = None) -> sp.Expr:
    """A canonical form for proving identities between log-likelihood expressions.

    Every rewrite is an identity for the positive arguments that occur as log
    arguments of a density; a result of 0 is a proof, anything else is not
    a disproof.
    """
    e = to_core(sp.Integer(expr) if isinstance(expr, int) else expr, piecewise=False)
    e = e.doit(deep=True) if e.has(sp.Derivative) else e
    e = _extrema_as_abs(e)
    e = _exp_negatives_as_reciprocals(e)
    e = _together_logs(e)
    e = sp.expand(e)
    e = linearise_sums(e)
    if substitutions:
        e = e.xreplace(dict(substitutions))
    e = _prime_logs(sp.expand(_together_logs(e)))
    return sp.expand(rename_dummies(linearise_sums(e)))  # type: ignore[no-any-return]


def proved_zero(expr: sp.Basic, substitutions: Mapping[sp.Basic, sp.Basic] | None = None) -> bool:
    """True only when ``expr`` is brought to the literal 0 by :func:`canonical`."""
    e = canonical(expr, substitutions)
    if e == 0:
        return True
    # Rational functions of exponentials: one common denominator decides.
    return bool(sp.cancel(sp.together(e)) == 0)
