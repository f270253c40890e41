"""The gallery: every built-in derivation as Markdown and standalone LaTeX, and an index.

``derive all --out DIR`` writes, for each :data:`~derive.families.GALLERY`
exhibit and each spec file in ``DIR/specs/*.toml``, ``STEM.md`` and ``STEM.tex``;
for each family with a law, its entropy (``entropy-NAME``) and the KL divergence
between two of its laws (``kl-NAME``); for each identity, ``identity-NAME``; and
an ``index.md`` that links them. Spec files are user text: each is parsed,
derived and rendered in a bounded worker (:mod:`derive.sandbox`), started before
the built-in pages are derived here and read after them.
The repository's ``derivations/`` folder is this output; a test regenerates it
and fails when the committed copy differs. Everything is rendered in memory
first and each file is then written atomically, so a failure leaves no
partial file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import sympy as sp

from derive.analysis import Analysis, analyse
from derive.engine import derive
from derive.errors import DeriveError
from derive.families import GALLERY, Exhibit
from derive.family import families
from derive.information.engine import Information
from derive.render.information import render_latex as render_latex_information
from derive.render.information import render_markdown as render_markdown_information
from derive.render.information import torch_call
from derive.render.latex import command_line, render_latex
from derive.render.markdown import render_markdown
from derive.steps import Derivation

__all__ = [
    "Page",
    "Row",
    "gallery",
    "identity_rows",
    "index",
    "information_rows",
    "page",
    "spec_files",
]


SPEC_SECONDS = 30.0
SPEC_WORKERS = 4  # spec files derived at once, beside the built-in pages
T = TypeVar("T")


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


def _spec_data(path: str) -> list[str]:
    row = _spec_row(path)
    return [row.stem, *row.cells, row.markdown, row.latex]


def _from_data(data: list[str]) -> Row:
    return Row(data[0], tuple(data[1:-2]), data[-2], data[-1])


def _bounded_spec_row(path: str) -> Row:
    from derive.sandbox import run_bounded

    return _from_data(run_bounded(_spec_data, path, timeout=SPEC_SECONDS))


def _spec_rows(paths: list[str], beside: Callable[[], T]) -> tuple[T, list[Row]]:
    """``beside()`` in this process while the spec files are derived in bounded workers
    (at most :data:`SPEC_WORKERS` at a time, each started before it is waited for);
    then the spec rows, in the order of ``paths``."""
    from derive.sandbox import Worker, start_bounded

    pending = list(paths)
    running: list[Worker[list[str]]] = []

    def top_up() -> None:
        while pending and len(running) < SPEC_WORKERS:
            running.append(start_bounded(_spec_data, pending.pop(0), timeout=SPEC_SECONDS))

    try:
        top_up()
        done = beside()
        rows = []
        while running:
            rows.append(_from_data(running[0].result()))
            running.pop(0)
            top_up()
    finally:
        for worker in running:
            worker.cancel()
    return done, rows


def _links(stem: str) -> str:
    return f"[{stem}.md]({stem}.md) · [{stem}.tex]({stem}.tex)"


def _information_row(stem: str, d: Information) -> Row:
    if d.value is None:
        found = "unknown"
    elif any(
        bound.is_infinite for s in d.value.atoms(sp.Sum) for _, *ends in s.limits for bound in ends
    ):
        found = "a series"  # an infinite sum with no closed form (a sum over K classes is one)
    else:
        found = "closed form"
    call = torch_call(d)
    cells = (
        d.kind,
        ", ".join(f"{inst.label} = {inst.law.name}" for inst in d.laws),
        d.unit,
        found,
        f"`{call}`" if call else "—",
        _links(stem),
    )
    return Row(
        stem, cells, render_markdown_information(d), render_latex_information(d, standalone=True)
    )


def information_rows() -> list[Row]:
    """The entropy of every law, and the KL divergence between two laws of each family."""
    from derive.information.api import entropy, kl

    rows = []
    for family in families():
        if family.law is None:
            continue
        rows.append(_information_row(f"entropy-{family.name}", entropy(family)))
        rows.append(_information_row(f"kl-{family.name}", kl(family, family)))
    return rows


def identity_rows() -> list[Row]:
    """One page per identity of the registry, in its order."""
    from derive.information.identities import IDENTITIES, identity

    rows = []
    for name in IDENTITIES:
        proved = identity(name)
        stem = f"identity-{name}"
        how = "refuted by an exact witness" if proved.witness is not None else "proved"
        cells = (name, proved.title, how, _links(stem))
        markdown = render_markdown_information(proved)
        rows.append(Row(stem, cells, markdown, render_latex_information(proved, standalone=True)))
    return rows


def _table(header: tuple[str, ...], rows: list[Row]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(c) for c in row.cells) + " |" for row in rows]


def index(
    rows: list[Row],
    example: str = "derive gaussian",
    information: list[Row] | None = None,
    identities: list[Row] | None = None,
) -> str:
    """The tables of the gallery: the losses (model, link, options, loss, torch name,
    convexity), then the entropies and KL divergences, then the identities."""
    lines = [
        "# Gallery of derivations",
        "",
        "Every built-in model and link, derived by `derive all --out derivations`: "
        "each proof as Markdown (readable here) and as a standalone LaTeX document "
        "(compiled by `pdflatex` in CI). Do not edit by hand: a test regenerates this "
        "folder and fails when it differs.",
        "",
        *_table(
            ("model", "link", "options", "loss", "torch", "convex in the prediction", "proof"),
            rows,
        ),
        "",
        "Reproduce one page with the command on its second line, for example "
        f"`{example} --format markdown`. The pages from `specs/*.toml` are "
        "user densities written in LaTeX; run their commands in this folder.",
        "",
    ]
    if information:
        lines += [
            "## Entropies and KL divergences",
            "",
            "Derived from the densities, step by step (`derive entropy NAME`, "
            "`derive kl P Q`); the torch expression computes the same value in nats.",
            "",
            *_table(("quantity", "laws", "unit", "value", "torch", "proof"), information),
            "",
        ]
    if identities:
        lines += [
            "## Identities",
            "",
            "Proved, or refuted by an exact counterexample (`derive identity NAME`).",
            "",
            *_table(("identity", "title", "status", "proof"), identities),
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

    def built_ins() -> tuple[list[Row], list[str]]:
        rows, examples = [], []
        for exhibit in GALLERY:
            shown = page(exhibit)
            examples.append(command_line(shown.derivation))
            rows.append(_page_row(exhibit.stem, shown.derivation, shown.analysis))
        return rows, examples

    (rows, examples), from_specs = _spec_rows(spec_files(specs), built_ins)
    rows += from_specs
    information, identities = information_rows(), identity_rows()
    files: dict[str, str] = {}
    for row in [*rows, *information, *identities]:
        if f"{row.stem}.md" in files:
            raise DeriveError(f"two gallery pages are called {row.stem}")
        files[f"{row.stem}.md"] = row.markdown
        files[f"{row.stem}.tex"] = row.latex
    files["index.md"] = index(rows, examples[0], information, identities)
    return files
