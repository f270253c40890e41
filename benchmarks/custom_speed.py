"""What a user density costs against the built-in it reproduces, measured alternately.

Run: python benchmarks/custom_speed.py [--rounds N]
`derive custom` parses the LaTeX, checks the density (positivity, normalisation)
and derives, analyses and renders it in a bounded worker process; the built-in
`derive gaussian` does only the derivation, analysis and rendering. The machines
are shared and noisy, so the commands are interleaved round by round and only
ratios of medians taken in the same run are reported, beside a bare
`import sympy` as the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

# every run derives: a cached output would time a replay (derive.cache)
UNCACHED = dict(os.environ, DERIVE_NO_CACHE="1")

GAUSSIAN = r"\frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(y-\mu)^2}{2\sigma^2}}"
CAUCHY = r"\frac{1}{\pi\gamma\left(1+\left(\frac{y-\mu}{\gamma}\right)^2\right)}"
DERIVE = [sys.executable, "-m", "derive"]
COMMANDS = {
    "import sympy": [sys.executable, "-c", "import sympy"],
    "derive gaussian": [*DERIVE, "gaussian"],
    "derive custom (gaussian LaTeX)": [
        *DERIVE,
        "custom",
        "--density",
        GAUSSIAN,
        "--target",
        "y",
        "--predict",
        "mu",
        "--fixed",
        "sigma",
    ],
    "derive custom (cauchy LaTeX)": [
        *DERIVE,
        "custom",
        "--density",
        CAUCHY,
        "--target",
        "y",
        "--predict",
        "mu",
        "--fixed",
        "gamma",
    ],
    "derive custom (refused: \\input)": [
        *DERIVE,
        "custom",
        "--density",
        r"\input{x}",
        "--target",
        "y",
        "--predict",
        "mu",
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.rounds):
        for name, argv in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(
                argv,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=UNCACHED,
            )
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["import sympy"])
    builtin = statistics.median(times["derive gaussian"])
    print(f"{'command':<36} {'median s':>9} {'/ import sympy':>15} {'/ derive gaussian':>18}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<36} {median:>9.3f} {median / base:>15.2f} {median / builtin:>18.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
