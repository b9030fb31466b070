"""The exercises of chapter 10: reference solutions pass, typical slips fail with the right hint."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from dlbook.exercises import check_conv2d_single, check_conv_output_size, check_max_pool
from dlbook.exercises.conv import (
    conv2d_single_cases,
    conv2d_single_reference,
    conv_output_size_cases,
    conv_output_size_reference,
    max_pool_cases,
    max_pool_reference,
)
from tests.exercise_contract import contract_tests

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "10_convolutional_networks.ipynb"
CHECKERS = {
    "conv_output_size": (check_conv_output_size, conv_output_size_reference, conv_output_size_cases),
    "conv2d_single": (check_conv2d_single, conv2d_single_reference, conv2d_single_cases),
    "max_pool": (check_max_pool, max_pool_reference, max_pool_cases),
}


(test_the_reference_solution_in_the_chapter_passes, test_the_book_implementation_passes,
 test_cases_are_reproducible_and_the_seed_matters) = contract_tests(CHAPTER, CHECKERS)


def test_expected_values_follow_the_definitions() -> None:
    """The expected results, made by dlbook's conv2d and max_pool2d, equal the formulas written out."""
    for case in conv_output_size_cases(n_random=10):
        (size, kernel), kw = case.args, case.kwargs
        stride, padding, dilation = kw.get("stride", 1), kw.get("padding", 0), kw.get("dilation", 1)
        assert case.expected == (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    for case in conv2d_single_cases(n_random=5):
        image, kernel = case.args
        kh, kw = kernel.shape
        expected = [[np.sum(kernel * image[i:i + kh, j:j + kw]) for j in range(image.shape[1] - kw + 1)]
                    for i in range(image.shape[0] - kh + 1)]
        np.testing.assert_allclose(case.expected, expected)
    for case in max_pool_cases(n_random=5):
        image, size = case.args
        expected = [[image[i * size:(i + 1) * size, j * size:(j + 1) * size].max()
                     for j in range(image.shape[1] // size)] for i in range(image.shape[0] // size)]
        np.testing.assert_array_equal(case.expected, expected)


# Typical slips, one function each.


def size_float(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> float:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1


def size_one_side_padding(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    return (size + padding - dilation * (kernel - 1) - 1) // stride + 1


def size_without_dilation(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def conv_flipped(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return conv2d_single_reference(image, kernel[::-1, ::-1])


def conv_square_only(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    k = kernel.shape[0]
    n = image.shape[0] - k + 1
    return np.array([[np.sum(kernel * image[i:i + k, j:j + k]) for j in range(n)] for i in range(n)])


def pool_from_zero(image: np.ndarray, size: int) -> np.ndarray:
    return np.maximum(max_pool_reference(image, size), 0)


def pool_two_by_two(image: np.ndarray, size: int) -> np.ndarray:
    return max_pool_reference(image, 2)


def pool_keeps_the_rest(image: np.ndarray, size: int) -> np.ndarray:
    rows, cols = -(-image.shape[0] // size), -(-image.shape[1] // size)
    padded = np.full((rows * size, cols * size), -np.inf)
    padded[:image.shape[0], :image.shape[1]] = image
    return padded.reshape(rows, size, cols, size).max(axis=(1, 3))


@pytest.mark.parametrize(
    ("check", "wrong", "hint"),
    [
        (check_conv_output_size, size_float, "an integer"),
        (check_conv_output_size, size_one_side_padding, "2p in all"),
        (check_conv_output_size, size_without_dilation, "span d * (k - 1) + 1 pixels"),
        (check_conv2d_single, conv_flipped, "do not flip the kernel"),
        (check_conv2d_single, conv_square_only, "height and width differ here"),
        (check_max_pool, pool_from_zero, "not from 0"),
        (check_max_pool, pool_two_by_two, "use the argument size, not 2"),
        (check_max_pool, pool_keeps_the_rest, "are dropped: 5 // 2 = 2 blocks"),
    ],
)
def test_typical_slips_fail_with_the_matching_hint(check: Callable, wrong: Callable, hint: str) -> None:
    result = check(wrong)
    assert result.passed is False
    assert hint in result.message


@pytest.mark.parametrize("check", [check_conv_output_size, check_conv2d_single, check_max_pool])
def test_a_function_that_raises_or_is_a_stub_gives_a_failed_result(check: Callable) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise IndexError("oops")

    def stub(*args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    result = check(broken)
    assert result.passed is False and "IndexError" in result.message
    result = check(stub)
    assert result.passed is False and "not implemented yet" in result.message
