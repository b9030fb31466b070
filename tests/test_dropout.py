"""Dropout in NumPy against ``torch.nn.functional.dropout``: semantics, statistics, the backward pass, errors.

Torch's masks come from its own generator, so values are compared where the
semantics fix them (evaluation, p = 0, p = 1, the survivors' scale, NaN), the
masks are compared in distribution (the share dropped), and the backward pass
is compared with ``torch.autograd`` on torch's own mask, read off its output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlbook.numpy import apply_dropout_mask, dropout, dropout_backward, dropout_mask

SHAPES = [(7,), (4, 5), (2, 3, 4), (2, 1, 3, 2), (0, 3), ()]
DTYPES = [np.float32, np.float64]


def torch_dropout(x: np.ndarray, p: float, training: bool = True) -> np.ndarray:
    return F.dropout(torch.from_numpy(np.array(x)), p=p, training=training).numpy()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9, 1.0])
def test_evaluation_returns_a_copy_of_the_input(shape: tuple[int, ...], dtype: type, p: float) -> None:
    x = np.random.default_rng(0).normal(size=shape).astype(dtype)
    before = x.copy()
    out = dropout(x, p=p, training=False)
    np.testing.assert_array_equal(out, torch_dropout(x, p, training=False))
    assert out.dtype == dtype and out.shape == shape
    assert out is not x and not np.shares_memory(out, x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_p_zero_keeps_and_p_one_zeroes_as_torch(shape: tuple[int, ...], dtype: type) -> None:
    x = np.random.default_rng(1).normal(size=shape).astype(dtype)
    for p in (0.0, 1.0):
        out = dropout(x, p=p, rng=np.random.default_rng(0))
        expected = torch_dropout(x, p)
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_array_equal(np.signbit(out), np.signbit(expected))  # 0 * -2 is -0.0 in both
        assert out.dtype == expected.dtype and not np.shares_memory(out, x)


def test_nan_and_infinity_pass_as_in_torch() -> None:
    x = np.array([1.0, np.nan, np.inf, -np.inf, -2.0, 0.0])
    for p in (0.0, 1.0):
        np.testing.assert_array_equal(dropout(x, p), torch_dropout(x, p))  # p = 1: 0 * inf is NaN
    out = dropout(np.full(2000, np.nan), 0.5, rng=np.random.default_rng(0))
    assert np.isnan(out).all()  # NaN * 0 and NaN * 2: NaN everywhere, as torch gives


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8])
def test_survivors_are_scaled_by_one_over_one_minus_p(dtype: type, p: float) -> None:
    x = np.random.default_rng(2).uniform(0.5, 2.0, size=(64, 50)).astype(dtype)
    ours = dropout(x, p, rng=np.random.default_rng(3))
    theirs = torch_dropout(x, p)
    for out in (ours, theirs):
        kept = out != 0
        np.testing.assert_allclose(out[kept], x[kept] / dtype(1 - p), rtol=1e-6 if dtype == np.float32 else 1e-12)
        assert out.dtype == dtype
    # the factor is computed first and the input multiplied by it, as in torch: the same bits where both keep
    both = (ours != 0) & (theirs != 0)
    np.testing.assert_array_equal(ours[both], theirs[both])


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_the_share_dropped_is_p_as_in_torch(p: float) -> None:
    """Over 200,000 entries the dropped share lies within 5 standard errors of p, for both."""
    n = 200_000
    x = np.ones(n)
    ours = np.mean(dropout(x, p, rng=np.random.default_rng(4)) == 0)
    torch.manual_seed(0)
    theirs = np.mean(torch_dropout(x, p) == 0)
    tolerance = 5 * math.sqrt(p * (1 - p) / n)
    assert abs(ours - p) < tolerance and abs(theirs - p) < tolerance
    mean = dropout(x, p, rng=np.random.default_rng(5)).mean()  # inverted dropout keeps the expectation
    assert abs(mean - 1) < 5 * math.sqrt(p / (1 - p) / n)


def test_the_same_generator_state_gives_the_same_mask() -> None:
    x = np.random.default_rng(6).normal(size=(10, 8))
    first = dropout(x, 0.4, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(first, dropout(x, 0.4, rng=np.random.default_rng(7)))
    mask = dropout_mask(x.shape, 0.4, np.random.default_rng(7))
    np.testing.assert_array_equal(first, apply_dropout_mask(x, mask, 0.4))
    np.testing.assert_array_equal(first != 0, mask)
    assert not np.array_equal(first, dropout(x, 0.4, rng=np.random.default_rng(8)))
    assert dropout(x, 0.4).shape == x.shape  # without a generator: a fresh one


def test_mask_is_boolean_and_draws_nothing_at_the_ends() -> None:
    rng = np.random.default_rng(9)
    state = rng.bit_generator.state
    assert dropout_mask((3, 4), 0.0, rng).all() and not dropout_mask((3, 4), 1.0, rng).any()
    assert rng.bit_generator.state == state
    mask = dropout_mask((5, 6), 0.5, rng)
    assert mask.dtype == np.bool_ and mask.shape == (5, 6)


@pytest.mark.parametrize("p", [0.0, 0.25, 0.5, 0.75, 1.0])
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 4)])
def test_backward_is_torch_autograd_on_torchs_own_mask(p: float, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(10)
    x = torch.tensor(rng.uniform(0.5, 2.0, size=shape), requires_grad=True)  # no zeros: the mask shows
    grad_output = rng.normal(size=shape)
    out = F.dropout(x, p=p, training=True)
    out.backward(torch.from_numpy(grad_output))
    mask = out.detach().numpy() != 0
    ours = dropout_backward(grad_output, mask, p)
    np.testing.assert_allclose(ours, x.grad.numpy(), rtol=1e-12, atol=0)
    assert ours.dtype == np.float64 and ours.shape == shape


def test_backward_matches_a_finite_difference() -> None:
    """Dropout is linear in its input for a fixed mask: the gradient of sum(g * y) is g * m / (1 - p)."""
    rng = np.random.default_rng(11)
    x, g, p = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 0.3
    mask = dropout_mask(x.shape, p, np.random.default_rng(12))
    grad = dropout_backward(g, mask, p)
    h = 1e-6
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        numeric = (np.sum(g * apply_dropout_mask(x + step, mask, p))
                   - np.sum(g * apply_dropout_mask(x - step, mask, p))) / (2 * h)
        assert math.isclose(numeric, grad[index], rel_tol=1e-7, abs_tol=1e-9)


@pytest.mark.parametrize("p", [-0.1, 1.5, math.nan, math.inf, "0.5", None])
def test_p_outside_zero_to_one_is_refused(p: object) -> None:
    x = np.ones(3)
    with pytest.raises(ValueError, match="dropout probability p has to be between 0 and 1"):
        dropout(x, p)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 1"):
        dropout(x, p, training=False)  # type: ignore[arg-type]  (torch checks p in evaluation too)
    if isinstance(p, float) and not math.isnan(p):
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(torch.ones(3), p)


def test_bad_generator_and_bad_mask_are_refused() -> None:
    with pytest.raises(ValueError, match="rng must be a NumPy Generator"):
        dropout(np.ones(3), 0.5, rng=np.random.RandomState(0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mask must be a boolean array of shape"):
        dropout_backward(np.ones(3), np.ones(3), 0.5)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        dropout_backward(np.ones(3), np.ones(2, dtype=bool), 0.5)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
@pytest.mark.parametrize("shape", [(3, 2), (0, 2)])
def test_integers_keep_their_dtype_or_are_refused_as_in_torch(dtype: type, shape: tuple[int, ...]) -> None:
    x = (np.arange(math.prod(shape)).reshape(shape) % 3).astype(dtype)
    for p, training in [(0.5, False), (1.0, False), (0.0, True), (1.0, True), (0.5, True)]:
        try:
            expected = torch_dropout(x, p, training)
        except RuntimeError:  # torch cannot scale integers by 1 / (1 - p)
            with pytest.raises(ValueError, match="floating-point"):
                dropout(x, p, training, rng=np.random.default_rng(0))
            continue
        out = dropout(x, p, training, rng=np.random.default_rng(0))
        assert out.dtype == expected.dtype == dtype and not np.shares_memory(out, x)
        np.testing.assert_array_equal(out, expected)


@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
                    elements=st.floats(-1e6, 1e6)),
       p=st.floats(0.0, 0.99), seed=st.integers(0, 2**32 - 1))
def test_every_entry_is_dropped_or_scaled(x: np.ndarray, p: float, seed: int) -> None:
    out = dropout(x, p, rng=np.random.default_rng(seed))
    kept = dropout_mask(x.shape, p, np.random.default_rng(seed))
    np.testing.assert_array_equal(out[~kept], 0 * x[~kept])
    np.testing.assert_allclose(out[kept], x[kept] * (1 / (1 - p)), rtol=1e-15, atol=0)
