"""Hostile input to ``derive custom``: refused with one line, fast, and never evaluated.

The contract for bad input (see DESIGN.md, "User text"): exit status 2, exactly
one line on stderr starting ``derive: error:`` (no traceback, no ``internal
error``), nothing on stdout, no output file, and done within the time limit.
Each case of :mod:`tests.hostile_corpus` runs in-process through ``main(argv)``
(with ``--timeout 5`` appended unless the case sets its own), a sample runs
through the installed console script, and positive controls make sure the
suite cannot pass merely because ``derive custom`` does not exist.

Stderr is captured at the file-descriptor level (``capfd``), so a traceback
printed by a forked worker process is caught too.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from derive.cli import main
from tests.hostile_corpus import (
    CANARY_PATH,
    CASES,
    CHOICE_IDS,
    GAUSSIAN_ARGV,
    SLOW_IDS,
    canary_payloads,
)

DEFAULT_TIMEOUT = 10.0
"""The documented default of ``--timeout``."""

APPENDED_TIMEOUT = "5"
GRACE = 5.0
"""Wall time allowed beyond the time limit (worker start-up, kill, clean-up)."""

STARTUP = 5.0
"""Extra wall time for a fresh interpreter in the console-script tests."""

MAX_LINE = 1000
"""The error line echoes user text truncated, never a 100 kB density whole."""

PREFIX = "derive: error:"

GENERIC_REFUSALS = (
    "unknown distribution",
    "unknown model",
    "unrecognized arguments",
    "invalid choice: 'custom'",
    "choose one of: gaussian",
)
"""What the CLI says when ``custom`` or its options do not exist: never a pass."""

CASE_BY_ID = dict(CASES)
DURATIONS: dict[str, float] = {}


# --------------------------------------------------------------------------- helpers


def _has_timeout(argv: list[str]) -> bool:
    return any(a == "--timeout" or a.startswith("--timeout=") for a in argv)


def _with_timeout(argv: list[str]) -> list[str]:
    return list(argv) if _has_timeout(argv) else [*argv, "--timeout", APPENDED_TIMEOUT]


def _limit(argv: list[str]) -> float:
    """The time limit the run is held to: a sane ``--timeout`` value, else the default."""
    value: str | None = None
    for position, arg in enumerate(argv):
        if arg == "--timeout" and position + 1 < len(argv):
            value = argv[position + 1]
        elif arg.startswith("--timeout="):
            value = arg.split("=", 1)[1]
    try:
        seconds = float(value) if value is not None else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT
    if not math.isfinite(seconds) or not 0 < seconds <= DEFAULT_TIMEOUT:
        return DEFAULT_TIMEOUT
    return seconds


def _check_refusal(case_id: str, code: int, out: str, err: str) -> None:
    """Assert the bad-input contract on one run's exit status and output."""
    shown = f"{case_id}: exit {code}\nstdout: {out[:400]!r}\nstderr: {err[:600]!r}"
    assert code == 2, shown
    assert out == "", shown
    assert "Traceback" not in err, shown
    assert "internal error" not in err, shown
    lines = err.split("\n")
    assert len(lines) == 2 and lines[1] == "", f"not exactly one stderr line\n{shown}"
    line = lines[0]
    assert line.startswith(PREFIX), shown
    assert line[len(PREFIX) :].strip(), f"empty message\n{shown}"
    raw = sorted({f"U+{ord(c):04X}" for c in line if not c.isprintable()})
    assert not raw, f"control/format characters echoed raw {raw}\n{shown}"
    assert len(line) <= MAX_LINE, f"error line of {len(line)} chars (untruncated input?)"
    for generic in GENERIC_REFUSALS:
        assert generic not in err, f"refused by the CLI itself, not the feature\n{shown}"
    if case_id not in CHOICE_IDS:
        assert "invalid choice" not in err, shown
    assert "root:x:0:0" not in err, f"file contents leaked\n{shown}"


def _children() -> set[int]:
    """Live (non-zombie) child processes of this process, found by parent id in /proc."""
    me = os.getpid()
    live = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != me or fields[0] == "Z":
                continue
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if b"forkserver" not in cmdline and b"resource_tracker" not in cmdline:
            live.add(int(entry.name))
    return live


def _assert_no_leftover_worker(before: set[int], case_id: str) -> None:
    deadline = time.monotonic() + 2.0
    left = _children() - before
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = _children() - before
    assert not left, f"{case_id}: worker process(es) {sorted(left)} still running after main"


def _run_in_process(
    case_id: str, argv: list[str], capfd: pytest.CaptureFixture[str], folder: Path
) -> None:
    """Run one hostile case through ``main`` in ``folder`` and check the whole contract."""
    full = _with_timeout(argv)
    before = _children()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        start = time.monotonic()
        code = main(full)
        elapsed = time.monotonic() - start
    finally:
        os.chdir(cwd)
    DURATIONS[case_id] = elapsed
    out, err = capfd.readouterr()
    _check_refusal(case_id, code, out, err)
    limit = _limit(full)
    assert elapsed < limit + GRACE, f"{case_id}: {elapsed:.2f} s, limit {limit} s"
    assert not os.path.exists(CANARY_PATH), f"{case_id}: user text was evaluated by Python"
    assert sorted(p.name for p in folder.iterdir()) == [], f"{case_id}: created files"
    _assert_no_leftover_worker(before, case_id)


def _derive_script() -> str:
    found = shutil.which("derive")
    assert found is not None, "the console script 'derive' is not installed"
    return found


def _run_script(argv: list[str], folder: Path, timeout: float = 30.0) -> tuple[int, str, str]:
    """Run the console script in its own session; kill the whole group on timeout."""
    process = subprocess.Popen(
        [_derive_script(), *argv],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"derive {argv[:3]}… still running after {timeout} s")
    return (
        process.returncode,
        out.decode("utf-8", errors="replace"),
        err.decode("utf-8", errors="replace"),
    )


# --------------------------------------------------------------------------- positive controls


def test_control_gaussian_derives(capfd: pytest.CaptureFixture[str]) -> None:
    """The valid example succeeds with the same ``--timeout`` the hostile cases get."""
    code = main([*GAUSSIAN_ARGV, "--timeout", APPENDED_TIMEOUT])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert err == ""
    assert "MSE" in out


def test_control_gaussian_every_option(capfd: pytest.CaptureFixture[str]) -> None:
    """Every option the hostile cases abuse exists and takes a valid value."""
    argv = [*GAUSSIAN_ARGV, "--support", "real", "--link", "identity", "--format", "json"]
    code = main([*argv, "--timeout", "2"])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert err == ""
    assert isinstance(json.loads(out), dict)
    assert "MSE" in out


def test_control_gaussian_output_file(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``-o`` does write a file for good input, so the no-file checks below can fail."""
    target = tmp_path / "out.txt"
    code = main([*GAUSSIAN_ARGV, "--timeout", APPENDED_TIMEOUT, "-o", str(target)])
    _, err = capfd.readouterr()
    assert code == 0, err
    assert "MSE" in target.read_text(encoding="utf-8")


def test_control_console_script(tmp_path: Path) -> None:
    code, out, err = _run_script(GAUSSIAN_ARGV, tmp_path)
    assert code == 0, err
    assert err == ""
    assert "MSE" in out


PURE_PYTHON_PAYLOADS = (
    "bare",
    "double-quoted",
    "eval",
    "exec",
    "lambda",
    "f-string",
    "os-system",
    "open-write",
)


@pytest.mark.parametrize("name", PURE_PYTHON_PAYLOADS)
def test_control_canary_payload_fires(name: str, tmp_path: Path) -> None:
    """Each canary payload really creates its file when Python evaluates it."""
    probe = tmp_path / "probe"
    payload = canary_payloads(str(probe))[name]
    exec(payload, {})
    assert probe.exists()


def test_control_canary_fires_through_sympify(tmp_path: Path) -> None:
    """Why user text must never reach ``sympify``: it evaluates the canary."""
    import sympy

    probe = tmp_path / "probe"
    sympy.sympify(canary_payloads(str(probe))["bare"])
    assert probe.exists()


def test_corpus_shape() -> None:
    assert len(CASES) >= 170
    assert 0 < len(SLOW_IDS) <= 15
    for case_id in SLOW_IDS:
        assert _limit(CASE_BY_ID[case_id]) == 2.0
    assert sum(case_id.startswith("canary-") for case_id in CASE_BY_ID) >= 10
    assert not os.path.exists(CANARY_PATH)


# --------------------------------------------------------------------------- every case, in-process


@pytest.mark.parametrize(("case_id", "argv"), CASES, ids=[case_id for case_id, _ in CASES])
def test_hostile_in_process(
    case_id: str, argv: list[str], capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _run_in_process(case_id, argv, capfd, tmp_path)


# --------------------------------------------------------------------------- -o writes nothing

OUTPUT_IDS = (
    "unbalanced-brace-group-open",
    "density-negative-everywhere",
    "density-no-predicted-parameter",
    "huge-pow-10-10-10-kernel",
    "text-nul-inside",
    "canary-density-bare",
    "names-target-absent",
    "timeout-nan",
    "format-json-bad-density",
)


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
@pytest.mark.parametrize("case_id", OUTPUT_IDS)
def test_bad_input_writes_no_output_file(
    case_id: str, existing: bool, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "derivation.txt"
    if existing:
        target.write_text("previous contents\n", encoding="utf-8")
    argv = _with_timeout([*CASE_BY_ID[case_id], "-o", str(target)])
    start = time.monotonic()
    code = main(argv)
    elapsed = time.monotonic() - start
    out, err = capfd.readouterr()
    _check_refusal(case_id, code, out, err)
    assert elapsed < _limit(argv) + GRACE
    if existing:
        assert target.read_text(encoding="utf-8") == "previous contents\n"
        assert [p.name for p in folder.iterdir()] == ["derivation.txt"], "temporary file left"
    else:
        assert not target.exists()
        assert list(folder.iterdir()) == [], "temporary file left"


# --------------------------------------------------------------------------- console script

E2E_IDS = (
    "nest-paren-1000",
    "nest-left-right-paren-1000",
    "nest-frac-numerator-200",
    "nest-sqrt-60",
    "unbalanced-open-1000",
    "huge-pow-10-10-10-kernel",
    "huge-gcd-10-10-10",
    "huge-factorial-10e7",
    "big-random-printable",
    "big-repeated-sum",
    "text-escape-clear-screen",
    "text-invalid-utf8-surrogates",
    "unicode-rtl-override",
    "tex-immediate-write18",
    "canary-density-eval",
    "python-subclasses",
    "names-predict-10kb",
    "missing-density",
)
E2E_CASES = [
    (case_id, CASE_BY_ID[case_id])
    for case_id in E2E_IDS
    if not any("\x00" in arg for arg in CASE_BY_ID[case_id])  # argv cannot carry NUL
]


def test_e2e_sample_size() -> None:
    assert len(E2E_CASES) >= 15


@pytest.mark.parametrize(("case_id", "argv"), E2E_CASES, ids=[c for c, _ in E2E_CASES])
def test_hostile_console_script(case_id: str, argv: list[str], tmp_path: Path) -> None:
    full = _with_timeout(argv)
    start = time.monotonic()
    code, out, err = _run_script(full, tmp_path)
    elapsed = time.monotonic() - start
    _check_refusal(case_id, code, out, err)
    limit = _limit(full)
    assert elapsed < limit + GRACE + STARTUP, f"{case_id}: {elapsed:.2f} s, limit {limit} s"
    assert not os.path.exists(CANARY_PATH)
    assert list(tmp_path.iterdir()) == [], f"{case_id}: created files"


# --------------------------------------------------------------------------- after everything


def test_zz_canary_never_created(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Every canary case once more, in-process and through the console script; no file."""
    canaries = [(c, argv) for c, argv in CASES if c.startswith("canary-")]
    for number, (case_id, argv) in enumerate(canaries):
        folder = tmp_path / f"in-process-{number}"
        folder.mkdir()
        _run_in_process(case_id, argv, capfd, folder)
    for case_id, argv in canaries[:3]:
        code, out, err = _run_script(_with_timeout(argv), tmp_path)
        _check_refusal(case_id, code, out, err)
    assert not os.path.exists(CANARY_PATH), "user text was evaluated by Python"


def test_zz_slowest_case_report(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Report the slowest case (runs any case not yet run, e.g. under ``-k``)."""
    for number, (case_id, argv) in enumerate(CASES):
        if case_id not in DURATIONS:
            folder = tmp_path / f"case-{number}"
            folder.mkdir()
            _run_in_process(case_id, argv, capfd, folder)
    assert set(DURATIONS) >= set(CASE_BY_ID)
    ranked = sorted(DURATIONS.items(), key=lambda item: item[1], reverse=True)
    slowest, seconds = ranked[0]
    over = [c for c, t in ranked if t > 0.5]
    unexpected = [c for c in over if c not in SLOW_IDS]
    with capfd.disabled():
        print(f"\nhostile: {len(DURATIONS)} cases, slowest {slowest} in {seconds:.2f} s")
        print("hostile: five slowest: " + ", ".join(f"{c} {t:.2f} s" for c, t in ranked[:5]))
        print(f"hostile: {len(over)} over 0.5 s ({len(unexpected)} not expected to be slow)")
        if unexpected:
            print("hostile: unexpectedly slow: " + ", ".join(unexpected[:20]))
    limit = _limit(_with_timeout(CASE_BY_ID[slowest]))
    assert seconds < limit + GRACE, f"slowest {slowest}: {seconds:.2f} s, limit {limit} s"
