"""Spec files: a user density and its variables in a small TOML file.

``derive --spec FILE.toml`` reads, with :mod:`tomllib`::

    name = "cauchy"                      # optional, default: the file's stem
    summary = "y = f + ε, ε ~ Cauchy(0, γ)"  # optional
    density = '\\frac{1}{\\pi\\gamma\\left(1+\\left(\\frac{y-\\mu}{\\gamma}\\right)^2\\right)}'
    target = "y"
    predict = "mu"                       # or ["mu", "sigma"]
    fixed = ["gamma"]                    # optional
    support = "real"                     # optional: real, positive, unit, binary, count
    link = "identity"                    # optional: identity, logit, log
    [domains]                            # optional: the domain of a parameter
    sigma = "positive"

Unknown keys and values of the wrong type are errors (one line naming the key).
The command line's ``--density …`` flags build the same request.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from derive.custom import CustomRequest, split_names
from derive.errors import DeriveError
from derive.family import shorten

__all__ = ["KEYS", "MAX_BYTES", "request_from_args", "request_from_file"]

MAX_BYTES = 64 * 1024
KEYS = ("name", "summary", "density", "target", "predict", "fixed", "support", "link", "domains")


def _domains(pairs: list[str] | None) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for pair in pairs or []:
        name, sep, domain = pair.partition("=")
        if not sep:
            raise DeriveError(
                f"--domain takes NAME=DOMAIN (e.g. sigma=positive), got {shorten(pair)!r}"
            )
        out.append((name.strip(), domain.strip()))
    return tuple(out)


def request_from_args(args: argparse.Namespace) -> CustomRequest:
    """The request the ``derive custom --density …`` flags describe."""
    source: list[tuple[str, str]] = [("custom", ""), ("--density", args.density)]
    source += [("--target", args.target), ("--predict", args.predict)]
    for flag, value in (("--fixed", args.fixed), ("--support", args.support)):
        if value is not None:
            source.append((flag, value))
    source += [("--domain", pair) for pair in args.domain or []]
    return CustomRequest(
        density=args.density,
        target=args.target,
        predict=split_names(args.predict, "--predict"),
        fixed=split_names(args.fixed, "--fixed"),
        support="real" if args.support is None else args.support,
        domains=_domains(args.domain),
        source=tuple(source),
    )


def _text(data: dict[str, Any], key: str, path: str, default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise DeriveError(f"{path}: {key} must be a string")
    return value


def _names(data: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return split_names(value, f"{path}: {key}")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return split_names(value, f"{path}: {key}")
    raise DeriveError(f"{path}: {key} must be a string or a list of strings")


def request_from_file(path: str) -> CustomRequest:
    """The request a TOML spec file describes."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise DeriveError(f"cannot read {path}: {error.strerror or error}") from None
    if len(raw) > MAX_BYTES:
        raise DeriveError(f"{path}: a spec file is at most {MAX_BYTES // 1024} KiB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DeriveError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        hint = ""
        if "escape" in str(error).lower():
            hint = " (write LaTeX in single quotes, TOML's literal strings: density = '\\frac…')"
        raise DeriveError(f"{path}: not valid TOML: {str(error).splitlines()[0]}{hint}") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise DeriveError(f"{path}: unknown key {shorten(unknown[0])!r}; keys: {', '.join(KEYS)}")
    density, target = _text(data, "density", path), _text(data, "target", path)
    if density is None or target is None or "predict" not in data:
        raise DeriveError(f"{path}: needs density, target and predict")
    domains = data.get("domains", {})
    if not isinstance(domains, dict) or not all(isinstance(v, str) for v in domains.values()):
        raise DeriveError(f'{path}: domains must be a table of strings, e.g. sigma = "positive"')
    stem = os.path.splitext(os.path.basename(path))[0]
    return CustomRequest(
        density=density,
        target=target,
        predict=_names(data, "predict", path),
        fixed=_names(data, "fixed", path),
        support=_text(data, "support", path, "real") or "real",
        domains=tuple(sorted((str(k), v) for k, v in domains.items())),
        name=_text(data, "name", path, stem) or stem,
        summary=_text(data, "summary", path, "") or "",
        link=_text(data, "link", path),
        source=(("--spec", path),),
    )
