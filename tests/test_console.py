"""The console entry: main on sys.argv with the collector off, then os._exit with its status."""

from __future__ import annotations

import atexit
import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import derive.cli as cli
from derive import console

ROOT = Path(__file__).resolve().parent.parent


class _Exited(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """``os._exit`` raises instead, the atexit handlers are recorded, not run (they are
    pytest's), and the collector is on again afterwards."""
    ran: list[str] = []

    def exit_(status: int) -> None:
        raise _Exited(status)

    monkeypatch.setattr(os, "_exit", exit_)
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: ran.append("atexit"))
    yield ran
    gc.enable()


def _status(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["derive", *argv])
    with pytest.raises(_Exited) as exited:
        console.run()
    return exited.value.status


def test_runs_main_with_the_collector_off_and_exits_with_its_status(
    exits: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[list[str], bool]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append((list(argv), gc.isenabled()))
        print("out")
        return 3

    monkeypatch.setattr(cli, "main", fake_main)
    assert _status(["gaussian", "--format", "json"], monkeypatch) == 3
    assert seen == [(["gaussian", "--format", "json"], False)]
    assert exits == ["atexit"] and capsys.readouterr().out == "out\n"


def test_errors_and_help_keep_their_status(
    exits: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _status(["gausian"], monkeypatch) == 2
    assert capsys.readouterr().err.startswith("derive: error:")
    assert _status(["--help"], monkeypatch) == 0  # argparse exits through SystemExit
    assert "usage: derive" in capsys.readouterr().out


def test_a_failed_flush_is_a_failure(exits: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    class Closed:
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "main", lambda argv: 0)
    monkeypatch.setattr(sys, "stdout", Closed())
    assert _status(["gaussian"], monkeypatch) == console.FLUSH_FAILED


def test_python_dash_m_derive_is_the_console_entry() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "derive", "gausian"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("derive: error:") and done.stderr.count("\n") == 1
