"""``python -m derive``: the console entry, :func:`derive.console.run`."""

from derive.console import run

run()
