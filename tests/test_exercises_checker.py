"""Tests of the exercise engine itself: `dlbook.exercises.checker`."""

from __future__ import annotations

import threading
import time
import warnings

import numpy as np
import pytest

from dlbook.exercises import Case, CheckResult, check_sigmoid, checker, run_checks


def square_cases() -> list[Case]:
    """Three cases for "square every entry", their answers worked out by hand."""
    return [
        Case("a scalar", (3.0,), 9.0, "multiply the number by itself"),
        Case("a vector", (np.array([1.0, -2.0, 0.5]),), np.array([1.0, 4.0, 0.25]), "work entry by entry"),
        Case("a 2x2 matrix", (np.array([[1.0, 2.0], [3.0, 4.0]]),), np.array([[1.0, 4.0], [9.0, 16.0]]),
             "keep the shape: square entries, do not multiply matrices"),
    ]


def test_a_correct_function_passes() -> None:
    result = run_checks("check_square", lambda x: x * x, square_cases())
    assert isinstance(result, CheckResult)
    assert result.passed is True and bool(result) is True
    assert result.failed_case is None
    assert result.name == "check_square"
    assert result.message == "check_square: all 3 cases passed. Well done!"


def test_one_case_is_counted_in_the_singular() -> None:
    result = run_checks("check_square", lambda x: x * x, square_cases()[:1])
    assert result.passed
    assert result.message == "check_square: 1 case passed. Well done!"


def test_empty_cases_are_the_checkers_bug() -> None:
    with pytest.raises(ValueError, match="cases is empty"):
        run_checks("check_square", lambda x: x * x, [])


def test_a_wrong_value_reports_the_first_failing_case_and_stops() -> None:
    seen: list[str] = []

    def matrix_square(x: object) -> np.ndarray:
        seen.append(repr(x))
        return np.asarray(x) @ np.asarray(x) if np.ndim(x) == 2 else np.asarray(x) ** 2

    cases = square_cases() + [Case("never reached", (2.0,), 4.0, "-")]
    result = run_checks("check_square", matrix_square, cases)
    assert result.passed is False and not result
    assert result.failed_case is cases[2]
    assert len(seen) == 3, "the check must stop at the first failure"
    assert "wrong result" in result.message
    assert "case: a 2x2 matrix" in result.message
    assert "hint: keep the shape: square entries, do not multiply matrices" in result.message
    # matrix product [[1, 2], [3, 4]]^2 = [[7, 10], [15, 22]] by hand
    assert "[[ 7. 10.]" in result.message and "[15. 22.]]" in result.message
    assert "[[ 1.  4.]" in result.message


def test_a_value_outside_the_tolerance_fails_and_inside_passes() -> None:
    case = [Case("one number", (2.0,), 4.0, "square it")]
    rtol, atol = 1e-3, 0.0
    just_inside = 4.0 * (1 + 0.5 * rtol)
    just_outside = 4.0 * (1 + 2 * rtol)
    assert run_checks("c", lambda x: just_inside, case, rtol=rtol, atol=atol).passed
    assert not run_checks("c", lambda x: just_outside, case, rtol=rtol, atol=atol).passed


@pytest.mark.parametrize(
    ("returned", "shape_note"),
    [
        (np.array([[1.0], [4.0], [0.25]]), "expected shape (3,), got shape (3, 1)"),
        (np.array([1.0, 4.0]), "expected shape (3,), got shape (2,)"),
        (np.array([[1.0, 4.0, 0.25]]), "expected shape (3,), got shape (1, 3)"),
    ],
)
def test_a_wrong_shape_fails_even_when_it_would_broadcast(returned: np.ndarray, shape_note: str) -> None:
    case = square_cases()[1]
    result = run_checks("check_square", lambda x: returned, [case])
    assert result.passed is False
    assert result.failed_case is case
    assert shape_note in result.message
    assert case.hint in result.message


def test_returning_none_gets_a_note_about_return() -> None:
    result = run_checks("check_square", lambda x: None, square_cases())
    assert result.passed is False
    assert "got:      None" in result.message
    assert "did you forget `return`?" in result.message


def test_returning_none_does_not_match_an_expected_nan() -> None:
    case = Case("NaN in, NaN out", (float("nan"),), float("nan"), "let NaN pass through")
    assert run_checks("c", lambda x: x, [case]).passed
    assert not run_checks("c", lambda x: None, [case]).passed


def test_a_result_that_is_not_numbers_fails_without_raising() -> None:
    result = run_checks("check_square", lambda x: "nine", square_cases())
    assert result.passed is False
    assert "'nine'" in result.message


def test_an_exception_in_the_readers_code_is_reported_not_raised() -> None:
    def broken(x: object) -> float:
        return 1 / 0

    cases = square_cases()
    result = run_checks("check_square", broken, cases)
    assert result.passed is False
    assert result.failed_case is cases[0]
    assert "your function raised ZeroDivisionError: division by zero" in result.message
    assert "case: a scalar" in result.message
    assert "hint: multiply the number by itself" in result.message
    assert "Traceback" not in result.message


def test_something_that_is_not_a_function_is_reported() -> None:
    result = run_checks("check_square", np.array([1.0]), square_cases())
    assert result.passed is False
    assert "TypeError" in result.message and "not callable" in result.message


def test_not_implemented_says_so() -> None:
    def my_square(x: object) -> object:
        raise NotImplementedError

    result = run_checks("check_square", my_square, square_cases())
    assert result.passed is False
    assert result.message == (
        "check_square: not implemented yet. Replace `raise NotImplementedError` with your code."
    )
    assert "hint" not in result.message


def test_a_function_that_changes_its_input_cannot_spoil_the_cases() -> None:
    x = np.array([1.0, -2.0, 0.5])
    nested = {"values": [1.0, 2.0]}
    cases = [
        Case("in place", (x,), x**2, "-", kwargs={"extra": nested}),
        Case("same input again", (x,), x**2, "-", kwargs={"extra": nested}),
    ]

    def squares_in_place(a: np.ndarray, extra: dict) -> np.ndarray:
        a *= a
        extra["values"].append(3.0)
        return a

    result = run_checks("check_square", squares_in_place, cases)
    assert result.passed, result.message
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])
    assert nested == {"values": [1.0, 2.0]}


def test_nan_matches_nan_only() -> None:
    expected = np.array([1.0, np.nan, 3.0])
    case = [Case("a NaN entry", (expected,), expected, "NaN stays NaN")]
    assert run_checks("c", lambda a: a.copy(), case).passed
    nan_lost = run_checks("c", lambda a: np.nan_to_num(a), case)
    assert not nan_lost.passed and "NaN stays NaN" in nan_lost.message
    finite_case = [Case("finite", (np.array([1.0, 2.0]),), np.array([1.0, 2.0]), "no NaN here")]
    nan_made = run_checks("c", lambda a: a * np.nan, finite_case)
    assert not nan_made.passed
    assert "got:      [nan nan]" in nan_made.message


def test_warnings_are_recorded_in_the_message_not_raised() -> None:
    logits = np.array([1000.0, 0.0])
    case = [Case("large logits", (logits,), np.array([1.0, 0.0]), "subtract the maximum before exp")]

    def naive_softmax(z: np.ndarray) -> np.ndarray:
        e = np.exp(z)
        return e / e.sum()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as under this test suite's settings, made explicit
        result = run_checks("check_softmax", naive_softmax, case)
    assert result.passed is False
    assert "wrong result" in result.message
    assert "hint: subtract the maximum before exp" in result.message
    assert "RuntimeWarning: overflow encountered in exp" in result.message


def test_a_custom_comparison_is_used() -> None:
    case = [Case("count", (3,), 12, "four per unit")]
    exact = run_checks("c", lambda n: 12.000001, case, matches=lambda actual, expected: actual == expected)
    assert not exact.passed
    assert run_checks("c", lambda n: 4 * n, case, matches=lambda actual, expected: actual == expected).passed


def test_a_comparison_that_raises_is_reported_not_raised() -> None:
    def strict(actual: object, expected: object) -> bool:
        raise TypeError("cannot compare")

    result = run_checks("c", lambda n: n, [Case("any", (1,), 1, "-")], matches=strict)
    assert result.passed is False
    assert "could not be compared (TypeError: cannot compare)" in result.message


def test_markdown_shows_the_details_verbatim() -> None:
    failed = run_checks("check_square", lambda x: x * 2, square_cases())
    markdown = failed._repr_markdown_()
    headline, _, body = markdown.partition("\n\n")
    assert headline == "**check_square: wrong result**"
    assert body.startswith("```text\n") and body.endswith("\n```")
    assert "hint: multiply the number by itself" in body
    passed = run_checks("check_square", lambda x: x * x, square_cases())
    assert "```" not in passed._repr_markdown_()
    assert passed._repr_markdown_() == f"**{passed.message}**"
    assert repr(passed) == passed.message


# ----- never raise, never hang -------------------------------------------------------


def test_a_function_that_never_returns_is_stopped_and_reported() -> None:
    def forever(x: object) -> object:
        while True:
            pass

    before = threading.active_count()
    started = time.monotonic()
    cases = square_cases()
    result = run_checks("check_square", forever, cases, time_limit=0.2)
    assert time.monotonic() - started < 5
    assert not result.passed and result.failed_case is cases[0]
    assert "your function ran longer than 0.2 seconds on this case and was stopped" in result.message
    assert "hint: multiply the number by itself" in result.message
    assert threading.active_count() == before  # the worker thread is gone


def test_the_book_checkers_stop_a_loop_after_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker, "TIME_LIMIT", 0.2)

    def forever(z: object) -> object:
        while True:
            pass

    result = check_sigmoid(forever)
    assert not result.passed and "ran longer than 0.2 seconds" in result.message


def test_the_time_limit_works_outside_the_main_thread_too() -> None:
    results = []
    worker = threading.Thread(target=lambda: results.append(
        run_checks("c", lambda x: _spin(), square_cases(), time_limit=0.2)))
    worker.start()
    worker.join(10)
    assert not worker.is_alive() and "ran longer than 0.2 seconds" in results[0].message


def _spin() -> None:
    """Sleep in short steps for ever: each step returns to Python, where the stop request lands."""
    while True:
        time.sleep(0.01)


def test_a_function_that_swallows_the_stop_request_is_still_reported() -> None:
    def stubborn(x: object) -> object:
        end = time.monotonic() + 1.6
        while time.monotonic() < end:
            try:
                time.sleep(0.01)
            except BaseException:  # a learner's `except BaseException: pass`
                pass
        return x

    result = run_checks("c", stubborn, square_cases()[:1], time_limit=0.1)
    assert not result.passed
    assert "could not be stopped" in result.message and "keeps running in the background" in result.message


def test_a_result_too_slow_to_compare_is_stopped() -> None:
    class Slow:
        def __array__(self, *args: object, **kwargs: object) -> np.ndarray:
            _spin()
            return np.zeros(1)

    result = run_checks("c", lambda x: Slow(), square_cases()[:1], time_limit=0.2)
    assert not result.passed
    assert "your function's result took longer than 0.2 seconds to compare and was stopped" in result.message


def test_system_exit_and_odd_exceptions_are_reported_keyboard_interrupt_propagates() -> None:
    def exits(x: object) -> object:
        raise SystemExit(3)

    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("str exploded")

    def unprintable(x: object) -> object:
        raise Unprintable()

    assert "your function raised SystemExit: 3" in run_checks("c", exits, square_cases()).message
    assert "your function raised" in run_checks("c", unprintable, square_cases()).message

    def interrupted(x: object) -> object:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_checks("c", interrupted, square_cases())


def test_results_that_cannot_be_shown_or_read_are_reported() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("repr exploded")

        def __array__(self, *args: object, **kwargs: object) -> np.ndarray:
            raise RuntimeError("array exploded")

    broken = run_checks("c", lambda x: Broken(), square_cases())
    assert "got:      <a Broken object that cannot be shown: RuntimeError: repr exploded>" in broken.message
    huge = run_checks("c", lambda x: 10**400, square_cases())
    assert "your result could not be read as numbers (OverflowError" in huge.message


def test_the_notes_name_nan_the_dtype_and_look_alike_types() -> None:
    case = [Case("floats", (np.array([1.0, 2.0]),), np.array([1.0, 4.0]), "square")]
    nan = run_checks("c", lambda x: x * np.nan, case)
    assert "your result contains NaN where finite values are expected" in nan.message
    exact = lambda actual, expected: actual.dtype == expected.dtype and np.array_equal(actual, expected)  # noqa: E731
    float32 = run_checks("c", lambda x: (x * x).astype(np.float32), case, matches=exact)
    assert "expected dtype float64, got float32" in float32.message
    count = [Case("a count", (2,), 4, "square it")]
    array = run_checks("c", lambda n: np.array(4), count, matches=lambda actual, expected: type(actual) is int)
    assert "the values print alike, but expected int, got numpy.ndarray of dtype int64" in array.message


def test_the_callers_numpy_error_state_reaches_the_function() -> None:
    case = [Case("a division", (np.array([1.0]),), np.array([np.inf]), "divide by zero")]
    with np.errstate(divide="raise"):
        result = run_checks("c", lambda x: x / 0.0, case)
    assert "your function raised FloatingPointError: divide by zero" in result.message
