"""Shared helpers: evaluate derived per-sample expressions on NumPy data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp

from derive.codegen import numpy_function
from derive.compile import K
from derive.steps import Derivation


@pytest.fixture(autouse=True)
def _no_output_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every test runs with the output cache off (tests/test_cache.py turns it on), and
    a cache that were turned on would live in a temporary folder, not the user's."""
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


CASES: list[tuple[str, dict[str, Any]]] = [
    ("gaussian", {}),
    ("normal", {}),
    ("laplace", {}),
    ("bernoulli", {}),
    ("bernoulli", {"link": "logit"}),
    ("categorical", {}),
    ("categorical", {"classes": 3}),
    ("categorical", {"link": "softmax"}),
    ("categorical", {"link": "softmax", "classes": 4}),
    ("categorical", {"link": "softmax", "targets": "soft"}),
    ("categorical", {"link": "softmax", "targets": "soft", "classes": 3}),
    ("categorical", {"link": "softmax", "label_smoothing": "0.1"}),
    ("categorical", {"link": "softmax", "label_smoothing": "0.25", "classes": 3}),
    ("categorical", {"targets": "soft"}),
    ("categorical", {"targets": "soft", "classes": 3}),
    ("categorical", {"label_smoothing": "0.1"}),
    # more than four classes: written as indexed vectors with a concrete K
    ("categorical", {"link": "softmax", "classes": 8}),
    ("categorical", {"link": "softmax", "label_smoothing": "0.1", "classes": 5}),
    ("categorical", {"targets": "soft", "classes": 6}),
    ("categorical", {"label_smoothing": "0.2", "classes": 5}),
    ("gaussian", {"learn_variance": "true"}),
    ("poisson", {}),
    ("poisson", {"link": "identity"}),
    ("gamma", {}),
    ("gamma", {"shape": "2"}),
    ("exponential", {}),
    ("exponential", {"link": "identity"}),
    ("exponential", {"rate": "true"}),
    ("exponential", {"rate": "true", "link": "identity"}),
    ("binomial", {}),
    ("binomial", {"trials": "10"}),
    ("binomial", {"link": "identity"}),
    ("binomial", {"link": "identity", "trials": "10"}),
]
# The derived losses that are not convex in the prediction (the rest are).
NOT_CONVEX: list[tuple[str, dict[str, Any]]] = [
    ("gaussian", {"learn_variance": "true"}),
    ("exponential", {"link": "identity"}),
]
CONVEX_CASES = [case for case in CASES if case not in NOT_CONVEX]


# The location families (their own tests in test_families.py): the gallery's concrete
# values, the symbolic versions, aliases and other values.
LOCATION_CASES: list[tuple[str, dict[str, Any]]] = [
    ("student-t", {"nu": "3"}),
    ("student-t", {}),
    ("student", {"nu": "5/2", "scale": "0.7"}),
    ("cauchy", {}),
    ("cauchy", {"scale": "2"}),
    ("logistic", {}),
    ("logistic", {"scale": "0.5"}),
    ("huber", {"delta": "1"}),
    ("huber", {}),
    ("huber", {"delta": "0.3"}),
    ("asymmetric-laplace", {"quantile": "0.9"}),
    ("quantile", {}),
    ("pinball", {"quantile": "1/4", "scale": "3"}),
    ("asymmetric-laplace", {"quantile": "1/2"}),
]


CAUCHY = r"\frac{1}{\pi\gamma\left(1+\left(\frac{y-\mu}{\gamma}\right)^2\right)}"


def unnamed() -> Derivation:
    """A derivation whose loss is in no catalogue: Cauchy noise, from its LaTeX density."""
    from derive.custom import custom_family
    from derive.engine import derive

    return derive(custom_family(CAUCHY, target="y", predict="mu", fixed="gamma"))


def case_id(case: tuple[str, dict[str, Any]]) -> str:
    name, options = case
    return "-".join([name, *(f"{k}={v}" for k, v in options.items())])


def evaluate(
    expr: sp.Expr, d: Derivation, data: dict[str, np.ndarray], classes: int | None = None
) -> np.ndarray:
    """``expr`` (per-sample, in d's symbols) on arrays: scalars shape (N,), vectors (N, K).

    Class labels ``y`` are 1-based, as in the derivation; a symbolic K is ``classes`` (3).
    """
    classes = class_count(d) if classes is None else classes
    if indexed(d):  # sums over classes: written out, with K = classes when symbolic
        expr = expr.xreplace({K: classes}).doit()
    labels = data.get("y") if d.model.label is not None else None
    size = len(next(iter(data.values())))
    if labels is None:
        return _vectorised(expr, data, size)
    out = np.empty(size)
    label_symbol = sp.Symbol("y", integer=True, positive=True)
    for c in range(1, classes + 1):
        mask = labels == c
        if mask.any():
            fixed = expr.xreplace({label_symbol: c}).doit()
            out[mask] = _vectorised(fixed, {k: v[mask] for k, v in data.items()}, int(mask.sum()))
    return out


def indexed(d: Derivation) -> bool:
    """Whether the classes are an indexed vector (a symbolic K, or more than four classes)."""
    return d.model.context.class_index is not None


def class_count(d: Derivation, symbolic: int = 3) -> int:
    """The number of classes, ``symbolic`` when K is a symbol."""
    classes = d.model.classes
    return int(classes) if classes is not None and classes.is_Integer else symbolic


def _vectorised(expr: sp.Expr, data: dict[str, np.ndarray], size: int) -> np.ndarray:
    mapping: dict[sp.Basic, sp.Symbol] = {}
    arrays: list[np.ndarray] = []
    for atom in sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key):
        column = int(atom.indices[0]) - 1
        mapping[atom] = sp.Symbol(f"{atom.base.name}__{column}")
        arrays.append(data[atom.base.name][:, column])
    expr = expr.xreplace(mapping)
    plain = sorted(
        (s for s in expr.free_symbols if s not in mapping.values()), key=lambda s: s.name
    )
    for s in plain:
        arrays.append(data[s.name])
    symbols = list(mapping.values()) + plain
    result = numpy_function(expr, symbols)(*arrays)
    return np.broadcast_to(np.asarray(result, dtype=float), (size,)).copy()


def pdflatex() -> str:
    """The pdflatex executable; skipped where TeX is absent, a failure where CI requires it.

    ``.ci/run`` installs TeX Live and sets ``DERIVE_REQUIRE_PDFLATEX=1``, so in CI
    the compile tests always run.
    """
    import os
    import shutil

    import pytest

    found = shutil.which("pdflatex")
    if found is None:
        if os.environ.get("DERIVE_REQUIRE_PDFLATEX"):
            pytest.fail("pdflatex is required (DERIVE_REQUIRE_PDFLATEX is set) but not installed")
        pytest.skip("pdflatex is not installed (CI installs it and requires this test)")
    return found


def compile_tex(tex: str, folder: Any, name: str = "proof") -> str:
    """Compile ``tex`` with pdflatex in ``folder``; returns the log, asserting a clean run."""
    import subprocess
    from pathlib import Path

    folder = Path(folder)
    (folder / f"{name}.tex").write_text(tex, encoding="utf-8")
    result = subprocess.run(
        [pdflatex(), "-halt-on-error", "-interaction=nonstopmode", f"{name}.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log = (folder / f"{name}.log").read_text(encoding="latin-1")
    assert result.returncode == 0, log[-3000:]
    problems = [
        line
        for line in log.splitlines()
        if line.startswith("!")
        or "Undefined control sequence" in line
        or "Overfull \\hbox" in line
        or "LaTeX Warning" in line
        or "Missing character" in line
    ]
    assert not problems, "\n".join(problems)
    pdf = folder / f"{name}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    return log


def one_document(documents: list[str]) -> str:
    """Standalone documents (one preamble) as one, each on its own page: a single pdflatex
    run checks them all."""
    bodies = [
        tex.split("\\begin{document}\n", 1)[1].rsplit("\\end{document}", 1)[0] for tex in documents
    ]
    head = documents[0].split("\\begin{document}\n", 1)[0]
    return head + "\\begin{document}\n" + "\\clearpage\n".join(bodies) + "\\end{document}\n"


def mathjax_node() -> tuple[str, str]:
    """(node, NODE_PATH) for tests/mathjax_check.js; skipped or failed like :func:`pdflatex`.

    ``.ci/run`` installs ``mathjax-full`` under ``.ci/node`` and sets
    ``DERIVE_REQUIRE_MATHJAX=1``; elsewhere set ``DERIVE_MATHJAX`` to a
    ``node_modules`` folder that holds it.
    """
    import os
    import shutil
    from pathlib import Path

    import pytest

    root = Path(__file__).resolve().parent.parent
    modules = os.environ.get("DERIVE_MATHJAX") or str(root / ".ci" / "node" / "node_modules")
    node = shutil.which("node")
    if node is None or not (Path(modules) / "mathjax-full").is_dir():
        if os.environ.get("DERIVE_REQUIRE_MATHJAX"):
            pytest.fail(f"node and mathjax-full are required but missing (looked in {modules})")
        pytest.skip("node or mathjax-full is not installed (CI installs and requires them)")
    return node, modules
