r"""What an equivalence question is about: the two expressions, the variables, the constants.

:func:`read_problem` turns what the user gave (SymPy expressions or LaTeX, the
names of the variables and the declared domains) into a :class:`Problem`: both
expressions over one set of symbols *with assumptions*, matched by name, the
variables (``wrt``) and the constants of the problem (every other symbol), the
domain of each and the facts assumptions cannot state (``1 − p > 0`` for a
probability).

A symbol's domain is what its name suggests unless declared (``positive``,
``real``, ``binary``), following the names of the built-in families' variables:

- positive: ``sigma s b nu gamma delta alpha beta lambda kappa T`` (scales,
  shapes, rates, temperatures);
- in (0, 1): ``p q tau epsilon varepsilon`` (probabilities, a quantile, a
  label-smoothing weight);
- positive whole numbers: ``n N K`` (samples, trials, classes);
- every other name is real.

A subscript keeps the name's domain (``sigma_1`` is positive). A sum or product
with whole-number limits and at most :data:`MAX_WRITTEN_TERMS` terms is written
out, and an entry with a whole-number index (``x[1]``, whether written so or from
a sum written out) *is* the plain subscripted name (``x_1``): both sides then
share one symbol, with one domain (a declaration of ``x_1`` first, then of the
indexed name ``x``). The subscript must be the index exactly: ``x_{01}`` and
``x_{12}`` are not ``x[1]``. A SymPy symbol
that already carries assumptions keeps them unless declared. LaTeX is read by
:func:`derive.parse.parse_density`, with its limits on length, nesting, literal
size and commands; user text is never evaluated.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.custom import NAME, split_names
from derive.errors import DeriveError
from derive.family import Domain, shorten

__all__ = [
    "BINARY",
    "NATURAL_NAMES",
    "POSITIVE_NAMES",
    "UNIT_NAMES",
    "Problem",
    "domain_of",
    "read_expression",
    "read_problem",
]

POSITIVE_NAMES = frozenset("sigma s b nu gamma delta alpha beta lambda kappa T".split())
"""Names that suggest a positive constant."""
UNIT_NAMES = frozenset("p q tau epsilon varepsilon".split())
"""Names that suggest a number in (0, 1)."""
NATURAL_NAMES = frozenset("n N K".split())
"""Names that suggest a positive whole number."""
BINARY = Domain.BINARY
MAX_WRITTEN_TERMS = 50
"""Most terms a sum or product with whole-number limits is written out to."""
MAX_VARIABLES = 6
"""Most variables an equivalence may be taken with respect to."""
LABELS = ("A", "B")


def domain_of(name: str) -> Domain:
    """The domain a name suggests (the part before ``_`` decides)."""
    head = name.split("_", 1)[0]
    if head in POSITIVE_NAMES:
        return Domain.POSITIVE
    if head in UNIT_NAMES:
        return Domain.UNIT
    if head in NATURAL_NAMES:
        return Domain.NATURAL
    return Domain.REAL


def read_expression(value: object, label: str) -> sp.Expr:
    """A SymPy expression from a SymPy expression, an exact Python number or LaTeX text."""
    if isinstance(value, str):
        from derive.parse import parse_density

        try:
            return parse_density(value, noun="expression", constant=True)
        except DeriveError as error:
            message = str(error).removeprefix("expression: ")
            raise DeriveError(f"{label}: {message}") from None
    if isinstance(value, bool):
        raise DeriveError(f"{label}: a bool is not an expression")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        raise DeriveError(f"{label}: a float is not exact; pass sympy.Rational or LaTeX text")
    if isinstance(value, sp.Expr):
        if value.atoms(sp.Float):
            raise DeriveError(f"{label}: contains a Float; write numbers as sympy.Rational")
        return value
    raise DeriveError(
        f"{label}: expected a SymPy expression or LaTeX text, got {type(value).__name__}"
    )


@dataclass(frozen=True)
class Problem:
    """Two expressions over the same symbols, the variables and the constants.

    ``domains`` maps every symbol (variables, constants, indexed bases' labels) to its
    domain; ``facts`` are expressions known to be ≥ 0 (and > 0 in ``positive_facts``)
    on the domain that assumptions cannot state.
    """

    a: sp.Expr
    b: sp.Expr
    variables: tuple[sp.Symbol, ...]
    constants: tuple[sp.Symbol, ...]
    indexed: tuple[sp.IndexedBase, ...]
    domains: tuple[tuple[sp.Symbol, Domain], ...]
    positive_facts: tuple[sp.Expr, ...]
    facts: tuple[sp.Expr, ...]

    def domain(self, symbol: sp.Basic) -> Domain:
        for s, d in self.domains:
            if s == symbol:
                return d
        return Domain.REAL

    @property
    def wrt_text(self) -> str:
        return ", ".join(v.name for v in self.variables)


def entry_name(entry: sp.Indexed) -> str | None:
    """``x_1`` for the entry ``x[1]`` (one whole, non-negative index); else ``None``."""
    if len(entry.indices) != 1:
        return None
    index = entry.indices[0]
    if not (index.is_Integer and index >= 0):
        return None
    return f"{entry.base.label}_{int(index)}"


def _entry_head(name: str) -> str | None:
    """``x`` for ``x_1`` (a subscript of digits without a leading zero, as
    :func:`entry_name` writes it); else ``None``."""
    head, _, index = name.rpartition("_")
    if head and index.isdigit() and str(int(index)) == index:
        return head
    return None


def entries_as_symbols(expr: sp.Expr, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    """``expr`` with each entry ``x[k]`` whose name (:func:`entry_name`) is in ``symbols``
    replaced by that symbol."""
    mapping: dict[sp.Basic, sp.Basic] = {}
    for entry in expr.atoms(sp.Indexed):
        name = entry_name(entry)
        if name is not None and name in symbols:
            mapping[entry] = symbols[name]
    return expr.xreplace(mapping) if mapping else expr


def _count(limits: tuple[sp.Tuple, ...]) -> int | None:
    total = 1
    for _, low, high in limits:
        if not (low.is_Integer and high.is_Integer):
            return None
        total *= max(0, int(high) - int(low) + 1)
        if total > MAX_WRITTEN_TERMS:
            return None
    return total


def _write_out(expr: sp.Expr) -> sp.Expr:
    """Sums and products with whole-number limits and few terms written out, and their
    entries ``x[k]`` made the plain symbols ``x_k``."""
    written = expr.replace(
        lambda e: isinstance(e, (sp.Sum, sp.Product)) and _count(e.limits) is not None,
        lambda e: e.doit(deep=False),
    )
    names = {}
    for entry in written.atoms(sp.Indexed):
        name = entry_name(entry)
        if name is not None:
            names[name] = sp.Symbol(name)
    return entries_as_symbols(written, names)


def _shown(name: str, limit: int = 40) -> str:
    """A name for a message as the user wrote it (``μ``, not ``\\u03bc``), one line:
    only what is not printable is escaped."""
    text = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name
    )
    return text if len(text) <= limit else text[:limit] + "…"


def _spelled(name: str) -> str | None:
    """``mu`` for ``μ``, ``Sigma_1`` for ``Σ_1``: Greek letters by name, else ``None``."""
    out = []
    for c in name:
        words = unicodedata.name(c, "").split()
        if words[:2] == ["GREEK", "SMALL"] and words[2:3] == ["LETTER"] and len(words) == 4:
            out.append(words[3].lower())
        elif words[:3] == ["GREEK", "CAPITAL", "LETTER"] and len(words) == 4:
            out.append(words[3].capitalize())
        else:
            out.append(c)
    spelled = "".join(out)
    return spelled if spelled != name and NAME.match(spelled) else None


def _names(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else list(value or ())
    for part in parts:
        name = part.strip() if isinstance(part, str) else part
        if isinstance(name, str) and name and not NAME.match(name):
            spelled = _spelled(name)
            hint = f"; write {spelled}" if spelled else ""
            raise DeriveError(
                f"{what}: '{_shown(name)}' is not a symbol name "
                f"(a letter, then letters, digits or _; e.g. y, mu, sigma_0){hint}"
            )
    return split_names(value, what)


def _plain_symbols(expr: sp.Basic) -> set[sp.Symbol]:
    """Free plain symbols (not the labels of indexed bases, not bound indices)."""
    labels = {base.label for base in expr.atoms(sp.IndexedBase)}
    found = set()
    for s in expr.free_symbols:
        if isinstance(s, sp.Symbol) and s not in labels:
            found.add(s)
    return found


def _bases(expr: sp.Basic) -> set[sp.IndexedBase]:
    return set(expr.atoms(sp.IndexedBase))


def _assumptions(symbol: sp.Symbol, domain: Domain, declared: bool) -> dict[str, bool]:
    own = {k: bool(v) for k, v in symbol._assumptions_orig.items() if v is not None}
    if own and not declared:
        return own
    return domain.assumptions


def _domain_of_symbol(symbol: sp.Symbol, declared: dict[str, Domain]) -> Domain:
    if symbol.name in declared:
        return declared[symbol.name]
    if symbol._assumptions_orig:
        if symbol.is_integer and symbol.is_positive:
            return Domain.NATURAL
        if symbol.is_integer and symbol.is_nonnegative:
            return Domain.COUNT
        if symbol.is_positive:
            return Domain.POSITIVE
        return Domain.REAL
    return domain_of(symbol.name)


def _binary_powers(expr: sp.Expr, symbols: Iterable[sp.Symbol]) -> sp.Expr:
    """y^k = y for y ∈ {0, 1} and a positive whole k."""
    wanted = set(symbols)
    if not wanted:
        return expr
    return expr.replace(  # type: ignore[no-any-return]
        lambda e: (
            isinstance(e, sp.Pow) and e.base in wanted and e.exp.is_Integer and e.exp.is_positive
        ),
        lambda e: e.base,
    )


def _whole_vectors(
    variables: tuple[str, ...], used: set[str], plain: Sequence[sp.Symbol], heads: set[str]
) -> tuple[str, ...]:
    """``z`` in ``wrt`` stands for every ``z_k`` when ``z`` is indexed and every entry of it
    is written out (``z_1``, ``z_2``, …)."""
    out: list[str] = []
    for name in variables:
        entries = [s.name for s in plain if _entry_head(s.name) == name]
        if name in used or name not in heads:
            out.append(name)
        else:
            out.extend(sorted(entries, key=lambda e: int(e.rpartition("_")[2])))
    if len(set(out)) != len(out):
        raise DeriveError("wrt: a variable is named twice")
    return tuple(out)


def read_problem(
    a: object,
    b: object,
    wrt: str | Sequence[str],
    *,
    positive: str | Sequence[str] = (),
    real: str | Sequence[str] = (),
    binary: str | Sequence[str] = (),
) -> Problem:
    """Read and check an equivalence question; raises :class:`DeriveError` (one line)."""
    variables = _names(wrt, "wrt")
    if not variables:
        raise DeriveError("wrt: name at least one variable (e.g. wrt='mu')")
    if len(set(variables)) != len(variables):
        raise DeriveError("wrt: a variable is named twice")
    declared: dict[str, Domain] = {}
    for names, domain, what in (
        (_names(positive, "positive"), Domain.POSITIVE, "positive"),
        (_names(real, "real"), Domain.REAL, "real"),
        (_names(binary, "binary"), Domain.BINARY, "binary"),
    ):
        for name in names:
            if name in declared:
                raise DeriveError(f"{name} is declared twice ({what} and {declared[name].value})")
            declared[name] = domain
    read = [read_expression(value, label) for value, label in zip((a, b), LABELS)]
    indexed_heads = {str(base.label) for e in read for base in _bases(e)}
    exprs = [_write_out(e) for e in read]
    plain = sorted(set().union(*(_plain_symbols(e) for e in exprs)), key=sp.default_sort_key)
    bases = sorted(set().union(*(_bases(e) for e in exprs)), key=sp.default_sort_key)
    used = {s.name for s in plain} | {str(base.label) for base in bases}
    heads = {h for s in plain if (h := _entry_head(s.name)) is not None and h in indexed_heads}
    variables = _whole_vectors(variables, used, plain, heads)
    if len(variables) > MAX_VARIABLES:
        raise DeriveError(f"wrt: at most {MAX_VARIABLES} variables")
    used |= heads
    numbers = not used  # both sides are numbers: a legitimate (if trivial) question
    for name in sorted(set(variables) | set(declared)):
        if name not in used and not (numbers and name in variables):
            what = "wrt" if name in variables else "declared"
            raise DeriveError(f"{what}: {shorten(name)!r} occurs in neither expression")
    indexed_names = {str(base.label) for base in bases}
    for name in variables:
        if name in indexed_names:
            raise DeriveError(f"wrt: {name} is indexed ({name}_i); name a plain variable")
    by_name: dict[str, list[sp.Symbol]] = {}
    for s in plain:
        by_name.setdefault(s.name, []).append(s)
    mapping: dict[sp.Basic, sp.Basic] = {}
    typed: dict[str, sp.Symbol] = {}
    domains: list[tuple[sp.Symbol, Domain]] = []
    for name in sorted(by_name):
        group = by_name[name]
        first = next((s for s in group if s._assumptions_orig), group[0])
        head = _entry_head(name)
        if name not in declared and head in indexed_heads and head in declared:
            domain = declared[head]  # the entry x_1 of a declared indexed x
            new = sp.Symbol(name, **domain.assumptions)
        else:
            domain = _domain_of_symbol(first, declared)
            new = sp.Symbol(name, **_assumptions(first, domain, name in declared))
        typed[name] = new
        domains.append((new, domain))
        for old in by_name[name]:
            mapping[old] = new
    new_bases = []
    for base in bases:
        name = str(base.label)
        domain = declared.get(name, domain_of(name))
        new_base = sp.IndexedBase(sp.Symbol(name, **domain.assumptions))
        mapping[base] = new_base
        new_bases.append(new_base)
        domains.append((new_base.label, domain))
    for name in variables:
        if name not in typed:  # a variable of two numbers
            domain = declared.get(name, domain_of(name))
            typed[name] = sp.Symbol(name, **domain.assumptions)
            domains.append((typed[name], domain))
    a_expr, b_expr = (e.xreplace(mapping) for e in exprs)
    binary_symbols = [s for s, d in domains if d is Domain.BINARY and s in typed.values()]
    a_expr, b_expr = (_binary_powers(e, binary_symbols) for e in (a_expr, b_expr))
    wrt_symbols = tuple(typed[n] for n in variables)
    constants = tuple(typed[n] for n in sorted(typed) if n not in variables)
    positive_facts = tuple(1 - s for s, d in domains if d is Domain.UNIT and s in typed.values())
    facts = positive_facts + tuple(
        1 - s for s, d in domains if d is Domain.BINARY and s in typed.values()
    )
    return Problem(
        a=a_expr,
        b=b_expr,
        variables=wrt_symbols,
        constants=constants,
        indexed=tuple(new_bases),
        domains=tuple(domains),
        positive_facts=positive_facts,
        facts=facts,
    )
