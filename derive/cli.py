"""The command line: ``derive NAME [options]``, ``derive list``, ``all`` and ``plot``.

``main(argv)`` returns the exit status. SymPy is imported only once a
derivation is requested, so ``derive --help`` and ``derive list`` stay fast.
Every user error is one line on stderr and exit status 2; ``-o FILE`` writes
the file FILE names (through a symlink, keeping its mode) atomically, never
partially, and refuses what is not a regular file; ``-o -`` is standard output.
"""

from __future__ import annotations

import argparse
import codecs
import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

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
  derive gaussian --format latex --standalone -o gaussian.tex   a proof for pdflatex
  derive laplace --format markdown        the proof with $…$ math, for GitHub
  derive all --out derivations            the gallery: every model as .md and .tex
  derive plot bernoulli --link logit --loss mse -o cmp.png   loss and gradient figure
  derive list                             every model, alias, link and loss
"""

FORMATS = {
    "text": "text",
    "json": "json",
    "latex": "latex",
    "tex": "latex",
    "markdown": "markdown",
    "md": "markdown",
}


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
    parser.add_argument(
        "name",
        metavar="NAME",
        help=f"a model ({names}; alias normal), or one of: list, all, plot",
    )
    parser.add_argument("model", metavar="MODEL", nargs="?", help="after 'plot': the model to plot")
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
        "--format",
        choices=tuple(FORMATS),
        default="text",
        metavar="FORMAT",
        help="text (default), json, latex (alias tex) or markdown (alias md)",
    )
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="with --format latex: a whole document that pdflatex compiles",
    )
    parser.add_argument(
        "--loss",
        choices=("mse",),
        help="also analyse MSE on the predicted probability, side by side "
        "(bernoulli --link logit, categorical --link softmax)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE instead of stdout; for plot the figure, its type by suffix "
        "(.png, .pdf, .pgf)",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="with 'all': the folder to write the gallery into"
    )
    parser.add_argument(
        "--version", action=_VersionAction, nargs=0, help="print the version and exit"
    )
    return parser


class _VersionAction(argparse.Action):
    """--version, reading the installed metadata only when asked (importlib.metadata
    costs about 30 ms, which every other command would otherwise pay)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        sys.stdout.write(f"derive {_version()}\n")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("derive-losses")
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


def _derivation(args: argparse.Namespace, name: str) -> object:
    from derive.engine import derive

    return derive(
        name,
        link=args.link,
        classes=args.classes,
        targets=args.targets,
        label_smoothing=args.label_smoothing,
    )


def _derive_output(args: argparse.Namespace) -> str:
    from derive.analysis import analyse

    derivation = _derivation(args, args.name)
    analysis = analyse(derivation, args.loss)  # type: ignore[arg-type]
    fmt = FORMATS[args.format]
    if fmt == "json":
        from derive.render.json import render_json

        return render_json(derivation, analysis)  # type: ignore[arg-type]
    if fmt == "latex":
        from derive.render.latex import render_latex

        return render_latex(derivation, analysis, standalone=args.standalone)  # type: ignore[arg-type]
    if fmt == "markdown":
        from derive.render.markdown import render_markdown

        return render_markdown(derivation, analysis)  # type: ignore[arg-type]
    from derive.render.text import render_text

    return render_text(derivation, analysis)  # type: ignore[arg-type]


def _check_options(args: argparse.Namespace) -> None:
    """Options that do not fit the command are errors, not silently ignored."""
    if args.standalone and FORMATS[args.format] != "latex":
        raise DeriveError("--standalone only applies to --format latex")
    if args.name == "plot":
        if args.model is None:
            raise DeriveError("plot needs a model: derive plot NAME [options] -o FILE")
        if args.output is None or args.output == "-":
            raise DeriveError("plot needs -o FILE (.png, .pdf or .pgf), not standard output")
        if args.format != "text" or args.standalone:
            raise DeriveError("plot takes no --format: the -o suffix picks the figure type")
    elif args.model is not None:
        shown = args.model if len(args.model) <= 40 else args.model[:40] + "…"
        raise DeriveError(f"unexpected argument {shown!r}")
    if args.name == "all":
        given = [
            flag
            for flag, value in (
                ("--link", args.link),
                ("--classes", args.classes),
                ("--label-smoothing", args.label_smoothing),
                ("--loss", args.loss),
                ("-o", args.output),
            )
            if value is not None
        ]
        if args.targets != "onehot":
            given.append("--targets")
        if args.format != "text" or args.standalone:
            given.append("--format/--standalone")
        if given:
            raise DeriveError(f"all takes only --out DIR, not {', '.join(given)}")
        if args.out is None:
            raise DeriveError("all needs --out DIR (for example: derive all --out derivations)")
    elif args.out is not None:
        raise DeriveError("--out only applies to 'derive all'; use -o FILE for one output")


def _write_gallery(folder: str) -> str:
    """All files or none: every target is checked and written to a temporary file
    before the first one is renamed into place (:func:`derive.files.atomic_paths`)."""
    from derive.files import atomic_paths
    from derive.gallery import gallery

    if os.path.exists(folder) and not os.path.isdir(folder):
        raise DeriveError(f"cannot write the gallery: {folder} is not a directory")
    files = gallery()
    names = sorted(files)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise DeriveError(f"cannot create {folder}: {error.strerror or error}") from None
    with atomic_paths([os.path.join(folder, name) for name in names]) as temporaries:
        for name, temporary in zip(names, temporaries):
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(files[name])
    return f"wrote {len(files)} files to {folder}\n"


def _plot(args: argparse.Namespace) -> str:
    from derive.analysis import analyse
    from derive.catalog import resolve
    from derive.plot import plot

    if args.classes is None and resolve(args.model).name == "categorical":
        args.classes = "3"  # a figure needs numbers: three classes unless told otherwise
    derivation = _derivation(args, args.model)
    analysis = analyse(derivation, args.loss)  # type: ignore[arg-type]
    plot(derivation, analysis, args.output)  # type: ignore[arg-type]
    return f"wrote {args.output}\n"


def _write(text: str, path: str | None) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
        return
    from derive.files import atomic_path

    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)


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


_NUMBER_OPTIONS = ("--label-smoothing", "--classes")


def _join_negative_numbers(argv: Sequence[str]) -> list[str]:
    """``--label-smoothing -1/10`` → ``--label-smoothing=-1/10``.

    argparse takes a value that starts with ``-`` and is not a plain decimal
    (``-1/10``, ``-1e-3``) for an unknown option ("expected one argument"); joined
    to its option it reaches the range check and its message instead.
    """
    joined: list[str] = []
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            return [*joined, arg, *rest]
        if arg in _NUMBER_OPTIONS and rest and re.match(r"-[0-9.]", rest[0]):
            arg = f"{arg}={rest.pop(0)}"
        joined.append(arg)
    return joined


_PROBE = "σ∑—…√ℓ𝟙"  # characters the output uses, one beyond U+FFFF


def _escape(error: UnicodeError) -> tuple[str, int]:
    """``\\uXXXX`` for what the stream's encoding lacks (a surrogate pair above U+FFFF):
    readable in text, and a valid escape inside the strings of ``--format json``."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


@contextmanager
def _encodable_streams() -> Iterator[None]:
    """While running, stdout and stderr escape what their encoding cannot take
    (``PYTHONIOENCODING=ascii``) instead of raising ``UnicodeEncodeError``."""
    codecs.register_error("derive.escape", _escape)
    changed: list[tuple[io.TextIOWrapper, str]] = []
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper) or stream.errors not in (
            "strict",
            "surrogateescape",
        ):
            continue
        try:
            _PROBE.encode(stream.encoding)
        except (UnicodeEncodeError, LookupError):
            changed.append((stream, stream.errors))
            stream.reconfigure(errors="derive.escape")
    try:
        yield
    finally:
        for stream, errors in changed:
            try:
                stream.reconfigure(errors=errors)
            except (OSError, ValueError):  # pragma: no cover - closed meanwhile
                pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 internal error)."""
    with _encodable_streams():
        return _main(_join_negative_numbers(sys.argv[1:] if argv is None else argv))


def _main(argv: Sequence[str]) -> int:
    import signal

    limit = TIME_LIMIT_SECONDS
    try:
        args = _parser().parse_args(argv)
        _check_options(args)
        if args.output is not None and args.output != "-":
            from derive.files import check_writable

            check_writable(args.output)  # before the work, not after
        if args.name == "list":
            _write(_list_json() if args.format == "json" else _list_text(), args.output)
            return 0
        limit = TIME_LIMIT_SECONDS * (3 if args.name == "all" else 1)
        previous = _with_time_limit(limit)
        try:
            if args.name == "all":
                sys.stdout.write(_write_gallery(args.out))
            elif args.name == "plot":
                sys.stdout.write(_plot(args))
            else:
                _write(_derive_output(args), args.output)
        finally:
            signal.alarm(0)
            if previous is not None:
                signal.signal(signal.SIGALRM, previous)  # type: ignore[arg-type]
    except DeriveError as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return 2
    except _Timeout:
        print(f"derive: error: gave up after {limit} s", file=sys.stderr)
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
