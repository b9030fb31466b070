"""Batch normalisation in NumPy against ``torch.nn.functional.batch_norm`` and ``torch.autograd``.

Forward pass in training and in evaluation, the running statistics updated in
place (unbiased variance), the backward pass of training mode, for (N, C),
(N, C, L), (N, C, H, W) and five-axis inputs, with and without weight, bias and
running statistics, float64 to 1e-10 and float32 kept float32; and torch's errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.numpy import batch_norm, batch_norm_backward

SHAPES = [(2, 3), (5, 1), (4, 7), (1, 3, 2), (3, 2, 5), (2, 3, 4, 5), (1, 2, 1, 3), (2, 2, 2, 2, 3)]
TOL = {np.float64: 1e-10, np.float32: 1e-5}


def case(shape: tuple[int, ...], dtype: type = np.float64, seed: int = 0, offset: float = 3.0, scale: float = 2.0):
    """An input away from 0 and 1 (so that centring and scaling matter), and per-channel vectors."""
    rng = np.random.default_rng(seed)
    channels = shape[1]
    x = (offset + scale * rng.normal(size=shape)).astype(dtype)
    weight, bias = rng.normal(size=channels).astype(dtype), rng.normal(size=channels).astype(dtype)
    running_mean = rng.normal(size=channels).astype(dtype)
    running_var = rng.uniform(0.5, 2.0, size=channels).astype(dtype)
    return x, weight, bias, running_mean, running_var


def t(a: np.ndarray | None, grad: bool = False) -> torch.Tensor | None:
    return None if a is None else torch.tensor(a, requires_grad=grad)


def close(actual: np.ndarray, expected: np.ndarray, dtype: type) -> None:
    assert actual.dtype == expected.dtype == dtype and actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, 0.0])
def test_training_normalises_by_the_batch_and_updates_the_running_statistics(
    shape: tuple[int, ...], dtype: type, affine: bool, momentum: float
) -> None:
    x, weight, bias, running_mean, running_var = case(shape, dtype)
    weight, bias = (weight, bias) if affine else (None, None)
    torch_mean, torch_var = t(running_mean.copy()), t(running_var.copy())
    expected = F.batch_norm(t(x), torch_mean, torch_var, t(weight), t(bias), training=True,
                            momentum=momentum, eps=1e-5).numpy()
    before = x.copy()
    actual = batch_norm(x, running_mean, running_var, weight, bias, training=True, momentum=momentum)
    close(actual, expected, dtype)
    close(running_mean, torch_mean.numpy(), dtype)  # updated in place, as torch does
    close(running_var, torch_var.numpy(), dtype)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("eps", [1e-5, 1e-3, 0.0])
def test_evaluation_uses_the_running_statistics_and_leaves_them(shape: tuple[int, ...], dtype: type,
                                                                eps: float) -> None:
    x, weight, bias, running_mean, running_var = case(shape, dtype, seed=1)
    saved = running_mean.copy(), running_var.copy()
    expected = F.batch_norm(t(x), t(running_mean), t(running_var), t(weight), t(bias), eps=eps).numpy()
    close(batch_norm(x, running_mean, running_var, weight, bias, eps=eps), expected, dtype)
    np.testing.assert_array_equal(running_mean, saved[0])
    np.testing.assert_array_equal(running_var, saved[1])
    # each example alone gives its own row: evaluation does not look at the rest of the batch
    alone = batch_norm(x[:1], running_mean, running_var, weight, bias, eps=eps)
    np.testing.assert_allclose(alone, expected[:1], rtol=TOL[dtype], atol=TOL[dtype])


def test_the_running_variance_is_unbiased_and_the_normalisation_biased() -> None:
    x = np.array([[1.0], [2.0], [4.0], [9.0]])
    running_mean, running_var = np.zeros(1), np.ones(1)
    out = batch_norm(x, running_mean, running_var, training=True, momentum=1.0, eps=1e-5)
    assert math.isclose(running_mean[0], 4.0) and math.isclose(running_var[0], x.var(ddof=1))
    np.testing.assert_allclose(out[:, 0], (x[:, 0] - 4.0) / np.sqrt(x.var() + 1e-5), rtol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("affine", [True, False])
def test_training_without_running_statistics(shape: tuple[int, ...], dtype: type, affine: bool) -> None:
    x, weight, bias, *_ = case(shape, dtype, seed=2)
    weight, bias = (weight, bias) if affine else (None, None)
    expected = F.batch_norm(t(x), None, None, t(weight), t(bias), training=True).numpy()
    close(batch_norm(x, None, None, weight, bias, training=True), expected, dtype)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_backward_is_torch_autograd(shape: tuple[int, ...], eps: float) -> None:
    x, weight, bias, running_mean, running_var = case(shape, seed=3)
    grad_output = np.random.default_rng(4).normal(size=shape)
    tx, tw, tb = t(x, True), t(weight, True), t(bias, True)
    F.batch_norm(tx, t(running_mean), t(running_var), tw, tb, training=True, eps=eps).backward(
        torch.from_numpy(grad_output))
    grad_input, grad_weight, grad_bias = batch_norm_backward(grad_output, x, weight, eps=eps)
    close(grad_input, tx.grad.numpy(), np.float64)
    close(grad_weight, tw.grad.numpy(), np.float64)
    close(grad_bias, tb.grad.numpy(), np.float64)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_backward_without_weight_is_that_of_weight_one(shape: tuple[int, ...]) -> None:
    x, *_ = case(shape, seed=5)
    grad_output = np.random.default_rng(6).normal(size=shape)
    tx = t(x, True)
    ones, zeros = t(np.ones(shape[1]), True), t(np.zeros(shape[1]), True)
    F.batch_norm(tx, None, None, ones, zeros, training=True).backward(torch.from_numpy(grad_output))
    grad_input, grad_weight, grad_bias = batch_norm_backward(grad_output, x)
    close(grad_input, tx.grad.numpy(), np.float64)
    close(grad_weight, ones.grad.numpy(), np.float64)
    close(grad_bias, zeros.grad.numpy(), np.float64)
    tx.grad = None
    F.batch_norm(tx, None, None, None, None, training=True).backward(torch.from_numpy(grad_output))
    close(grad_input, tx.grad.numpy(), np.float64)


def test_backward_in_float32_keeps_float32() -> None:
    x, weight, *_ = case((6, 4), np.float32, seed=7)
    grad_output = np.random.default_rng(8).normal(size=(6, 4)).astype(np.float32)
    tx, tw = t(x, True), t(weight, True)
    F.batch_norm(tx, None, None, tw, None, training=True).backward(torch.from_numpy(grad_output))
    grad_input, grad_weight, grad_bias = batch_norm_backward(grad_output, x, weight)
    assert {a.dtype for a in (grad_input, grad_weight, grad_bias)} == {np.dtype(np.float32)}
    np.testing.assert_allclose(grad_input, tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(grad_weight, tw.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_backward_matches_central_differences() -> None:
    """The gradient of sum(g * batch_norm(x)) by central differences, every input entry."""
    x, weight, bias, *_ = case((5, 2), seed=9)
    g = np.random.default_rng(10).normal(size=x.shape)
    grad_input, grad_weight, _ = batch_norm_backward(g, x, weight)

    def objective(inputs: np.ndarray, w: np.ndarray) -> float:
        return float(np.sum(g * batch_norm(inputs, None, None, w, bias, training=True)))

    h = 1e-6
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        numeric = (objective(x + step, weight) - objective(x - step, weight)) / (2 * h)
        assert math.isclose(numeric, grad_input[index], rel_tol=1e-6, abs_tol=1e-8)
    for c in range(2):
        step = np.zeros(2)
        step[c] = h
        numeric = (objective(x, weight + step) - objective(x, weight - step)) / (2 * h)
        assert math.isclose(numeric, grad_weight[c], rel_tol=1e-6, abs_tol=1e-8)


def test_nan_passes_through_as_in_torch() -> None:
    x, weight, bias, running_mean, running_var = case((4, 3), seed=11)
    x[0, 0] = np.nan
    torch_mean, torch_var = t(running_mean.copy()), t(running_var.copy())
    expected = F.batch_norm(t(x), torch_mean, torch_var, t(weight), t(bias), training=True).numpy()
    actual = batch_norm(x, running_mean, running_var, weight, bias, training=True)
    np.testing.assert_allclose(actual, expected, rtol=1e-10, equal_nan=True)
    np.testing.assert_allclose(running_mean, torch_mean.numpy(), rtol=1e-10, equal_nan=True)


def test_infinities_and_a_negative_running_variance_pass_silently_as_in_torch() -> None:
    x, weight, bias, running_mean, running_var = case((4, 3), seed=12)
    x[1, 2] = np.inf
    running_var[0] = -1.0
    for training in (True, False):
        torch_mean, torch_var = t(running_mean.copy()), t(running_var.copy())
        expected = F.batch_norm(t(x), torch_mean, torch_var, t(weight), t(bias), training=training).numpy()
        mean, var = running_mean.copy(), running_var.copy()
        np.testing.assert_allclose(batch_norm(x, mean, var, weight, bias, training=training), expected,
                                   rtol=1e-10, equal_nan=True)
        np.testing.assert_allclose(var, torch_var.numpy(), rtol=1e-10, equal_nan=True)
    huge = np.array([[1e300, 3.0], [-1e300, 4.0]])  # the variance overflows to inf
    expected = F.batch_norm(t(huge), None, None, training=True).numpy()
    np.testing.assert_allclose(batch_norm(huge, None, None, training=True), expected, rtol=1e-10)
    batch_norm_backward(np.ones((2, 2)), huge)  # no floating-point warning either


def test_an_empty_batch_gives_an_empty_result_and_leaves_the_statistics() -> None:
    for shape in [(0, 3), (2, 3, 0)]:
        running_mean, running_var = np.zeros(3), np.ones(3)
        torch_mean, torch_var = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
        expected = F.batch_norm(torch.zeros(shape, dtype=torch.float64), torch_mean, torch_var, training=True)
        out = batch_norm(np.zeros(shape), running_mean, running_var, training=True)
        assert out.shape == tuple(expected.shape)
        np.testing.assert_array_equal(running_mean, torch_mean.numpy())
        np.testing.assert_array_equal(running_var, torch_var.numpy())


def refused_by_torch(call) -> str:  # noqa: ANN001 (a lambda)
    """The message of torch's error for ``call`` (it must raise)."""
    with pytest.raises((ValueError, RuntimeError, IndexError)) as error:
        call()
    return str(error.value)


def test_one_value_per_channel_in_training_is_refused_as_torch_refuses() -> None:
    for shape in [(1, 3), (1, 3, 1), (1, 2, 1, 1)]:
        message = refused_by_torch(lambda: F.batch_norm(torch.ones(shape), None, None, training=True))
        assert message.startswith("Expected more than 1 value per channel when training")
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            batch_norm(np.ones(shape), None, None, training=True)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            batch_norm_backward(np.ones(shape), np.ones(shape))
        batch_norm(np.ones(shape), np.zeros(shape[1]), np.ones(shape[1]))  # evaluation takes one example


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"training": True, "eps": 0.0}, "batch_norm eps must be positive during training, but got 0.0"),
    ({"training": False, "eps": -1e-5}, "batch_norm eps must be non-negative, but got -1e-05"),
])
def test_eps_is_checked_as_torch_checks_it(kwargs: dict, message: str) -> None:
    x, _, _, running_mean, running_var = case((4, 3))
    assert refused_by_torch(lambda: F.batch_norm(t(x), t(running_mean), t(running_var), **kwargs)) == message
    with pytest.raises(ValueError, match=message):
        batch_norm(x, running_mean, running_var, **kwargs)


def test_running_statistics_both_or_neither_and_required_in_evaluation() -> None:
    x, _, _, running_mean, running_var = case((4, 3))
    assert "must be defined in evaluation mode" in refused_by_torch(lambda: F.batch_norm(t(x), None, None))
    with pytest.raises(ValueError, match="running_mean must be defined in evaluation mode"):
        batch_norm(x, None, None)
    with pytest.raises(ValueError, match="either both be None or neither be None"):
        batch_norm(x, None, running_var, training=True)
    with pytest.raises(ValueError, match="updated in place"):
        batch_norm(x, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], training=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["running_mean", "running_var", "weight", "bias"])
def test_a_vector_of_the_wrong_length_is_refused(name: str) -> None:
    x, weight, bias, running_mean, running_var = case((4, 3))
    arguments = {"running_mean": running_mean, "running_var": running_var, "weight": weight, "bias": bias}
    arguments[name] = np.ones(4)
    torch_arguments = {key: t(value) for key, value in arguments.items()}
    assert f"{name} should contain 3 elements not 4" in refused_by_torch(lambda: F.batch_norm(t(x), **torch_arguments))
    with pytest.raises(ValueError, match=f"{name} should contain 3 elements not 4"):
        batch_norm(x, **arguments)


def test_inputs_that_are_not_float_batches_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        batch_norm(np.ones(3), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="floating-point"):
        batch_norm(np.ones((4, 3), dtype=int), None, None, training=True)
    with pytest.raises(ValueError, match="momentum must be a number"):
        batch_norm(np.ones((4, 3)), np.zeros(3), np.ones(3), training=True, momentum=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="grad_output must have the shape of input"):
        batch_norm_backward(np.ones((4, 2)), np.ones((4, 3)))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 6), c=st.integers(1, 4), trailing=st.lists(st.integers(1, 3), max_size=2),
       momentum=st.floats(0, 1), eps=st.sampled_from([1e-5, 1e-3, 0.5]), seed=st.integers(0, 10**6))
def test_any_shape_and_setting_agrees_with_torch(n: int, c: int, trailing: list[int], momentum: float, eps: float,
                                                 seed: int) -> None:
    shape = (n, c, *trailing)
    x, weight, bias, running_mean, running_var = case(shape, seed=seed)
    torch_mean, torch_var = t(running_mean.copy()), t(running_var.copy())
    tx = t(x, True)
    out = F.batch_norm(tx, torch_mean, torch_var, t(weight), t(bias), training=True, momentum=momentum, eps=eps)
    g = np.random.default_rng(seed + 1).normal(size=shape)
    out.backward(torch.from_numpy(g))
    close(batch_norm(x, running_mean, running_var, weight, bias, True, momentum, eps), out.detach().numpy(),
          np.float64)
    close(running_mean, torch_mean.numpy(), np.float64)
    close(running_var, torch_var.numpy(), np.float64)
    close(batch_norm_backward(g, x, weight, eps)[0], tx.grad.numpy(), np.float64)


@pytest.mark.parametrize("shape", [(0, 3), (2, 3, 0), (0, 2, 4, 4)])
@pytest.mark.parametrize("training", [True, False])
def test_an_empty_input_is_copied_without_further_checks_as_in_torch(shape: tuple[int, ...], training: bool) -> None:
    # torch returns early on an empty input: no running statistics needed, none of the vectors' lengths checked
    x = np.zeros(shape)
    for arguments in [(None, None), (np.zeros(5), None), (None, None, np.ones(7), np.ones(1))]:
        torch_arguments = [t(a) for a in arguments]
        expected = F.batch_norm(t(x), *torch_arguments, training=training).numpy()
        out = batch_norm(x, *arguments, training=training)
        assert out.shape == expected.shape and out.dtype == expected.dtype and not np.shares_memory(out, x)
    with pytest.raises(ValueError, match="eps must be"):
        batch_norm(x, None, None, training=training, eps=-1.0)


def test_a_nan_eps_passes_torchs_checks_and_gives_nan() -> None:
    x, weight, bias, running_mean, running_var = case((4, 3), seed=13)
    for training in (True, False):
        expected = F.batch_norm(t(x), t(running_mean), t(running_var), t(weight), t(bias), training=training,
                                eps=math.nan).numpy()
        actual = batch_norm(x, running_mean.copy(), running_var.copy(), weight, bias, training, eps=math.nan)
        assert np.isnan(expected).all()
        np.testing.assert_array_equal(actual, expected)


def outcome(call):  # noqa: ANN001, ANN201 (a lambda; an array or the exception)
    """What ``call`` returns, or the exception it raises (torch's RuntimeError is our ValueError)."""
    try:
        return call()
    except (ValueError, RuntimeError) as error:
        return error


@pytest.mark.parametrize("seed", range(40))
def test_random_settings_agree_with_torch_or_both_refuse(seed: int) -> None:
    """Random shapes, either running statistic, weight or bias left out, momentum and eps anywhere."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 4, size=rng.integers(2, 6)))
    channels = shape[1]
    x = rng.normal(size=shape) * rng.uniform(0.1, 5) + rng.normal() * 3
    for _ in range(12):
        training = bool(rng.integers(2))
        stats = [rng.normal(size=channels), rng.uniform(0.2, 3, size=channels)]
        if rng.random() < 0.3:  # one or both running statistics missing
            stats[int(rng.integers(2))] = None
            if rng.random() < 0.5:
                stats = [None, None]
        weight = rng.normal(size=channels) if rng.random() < 0.7 else None
        bias = rng.normal(size=channels) if rng.random() < 0.7 else None
        momentum = float(rng.choice([0.1, 0.0, 1.0, -0.5, 1.7, rng.uniform()]))
        eps = float(rng.choice([1e-5, 0.0, -1e-3, 3.0]))
        torch_stats = [t(None if s is None else s.copy()) for s in stats]
        expected = outcome(lambda: F.batch_norm(t(x), *torch_stats, t(weight), t(bias), training, momentum,
                                                eps).numpy())
        actual = outcome(lambda: batch_norm(x, *stats, weight, bias, training, momentum, eps))
        if isinstance(expected, Exception):
            assert isinstance(actual, ValueError), (expected, actual)
            continue
        assert not isinstance(actual, Exception), (actual, expected)
        close(actual, expected, np.float64)
        for ours, theirs in zip(stats, torch_stats):
            if ours is not None:
                close(ours, theirs.numpy(), np.float64)
        if training:
            tx = t(x, True)
            tw = t(np.ones(channels) if weight is None else weight, True)
            F.batch_norm(tx, None, None, tw, t(bias), True, eps=eps).backward(torch.ones(shape, dtype=torch.float64)
                                                                               * t(np.cos(x)))
            grad_input, grad_weight, _ = batch_norm_backward(np.cos(x), x, weight, eps)
            close(grad_input, tx.grad.numpy(), np.float64)
            close(grad_weight, tw.grad.numpy(), np.float64)
