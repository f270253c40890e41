"""Time to derive each entropy, cross-entropy and KL divergence the laws support.

Run: python benchmarks/information.py [--rounds N] [--base e|2|10] [--only NAME]
For every law: its entropy, and the cross-entropy and KL of two of its instances;
categorical with a symbolic K and with K = 3 and 64; the pairs of different families
on one support. "work s" is the median of cold runs in this process (SymPy's cache
cleared first): the derivation alone. "fresh s" is the median wall time of a fresh
interpreter that imports derive and derives it once, as a command would (start-up
and imports included). "steps" counts the proof's steps and "how" lists how each
moment was found (law hook, sum, series, integral, split). Set
PYTHONDONTWRITEBYTECODE=1 to time the fresh runs without reading or writing bytecode
caches of derive. The seconds are for one machine; compare ratios across machines.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from sympy.core.cache import clear_cache

from derive.information import information
from derive.information.engine import Information
from derive.information.rules import Moment

LAWS = ["normal", "laplace", "bernoulli", "poisson", "exponential", "gamma"]
CROSS = [
    ("normal", "laplace"),
    ("laplace", "normal"),
    ("exponential", "gamma"),
    ("gamma", "exponential"),
]


def _cases() -> list[tuple[tuple[str, ...], int | None]]:
    cases: list[tuple[tuple[str, ...], int | None]] = []
    for name in LAWS:
        cases += [(("entropy", name), None), (("cross-entropy", name, name), None)]
        cases += [(("kl", name, name), None)]
    for classes in (None, 3, 64):
        cases += [(("entropy", "categorical"), classes)]
        cases += [(("cross-entropy", "categorical", "categorical"), classes)]
        cases += [(("kl", "categorical", "categorical"), classes)]
    for pair in CROSS:
        cases += [(("cross-entropy", *pair), None), (("kl", *pair), None)]
    return cases


def _work(args: tuple[str, ...], classes: int | None, base: str) -> tuple[float, Information]:
    clear_cache()  # cold: SymPy's cache would otherwise answer repeats for free
    start = time.perf_counter()
    d = information(*args, base=base, classes=classes)
    return time.perf_counter() - start, d


def _fresh(args: tuple[str, ...], classes: int | None, base: str) -> float:
    code = (
        "from derive.information import information; "
        f"information(*{args!r}, base={base!r}, classes={classes!r})"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--base", default="e")
    parser.add_argument("--only", default=None, help="only the cases naming this family")
    args = parser.parse_args()
    header = f"{'derivation':<52} {'work s':>7} {'fresh s':>8} {'steps':>5}  how"
    print(f"base {args.base}, median of {args.rounds} rounds")
    print(header)
    print("-" * len(header))
    total_work = 0.0
    for names, classes in _cases():
        if args.only is not None and args.only not in names:
            continue
        runs = [_work(names, classes, args.base) for _ in range(args.rounds)]
        work = statistics.median(t for t, _ in runs)
        fresh = statistics.median(_fresh(names, classes, args.base) for _ in range(args.rounds))
        d = runs[0][1]
        hows = [s.rule.how for s in d.steps if isinstance(s.rule, Moment)]
        how = ", ".join(sorted(set(hows), key=hows.index)) if hows else "—"
        if d.value is None:
            how += " (unknown)"
        label = " ".join(names) + ("" if classes is None else f" --classes {classes}")
        print(f"{label:<52} {work:>7.3f} {fresh:>8.2f} {len(d.steps):>5}  {how}")
        total_work += work
    print("-" * len(header))
    print(f"{'total work':<52} {total_work:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
