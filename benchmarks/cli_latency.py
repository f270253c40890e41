"""Median wall time of `derive` commands against a bare `import sympy`, measured alternately.

Run: python benchmarks/cli_latency.py [--rounds N]
The machines are shared and noisy, so the commands are interleaved round by round
and only ratios of medians taken in the same run are reported. The second line is
SymPy's own floor: a bare import plus the first sum of three symbols, which loads
the tensor and combinatorics modules that `import sympy` alone does not.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

# every run derives: a cached output would time a replay (derive.cache)
UNCACHED = dict(os.environ, DERIVE_NO_CACHE="1")

COMMANDS = {
    "import sympy": [sys.executable, "-c", "import sympy"],
    # The floor of any SymPy computation: the first Add with three terms imports
    # sympy.tensor.tensor and sympy.combinatorics (sympy/core/add.py, Add.flatten).
    "import sympy; x + y + z": [
        sys.executable,
        "-c",
        "import sympy; x, y, z = sympy.symbols('x y z'); x + y + z",
    ],
    "derive gaussian": [sys.executable, "-m", "derive", "gaussian"],
    "derive categorical --link softmax": [
        sys.executable,
        "-m",
        "derive",
        "categorical",
        "--link",
        "softmax",
    ],
    "derive --help": [sys.executable, "-m", "derive", "--help"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    assert shutil.which(sys.executable)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.rounds):
        for name, argv in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=UNCACHED)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["import sympy"])
    print(f"{'command':<36} {'median s':>9} {'ratio to import sympy':>22}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<36} {median:>9.3f} {median / base:>22.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
