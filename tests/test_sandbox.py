"""derive.sandbox: bounded forked workers, and expressions that travel as checked data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sympy as sp

import derive.sandbox as sandbox
from derive.errors import DeriveError
from derive.functions import sigmoid, softplus
from derive.sandbox import from_tree, run_bounded, to_tree

ROOT = Path(__file__).resolve().parent.parent


def _children() -> set[int]:
    """Process ids whose parent is this process (zombies included)."""
    me = os.getpid()
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.add(int(entry))
    return found


def _add(a: int, b: int) -> int:
    return a + b


def _nap_then_add(a: int, b: int) -> int:
    time.sleep(1)
    return a + b


def _spin() -> None:
    while True:
        pass


def _sleep_in_c() -> None:
    time.sleep(60)


def _hog_at_once() -> bytearray:
    return bytearray(10**10)


def _hog_slowly() -> list[bytearray]:
    held = []
    while True:
        held.append(bytearray(10**6))


def _refuse() -> None:
    raise DeriveError("density: unsupported command \\input")


def _bug() -> None:
    raise KeyError("boom")


def _exit() -> None:
    sys.exit(3)


def _alarm_handler_in_child() -> bool:
    return signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


def _tower() -> sp.Expr:
    return sp.Pow(10, sp.Pow(10, 10, evaluate=False), evaluate=False)


def _nll() -> sp.Expr:
    i = sp.Symbol("i", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    y = sp.IndexedBase("y", real=True)
    f = sp.IndexedBase("f", real=True)
    sigma = sp.Symbol("sigma", positive=True)
    return sp.Sum(
        sp.log(sigma) + sp.log(2 * sp.pi) / 2 + (y[i] - f[i]) ** 2 / (2 * sigma**2), (i, 1, n)
    )


def _logistic() -> sp.Expr:
    z = sp.Symbol("z", real=True)
    y = sp.Symbol("y", integer=True, nonnegative=True)
    return softplus(z) - y * z + sp.log(sigmoid(z)) * sp.Rational(3, 7)


def _misc() -> sp.Expr:
    a = sp.Symbol("a", integer=True, positive=True)
    b = sp.Symbol("b", integer=True, positive=True)
    k = sp.Symbol("k", integer=True)
    big_k = sp.Symbol("K", integer=True, positive=True)
    q = sp.IndexedBase("q", positive=True)
    x = sp.Symbol("x")
    return (
        sp.KroneckerDelta(a, b)
        + sp.Product(q[k], (k, 1, big_k))
        + sp.loggamma(x)
        + sp.sign(x) * sp.Abs(x)
        + sp.gamma(x) * sp.exp(x) * sp.E
        - sp.Integer(123456789) ** 2
    )


# --------------------------------------------------------------------------- run_bounded


def test_public_api() -> None:
    assert sorted(sandbox.__all__) == sandbox.__all__
    for name in sandbox.__all__:
        assert getattr(sandbox, name) is not None


def test_importing_does_not_import_sympy() -> None:
    code = "import sys, derive.sandbox; print('sympy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_returns_values() -> None:
    assert run_bounded(_add, 2, 3, timeout=10) == 5
    value = {"a": [1, 2.5, None, True, "s"], "b": (1, {"c": sp.Rational(1, 3)})}
    assert run_bounded(lambda: value, timeout=10) == value


def test_returns_expressions() -> None:
    for make in (_nll, _logistic, _misc):
        assert run_bounded(make, timeout=30) == make()
    got = run_bounded(lambda: [_nll(), (_logistic(), {"m": _misc()})], timeout=30)
    assert got == [_nll(), (_logistic(), {"m": _misc()})]


def test_a_spinning_worker_is_killed_and_reaped() -> None:
    before = _children()
    for fn in (_spin, _sleep_in_c):
        start = time.monotonic()
        with pytest.raises(DeriveError, match=r"^gave up after 1 s$"):
            run_bounded(fn, timeout=1)
        assert time.monotonic() - start < 2
    assert _children() == before


def test_started_workers_run_beside_the_caller() -> None:
    """Two workers that each sleep 1 s, started together, are done in about 1 s; a result
    sent before the deadline is read after it; a worker is read once."""
    before = _children()
    start = time.monotonic()
    workers = [sandbox.start_bounded(_nap_then_add, 2, 3, timeout=1.5) for _ in range(2)]
    time.sleep(1.7)  # the caller's own work, past both deadlines
    assert [w.result() for w in workers] == [5, 5]
    assert time.monotonic() - start < 3.3
    with pytest.raises(RuntimeError, match="read once"):
        workers[0].result()
    assert _children() == before


def test_a_cancelled_worker_is_killed_and_reaped() -> None:
    before = _children()
    worker = sandbox.start_bounded(_sleep_in_c, timeout=30)
    assert _children() - before
    worker.cancel()
    worker.cancel()  # once is enough
    assert _children() == before


def test_a_fractional_timeout_is_reported_as_given() -> None:
    with pytest.raises(DeriveError, match=r"^gave up after 0\.3 s$"):
        run_bounded(_spin, timeout=0.3)


def test_memory_is_capped() -> None:
    before = _children()
    with pytest.raises(DeriveError, match=r"^ran out of memory \(limit 2048 MiB\)$"):
        run_bounded(_hog_at_once, timeout=10)
    with pytest.raises(DeriveError, match=r"^ran out of memory \(limit 200 MiB\)$"):
        run_bounded(_hog_slowly, timeout=20, memory_mb=200)
    assert _children() == before


def test_deriveerror_propagates_with_its_message() -> None:
    with pytest.raises(DeriveError) as caught:
        run_bounded(_refuse, timeout=10)
    assert str(caught.value) == "density: unsupported command \\input"


def test_other_exceptions_are_internal_errors() -> None:
    with pytest.raises(RuntimeError, match=r"^internal error in worker: KeyError: 'boom'$"):
        run_bounded(_bug, timeout=10)
    with pytest.raises(RuntimeError, match="internal error in worker: SystemExit"):
        run_bounded(_exit, timeout=10)
    with pytest.raises(RuntimeError, match="cannot leave the worker"):
        run_bounded(object, timeout=10)
    with pytest.raises(RuntimeError, match="cannot encode a Float"):
        run_bounded(lambda: sp.Float("1.5") * sp.Symbol("x"), timeout=10)


def test_runs_from_a_thread() -> None:
    results: list[Any] = []

    def work() -> None:
        results.append(run_bounded(_add, 1, 2, timeout=10))
        try:
            run_bounded(_spin, timeout=0.5)
        except DeriveError as error:
            results.append(str(error))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results, key=str) == sorted([3, 3, 3, *["gave up after 0.5 s"] * 3], key=str)


def test_parent_alarm_handler_does_not_reach_the_child() -> None:
    def handler(signum: int, frame: Any) -> None:  # pragma: no cover - must not fire
        raise AssertionError("SIGALRM in the parent")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        assert run_bounded(_alarm_handler_in_child, timeout=10) is True
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_child_neither_flushes_parent_buffers_nor_runs_atexit() -> None:
    script = textwrap.dedent(
        """
        import atexit, sys
        from derive.sandbox import run_bounded
        atexit.register(lambda: print("atexit"))
        print("buffered", end=" ")
        print(run_bounded(lambda: 7, timeout=10))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.stdout == "buffered 7\natexit\n"


def test_an_oversized_result_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "MAX_RESULT_BYTES", 1000)
    with pytest.raises(DeriveError, match="result larger than"):
        run_bounded(lambda: "x" * 100_000, timeout=10)


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        run_bounded(_add, 1, 2, timeout=0)


def test_an_unevaluated_tower_comes_back_instantly() -> None:
    start = time.monotonic()
    got = run_bounded(_tower, timeout=10)
    assert time.monotonic() - start < 2
    assert isinstance(got, sp.Pow) and got.args[0] == 10


def test_a_parsed_density_comes_back_through_the_worker() -> None:
    from derive.parse import parse_density

    text = r"\sum_{i=1}^{n} \frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(y_i-\mu)^2}{2\sigma^2}}"
    assert run_bounded(parse_density, text, timeout=30) == parse_density(text)
    with pytest.raises(DeriveError, match=r"^density: unsupported command \\input$"):
        run_bounded(parse_density, r"\input{x}", timeout=30)


# --------------------------------------------------------------------------- trees


@pytest.mark.parametrize("make", [_nll, _logistic, _misc])
def test_round_trip(make: Any) -> None:
    expr = make()
    tree = to_tree(expr)
    assert from_tree(tree) == expr
    import json

    assert from_tree(json.loads(json.dumps(tree))) == expr


def test_symbols_keep_their_assumptions() -> None:
    mu = sp.Symbol("mu", positive=True)
    assert to_tree(mu) == ["Symbol", "mu", {"positive": True}]
    back = from_tree(to_tree(mu))
    assert back == mu and back.is_positive
    y = sp.IndexedBase("y", real=True)
    i = sp.Symbol("i", integer=True)
    assert from_tree(to_tree(y[i])).is_real


def test_leaves() -> None:
    assert to_tree(sp.Integer(-123)) == ["Integer", "-123"]
    assert to_tree(sp.Rational(1, 2)) == ["Rational", "1", "2"]
    assert to_tree(sp.pi) == ["pi"] and to_tree(sp.E) == ["E"]
    assert from_tree(["Integer", "0"]) == 0
    assert from_tree(["Rational", "-3", "6"]) == sp.Rational(-1, 2)


def test_a_tower_rebuilds_instantly_without_evaluation() -> None:
    tree = ["Pow", ["Integer", "10"], ["Pow", ["Integer", "10"], ["Integer", "10"]]]
    start = time.monotonic()
    got = from_tree(tree)
    assert time.monotonic() - start < 1
    assert isinstance(got, sp.Pow) and isinstance(got.args[1], sp.Pow)


@pytest.mark.parametrize(
    "tree",
    [
        ["Float", "1.5"],
        ["Function", "f", ["Symbol", "x", {}]],
        ["Piecewise"],
        ["EulerGamma"],
        ["__import__", "os"],
        "x",
        [],
        [1, 2],
        ["Symbol", "x y", {}],
        ["Symbol", "_x", {}],
        ["Symbol", "1x", {}],
        ["Symbol", "x" * 101, {}],
        ["Symbol", "x", {"evaluate": True}],
        ["Symbol", "x", {"positive": "yes"}],
        ["Symbol", "x"],
        ["Integer", "1e5"],
        ["Integer", "0x10"],
        ["Integer", " 1"],
        ["Integer", 5],
        ["Rational", "1", "0"],
        ["Rational", "1", "-2"],
        ["pi", ["Integer", "1"]],
        ["Pow", ["Integer", "1"]],
        ["Add", ["Integer", "1"]],
        ["exp"],
        ["log", ["Symbol", "x", {}], ["Integer", "2"]],
        ["Indexed", ["Symbol", "y", {}], ["Symbol", "i", {}]],
        ["IndexedBase", "y"],
        [
            "Sum",
            ["Symbol", "x", {}],
            ["Tuple", ["Integer", "1"], ["Integer", "1"], ["Integer", "2"]],
        ],
        ["Sum", ["Symbol", "x", {}]],
    ],
)
def test_from_tree_refuses(tree: Any) -> None:
    with pytest.raises(ValueError):
        from_tree(tree)


def test_from_tree_refuses_huge_integers() -> None:
    with pytest.raises(DeriveError, match="more than 4000 digits"):
        from_tree(["Integer", "9" * 4001])
    with pytest.raises(DeriveError, match="more than 4000 digits"):
        from_tree(["Rational", "1", "9" * 5000])


def test_from_tree_refuses_deep_nesting() -> None:
    tree: list[Any] = ["Symbol", "x", {}]
    for _ in range(5000):
        tree = ["exp", tree]
    with pytest.raises(DeriveError, match="nested too deeply"):
        from_tree(tree)


@pytest.mark.parametrize(
    "expr",
    [
        sp.Float("0.5") * sp.Symbol("x"),
        sp.Piecewise((1, sp.Symbol("x") > 0), (0, True)),
        sp.Function("f")(sp.Symbol("x")),
        sp.Symbol("wᵀx"),
        sp.sin(sp.Symbol("x")),
        sp.EulerGamma,
    ],
)
def test_to_tree_refuses(expr: Any) -> None:
    with pytest.raises(ValueError):
        to_tree(expr)


def test_node_names_are_the_classes_names() -> None:
    from derive.sandbox import NODES, _constructors

    table = _constructors()
    assert set(table) <= NODES
    assert all(cls.__name__ == name for name, cls in table.items())
