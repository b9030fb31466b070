"""The engine behind every exercise checker: run cases, compare, report kindly."""

from __future__ import annotations

import copy
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np


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


def _short(value: Any, indent: int = 0) -> str:
    """A compact, readable rendering of a value for a report, continuation lines indented."""
    if isinstance(value, np.ndarray) or np.isscalar(value):
        text = np.array2string(np.asarray(value), precision=6, threshold=20, suppress_small=False)
    else:
        text = repr(value)[:300]
    return text.replace("\n", "\n" + " " * indent)


def _shape(value: Any) -> tuple[int, ...] | None:
    """The shape of ``value`` as an array, or None when it cannot be read as numbers."""
    try:
        return np.asarray(value, dtype=float).shape
    except (TypeError, ValueError, RuntimeError):
        return None


def _error_line(error: BaseException) -> str:
    """``"TypeError: message"``: the last line of a traceback, without the traceback."""
    return traceback.format_exception_only(type(error), error)[-1].strip()


def _matches(actual: Any, expected: Any, rtol: float, atol: float) -> bool:
    """True when ``actual`` has the shape of ``expected`` and equal values (NaN equals NaN)."""
    if actual is None:  # np.asarray(None, dtype=float) would be a NaN
        return False
    try:
        actual_arr = np.asarray(actual, dtype=float)
    except (TypeError, ValueError, RuntimeError):
        return False
    expected_arr = np.asarray(expected, dtype=float)
    if actual_arr.shape != expected_arr.shape:
        return False
    return bool(np.allclose(actual_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True))


def _mismatch_note(actual: Any, expected: Any) -> str:
    """An extra line for common slips: returning nothing, or an array of the wrong shape."""
    if actual is None:
        return "\n  note: your function returned None; did you forget `return`?"
    actual_shape, expected_shape = _shape(actual), _shape(expected)
    if actual_shape is not None and expected_shape is not None and actual_shape != expected_shape:
        return f"\n  note: expected shape {expected_shape}, got shape {actual_shape}"
    return ""


def _warning_note(caught: list[warnings.WarningMessage]) -> str:
    """An extra line listing the distinct warnings the reader's function emitted."""
    texts = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    return f"\n  warnings: {'; '.join(texts)}" if texts else ""


def run_checks(
    name: str,
    fn: Callable[..., Any],
    cases: Iterable[Case],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    matches: Callable[[Any, Any], bool] | None = None,
) -> CheckResult:
    """Call ``fn`` on every case; stop at the first one whose result does not match.

    ``matches(actual, expected)`` decides equality; by default arrays must have
    the expected shape and satisfy ``|actual - expected| <= atol + rtol * |expected|``
    elementwise, NaN matching NaN. Deep copies of the arguments are passed, so
    a function that changes its input in place cannot spoil the next case.

    Nothing the reader's function does escapes: an exception becomes a failed
    result naming it, and warnings it emits (overflow in ``exp``, say) are
    recorded and listed in the failure message instead of being shown or, under
    a test suite that turns warnings into errors, raised. The only exception
    raised is ``ValueError`` for an empty ``cases``: a checker without cases is
    the checker's bug.
    """
    same = matches or (lambda actual, expected: _matches(actual, expected, rtol, atol))
    cases = list(cases)
    if not cases:
        raise ValueError(f"{name}: cases is empty; a checker needs at least one case")
    for case in cases:
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                actual = fn(*args, **kwargs)
            except NotImplementedError:
                message = f"{name}: not implemented yet. Replace `raise NotImplementedError` with your code."
                return CheckResult(name, False, message, case)
            except Exception as error:  # the reader's bug is reported, never raised
                message = (
                    f"{name}: your function raised {_error_line(error)}\n  case: {case.description}\n"
                    f"  hint: {case.hint}{_warning_note(caught)}"
                )
                return CheckResult(name, False, message, case)
            try:
                ok, note = bool(same(actual, case.expected)), ""
            except Exception as error:  # e.g. a returned object that cannot be compared
                ok, note = False, f"\n  note: its result could not be compared ({_error_line(error)})"
        if not ok:
            note = note or _mismatch_note(actual, case.expected)
            message = (
                f"{name}: wrong result\n  case: {case.description}\n"
                f"  expected: {_short(case.expected, 12)}\n  got:      {_short(actual, 12)}{note}\n"
                f"  hint: {case.hint}{_warning_note(caught)}"
            )
            return CheckResult(name, False, message, case)
    count = "1 case" if len(cases) == 1 else f"all {len(cases)} cases"
    return CheckResult(name, True, f"{name}: {count} passed. Well done!")


def random_shape(rng: np.random.Generator, max_ndim: int = 3, max_size: int = 5) -> tuple[int, ...]:
    """A random array shape for a random case: 1 to ``max_ndim`` axes of 1 to ``max_size`` entries each."""
    ndim = int(rng.integers(1, max_ndim + 1))
    return tuple(int(n) for n in rng.integers(1, max_size + 1, size=ndim))
