"""derive.entropy, cross_entropy, kl and identity: checked arguments, notebook display."""

from __future__ import annotations

import subprocess
import sys

import pytest

import derive
from derive.errors import DeriveError
from derive.information.api import parse_classes
from derive.render.information import render_latex, render_markdown
from tests.information_fixtures import CATEGORICAL, registry


def test_the_wrappers_derive_each_kind() -> None:
    h = derive.entropy("normal", base="bits")
    assert (h.kind, h.base, h.unit, h.laws[0].family.name) == ("entropy", "2", "bits", "gaussian")
    ce = derive.cross_entropy("normal", "gaussian", base=10)
    assert (ce.kind, ce.base, len(ce.laws)) == ("cross-entropy", "10", 2)
    kl = derive.kl("normal", "normal")
    assert kl.kind == "kl" and kl.value is not None and kl.reason is None
    assert derive.kl(CATEGORICAL, CATEGORICAL, classes="3").laws[0].entries[-1].name == "p_3"
    assert derive.entropy(CATEGORICAL, classes=5).laws[0].classes == 5


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        (1, "--classes must be from 2 to 64, got 1"),
        (65, "--classes must be from 2 to 64, got 65"),
        ("x", "--classes must be a whole number from 2 to 64, got 'x'"),
        ("-3", "--classes must be a whole number"),
        ("1" * 5000, "--classes must be a whole number"),
        (2.5, "--classes is a whole number, not float"),
        (True, "--classes is a whole number, not bool"),
    ],
)
def test_classes_are_checked(classes: object, message: str) -> None:
    with pytest.raises(DeriveError, match=message.replace("(", r"\(")):
        parse_classes(classes)
    assert parse_classes(None) is None and parse_classes(" 64 ") == 64


def test_errors_are_derive_errors() -> None:
    with pytest.raises(DeriveError, match="did you mean 'gaussian'"):
        derive.kl("gausian", "normal")
    with pytest.raises(DeriveError, match="unknown base"):
        derive.entropy("normal", base="3")
    with pytest.raises(DeriveError, match="unknown identity 'nope'"):
        derive.identity("nope")


def test_identity_reads_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.information import identities

    monkeypatch.setattr(identities, "IDENTITIES", registry())
    proved = derive.identity("Gibbs")
    assert proved.name == "gibbs" and proved.title == "Gibbs' inequality"
    with pytest.raises(DeriveError, match="did you mean 'gibbs'"):
        derive.identity("gibs")


def test_results_display_in_notebooks(monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.information import identities

    d = derive.kl("normal", "normal")
    assert d.to_markdown() == render_markdown(d)  # type: ignore[attr-defined]
    assert d._repr_markdown_() == render_markdown(d)  # type: ignore[attr-defined]
    assert d.to_latex(standalone=True) == render_latex(d, standalone=True)  # type: ignore[attr-defined]
    monkeypatch.setattr(identities, "IDENTITIES", registry())
    proved = derive.identity("asymmetry")
    assert proved.to_markdown() == render_markdown(proved)  # type: ignore[attr-defined]


def test_the_identity_registry_reads_without_sympy() -> None:
    """derive list names the identities: their records and registry are plain data."""
    code = (
        "import sys\n"
        "from derive.information.identities import IDENTITIES\n"
        "from derive.information import identity\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
