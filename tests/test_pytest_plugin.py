"""The pytest plugin: the ``derive_check`` fixture in a pytest run of its own (pytester).

The inner runs load the plugin with ``-p derive.pytest_plugin`` after ``-p no:derive``:
the plugin is found whether or not the package's ``pytest11`` entry point (named
``derive``) is installed, and never registered twice when it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import derive

pytest_plugins = ["pytester"]

ROOT = Path(derive.__file__).resolve().parents[1]
# other plugins the environment autoloads only slow the inner runs down
QUIET = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider")
PLUGIN = (*QUIET, "-p", "no:derive", "-p", "derive.pytest_plugin")

PASSING = """
import numpy as np

def test_mse(derive_check):
    check = derive_check.same_loss(lambda f, y: (f - y) ** 2, "gaussian")
    assert check.backend == "numpy" and check.samples > 64

def test_bce_with_logits(derive_check):
    derive_check.same_loss(
        lambda z, y: np.sum(np.logaddexp(0, z) - y * z), "bernoulli", link="logit", reduction="sum"
    )
"""

FAILING = """
import numpy as np

def test_naive_softplus(derive_check):
    derive_check.same_loss(lambda z, y: np.log(1 + np.exp(z)) - y * z, "bernoulli", link="logit")

def test_twice(derive_check):
    derive_check.same_loss(lambda f, y: 2 * (f - y) ** 2, "gaussian")
"""


def test_the_fixture_passes_a_right_loss(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_right=PASSING)
    result = pytester.runpytest_inprocess(*PLUGIN)
    result.assert_outcomes(passed=2)


def test_the_fixture_fails_a_wrong_loss_with_the_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_wrong=FAILING)
    result = pytester.runpytest_inprocess(*PLUGIN, "-ra")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: your loss does not match BCEWithLogitsLoss*",
            "*model:   derive bernoulli --link logit*",
            "*expected ℓ = 1000.0*",
            "*got          inf*",
            "*hint: your function gives inf or nan where ℓ is finite*",
            "*AssertionError: your loss does not match MSELoss*",
            "*hint: on the 80 samples compared, your values are 2 × ℓ*",
        ]
    )
    # derive's own frames are hidden: the traceback ends at the user's call
    assert "def assert_same_loss" not in out and "def same_loss" not in out
    # the short summary names the failure
    result.stdout.fnmatch_lines(["FAILED test_wrong.py::test_twice - AssertionError: your*"])


def test_bad_arguments_are_errors_not_failures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
def test_unknown(derive_check):
    derive_check.same_loss(lambda f, y: f, "gausian")
"""
    )
    result = pytester.runpytest_inprocess(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*DeriveError: unknown distribution 'gausian'*did you mean*"])
    assert "derive/family.py" not in result.stdout.str()  # the error, not derive's insides


def test_the_fixture_asserts_equivalence(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_equiv=r"""
def test_scaled(derive_check):
    result = derive_check.equivalent(
        r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", wrt="mu"
    )
    assert str(result.factor) == "1/(2*sigma**2)"

def test_not_in_sigma(derive_check):
    derive_check.equivalent(
        r"(y-\mu)^2", r"\frac{(y-\mu)^2}{2\sigma^2} + \log\sigma", wrt="sigma"
    )
"""
    )
    result = pytester.runpytest_inprocess(*PLUGIN)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["E*AssertionError: *", "E*witness*"])
    assert "def equivalent" not in result.stdout.str()


def test_with_the_entry_point_installed_it_loads_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An installed distribution declaring the entry point (as ``pip install`` writes it):
    the fixture is there without ``-p``, and ``-p no:derive -p derive.pytest_plugin``
    still registers the plugin once."""
    dist = tmp_path / "site" / "derive_losses_probe-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: derive-losses-probe\nVersion: 0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\nderive = derive.pytest_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    pytester.makepyfile(test_right=PASSING)
    pytester.runpytest_inprocess(*QUIET).assert_outcomes(passed=2)
    pytester.runpytest_inprocess(*PLUGIN).assert_outcomes(passed=2)


def test_the_entry_point_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"derive": "derive.pytest_plugin"}


def test_loading_the_plugin_imports_neither_sympy_nor_torch() -> None:
    code = (
        "import sys, derive.pytest_plugin;"
        "print(sorted(m for m in ('sympy', 'torch', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DERIVE_NO_CACHE": "1"},
    )
    assert out.stdout.strip() == "[]"
