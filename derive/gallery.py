"""The gallery: every built-in derivation as Markdown and standalone LaTeX, and an index.

``derive all --out DIR`` writes, for each :data:`~derive.families.GALLERY`
exhibit and each spec file in ``DIR/specs/*.toml``, ``STEM.md`` and ``STEM.tex``
and an ``index.md`` that links them. Spec files are user text: each is parsed,
derived and rendered in a bounded worker (:mod:`derive.sandbox`).
The repository's ``derivations/`` folder is this output; a test regenerates it
and fails when the committed copy differs. Everything is rendered in memory
first and each file is then written atomically, so a failure leaves no
partial file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from derive.analysis import Analysis, analyse
from derive.engine import derive
from derive.errors import DeriveError
from derive.families import GALLERY, Exhibit
from derive.render.latex import command_line, render_latex
from derive.render.markdown import render_markdown
from derive.steps import Derivation

__all__ = ["Page", "Row", "gallery", "index", "page", "spec_files"]


SPEC_SECONDS = 30.0


@dataclass(frozen=True)
class Page:
    """One exhibit, derived and analysed."""

    exhibit: Exhibit
    derivation: Derivation
    analysis: Analysis


@dataclass(frozen=True)
class Row:
    """What the index says of one page, and the page's two files."""

    stem: str
    cells: tuple[str, ...]
    markdown: str
    latex: str


def page(exhibit: Exhibit) -> Page:
    d = derive(exhibit.name, link=exhibit.link, **dict(exhibit.options))
    return Page(exhibit, d, analyse(d, exhibit.compare))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _row(stem: str, d: Derivation, an: Analysis) -> tuple[str, ...]:
    defaults = {(o.name, o.default) for o in d.model.family.options}
    options = [f"{k}={v}" for k, v in d.options if (k, v) not in defaults]
    if an.comparison is not None:
        options.append("vs MSE")
    loss = d.loss.loss.title if d.loss is not None else "unnamed"
    named = d.loss.loss.torch if d.loss is not None else None
    torch = f"`{named}`" if named else "—"
    return (
        d.distribution,
        d.link,
        ", ".join(options) or "—",
        loss,
        torch,
        an.verdict.verdict,
        f"[{stem}.md]({stem}.md) · [{stem}.tex]({stem}.tex)",
    )


def _page_row(stem: str, d: Derivation, an: Analysis) -> Row:
    return Row(
        stem,
        _row(stem, d, an),
        render_markdown(d, an),
        render_latex(d, an, standalone=True),
    )


def _spec_row(path: str) -> Row:
    """Derive and render one spec file (run in the worker; only strings come back)."""
    from derive.custom import family_from_request
    from derive.spec import request_from_file

    request = request_from_file(path)
    # the command that reproduces the page, from the gallery's folder, wherever that is
    shown = os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
    request = replace(request, source=(("--spec", shown),))
    d = derive(family_from_request(request), link=request.link)
    stem = os.path.splitext(os.path.basename(path))[0]
    return _page_row(stem, d, analyse(d))


def _bounded_spec_row(path: str) -> Row:
    from derive.sandbox import run_bounded

    def as_data(p: str) -> list[str]:
        row = _spec_row(p)
        return [row.stem, *row.cells, row.markdown, row.latex]

    data = run_bounded(as_data, path, timeout=SPEC_SECONDS)
    return Row(data[0], tuple(data[1:-2]), data[-2], data[-1])


def index(rows: list[Row], example: str = "derive gaussian") -> str:
    """The table of the gallery: model, link, options, loss, torch name, convexity."""
    lines = [
        "# Gallery of derivations",
        "",
        "Every built-in model and link, derived by `derive all --out derivations`: "
        "each proof as Markdown (readable here) and as a standalone LaTeX document "
        "(compiled by `pdflatex` in CI). Do not edit by hand: a test regenerates this "
        "folder and fails when it differs.",
        "",
        "| model | link | options | loss | torch | convex in the prediction | proof |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(_cell(c) for c in row.cells) + " |")
    lines += [
        "",
        "Reproduce one page with the command on its second line, for example "
        f"`{example} --format markdown`. The pages from `specs/*.toml` are "
        "user densities written in LaTeX; run their commands in this folder.",
        "",
    ]
    return "\n".join(lines)


def spec_files(folder: str | None) -> list[str]:
    """The spec files of a gallery folder, in name order."""
    if folder is None or not os.path.isdir(folder):
        return []
    return [
        os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".toml")
    ]


def gallery(specs: str | None = None) -> dict[str, str]:
    """File name → contents for the whole gallery, rendered in memory.

    ``specs`` is a folder of spec files to render after the built-in exhibits.
    """
    rows = []
    examples = []
    for exhibit in GALLERY:
        shown = page(exhibit)
        examples.append(command_line(shown.derivation))
        rows.append(_page_row(exhibit.stem, shown.derivation, shown.analysis))
    rows += [_bounded_spec_row(path) for path in spec_files(specs)]
    files: dict[str, str] = {}
    for row in rows:
        if f"{row.stem}.md" in files:
            raise DeriveError(f"two gallery pages are called {row.stem}")
        files[f"{row.stem}.md"] = row.markdown
        files[f"{row.stem}.tex"] = row.latex
    files["index.md"] = index(rows, examples[0])
    return files
