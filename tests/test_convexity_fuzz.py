"""Random-expression fuzz of the convexity verdicts, refereed independently.

2,000 expressions from a fixed seed, in one or two variables (real, or positive), over a
grammar of Abs, Max, Min, Piecewise (x < c, x ≤ c, x > c), reciprocals, logs, exp, sqrt,
powers, softplus, σ, sums and products with small rational constants. Two fifths are
built convex by construction (DCP-style), three tenths are those with one mutation (Max
→ Min, a negated term, a jump, a concave kink, a cube, a shifted piece: near misses of
a convex function), the rest are unconstrained.

For each expression ``convexity`` must not raise. A "convex" verdict is tested by
30-digit midpoint tests at pairs of rational points of the domain (near the constants
of the expression, and far away, ±50, ±1000), where f must also be finite and real; a
"not convex" verdict's witness is re-checked exactly (``tests/convexity_check.py``).
Both must find nothing. The fuzz runs once per session; its counts and runtime are
printed (``pytest -s``).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import sympy as sp
from sympy import Abs, Max, Min, Piecewise, Rational, exp, log, sqrt

from derive.convexity import convexity
from derive.functions import sigmoid, softplus
from tests.convexity_check import midpoint_violations, witness_problems

SEED = 2024_09
COUNT = 2000
PAIRS = 30
"""Per "convex" verdict: up to 30 pairs straddling a possible kink or jump (the zeros of
the conditions, of the arguments of |·| and of Max/Min differences) and 30 random pairs;
each pair is three points at 30 digits. (Measured on the current engine's 793 "convex"
verdicts: 400 random-and-straddling pairs find no violation that these miss.)"""

x, y = sp.symbols("x y", real=True)
u = sp.Symbol("u", positive=True)
VARIABLES: list[tuple[sp.Symbol, ...]] = [(x,), (u,), (x, y), (x, u)]

SMALL = [Rational(v) for v in ("1/3", "1/2", "2/3", "1", "3/2", "2", "3")]
CONSTANTS = [*SMALL, *(-c for c in SMALL), Rational(0), Rational(1, 10), Rational(-1, 4)]


def lazy(kind: type, *args: sp.Expr) -> sp.Expr:
    """Max or Min of compound arguments, left unevaluated: SymPy's evaluation compares
    the arguments with assumptions queries, which takes seconds on some of them."""
    return kind(*args, evaluate=False)


class Grammar:
    """Random expressions in ``variables``; every choice comes from ``rng``."""

    def __init__(self, rng: random.Random, variables: tuple[sp.Symbol, ...]) -> None:
        self.rng = rng
        self.variables = variables
        self.positive = [v for v in variables if v.is_positive]

    # ------------------------------------------------------------ pieces

    def const(self) -> sp.Rational:
        return self.rng.choice(CONSTANTS)

    def coefficient(self) -> sp.Rational:
        return self.rng.choice(SMALL)

    def var(self) -> sp.Symbol:
        return self.rng.choice(self.variables)

    def affine(self) -> sp.Expr:
        used = self.rng.sample(self.variables, self.rng.randint(1, len(self.variables)))
        terms = [self.rng.choice([1, -1]) * self.coefficient() * v for v in used]
        return sp.Add(*terms, self.const())

    def kink(self, convex: bool) -> sp.Expr:
        """Two affine pieces of one variable meeting at c: slopes up (convex) or down."""
        v, c = self.var(), self.const()
        low, high = sorted(self.rng.sample(CONSTANTS, 2))
        if not convex:
            low, high = high, low
        relation = self.rng.choice([v < c, v <= c])
        level = self.const()
        return Piecewise((low * (v - c) + level, relation), (high * (v - c) + level, True))

    # ------------------------------------------------------------ convex by construction

    def convex_atom(self) -> sp.Expr:
        r = self.rng
        atoms: list[Callable[[], sp.Expr]] = [
            lambda: Abs(self.affine()),
            lambda: self.affine() ** 2,
            lambda: exp(self.affine()),
            lambda: softplus(self.affine()),
            lambda: lazy(Max, self.affine(), self.affine()),
            lambda: lazy(Max, self.affine(), self.const()),
            lambda: self.kink(convex=True),
            lambda: sqrt(self.affine() ** 2 + r.choice(SMALL)),
            lambda: log(exp(self.affine()) + exp(self.affine())),
            lambda: Abs(self.affine()) ** 3,
            lambda: lazy(Max, self.affine(), sp.S.Zero) ** 2,
            lambda: self.affine() ** 4,
        ]
        if self.positive:
            p = r.choice(self.positive)
            atoms += [
                lambda: 1 / (p + r.choice([0, *SMALL])),
                lambda: -log(p + r.choice([0, *SMALL])),
                lambda: p * log(p),
                lambda: -sqrt(p),
                lambda: p ** Rational(3, 2),
                lambda: self.affine() ** 2 / p,
            ]
        return r.choice(atoms)()

    def convex(self, depth: int) -> sp.Expr:
        r = self.rng
        if depth <= 0 or r.random() < 0.35:
            return self.convex_atom()
        combinators: list[Callable[[], sp.Expr]] = [
            lambda: (
                self.coefficient() * self.convex(depth - 1)
                + self.coefficient() * self.convex(depth - 1)
            ),
            lambda: self.convex(depth - 1) + self.affine(),
            lambda: lazy(Max, self.convex(depth - 1), self.convex(depth - 1)),
            lambda: lazy(Max, self.convex(depth - 1), self.affine()),
            lambda: softplus(self.convex(depth - 1)),
            lambda: self.coefficient() * self.convex(depth - 1),
        ]
        return r.choice(combinators)()

    # ------------------------------------------------------------ near misses

    def mutate(self, expr: sp.Expr) -> sp.Expr:
        r = self.rng
        v, c = self.var(), self.const()
        # sorted: the order of preorder_traversal varies with the hash seed
        subterms = sorted(
            {s for s in sp.preorder_traversal(expr) if s.free_symbols and s != expr},
            key=sp.default_sort_key,
        )
        negated = r.choice(subterms) if subterms else expr
        mutations: list[Callable[[], sp.Expr]] = [
            lambda: expr.replace(lambda e: isinstance(e, Max), lambda e: lazy(Min, *e.args)),
            lambda: expr - self.coefficient() * Abs(v - c),  # a concave kink
            lambda: expr - self.coefficient() * v**2,
            lambda: Piecewise((expr, v < c), (expr + r.choice(SMALL), True)),  # a jump up
            lambda: Piecewise((expr + r.choice(SMALL), v <= c), (expr, True)),  # a jump down
            lambda: Piecewise((expr, v < c), (c, True)),  # truncated
            lambda: lazy(Min, expr, r.choice(SMALL)),
            lambda: expr.subs(v, v**3) if r.random() < 0.5 else expr**3,
            lambda: -expr if r.random() < 0.3 else expr + self.kink(convex=False),
            lambda: expr.xreplace({negated: -negated}),
            lambda: expr + self.coefficient() * sp.sin(v) if r.random() < 0.3 else sqrt(expr),
            lambda: log(expr) if r.random() < 0.5 else 1 / expr,
        ]
        return r.choice(mutations)()

    # ------------------------------------------------------------ anything

    def anything(self, depth: int) -> sp.Expr:
        r = self.rng
        if depth <= 0 or r.random() < 0.25:
            return r.choice([self.var, self.affine, self.affine, self.const])()
        e = functools.partial(self.anything, depth - 1)
        v, c = self.var(), self.const()
        nodes: list[Callable[[], sp.Expr]] = [
            lambda: Abs(e()),
            lambda: exp(e()) if r.random() < 0.5 else exp(-Abs(e())),
            lambda: log(e()),
            lambda: sqrt(e()),
            lambda: 1 / e(),
            lambda: e() ** r.choice([2, 3, 4, -1, -2, Rational(1, 2), Rational(3, 2)]),
            lambda: softplus(e()),
            lambda: sigmoid(e()),
            lambda: -e(),
            lambda: self.coefficient() * e(),
            lambda: e() + e(),
            lambda: e() * e(),
            lambda: lazy(Max, e(), e()),
            lambda: lazy(Min, e(), e()),
            lambda: Piecewise((e(), r.choice([v < c, v <= c, v > c])), (e(), True)),
        ]
        return r.choice(nodes)()

    def expression(self) -> tuple[str, sp.Expr]:
        r = self.rng.random()
        depth = self.rng.randint(1, 3)
        if r < 0.4:
            return "convex", self.convex(depth)
        if r < 0.7:
            return "mutated", self.mutate(self.convex(depth - 1))
        return "random", self.anything(depth)


@functools.cache
def expressions(seed: int = SEED, count: int = COUNT) -> list[tuple[str, sp.Expr, list]]:
    """``count`` distinct (kind, expression, variables), reproducibly from ``seed``."""
    rng = random.Random(seed)
    seen: set[sp.Expr] = set()
    out: list[tuple[str, sp.Expr, list]] = []
    while len(out) < count:
        variables = rng.choice(VARIABLES)
        try:
            kind, expr = Grammar(rng, variables).expression()
        except (ValueError, TypeError):  # SymPy refused it (Max of a non-real constant)
            continue
        if expr in seen or expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.I):
            continue
        seen.add(expr)
        out.append((kind, expr, list(variables)))
    return out


@dataclass
class Report:
    verdicts: Counter = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    engine_seconds: float = 0.0
    check_seconds: float = 0.0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    workers: int = 1
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def merge(self, other: Report) -> None:
        self.verdicts += other.verdicts
        self.crashes += other.crashes
        self.violations += other.violations
        self.engine_seconds += other.engine_seconds
        self.check_seconds += other.check_seconds
        self.cpu_seconds += other.cpu_seconds
        self.slowest = sorted(self.slowest + other.slowest, reverse=True)[:3]

    def summary(self) -> str:
        slow = "; ".join(f"{t:.2f}s {e}" for t, e in self.slowest)
        return (
            f"{sum(self.verdicts.values())} expressions, verdicts {dict(self.verdicts)}, "
            f"{len(self.crashes)} crashes, {len(self.violations)} violations; "
            f"{self.wall_seconds:.1f}s on {self.workers} processes, CPU: engine "
            f"{self.engine_seconds:.1f}s, checks {self.check_seconds:.1f}s, all "
            f"{self.cpu_seconds:.1f}s; slowest: {slow}"
        )


def run(indices: Sequence[int]) -> Report:
    """Verdicts on the expressions at ``indices``, refereed; times are CPU seconds."""
    report = Report()
    made = expressions()
    start_all = time.process_time()
    for i in indices:
        kind, expr, wrt = made[i]
        start = time.process_time()
        try:
            verdict = convexity(expr, wrt)
        except Exception as error:  # every crash is collected and reported
            report.crashes.append(f"#{i} {expr} in {wrt}: {type(error).__name__}: {error}")
            report.verdicts["crash"] += 1
            continue
        finally:
            spent = time.process_time() - start
            report.engine_seconds += spent
            report.slowest = sorted([*report.slowest, (spent, f"#{i} {expr}")], reverse=True)[:3]
        report.verdicts[verdict.verdict] += 1
        start = time.process_time()
        if verdict.verdict == "convex":
            problems = midpoint_violations(expr, wrt, seed=i, pairs=PAIRS, limit=1)
        elif verdict.verdict == "not convex":
            problems = witness_problems(expr, wrt, [], verdict)
        else:
            problems = []
        report.check_seconds += time.process_time() - start
        report.violations += [
            f"#{i} ({kind}) {verdict.verdict}: {expr} in {wrt}: {p}" for p in problems
        ]
    report.cpu_seconds = time.process_time() - start_all
    return report


def _start_method() -> str:
    """ "fork" when this process has one thread (forked workers inherit the expressions),
    else "spawn" (forking a threaded process can deadlock, and Python 3.12 warns, which
    -W error makes fatal); spawned workers regenerate the expressions from the seed."""
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        threads = threading.active_count()
    if threads == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


@functools.cache
def fuzz() -> Report:
    """The whole fuzz, spread over the machine's cores (at most 4 processes)."""
    wall = time.perf_counter()
    made = expressions()  # the test run needs them; forked workers inherit them
    workers = min(os.cpu_count() or 1, 4)
    chunks = [range(w, len(made), workers) for w in range(workers)]  # interleaved: balanced
    report = Report(workers=workers)
    if workers > 1:
        context = multiprocessing.get_context(_start_method())
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = list(pool.map(run, chunks))
    else:
        parts = [run(range(len(made)))]
    for part in parts:
        report.merge(part)
    report.violations.sort(key=lambda v: int(v[1:].split(" ")[0]))
    report.crashes.sort(key=lambda v: int(v[1:].split(" ")[0]))
    report.wall_seconds = time.perf_counter() - wall
    print(report.summary())
    return report


def test_fuzz_expressions_are_many_distinct_and_cover_the_grammar() -> None:
    made = expressions()
    assert len(made) == COUNT and len({e for _, e, _ in made}) == COUNT
    assert made == expressions.__wrapped__()  # reproducible from the seed
    kinds = Counter(kind for kind, _, _ in made)
    assert min(kinds.values()) >= COUNT // 5, kinds
    nodes = {type(n) for _, e, _ in made for n in sp.preorder_traversal(e)}
    for node in (Abs, Max, Min, Piecewise, exp, log, softplus, sigmoid, sp.Pow, sp.Mul):
        assert node in nodes, node
    powers = {p.exp for _, e, _ in made for p in e.atoms(sp.Pow)}
    assert {-1, 2, 3, Rational(1, 2)} <= powers, powers
    assert {len(wrt) for _, _, wrt in made} == {1, 2}
    assert any(s.is_positive for _, e, _ in made for s in e.free_symbols)


def test_fuzz_the_engine_never_crashes() -> None:
    report = fuzz()
    assert not report.crashes, f"{len(report.crashes)} crashes ({report.summary()}):\n" + "\n".join(
        c.splitlines()[0] for c in report.crashes
    )


def test_fuzz_every_verdict_survives_the_referee() -> None:
    """0 violations: no "convex" verdict fails a midpoint test or is undefined somewhere
    in the domain, no "not convex" verdict has a witness that does not check out."""
    report = fuzz()
    assert not report.violations, (
        f"{len(report.violations)} violations ({report.summary()}):\n"
        + "\n".join(report.violations[:60])
    )
