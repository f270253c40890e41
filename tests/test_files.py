"""Atomic writes: all or nothing, with the usual file mode."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from derive.errors import DeriveError
from derive.files import atomic_path


def test_success_replaces_the_target_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_path(str(target)) as temporary:
        Path(temporary).write_text("new")
    assert target.read_text() == "new"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert list(tmp_path.iterdir()) == [target]


def test_failure_leaves_the_target_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(str(target)) as temporary:
        Path(temporary).write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_missing_folder_is_a_derive_error(tmp_path: Path) -> None:
    with (
        pytest.raises(DeriveError, match="no such directory"),
        atomic_path(str(tmp_path / "missing" / "x")),
    ):
        pass
