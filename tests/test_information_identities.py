"""The identity registry: plain data, every name builds its proof, unknown names are errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from derive.errors import DeriveError
from derive.information.identities import IDENTITIES, identity
from derive.information.identity import Identity


def test_every_registered_identity_builds_one_of_that_name() -> None:
    for name, (summary, builder) in IDENTITIES.items():
        assert summary
        built = builder()
        assert isinstance(built, Identity)
        assert built.name == name


def test_names_are_case_insensitive_and_unknown_names_suggest_the_nearest() -> None:
    assert identity(" GIBBS ").name == "gibbs"
    with pytest.raises(DeriveError, match="did you mean 'gibbs'"):
        identity("gibs")
    with pytest.raises(DeriveError, match="choose one of"):
        identity(3)  # type: ignore[arg-type]


def test_the_registry_loads_no_proof_and_no_sympy() -> None:
    code = (
        "import sys\n"
        "from derive.information.identities import IDENTITIES\n"
        "assert len(IDENTITIES) == 7\n"
        "assert 'derive.information.proofs' not in sys.modules\n"
        "assert 'sympy' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
