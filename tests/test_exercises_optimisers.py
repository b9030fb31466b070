"""The optimiser exercises: the chapter's reference solutions pass, typical slips fail with the right hint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlbook.exercises import check_adam_step, check_cosine_lr, check_momentum_step
from dlbook.exercises.optimisers import adam_cases, cosine_cases, momentum_cases
from dlbook.numpy.optim import SGD, Adam
from tests.notebook_solutions import load_solutions

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "08_optimisers.ipynb"


@pytest.fixture(scope="module")
def solutions() -> dict:
    return load_solutions(CHAPTER)


@pytest.mark.parametrize(("checker", "name"), [(check_momentum_step, "solution_momentum_step"),
                                              (check_adam_step, "solution_adam_step"),
                                              (check_cosine_lr, "solution_cosine_lr")])
def test_the_reference_solutions_in_the_chapter_pass(solutions: dict, checker: object, name: str) -> None:
    result = checker(solutions[name])
    assert result.passed, result.message


def test_momentum_cases_are_consecutive_steps_of_sgd() -> None:
    """Each case starts where the run's previous step ended; the expected velocity is torch's buffer."""
    cases = [case for case in momentum_cases() if case.description.startswith("one weight vector")]
    assert [case.description.split(", ")[1] for case in cases] == ["step 1 (lr 0.1", "step 2 (lr 0.1", "step 3 (lr 0.1"]
    params, _, velocity, lr, momentum = cases[0].args
    assert not velocity["w"].any()
    for before, after in zip(cases, cases[1:]):
        np.testing.assert_array_equal(after.args[0]["w"], before.expected[0]["w"])
        np.testing.assert_array_equal(after.args[2]["w"], before.expected[1]["w"])
    for case in momentum_cases():  # the formula, against the optimiser's numbers
        params, grads, velocity, lr, momentum = case.args
        new_velocity = {name: momentum * velocity[name] + grads[name] for name in params}
        for name in params:
            np.testing.assert_allclose(case.expected[1][name], new_velocity[name], rtol=1e-12)
            np.testing.assert_allclose(case.expected[0][name], params[name] - lr * new_velocity[name], rtol=1e-12)


def test_adam_cases_follow_the_formula_and_start_at_t_1() -> None:
    cases = adam_cases()
    assert {case.args[4] for case in cases} == {1, 2, 3}
    for case in cases:
        params, grads, m, v, t, lr, (beta1, beta2), eps = case.args
        for name, p in params.items():
            m_new = beta1 * m[name] + (1 - beta1) * grads[name]
            v_new = beta2 * v[name] + (1 - beta2) * grads[name] ** 2
            step = lr * (m_new / (1 - beta1**t)) / (np.sqrt(v_new / (1 - beta2**t)) + eps)
            np.testing.assert_allclose(case.expected[0][name], p - step, rtol=1e-10)
            np.testing.assert_allclose(case.expected[1][name], m_new, rtol=1e-12)
            np.testing.assert_allclose(case.expected[2][name], v_new, rtol=1e-12)


def test_cosine_cases_are_the_closed_form() -> None:
    for case in cosine_cases():
        base_lr, eta_min, t_max, t = case.args
        closed = eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t / t_max)) / 2
        assert case.expected == pytest.approx(closed, rel=1e-12, abs=1e-15)


def optimizer_step(params: dict, grads: dict, velocity: dict, lr: float, momentum: float) -> tuple:
    """A correct answer written with the book's optimiser (its buffer starts as the first gradient)."""
    params = {name: np.array(value, dtype=float) for name, value in params.items()}
    optimizer = SGD(params, lr=lr, momentum=momentum)
    if momentum and any(np.any(v) for v in velocity.values()):
        for name, v in velocity.items():
            optimizer.state[name]["momentum_buffer"] = np.atleast_1d(np.array(v, dtype=float))
    optimizer.step(grads)
    new = {name: np.reshape(optimizer.state[name].get("momentum_buffer", grads[name]), np.shape(grads[name]))
           for name in params}
    return params, new


def test_the_books_optimiser_passes() -> None:
    assert check_momentum_step(optimizer_step).passed


def dampened(params: dict, grads: dict, velocity: dict, lr: float, momentum: float) -> tuple:
    new = {n: momentum * velocity[n] + (1 - momentum) * grads[n] for n in params}
    return {n: p - lr * new[n] for n, p in params.items()}, new


def old_velocity(params: dict, grads: dict, velocity: dict, lr: float, momentum: float) -> tuple:
    new = {n: momentum * velocity[n] + grads[n] for n in params}
    return {n: p - lr * velocity[n] for n, p in params.items()}, new


def weights_only(params: dict, grads: dict, velocity: dict, lr: float, momentum: float) -> tuple:
    new = {n: momentum * velocity[n] + grads[n] for n in params}
    return {n: p - lr * new[n] if n.startswith(("W", "w")) else p for n, p in params.items()}, new


def params_only(params: dict, grads: dict, velocity: dict, lr: float, momentum: float) -> dict:
    return {n: p - lr * (momentum * velocity[n] + grads[n]) for n, p in params.items()}


@pytest.mark.parametrize(("wrong", "hint"), [
    (dampened, "v becomes the gradient itself"), (old_velocity, "v = momentum * 0 + g"),
    (weights_only, "the biases too"), (params_only, "return two dicts, (params, velocity)"),
])
def test_momentum_slips_fail_with_a_hint(wrong: object, hint: str) -> None:
    result = check_momentum_step(wrong)
    assert result.passed is False and hint in result.message


def adam(params: dict, grads: dict, m: dict, v: dict, t: int, lr: float, betas: tuple, eps: float,
         correct: bool = True, eps_inside: bool = False, squares: bool = True) -> tuple:
    beta1, beta2 = betas
    m = {n: beta1 * m[n] + (1 - beta1) * g for n, g in grads.items()}
    v = {n: beta2 * v[n] + (1 - beta2) * (g**2 if squares else np.abs(g)) for n, g in grads.items()}
    new = {}
    for n, p in params.items():
        m_hat, v_hat = (m[n] / (1 - beta1**t), v[n] / (1 - beta2**t)) if correct else (m[n], v[n])
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        new[n] = p - lr * m_hat / denominator
    return new, m, v


@pytest.mark.parametrize(("options", "hint"), [
    ({"correct": False}, "the bias correction matters most"),
    ({"eps_inside": True}, "eps is added after the square root"),
    ({"squares": False}, "the bias correction matters most"),
])
def test_adam_slips_fail_with_a_hint(options: dict, hint: str) -> None:
    result = check_adam_step(lambda *args: adam(*args, **options))
    assert result.passed is False and hint in result.message
    assert check_adam_step(adam).passed


def test_a_forgotten_t_is_caught_after_the_first_step() -> None:
    """A correction with t = 1 at every step passes the first step only."""
    result = check_adam_step(lambda p, g, m, v, t, lr, b, e: adam(p, g, m, v, 1, lr, b, e))
    assert result.passed is False and "step t = 2" in result.message


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda b, e, T, t: b * (1 + np.cos(np.pi * t / T)) / 2, "not to 0"),
    (lambda b, e, T, t: e + (b - e) * (1 + np.cos(t / T)) / 2, "at t = 0 the rate is base_lr"),
    (lambda b, e, T, t: e + (b - e) * (1 - t / T), "at t = 0 the rate is base_lr"),
])
def test_cosine_slips_fail_with_a_hint(wrong: object, hint: str) -> None:
    result = check_cosine_lr(wrong)
    assert result.passed is False and hint in result.message


def test_stubs_and_errors_are_reported() -> None:
    def stub(*args: object) -> None:
        raise NotImplementedError

    for checker in (check_momentum_step, check_adam_step, check_cosine_lr):
        assert "not implemented yet" in checker(stub).message

    def broken(params: dict, *args: object) -> None:
        raise KeyError("m")

    assert "KeyError" in check_adam_step(broken).message


def test_the_expected_values_are_the_optimisers() -> None:
    """The last Adam case of a run equals a fresh Adam run of the same gradients."""
    cases = [case for case in adam_cases() if case.description.startswith("betas (0.5, 0.9)")]
    params = {"w": cases[0].args[0]["w"].copy()}
    optimizer = Adam(params, lr=0.1, betas=(0.5, 0.9))
    for case in cases:
        optimizer.step(case.args[1])
    np.testing.assert_array_equal(params["w"], cases[-1].expected[0]["w"])
