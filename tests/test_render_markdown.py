"""Markdown proofs: the same content as the LaTeX proof, laid out for GitHub."""

from __future__ import annotations

import re
from typing import Any

import pytest

from derive.analysis import analyse
from derive.engine import derive
from derive.render.latex import render_latex
from derive.render.markdown import MarkdownPrinter, render_markdown, repr_latex
from tests.conftest import CASES, case_id


def _outside_code(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.S)


@pytest.mark.parametrize(("name", "options"), CASES, ids=[case_id(c) for c in CASES])
def test_markdown_math_is_well_delimited(name: str, options: dict[str, Any]) -> None:
    d = derive(name, **options)
    md = render_markdown(d, analyse(d))
    body = _outside_code(md)
    displays = re.findall(r"\$\$(.*?)\$\$", body, flags=re.S)
    assert displays
    for block in displays:
        for line in block.splitlines()[1:]:
            # a display line opening with - or + would start a Markdown list
            assert not line.lstrip().startswith(("-", "+", "*", "#")), line
    prose = re.sub(r"\$\$.*?\$\$", "", body, flags=re.S)
    for line in prose.splitlines():
        assert line.count("$") % 2 == 0, line
    assert md.isascii()
    # one justified row per step, as in the LaTeX proof
    rows = MarkdownPrinter().derivation_rows(d)
    assert sum(" && " in row for row in rows) == len(d.steps)
    for row in rows:
        assert row in md


def test_same_statement_steps_and_sections_as_latex() -> None:
    d = derive("bernoulli", link="logit")
    an = analyse(d, "mse")
    md, tex = render_markdown(d, an), render_latex(d, an)
    for heading in ("Gradient", "Hessian", "Convexity", "Linear predictor"):
        assert f"## {heading}" in md and f"\\subsection*{{{heading}}}" in tex
    assert "**Proposition.**" in md and "**Proof.**" in md
    assert "`torch.nn.BCEWithLogitsLoss`" in md
    assert md.count("- **") == tex.count(r"\item[")


def test_markdown_has_no_standalone_form_and_methods_agree() -> None:
    with pytest.raises(ValueError, match="standalone"):
        MarkdownPrinter({"standalone": True}).doprint(
            __import__("derive.render.latex", fromlist=["Proof"]).Proof(derive("gaussian"))
        )
    d = derive("laplace")
    assert d.to_markdown() == render_markdown(d, analyse(d))
    assert d.to_markdown(analysis=False) == render_markdown(d)
    assert d._repr_markdown_() == d.to_markdown()
    assert d._repr_latex_() == repr_latex(d)
