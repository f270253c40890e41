"""The output cache: hits, misses, damaged entries, atomic writes, what is never cached."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import derive
import derive.cli as cli
from derive import cache
from derive.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The cache on (conftest turns it off for every other test), in a temporary folder."""
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sys, "platform", "linux")
    return tmp_path / "xdg" / "derive"


@pytest.fixture
def derived(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The models actually derived (a hit derives nothing)."""
    calls: list[str] = []
    real_derive, real_information = cli._derive_output, cli._information_output

    def counted_derive(args: object) -> str:
        calls.append(args.name)  # type: ignore[attr-defined]
        return real_derive(args)  # type: ignore[arg-type]

    def counted_information(args: object) -> str:
        calls.append(args.name)  # type: ignore[attr-defined]
        return real_information(args)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_derive_output", counted_derive)
    monkeypatch.setattr(cli, "_information_output", counted_information)
    return calls


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.entry")) if folder.is_dir() else []


def test_a_repeated_command_replays_its_output(
    folder: Path, derived: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    first = _run(["laplace"], capsys)
    assert first[0] == 0 and "L1Loss" in first[1] and derived == ["laplace"]
    assert len(_entries(folder)) == 1
    assert _run(["laplace"], capsys) == first
    assert derived == ["laplace"]  # nothing derived the second time
    assert cache.replay(["laplace"]) == 0 and capsys.readouterr().out == first[1]


def test_other_arguments_or_versions_are_misses(
    folder: Path,
    derived: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = _run(["laplace"], capsys)[1]
    json = _run(["laplace", "--format", "json"], capsys)[1]
    assert json != text and derived == ["laplace", "laplace"]
    monkeypatch.setattr(derive, "__version__", "99.0")
    assert cache.lookup(["laplace"]) is None
    assert _run(["laplace"], capsys)[1] == text and len(derived) == 3
    monkeypatch.setattr(cache, "sympy_version", lambda: "0.1")
    assert cache.lookup(["laplace"]) is None
    monkeypatch.setattr(cache, "sympy_version", lambda: None)  # unreadable: no cache at all
    assert cache.key(["laplace"]) is None and cache.lookup(["laplace"]) is None
    assert _run(["laplace"], capsys)[1] == text and len(derived) == 4
    assert len(_entries(folder)) == 3


def test_the_key_holds_the_versions_and_the_arguments_exactly() -> None:
    key = cache.key(["gaussian", "--format=json"])
    assert key is not None
    import sympy

    assert repr(sympy.__version__) in key and repr(derive.__version__) in key
    assert cache.key(["gaussian", "--format", "json"]) != key  # no normalisation
    assert cache.sympy_version() == sympy.__version__


def test_a_damaged_entry_is_a_miss_and_is_rewritten(
    folder: Path, derived: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    text = _run(["laplace"], capsys)[1]
    (entry,) = _entries(folder)
    good = entry.read_bytes()
    for damaged in (
        good[:-10],  # truncated
        good[:-5] + bytes([good[-5] ^ 1]) + good[-4:],  # one bit flipped
        b"",
        b"not an entry at all",
    ):
        entry.write_bytes(damaged)
        assert cache.lookup(["laplace"]) is None
        assert _run(["laplace"], capsys) == (0, text, "")
        assert entry.read_bytes() == good
    assert derived == ["laplace"] * 5


def test_an_entry_under_another_key_is_not_replayed(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two keys with one file name (a digest collision, here forced) do not mix."""
    _run(["laplace"], capsys)
    (entry,) = _entries(folder)
    other = cache.key(["gaussian"])
    assert other is not None
    entry.rename(folder / Path(cache._path(str(folder), other)).name)
    assert cache.lookup(["gaussian"]) is None


def test_entries_are_written_atomically(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _run(["laplace"], capsys)[1]
    (entry,) = _entries(folder)
    good = entry.read_bytes()

    def broken(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    cache.store(["laplace"], "", "something else")  # fails quietly
    assert entry.read_bytes() == good  # the old entry is whole, no temporary is left
    assert sorted(p.name for p in folder.iterdir()) == [entry.name]
    assert cache.lookup(["laplace"]) == ("", text)


def test_no_cache_flag_and_environment_variable(
    folder: Path,
    derived: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = _run(["laplace", "--no-cache"], capsys)
    assert first[0] == 0 and _entries(folder) == []
    _run(["laplace"], capsys)
    assert len(_entries(folder)) == 1 and derived == ["laplace", "laplace"]
    monkeypatch.setenv(cache.ENV, "1")
    assert not cache.enabled(["laplace"])
    assert _run(["laplace"], capsys) == first and len(derived) == 3
    monkeypatch.setenv(cache.ENV, "0")
    assert _run(["laplace"], capsys) == first and len(derived) == 3  # a hit
    assert not cache.enabled(["laplace", "--no-cache"])


def test_help_documents_the_flag_and_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--no-cache" in out and "DERIVE_NO_CACHE=1" in out


def test_laws_and_identities_are_cached(
    folder: Path, derived: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["entropy", "bernoulli", "--base", "2"], ["identity", "gibbs"]):
        first = _run(argv, capsys)
        assert first[0] == 0 and _run(argv, capsys) == first
    assert derived == ["entropy", "identity"] and len(_entries(folder)) == 2


@pytest.mark.parametrize(
    "argv",
    [
        [
            "custom",
            "--density",
            r"\frac{1}{2b}e^{-\frac{|y-\mu|}{b}}",
            "--target",
            "y",
            "--predict",
            "mu",
            "--fixed",
            "b",
        ],
        ["--spec", "SPEC"],
        ["entropy", "--p-density", r"\frac{1}{2}e^{-|y|}"],
        ["list"],
        ["gausian"],  # a failed run
    ],
    ids=["custom", "spec", "density", "list", "error"],
)
def test_never_cached(
    argv: list[str], folder: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "laplace.toml"
    spec.write_text(
        "density = '\\frac{1}{2b}e^{-\\frac{|y-\\mu|}{b}}'\n"
        'target = "y"\npredict = "mu"\nfixed = ["b"]\n',
        encoding="utf-8",
    )
    argv = [str(spec) if a == "SPEC" else a for a in argv]
    code = _run(argv, capsys)[0]
    assert code == (2 if argv == ["gausian"] else 0)
    assert _entries(folder) == []


def test_the_output_path_is_part_of_the_key(
    folder: Path,
    derived: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    assert _run(["laplace", "--format", "md", "-o", str(a)], capsys) == (0, "", "")
    assert _run(["laplace", "--format", "md", "-o", str(b)], capsys) == (0, "", "")
    assert derived == ["laplace", "laplace"] and a.read_text() == b.read_text()
    text = a.read_text()
    a.unlink()
    b.write_text("old")
    os.chmod(b, 0o640)
    assert _run(["laplace", "--format", "md", "-o", str(a)], capsys) == (0, "", "")
    assert _run(["laplace", "--format", "md", "-o", str(b)], capsys) == (0, "", "")
    assert derived == ["laplace", "laplace"]  # replayed into the files
    assert a.read_text() == b.read_text() == text
    assert os.stat(b).st_mode & 0o777 == 0o640  # through the same writer: the mode is kept
    # a relative path names another file from another folder: a miss
    monkeypatch.chdir(tmp_path)
    assert _run(["laplace", "--format", "md", "-o", "c.md"], capsys) == (0, "", "")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert _run(["laplace", "--format", "md", "-o", "c.md"], capsys) == (0, "", "")
    assert len(derived) == 4 and (tmp_path / "elsewhere" / "c.md").read_text() == text


def test_a_replay_that_cannot_write_leaves_the_error_to_the_full_run(
    folder: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "out.md"
    _run(["laplace", "-o", str(target)], capsys)
    target.unlink()
    target.mkdir()  # now a folder: the writer refuses it
    assert cache.replay(["laplace", "-o", str(target)]) is None
    code, out, err = _run(["laplace", "-o", str(target)], capsys)
    assert code == 2 and out == "" and err.startswith("derive: error: cannot write")


def test_a_stream_that_cannot_encode_the_output_is_a_miss(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    _run(["laplace"], capsys)
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", ascii_out)
    assert cache.replay(["laplace"]) is None  # the full run escapes what ascii lacks


def test_an_unusable_cache_folder_is_silently_no_cache(
    folder: Path,
    derived: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    first = _run(["laplace"], capsys)
    assert first[0] == 0 and first[2] == ""
    assert _run(["laplace"], capsys) == first and derived == ["laplace", "laplace"]
    monkeypatch.setenv("HOME", "")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # ignored, as XDG says; no home either
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    assert cache.directory() is None
    assert _run(["laplace"], capsys) == first


def test_the_folder_of_each_platform(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = str(tmp_path)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path.replace("~", home))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "/x/cache")
    assert cache.directory() == os.path.join("/x/cache", "derive")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.directory() == os.path.join(home, ".cache", "derive")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert cache.directory() == os.path.join(home, "Library", "Caches", "derive")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", "/c/Local")
    assert cache.directory() == os.path.join("/c/Local", "derive")


def test_the_least_recently_used_entries_go_first(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for number, name in enumerate(("a", "b")):
        cache.store([name], "", name * 10)
        path = cache._path(str(folder), cache.key([name]) or "")
        os.utime(path, (1000 + number, 1000 + number))
    assert cache.lookup(["a"]) == ("", "a" * 10)  # used: now the newest
    stale = folder / "x.entry.1.ab.tmp"
    stale.write_text("left by a killed writer")
    os.utime(stale, (1000, 1000))
    cache.store(["c"], "", "c" * 10)
    assert cache.lookup(["b"]) is None
    assert cache.lookup(["a"]) == ("", "a" * 10) and cache.lookup(["c"]) == ("", "c" * 10)
    assert not stale.exists()
    monkeypatch.setattr(cache, "MAX_BYTES", 8 * 200)
    cache.store(["d"], "", "d" * 300)  # more than an eighth of the bound: not kept
    assert cache.lookup(["d"]) is None


def test_a_hit_imports_neither_sympy_nor_the_parser(folder: Path) -> None:
    """Through the interpreter, as a user runs it: the second run replays."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-X", "importtime", "-m", "derive", "laplace"]
    first = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    second = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert second.stdout == first.stdout and "L1Loss" in first.stdout

    def imported(stderr: str) -> set[str]:
        return {line.split("|")[-1].strip() for line in stderr.splitlines() if "|" in line}

    assert {"sympy", "argparse", "derive.cli"} <= imported(first.stderr)
    heavy = {"sympy", "argparse", "dataclasses", "derive.cli", "derive.family", "derive.files"}
    assert not heavy & imported(second.stderr)


def test_a_vanished_current_folder_is_a_miss(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def gone() -> str:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(os, "getcwd", gone)
    assert cache.key(["laplace", "-o", "out.md"]) is None
    assert cache.key(["laplace"]) is not None  # no output path: the folder does not matter


def test_a_closed_standard_output_is_a_miss(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(["laplace"], capsys)
    monkeypatch.setattr(sys, "stdout", None)
    assert cache.replay(["laplace"]) is None  # the full run says what is wrong
