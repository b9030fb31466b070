"""The regularisation exercises: the chapter's reference solutions pass, typical slips fail with the right hint."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

import dlbook.numpy as dnp
from dlbook.exercises import check_add_weight_decay, check_batch_norm, check_dropout
from dlbook.exercises.regularisation import add_weight_decay_cases, batch_norm_cases, dropout_cases
from tests.notebook_solutions import load_solutions

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "09_regularisation.ipynb"


@pytest.fixture(scope="module")
def solutions() -> dict:
    return load_solutions(CHAPTER)


def test_the_reference_solutions_in_the_chapter_pass(solutions: dict) -> None:
    for check, name in [(check_dropout, "solution_dropout"), (check_add_weight_decay, "solution_add_weight_decay"),
                        (check_batch_norm, "solution_batch_norm")]:
        result = check(solutions[name])
        assert result.passed, result.message
        assert "passed" in result.message


def test_the_book_implementations_pass() -> None:
    assert check_dropout(lambda x, p, rng: dnp.dropout(x, p, training=True, rng=rng)).passed
    assert check_add_weight_decay(dnp.add_weight_decay).passed
    assert check_batch_norm(lambda x, gamma, beta, eps: dnp.batch_norm(x, None, None, gamma, beta, True,
                                                                       eps=eps)).passed


def test_expected_values_follow_the_formulas() -> None:
    for case in dropout_cases():
        x, p, rng = case.args
        mask = copy.deepcopy(rng).random(x.shape) >= p  # the draws the reader's function will make
        expected = np.zeros_like(x) if p == 1 else x * mask / (1 - p)
        np.testing.assert_allclose(case.expected, expected, rtol=1e-6)
    for case in add_weight_decay_cases():
        params, grads, weight_decay = case.args
        for name, g in grads.items():
            decay = weight_decay * params[name] if name.startswith("W") else 0
            np.testing.assert_allclose(case.expected[name], g + decay, rtol=1e-6)
    for case in batch_norm_cases():
        x, gamma, beta, eps = case.args
        expected = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta
        np.testing.assert_allclose(case.expected, expected, rtol=1e-10, atol=1e-12)


def test_cases_are_reproducible_and_cover_the_edges() -> None:
    assert [c.description for c in dropout_cases()] == [c.description for c in dropout_cases()]
    assert {case.args[1] for case in dropout_cases()} >= {0.0, 1.0}
    assert any(case.args[0].dtype == np.float32 for case in dropout_cases())
    assert any("gamma" in case.args[0] for case in add_weight_decay_cases())
    assert any((case.args[0].std(axis=0) == 0).any() for case in batch_norm_cases())
    assert [c.description for c in batch_norm_cases(seed=1)] != [c.description for c in batch_norm_cases()]


def keep_below_p(x, p, rng):  # noqa: ANN001, ANN201
    return x * (rng.random(x.shape) < p) / (1 - p)


def no_scaling(x, p, rng):  # noqa: ANN001, ANN201
    return x * (rng.random(x.shape) >= p)


def divides_by_zero(x, p, rng):  # noqa: ANN001, ANN201
    with np.errstate(divide="ignore", invalid="ignore"):
        return x * (rng.random(x.shape) >= p) / (1 - p)


def to_float64(x, p, rng):  # noqa: ANN001, ANN201
    mask = rng.random(x.shape) >= p
    return np.zeros(x.shape) if p == 1 else x.astype(np.float64) * mask / (1 - p)


@pytest.mark.parametrize(("wrong", "hint"), [
    (keep_below_p, "kept where the draw is at least p"),
    (no_scaling, "scaled by 1 / (1 - p)"),
    (divides_by_zero, "do not divide by it"),
    (to_float64, "float32 in, float32 out"),
])
def test_dropout_slips_fail_with_their_hint(wrong, hint: str) -> None:  # noqa: ANN001
    result = check_dropout(wrong)
    assert result.passed is False and hint in result.message


def decays_everything(params, grads, weight_decay):  # noqa: ANN001, ANN201
    return {name: g + weight_decay * params[name] for name, g in grads.items()}


def decays_nothing_when_zero_is_wrong(params, grads, weight_decay):  # noqa: ANN001, ANN201
    return {name: g + 0.01 * params[name] if name.startswith("W") else g for name, g in grads.items()}


def paired_by_position(params, grads, weight_decay):  # noqa: ANN001, ANN201
    return {name: g + weight_decay * p if name.startswith("W") else g
            for (name, g), p in zip(grads.items(), params.values())}


@pytest.mark.parametrize(("wrong", "hint"), [
    (decays_everything, "every other gradient stays as it is"),
    (decays_nothing_when_zero_is_wrong, "add weight_decay * params[name]"),
    (paired_by_position, "by name, params[name]"),
])
def test_weight_decay_slips_fail_with_their_hint(wrong, hint: str) -> None:  # noqa: ANN001
    result = check_add_weight_decay(wrong)
    assert result.passed is False and hint in result.message


def over_rows(x, gamma, beta, eps):  # noqa: ANN001, ANN201
    return gamma * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta


def sample_variance(x, gamma, beta, eps):  # noqa: ANN001, ANN201
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta


def eps_outside(x, gamma, beta, eps):  # noqa: ANN001, ANN201
    with np.errstate(divide="ignore", invalid="ignore"):
        return gamma * (x - x.mean(axis=0)) / (x.std(axis=0) + eps) + beta


def forgets_gamma(x, gamma, beta, eps):  # noqa: ANN001, ANN201
    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta


@pytest.mark.parametrize(("wrong", "hint"), [
    (over_rows, "per channel, over the batch"),
    (sample_variance, "the variance is the biased one"),
    (forgets_gamma, "multiply each column by its gamma"),
])
def test_batch_norm_slips_fail_with_their_hint(wrong, hint: str) -> None:  # noqa: ANN001
    result = check_batch_norm(wrong)
    assert result.passed is False and hint in result.message


def test_eps_outside_the_root_fails() -> None:
    assert check_batch_norm(eps_outside).passed is False


def test_stubs_are_reported_as_not_implemented() -> None:
    def stub(*args):  # noqa: ANN002, ANN202
        raise NotImplementedError

    for check in (check_dropout, check_add_weight_decay, check_batch_norm):
        result = check(stub)
        assert result.passed is False and "not implemented yet" in result.message
