"""The exercises of chapter 1: the parameter-count checker and the notebook's reference solution."""

from __future__ import annotations

import functools
import operator
from typing import Callable, Sequence

import numpy as np
import pytest

from dlbook.exercises import check_count_parameters
from dlbook.exercises.intro import count_parameters_cases, torch_parameter_count
from tests.notebook_solutions import load_solutions

NOTEBOOK = "chapters/01_what_is_deep_learning.ipynb"


def formula_count(sizes: Sequence[int], bias: bool) -> int:
    """The count written out: weights n_in * n_out plus, with bias, n_out per layer."""
    sizes = list(sizes)
    return sum(n_in * n_out + (n_out if bias else 0) for n_in, n_out in zip(sizes, sizes[1:]))


@pytest.fixture(scope="module")
def solution_count_parameters() -> Callable[..., int]:
    return load_solutions(NOTEBOOK)["solution_count_parameters"]


def test_the_reference_solution_passes(solution_count_parameters: Callable[..., int]) -> None:
    result = check_count_parameters(solution_count_parameters)
    assert result.passed, result.message
    assert result.message.startswith("check_count_parameters: all 11 cases passed")


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_the_reference_solution_passes_other_random_networks(
    solution_count_parameters: Callable[..., int], seed: int
) -> None:
    assert check_count_parameters(solution_count_parameters, seed=seed).passed


def test_expected_counts_from_torch_agree_with_the_formula() -> None:
    cases = count_parameters_cases(seed=3, n_random=5)
    for case in cases:
        (sizes,) = case.args
        assert case.expected == formula_count(sizes, case.kwargs["bias"]), case.description
    # the chapter's worked example, counted by hand: 784*128 + 128 + 128*10 + 10
    assert torch_parameter_count([784, 128, 10]) == 100_352 + 128 + 1_280 + 10 == 101_770


def test_random_cases_depend_on_the_seed_only() -> None:
    first = [case.args for case in count_parameters_cases(seed=5)]
    assert first == [case.args for case in count_parameters_cases(seed=5)]
    assert first != [case.args for case in count_parameters_cases(seed=6)]


def forgets_biases(sizes: Sequence[int], bias: bool = True) -> int:
    return formula_count(sizes, bias=False)


def ignores_the_bias_flag(sizes: Sequence[int], bias: bool = True) -> int:
    return formula_count(sizes, bias=True)


def counts_the_first_layer_only(sizes: Sequence[int], bias: bool = True) -> int:
    return sizes[0] * sizes[1] + (sizes[1] if bias else 0)


def drops_biases_of_the_first_layer_only(sizes: Sequence[int], bias: bool = True) -> int:
    return formula_count(sizes, True) - (0 if bias else sizes[1])


def appends_to_a_list(sizes: Sequence[int], bias: bool = True) -> int:
    padded = sizes + [0]  # a tuple cannot be concatenated with a list
    return formula_count(padded[:-1], bias)


def needs_a_layer(sizes: Sequence[int], bias: bool = True) -> int:
    per_layer = [a * b + (b if bias else 0) for a, b in zip(sizes, sizes[1:])]
    return functools.reduce(operator.add, per_layer)  # TypeError when there is no layer


def skips_the_last_layer(sizes: Sequence[int], bias: bool = True) -> int:
    return formula_count(list(sizes)[:-1], bias) if len(sizes) > 3 else formula_count(sizes, bias)


def adds_in_float32(sizes: Sequence[int], bias: bool = True) -> float:
    return float(np.float32(formula_count(sizes, bias)))


def answers_true(sizes: Sequence[int], bias: bool = True) -> bool:
    return True


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (forgets_biases, "n_out biases (one per output)"),
        (counts_the_first_layer_only, "one layer between each pair of neighbouring sizes"),
        (ignores_the_bias_flag, "with bias=False there are no biases"),
        (drops_biases_of_the_first_layer_only, "leave out the biases of every layer, not just the first"),
        (appends_to_a_list, "a tuple as well as a list"),
        (needs_a_layer, "a single size means no layer"),
        (skips_the_last_layer, "with k sizes there are k - 1 layers"),
        (adds_in_float32, "use Python integers, not float32 or int32"),
    ],
)
def test_wrong_solutions_fail_with_the_right_hint(wrong: Callable[..., object], hint: str) -> None:
    result = check_count_parameters(wrong)
    assert result.passed is False
    assert hint in result.message, result.message


def test_a_bool_is_not_a_count() -> None:
    result = check_count_parameters(answers_true)
    assert result.passed is False
    assert "got:      True" in result.message


def test_an_exception_is_reported_not_raised() -> None:
    def crashes(sizes: Sequence[int], bias: bool = True) -> int:
        raise IndexError("list index out of range")

    result = check_count_parameters(crashes)
    assert result.passed is False
    assert "your function raised IndexError: list index out of range" in result.message


def test_the_stub_is_not_implemented_yet() -> None:
    def my_count_parameters(layer_sizes: Sequence[int], bias: bool = True) -> int:
        raise NotImplementedError

    result = check_count_parameters(my_count_parameters)
    assert result.passed is False
    assert "not implemented yet" in result.message
