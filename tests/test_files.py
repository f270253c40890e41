"""Atomic writes of the file a path names: all or nothing, keeping links and modes."""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import pytest

from derive.errors import DeriveError
from derive.files import atomic_path, atomic_paths, check_writable


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


def _only(folder: Path) -> list[str]:
    """What the folder holds, by name: no temporary may be left behind."""
    return sorted(p.name for p in folder.iterdir())


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real" / "out.txt"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with atomic_path(str(link)) as temporary:
        assert os.path.dirname(temporary) == str(real.parent)  # atomic in the target's folder
        Path(temporary).write_text("new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert _only(tmp_path) == ["link.txt", "real"] and _only(real.parent) == ["out.txt"]


def test_a_dangling_symlink_writes_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "new.txt")
    with atomic_path(str(link)) as temporary:
        Path(temporary).write_text("new")
    assert link.is_symlink() and (tmp_path / "new.txt").read_text() == "new"
    away = tmp_path / "away.txt"
    away.symlink_to(tmp_path / "missing" / "x.txt")
    with pytest.raises(DeriveError) as caught, atomic_path(str(away)):
        pass
    assert str(caught.value) == (f"cannot write {away}: no such directory {tmp_path / 'missing'}")


def test_an_empty_path_is_refused() -> None:
    with pytest.raises(DeriveError, match=r"^cannot write '': the path is empty$"):
        check_writable("")


def test_a_symlink_loop_is_one_line_naming_the_path(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(DeriveError, match=f"^cannot write {loop}: .*symbolic links"):
        check_writable(str(loop))


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "secret.txt"
    target.write_text("old")
    target.chmod(0o600)
    with atomic_path(str(target)) as temporary:
        Path(temporary).write_text("new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o7777 == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_an_existing_file_keeps_its_owner_as_root(tmp_path: Path) -> None:
    target = tmp_path / "theirs.txt"
    target.write_text("old")
    os.chown(target, 12345, 23456)
    with atomic_path(str(target)) as temporary:
        Path(temporary).write_text("new")
    assert (target.stat().st_uid, target.stat().st_gid) == (12345, 23456)


def _socket(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return server


def test_what_is_not_a_regular_file_is_refused_and_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link-to-fifo"
    link.symlink_to(fifo)
    sock = tmp_path / "s"
    server = _socket(sock)
    try:
        for path, kind in [
            (folder, "directory"),
            (fifo, "FIFO"),
            (link, "FIFO"),
            (sock, "socket"),
            (Path("/dev/null"), "character device"),
        ]:
            with pytest.raises(DeriveError) as caught:
                check_writable(str(path))
            assert str(caught.value) == f"cannot write {path}: not a regular file ({kind})"
        for path in (folder, fifo, link, sock):
            with pytest.raises(DeriveError), atomic_path(str(path)):
                pytest.fail("the body must not run")
    finally:
        server.close()
    assert stat.S_ISFIFO(fifo.stat().st_mode) and link.is_symlink()
    assert stat.S_ISSOCK(sock.stat().st_mode) and folder.is_dir()
    assert _only(tmp_path) == ["fifo", "folder", "link-to-fifo", "s"]


def test_a_read_only_file_is_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ro.txt"
    target.write_text("old")
    target.chmod(0o444)
    if os.access(target, os.W_OK):  # root may write anything: pretend it may not
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(DeriveError) as caught, atomic_path(str(target)):
        pass
    assert str(caught.value) == f"cannot write {target}: Permission denied"
    assert target.read_text() == "old"


def test_os_errors_name_the_path_and_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"

    def read_only(source: str, destination: str) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(DeriveError) as caught, atomic_path(str(target)) as temporary:
        Path(temporary).write_text("new")
    assert str(caught.value) == f"cannot write {target}: Read-only file system"
    assert _only(tmp_path) == []


def test_an_os_error_while_writing_names_the_path(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(DeriveError) as caught, atomic_path(str(target)) as temporary:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), temporary)
    assert str(caught.value) == f"cannot write {target}: No space left on device"
    assert _only(tmp_path) == []


def test_several_files_are_written_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("old a")
    (tmp_path / "c.md").mkdir()  # one target cannot be written
    paths = [str(tmp_path / name) for name in ("a.md", "b.md", "c.md")]
    with pytest.raises(DeriveError) as caught, atomic_paths(paths):
        pytest.fail("the body must not run")
    assert str(caught.value) == f"cannot write {paths[2]}: not a regular file (directory)"
    assert _only(tmp_path) == ["a.md", "c.md"] and (tmp_path / "a.md").read_text() == "old a"
    paths[2] = str(tmp_path / "d.md")
    with pytest.raises(RuntimeError), atomic_paths(paths) as temporaries:
        for temporary in temporaries:
            Path(temporary).write_text("new")
        raise RuntimeError("boom")
    assert _only(tmp_path) == ["a.md", "c.md"] and (tmp_path / "a.md").read_text() == "old a"
    with atomic_paths(paths) as temporaries:
        assert len(set(temporaries)) == 3
        for temporary, text in zip(temporaries, ("A", "B", "D")):
            Path(temporary).write_text(text)
    assert [(tmp_path / n).read_text() for n in ("a.md", "b.md", "d.md")] == ["A", "B", "D"]
    assert _only(tmp_path) == ["a.md", "b.md", "c.md", "d.md"]


def test_two_paths_to_one_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "alias.md").symlink_to(tmp_path / "a.md")
    with (
        pytest.raises(DeriveError, match="same file as"),
        atomic_paths([str(tmp_path / "a.md"), str(tmp_path / "alias.md")]),
    ):
        pytest.fail("the body must not run")
    assert _only(tmp_path) == ["alias.md"]
