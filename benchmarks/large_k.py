"""How `derive categorical --classes K` grows with K: seconds, output bytes, growth exponents.

Run: python benchmarks/large_k.py [--rounds N] [--link softmax] [--targets soft]
                                  [--label-smoothing 0.1] [--classes 2,3,5,64]
For each K the command runs as a user runs it (a fresh interpreter, ``python -m
derive``) in the three formats — text, ``--format latex --standalone`` and
``--format markdown`` — interleaved round by round; the table shows the median
seconds, the bytes each format prints, and the growth exponent between
successive K, log(t₂/t₁)/log(K₂/K₁) (1 is linear, 2 quadratic). The last columns
time the work alone in this process — derive, analyse and render the text, with
SymPy's cache cleared first — so the exponent is not hidden under the
interpreter's start-up. Up to four classes are written out one by one, above
four the classes are an indexed vector, so expect a step between K = 4 and 5 and
a flat line after it. Ratios and exponents from one run are what to compare
across machines; the seconds are not. Set PYTHONDONTWRITEBYTECODE=1 to time the
commands without reading or writing bytecode caches.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import time

from sympy.core.cache import clear_cache

# every run derives: a cached output would time a replay (derive.cache)
UNCACHED = dict(os.environ, DERIVE_NO_CACHE="1")

FORMATS = {
    "text": [],
    "latex": ["--format", "latex", "--standalone"],
    "md": ["--format", "markdown"],
}


def _exponent(k1: int, t1: float, k2: int, t2: float) -> str:
    if t1 <= 0 or t2 <= 0:
        return "—"
    return f"{math.log(t2 / t1) / math.log(k2 / k1):.2f}"


def _work(classes: int, options: dict[str, str]) -> float:
    """Seconds to derive, analyse and render the text in this process, from a cold cache."""
    from derive import derive
    from derive.analysis import analyse
    from derive.render.text import render_text

    clear_cache()
    start = time.perf_counter()
    d = derive("categorical", classes=classes, **options)  # type: ignore[arg-type]
    render_text(d, analyse(d))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--link", default="softmax")
    parser.add_argument("--targets", default=None)
    parser.add_argument("--label-smoothing", default=None)
    parser.add_argument("--classes", default="2,3,4,5,8,16,32,64")
    args = parser.parse_args()
    ks = [int(k) for k in args.classes.split(",")]
    flags = ["--link", args.link]
    options = {"link": args.link}
    if args.targets:
        flags += ["--targets", args.targets]
        options["targets"] = args.targets
    if args.label_smoothing:
        flags += ["--label-smoothing", args.label_smoothing]
        options["label_smoothing"] = args.label_smoothing
    print("derive categorical " + " ".join(flags) + " --classes K")
    header = ("K", "text s", "latex s", "md s", "text B", "latex B", "md B")
    header += ("exp text", "exp latex", "exp md", "work s", "exp work")
    print("{:>3} {:>7} {:>8} {:>7} {:>8} {:>8} {:>8} {:>9} {:>9} {:>7} {:>7} {:>9}".format(*header))
    previous: tuple[int, dict[str, float], float] | None = None
    for k in ks:
        seconds: dict[str, list[float]] = {name: [] for name in FORMATS}
        sizes: dict[str, int] = {}
        for _ in range(args.rounds):
            for name, extra in FORMATS.items():  # interleaved: the same noise for all
                argv = [sys.executable, "-m", "derive", "categorical", *flags, "--classes", str(k)]
                start = time.perf_counter()
                done = subprocess.run(
                    [*argv, *extra], check=True, capture_output=True, env=UNCACHED
                )
                seconds[name].append(time.perf_counter() - start)
                sizes[name] = len(done.stdout)
        med = {name: statistics.median(values) for name, values in seconds.items()}
        work = statistics.median(_work(k, options) for _ in range(args.rounds))
        exps = ["—", "—", "—", "—"]
        if previous is not None:
            k0, med0, work0 = previous
            exps = [_exponent(k0, med0[name], k, med[name]) for name in FORMATS]
            exps.append(_exponent(k0, work0, k, work))
        print(
            f"{k:>3} {med['text']:>7.2f} {med['latex']:>8.2f} {med['md']:>7.2f} "
            f"{sizes['text']:>8} {sizes['latex']:>8} {sizes['md']:>8} "
            f"{exps[0]:>9} {exps[1]:>9} {exps[2]:>7} {work:>7.3f} {exps[3]:>9}"
        )
        previous = (k, med, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
