"""What the LaTeX and Markdown proofs cost beside the text rendering, side by side.

Run: python benchmarks/render_speed.py [--rounds N]
For every gallery exhibit the derivation and analysis are built once; then the
three renderers run interleaved, round after round (SymPy's cache cleared
before each call, so every call prints from cold), and the script prints the
median seconds of each and the ratios latex/text and markdown/text. Ratios
taken in one run are what to compare across machines; the seconds are not.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from sympy.core.cache import clear_cache

from derive.families import GALLERY
from derive.gallery import page
from derive.render.latex import render_latex
from derive.render.markdown import render_markdown
from derive.render.text import render_text


def _time(action: Callable[[], object]) -> float:
    clear_cache()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    header = ("exhibit", "text s", "latex s", "md s", "latex/text", "md/text")
    print("{:32} {:>8} {:>8} {:>8} {:>11} {:>8}".format(*header))
    for exhibit in GALLERY:
        shown = page(exhibit)
        d, an = shown.derivation, shown.analysis
        actions: dict[str, Callable[[], object]] = {
            "text": partial(render_text, d, an),
            "latex": partial(render_latex, d, an, standalone=True),
            "md": partial(render_markdown, d, an),
        }
        times: dict[str, list[float]] = {name: [] for name in actions}
        for _ in range(rounds):
            for name, action in actions.items():  # interleaved: the same noise for all
                times[name].append(_time(action))
        med = {name: statistics.median(values) for name, values in times.items()}
        print(
            f"{exhibit.stem:32} {med['text']:8.3f} {med['latex']:8.3f} {med['md']:8.3f} "
            f"{med['latex'] / med['text']:11.2f} {med['md'] / med['text']:8.2f}"
        )


if __name__ == "__main__":
    main()
