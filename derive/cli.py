"""The command line: ``derive NAME [options]``, ``custom``, ``--spec``, ``list``, ``all``, ``plot``,
``entropy``, ``cross-entropy``, ``kl`` and ``identity``.

``main(argv)`` returns the exit status. SymPy is imported only once a
derivation is requested, so ``derive --help`` and ``derive list`` stay fast.
Every user error is one line on stderr and exit status 2; ``-o FILE`` writes
the file FILE names (through a symlink, keeping its mode) atomically, never
partially, and refuses what is not a regular file; ``-o -`` is standard output.
A user density (``custom``, ``--spec``) is parsed, derived and rendered in a
worker process with a wall-clock and memory limit (:mod:`derive.sandbox`);
only the rendered text comes back. So is an entropy or divergence with a user
density as a law (``--p-density``, ``--q-density``).
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

from derive.errors import DeriveError
from derive.family import all_options, families

__all__ = ["main"]

TIME_LIMIT_SECONDS = 60
CUSTOM_TIMEOUT = 10.0
MAX_TIMEOUT = 600.0
CUSTOM_MEMORY_MB = 2048

EPILOG = r"""examples:
  derive gaussian                         MLE under Gaussian noise is minimum MSE
  derive bernoulli --link logit           BCEWithLogitsLoss, gradient σ(z) − y, convex
  derive bernoulli --link logit --loss mse   why not MSE on σ(z): vanishing gradient
  derive categorical --link softmax --label-smoothing 0.1
  derive categorical --link softmax --classes 3 --format json
  derive poisson                          PoissonNLLLoss; an exponential family, canonical link
  derive binomial --trials 10             10·BCEWithLogitsLoss on the proportion y/10
  derive gaussian --learn-variance        GaussianNLLLoss: not convex in (f, v), convex in η
  derive gaussian --format latex --standalone -o gaussian.tex   a proof for pdflatex
  derive laplace --format markdown        the proof with $…$ math, for GitHub
  derive all --out derivations            the gallery: every model as .md and .tex
  derive plot bernoulli --link logit --loss mse -o cmp.png   loss and gradient figure
  derive list                             every model, alias, link and loss, laws, identities

entropies, cross-entropies and KL divergences, derived from the densities:
  derive kl normal normal                 KL(P‖Q) in closed form, with torch's kl_divergence
  derive entropy bernoulli --base 2       H(P) in bits
  derive cross-entropy categorical categorical --classes 3
  derive kl --p-density '\frac{1}{2}e^{-|y|}' normal   your own density as P (or --q-density)
  derive identity gibbs                   KL ≥ 0, proved; derive list names every identity

your own density, in LaTeX (parsed and derived in a worker bounded in time and memory):
  derive custom --density '\frac{1}{\pi\gamma\left(1+\left(\frac{y-\mu}{\gamma}\right)^2\right)}' \
      --target y --predict mu --fixed gamma          Cauchy noise: no library loss, not convex
  derive custom --density 'p^{y}(1-p)^{1-y}' --target y --predict p --support binary --link logit
  derive --spec derivations/specs/log-normal.toml   the same, from a TOML spec file

are two objectives the same up to a positive factor and a constant (B = c·A + d)?
  derive equiv '(y-\mu)^2' '\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma' --wrt mu
      exit 0: equivalent, c = 1/(2σ²), d = log σ; with --wrt sigma exit 1 and a witness
"""

# the information commands and how many laws each takes
INFORMATION: dict[str, int] = {"entropy": 1, "cross-entropy": 2, "kl": 2}
IDENTITY = "identity"  # the command (the word is also a link's name)
LABELS = ("P", "Q")

FORMATS = {
    "text": "text",
    "json": "json",
    "latex": "latex",
    "tex": "latex",
    "markdown": "markdown",
    "md": "markdown",
    "numpy": "numpy",
    "torch": "torch",
    "jax": "jax",
}
CODE_FORMATS = ("numpy", "torch", "jax")  # a model's loss as a Python module


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise DeriveError(message)


def _parser() -> argparse.ArgumentParser:
    names = ", ".join(f.name for f in families())
    parser = _Parser(
        prog="derive",
        description="Derive the loss a noise or label model implies, step by step, "
        "with every step proved.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    aliases = ", ".join(a for f in families() for a in f.aliases)
    parser.add_argument(
        "name",
        metavar="NAME",
        nargs="?",
        help=f"a model ({names}; alias {aliases}), or one of: custom, list, all, plot, "
        "entropy, cross-entropy, kl, identity, equiv",
    )
    parser.add_argument(
        "model",
        metavar="MODEL",
        nargs="?",
        help="after 'plot': the model to plot; after 'entropy', 'cross-entropy' or 'kl': "
        "the law P; after 'identity': its name; after 'equiv': the LaTeX of A",
    )
    parser.add_argument(
        "other",
        metavar="Q",
        nargs="?",
        help="after 'cross-entropy' or 'kl': the law Q; after 'equiv': the LaTeX of B",
    )
    links = "; ".join(f"{f.name}: {', '.join(spec.name for spec in f.links)}" for f in families())
    parser.add_argument(
        "--link",
        help=f"the link of the prediction ({links}; custom: "
        "identity, logit, log); default the first",
    )
    for option in all_options():
        if option.switch:
            parser.add_argument(
                option.flag, dest=option.name, action="store_const", const="true", help=option.help
            )
            continue
        parser.add_argument(
            option.flag,
            dest=option.name,
            metavar=option.metavar,
            help=option.help,
        )
    laws = parser.add_argument_group(
        "entropies and divergences (derive entropy, cross-entropy, kl)"
    )
    laws.add_argument(
        "--base",
        metavar="BASE",
        help="the base of the logarithm: e (nats, the default), 2 (bits) or 10 (bans)",
    )
    laws.add_argument(
        "--p-density",
        metavar="LATEX",
        help="your own density as the law P, in LaTeX (with --target, --support, --domain)",
    )
    laws.add_argument(
        "--q-density", metavar="LATEX", help="your own density as the law Q, in LaTeX"
    )
    custom = parser.add_argument_group("your own density (derive custom, or a spec file)")
    custom.add_argument(
        "--density", metavar="LATEX", help="the density of one observation, in LaTeX"
    )
    custom.add_argument("--target", metavar="NAME", help="the observed variable (e.g. y)")
    custom.add_argument(
        "--predict",
        metavar="NAMES",
        help="the predicted parameter(s), comma-separated (e.g. mu, or mu,sigma)",
    )
    custom.add_argument(
        "--fixed", metavar="NAMES", help="fixed parameters, comma-separated (positive)"
    )
    custom.add_argument(
        "--support",
        metavar="DOMAIN",
        help="where the target lives: real (default), positive, unit, binary, count",
    )
    custom.add_argument(
        "--domain",
        metavar="NAME=DOMAIN",
        action="append",
        help="the domain of a predicted or fixed parameter (repeatable), e.g. sigma=positive",
    )
    custom.add_argument(
        "--spec", metavar="FILE", help="read the density and its variables from a TOML file"
    )
    custom.add_argument(
        "--timeout",
        metavar="SECONDS",
        help=f"wall-clock limit for a user density (default {CUSTOM_TIMEOUT:g} s, at most "
        f"{MAX_TIMEOUT:g})",
    )
    equiv = parser.add_argument_group(
        "equivalence (derive equiv A B --wrt NAMES): exit 0 equivalent, 1 different, 3 unknown"
    )
    equiv.add_argument("--wrt", metavar="NAMES", help="the variables, comma-separated")
    for flag, what in (("--positive", "positive"), ("--real", "real"), ("--binary", "in {0, 1}")):
        equiv.add_argument(flag, metavar="NAMES", help=f"symbols that are {what} (declared)")
    parser.add_argument(
        "--format",
        choices=tuple(FORMATS),
        type=str.lower,
        metavar="FORMAT",
        help="text (the default), json, latex (alias tex), markdown (alias md), or the loss "
        "and its gradient as a Python module: numpy, torch, jax; without it, the -o suffix "
        "decides (.txt, .json, .tex, .md; .py needs numpy, torch or jax)",
    )
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="with --format latex: a whole document that pdflatex compiles",
    )
    parser.add_argument(
        "--loss",
        choices=("mse",),
        type=str.lower,
        help="also analyse MSE on the predicted probability, side by side "
        "(bernoulli --link logit, categorical --link softmax)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE instead of stdout, in the format its suffix names unless "
        "--format is given (a contradiction is an error); for plot the figure, its type "
        "by suffix (.png, .pdf, .pgf, .svg)",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="with 'all': the folder to write the gallery into"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither replay nor keep this output in the cache (also: the environment "
        "variable DERIVE_NO_CACHE=1); the finished outputs of named models and laws are kept "
        "in the user's cache folder (~/.cache/derive) and a repeated command replays them",
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
    known = families()
    wide = max(len(w) for w in ("model", "custom", *(f.name for f in known)))
    aliased = max(len(w) for w in ("aliases", "(LaTeX)", *(", ".join(f.aliases) for f in known)))
    lines = [f"{'model':<{wide}} {'aliases':<{aliased}} {'link':<10} loss"]
    for family in known:
        for number, spec in enumerate(family.links):
            name = family.name if number == 0 else ""
            aliases = ", ".join(family.aliases) if number == 0 else ""
            lines.append(f"{name:<{wide}} {aliases:<{aliased}} {spec.name:<10} {spec.shows}")
    lines.append(
        f"{'custom':<{wide}} {'(LaTeX)':<{aliased}} identity, logit, log   any of MSELoss, "
        "L1Loss, BCELoss, BCEWithLogitsLoss, PoissonNLLLoss, GaussianNLLLoss it is proved "
        "to match"
    )
    lines += ["", "laws (derive entropy NAME, derive cross-entropy P Q, derive kl P Q):"]
    with_laws = [f for f in known if f.law is not None]
    wide = max(len(f.name) for f in with_laws) if with_laws else 0
    for family in with_laws:
        law = family.law
        assert law is not None
        parameters = ", ".join(v.name for v in law.parameters)
        torch = f"torch.distributions.{law.torch}" if law.torch else "no torch class"
        lines.append(
            f"{family.name:<{wide}} {law.name}({parameters}) on {law.support.value}; {torch}"
        )
    lines += ["", "identities (derive identity NAME):"]
    identities = _identities()
    wide = max((len(name) for name, _ in identities), default=0)
    lines += [f"{name:<{wide}} {summary}" for name, summary in identities]
    return "\n".join(lines) + "\n"


def _identities() -> list[tuple[str, str]]:
    """The identity registry's names and summaries, in its order."""
    from derive.information.identities import IDENTITIES

    return [(name, summary) for name, (summary, _) in IDENTITIES.items()]


def _list_json() -> str:
    import json

    data = [
        {
            "name": f.name,
            "aliases": list(f.aliases),
            "summary": f.summary,
            "links": [{"link": spec.name, "loss": spec.shows} for spec in f.links],
            "options": [o.flag for o in f.options],
            "law": None
            if f.law is None
            else {
                "name": f.law.name,
                "parameters": [v.name for v in f.law.parameters],
                "support": f.law.support.value,
                "torch": f"torch.distributions.{f.law.torch}" if f.law.torch else None,
            },
        }
        for f in families()
    ]
    identities = [{"name": name, "summary": summary} for name, summary in _identities()]
    document = {"schema": 1, "models": data, "identities": identities}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _options(args: argparse.Namespace) -> dict[str, object]:
    return {o.name: getattr(args, o.name) for o in all_options()}


def _derivation(args: argparse.Namespace, name: str) -> object:
    from derive.engine import derive

    return derive(name, link=args.link, **_options(args))


def _render(derivation: object, analysis: object, fmt: str, standalone: bool) -> str:
    if fmt in CODE_FORMATS:
        from derive.render.code import render_code

        return render_code(derivation, fmt, analysis)  # type: ignore[arg-type]
    if fmt == "json":
        from derive.render.json import render_json

        return render_json(derivation, analysis)  # type: ignore[arg-type]
    if fmt == "latex":
        from derive.render.latex import render_latex

        return render_latex(derivation, analysis, standalone=standalone)  # type: ignore[arg-type]
    if fmt == "markdown":
        from derive.render.markdown import render_markdown

        return render_markdown(derivation, analysis)  # type: ignore[arg-type]
    from derive.render.text import render_text

    return render_text(derivation, analysis)  # type: ignore[arg-type]


def _derive_output(args: argparse.Namespace) -> str:
    from derive.analysis import analyse

    derivation = _derivation(args, args.name)
    analysis = analyse(derivation, args.loss)  # type: ignore[arg-type]
    return _render(derivation, analysis, FORMATS[args.format], args.standalone)


# ------------------------------------------------------------------ custom

_CUSTOM_FLAGS = ("density", "target", "predict", "fixed", "support", "domain")


def _timeout(text: str | None) -> float:
    if text is None:
        return CUSTOM_TIMEOUT
    from derive.numbers import parse_fraction

    value = parse_fraction(text, "--timeout")
    if not 0 < value <= MAX_TIMEOUT:
        raise DeriveError(f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    return float(value)


def _custom_request(args: argparse.Namespace) -> object:
    from derive.spec import request_from_args, request_from_file

    if args.spec is not None:
        given = [f"--{f}" for f in _CUSTOM_FLAGS if getattr(args, f) is not None]
        if given:
            raise DeriveError(f"--spec gives the model; do not also give {', '.join(given)}")
        return request_from_file(args.spec)
    if args.density is None:
        raise DeriveError("custom needs --density 'LATEX' (or --spec FILE.toml)")
    if args.target is None or args.predict is None:
        raise DeriveError("custom needs --target NAME and --predict NAME")
    return request_from_args(args)


def custom_output(
    request: object, link: str | None, fmt: str, standalone: bool, compare: str | None
) -> str:
    """Parse, check, derive, analyse and render a user density (run in the worker)."""
    from derive.analysis import analyse
    from derive.custom import family_from_request
    from derive.engine import derive

    family = family_from_request(request)  # type: ignore[arg-type]
    derivation = derive(family, link=link or request.link)  # type: ignore[attr-defined]
    return _render(derivation, analyse(derivation, compare), fmt, standalone)


def _custom(args: argparse.Namespace) -> str:
    from derive.sandbox import run_bounded

    timeout = _timeout(args.timeout)
    request = _custom_request(args)
    fmt = FORMATS[args.format]
    return run_bounded(  # type: ignore[no-any-return]
        custom_output,
        request,
        args.link,
        fmt,
        args.standalone,
        args.loss,
        timeout=timeout,
        memory_mb=CUSTOM_MEMORY_MB,
    )


def _check_code(args: argparse.Namespace) -> None:
    """--format numpy|torch|jax prints a model's loss: not a list, a law or an identity."""
    if args.name == "list" or args.name in INFORMATION or args.name == IDENTITY:
        raise DeriveError(
            f"--format {args.format} prints a model's loss as code; it does not apply to "
            f"'derive {args.name}'"
        )
    if args.loss is not None:
        raise DeriveError(f"--loss does not apply to --format {args.format}")


# what an -o FILE suffix says the output is (``.py``: one of the code formats)
SUFFIX_FORMATS = {
    ".txt": "text",
    ".json": "json",
    ".tex": "latex",
    ".md": "markdown",
    ".markdown": "markdown",
    ".py": "code",
}


def _settle_format(args: argparse.Namespace) -> None:
    """``--format`` as given, else what the ``-o`` suffix names, else text; a suffix that
    contradicts ``--format`` is an error. Records whether ``--format`` was given."""
    args.format_given = args.format is not None
    kind = FORMATS[args.format] if args.format is not None else None
    figure = args.name in ("plot", "all")  # plot's suffix is the figure type
    if args.output not in (None, "-") and not figure:
        name = os.path.basename(args.output)
        implied = SUFFIX_FORMATS.get(os.path.splitext(name)[1].lower())
        shown = name if len(name) <= 40 else name[:40] + "…"
        if implied == "code" and kind is None:
            raise DeriveError(
                f"-o {shown}: a .py file is code; say which: --format numpy, torch or jax"
            )
        if implied is not None and kind is None:
            kind = implied
        elif (
            implied is not None
            and kind != implied
            and not (implied == "code" and kind in CODE_FORMATS)
        ):
            raise DeriveError(
                f"-o {shown} names {implied} output but --format is {args.format}: drop one, "
                "or make them agree"
            )
    args.format = kind or "text"


def _check_options(args: argparse.Namespace) -> None:
    """Options that do not fit the command are errors, not silently ignored."""
    _settle_format(args)
    custom = args.name == "custom" or (args.name is None and args.spec is not None)
    if args.name is None and args.spec is None:
        raise DeriveError("give a model (e.g. derive gaussian), or --spec FILE; see derive --help")
    if args.standalone and FORMATS[args.format] != "latex":
        raise DeriveError("--standalone only applies to --format latex")
    if args.name == EQUIV:
        _check_equiv(args)
        return
    given = [flag for flag, value in _equiv_flags(args) if value is not None]
    if given:
        raise DeriveError(f"{', '.join(given)} only applies to 'derive equiv'")
    if FORMATS[args.format] in CODE_FORMATS:
        _check_code(args)
    if args.name in INFORMATION or args.name == IDENTITY:
        _check_information(args)
        return
    given = [flag for flag, value in _information_flags(args) if value is not None]
    if given:
        raise DeriveError(
            f"{', '.join(given)} only applies to 'derive entropy', 'cross-entropy' and 'kl'"
        )
    if args.other is not None:
        shown = args.other if len(args.other) <= 40 else args.other[:40] + "…"
        raise DeriveError(f"unexpected argument {shown!r}")
    if not custom:
        given = [
            f"--{f}" for f in (*_CUSTOM_FLAGS, "spec", "timeout") if getattr(args, f) is not None
        ]
        if given:
            raise DeriveError(f"{', '.join(given)} only applies to 'derive custom'")
    else:
        given = [o.flag for o in all_options() if getattr(args, o.name) is not None]
        if given:
            raise DeriveError(f"{', '.join(given)} does not apply to a custom density")
    if args.name == "plot":
        if args.model is None:
            raise DeriveError("plot needs a model: derive plot NAME [options] -o FILE")
        if args.output is None or args.output == "-":
            raise DeriveError("plot needs -o FILE (.png, .pdf or .pgf), not standard output")
        if args.format_given or args.standalone:
            raise DeriveError("plot takes no --format: the -o suffix picks the figure type")
    elif args.model is not None:
        shown = args.model if len(args.model) <= 40 else args.model[:40] + "…"
        raise DeriveError(f"unexpected argument {shown!r}")
    if args.name == "all":
        given = [
            flag
            for flag, value in (
                ("--link", args.link),
                ("--loss", args.loss),
                ("-o", args.output),
                *((o.flag, getattr(args, o.name)) for o in all_options()),
            )
            if value is not None
        ]
        if args.format_given or args.standalone:
            given.append("--format/--standalone")
        if given:
            raise DeriveError(f"all takes only --out DIR, not {', '.join(given)}")
        if args.out is None:
            raise DeriveError("all needs --out DIR (for example: derive all --out derivations)")
    elif args.out is not None:
        raise DeriveError("--out only applies to 'derive all'; use -o FILE for one output")


# ------------------------------------------------------------------ equiv

EQUIV = "equiv"


def _equiv_flags(args: argparse.Namespace) -> list[tuple[str, object]]:
    return [(f"--{f}", getattr(args, f)) for f in ("wrt", "positive", "real", "binary")]


def _check_equiv(args: argparse.Namespace) -> None:
    """equiv takes two expressions, --wrt, the declarations, --timeout, --format text|json, -o."""
    allowed = {"name", "model", "other", "wrt", "positive", "real", "binary", "timeout"}
    allowed |= {"format", "output"}
    wrong = [
        action.option_strings[0]
        for action in _parser()._actions
        if action.dest not in allowed
        and action.option_strings
        and getattr(args, action.dest, None) not in (None, False)
    ]
    if wrong:
        raise DeriveError(f"{', '.join(wrong)} does not apply to 'derive equiv'")
    if FORMATS[args.format] not in ("text", "json"):
        raise DeriveError("equiv takes --format text or json")
    if args.model is None or args.other is None:
        raise DeriveError("equiv needs two expressions: derive equiv 'LATEX_A' 'LATEX_B' --wrt v")
    if args.wrt is None:
        raise DeriveError("equiv needs --wrt NAMES: the variables (e.g. --wrt mu)")


def _equiv(args: argparse.Namespace) -> tuple[int, str]:
    """Decide in the bounded worker: (exit status, rendered answer)."""
    from derive.equiv.command import run_equiv

    return run_equiv(
        args.model,
        args.other,
        args.wrt,
        args.positive,
        args.real,
        args.binary,
        FORMATS[args.format],
        timeout=_timeout(args.timeout),
        memory_mb=CUSTOM_MEMORY_MB,
    )


# ------------------------------------------------------------------ information

_LAW_OPTIONS = ("--classes",)  # the family options a law takes (a categorical law's K)
_DENSITY_FLAGS = ("--p-density", "--q-density")
_DENSITY_OPTIONS = ("target", "support", "domain")  # how a user density is read


def _information_flags(args: argparse.Namespace) -> list[tuple[str, object]]:
    return [("--base", args.base), ("--p-density", args.p_density), ("--q-density", args.q_density)]


def _densities(args: argparse.Namespace) -> tuple[str | None, ...]:
    return (args.p_density, args.q_density)


def _check_information(args: argparse.Namespace) -> None:
    """entropy, cross-entropy and kl take laws, --base, --classes and user densities;
    identity takes a name; neither takes a link, a loss or a model's options."""
    command = args.name
    wrong = [
        flag
        for flag, value in (
            ("--link", args.link),
            ("--loss", args.loss),
            ("--out", args.out),
            ("--density", args.density),
            ("--predict", args.predict),
            ("--fixed", args.fixed),
            ("--spec", args.spec),
        )
        if value is not None
    ]
    wrong += [
        o.flag
        for o in all_options()
        if getattr(args, o.name) is not None and o.flag not in _LAW_OPTIONS
    ]
    bounded = [f"--{f}" for f in (*_DENSITY_OPTIONS, "timeout") if getattr(args, f) is not None]
    if command == IDENTITY:
        wrong += [flag for flag, value in _information_flags(args) if value is not None]
        wrong += [flag for flag in _LAW_OPTIONS if getattr(args, flag[2:]) is not None]
        wrong += bounded
        if wrong:
            raise DeriveError(f"{', '.join(wrong)} does not apply to 'derive identity'")
        if args.model is None:
            raise DeriveError(
                "identity needs a name: derive identity NAME (derive list names them)"
            )
        if args.other is not None:
            shown = args.other if len(args.other) <= 40 else args.other[:40] + "…"
            raise DeriveError(f"unexpected argument {shown!r}")
        return
    if wrong:
        raise DeriveError(f"{', '.join(wrong)} does not apply to 'derive {command}'")
    count = INFORMATION[command]
    densities = _densities(args)
    if count == 1 and args.q_density is not None:
        raise DeriveError(f"{command} has one law, P: give it by name or with --p-density")
    if bounded and not any(densities):
        raise DeriveError(f"{', '.join(bounded)} only applies with --p-density or --q-density")
    names = [n for n in (args.model, args.other) if n is not None]
    given = len(names) + sum(d is not None for d in densities)
    if given != count:
        usage = f"derive {command} P" + (" Q" if count == 2 else "")
        laws = "one law, P" if count == 1 else "two laws, P and Q"
        raise DeriveError(
            f"{command} takes {laws}, got {given}: {usage} (a family by name, or your own "
            "density with --p-density" + (" / --q-density)" if count == 2 else ")")
        )


def _law_slots(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """Each law in order, P then Q: ``("name", family)`` or ``("density", latex)``."""
    names = iter(n for n in (args.model, args.other) if n is not None)
    slots: list[tuple[str, str]] = []
    for density in _densities(args)[: INFORMATION[args.name]]:
        slots.append(("density", density) if density is not None else ("name", next(names)))
    return tuple(slots)


def information_output(
    kind: str,
    slots: tuple[tuple[str, str], ...],
    base: str | None,
    classes: str | None,
    reading: tuple[str | None, str | None, tuple[tuple[str, str], ...]],
    fmt: str,
    standalone: bool,
) -> str:
    """Derive and render an entropy, cross-entropy or KL divergence (in the worker when a
    law is a user density: reading it is bounded there). ``reading`` is the given
    --target, --support and --domain pairs of a user density (``None``: the default)."""
    from derive.information.api import parse_classes
    from derive.information.engine import information
    from derive.render.information import render_information

    laws: list[object] = []
    for number, (what, text) in enumerate(slots):
        laws.append(_user_law(text, number, reading) if what == "density" else text)
    d = information(
        kind,
        *laws,  # type: ignore[arg-type]
        base="e" if base is None else base,
        classes=parse_classes(classes),
    )
    return render_information(d, fmt, standalone)


def _user_law(
    latex: str, number: int, reading: tuple[str | None, str | None, tuple[tuple[str, str], ...]]
) -> object:
    """The law of a user density (:mod:`derive.information.custom`), with the flags that
    reproduce it as its source."""
    from dataclasses import replace

    from derive.information.custom import DensitySpec, law_family

    target, support, domains = reading
    given: dict[str, object] = {"domains": domains}
    source = [(_DENSITY_FLAGS[number], latex)]
    if target is not None:
        given["target"] = target
        source.append(("--target", target))
    if support is not None:
        given["support"] = support
        source.append(("--support", support))
    source += [("--domain", f"{name}={domain}") for name, domain in domains]
    family = law_family(DensitySpec(latex=latex, **given), LABELS[number])  # type: ignore[arg-type]
    return replace(family, source=tuple(source))


def _information_output(args: argparse.Namespace) -> str:
    fmt = FORMATS[args.format]
    if args.name == IDENTITY:
        from derive.information.api import identity
        from derive.render.information import render_information

        return render_information(identity(args.model), fmt, args.standalone)
    slots = _law_slots(args)
    if not any(what == "density" for what, _ in slots):
        reading: tuple[str | None, str | None, tuple[tuple[str, str], ...]] = (None, None, ())
        return information_output(
            args.name, slots, args.base, args.classes, reading, fmt, args.standalone
        )
    from derive.sandbox import run_bounded
    from derive.spec import _domains

    reading = (args.target, args.support, _domains(args.domain))
    return run_bounded(  # type: ignore[no-any-return]
        information_output,
        args.name,
        slots,
        args.base,
        args.classes,
        reading,
        fmt,
        args.standalone,
        timeout=_timeout(args.timeout),
        memory_mb=CUSTOM_MEMORY_MB,
    )


def _write_gallery(folder: str) -> str:
    """All files or none: every target is checked and written to a temporary file
    before the first one is renamed into place (:func:`derive.files.atomic_paths`)."""
    from derive.files import atomic_paths
    from derive.gallery import gallery

    if os.path.exists(folder) and not os.path.isdir(folder):
        raise DeriveError(f"cannot write the gallery: {folder} is not a directory")
    files = gallery(os.path.join(folder, "specs"))
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
    from derive.family import resolve
    from derive.plot import plot

    # a figure needs numbers: an option left symbolic takes the family's figure value
    for option in resolve(args.model).options:
        if option.figure is not None and getattr(args, option.name) is None:
            setattr(args, option.name, option.figure)
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


_TEXT_OPTIONS = (
    "--density",
    "--p-density",
    "--q-density",
    "--target",
    "--predict",
    "--fixed",
    "--domain",
    "--timeout",
)


def _join_negative_numbers(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """``--label-smoothing -1/10`` → ``--label-smoothing=-1/10``; ``--density -y`` likewise.

    argparse takes a value that starts with ``-`` and is not a plain decimal
    (``-1/10``, ``-1e-3``) for an unknown option ("expected one argument"); joined
    to its option it reaches the range check and its message instead. A density
    or a name is joined whatever it starts with: those options always take a value.
    """
    numbers = {option.flag for option in all_options() if not option.switch}
    flags = set(parser._option_string_actions)
    joined: list[str] = []
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            return [*joined, arg, *rest]
        if arg in numbers and rest and re.match(r"-[0-9.]", rest[0]):
            arg = f"{arg}={rest.pop(0)}"
        elif arg in _TEXT_OPTIONS and rest and rest[0].startswith("-") and rest[0] not in flags:
            arg = f"{arg}={rest.pop(0)}"
        elif EQUIV in argv and arg[:1] == "-" and arg[:2] != "--" and arg not in flags:
            valued = bool(joined) and joined[-1] in flags and not _is_switch(parser, joined[-1])
            if arg == "-" or valued:
                joined.append(arg)  # '-o -' (standard output), or another option's value
                continue
            arg = " " + arg  # an expression of 'derive equiv' ('-y\log p'): a space makes it
            # positional to argparse, and the parser ignores it
        joined.append(arg)
    return joined


def _is_switch(parser: argparse.ArgumentParser, flag: str) -> bool:
    """Whether ``flag`` takes no value (``--standalone``, ``--no-cache``)."""
    return parser._option_string_actions[flag].nargs == 0


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
    """Run the command line; returns the exit status (0 ok, 2 bad input, 1 internal error).

    A command whose finished output is in the cache (:mod:`derive.cache`) writes it
    again without deriving anything."""
    from derive import cache

    given = list(sys.argv[1:] if argv is None else argv)
    if cache.enabled(given):
        status = cache.replay(given)
        if status is not None:
            return status
    with _encodable_streams():
        parser = _parser()
        return _main(_join_negative_numbers(given, parser), parser, given)


def _finish(text: str, args: argparse.Namespace, given: list[str], cacheable: bool) -> None:
    """Write a command's output; keep it in the cache when the command is a pure
    function of its arguments (a named model or law, no user text, no file read)."""
    _write(text, args.output)
    if cacheable and not args.no_cache:
        from derive import cache

        cache.store(given, args.output or "", text)


def _main(argv: Sequence[str], parser: argparse.ArgumentParser, given: list[str]) -> int:
    import signal

    limit = TIME_LIMIT_SECONDS
    try:
        args = parser.parse_intermixed_args(argv)
        _check_options(args)
        if args.output is not None and args.output != "-":
            from derive.files import check_writable

            check_writable(args.output)  # before the work, not after
        if args.name == "list":
            if args.format not in ("text", "json") or args.standalone:
                raise DeriveError(f"list prints text or json, not {args.format}")
            _write(_list_json() if args.format == "json" else _list_text(), args.output)
            return 0
        limit = TIME_LIMIT_SECONDS * (3 if args.name == "all" else 1)
        bounded = args.name in ("custom", EQUIV, None) or any(_densities(args))
        if bounded:  # the worker has its own limit
            limit = int(max(limit, _timeout(args.timeout) + 30))
        previous = _with_time_limit(limit)
        try:
            if args.name == "all":
                sys.stdout.write(_write_gallery(args.out))
            elif args.name == "plot":
                sys.stdout.write(_plot(args))
            elif args.name == EQUIV:
                status, text = _equiv(args)
                _write(text, args.output)
                return status
            elif args.name == "custom" or args.name is None:
                _write(_custom(args), args.output)
            elif args.name in INFORMATION or args.name == IDENTITY:
                _finish(_information_output(args), args, given, not any(_densities(args)))
            else:
                _finish(_derive_output(args), args, given, True)
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
