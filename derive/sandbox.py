"""Run work on user text in a forked worker with a wall-clock and memory limit; results as data.

:func:`run_bounded` forks, runs ``fn(*args)`` in the child under ``RLIMIT_AS``
(memory) and ``RLIMIT_CPU`` (a backstop), and waits on a pipe with a wall-clock
deadline; on expiry the child is killed with ``SIGKILL`` and reaped. Why not
something lighter:

- ``SIGALRM`` alone cannot stop work that stays in C (a big-integer power, a
  factorial inside the parser) — the handler runs only between bytecodes — and
  ``signal.signal`` works only in the main thread. A separate process can always
  be killed, and ``RLIMIT_AS`` turns a runaway allocation into ``MemoryError``
  instead of the machine swapping (``\\gcd(10^{10^{10}}, 2)`` needs a memory cap,
  not a clock).
- The result comes back as JSON, never as a pickle: unpickling a SymPy expression
  re-evaluates it (``10^{10^{10}}`` built unevaluated in the worker hung the
  *receiving* process). Expressions travel as trees (:func:`to_tree`) of
  whitelisted node types and validated symbol names, rebuilt by
  :func:`from_tree` with ``evaluate=False``, so rebuilding costs time linear in
  the size of the tree whatever the numbers in it.
- ``os.fork`` directly rather than ``multiprocessing``: a forked worker costs a
  few milliseconds, needs no pickling of ``fn``, and the one fork is where the
  multi-threaded-fork ``DeprecationWarning`` of Python 3.12 is silenced locally.

Errors: the deadline → ``WorkerLimit("gave up after T s")``; the memory limit →
``WorkerLimit("ran out of memory (limit N MiB)")`` (a :class:`DeriveError`, for a
caller that answers "unknown" rather than fails); a ``DeriveError`` in the worker
→ the same ``DeriveError`` here; any other exception in the worker (a bug) →
``RuntimeError("internal error in worker: TypeName: message")``.

Linux (``/proc``, ``fork``) is assumed.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import resource
import select
import signal
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, cast

from derive.errors import DeriveError

if TYPE_CHECKING:
    import sympy

__all__ = [
    "ASSUMPTIONS",
    "MAX_RESULT_BYTES",
    "MAX_TREE_DIGITS",
    "NODES",
    "Worker",
    "WorkerLimit",
    "from_tree",
    "run_bounded",
    "start_bounded",
    "to_tree",
]

T = TypeVar("T")

MAX_RESULT_BYTES = 64 * 1024 * 1024
"""Largest result (JSON bytes) the parent reads from a worker."""
MAX_TREE_DIGITS = 4000
"""Most digits of an integer in a tree (below Python's 4300-digit ``int()`` limit)."""
MAX_NAME_LENGTH = 100

ASSUMPTIONS = frozenset(
    """
    algebraic antihermitian commutative complex composite even extended_negative
    extended_nonnegative extended_nonpositive extended_nonzero extended_positive
    extended_real finite hermitian imaginary infinite integer irrational negative
    noninteger nonnegative nonpositive nonzero odd positive prime rational real
    transcendental zero
    """.split()
)
"""SymPy assumption keys a ``Symbol`` node may carry (with ``bool`` values)."""

NODES = frozenset(
    """
    Add Mul Pow exp log Abs gamma loggamma sign sigmoid softplus KroneckerDelta
    Symbol Integer Rational pi E Indexed IndexedBase Sum Product Tuple
    """.split()
)
"""The node types a tree may contain."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_INTEGER = re.compile(r"-?[0-9]+")


class WorkerLimit(DeriveError):
    """The worker reached its time or memory limit (``kind`` is ``"time"`` or ``"memory"``)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


_EXIT_MEMORY = 3
_EXIT_INTERNAL = 4


# --------------------------------------------------------------------------- trees


def _unary() -> tuple[Any, ...]:
    """The one-argument functions a tree may contain (SymPy imported lazily)."""
    import sympy as sp

    from derive.functions import sigmoid, softplus

    return (sp.exp, sp.log, sp.Abs, sp.gamma, sp.loggamma, sp.sign, sigmoid, softplus)


def _constructors() -> dict[str, Any]:
    """Node name → SymPy class, each named by its class (``derive --help`` must not import
    SymPy, so the table is built on first use)."""
    import sympy as sp

    classes = (
        sp.Add,
        sp.Mul,
        sp.Pow,
        *_unary(),
        sp.KroneckerDelta,
        sp.Sum,
        sp.Product,
        sp.Tuple,
        sp.Indexed,
        sp.IndexedBase,
    )
    return {cls.__name__: cls for cls in classes}


def _checked_name(name: Any) -> str:
    if not isinstance(name, str) or len(name) > MAX_NAME_LENGTH or not _NAME.fullmatch(name):
        raise ValueError(f"bad symbol name {str(name)[:40]!r}")
    return name


def _symbol_tree(symbol: sympy.Symbol) -> list[Any]:
    facts = {}
    for key, value in symbol._assumptions_orig.items():
        if value is None:
            continue
        if key not in ASSUMPTIONS:
            raise ValueError(f"unsupported assumption {key!r} on {symbol.name}")
        facts[key] = bool(value)
    return ["Symbol", _checked_name(symbol.name), dict(sorted(facts.items()))]


def to_tree(expr: sympy.Basic) -> list[Any]:
    """``expr`` as a JSON-able tree: ``[node, child…]`` over the :data:`NODES` whitelist.

    Leaves: ``["Symbol", name, {assumption: bool}]`` (a ``Dummy`` becomes a
    ``Symbol`` of its name), ``["Integer", "123"]``, ``["Rational", "1", "2"]``,
    ``["pi"]``, ``["E"]``. Raises ``ValueError`` for anything else (a ``Float``,
    ``Piecewise``, an unknown function, a bad name).
    """
    import sympy as sp

    constructors = _constructors()
    names = {cls: name for name, cls in constructors.items()}

    def encode(node: Any) -> list[Any]:
        if isinstance(node, sp.Symbol):  # Dummy is a Symbol subclass
            return _symbol_tree(node)
        if isinstance(node, sp.Integer):
            return ["Integer", str(int(node))]
        if isinstance(node, sp.Rational):
            return ["Rational", str(int(node.p)), str(int(node.q))]
        if node is sp.pi:
            return ["pi"]
        if node is sp.E:
            return ["E"]
        kind = names.get(type(node))
        if kind is None:
            raise ValueError(f"cannot encode a {type(node).__name__}")
        if kind == "IndexedBase":
            if len(node.args) != 1 or node.assumptions0 != node.label.assumptions0:
                raise ValueError(f"cannot encode IndexedBase {node} (shape or own assumptions)")
            return ["IndexedBase", _symbol_tree(node.label)]
        if node.func is sp.log and len(node.args) != 1:
            raise ValueError("cannot encode a two-argument log")
        return [kind, *(encode(arg) for arg in node.args)]

    return encode(expr)


def from_tree(tree: Any) -> sympy.Basic:
    """Rebuild what :func:`to_tree` made, without evaluation and without ``eval``.

    Every node is checked: its type against :data:`NODES`, its arity, symbol
    names against ``^[A-Za-z][A-Za-z0-9_]*$``, assumptions against
    :data:`ASSUMPTIONS` with ``bool`` values, integers as digit strings of at most
    :data:`MAX_TREE_DIGITS` digits (converted with ``int``). Nodes are built with
    ``evaluate=False``, so ``Pow(10, Pow(10, 10))`` rebuilds instantly. Raises
    ``ValueError`` (a too-long integer: :class:`DeriveError`, a ``ValueError``).
    """
    import sympy as sp

    constructors = _constructors()
    unary = _unary()

    def integer(text: Any) -> int:
        if not isinstance(text, str) or not _INTEGER.fullmatch(text):
            raise ValueError(f"bad integer {str(text)[:40]!r}")
        if len(text.lstrip("-")) > MAX_TREE_DIGITS:
            raise DeriveError(f"a number with more than {MAX_TREE_DIGITS} digits")
        return int(text)

    def symbol(node: list[Any]) -> sp.Symbol:
        if len(node) != 3 or not isinstance(node[2], dict):
            raise ValueError("a Symbol node is [Symbol, name, {assumptions}]")
        facts = node[2]
        for key, value in facts.items():
            if key not in ASSUMPTIONS or not isinstance(value, bool):
                raise ValueError(f"bad assumption {str(key)[:40]!r}")
        return sp.Symbol(_checked_name(node[1]), **facts)

    def decode(node: Any) -> Any:
        if not isinstance(node, list) or not node or not isinstance(node[0], str):
            raise ValueError("a tree node is a list [type, ...]")
        kind, rest = node[0], node[1:]
        if kind not in NODES:
            raise ValueError(f"unknown node type {kind[:40]!r}")
        if kind == "Symbol":
            return symbol(node)
        if kind == "Integer":
            if len(rest) != 1:
                raise ValueError("an Integer node is [Integer, digits]")
            return sp.Integer(integer(rest[0]))
        if kind == "Rational":
            if len(rest) != 2:
                raise ValueError("a Rational node is [Rational, p, q]")
            p, q = integer(rest[0]), integer(rest[1])
            if q <= 0:
                raise ValueError("a Rational needs a positive denominator")
            return sp.Rational(p, q)
        if kind in ("pi", "E"):
            if rest:
                raise ValueError(f"{kind} has no arguments")
            return sp.pi if kind == "pi" else sp.E
        if kind == "IndexedBase":
            if len(rest) != 1 or not isinstance(rest[0], list) or rest[0][:1] != ["Symbol"]:
                raise ValueError("an IndexedBase node is [IndexedBase, [Symbol, …]]")
            return sp.IndexedBase(symbol(rest[0]))
        args = [decode(child) for child in rest]
        return build(kind, args)

    def build(kind: str, args: list[Any]) -> Any:
        cls = constructors[kind]
        if cls in unary:
            if len(args) != 1:
                raise ValueError(f"{kind} takes one argument")
            return cls(args[0], evaluate=False)
        if kind in ("Add", "Mul"):
            if len(args) < 2:
                raise ValueError(f"{kind} takes at least two arguments")
            return cls(*args, evaluate=False)
        if kind == "Pow":
            if len(args) != 2:
                raise ValueError("Pow takes two arguments")
            return sp.Pow(args[0], args[1], evaluate=False)
        if kind == "KroneckerDelta":
            if len(args) != 2:
                raise ValueError("KroneckerDelta takes two arguments")
            return sp.KroneckerDelta(args[0], args[1], evaluate=False)
        if kind == "Tuple":
            return sp.Tuple(*args)
        if kind == "Indexed":
            if len(args) < 2 or not isinstance(args[0], sp.IndexedBase):
                raise ValueError("an Indexed node is [Indexed, IndexedBase, index…]")
            return sp.Indexed(*args)
        # Sum, Product
        if len(args) < 2:
            raise ValueError(f"{kind} takes a body and limits")
        for limit in args[1:]:
            if not (
                isinstance(limit, sp.Tuple) and len(limit) == 3 and isinstance(limit[0], sp.Symbol)
            ):
                raise ValueError(f"a limit of {kind} is [Tuple, Symbol, low, high]")
        return cls(*args)

    try:
        return cast("sympy.Basic", decode(tree))
    except RecursionError:
        raise DeriveError("expression nested too deeply to rebuild") from None


# --------------------------------------------------------------------------- transport


def _encode(value: Any) -> Any:
    """JSON-able values as they are; containers and expressions tagged."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return {"list": [_encode(v) for v in value]}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only dicts with str keys can leave the worker")
        return {"dict": {k: _encode(v) for k, v in value.items()}}
    import sympy as sp

    if isinstance(value, sp.Basic):
        return {"expr": to_tree(value)}
    raise TypeError(f"a {type(value).__name__} cannot leave the worker")


def _decode(data: Any) -> Any:
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError("malformed worker result")
    ((tag, inner),) = data.items()
    if tag == "list" and isinstance(inner, list):
        return [_decode(v) for v in inner]
    if tag == "tuple" and isinstance(inner, list):
        return tuple(_decode(v) for v in inner)
    if tag == "dict" and isinstance(inner, dict):
        return {k: _decode(v) for k, v in inner.items()}
    if tag == "expr":
        return from_tree(inner)
    raise ValueError(f"malformed worker result (tag {str(tag)[:20]!r})")


# --------------------------------------------------------------------------- the worker


def _address_space() -> int:
    """Bytes of address space this process maps now (0 if /proc cannot tell)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _set_limit(which: int, soft: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def _child(
    read_fd: int,
    write_fd: int,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    timeout: float,
    memory_mb: int,
) -> NoReturn:
    """Run in the forked child; never returns (``os._exit``: no atexit, no buffer flush).

    Signals the parent may handle (SIGALRM, SIGINT, SIGTERM) get their default
    action back; every file descriptor but the result pipe and 0–2 is closed (so a
    concurrent worker cannot hold another worker's pipe open); core dumps are off.
    """
    code = 0
    try:
        os.close(read_fd)
        for signum in (signal.SIGALRM, signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 1 << 16)
        _set_limit(resource.RLIMIT_CORE, 0)
        cpu = math.ceil(timeout) + 1
        _set_limit(resource.RLIMIT_CPU, cpu)
        _set_limit(resource.RLIMIT_AS, _address_space() + memory_mb * 1024 * 1024)
        gc.enable()  # the console entry turns the collector off; user text gets it back
        try:
            message: dict[str, Any] = {"ok": _encode(fn(*args))}
        except DeriveError as error:
            message = {"error": "derive", "message": str(error)}
        except MemoryError:
            message = {"error": "memory"}
        except BaseException as error:
            message = {"error": "internal", "type": type(error).__name__, "message": str(error)}
        payload = json.dumps(message).encode("utf-8")
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view) :]
    except MemoryError:
        code = _EXIT_MEMORY
    except BaseException:
        code = _EXIT_INTERNAL
    finally:
        os._exit(code)


def _reap(pid: int, deadline: float) -> int:
    """Wait for ``pid`` until ``deadline``, then SIGKILL it; returns its wait status."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            return os.waitpid(pid, 0)[1]
        time.sleep(0.002)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:  # pragma: no cover - already gone
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # pragma: no cover - already reaped
        pass


def run_bounded(fn: Callable[..., T], *args: Any, timeout: float, memory_mb: int = 2048) -> T:
    """``fn(*args)`` in a forked worker: at most ``timeout`` seconds (wall clock) and
    ``memory_mb`` MiB of address space beyond what the worker inherits.

    The result must be JSON-able data (None, bool, int, float, str, list, tuple,
    dict with str keys) and SymPy expressions of the :data:`NODES` types, nested
    freely. Works from any thread. See the module docstring for the errors.
    """
    return start_bounded(fn, *args, timeout=timeout, memory_mb=memory_mb).result()


def start_bounded(
    fn: Callable[..., T], *args: Any, timeout: float, memory_mb: int = 2048
) -> Worker[T]:
    """:func:`run_bounded`, started: the worker runs while the caller does other work;
    :meth:`Worker.result` waits for it. Its clock starts now."""
    if not timeout > 0:
        raise ValueError("timeout must be positive")
    read_fd, write_fd = os.pipe()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
            pid = os.fork()
    except BaseException:
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        _child(read_fd, write_fd, fn, args, timeout, memory_mb)
    os.close(write_fd)
    return Worker(pid, read_fd, time.monotonic() + timeout, timeout, memory_mb)


class Worker(Generic[T]):
    """A forked worker of :func:`start_bounded`: :meth:`result` once, or :meth:`cancel`."""

    def __init__(self, pid: int, read_fd: int, deadline: float, timeout: float, memory_mb: int):
        self._pid, self._read_fd, self._deadline = pid, read_fd, deadline
        self._timeout, self._memory_mb = timeout, memory_mb
        self._done = False

    def result(self) -> T:
        """Wait for the worker's result (a result already sent is read even when the
        deadline has passed meanwhile); the worker is reaped or killed either way."""
        if self._done:
            raise RuntimeError("the result of a worker is read once")
        self._done = True
        pid, read_fd, deadline, timeout = self._pid, self._read_fd, self._deadline, self._timeout
        chunks: list[bytes] = []
        size = 0
        reaped = False
        try:
            poller = select.poll()
            poller.register(read_fd, select.POLLIN | select.POLLHUP | select.POLLERR)
            while True:
                remaining = deadline - time.monotonic()
                if not poller.poll(max(0, math.ceil(remaining * 1000))):
                    if remaining <= 0:
                        _kill(pid)
                        reaped = True
                        raise WorkerLimit(f"gave up after {timeout:g} s", "time")
                    continue
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_RESULT_BYTES:
                    _kill(pid)
                    reaped = True
                    raise DeriveError(f"result larger than {MAX_RESULT_BYTES >> 20} MiB")
                chunks.append(chunk)
            status = _reap(pid, max(deadline, time.monotonic() + 1.0))
            reaped = True
        finally:
            os.close(read_fd)
            if not reaped:
                _kill(pid)
        return cast(T, _outcome(b"".join(chunks), status, timeout, self._memory_mb))

    def cancel(self) -> None:
        """Kill and reap the worker unless its result was read."""
        if not self._done:
            self._done = True
            os.close(self._read_fd)
            _kill(self._pid)


def _outcome(data: bytes, status: int, timeout: float, memory_mb: int) -> Any:
    memory = WorkerLimit(f"ran out of memory (limit {memory_mb} MiB)", "memory")
    if not data:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
            raise WorkerLimit(f"gave up after {timeout:g} s", "time")  # the RLIMIT_CPU backstop
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _EXIT_MEMORY:
            raise memory
        raise RuntimeError(f"internal error in worker: no result ({_describe(status)})")
    try:
        message = json.loads(data)
    except RecursionError:
        raise DeriveError("result nested too deeply to read") from None
    except ValueError as error:
        raise RuntimeError(f"internal error in worker: unreadable result ({error})") from None
    if not isinstance(message, dict):
        raise RuntimeError("internal error in worker: malformed result")
    if "ok" in message:
        try:
            return _decode(message["ok"])
        except DeriveError:
            raise
        except RecursionError:
            raise DeriveError("result nested too deeply to read") from None
        except ValueError as error:
            raise RuntimeError(f"internal error in worker: {error}") from None
    kind = message.get("error")
    if kind == "derive":
        raise DeriveError(str(message.get("message", "")))
    if kind == "memory":
        raise memory
    raise RuntimeError(
        f"internal error in worker: {message.get('type', '?')}: {message.get('message', '')}"
    )


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.WEXITSTATUS(status)}"
