from __future__ import annotations

from derive import derive
from derive.report import conclude
from tests.conftest import unnamed


def test_kl_reports_three_reductions() -> None:
    c = conclude(derive("categorical", targets="soft"))
    assert c is not None
    assert [r.reduction for r in c.reductions] == ["sum", "batchmean", "mean"]
    assert conclude(unnamed()) is None
