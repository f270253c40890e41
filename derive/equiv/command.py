"""``derive equiv``: the worker's entry point and the text and JSON renderings.

:func:`equiv_output` reads, decides and renders in one call, so the command line can
run it in a bounded worker (:func:`derive.sandbox.run_bounded`) and get back only an
exit status and text; :func:`run_equiv` does so. Exit statuses: :data:`EXIT`
(0 equivalent, 1 different, 3 unknown; bad input is a
:class:`~derive.errors.DeriveError`, status 2). The question is read in a first
bounded worker, so that input too hard to read stays an error; a time or memory
limit reached while *deciding* is an answer, ``unknown``: neither a proof nor a
witness was found in the time given.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sympy as sp

from derive.equiv.check import RELATION, Equivalence, check_equivalent
from derive.equiv.names import read_problem
from derive.equiv.witness import Assignment, FactorWitness, OrderWitness, SlopeWitness, Witness
from derive.render.json import expression

__all__ = ["EXIT", "equiv_output", "render_equivalence", "run_equiv", "to_dict"]

EXIT = {"equivalent": 0, "different": 1, "unknown": 3}
SCHEMA = 1


def _assignment(values: Assignment) -> dict[str, str]:
    return {name: sp.sstr(value) for name, value in values}


def _witness(w: Witness) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": w.kind, "constants": _assignment(w.constants)}
    if isinstance(w, OrderWitness):
        out.update(
            p1=_assignment(w.p1),
            p2=_assignment(w.p2),
            a1=expression(w.a1),
            a2=expression(w.a2),
            b1=expression(w.b1),
            b2=expression(w.b2),
            increasing=w.first,
            other="equal" if w.other == 0 else "decreasing",
        )
    elif isinstance(w, SlopeWitness):
        out.update(
            p0=_assignment(w.p0),
            p1=_assignment(w.p1),
            p2=_assignment(w.p2),
            a=[expression(v) for v in w.a],
            b=[expression(v) for v in w.b],
            slopes=[expression(s) for s in w.slopes],
        )
    elif isinstance(w, FactorWitness):
        out.update(
            factor=expression(w.factor),
            constant=expression(w.constant),
            p1=_assignment(w.p1),
            p2=_assignment(w.p2),
            a1=expression(w.a1),
            a2=expression(w.a2),
        )
    out["text"] = w.describe()
    return out


def to_dict(result: Equivalence) -> dict[str, Any]:
    """The JSON document of an answer."""
    return {
        "schema": SCHEMA,
        "command": "equiv",
        "status": result.status,
        "wrt": list(result.wrt),
        "relation": RELATION,
        "factor": None if result.factor is None else expression(result.factor),
        "constant": None if result.constant is None else expression(result.constant),
        "reason": result.reason,
        "witness": None if result.witness is None else _witness(result.witness),
    }


def render_equivalence(result: Equivalence, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
    return result.explain()


def equiv_output(
    a: str,
    b: str,
    wrt: str,
    positive: str | None,
    real: str | None,
    binary: str | None,
    fmt: str,
) -> tuple[int, str]:
    """Read, decide and render (run in the worker): (exit status, text)."""
    result = check_equivalent(
        a, b, wrt, positive=positive or (), real=real or (), binary=binary or ()
    )
    return EXIT[result.status], render_equivalence(result, fmt)


def equiv_variables(
    a: str, b: str, wrt: str, positive: str | None, real: str | None, binary: str | None
) -> list[str]:
    """Read the question only (run in the worker): the variables' names."""
    problem = read_problem(a, b, wrt, positive=positive or (), real=real or (), binary=binary or ())
    return [v.name for v in problem.variables]


def _limit_reason(kind: str, message: str) -> str:
    if kind == "time":
        return (
            f"{message} (the time limit) before a proof or a witness was found; "
            "--timeout raises it."
        )
    return f"{message} before a proof or a witness was found."


def run_equiv(
    a: str,
    b: str,
    wrt: str,
    positive: str | None,
    real: str | None,
    binary: str | None,
    fmt: str,
    *,
    timeout: float,
    memory_mb: int,
) -> tuple[int, str]:
    """Read, then decide, each in a bounded worker, within ``timeout`` seconds in all:
    (exit status, text). A limit reached while deciding is ``unknown`` (exit 3); bad
    input, or input too hard to read within the limits, raises
    :class:`~derive.errors.DeriveError`."""
    import derive.parse  # noqa: F401  (once here, not in each worker)
    from derive.sandbox import WorkerLimit, run_bounded

    start = time.monotonic()
    question = (a, b, wrt, positive, real, binary)
    names = run_bounded(equiv_variables, *question, timeout=timeout, memory_mb=memory_mb)
    left = max(timeout - (time.monotonic() - start), 0.001)
    try:
        return run_bounded(  # type: ignore[no-any-return]
            equiv_output, *question, fmt, timeout=left, memory_mb=memory_mb
        )
    except WorkerLimit as limit:
        message = f"gave up after {timeout:g} s" if limit.kind == "time" else str(limit)
        reason = _limit_reason(limit.kind, message)
        result = Equivalence("unknown", None, None, reason, None, tuple(names))
        return EXIT["unknown"], render_equivalence(result, fmt)
