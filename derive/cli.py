"""The command line: ``derive NAME [options]`` and ``derive list``.

``main(argv)`` returns the exit status. SymPy is imported only once a
derivation is requested, so ``derive --help`` and ``derive list`` stay fast.
Every user error is one line on stderr and exit status 2; ``-o FILE`` is
written atomically (a temporary file renamed into place), never partially.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence

from derive.catalog import ENTRIES
from derive.errors import DeriveError

__all__ = ["main"]

TIME_LIMIT_SECONDS = 60

EPILOG = """examples:
  derive gaussian                         MLE under Gaussian noise is minimum MSE
  derive bernoulli --link logit           BCEWithLogitsLoss, gradient σ(z) − y, convex
  derive bernoulli --link logit --loss mse   why not MSE on σ(z): vanishing gradient
  derive categorical --link softmax --label-smoothing 0.1
  derive categorical --link softmax --classes 3 --format json
  derive list                             every model, alias, link and loss
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise DeriveError(message)


def _parser() -> argparse.ArgumentParser:
    names = ", ".join(e.name for e in ENTRIES)
    parser = _Parser(
        prog="derive",
        description="Derive the loss a noise or label model implies, step by step, "
        "with every step proved.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", metavar="NAME", help=f"a model ({names}; alias normal), or 'list'")
    parser.add_argument(
        "--link", help="identity (default), logit (bernoulli), softmax (categorical)"
    )
    parser.add_argument(
        "--classes",
        metavar="K",
        help="categorical: a concrete number of classes (2..64); default symbolic K",
    )
    parser.add_argument(
        "--targets",
        choices=("onehot", "soft"),
        default="onehot",
        help="categorical: class-index (one-hot) or probability targets",
    )
    parser.add_argument(
        "--label-smoothing",
        metavar="EPS",
        help="categorical: smooth one-hot targets, 0 <= EPS < 1 (e.g. 0.1)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    parser.add_argument(
        "--loss",
        choices=("mse",),
        help="also analyse MSE on the predicted probability, side by side "
        "(bernoulli --link logit, categorical --link softmax)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument("--version", action="version", version=f"derive {_version()}")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("derive")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _list_text() -> str:
    lines = ["model        aliases   link       loss"]
    for entry in ENTRIES:
        for number, (link, loss) in enumerate(entry.links):
            name = entry.name if number == 0 else ""
            aliases = ", ".join(entry.aliases) if number == 0 else ""
            lines.append(f"{name:<12} {aliases:<9} {link:<10} {loss}")
    return "\n".join(lines) + "\n"


def _list_json() -> str:
    import json

    data = [
        {
            "name": e.name,
            "aliases": list(e.aliases),
            "summary": e.summary,
            "links": [{"link": link, "loss": loss} for link, loss in e.links],
        }
        for e in ENTRIES
    ]
    return json.dumps({"schema": 1, "models": data}, indent=2, ensure_ascii=False) + "\n"


def _derive_output(args: argparse.Namespace) -> str:
    from derive.analysis import analyse
    from derive.engine import derive
    from derive.render.json import render_json
    from derive.render.text import render_text

    derivation = derive(
        args.name,
        link=args.link,
        classes=args.classes,
        targets=args.targets,
        label_smoothing=args.label_smoothing,
    )
    analysis = analyse(derivation, args.loss)
    if args.format == "json":
        return render_json(derivation, analysis)
    return render_text(derivation, analysis)


def _write(text: str, path: str | None) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise DeriveError(f"cannot write {path}: no such directory {folder}")
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".derive-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class _Timeout(Exception):
    pass


def _with_time_limit(seconds: int) -> object:
    import signal

    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - not on POSIX
        return None

    def _alarm(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    return previous


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 internal error)."""
    import signal

    try:
        args = _parser().parse_args(argv)
        if args.name == "list":
            text = _list_json() if args.format == "json" else _list_text()
        else:
            previous = _with_time_limit(TIME_LIMIT_SECONDS)
            try:
                text = _derive_output(args)
            finally:
                signal.alarm(0)
                if previous is not None:
                    signal.signal(signal.SIGALRM, previous)  # type: ignore[arg-type]
        _write(text, args.output)
    except DeriveError as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return 2
    except _Timeout:
        print(f"derive: error: gave up after {TIME_LIMIT_SECONDS} s", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"derive: error: {error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        print(f"derive: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
