"""Atomic file output: a temporary file in the target's folder, renamed into place.

Every file derive writes (``-o FILE``, the gallery, figures) goes through
:func:`atomic_path`, so a failed run never leaves a partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from derive.errors import DeriveError

__all__ = ["atomic_path"]


@contextmanager
def atomic_path(path: str, suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces ``path``, else it is removed.

    The file gets the usual mode (0666 less the umask), not ``mkstemp``'s 0600.
    """
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise DeriveError(f"cannot write {path}: no such directory {folder}")
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".derive-", suffix=suffix)
    os.close(fd)
    try:
        yield temporary
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
