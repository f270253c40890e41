"""A cache of finished outputs: a repeated command prints without importing SymPy.

The command line (:func:`derive.cli.main`) stores the text a successful run wrote
(to standard output, or to the ``-o`` file), and :func:`replay` writes it again
when the same command comes back. This module imports nothing heavy: the console
entry (:mod:`derive.console`) calls it before SymPy and the argument parser.

* The key is the exact argument list (no normalisation: two spellings of one
  command are two entries), the package version, a fingerprint of the package's
  source files (their names, sizes and modification times: an edited checkout
  never replays an old output), SymPy's version (read from its ``release.py``,
  without importing it) and the Python version; with an ``-o`` path it is also
  the current folder, so the file written is the same file.
* Only named models and laws are cached: the command line stores after it has
  parsed the arguments and chosen a command, never for ``custom``, ``--spec``
  (a file that may change), a user density (``--p-density``/``--q-density``),
  ``plot``, ``all``, ``list`` or any other command, and never a failed run.
* Entries live in the user's cache folder (``$XDG_CACHE_HOME/derive`` or
  ``~/.cache/derive``; ``~/Library/Caches/derive`` on macOS;
  ``%LOCALAPPDATA%\\derive`` on Windows), one file per key, written to a temporary
  file and renamed into place. Each holds a SHA-256 of its contents: a damaged or
  truncated entry is a miss, and the run that follows rewrites it.
* At most :data:`MAX_ENTRIES` entries and :data:`MAX_BYTES` bytes: the least
  recently used go first.
* ``--no-cache`` or ``DERIVE_NO_CACHE=1`` turns it off; a folder that cannot be
  created, read or written is silently a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import sys

__all__ = [
    "ENV",
    "FLAG",
    "MAX_BYTES",
    "MAX_ENTRIES",
    "directory",
    "enabled",
    "key",
    "lookup",
    "replay",
    "store",
]

ENV = "DERIVE_NO_CACHE"
FLAG = "--no-cache"
MAX_ENTRIES = 512
MAX_BYTES = 32 * 1024 * 1024
FORMAT = b"derive-cache 1\n"
SUFFIX = ".entry"
STALE_SECONDS = 3600.0  # a temporary file older than this was left by a killed writer

_memo: dict[str, str | None] = {}


def enabled(argv: list[str] | tuple[str, ...]) -> bool:
    """Whether the cache may be used: no ``--no-cache`` and no ``DERIVE_NO_CACHE``."""
    return FLAG not in argv and os.environ.get(ENV, "") in ("", "0")


def directory() -> str | None:
    """The cache folder for this platform (``None`` when there is no home to put it in)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(
            os.path.expanduser("~"), "AppData", "Local"
        )
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
            base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home folder (expanduser left "~")
        return None
    return os.path.join(base, "derive")


def _source_fingerprint() -> str:
    """Name, size and modification time of every source file of the package."""
    if "source" not in _memo:
        root = os.path.dirname(os.path.abspath(__file__))
        parts: list[str] = []
        pending = [root]
        while pending:
            folder = pending.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":
                            pending.append(entry.path)
                    elif entry.name.endswith(".py"):
                        status = entry.stat()
                        name = os.path.relpath(entry.path, root)
                        parts.append(f"{name}:{status.st_size}:{status.st_mtime_ns}")
        _memo["source"] = hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()
    return _memo["source"] or ""


def sympy_version() -> str | None:
    """SymPy's ``__version__``, read from its ``release.py`` without importing SymPy."""
    if "sympy" not in _memo:
        _memo["sympy"] = None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec("sympy")
        origin = spec.origin if spec is not None else None
        if origin is not None:
            release = os.path.join(os.path.dirname(origin), "release.py")
            with open(release, encoding="utf-8") as handle:
                for line in handle:
                    name, equals, value = line.partition("=")
                    if equals and name.strip() == "__version__":
                        _memo["sympy"] = value.strip().strip("'\"") or None
                        break
    return _memo["sympy"]


def key(argv: list[str] | tuple[str, ...]) -> str | None:
    """The key of a command's output (``None`` when SymPy's version cannot be read)."""
    try:
        sympy = sympy_version()
        source = _source_fingerprint()
        # an output path is resolved against the current folder
        where = os.getcwd() if any(a.startswith(("-o", "--o")) for a in argv) else ""
    except (OSError, ValueError, ImportError):  # no such folder any more, unreadable, …
        return None
    if sympy is None:
        return None
    from derive import __version__

    python = "%d.%d" % sys.version_info[:2]
    return repr(("derive-cache", __version__, source, sympy, python, where, *argv))


def _path(folder: str, text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(folder, digest[:40] + SUFFIX)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def lookup(argv: list[str] | tuple[str, ...]) -> tuple[str, str] | None:
    """``(destination, text)`` stored for this command, or ``None``: destination is
    ``""`` or ``"-"`` for standard output, else the ``-o`` path as given."""
    folder, text = directory(), key(argv)
    if folder is None or text is None:
        return None
    path = _path(folder, text)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return None
    header, _, rest = data.partition(b"\n")
    digest, _, body = rest.partition(b"\n")
    if header + b"\n" != FORMAT or hashlib.sha256(body).hexdigest().encode() != digest:
        return None  # damaged: a miss, and the run that follows rewrites it
    try:
        stored, destination, output = body.decode("utf-8", "surrogateescape").split("\0", 2)
    except ValueError:
        return None
    if stored != text:  # another key with the same digest
        return None
    try:
        os.utime(path)  # recently used: evicted last
    except OSError:
        pass
    return destination, output


def replay(argv: list[str] | tuple[str, ...]) -> int | None:
    """Write the stored output of this command, as the run that stored it did, and
    return the exit status (0); ``None`` on a miss or when the output cannot be
    written the way it was (the full run then says why)."""
    found = lookup(argv)
    if found is None:
        return None
    destination, text = found
    if destination in ("", "-"):
        stream = sys.stdout
        if stream is None:  # closed (``>&-``): the full run reports it
            return None
        try:
            text.encode(stream.encoding or "utf-8")
        except (UnicodeEncodeError, LookupError):
            return None  # the full run escapes what this stream cannot encode
        try:
            stream.write(text)
            stream.flush()
        except OSError as error:
            print(f"derive: error: {error.strerror or error}", file=sys.stderr)
            return 2
        return 0
    from derive.errors import DeriveError
    from derive.files import atomic_path

    try:
        with atomic_path(destination) as temporary:
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(text)
    except DeriveError:
        return None
    return 0


def store(argv: list[str] | tuple[str, ...], destination: str, text: str) -> None:
    """Keep ``text``, the output a successful run of ``argv`` wrote to ``destination``
    (``""`` or ``"-"``: standard output). Never raises: a cache that cannot be written
    is no cache."""
    if not enabled(argv):
        return
    folder, name = directory(), key(argv)
    if folder is None or name is None:
        return
    body = _encode(f"{name}\0{destination}\0{text}")
    if len(body) > MAX_BYTES // 8:
        return
    data = FORMAT + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
    path = _path(folder, name)
    temporary = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with open(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        _evict(folder)
    except OSError:
        return


def _evict(folder: str) -> None:
    """Least recently used entries out until at most MAX_ENTRIES and MAX_BYTES remain;
    temporary files a killed writer left behind out too."""
    import time

    entries: list[tuple[int, int, str]] = []
    now = time.time()
    with os.scandir(folder) as found:
        for entry in found:
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if entry.name.endswith(".tmp"):
                if now - status.st_mtime > STALE_SECONDS:
                    _remove(entry.path)
            elif entry.name.endswith(SUFFIX):
                entries.append((status.st_mtime_ns, status.st_size, entry.path))
    entries.sort(reverse=True)  # newest first
    total = 0
    for count, (_, size, path) in enumerate(entries, start=1):
        total += size
        if count > MAX_ENTRIES or total > MAX_BYTES:
            _remove(path)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
