"""ruff and mypy are part of the test suite, so the README's one command checks them too."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found is not None, f"{name} is installed with the test extras"
    return found


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = subprocess.run(
        [_tool("mypy"), "derive"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_text_is_ever_evaluated() -> None:
    """User text must never reach sympify / parse_expr / eval: the package calls none of them."""
    import re

    pattern = re.compile(r"\b(sympify|parse_expr|eval|exec)\(")
    # Derivation.to_function runs the module derive.render.code printed from SymPy trees
    # (user text appears in it only escaped, inside its docstring: tests/test_render_code.py)
    allowed = {
        ("code.py", 'exec(compile(source, f"<derive {backend} module>", "exec"), namespace)')
    }
    offenders = []
    for path in sorted((ROOT / "derive").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if (path.name, code.strip()) in allowed:
                continue
            if pattern.search(code) and not code.lstrip().startswith("def eval("):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []
