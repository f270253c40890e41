"""The console script ``derive`` and ``python -m derive``: :func:`run`.

A finished output in the cache (:mod:`derive.cache`) is replayed before SymPy or
the argument parser is imported. Otherwise :func:`derive.cli.main` runs with the
cyclic garbage collector off (SymPy's expressions rarely form cycles; collecting
while half a thousand modules are imported costs tens of milliseconds), and the
process ends with :func:`os._exit` once the streams are flushed and the ``atexit``
handlers have run, which skips the interpreter's teardown of SymPy's objects
(another tens of milliseconds).

:func:`derive.cli.main` stays the in-process entry: it neither turns the collector
off nor exits.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

__all__ = ["run"]

# What CPython exits with when flushing standard output fails at shutdown.
FLUSH_FAILED = 120


def run() -> None:
    """Run the command line on ``sys.argv`` and end the process with its status."""
    gc.disable()
    argv = sys.argv[1:]
    status: int | None = None
    try:
        from derive import cache

        if cache.enabled(argv):
            status = cache.replay(argv)
        if status is None:
            from derive.cli import main

            status = main(argv)
    except SystemExit as exit_:  # --help and --version end through argparse
        code = exit_.code
        status = code if isinstance(code, int) else (0 if code is None else 1)
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
    _exit(status)


def _exit(status: int) -> None:
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # closed before the process started
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or FLUSH_FAILED
    os._exit(status)
