"""Spec files: TOML in, the same request as the command line's flags, errors in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.cli import main
from derive.errors import DeriveError
from derive.spec import request_from_file

SPECS = Path(__file__).resolve().parent.parent / "derivations" / "specs"


def test_committed_specs_read() -> None:
    secant = request_from_file(str(SPECS / "hyperbolic-secant.toml"))
    assert (secant.name, secant.target, secant.predict, secant.fixed) == (
        "hyperbolic-secant",
        "y",
        ("mu",),
        ("gamma",),
    )
    lognormal = request_from_file(str(SPECS / "log-normal.toml"))
    assert lognormal.support == "positive" and lognormal.domains == (("mu", "real"),)
    learned = request_from_file(str(SPECS / "gaussian-learned-scale.toml"))
    assert learned.predict == ("mu", "sigma") and learned.domains == (("sigma", "positive"),)
    assert learned.source == (("--spec", str(SPECS / "gaussian-learned-scale.toml")),)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("density = 'y'\ntarget = 'y'\npredict = 'mu'\ncolour = 'red'\n", "unknown key 'colour'"),
        ("density = 'y'\ntarget = 'y'\n", "needs density, target and predict"),
        ("density = 1\ntarget = 'y'\npredict = 'mu'\n", "density must be a string"),
        ("density = 'y'\ntarget = 'y'\npredict = [1]\n", "predict must be a string or a list"),
        ("density = 'y\n", "not valid TOML"),
        ('density = "\\mu"\n', "single quotes"),
        ("density='y'\ntarget='y'\npredict='mu'\n[domains]\nmu = 3\n", "domains must be a table"),
        ("density='y'\ntarget='y'\npredict='a b'\n", "not a symbol name"),
    ],
)
def test_bad_specs_are_one_line_errors(text: str, needle: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeriveError, match=needle):
        request_from_file(str(path))


def test_spec_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(DeriveError, match="cannot read"):
        request_from_file(str(tmp_path / "missing.toml"))
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (70 * 1024))
    with pytest.raises(DeriveError, match="at most 64 KiB"):
        request_from_file(str(big))
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DeriveError, match="not UTF-8"):
        request_from_file(str(binary))


def test_spec_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--spec", str(SPECS / "hyperbolic-secant.toml")]) == 0
    out = capsys.readouterr().out
    assert "derive hyperbolic-secant" in out and "unnamed" in out
    assert "ℓ is convex in μ." in out and "logsumexp" in out
    assert main(["--spec", str(SPECS / "log-normal.toml")]) == 0
    out = capsys.readouterr().out
    assert "(log(yᵢ) − μᵢ)²" in out and "unnamed" in out and "ℓ is convex in μ." in out
    assert main(["custom", "--spec", str(SPECS / "log-normal.toml"), "--density", "y"]) == 2
    assert "do not also give --density" in capsys.readouterr().err
