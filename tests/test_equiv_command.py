"""``derive equiv`` end to end through derive.cli.main, and its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.cli import main
from derive.equiv import command
from derive.equiv.check import check_equivalent
from derive.equiv.command import EXIT, equiv_output, to_dict
from derive.errors import DeriveError
from derive.sandbox import WorkerLimit

A = r"(y-\mu)^2"
B = r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma"


def test_acceptance_equivalent_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["equiv", A, B, "--wrt", "mu"]) == 0
    out = capsys.readouterr().out
    assert "equivalent in mu: B = c·A + d" in out and "c = 1/(2·σ²)" in out
    assert "d = log(σ)" in out


def test_acceptance_different_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["equiv", A, B, "--wrt", "sigma"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("different in sigma:") and "witness (order)" in out


def test_unknown_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["equiv", r"\log(x^2)", r"2\log|x|", "--wrt", "x"]) == 3
    assert capsys.readouterr().out.startswith("unknown in x:")


def test_declarations_reach_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["equiv", r"\log(x^2)", r"2\log x", "--wrt", "x", "--positive", "x"]) == 0
    assert main(["equiv", "y^2", "y", "--wrt", "y", "--binary", "y"]) == 0
    assert main(["equiv", r"\sigma x", "x", "--wrt", "x", "--real", "sigma"]) == 1
    capsys.readouterr()


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["equiv", A, B, "--wrt", "mu", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "equivalent" and data["relation"] == "B = c·A + d"
    assert data["factor"] == {
        "sympy": "Mul(Rational(1, 2), Pow(Symbol('sigma', positive=True), Integer(-2)))",
        "text": "1/(2*sigma**2)",
    }
    assert data["constant"]["text"] == "log(sigma)" and data["witness"] is None
    assert main(["equiv", A, B, "--wrt", "sigma", "--format", "json"]) == 1
    witness = json.loads(capsys.readouterr().out)["witness"]
    assert witness["kind"] == "order" and witness["increasing"] == "B"
    assert witness["other"] == "equal" and set(witness["constants"]) == {"mu", "y"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["equiv", A, "--wrt", "mu"], "needs two expressions"),
        (["equiv", A, B], "needs --wrt"),
        (["equiv", A, B, "--wrt", "nu"], "'nu' occurs in neither"),
        (["equiv", "x^", "x", "--wrt", "x"], "A: "),
        (["equiv", A, B, "--wrt", "mu", "--format", "latex"], "text or json"),
        (["equiv", A, B, "--wrt", "mu", "--link", "logit"], "--link does not apply"),
        (["gaussian", "--wrt", "mu"], "--wrt only applies to 'derive equiv'"),
        (["equiv", A, B, "--wrt", "mu", "--timeout", "0"], "--timeout must be"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("derive: error: ") and message in captured.err
    assert captured.err.count("\n") == 1


def test_the_worker_bounds_time(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["equiv", A, B, "--wrt", "mu", "--timeout", "0.001"]) == 2
    assert "gave up after" in capsys.readouterr().err


def test_output_and_exit_status_in_process() -> None:
    status, text = equiv_output("x", "3x+1", "x", None, None, None, "text")
    assert status == EXIT["equivalent"] == 0 and "c = 3" in text
    status, text = equiv_output("x", "-x", "x", None, None, None, "json")
    assert status == 1 and json.loads(text)["witness"]["kind"] == "factor"
    slope = to_dict(check_equivalent("x", "x^3", "x"))["witness"]
    assert slope["kind"] == "slope" and len(slope["slopes"]) == 2


def test_help_names_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "derive equiv '(y-\\mu)^2'" in out and "--wrt NAMES" in out


def test_an_expression_may_start_with_a_minus(capsys: pytest.CaptureFixture[str]) -> None:
    ce = r"-\log\frac{e^{z_1}}{e^{z_1}+e^{z_2}}"
    assert main(["equiv", ce, r"\log(1+e^{z_2-z_1})", "--wrt", "z_1,z_2"]) == 0
    assert main(["equiv", "-x", "x", "--wrt", "x"]) == 1
    capsys.readouterr()


def test_a_dash_after_an_option_stays_its_value(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'-o -' is standard output (found by tests/test_properties.py: the answer went to a
    file named ' -'), and an expression after an option word is still an expression."""
    monkeypatch.chdir(tmp_path)
    assert main(["equiv", "|y-f|", "3|f-y| + b", "-o", "-", "--wrt", "f"]) == 0
    assert "c = 3" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    assert main(["equiv", "--wrt", "y", "-o", "-", "-y", "-2y"]) == 0
    assert "c = 2" in capsys.readouterr().out


def _sleep(*args: object) -> tuple[int, str]:
    import time

    time.sleep(30)
    return 0, ""


def _hog(*args: object) -> tuple[int, str]:
    return 0, str(len(bytearray(8 << 30)))


def test_the_time_limit_while_deciding_is_unknown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(command, "equiv_output", _sleep)
    argv = ["equiv", A, B, "--wrt", "mu", "--timeout", "1.5"]
    assert main(argv) == 3
    captured = capsys.readouterr()
    assert captured.out.startswith("unknown in mu: gave up after 1.5 s")
    assert "--timeout raises it" in captured.out and captured.err == ""
    assert main([*argv, "--format", "json"]) == 3
    document = json.loads(capsys.readouterr().out)
    assert document["status"] == "unknown" and document["wrt"] == ["mu"]
    assert "gave up after 1.5 s" in document["reason"] and document["witness"] is None


def test_the_memory_limit_while_deciding_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "equiv_output", _hog)
    status, text = command.run_equiv(
        A, B, "mu", None, None, None, "text", timeout=20, memory_mb=2048
    )
    assert status == 3
    assert text.startswith("unknown in mu: ran out of memory (limit 2048 MiB)")


def test_bad_input_stays_an_error_whatever_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "equiv_output", _sleep)
    with pytest.raises(DeriveError, match="B: ") as info:
        command.run_equiv(A, "x^", "mu", None, None, None, "text", timeout=5, memory_mb=2048)
    assert not isinstance(info.value, WorkerLimit)


def test_a_greek_wrt_is_named_by_its_letter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["equiv", A, B, "--wrt", "μ"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("derive: error: wrt: 'μ' is not a symbol name") and "write mu" in err
