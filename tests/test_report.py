from __future__ import annotations

from derive import derive
from derive.report import conclude


def test_kl_reports_three_reductions() -> None:
    c = conclude(derive("categorical", targets="soft"))
    assert c is not None
    assert [r.reduction for r in c.reductions] == ["sum", "batchmean", "mean"]
    assert conclude(derive("categorical", label_smoothing="0.1")) is None
