"""Notebook display is attached to Derivation by derive.display, not by the data model."""

from __future__ import annotations

import subprocess
import sys

from derive import derive


def test_display_methods_are_attached() -> None:
    d = derive("gaussian")
    assert d.to_latex(analysis=False).startswith("\\section*")
    assert "MSELoss" in d.to_markdown()
    assert d._repr_latex_().startswith("$\\displaystyle")
    assert d._repr_markdown_() == d.to_markdown()


def test_the_data_model_imports_nothing_above_it() -> None:
    code = (
        "import sys, derive.steps; "
        "above = [m for m in sys.modules if m.startswith('derive.') and m not in "
        "('derive.steps',)]; assert not above, above"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
