"""File output: the file a path names, replaced atomically, or nothing.

Every file derive writes (``-o FILE``, the gallery, figures) goes through
:func:`atomic_path` or, for several files at once, :func:`atomic_paths`:

* a symlink is followed and its target written (the link stays a link), also a
  dangling one whose target's folder exists;
* only regular files are replaced: a directory, device, FIFO or socket is refused
  with one line that names the path, before anything is written;
* the new contents go to a temporary file in the target's folder, renamed over
  the target only once complete, so a failed run leaves no partial file;
* an existing file keeps its mode (and its owner where the process may set it);
  a new file gets the usual mode, 0666 less the umask;
* every ``OSError`` becomes a :class:`DeriveError` that names the path.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from derive.errors import DeriveError

__all__ = ["atomic_path", "atomic_paths", "check_writable"]

_KINDS = (
    (stat.S_ISDIR, "directory"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
)


@dataclass(frozen=True)
class _Target:
    """A path as given (for messages), the file it names, and that file's status."""

    path: str
    real: str
    existing: os.stat_result | None


def _failure(path: str, error: OSError) -> DeriveError:
    return DeriveError(f"cannot write {path}: {error.strerror or error}")


def _target(path: str) -> _Target:
    if not path:  # realpath('') is the current folder
        raise DeriveError("cannot write '': the path is empty")
    real = os.path.realpath(path)  # every symlink followed, dangling ones too
    try:
        existing: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        existing = None
    except OSError as error:  # a symlink loop, a file used as a folder, …
        raise _failure(path, error) from None
    if existing is not None:
        if not stat.S_ISREG(existing.st_mode):
            kind = next((name for test, name in _KINDS if test(existing.st_mode)), "unknown type")
            raise DeriveError(f"cannot write {path}: not a regular file ({kind})")
        if not os.access(real, os.W_OK):
            raise DeriveError(f"cannot write {path}: Permission denied")
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        raise DeriveError(f"cannot write {path}: no such directory {folder}")
    return _Target(path, real, existing)


def check_writable(path: str) -> None:
    """Raise the :class:`DeriveError` that writing ``path`` would raise for what it names
    (not a regular file, no such folder, no permission); for a check before slow work."""
    _target(path)


def _temporary(target: _Target, suffix: str) -> str:
    """A new empty file next to the target; ``os.open`` applies the umask to 0666."""
    folder = os.path.dirname(target.real)
    while True:
        name = os.path.join(folder, f".derive-{secrets.token_hex(6)}{suffix}")
        try:
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        return name


def _keep_mode_and_owner(target: _Target, temporary: str) -> None:
    if target.existing is None:
        return
    mine = os.stat(temporary)
    if (mine.st_uid, mine.st_gid) != (target.existing.st_uid, target.existing.st_gid):
        try:
            os.chown(temporary, target.existing.st_uid, target.existing.st_gid)
        except OSError:
            pass  # only root may give a file away: the new file is ours
    os.chmod(temporary, stat.S_IMODE(target.existing.st_mode))  # after chown, which clears setuid


@contextmanager
def atomic_paths(paths: Sequence[str], suffix: str = ".tmp") -> Iterator[list[str]]:
    """Yield one temporary path per path to write; on success each replaces the file its
    path names, else all are removed and no target changes.

    Every target is checked and every temporary created before the body runs, so a
    target that cannot be written (a directory, a FIFO, a missing or read-only
    folder) fails the whole set before anything is written. Only the final renames,
    one per file within its own folder, could still fail part-way.
    """
    targets = [_target(path) for path in paths]
    seen: dict[str, str] = {}
    for target in targets:
        if target.real in seen:
            raise DeriveError(f"cannot write {target.path}: same file as {seen[target.real]}")
        seen[target.real] = target.path
    temporaries: list[str] = []
    placed: set[str] = set()
    current = targets[0].path if targets else ""
    try:
        for target in targets:
            current = target.path
            temporaries.append(_temporary(target, suffix))
        try:
            yield list(temporaries)
        except OSError as error:
            owner = dict(zip(temporaries, paths)).get(str(error.filename))
            if owner is None:
                owner = paths[0] if len(paths) == 1 else os.path.commonpath(paths)
            raise _failure(owner, error) from None
        for target, temporary in zip(targets, temporaries):
            current = target.path
            _keep_mode_and_owner(target, temporary)
        for target, temporary in zip(targets, temporaries):
            current = target.path
            os.replace(temporary, target.real)
            placed.add(temporary)
    except OSError as error:
        raise _failure(current, error) from None
    finally:
        for temporary in temporaries:
            if temporary not in placed:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass  # the error that brought us here is the one to report


@contextmanager
def atomic_path(path: str, suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces the file ``path`` names,
    else it is removed (:func:`atomic_paths` with one path)."""
    with atomic_paths([path], suffix) as (temporary,):
        yield temporary
