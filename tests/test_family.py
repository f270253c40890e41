from __future__ import annotations

import pytest

from derive.errors import DeriveError
from derive.family import resolve, resolve_link


def test_aliases_and_links() -> None:
    assert resolve("Normal").name == "gaussian"
    assert resolve_link(resolve("bernoulli"), "sigmoid") == "logit"
    assert resolve_link(resolve("categorical"), None) == "identity"
    with pytest.raises(DeriveError, match="did you mean 'softmax'"):
        resolve_link(resolve("categorical"), "softmx")


def test_no_branch_on_a_family_link_or_option_name_outside_the_families() -> None:
    """Families as data: outside derive/families/, no code compares a family, link or option
    name written as a string literal, nor uses one as a dict key or subscript."""
    import ast
    from pathlib import Path

    from derive.families import FAMILIES
    from derive.links import LINKS

    names = {f.name for f in FAMILIES} | {a for f in FAMILIES for a in f.aliases}
    names |= set(LINKS) | {o.name for f in FAMILIES for o in f.options}
    names |= {c for f in FAMILIES for o in f.options for c in o.choices}
    root = Path(__file__).resolve().parent.parent / "derive"
    # Not branches on a model: a field of the JSON contract, words the prose printer spells
    # in LaTeX, the logarithm as a LaTeX command or SymPy node and the letter \gamma as a
    # LaTeX command (the reader of user text), the public function derive.identity in the
    # lazy export table.
    allowed = {
        ("render/json.py", "classes"),
        ("render/information.py", "classes"),
        ("__init__.py", "identity"),
        ("render/json.py", "scale"),
        ("parse.py", "log"),
        ("parse.py", "gamma"),
        ("sandbox.py", "log"),
        ("render/prose.py", "log"),
        ("render/prose.py", "softmax"),
        ("render/prose.py", "onehot"),
    }
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if "families" in path.relative_to(root).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            literals: list[ast.expr] = []
            if isinstance(node, ast.Compare):
                literals = [node.left, *node.comparators]
                literals += [
                    e
                    for c in node.comparators
                    if isinstance(c, (ast.Tuple, ast.Set, ast.List))
                    for e in c.elts
                ]
            elif isinstance(node, ast.Dict):
                literals = [k for k in node.keys if k is not None]
            elif isinstance(node, ast.Subscript):
                literals = [node.slice]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("get", "pop", "setdefault") and node.args:
                    literals = [node.args[0]]
            for lit in literals:
                where = str(path.relative_to(root))
                if isinstance(lit, ast.Constant) and lit.value in names:
                    if (where, lit.value) in allowed:
                        continue
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {lit.value!r}")
    assert not found, found


def test_families_are_data_without_sympy() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from derive.family import families, resolve; "
        "assert [f.name for f in families()]; resolve('normal'); "
        "assert 'sympy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_resolve_refuses_non_strings() -> None:
    with pytest.raises(DeriveError, match="not NoneType"):
        resolve(None)
    with pytest.raises(DeriveError, match="not int"):
        resolve(123)


def test_domain_notes() -> None:
    from derive.family import Domain

    assert Domain.NATURAL.note("N") == "N ∈ {1, 2, 3, …}"
    assert Domain.COUNT.note("y", "10") == "y ∈ {0, 1, …, 10}"
    assert Domain.NATURAL.discrete and Domain.NATURAL.assumptions == {
        "integer": True,
        "positive": True,
    }
