"""The command line, in-process through ``main(argv)`` and once through the console script."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from derive.cli import main
from derive.errors import DeriveError

ACCEPTANCE = [
    (["gaussian"], "MSELoss"),
    (["normal"], "MSELoss"),
    (["laplace"], "L1Loss"),
    (["bernoulli"], "BCELoss"),
    (["bernoulli", "--link", "logit"], "BCEWithLogitsLoss"),
    (["categorical"], "NLLLoss"),
    (["categorical", "--link", "softmax"], "CrossEntropyLoss"),
    (["categorical", "--link", "softmax", "--targets", "soft"], "CrossEntropyLoss"),
    (["categorical", "--link", "softmax", "--label-smoothing", "0.1"], "CrossEntropyLoss"),
    (["categorical", "--link", "softmax", "--classes", "3"], "CrossEntropyLoss"),
    (["gaussian", "--learn-variance"], "GaussianNLLLoss"),
    (["poisson"], "PoissonNLLLoss"),
    (["poisson", "--link", "identity"], "PoissonNLLLoss"),
    (["binomial", "--trials", "10"], "BCEWithLogitsLoss"),
    (["binomial", "--link", "identity"], "BCELoss"),
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _rebuild(obj: dict[str, str]) -> sp.Basic:
    return sp.sympify(obj["sympy"])


@pytest.mark.parametrize(("argv", "loss"), ACCEPTANCE, ids=[" ".join(a) for a, _ in ACCEPTANCE])
def test_json_contract(argv: list[str], loss: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run([*argv, "--format", "json"], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["schema"] == 1
    assert doc["loss"]["name"] == loss
    assert doc["loss"]["torch"] == f"torch.nn.{loss}"
    assert set(doc["variables"]) >= {"target", "prediction", "nuisance"}
    for key in ("nll", "scale", "offset", "likelihood"):
        assert isinstance(_rebuild(doc[key]), sp.Basic)
        assert doc[key]["text"]
    assert doc["steps"]
    for step in doc["steps"]:
        assert set(step) >= {"rule", "relation", "expr"}
        assert isinstance(_rebuild(step["expr"]), sp.Basic)
    # the rebuilt per-sample NLL is exactly scale·loss + offset where the names say so
    names = {s.name for s in _rebuild(doc["nll"]).free_symbols}
    assert set(doc["variables"]["prediction"]) <= names | {"z", "q"}


def test_json_rebuilds_the_same_expression(capsys: pytest.CaptureFixture[str]) -> None:
    from derive import derive
    from derive.functions import to_core

    _, out, _ = _run(["gaussian", "--format", "json"], capsys)
    doc = json.loads(out)
    assert _rebuild(doc["nll"]) == to_core(derive("gaussian").nll)
    _, out, _ = _run(
        ["categorical", "--link", "softmax", "--classes", "3", "--format", "json"], capsys
    )
    doc = json.loads(out)
    assert doc["variables"]["prediction"] == ["z_1", "z_2", "z_3"]
    assert {s.name for s in _rebuild(doc["nll"]).free_symbols} == {
        "z_1",
        "z_2",
        "z_3",
        "t_1",
        "t_2",
        "t_3",
    }


def test_text_ends_with_the_mse_conclusion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["gaussian"], capsys)
    assert code == 0
    assert "−log L(θ) = (Σᵢ₌₁ⁿ (yᵢ − fᵢ)²)/(2·σ²) + n·log(2·π·σ²)/2" in out
    assert "per sample: nll = (1/(2·σ²))·ℓ + log(2·π·σ²)/2, with ℓ = (y − f)²" in out
    assert "maximum likelihood is minimum mean squared error (MSELoss)" in out
    assert "torch.nn.MSELoss()(f, y)" in out
    assert "reduction='mean' (the default)" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["gausian"], "did you mean 'gaussian'"),
        (["categorical", "--classes", "1"], "--classes"),
        (["categorical", "--classes", "abc"], "--classes"),
        (["categorical", "--label-smoothing", "1"], "--label-smoothing"),
        (["categorical", "--label-smoothing", "-0.1"], "--label-smoothing must be in [0, 1)"),
        (["categorical", "--label-smoothing", "-1/10"], "--label-smoothing must be in [0, 1)"),
        (["categorical", "--label-smoothing", "-1e-3"], "--label-smoothing must be in [0, 1)"),
        (["categorical", "--label-smoothing=-1/10"], "--label-smoothing must be in [0, 1)"),
        (["categorical", "--classes", "-3"], "--classes"),
        (["categorical", "--label-smoothing", "__import__('os')"], "--label-smoothing"),
        (["bernoulli", "--link", "softmx"], "choose one of: identity, logit"),
        (["gaussian", "--classes", "3"], "only applies to categorical"),
        (["gaussian", "--format", "yaml"], "invalid choice"),
        (["x" * 5000], "unknown distribution"),
        ([], "give a model"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and needle in err
    assert "Traceback" not in err


def test_output_file_is_written_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "g.json"
    code, out, _ = _run(["gaussian", "--format", "json", "-o", str(target)], capsys)
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["loss"]["name"] == "MSELoss"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600
    bad = tmp_path / "out.txt"
    code, _, err = _run(["gausian", "-o", str(bad)], capsys)
    assert code == 2 and not bad.exists()
    assert list(tmp_path.iterdir()) == [target]
    code, _, err = _run(["gaussian", "-o", str(tmp_path / "missing" / "x.txt")], capsys)
    assert code == 2 and "no such directory" in err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["list"], capsys)
    assert code == 0
    for word in (
        "gaussian",
        "normal",
        "laplace",
        "bernoulli",
        "categorical",
        "logit",
        "softmax",
        "CrossEntropyLoss",
    ):
        assert word in out
    code, out, _ = _run(["list", "--format", "json"], capsys)
    models = json.loads(out)["models"]
    assert [m["name"] for m in models] == [
        "gaussian",
        "laplace",
        "student-t",
        "cauchy",
        "logistic",
        "huber",
        "asymmetric-laplace",
        "bernoulli",
        "categorical",
        "poisson",
        "gamma",
        "exponential",
        "binomial",
    ]
    by_name = {m["name"]: m for m in models}
    assert by_name["student-t"]["options"] == ["--nu", "--scale"]
    assert by_name["asymmetric-laplace"]["aliases"] == ["quantile", "pinball"]
    assert by_name["huber"]["links"] == [{"link": "identity", "loss": "HuberLoss (delta=δ)"}]


def test_help_does_not_import_sympy() -> None:
    code = (
        "import sys\n"
        "from derive.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "main(['list'])\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "usage: derive" in result.stdout


def test_output_is_identical_across_hash_seeds() -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "derive",
                "categorical",
                "--link",
                "softmax",
                "--label-smoothing",
                "0.1",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_console_script_end_to_end() -> None:
    script = shutil.which("derive", path=os.path.dirname(sys.executable)) or shutil.which("derive")
    assert script is not None, "the derive console script is installed"
    result = subprocess.run([script, "gaussian"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "MSELoss" in result.stdout
    result = subprocess.run([script, "gausian"], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "gaussian" in result.stderr


def test_work_is_bounded_in_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import time

    import derive.cli as cli

    def slow(args: object) -> str:
        time.sleep(5)
        return "never"

    monkeypatch.setattr(cli, "TIME_LIMIT_SECONDS", 1)
    monkeypatch.setattr(cli, "_derive_output", slow)
    code, out, err = _run(["gaussian"], capsys)
    assert code == 2 and out == ""
    assert err == "derive: error: gave up after 1 s\n"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("derive ")


def test_version_is_that_of_the_distribution_derive_losses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The distribution is derive-losses (derive on PyPI is another project); the
    import package and the command stay derive."""
    import importlib.metadata
    import tomllib

    asked: list[str] = []

    def version(name: str) -> str:
        asked.append(name)
        return "9.8.7"

    monkeypatch.setattr(importlib.metadata, "version", version)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert asked == ["derive-losses"] and capsys.readouterr().out == "derive 9.8.7\n"
    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "derive-losses"
    assert project["scripts"] == {"derive": "derive.console:run"}


def test_json_carries_gradient_hessian_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["bernoulli", "--link", "logit", "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    z = sp.Symbol("z", real=True)
    y = sp.Symbol("y", integer=True, nonnegative=True)
    assert _rebuild(doc["gradient"]["z"]) == 1 / (1 + sp.exp(-z)) - y
    assert "z" in doc["hessian"] and "z" in doc["hessian"]["z"]
    assert doc["convexity"]["verdict"] == "convex"
    assert doc["convexity"]["wrt"] == ["z"]
    assert doc["convexity"]["certificate"]["text"]
    assert doc["linear_predictor"]["convexity"]["verdict"] == "convex"


def test_mse_comparison_in_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        ["bernoulli", "--link", "logit", "--loss", "mse", "--format", "json"], capsys
    )
    assert code == 0
    cmp = json.loads(out)["comparison"]
    assert cmp["mse_convexity"]["verdict"] == "not convex"
    example = cmp["mse_convexity"]["counterexample"]
    assert example["value_float"] < 0 and set(example["point"]) == {"y", "z"}
    assert [(_rebuild(x["mse"]), _rebuild(x["derived"])) for x in cmp["limits"]] == [
        (0, -1),
        (0, 1),
    ]
    code, out, _ = _run(["bernoulli", "--link", "logit", "--loss", "mse"], capsys)
    assert "(1 − σ(z))·σ(z)" in out and "σ(z) < 1/3" in out and "σ(z) > 2/3" in out
    assert "the MSE gradient tends to 0, the derived gradient to −1." in out


def test_symbolic_softmax_json_hessian_entry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["categorical", "--link", "softmax", "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["hessian"]["indices"] == ["a", "b"]
    assert isinstance(_rebuild(doc["hessian"]["entry"]), sp.Basic)
    assert doc["convexity"]["verdict"] == "convex"
    assert "variance" in doc["convexity"]["certificate"]["text"]


def test_mse_comparison_needs_a_sigmoid_or_softmax(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["gaussian", "--loss", "mse"], capsys)
    assert code == 2 and "--loss mse" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [
        ("latex", r"\begin{align*}"),
        ("tex", r"\begin{align*}"),
        ("markdown", "**Proposition.**"),
        ("md", "$$\\begin{aligned}"),
    ],
)
def test_latex_and_markdown_formats(
    fmt: str, marker: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["laplace", "--format", fmt], capsys)
    assert code == 0 and err == ""
    assert marker in out and r"\documentclass" not in out


def test_standalone_latex_file_compiles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The acceptance command: derive gaussian --format latex --standalone -o g.tex; pdflatex."""
    from tests.conftest import compile_tex

    target = tmp_path / "g.tex"
    code, _, err = _run(
        ["gaussian", "--format", "latex", "--standalone", "-o", str(target)], capsys
    )
    assert code == 0 and err == ""
    compile_tex(target.read_text(encoding="utf-8"), tmp_path, "g")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["gaussian", "--standalone"], "--standalone only applies to --format latex"),
        (["all"], "all needs --out DIR"),
        (["all", "--out", "x", "--link", "logit"], "all takes only --out DIR"),
        (["all", "--out", "x", "--format", "latex"], "all takes only --out DIR"),
        (["gaussian", "--out", "x"], "--out only applies to 'derive all'"),
        (["gaussian", "laplace"], "unexpected argument 'laplace'"),
        (["gaussian", "--format", "html"], "invalid choice"),
    ],
)
def test_option_mistakes_are_one_line_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_all_refuses_a_file_as_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = _run(["all", "--out", str(blocker)], capsys)
    assert code == 2 and "not a directory" in err


def test_help_lists_the_new_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for word in ("--standalone", "latex", "markdown", "derive all --out", "derive plot"):
        assert word in out


def test_dash_output_is_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["gaussian", "--format", "json", "-o", "-"], capsys)
    assert code == 0 and err == ""
    assert json.loads(out)["loss"]["name"] == "MSELoss"
    code, out, _ = _run(["list", "-o", "-"], capsys)
    assert code == 0 and "gaussian" in out
    code, _, err = _run(["plot", "gaussian", "-o", "-"], capsys)
    assert code == 2 and "not standard output" in err


def test_output_through_a_symlink_keeps_the_link_and_the_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    code, _, err = _run(["gaussian", "-o", str(link)], capsys)
    assert code == 0 and err == ""
    assert link.is_symlink() and "MSELoss" in real.read_text(encoding="utf-8")
    assert real.stat().st_mode & 0o7777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def test_output_to_a_fifo_or_a_directory_is_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import derive.cli as cli

    def never(args: object) -> str:
        raise AssertionError("derived before the output was checked")

    monkeypatch.setattr(cli, "_derive_output", never)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "FIFO"), (tmp_path, "directory")):
        code, out, err = _run(["gaussian", "-o", str(path)], capsys)
        assert code == 2 and out == ""
        assert err == f"derive: error: cannot write {path}: not a regular file ({kind})\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["fifo"]


def test_dev_null_is_refused_not_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    """Run as root, -o /dev/null used to replace the device with a regular file."""
    from derive.files import check_writable

    with pytest.raises(DeriveError):
        check_writable("/dev/null")  # so that the next line cannot write it
    code, _, err = _run(["gaussian", "-o", "/dev/null"], capsys)
    assert code == 2
    assert err == "derive: error: cannot write /dev/null: not a regular file (character device)\n"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_all_writes_nothing_when_one_target_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import derive.gallery

    pages = {"a.md": "A", "b.tex": "B", "index.md": "I"}
    monkeypatch.setattr(derive.gallery, "gallery", lambda specs=None: dict(pages))
    (tmp_path / "b.tex").mkdir()
    code, out, err = _run(["all", "--out", str(tmp_path)], capsys)
    assert code == 2 and out == ""
    assert err == (
        f"derive: error: cannot write {tmp_path / 'b.tex'}: not a regular file (directory)\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["b.tex"]  # no file, no temporary
    (tmp_path / "b.tex").rmdir()
    code, out, _ = _run(["all", "--out", str(tmp_path / "new")], capsys)
    assert code == 0 and out == f"wrote 3 files to {tmp_path / 'new'}\n"
    assert {p.name: p.read_text() for p in (tmp_path / "new").iterdir()} == pages


@pytest.mark.parametrize(
    "value", ["1e-9999", "1e-99999999", "0.999999999999999999999", "1" + "0" * 5000]
)
def test_label_smoothing_digits_are_capped_fast(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """1e-9999 is a tiny number in [0, 1) but 9999 digits written out: rejected, in
    milliseconds (it was an internal error; 1e-99999999 took a minute)."""
    import time

    start = time.perf_counter()
    code, out, err = _run(["categorical", f"--label-smoothing={value}"], capsys)
    assert time.perf_counter() - start < 1
    assert code == 2 and out == ""
    shown = value if len(value) <= 32 else value[:32] + "…"
    assert err == (
        "derive: error: --label-smoothing must be a number like 0.1 or 1/10 "
        f"with at most 12 digits, got {shown!r}\n"
    )


def test_a_negative_looking_value_that_is_no_number_stays_an_argparse_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(["categorical", "--label-smoothing", "-x"], capsys)
    assert code == 2 and "expected one argument" in err


def _ascii_stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")


def test_an_ascii_stdout_gets_escapes_not_an_internal_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, err = _ascii_stream(), _ascii_stream()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["gaussian"]) == 0
    assert main(["categorical", "--classes", "x" * 50]) == 2
    assert out.errors == "strict" and err.errors == "strict"  # restored afterwards
    out.flush()
    err.flush()
    text = out.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    assert "MSELoss" in text and "\\u03c3" in text  # σ
    assert err.buffer.getvalue().decode("ascii").count("\n") == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "argv",
    [
        ["gaussian"],
        ["--help"],
        ["list"],
        ["list", "--format", "json"],
        ["categorical", "--link", "softmax", "--format", "json"],
        ["bernoulli", "--link", "logit", "--loss", "mse", "--format", "json"],
        ["gausian"],
    ],
)
def test_pythonioencoding_ascii(argv: list[str]) -> None:
    """Through the interpreter, as a user's shell would run it; JSON stays valid JSON."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONIOENCODING="ascii", PYTHONPATH=str(root))
    ascii_run = subprocess.run(
        [sys.executable, "-m", "derive", *argv], capture_output=True, env=env, check=False
    )
    env["PYTHONIOENCODING"] = "utf-8"
    utf8_run = subprocess.run(
        [sys.executable, "-m", "derive", *argv], capture_output=True, env=env, check=False
    )
    assert ascii_run.returncode == utf8_run.returncode == (2 if argv == ["gausian"] else 0)
    assert b"Traceback" not in ascii_run.stderr and b"internal error" not in ascii_run.stderr
    out, err = ascii_run.stdout.decode("ascii"), ascii_run.stderr.decode("ascii")
    if "json" in argv:
        assert json.loads(out) == json.loads(utf8_run.stdout.decode("utf-8"))
    else:
        unescaped = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), out)
        assert unescaped == utf8_run.stdout.decode("utf-8")
    assert err.count("\n") == (1 if argv == ["gausian"] else 0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["binomial", "--trials", "0"], "--trials must be a whole number >= 1, got '0'"),
        (["binomial", "--trials", "2.5"], "--trials must be a whole number >= 1, got '2.5'"),
        (["binomial", "--trials", "-3"], "--trials must be a whole number >= 1, got '-3'"),
        (["binomial", "--trials", "x"], "--trials must be a whole number >= 1 with at most 12"),
        (["gamma", "--shape", "0"], "--shape must be a number > 0, got '0'"),
        (["poisson", "--trials", "3"], "--trials only applies to binomial, not poisson"),
        (["gamma", "--link", "identity"], "unknown link 'identity' for gamma"),
        (["gaussian", "--learn-variance=yes"], "--learn-variance: ignored explicit argument"),
        (["exponential", "--learn-variance"], "--learn-variance only applies to gaussian"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_bad_values_for_the_new_families(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith("derive: error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["gaussian", "--learn-variance"],
        ["poisson", "--link", "identity"],
        ["gamma", "--shape", "2"],
        ["exponential", "--rate", "--link", "identity"],
        ["binomial", "--trials", "10"],
    ],
    ids=" ".join,
)
def test_the_new_families_in_every_format(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, err = _run(argv, capsys)
    assert code == 0 and err == "" and "Exponential family" in text
    code, tex, _ = _run([*argv, "--format", "latex", "--standalone"], capsys)
    assert code == 0 and tex.startswith("\\documentclass") and "Exponential family" in tex
    code, markdown, _ = _run([*argv, "--format", "markdown"], capsys)
    assert code == 0 and "## Exponential family" in markdown
    code, out, _ = _run([*argv, "--format", "json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["exponential_family"]["convex_in_natural_parameters"] is True


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["student-t", "--nu", "-1"], "--nu must be a number > 0, got '-1'"),
        (["student", "--nu", "abc"], "--nu"),
        (["asymmetric-laplace", "--quantile", "1.5"], "--quantile must be a number strictly"),
        (["quantile", "--quantile", "-0.5"], "strictly between 0 and 1, got '-0.5'"),
        (["huber", "--delta", "0"], "--delta must be a number > 0, got '0'"),
        (["cauchy", "--scale", "-1/2"], "--scale must be a number > 0"),
        (["cauchy", "--nu", "3"], "--nu only applies to student-t, not cauchy"),
        (["student-t", "--delta", "1"], "--delta only applies to huber, not student-t"),
        (["plot", "huber", "--delta", "0", "-o", "x.png"], "--delta must be a number > 0"),
        (["studnet-t"], "did you mean 'student-t'"),
    ],
)
def test_bad_option_values_of_the_location_families(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "loss", "verdict"),
    [
        (["student-t", "--nu", "3"], None, "not convex"),
        (["student"], None, "not convex"),
        (["cauchy", "--scale", "2"], None, "not convex"),
        (["logistic"], None, "convex"),
        (["huber", "--delta", "1"], "HuberLoss", "convex"),
        (["huber"], "HuberLoss", "convex"),
        (["asymmetric-laplace", "--quantile", "0.9"], "PinballLoss", "convex"),
        (["pinball"], "PinballLoss", "convex"),
    ],
)
def test_location_families_in_json(
    argv: list[str], loss: str | None, verdict: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run([*argv, "--format", "json"], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert (doc["loss"] and doc["loss"]["name"]) == loss
    assert doc["convexity"]["verdict"] == verdict
    assert (doc["negative_curvature"] is not None) == (verdict == "not convex")
    for key in ("nll", "likelihood", "derived_loss"):
        assert isinstance(_rebuild(doc[key]), sp.Basic)


def test_soft_targets_say_what_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    """Probability targets go to torch as probabilities; ℓ is one loss throughout; the
    target p and the softmax q have their own letters; the entropy offset is symmetric."""
    code, out, _ = _run(["categorical", "--link", "softmax", "--targets", "soft"], capsys)
    assert code == 0
    assert "torch.nn.CrossEntropyLoss()(z, p)" in out and "class index" not in out
    assert "diag(q) − qqᵀ" in out and "diag(p)" not in out
    _, out, _ = _run(["categorical", "--targets", "soft", "--classes", "3"], capsys)
    conclusion = re.search(r"with ℓ = (.*)\n", out)
    assert conclusion is not None
    gradient = out.split("\nGradient")[1]
    assert f"\n    ℓ = {conclusion.group(1)}\n" in gradient  # the ℓ the conclusion defines
    assert "nll = ℓ − p[1]·log(p[1]) − p[2]·log(p[2]) − p[3]·log(p[3])" in out
    assert "1 − p" not in out  # no class eliminated by Σ p = 1


def test_label_smoothing_on_probabilities_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["categorical", "--label-smoothing", "0.1"], capsys)
    assert code == 0
    assert "torch.nn.CrossEntropyLoss(label_smoothing=0.1)(torch.log(q), y)" in out
    assert "per sample: nll = ℓ, with ℓ = " in out and "unnamed" not in out
    assert "is not the probability of the observed label y" in out
    assert "∂ℓ/∂q[a] = −1/(10·K·q[a]) − 9·[a = y]/(10·q[y])" in out


@pytest.mark.parametrize("flags", [[], ["--targets", "soft"], ["--label-smoothing", "0.1"]])
def test_many_classes_stay_compact(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Above four classes the classes are an indexed vector: the output does not grow with K
    (it was 5 MB at K = 64), and the Hessian is diag(q) − qqᵀ, not K² entries."""
    sizes = {}
    for classes in (8, 64):
        argv = ["categorical", "--link", "softmax", "--classes", str(classes), *flags]
        code, out, _ = _run(argv, capsys)
        assert code == 0
        sizes[classes] = len(out.encode())
        assert len(out.encode()) < 6000 + 50 * classes
        assert f"Σⱼ₌₁{''.join('⁰¹²³⁴⁵⁶⁷⁸⁹'[int(c)] for c in str(classes))}" in out
        assert "diag(q) − qqᵀ" in out and f"class indices a, b = 1, …, {classes}:" in out
    assert sizes[64] < sizes[8] * 1.1


# ------------------------------------------------------------------ entropy, cross-entropy, KL


@pytest.fixture
def fixture_laws(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand-made laws and identities of tests/information_fixtures.py, registered."""
    import derive.families
    from derive.information import identities
    from tests.information_fixtures import LAWS, registry

    monkeypatch.setattr(derive.families, "FAMILIES", (*derive.families.FAMILIES, *LAWS))
    monkeypatch.setattr(identities, "IDENTITIES", registry())


def test_kl_normal_normal_in_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["kl", "normal", "normal"], capsys)
    assert code == 0 and err == ""
    assert "  KL(P‖Q) = −1/2 + (σ₁² + (μ₁ − μ₂)²)/(2·σ₂²) + log(σ₂/σ₁)   (nats)" in out
    assert "value = torch.distributions.kl_divergence(P, Q)" in out
    code, out, _ = _run(["entropy", "normal", "--base", "bits"], capsys)
    assert code == 0 and "(bits)" in out and "P.entropy() / math.log(2)" in out
    code, out, _ = _run(["cross-entropy", "--base", "10", "gaussian", "normal"], capsys)
    assert code == 0 and "  H(P, Q) = 𝔼_{y∼P}[−log₁₀(q(y))]" in out


def test_kl_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    from derive import kl
    from derive.render.information import REBUILD

    code, out, err = _run(["kl", "normal", "normal", "--format", "json"], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert (doc["schema"], doc["kind"], doc["base"], doc["unit"]) == (1, "kl", "e", "nats")
    assert doc["status"] == "derived" and doc["reason"] is None
    assert sp.sympify(doc["value"]["sympy"], locals=REBUILD) == kl("normal", "normal").value
    assert doc["torch"] == {
        "p": {"class": "torch.distributions.Normal", "args": {"loc": "mu_1", "scale": "sigma_1"}},
        "q": {"class": "torch.distributions.Normal", "args": {"loc": "mu_2", "scale": "sigma_2"}},
    }
    assert doc["steps"][0]["rule"] == "Densities"
    code, out, _ = _run(["entropy", "normal", "--format", "json", "--base", "2"], capsys)
    doc = json.loads(out)
    assert doc["unit"] == "bits" and list(doc["torch"]) == ["p"]


def test_categorical_classes_and_remarks(
    fixture_laws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["kl", "fixture-categorical", "fixture-categorical", "--classes", "3"]
    code, out, err = _run([*argv, "--format", "json"], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["torch"]["p"]["args"] == {"probs": ["p_1", "p_2", "p_3"]}
    assert doc["remarks"] and "KLDivLoss" in doc["remarks"][0]
    code, out, _ = _run(argv, capsys)
    assert "KL(P‖Q) = p₁·log(p₁/q₁) + p₂·log(p₂/q₂) + p₃·log(p₃/q₃)   (nats)" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["kl", "normal"], "kl takes two laws, P and Q, got 1: derive kl P Q"),
        (["kl"], "kl takes two laws, P and Q, got 0"),
        (["entropy", "normal", "laplace"], "entropy takes one law, P, got 2"),
        (["entropy"], "entropy takes one law, P, got 0"),
        (["kl", "normal", "normal", "normal"], "unrecognized arguments: normal"),
        (["kl", "gausian", "normal"], "did you mean 'gaussian'"),
        (["kl", "normal", "cauchy"], "cauchy has no law for entropies and divergences yet"),
        (["kl", "normal", "normal", "--link", "logit"], "--link does not apply to 'derive kl'"),
        (["kl", "normal", "normal", "--loss", "mse"], "--loss does not apply to 'derive kl'"),
        (["entropy", "normal", "--trials", "3"], "--trials does not apply to 'derive entropy'"),
        (["entropy", "normal", "--base", "3"], "unknown base '3'; choose one of: e, 2, 10"),
        (["entropy", "normal", "--classes", "3"], "--classes applies to the categorical law"),
        (["entropy", "normal", "--classes", "99"], "--classes must be from 2 to 64, got 99"),
        (["entropy", "normal", "--target", "y"], "--target only applies with --p-density"),
        (["entropy", "--q-density", "y"], "entropy has one law, P: give it by name or with"),
        (["entropy", "normal", "--density", "y"], "--density does not apply to 'derive entropy'"),
        (["gaussian", "--base", "2"], "--base only applies to 'derive entropy'"),
        (["gaussian", "--p-density", "y"], "--p-density only applies to 'derive entropy'"),
        (["custom", "--q-density", "y"], "--q-density only applies to 'derive entropy'"),
        (["identity"], "identity needs a name: derive identity NAME"),
        (["identity", "gibbs", "--base", "2"], "--base does not apply to 'derive identity'"),
        (["identity", "gibbs", "--classes", "3"], "--classes does not apply to 'derive identity'"),
        (["identity", "gibbs", "extra"], "unexpected argument 'extra'"),
        (["identity", "nope"], "unknown identity 'nope'"),
        (["kl", "normal", "normal", "--standalone"], "--standalone only applies to --format latex"),
    ],
)
def test_information_mistakes_are_one_line_errors(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith("derive: error: ") and err.count("\n") == 1
    assert needle in err, err


def test_laws_on_different_supports_are_refused(
    fixture_laws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["kl", "fixture-switch", "normal"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "fixture-switch and gaussian live on different supports (binary and real)" in err
    code, _, err = _run(["identity", "gibs"], capsys)
    assert code == 2 and "did you mean 'gibbs'" in err


def test_identity_command(fixture_laws: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["identity", "asymmetry"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("derive identity asymmetry — KL divergence is not symmetric\n")
    code, out, _ = _run(["identity", "asymmetry", "--format", "json"], capsys)
    witness = json.loads(out)["witness"]
    assert witness["P"] == ["1/2", "1/2"] and set(witness["values"]) == {"KL(P||Q)", "KL(Q||P)"}
    code, out, _ = _run(["identity", "gibbs", "--format", "latex"], capsys)
    assert code == 0 and r"&\leq 0" in out
    code, out, _ = _run(["identity", "decomposition", "--format", "markdown"], capsys)
    assert code == 0 and out.startswith("# Cross-entropy is entropy plus KL divergence")


def test_list_names_the_laws_and_identities(
    fixture_laws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["list"], capsys)
    assert code == 0
    laws = out.split("\nlaws (derive entropy NAME, derive cross-entropy P Q, derive kl P Q):\n")[1]
    assert laws.startswith("gaussian")
    assert "Normal(mu, sigma) on real; torch.distributions.Normal" in laws
    assert "fixture-categorical Categorical(probs) on labels" in laws
    identities = out.split("\nidentities (derive identity NAME):\n")[1]
    assert identities.splitlines()[0] == "decomposition H(P, Q) = H(P) + KL(P‖Q)"
    assert "\nlaplace " in laws and "\ncauchy " not in laws  # cauchy has no law yet
    code, out, _ = _run(["list", "--format", "json"], capsys)
    doc = json.loads(out)
    by_name = {m["name"]: m for m in doc["models"]}
    assert by_name["gaussian"]["law"] == {
        "name": "Normal",
        "parameters": ["mu", "sigma"],
        "support": "real",
        "torch": "torch.distributions.Normal",
    }
    assert by_name["laplace"]["law"]["torch"] == "torch.distributions.Laplace"
    assert by_name["cauchy"]["law"] is None
    assert [i["name"] for i in doc["identities"]] == ["decomposition", "gibbs", "asymmetry"]


def test_information_console_script_deterministic_and_compiled(tmp_path: Path) -> None:
    """Through the installed script, under three hash seeds: the same bytes; the standalone
    KL page compiles with pdflatex; errors are one line with exit status 2."""
    from tests.conftest import compile_tex

    script = shutil.which("derive", path=os.path.dirname(sys.executable)) or "derive"
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        texts = []
        for fmt in ("json", "latex", "text"):
            result = subprocess.run(
                [script, "kl", "normal", "normal", "--format", fmt],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            texts.append(result.stdout)
        outputs.add(tuple(texts))
    assert len(outputs) == 1
    target = tmp_path / "kl.tex"
    argv = [script, "kl", "normal", "normal", "--format", "latex", "--standalone", "-o"]
    result = subprocess.run([*argv, str(target)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    compile_tex(target.read_text(encoding="utf-8"), tmp_path, "kl")
    result = subprocess.run([script, "kl", "normal"], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "kl takes two laws" in result.stderr


def test_help_lists_the_information_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for word in ("derive kl normal normal", "--base", "--p-density", "--q-density", "identity"):
        assert word in out


NORMAL_LATEX = r"\frac{1}{\sqrt{2\pi}\sigma}e^{-\frac{(y-\mu)^2}{2\sigma^2}}"


def test_a_user_density_as_p_gives_the_built_in_kl_in_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--p-density through the bounded worker: the Normal written in LaTeX against the
    built-in normal has the built-in closed form, and no torch class of its own."""
    argv = ["kl", "normal", "--p-density", NORMAL_LATEX, "--domain", "sigma=positive"]
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "kl" and data["status"] == "derived"
    assert main(["kl", "normal", "normal", "--format", "json"]) == 0
    builtin = json.loads(capsys.readouterr().out)
    value = sp.sympify(data["value"]["sympy"])
    expected = sp.sympify(builtin["value"]["sympy"])
    names = {s.name: s for s in value.free_symbols | expected.free_symbols}
    point = {names["mu_1"]: sp.Rational(1, 3), names["mu_2"]: -1, names["sigma_1"]: 2}
    point[names["sigma_2"]] = sp.Rational(3, 2)
    assert abs(sp.N(value.xreplace(point) - expected.xreplace(point), 30)) < 1e-25
    assert data["torch"]["p"] is None
    assert main([*argv]) == 0
    assert "registers the pair" not in capsys.readouterr().out


def test_a_hostile_user_density_is_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["kl", "laplace", "--q-density", "10^{10^{10}}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Q: density" in err


@pytest.mark.parametrize(
    ("suffix", "starts"),
    [(".tex", "\\section*"), (".json", "{"), (".md", "# "), (".txt", "derive gaussian")],
)
def test_the_output_suffix_names_the_format(tmp_path: Path, suffix: str, starts: str) -> None:
    """-o FILE without --format writes what the suffix names, byte for byte what --format
    prints to standard output."""
    target = tmp_path / f"g{suffix}"
    assert main(["gaussian", "-o", str(target)]) == 0
    kind = {".tex": "latex", ".json": "json", ".md": "markdown", ".txt": "text"}[suffix]
    assert target.read_text(encoding="utf-8").startswith(starts)
    same = tmp_path / "same.out"
    assert main(["gaussian", "--format", kind, "-o", str(same)]) == 0
    assert target.read_bytes() == same.read_bytes()


def test_a_suffix_that_contradicts_the_format_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["gaussian", "-o", str(tmp_path / "g.tex"), "--format", "json"],
        ["gaussian", "-o", str(tmp_path / "g.py")],  # which code?
        ["gaussian", "-o", str(tmp_path / "g.py"), "--format", "md"],
        ["list", "--format", "latex"],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("derive: error: ") and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []
    assert main(["gaussian", "-o", str(tmp_path / "g.py"), "--format", "numpy"]) == 0
    assert (tmp_path / "g.py").read_text(encoding="utf-8").startswith('"""Per-sample loss')


def test_option_values_are_case_insensitive_like_the_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["categorical", "--targets", "Soft", "--format", "JSON"]) == 0
    upper = capsys.readouterr().out
    assert main(["categorical", "--targets", "soft", "--format", "json"]) == 0
    assert capsys.readouterr().out == upper
    assert main(["bernoulli", "--link", "logit", "--loss", "MSE"]) == 0
    assert "MSE" in capsys.readouterr().out
