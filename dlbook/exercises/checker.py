"""The engine behind every exercise checker: run cases, compare, report kindly."""

from __future__ import annotations

import traceback
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
        return self.message.replace("\n", "  \n")


def _short(value: Any) -> str:
    """A compact, readable rendering of a value for a report."""
    if isinstance(value, np.ndarray) or np.isscalar(value):
        return np.array2string(np.asarray(value), precision=6, threshold=20, suppress_small=False)
    return repr(value)[:300]


def _matches(actual: Any, expected: Any, rtol: float, atol: float) -> bool:
    """True when ``actual`` has the shape of ``expected`` and equal values (NaN equals NaN)."""
    try:
        actual_arr = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return False
    expected_arr = np.asarray(expected, dtype=float)
    if actual_arr.shape != expected_arr.shape:
        return False
    return bool(np.allclose(actual_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True))


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
    the expected shape and be close to ``rtol``/``atol``. Copies of the
    arguments are passed, so a function that changes its input in place cannot
    spoil the next case.
    """
    same = matches or (lambda actual, expected: _matches(actual, expected, rtol, atol))
    cases = list(cases)
    for case in cases:
        args = tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in case.args)
        try:
            actual = fn(*args, **case.kwargs)
        except NotImplementedError:
            message = f"{name}: not implemented yet. Replace `raise NotImplementedError` with your code."
            return CheckResult(name, False, message, case)
        except Exception as error:  # the reader's bug is reported, never raised
            where = traceback.format_exception_only(type(error), error)[-1].strip()
            message = f"{name}: your function raised {where}\n  case: {case.description}\n  hint: {case.hint}"
            return CheckResult(name, False, message, case)
        if not same(actual, case.expected):
            message = (
                f"{name}: wrong result\n  case: {case.description}\n"
                f"  expected: {_short(case.expected)}\n  got:      {_short(actual)}\n  hint: {case.hint}"
            )
            return CheckResult(name, False, message, case)
    return CheckResult(name, True, f"{name}: all {len(cases)} cases passed. Well done!")
