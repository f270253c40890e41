"""Markdown proofs: the same content as the LaTeX proof, laid out for GitHub."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from derive.analysis import analyse
from derive.engine import derive
from derive.render.latex import ProofPrinter, render_latex
from derive.render.markdown import MarkdownPrinter, render_markdown, repr_latex
from tests.conftest import CASES, LOCATION_CASES, case_id, mathjax_node

ROOT = Path(__file__).resolve().parent.parent


def _outside_code(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.S)


ALL_CASES = CASES + LOCATION_CASES


@pytest.mark.parametrize(("name", "options"), ALL_CASES, ids=[case_id(c) for c in ALL_CASES])
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


def test_every_formula_parses_in_mathjax(tmp_path: Path) -> None:
    """GitHub renders Markdown math with MathJax: every formula must parse there."""
    node, modules = mathjax_node()
    files = sorted(str(p) for p in (ROOT / "derivations").glob("*.md"))
    for number, (name, options) in enumerate(CASES):
        d = derive(name, **options)
        compare = "mse" if options.get("link") in ("logit", "softmax") else None
        page = tmp_path / f"case{number}.md"
        page.write_text(d.to_markdown(compare=compare) + "\n" + d._repr_latex_() + "\n")
        files.append(str(page))
    for classes in (5, 64):  # an indexed vector; K = 5 written out overflowed MathJax's buffer
        d = derive("categorical", link="softmax", classes=classes)
        page = tmp_path / f"classes{classes}.md"
        page.write_text(d.to_markdown(compare="mse") + "\n" + d._repr_latex_() + "\n")
        files.append(str(page))
    bad = tmp_path / "bad.md"
    bad.write_text("$\\undefinedmacro{x}$\n")
    script = str(ROOT / "tests" / "mathjax_check.js")
    env = {**os.environ, "NODE_PATH": modules}
    result = subprocess.run(
        [node, script, *files], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    count = int(result.stdout.split()[-3])
    assert count > 1000
    # the checker does find errors
    failing = subprocess.run(
        [node, script, str(bad)], env=env, capture_output=True, text=True, timeout=60
    )
    assert failing.returncode == 1 and "undefinedmacro" in failing.stdout


def test_long_aligned_blocks_are_cut_for_mathjax() -> None:
    """MathJax stops at 5 KiB of formula text: a long derivation is several aligned blocks,
    each under the limit, with every row kept."""
    from derive.render.markdown import DISPLAY_CHARACTERS

    d = derive("categorical", link="softmax", classes=4)
    md = d.to_markdown()
    rows = MarkdownPrinter().derivation_rows(d)
    blocks = re.findall(r"\$\$(.*?)\$\$", md, flags=re.S)
    assert max(len(b) for b in blocks) < DISPLAY_CHARACTERS + 200
    assert sum(len(r) for r in rows) > DISPLAY_CHARACTERS  # so the derivation was cut
    for row in rows:
        assert row in md


def test_a_phrase_note_is_math_with_its_words_in_text() -> None:
    import sympy as sp

    y, mu = sp.symbols("y mu")
    phrase = ["the integral split at ", sp.Eq(y, mu, evaluate=False)]
    assert MarkdownPrinter().phrase_note(phrase) == r"\text{the integral split at }y = \mu"
    assert ProofPrinter().phrase_note(phrase) == r"\text{the integral split at $y = \mu$}"
    assert MarkdownPrinter().phrase_text(phrase) == r"the integral split at $y = \mu$"
