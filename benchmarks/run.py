"""Every speed figure of derive in one run, printed as Markdown tables.

Run: python benchmarks/run.py [--quick] [--rounds N]

1. Cold commands against a bare ``python -c "import sympy"``: each command runs as a
   user runs it (a fresh interpreter, ``python -m derive``, the output cache off),
   all interleaved round by round so that every command sees the same noise, and
   only ratios of medians taken in this run are reported. Three times: as is; with
   ``PYTHONDONTWRITEBYTECODE=1`` (bytecode already cached is still read; nothing
   new is written); and with ``PYTHONDONTWRITEBYTECODE=1`` on a fresh copy of
   derive's source, which has no bytecode (compiled on every run). A second floor,
   the same import ending in ``os._exit`` (no interpreter teardown, which derive
   skips too), is shown beside the bare import.
2. A repeated command: ``derive gaussian`` replayed from the output cache (in a
   temporary cache folder), against the same bare import.
3. The gallery: ``derive all --out DIR`` once, timed, and compared byte for byte
   with the committed ``derivations/``.
4. The headline figures of the other benchmarks in this folder (analysis_speed,
   information, large_k, render_speed, custom_speed), computed with their own
   functions.
5. The emitted code against torch (``benchmarks/code_speed.py``, its ``rows()``),
   when that file is present.

The seconds are for one machine; compare ratios across machines. ``--quick`` takes
fewer rounds and smaller samples (about a minute); the full run takes a few minutes.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import inspect
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GAUSSIAN_LATEX = r"\frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(y-\mu)^2}{2\sigma^2}}"
DERIVE = [sys.executable, "-m", "derive"]
BASELINE = "import sympy"
COLD: dict[str, list[str]] = {
    BASELINE: [sys.executable, "-c", "import sympy"],
    # the same import without the interpreter's teardown, which derive skips (os._exit)
    "import sympy, no teardown": [sys.executable, "-c", "import os, sympy; os._exit(0)"],
    "derive gaussian": [*DERIVE, "gaussian"],
    "derive --help": [*DERIVE, "--help"],
    "derive categorical --link softmax": [*DERIVE, "categorical", "--link", "softmax"],
    "derive kl normal normal": [*DERIVE, "kl", "normal", "normal"],
    "derive custom (gaussian LaTeX)": [
        *DERIVE,
        *("custom", "--density", GAUSSIAN_LATEX, "--target", "y", "--predict", "mu"),
        *("--fixed", "sigma"),
    ],
}
TARGETS = {"derive gaussian": 1.3, "derive gaussian (cache hit)": 0.2}


def table(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table under a heading; numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(_is_number(row[i]) for row in cells) if cells else False for i in range(len(header))
    ]
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value).replace("|", "\\|")


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("×"))
    except ValueError:
        return False
    return True


def _environment(root: Path = ROOT, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(root))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def _interleaved(
    commands: dict[str, list[str]], env: dict[str, str], rounds: int
) -> dict[str, float]:
    """Median wall seconds of each command, run round by round in turn, in the folder
    that holds the derive it runs (``python -m`` looks in the current folder first)."""
    where = env["PYTHONPATH"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # once, unmeasured: bytecode and disk caches warm
        subprocess.run(argv, env=env, cwd=where, check=True, capture_output=True)
    for _ in range(rounds):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=env, cwd=where, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def cold(rounds: int) -> str:
    """Cold commands against a bare import of SymPy: as is; with PYTHONDONTWRITEBYTECODE=1
    (derive's bytecode from an earlier run is still read); and with PYTHONDONTWRITEBYTECODE=1
    on a fresh copy of derive's source, which has no bytecode: compiled on every run, as
    in a checkout where nothing may write (SymPy's installed bytecode is read as usual)."""
    with tempfile.TemporaryDirectory() as fresh:
        shutil.copytree(ROOT / "derive", Path(fresh) / "derive", ignore=_no_bytecode)
        modes = (
            ("as is", _environment(DERIVE_NO_CACHE="1")),
            ("no .pyc written", _environment(DERIVE_NO_CACHE="1", PYTHONDONTWRITEBYTECODE="1")),
            (
                "no .pyc of derive at all",
                _environment(Path(fresh), DERIVE_NO_CACHE="1", PYTHONDONTWRITEBYTECODE="1"),
            ),
        )
        results = [_interleaved(COLD, env, rounds) for _, env in modes]
        assert not list(Path(fresh).rglob("*.pyc")), "the fresh copy stayed without bytecode"
        check = "import derive, sys; sys.stdout.write(derive.__file__)"
        used = subprocess.run(
            [sys.executable, "-c", check], env=modes[2][1], cwd=fresh, capture_output=True
        )
        assert used.stdout.decode().startswith(fresh), "the fresh copy is what ran"
    rows = []
    for name in COLD:
        row: list[object] = [name]
        for medians in results:
            row += [medians[name], f"{medians[name] / medians[BASELINE]:.2f}×"]
        target = TARGETS.get(name)
        row.append(f"≤ {target}×" if target else "")
        rows.append(row)
    header = ["command"]
    for label, _ in modes:
        header += [f"s ({label})", "/ import sympy"]
    header.append("target")
    return table(f"Cold commands (median of {rounds} interleaved rounds, cache off)", header, rows)


def _no_bytecode(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name == "__pycache__" or name.endswith(".pyc")]


def cache_hit(rounds: int) -> str:
    """A repeated ``derive gaussian``, replayed from a temporary cache folder."""
    with tempfile.TemporaryDirectory() as folder:
        env = _environment(XDG_CACHE_HOME=folder, DERIVE_NO_CACHE="0")
        commands = {
            BASELINE: COLD[BASELINE],
            "derive gaussian (cache hit)": [*DERIVE, "gaussian"],
            "derive categorical --link softmax (cache hit)": COLD[
                "derive categorical --link softmax"
            ],
        }
        medians = _interleaved(commands, env, rounds)
    rows = [
        [
            name,
            value,
            f"{value / medians[BASELINE]:.2f}×",
            f"≤ {TARGETS[name]}×" if name in TARGETS else "",
        ]
        for name, value in medians.items()
    ]
    return table(
        f"A repeated command (median of {rounds} interleaved rounds)",
        ["command", "s", "/ import sympy", "target"],
        rows,
    )


def gallery() -> str:
    """``derive all`` into a fresh folder (with the committed spec files), timed once."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "g"
        shutil.copytree(ROOT / "derivations" / "specs", out / "specs")
        start = time.perf_counter()
        subprocess.run(
            [*DERIVE, "all", "--out", str(out)],
            env=_environment(DERIVE_NO_CACHE="1"),
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        same = _same_tree(out, ROOT / "derivations")
        files = sum(1 for p in out.iterdir() if p.is_file())
    return table(
        "The gallery (derive all --out DIR)",
        ["files", "s", "target", "identical to derivations/"],
        [[files, seconds, "< 20 s", "yes" if same else "NO"]],
    )


def _same_tree(a: Path, b: Path) -> bool:
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(_same_tree(a / d, b / d) for d in compared.common_dirs)


def _module(name: str) -> ModuleType | None:
    path = HERE / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def headlines(quick: bool) -> str:
    """One or two figures from each of the other benchmarks, with their own functions."""
    rounds = 1 if quick else 3
    rows: list[list[object]] = []

    analysis = _module("analysis_speed")
    if analysis is not None:
        from derive import derive
        from derive.analysis import analyse

        derive("gaussian")  # imports warm
        cases = analysis.BUILT_INS[:3] if quick else analysis.BUILT_INS
        worst = max(
            analysis._median(lambda n=n, o=o: analyse(derive(n, **o)), rounds) for n, o in cases
        )
        rows.append(
            ["analysis_speed", f"slowest derive + analyse of {len(cases)} built-ins", worst, "s"]
        )
        d = derive("categorical", link="softmax")
        rows.append(
            [
                "analysis_speed",
                "softmax convexity, symbolic K",
                analysis._median(lambda: analyse(d), rounds),
                "s",
            ]
        )

    information = _module("information")
    if information is not None:
        cases = information._cases()
        if quick:
            cases = [c for c in cases if c[1] != 64][::4]
        total = sum(
            statistics.median(information._work(names, classes, "e")[0] for _ in range(rounds))
            for names, classes in cases
        )
        rows.append(
            ["information", f"total work of {len(cases)} entropies and divergences", total, "s"]
        )

    large = _module("large_k")
    if large is not None:
        ks = (16, 32) if quick else (32, 64)
        works = [
            statistics.median(large._work(k, {"link": "softmax"}) for _ in range(rounds))
            for k in ks
        ]
        rows.append(["large_k", f"softmax derive + analyse + text at K = {ks[1]}", works[1], "s"])
        rows.append(
            [
                "large_k",
                f"growth exponent K = {ks[0]} → {ks[1]}",
                large._exponent(ks[0], works[0], ks[1], works[1]),
                "(1 = linear)",
            ]
        )

    render = _module("render_speed")
    if render is not None:
        from derive.families import GALLERY
        from derive.gallery import page
        from derive.render.latex import render_latex
        from derive.render.markdown import render_markdown
        from derive.render.text import render_text

        exhibits = GALLERY[:4] if quick else GALLERY
        latex, markdown = [], []
        for exhibit in exhibits:
            shown = page(exhibit)
            d, an = shown.derivation, shown.analysis
            text = render._time(partial(render_text, d, an))
            latex.append(render._time(partial(render_latex, d, an, standalone=True)) / text)
            markdown.append(render._time(partial(render_markdown, d, an)) / text)
        rows.append(
            [
                "render_speed",
                f"LaTeX / text, median of {len(exhibits)} exhibits",
                statistics.median(latex),
                "ratio",
            ]
        )
        rows.append(
            [
                "render_speed",
                f"Markdown / text, median of {len(exhibits)} exhibits",
                statistics.median(markdown),
                "ratio",
            ]
        )

    return table(
        "Other benchmarks (headline figures, in this process, SymPy's cache cleared)",
        ["benchmark", "figure", "value", "unit"],
        rows,
    )


def code_speed(quick: bool) -> str:
    """The rows of benchmarks/code_speed.py, when it exists (fewer repeats when quick)."""
    title = "Emitted code against torch (benchmarks/code_speed.py)"
    if not (HERE / "code_speed.py").is_file():
        print("(benchmarks/code_speed.py is not here: no emitted-code figures)", file=sys.stderr)
        return f"### {title}\n\nbenchmarks/code_speed.py is not present: skipped.\n"
    try:
        module = _module("code_speed")
        assert module is not None
        rows_of = module.rows
        accepted = inspect.signature(rows_of).parameters
        found: list[Any] = list(
            rows_of(repeats=3) if quick and "repeats" in accepted else rows_of()
        )
    except Exception as error:  # a benchmark that fails is reported, not fatal to the others
        return f"### {title}\n\nfailed: {type(error).__name__}: {error}\n"
    if found and isinstance(found[0], dict):
        header = list(found[0])
        rows = [[row.get(h, "") for h in header] for row in found]
    else:
        width = len(found[0]) if found else 0
        header = list(getattr(module, "HEADER", [f"column {i + 1}" for i in range(width)]))
        rows = [list(row) for row in found]
    return table(title, header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller samples")
    parser.add_argument("--rounds", type=int, help="rounds of the cold commands (15; quick 5)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (5 if args.quick else 15)
    sys.path.insert(0, str(ROOT))  # this checkout's derive, as the commands use
    started = time.perf_counter()
    sections: list[Callable[[], str]] = [
        lambda: cold(rounds),
        lambda: cache_hit(rounds),
        gallery,
        lambda: headlines(args.quick),
        lambda: code_speed(args.quick),
    ]
    mode = "quick" if args.quick else "full"
    python = sys.version.split()[0]
    print(f"## derive benchmarks ({mode}; Python {python}, {os.cpu_count()} CPUs)\n")
    for section in sections:
        print(section(), flush=True)
    print(
        f"total {time.perf_counter() - started:.0f} s; command: python benchmarks/run.py"
        + (" --quick" if args.quick else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
