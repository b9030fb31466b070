"""The engine behind every exercise checker: run cases, compare, report kindly.

A checker must grade whatever a learner's function does, and never fail
itself. Each case runs in a worker thread under a time limit
(:data:`TIME_LIMIT`): a function still running after it is stopped by an
exception raised inside that thread (``PyThreadState_SetAsyncExc``), which
works in any thread (a Jupyter or Colab kernel's, a test runner's) and on
every platform, unlike an alarm signal, which only the main thread of a
POSIX process receives. Everything the function returns or raises,
``SystemExit`` included, becomes a failed check with a message; only
``KeyboardInterrupt``, the reader's own request to stop, propagates.
"""

from __future__ import annotations

import contextvars
import copy
import ctypes
import threading
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

TIME_LIMIT = 5.0
"""Seconds a learner's function may run on one case before it is stopped and the check fails."""

STOP_WAIT = 1.0
"""Seconds to wait for a stopped function to end before reporting it anyway."""


@dataclass(frozen=True)
class Case:
    """One input for the reader's function, the answer it should give, and a hint if it does not.

    ``expected`` comes from the book's reference implementation (never typed in by hand).
    """

    description: str
    args: tuple[Any, ...]
    expected: Any
    hint: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a check; shown as a friendly message in a notebook, truthy when it passed."""

    name: str
    passed: bool
    message: str
    failed_case: Case | None = None

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        """The first line in bold, the details (values, hint) verbatim in a code block."""
        headline, _, details = self.message.partition("\n")
        if not details:
            return f"**{headline}**"
        return f"**{headline}**\n\n```text\n{details}\n```"


class _TimeUp(BaseException):
    """Raised inside a learner's function that ran past the time limit (not an ``Exception``: hard to swallow)."""


# ----- rendering a learner's result: nothing here may raise ---------------------------


def _error_line(error: BaseException) -> str:
    """``"TypeError: message"``: the last line of a traceback, without the traceback."""
    try:
        return traceback.format_exception_only(type(error), error)[-1].strip()
    except Exception:  # an exception whose message cannot even be formatted
        return type(error).__name__


def _short(value: Any, indent: int = 0) -> str:
    """A compact, readable rendering of a value for a report, continuation lines indented."""
    try:
        if isinstance(value, np.ndarray) or np.isscalar(value):
            text = np.array2string(np.asarray(value), precision=6, threshold=20, suppress_small=False)
        else:
            text = repr(value)
    except Exception as error:  # a result whose repr raises is still reported
        text = f"<a {type(value).__name__} object that cannot be shown: {_error_line(error)}>"
    if len(text) > 300:
        text = text[:297] + "..."
    return text.replace("\n", "\n" + " " * indent)


def _as_numbers(value: Any) -> tuple[np.ndarray | None, str]:
    """``value`` as an array of numbers and ``""``, or ``None`` and why it cannot be read as numbers."""
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "biufc":
            arr = arr.astype(float)
        return arr, ""
    except Exception as error:
        return None, _error_line(error)


def _structured(expected: Any) -> bool:
    """True for an answer made of parts (a dict, or a tuple of arrays), compared part by part."""
    if isinstance(expected, dict):
        return True
    return isinstance(expected, (tuple, list)) and any(
        isinstance(part, (np.ndarray, dict, tuple, list)) for part in expected
    )


def _leaf_notes(actual: Any, expected: Any, label: str) -> list[str]:
    """What is wrong with one array of a result: unreadable, shape, NaN or infinities, dtype."""
    subject = label.removesuffix(": ") or "your result"
    want, _ = _as_numbers(expected)
    got, why = _as_numbers(actual)
    if want is None:
        return []
    if got is None:
        return [f"{subject} could not be read as numbers ({why})"]
    if got.shape != want.shape:
        return [f"{label}expected shape {want.shape}, got shape {got.shape}"]
    notes = []
    finite_expected = want.dtype.kind in "biu" or (want.dtype.kind == "f" and bool(np.isfinite(want).all()))
    if finite_expected and got.dtype.kind in "fc":
        for bad, test in (("NaN", np.isnan), ("inf", np.isinf)):
            if test(got).any():
                notes.append(f"{subject} contains {bad} where finite values are expected")
    if got.dtype != want.dtype and want.dtype.kind == "f" and isinstance(expected, np.ndarray):
        notes.append(f"{label}expected dtype {want.dtype}, got {got.dtype}")
    return notes


def _notes(actual: Any, expected: Any, label: str = "") -> list[str]:
    """What is wrong with ``actual``, part by part for a structured answer (a dict, a tuple of arrays)."""
    if not _structured(expected):
        return _leaf_notes(actual, expected, label)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{label}expected a dict with keys {sorted(expected)}, got {type(actual).__name__}"]
        if set(actual) != set(expected):
            return [f"{label}expected the keys {sorted(expected)}, got {sorted(map(str, actual))}"]
        return [note for key in expected for note in _notes(actual[key], expected[key], f"{label}entry {key!r}: ")]
    if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
        count = len(actual) if isinstance(actual, (tuple, list)) else type(actual).__name__
        return [f"{label}expected {len(expected)} results (a tuple), got {count}"]
    return [note for k, (a, e) in enumerate(zip(actual, expected)) for note in _notes(a, e, f"{label}result {k}: ")]


def _kind(value: Any) -> str:
    """A value's type, with its dtype for arrays: ``"int"``, ``"numpy.ndarray of dtype int64"``."""
    module = type(value).__module__
    kind = type(value).__name__ if module == "builtins" else f"{module}.{type(value).__name__}"
    dtype = getattr(value, "dtype", None)
    return f"{kind} of dtype {dtype}" if dtype is not None else kind


def _mismatch_note(actual: Any, expected: Any) -> str:
    """Extra lines for common slips: returning nothing, a wrong shape or dtype, NaN, a look-alike type."""
    if actual is None:
        return "\n  note: your function returned None; did you forget `return`?"
    try:
        notes = _notes(actual, expected)[:3]
        if not notes and _short(actual) == _short(expected):
            notes = [f"the values print alike, but expected {_kind(expected)}, got {_kind(actual)}"]
    except Exception as error:  # the checker's notes must never fail the check
        notes = [f"the result could not be examined ({_error_line(error)})"]
    return "".join(f"\n  note: {note}" for note in notes)


def _warning_note(caught: list[warnings.WarningMessage]) -> str:
    """An extra line listing the distinct warnings the reader's function emitted."""
    texts = []
    for w in list(caught):
        try:
            texts.append(f"{w.category.__name__}: {w.message}")
        except Exception:  # a warning whose message cannot be shown
            texts.append(w.category.__name__)
    texts = list(dict.fromkeys(texts))
    return f"\n  warnings: {'; '.join(texts)}" if texts else ""


# ----- comparing ---------------------------------------------------------------------


def _matches(actual: Any, expected: Any, rtol: float, atol: float) -> bool:
    """True when ``actual`` has the shape of ``expected`` and equal values (NaN equals NaN)."""
    if actual is None:  # np.asarray(None, dtype=float) would be a NaN
        return False
    try:
        actual_arr = np.asarray(actual, dtype=float)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return False
    expected_arr = np.asarray(expected, dtype=float)
    if actual_arr.shape != expected_arr.shape:
        return False
    return bool(np.allclose(actual_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True))


def same_array(actual: Any, expected: np.ndarray, rtol: float, atol: float, *, exact_dtype: bool = True,
               equal_nan: bool = False) -> bool:
    """True when ``actual`` is numbers of ``expected``'s shape (and dtype, with ``exact_dtype``), all close.

    ``|actual - expected| <= atol + rtol * |expected|`` entry by entry; NaN
    matches NaN only with ``equal_nan``, and an infinity only an equal one.
    The checkers' shared comparison of an array answer.
    """
    if actual is None:
        return False
    got = np.asarray(actual)
    if got.shape != expected.shape or got.dtype.kind not in "biuf":
        return False
    if exact_dtype and got.dtype != expected.dtype:
        return False
    return bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=equal_nan))


# ----- running one case under the time limit -------------------------------------------


def _stop(thread: threading.Thread) -> None:
    """Raise :class:`_TimeUp` inside ``thread`` at its next Python instruction."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_TimeUp))


def call_with_time_limit(function: Callable[[], Any], seconds: float) -> tuple[str, Any]:
    """Run ``function()`` in a worker thread for at most ``seconds``.

    Returns ``("returned", value)``, ``("raised", exception)`` or
    ``("timeout", still_running)``: after the time limit the function is
    stopped by :class:`_TimeUp` raised inside the thread; ``still_running``
    tells whether it is still busy :data:`STOP_WAIT` seconds later (inside a
    long C call, which no Python exception can interrupt, or catching the
    exception). The worker sees
    the caller's context variables (NumPy's ``errstate``, for one). A
    ``KeyboardInterrupt``, raised by the function or by the reader while
    waiting, stops the worker and propagates.
    """
    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()

    def work() -> None:
        try:
            try:
                outcome["returned"] = context.run(function)
            except BaseException as error:  # everything the function raises is reported
                outcome["raised"] = error
        except BaseException:  # a stop request that arrived just as the function ended
            pass

    worker = threading.Thread(target=work, name="dlbook-checker", daemon=True)
    worker.start()
    try:
        worker.join(seconds)
    except KeyboardInterrupt:  # the reader interrupted the kernel: stop the function too
        _stop(worker)
        raise
    if worker.is_alive():
        for _ in range(10):  # a function that catches the first stop request gets more
            _stop(worker)
            worker.join(STOP_WAIT / 10)
            if not worker.is_alive():
                break
        return "timeout", worker.is_alive()
    if isinstance(outcome.get("raised"), KeyboardInterrupt):
        raise outcome["raised"]
    if "raised" in outcome:
        return "raised", outcome["raised"]
    return "returned", outcome.get("returned")


def _failure(name: str, headline: str, case: Case, details: str, caught: list[warnings.WarningMessage]) -> CheckResult:
    """A failed check: the headline, the case, the details and the hint, then any warnings."""
    message = f"{name}: {headline}\n  case: {case.description}{details}\n  hint: {case.hint}{_warning_note(caught)}"
    return CheckResult(name, False, message, case)


def _check_case(
    name: str, fn: Callable[..., Any], case: Case, same: Callable[[Any, Any], bool],
    caught: list[warnings.WarningMessage], stage: list[str],
) -> CheckResult | None:
    """Run ``fn`` on one case: ``None`` when its result matches, else the failed result."""
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    stage[0] = "running"
    try:
        actual = fn(*args, **kwargs)
    except NotImplementedError:
        message = f"{name}: not implemented yet. Replace `raise NotImplementedError` with your code."
        return CheckResult(name, False, message, case)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit too: the reader's bug is reported, never raised
        return _failure(name, f"your function raised {_error_line(error)}", case, "", caught)
    stage[0] = "comparing"
    try:
        ok, note = bool(same(actual, case.expected)), ""
    except Exception as error:  # e.g. a returned object that cannot be compared
        ok, note = False, f"\n  note: its result could not be compared ({_error_line(error)})"
    if ok:
        return None
    stage[0] = "showing"
    details = (
        f"\n  expected: {_short(case.expected, 12)}\n  got:      {_short(actual, 12)}"
        f"{note or _mismatch_note(actual, case.expected)}"
    )
    return _failure(name, "wrong result", case, details, caught)


def _timeout_headline(stage: str, seconds: float, still_running: bool) -> str:
    """What a check stopped by the time limit says: which step took too long, and whether it stopped."""
    stopped = (
        "could not be stopped (it catches the stop request, or is busy inside a library call) "
        "and keeps running in the background"
        if still_running else "was stopped"
    )
    duration = f"{seconds:g} second{'' if seconds == 1 else 's'}"
    if stage == "running":
        return f"your function ran longer than {duration} on this case and {stopped}"
    verb = {"comparing": "compare", "showing": "show"}[stage]
    return f"your function's result took longer than {duration} to {verb} and {stopped}"


def run_checks(
    name: str,
    fn: Callable[..., Any],
    cases: Iterable[Case],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    matches: Callable[[Any, Any], bool] | None = None,
    time_limit: float | None = None,
) -> CheckResult:
    """Call ``fn`` on every case; stop at the first one whose result does not match.

    ``matches(actual, expected)`` decides equality; by default arrays must have
    the expected shape and satisfy ``|actual - expected| <= atol + rtol * |expected|``
    elementwise, NaN matching NaN. Deep copies of the arguments are passed, so
    a function that changes its input in place cannot spoil the next case.

    Nothing the reader's function does escapes: an exception (``SystemExit``
    included) becomes a failed result naming it, a result that cannot be
    compared or shown fails with a note, a call running longer than
    ``time_limit`` seconds (default :data:`TIME_LIMIT`) is stopped and
    reported (:func:`call_with_time_limit`),
    and warnings it emits (overflow in ``exp``, say) are recorded and listed in
    the failure message instead of being shown or, under a test suite that
    turns warnings into errors, raised. Only ``KeyboardInterrupt`` propagates.
    The one exception the checker raises itself is ``ValueError`` for an
    empty ``cases``: a checker without cases is the checker's bug.
    """
    same = matches or (lambda actual, expected: _matches(actual, expected, rtol, atol))
    time_limit = TIME_LIMIT if time_limit is None else time_limit
    cases = list(cases)
    if not cases:
        raise ValueError(f"{name}: cases is empty; a checker needs at least one case")
    for case in cases:
        stage = ["running"]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            status, value = call_with_time_limit(
                lambda: _check_case(name, fn, case, same, caught, stage), time_limit
            )
        if status == "timeout":
            return _failure(name, _timeout_headline(stage[0], time_limit, value), case,
                            "\n  note: look for a loop that never ends, or one that does far more work than needed",
                            caught)
        if status == "raised":  # only the checker's own steps get here (a result too odd to show)
            return _failure(name, f"your function's result could not be checked ({_error_line(value)})",
                            case, "", caught)
        if value is not None:
            return value
    count = "1 case" if len(cases) == 1 else f"all {len(cases)} cases"
    return CheckResult(name, True, f"{name}: {count} passed. Well done!")


def random_shape(rng: np.random.Generator, max_ndim: int = 3, max_size: int = 5) -> tuple[int, ...]:
    """A random array shape for a random case: 1 to ``max_ndim`` axes of 1 to ``max_size`` entries each."""
    ndim = int(rng.integers(1, max_ndim + 1))
    return tuple(int(n) for n in rng.integers(1, max_size + 1, size=ndim))
