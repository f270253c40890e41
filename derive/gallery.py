"""The gallery: every built-in derivation as Markdown and standalone LaTeX, and an index.

``derive all --out DIR`` writes, for each :data:`~derive.catalog.GALLERY`
exhibit, ``STEM.md`` and ``STEM.tex`` and an ``index.md`` that links them.
The repository's ``derivations/`` folder is this output; a test regenerates it
and fails when the committed copy differs. Everything is rendered in memory
first and each file is then written atomically, so a failure leaves no
partial file.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.analysis import Analysis, analyse
from derive.catalog import GALLERY, Exhibit
from derive.engine import derive
from derive.render.latex import command_line, render_latex
from derive.render.markdown import render_markdown
from derive.steps import Derivation

__all__ = ["Page", "gallery", "index", "page"]


@dataclass(frozen=True)
class Page:
    """One exhibit, derived and analysed."""

    exhibit: Exhibit
    derivation: Derivation
    analysis: Analysis


def page(exhibit: Exhibit) -> Page:
    d = derive(
        exhibit.name,
        link=exhibit.link,
        targets=exhibit.targets,
        label_smoothing=exhibit.label_smoothing,
    )
    return Page(exhibit, d, analyse(d, exhibit.compare))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def index(pages: list[Page]) -> str:
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
    for shown in pages:
        d, an, stem = shown.derivation, shown.analysis, shown.exhibit.stem
        options = [f"{k}={v}" for k, v in d.options if (k, v) not in (("targets", "onehot"),)]
        if an.comparison is not None:
            options.append("vs MSE")
        loss = d.loss.loss.title if d.loss is not None else "unnamed"
        torch = f"`{d.loss.loss.torch}`" if d.loss is not None else "—"
        cells = [
            d.distribution,
            d.link,
            ", ".join(options) or "—",
            loss,
            torch,
            an.verdict.verdict,
            f"[{stem}.md]({stem}.md) · [{stem}.tex]({stem}.tex)",
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += [
        "",
        "Reproduce one page with the command on its second line, for example "
        f"`{command_line(pages[0].derivation)} --format markdown`.",
        "",
    ]
    return "\n".join(lines)


def gallery() -> dict[str, str]:
    """File name → contents for the whole gallery, rendered in memory."""
    pages = [page(exhibit) for exhibit in GALLERY]
    files: dict[str, str] = {}
    for shown in pages:
        stem = shown.exhibit.stem
        files[f"{stem}.md"] = render_markdown(shown.derivation, shown.analysis)
        files[f"{stem}.tex"] = render_latex(shown.derivation, shown.analysis, standalone=True)
    files["index.md"] = index(pages)
    return files
