"""Time to produce the convexity verdicts, and the concrete softmax Hessian as K grows.

Run: python benchmarks/analysis_speed.py
Each figure is the median of a few cold runs (SymPy's cache cleared before each) in
this process. The symbolic-K proof is one proof for every K.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from sympy.core.cache import clear_cache

from derive import derive
from derive.analysis import analyse

BUILT_INS: list[tuple[str, dict[str, object]]] = [
    ("gaussian", {}),
    ("laplace", {}),
    ("bernoulli", {}),
    ("bernoulli", {"link": "logit"}),
    ("categorical", {}),
    ("categorical", {"link": "softmax"}),
    ("categorical", {"link": "softmax", "targets": "soft"}),
    ("categorical", {"link": "softmax", "label_smoothing": "0.1"}),
    ("categorical", {"targets": "soft"}),
]


def _median(action: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        clear_cache()  # cold: SymPy's cache would otherwise answer repeats for free
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    derive("gaussian")  # warm the imports
    print(f"{'model':<48} {'derive s':>9} {'analyse s':>10} {'verdict':>8}")
    for name, options in BUILT_INS:
        d = derive(name, **options)  # type: ignore[arg-type]
        t_derive = _median(lambda n=name, o=options: derive(n, **o))  # type: ignore[misc]
        t_analyse = _median(lambda d=d: analyse(d))  # type: ignore[misc]
        label = " ".join([name, *(f"--{k.replace('_', '-')} {v}" for k, v in options.items())])
        print(f"{label:<48} {t_derive:>9.3f} {t_analyse:>10.3f} {analyse(d).verdict.verdict:>8}")
    d = derive("bernoulli", link="logit")
    print(
        f"{'bernoulli --link logit --loss mse':<48} {'':>9} "
        f"{_median(lambda: analyse(d, 'mse')):>10.3f} {'':>8}"
    )
    print()
    print(f"{'softmax Hessian, K':<20} {'analyse s':>10} {'verdict':>8}")
    for k in (2, 4, 8, 16, 32):
        d = derive("categorical", link="softmax", classes=k)
        seconds = _median(lambda d=d: analyse(d), repeat=1 if k >= 16 else 3)  # type: ignore[misc]
        print(f"{k:<20} {seconds:>10.3f} {analyse(d).verdict.verdict:>8}")
    d = derive("categorical", link="softmax")
    print(
        f"{'symbolic K':<20} {_median(lambda: analyse(d)):>10.3f} {analyse(d).verdict.verdict:>8}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
