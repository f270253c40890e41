"""Properties of the whole command line, with Hypothesis: random valid combinations of the
options of every command never crash, and print the same bytes whatever PYTHONHASHSEED is.

Every combination is drawn from the registries — the family records (names, aliases in
any case, links and their aliases, options with their choices, switches and the domains
of the variables they bind), the laws, the identities, and the output formats of
``derive.cli.FORMATS`` — so a new family, link, option, law or identity is covered
without editing this file. A new command or output format is one entry in
:data:`COMMANDS` or :data:`FORMAT_KINDS` (a test fails while a format of ``FORMATS`` is
listed in neither).

A drawn combination is *valid* (it must exit 0, print something and nothing on stderr)
when the records say so. A value the records cannot vouch for (an option with neither
choices nor a bound domain, such as ``--label-smoothing``, drawn from a generic pool of
numbers) makes the combination *maybe refused*: exit 0 as above, or exit 2 with exactly
one ``derive: error:`` line. Exit 1 (an internal error) or an exception is always a
failure.

``derive all`` is left out (it writes the whole gallery: tests/test_gallery.py runs it).

Determinism: a fixed batch of combinations (drawn with a seeded :class:`random.Random`
through the same builders) is run in-process by one subprocess per hash seed and by the
test's own process; their digests must agree. ``DERIVE_NO_CACHE=1`` keeps the output
cache out of both properties.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.cli import _LAW_OPTIONS, CODE_FORMATS, FORMATS, IDENTITY, INFORMATION, main
from derive.family import _LINK_ALIASES, Domain, Family, Option, Role, families
from derive.information.identities import IDENTITIES
from derive.plot import SUFFIXES

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
OUT = "@OUT@"  # in an argv: the path of a file in a fresh temporary folder
EXIT_OK, EXIT_USAGE = 0, 2

# Reproducible in CI (the examples depend only on the test), no per-example deadline
# (a first derivation imports SymPy), and no example database written into the tree.
CLI = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class Pick(Protocol):
    """Choose one of ``choices``: Hypothesis' draw, or a seeded random choice."""

    def __call__(self, choices: Sequence[T], /) -> T: ...


@dataclass(frozen=True)
class Case:
    """One command line; ``valid``: it must succeed (else it may be refused, cleanly);
    ``exits``: the statuses that are successes (``equiv`` answers with 0, 1 or 3)."""

    argv: tuple[str, ...]
    valid: bool = True
    exits: tuple[int, ...] = (0,)


# ------------------------------------------------------------------ words and values

_SPELLINGS: tuple[Callable[[str], str], ...] = (str, str.upper, str.title)


def _spelt(pick: Pick, word: str) -> str:
    """``word`` as the user may type it: names, aliases and links are case-insensitive."""
    return pick(_SPELLINGS)(word)


def _model(pick: Pick, family: Family) -> str:
    return _spelt(pick, pick((family.name, *family.aliases)))


def _link(pick: Pick, name: str) -> str:
    spellings = (name, *sorted(a for a, target in _LINK_ALIASES.items() if target == name))
    return _spelt(pick, pick(spellings))


def _number_texts(value: Fraction) -> tuple[str, ...]:
    """The ways ``derive.numbers.parse_fraction`` reads ``value``: 5/2, 2.5, 25e-1; 3/1, 3."""
    texts = [f"{value.numerator}/{value.denominator}"]
    if value.denominator == 1:
        texts.append(str(value.numerator))
    digits = next((d for d in range(7) if (value * 10**d).denominator == 1), None)
    if digits:  # a terminating decimal: 2.5, and 25e-1
        scaled = int(value * 10**digits)
        texts += [f"{scaled // 10**digits}.{scaled % 10**digits:0{digits}d}", f"{scaled}e-{digits}"]
    return tuple(texts)


# Where each domain's numbers lie (what derive.compile checks a bound value against).
_INSIDE: dict[Domain, Callable[[Fraction], bool]] = {
    Domain.REAL: lambda x: True,
    Domain.POSITIVE: lambda x: x > 0,
    Domain.UNIT: lambda x: 0 < x < 1,
    Domain.COUNT: lambda x: x.denominator == 1 and x >= 0,
    Domain.NATURAL: lambda x: x.denominator == 1 and x >= 1,
}
# far from the sampling range: tiny, near one, huge (12 digits, the most an option takes)
_EXTREMES = tuple(
    Fraction(x) for x in ("1/1000", "999/1000", "1000", "1000000", "999999999999/7", "999999999999")
)


def _domain_values(domain: Domain) -> tuple[Fraction, ...]:
    """Numbers inside ``domain``: its sampling range's whole numbers (discrete) or simple
    fractions (continuous), and the extremes that lie in it."""
    low, high = (Fraction(x).limit_denominator(100) for x in domain.sample_range)
    if domain.discrete:
        usual = {Fraction(k) for k in range(int(low), int(high) + 1)}
    else:
        grid = {Fraction(a, b) for b in (1, 2, 4, 5, 10) for a in range(1, 10 * b)}
        usual = {x for x in grid if low <= x <= high}
    inside = _INSIDE[domain]
    return tuple(sorted(x for x in usual | set(_EXTREMES) if inside(x)))


# a value for an option the records give no range for: it may be refused
_GENERIC = ("0", "1/10", "0.25", "1/2", "1", "2", "3", "5", "64", "1e-3")


def _option_value(pick: Pick, family: Family, option: Option) -> tuple[str, bool]:
    """A value of a valued option and whether the records vouch for it."""
    if option.choices:
        return pick(option.choices), True
    if option.binds is not None:
        (bound,) = (v for v in family.variables if v.name == option.binds)
        assert bound.role is Role.FIXED
        value = pick(_domain_values(bound.domain))
        # above the option's largest number (a bound exact arithmetic needs): refused
        vouched = option.most is None or value <= Fraction(option.most)
        return pick(_number_texts(value)), vouched
    if option.figure is not None and pick((True, False)):
        return option.figure, True
    return pick(_GENERIC), False


def _option(pick: Pick, family: Family, option: Option) -> tuple[tuple[str, ...], bool]:
    if option.switch:
        return (option.flag,), True
    value, vouched = _option_value(pick, family, option)
    joined = pick((False, True))
    return ((f"{option.flag}={value}",) if joined else (option.flag, value)), vouched


def _formats(kinds: Sequence[str]) -> tuple[str, ...]:
    return tuple(name for name, kind in FORMATS.items() if kind in kinds)


def _format(pick: Pick, kinds: Sequence[str]) -> list[tuple[str, ...]]:
    """``--format F`` (or nothing: text), and ``--standalone`` sometimes with LaTeX."""
    name = pick((None, *_formats(kinds)))
    if name is None:
        return []
    groups: list[tuple[str, ...]] = [("--format", name)]
    if FORMATS[name] == "latex" and pick((False, True)):
        groups.append(("--standalone",))
    return groups


def _output(pick: Pick, suffix: str = ".out") -> list[tuple[str, ...]]:
    """Standard output, ``-o -``, or ``-o FILE`` (a suffix that names no format: the one
    drawn, or text, is written)."""
    where = pick((None, "-", OUT + suffix))
    return [] if where is None else [("-o", where)]


def _argv(pick: Pick, head: Sequence[str], groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The command words, then the option groups in a drawn order (argparse intermixes)."""
    for k in range(len(groups) - 1, 0, -1):  # Fisher–Yates, one pick per place
        j = pick(range(k + 1))
        groups[k], groups[j] = groups[j], groups[k]
    words = [w for group in groups for w in group]
    return (*head, *words) if pick((True, False)) else (*words, *head)


# ------------------------------------------------------------------ the commands

# The output formats (kinds of derive.cli.FORMATS) each command prints. A format added
# to FORMATS is listed here for the commands that accept it.
DOCUMENTS = ("text", "json", "latex", "markdown")
MODEL_FORMATS: tuple[str, ...] = (*DOCUMENTS, *CODE_FORMATS)  # a model's loss as a module
CUSTOM_FORMATS: tuple[str, ...] = (*DOCUMENTS, *CODE_FORMATS)
INFORMATION_FORMATS: tuple[str, ...] = DOCUMENTS
EQUIV_FORMATS: tuple[str, ...] = ("text", "json")
LIST_FORMATS: tuple[str, ...] = ("text", "json")
FORMAT_KINDS = {
    "model": MODEL_FORMATS,
    "custom": CUSTOM_FORMATS,
    "laws": INFORMATION_FORMATS,
    "equiv": EQUIV_FORMATS,
}


def _model_options(pick: Pick, family: Family) -> tuple[list[tuple[str, ...]], bool]:
    """A link, some of the family's options, ``--loss mse`` where the link allows it."""
    valid = True
    spec = pick(family.links)
    groups: list[tuple[str, ...]] = []
    if spec != family.links[0] or pick((False, True)):
        groups.append(("--link", _link(pick, spec.name)))
    for option in family.options:
        if pick((False, True)):
            group, vouched = _option(pick, family, option)
            groups.append(group)
            valid &= vouched
    if spec.compare_mse and pick((False, True)):
        groups.append(("--loss", "mse"))
    return groups, valid


def _model_case(pick: Pick, family: Family) -> Case:
    """``derive NAME [options] [--format F] [-o FILE]`` (a code format prints ℓ itself, so
    it takes no ``--loss``)."""
    groups, valid = _model_options(pick, family)
    chosen = _format(pick, MODEL_FORMATS)
    if chosen and FORMATS[chosen[0][1]] in CODE_FORMATS:
        groups = [group for group in groups if group[0] != "--loss"]
    groups += chosen + _output(pick)
    return Case(_argv(pick, (_model(pick, family),), groups), valid)


def _plot_case(pick: Pick, family: Family) -> Case:
    """``derive plot NAME [options] -o FILE``, the figure type from the suffix."""
    groups, valid = _model_options(pick, family)
    groups.append(("-o", OUT + pick(SUFFIXES)))
    return Case(_argv(pick, ("plot", _model(pick, family)), groups), valid)


def _list_case(pick: Pick, _: str) -> Case:
    return Case(_argv(pick, ("list",), _format(pick, LIST_FORMATS) + _output(pick)))


def _laws() -> tuple[Family, ...]:
    return tuple(f for f in families() if f.law is not None)


def _law_options(pick: Pick, laws: Sequence[Family]) -> tuple[list[tuple[str, ...]], bool]:
    """The family options every law given takes (``--classes`` of categorical laws)."""
    groups: list[tuple[str, ...]] = []
    valid = True
    for flag in _LAW_OPTIONS:
        owned = [next((o for o in f.options if o.flag == flag), None) for f in laws]
        if any(o is None for o in owned) or not pick((False, True)):
            continue
        option = owned[0]
        assert option is not None
        group, vouched = _option(pick, laws[0], option)
        groups.append(group)
        valid &= vouched
    return groups, valid


def _information_case(command: str) -> Callable[[Pick, tuple[Family, ...]], Case]:
    def build(pick: Pick, laws: tuple[Family, ...]) -> Case:
        groups, valid = _law_options(pick, laws)
        base = pick((None, "e", "2", "10"))
        if base is not None:
            groups.append(("--base", base))
        groups += _format(pick, INFORMATION_FORMATS) + _output(pick)
        names = tuple(_model(pick, f) for f in laws)
        return Case(_argv(pick, (command, *names), groups), valid)

    return build


def _law_subjects(count: int) -> tuple[tuple[Family, ...], ...]:
    """One law, or ordered pairs of laws on the same support (a KL needs one space)."""
    laws = _laws()
    if count == 1:
        return tuple((f,) for f in laws)
    return tuple(
        (p, q)
        for p in laws
        for q in laws
        if p.law is not None and q.law is not None and p.law.support is q.law.support
    )


def _identity_case(pick: Pick, name: str) -> Case:
    groups = _format(pick, INFORMATION_FORMATS) + _output(pick)
    return Case(_argv(pick, (IDENTITY, _spelt(pick, name)), groups))


@dataclass(frozen=True)
class Density:
    """A user density that derives quickly (from tests/test_custom.py and the specs)."""

    words: tuple[str, ...]  # --density … --target … or --spec FILE
    links: tuple[str, ...] = ("identity",)


SPECS = ROOT / "derivations" / "specs"
DENSITIES = (
    Density(
        (
            "--density",
            r"\frac{1}{\pi\gamma\left(1+\left(\frac{y-\mu}{\gamma}\right)^2\right)}",
            "--target",
            "y",
            "--predict",
            "mu",
            "--fixed",
            "gamma",
        )
    ),
    Density(
        (
            r"--density=\frac{1}{2b} e^{-\frac{|y-\mu|}{b}}",
            "--target=y",
            "--predict=mu",
            "--fixed=b",
        )
    ),
    Density(
        ("--density", "p^{y}(1-p)^{1-y}", "--target", "y", "--predict", "p", "--support", "binary"),
        links=("identity", "logit"),
    ),
    Density(("--spec", str(SPECS / "hyperbolic-secant.toml"))),
    Density(("--spec", str(SPECS / "gaussian-learned-scale.toml"))),
)


def _custom_case(pick: Pick, density: Density) -> Case:
    """``derive custom`` (or, with a spec file, no command word) with a link and a format.

    A generous ``--timeout``: the worker's wall clock must not fail a loaded CI machine.
    """
    groups: list[tuple[str, ...]] = [density.words, ("--timeout", pick(("60", "120")))]
    link = pick((None, *density.links))
    if link is not None:
        groups.append(("--link", _link(pick, link)))
    groups += _format(pick, CUSTOM_FORMATS) + _output(pick)
    spec = density.words[0] == "--spec"
    head: tuple[str, ...] = pick(((), ("custom",))) if spec else ("custom",)
    return Case(_argv(pick, head, groups))


# A user density as the law P (or Q) of entropy, cross-entropy and kl.
LAW_DENSITY = r"\frac{1}{2}e^{-|y|}"


def _density_law_case(pick: Pick, command: str) -> Case:
    count = INFORMATION[command]
    others = [f for f in _laws() if f.law is not None and f.law.support is Domain.REAL]
    laws = [pick(others) for _ in range(count - 1)]
    flag = pick(("--p-density", "--q-density")) if count == 2 else "--p-density"
    groups: list[tuple[str, ...]] = [(flag, LAW_DENSITY), ("--timeout", "60")]
    groups += _format(pick, INFORMATION_FORMATS) + _output(pick)
    return Case(_argv(pick, (command, *(_model(pick, f) for f in laws)), groups))


@dataclass(frozen=True)
class Pair:
    """Two LaTeX objectives for ``derive equiv``, the variables and the declarations."""

    a: str
    b: str
    wrt: tuple[str, ...]
    declared: tuple[tuple[str, ...], ...] = ()


# equivalent, different and (Γ of a real argument) unknown pairs: exit 0, 1 and 3 are
# all successes of the command; only 2 (on valid input) and 1 with a traceback are not
PAIRS = (
    Pair(r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", ("mu", "sigma")),
    Pair(r"|y-f|", r"3|f-y| + b", ("f",), (("--positive", "b"),)),
    Pair(r"\log(1+e^{-z})", r"\log(1+e^{z}) - z", ("z",)),
    Pair(r"-y\log p - (1-y)\log(1-p)", r"y\log p + (1-y)\log(1-p)", ("p",), (("--binary", "y"),)),
    Pair(r"\log\Gamma(x)", r"2\log\Gamma(x)", ("x",)),
    Pair(
        r"(w x - t)^2 + \lambda w^2", r"w^2 (x^2 + \lambda) - 2 w x t", ("w",), (("--real", "x,t"),)
    ),
)
EQUIV_EXITS = (0, 1, 3)


def _equiv_case(pick: Pick, pair: Pair) -> Case:
    """``derive equiv A B --wrt V [declarations] [--format F] [-o FILE]``."""
    wrt = pick(pair.wrt)
    groups: list[tuple[str, ...]] = [("--wrt", wrt), *pair.declared, ("--timeout", "60")]
    groups += _format(pick, EQUIV_FORMATS) + _output(pick)
    return Case(_argv(pick, ("equiv", pair.a, pair.b), groups), exits=EQUIV_EXITS)


@dataclass(frozen=True)
class Command:
    """A command: its subjects (families, laws, …), a builder, and its CI budget —
    ``examples`` Hypothesis examples, and ``batch`` lines in the determinism run (the
    subjects in turn; ``None``: one per subject, so that each is run once)."""

    name: str
    subjects: Callable[[], Sequence[Any]]
    build: Callable[[Pick, Any], Case]
    examples: int
    batch: int | None = None


# The table of commands; a new command is one more entry (the lead adds `equiv` here,
# with a few pairs of LaTeX objectives as its subjects).
COMMANDS: tuple[Command, ...] = (
    Command("model", families, _model_case, examples=60),
    Command("list", lambda: ("list",), _list_case, examples=8),
    *(
        Command(
            command,
            partial(_law_subjects, count),
            _information_case(command),
            examples=25,
            batch=6 if count == 2 else None,
        )
        for command, count in INFORMATION.items()
    ),
    Command("identity", lambda: tuple(IDENTITIES), _identity_case, examples=20),
    Command("custom", lambda: DENSITIES, _custom_case, examples=5, batch=3),
    Command(
        "law-density",
        lambda: tuple(INFORMATION),
        _density_law_case,
        examples=4,
    ),
    Command("plot", families, _plot_case, examples=10, batch=3),
    Command("equiv", lambda: PAIRS, _equiv_case, examples=8, batch=3),
)


# ------------------------------------------------------------------ running a case


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str  # standard output, the temporary folder's path shown as <folder>
    err: str
    files: tuple[tuple[str, bytes], ...]  # what the run left in the folder, by name

    def digest(self) -> str:
        record = hashlib.sha256(json.dumps([self.code, self.out, self.err]).encode())
        for name, data in self.files:
            record.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return record.hexdigest()


def run(case: Case) -> Outcome:
    """Run ``case`` in-process through ``main(argv)``, a fresh folder standing for OUT."""
    with tempfile.TemporaryDirectory(prefix="derive-properties-") as folder:
        argv = [w.replace(OUT, os.path.join(folder, "out")) for w in case.argv]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        files = tuple((path.name, path.read_bytes()) for path in sorted(Path(folder).iterdir()))
    shown = out.getvalue().replace(folder, "<folder>")
    return Outcome(code, shown, err.getvalue().replace(folder, "<folder>"), files)


def check(case: Case, outcome: Outcome) -> None:
    """Property A: a success writes its output (to stdout, or the file -o names) and says
    nothing on stderr; a refusal is one ``derive: error:`` line and writes nothing."""
    shown = " ".join(case.argv)
    assert "Traceback" not in outcome.err, f"{shown}\n{outcome.err}"
    if outcome.code in case.exits:
        assert outcome.err == "", f"{shown}: exit 0 with stderr\n{outcome.err}"
        to_file = any(word.startswith(OUT) for word in case.argv)
        if to_file:
            assert [name for name, _ in outcome.files] == ["out" + _suffix(case)], shown
            assert outcome.files[0][1].strip(), f"{shown}: an empty file"
        else:
            assert outcome.out.strip() and not outcome.files, f"{shown}: no output"
        return
    assert not case.valid, f"{shown}: a valid combination exits {outcome.code}\n{outcome.err}"
    assert outcome.code == EXIT_USAGE, f"{shown}: exit {outcome.code}\n{outcome.err}"
    lines = outcome.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("derive: error: "), f"{shown}\n{outcome.err}"
    assert outcome.err.endswith("\n")
    assert outcome.out == "" and not outcome.files, f"{shown}: a refusal wrote output"


def _suffix(case: Case) -> str:
    (word,) = (w for w in case.argv if w.startswith(OUT))
    return word[len(OUT) :]


def _cases(command: Command) -> st.SearchStrategy[Case]:
    subjects = tuple(command.subjects())

    @st.composite
    def build(draw: st.DrawFn) -> Case:
        def pick(choices: Sequence[T], /) -> T:
            return draw(st.sampled_from(choices))

        return command.build(pick, pick(subjects))

    return build()


# ------------------------------------------------------------------ property A


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The output cache off: every run derives (and so is tested)."""
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_valid_combinations_never_crash(command: Command) -> None:
    @settings(CLI, max_examples=command.examples)
    @given(_cases(command))
    def combination(case: Case) -> None:
        check(case, run(case))

    combination()


def test_every_format_is_drawn() -> None:
    """A format added to derive.cli.FORMATS must be listed for the commands that print it."""
    drawn = {kind for kinds in FORMAT_KINDS.values() for kind in kinds}
    assert set(FORMATS.values()) <= drawn, set(FORMATS.values()) - drawn


def test_the_builders_cover_the_registries() -> None:
    """Every family (by each name), link, option and choice, law, identity, format and
    output is drawn: 40 draws per subject, built only (a builder that ignored a record
    would fail here; by chance, an option drawn half the time is missed with
    probability 2⁻⁴⁰)."""
    cases = [c for command in COMMANDS for c in drawn(command, 40 * len(command.subjects()))]
    words = {w.lower() for case in cases for w in case.argv}
    pairs = {(a.lower(), b.lower()) for case in cases for a, b in zip(case.argv, case.argv[1:])} | {
        tuple(w.lower().split("=", 1)) for w in words if w.startswith("--") and "=" in w
    }
    for family in families():
        assert {family.name, *family.aliases} <= words, family.name
        for spec in family.links:
            assert ("--link", spec.name) in pairs, (family.name, spec.name)
        for option in family.options:
            assert option.flag in words or any(p[0] == option.flag for p in pairs), option.flag
            for choice in option.choices:
                assert (option.flag, choice) in pairs, (option.flag, choice)
    for command in INFORMATION:
        for laws in _law_subjects(INFORMATION[command]):
            shown = " ".join((command, *(f.name for f in laws)))
            assert any(shown in " ".join(c.argv).lower() for c in cases), shown
    assert set(IDENTITIES) <= words
    for name in FORMATS:
        assert ("--format", name) in pairs, name
    for word in ("--standalone", "--loss", "--base", "--p-density", "--q-density", "-o"):
        assert word in words, word
    for suffix in SUFFIXES:
        assert any(w.endswith(suffix) for w in words), suffix


# ------------------------------------------------------------------ property B

# one subprocess each, side by side with the test's own process (its seed random, unless
# the environment sets one, and its caches warm from the tests before)
SEEDS = ("0", "12345")


def drawn(command: Command, count: int) -> list[Case]:
    """``count`` cases of ``command`` drawn by a :class:`random.Random` seeded by the
    command's name (a string seed hashes with SHA-512, whatever PYTHONHASHSEED is), so
    that they are the same in every run: its subjects in turn, or, when ``count`` is
    fewer, as many distinct subjects drawn at random."""
    rng = random.Random(f"derive-properties-{command.name}")

    def pick(choices: Sequence[T], /) -> T:
        return rng.choice(list(choices))

    subjects = command.subjects()
    if count < len(subjects):
        subjects = rng.sample(list(subjects), count)
    return [command.build(pick, subjects[k % len(subjects)]) for k in range(count)]


def batch() -> list[Case]:
    """The determinism batch: ``batch`` cases of every command (one per subject when
    ``None``)."""
    return [
        case
        for command in COMMANDS
        for case in drawn(
            command, len(command.subjects()) if command.batch is None else command.batch
        )
    ]


def digests(path: str) -> None:
    """Run the argvs of the JSON file ``path``; print one digest each (the subprocess)."""
    for argv in json.loads(Path(path).read_text(encoding="utf-8")):
        print(run(Case(tuple(argv))).digest(), flush=True)


def test_output_is_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Property B: one process per hash seed and this one, side by side, each running the
    whole batch in-process; every line's digest (exit status, stdout, stderr, files)
    agrees."""
    cases = batch()
    argvs = tmp_path / "argvs.json"
    argvs.write_text(json.dumps([list(c.argv) for c in cases]), encoding="utf-8")
    code = f"from tests.test_properties import digests; digests({str(argvs)!r})"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DERIVE_NO_CACHE": "1"}
    processes = {
        seed: subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**env, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in SEEDS
    }
    results = {"this process": [run(case).digest() for case in cases]}
    for seed, process in processes.items():
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, f"PYTHONHASHSEED={seed}\n{err}"
        results[seed] = out.splitlines()
        assert len(results[seed]) == len(cases), f"PYTHONHASHSEED={seed}\n{err}"
    differ = [
        " ".join(case.argv)
        for number, case in enumerate(cases)
        if len({lines[number] for lines in results.values()}) != 1
    ]
    assert not differ, (
        "the output depends on PYTHONHASHSEED (or, if only this process differs, on what "
        "ran before in it):\n" + "\n".join(differ)
    )
