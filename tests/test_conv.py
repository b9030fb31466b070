"""Convolution, forward and backward: both backends against ``torch.nn.functional.conv2d`` and autograd.

Every reference is computed here by torch on float64 tensors. Random cases
(hypothesis) cover batched and unbatched inputs, empty batches, every kind of
stride, padding (ints, pairs, ``"same"``, ``"valid"``), dilation and groups:
where torch refuses the arguments, ``dlbook`` must raise ``ValueError``;
where it accepts them, the results must agree to 1e-10.
"""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import dlbook.numpy as dn
import dlbook.torch as dt
from dlbook.numpy.conv import conv2d_backward_unfolded, conv2d_unfolded

BACKENDS = [pytest.param(dn, id="numpy"), pytest.param(dt, id="torch")]
TOL = 1e-10


def as_numpy(value: Any) -> np.ndarray:
    return value.detach().numpy() if isinstance(value, torch.Tensor) else value


def reference(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, grad: np.ndarray | None = None,
              **kwargs: Any) -> tuple[np.ndarray, ...]:
    """torch's output, and with ``grad`` (a function of the output's shape) the gradients of x, w, b."""
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.zeros(w.shape[0], dtype=wt.dtype, requires_grad=True) if b is None else torch.tensor(
        b, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # padding="same" with an even kernel copies the input
        y = F.conv2d(xt, wt, bt, **kwargs)
    if grad is None:
        return (y.detach().numpy(),)
    g = grad(tuple(y.shape))
    return (y.detach().numpy(), *(t.numpy() for t in torch.autograd.grad(y, (xt, wt, bt), torch.tensor(g))), g)


def torch_refuses(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kwargs: Any) -> bool:
    try:
        reference(x, w, b, **kwargs)
    except RuntimeError:
        return True
    return False


def assert_close(actual: Any, expected: np.ndarray) -> None:
    actual = as_numpy(actual)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=TOL, atol=TOL)


# ---------------------------------------------------------------- random cases, against torch

sizes = st.integers(1, 3)


@st.composite
def conv_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Arguments of conv2d, some of which torch refuses (too large a kernel, 'same' with a stride)."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(sizes), groups * draw(sizes)
    kernel = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 3), st.integers(0, 3)),
                             st.sampled_from(["same", "valid"])))
    dilation = draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 3), st.integers(1, 2))))
    n, h, w = draw(st.integers(0, 3)), draw(st.integers(1, 9)), draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in, h, w))
    if n == 1 and draw(st.booleans()):
        x = x[0]  # one image without a batch axis, (C, H, W)
    weight = rng.standard_normal((c_out, c_in // groups, *kernel))
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return {"x": x, "w": weight, "b": bias, "seed": seed,
            "kwargs": {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}}


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=150, deadline=None)
@given(case=conv_cases())
def test_conv2d_forward_and_backward_agree_with_torch(backend: ModuleType, case: dict[str, Any]) -> None:
    x, w, b, kwargs = case["x"], case["w"], case["b"], case["kwargs"]
    rng = np.random.default_rng(case["seed"] + 1)
    if torch_refuses(x, w, b, **kwargs):
        with pytest.raises(ValueError):
            backend.conv2d(x, w, b, **kwargs)
        return
    y, gx, gw, gb, g = reference(x, w, b, grad=rng.standard_normal, **kwargs)
    assert_close(backend.conv2d(x, w, b, **kwargs), y)
    grad_input, grad_weight, grad_bias = backend.conv2d_backward(g, x, w, **kwargs)
    assert_close(grad_input, gx)
    assert_close(grad_weight, gw)
    assert_close(grad_bias, gb)


@settings(max_examples=60, deadline=None)
@given(case=conv_cases())
def test_the_columns_kept_from_the_forward_pass_give_the_same_gradients(case: dict[str, Any]) -> None:
    """What a network does (keep the forward pass's columns for the backward pass) changes no number."""
    x, w, b, kwargs = case["x"], case["w"], case["b"], case["kwargs"]
    if torch_refuses(x, w, b, **kwargs):
        return
    out, unfolded = conv2d_unfolded(x, w, b, **kwargs)
    np.testing.assert_array_equal(out, dn.conv2d(x, w, b, **kwargs))
    g = np.random.default_rng(case["seed"]).standard_normal(out.shape)
    expected = dn.conv2d_backward(g, x, w, **kwargs)
    for actual, wanted in zip(conv2d_backward_unfolded(g, unfolded, w), expected):
        np.testing.assert_array_equal(actual, wanted)
    no_input, grad_weight, grad_bias = conv2d_backward_unfolded(g, unfolded, w, input_grad=False)
    assert no_input is None
    np.testing.assert_array_equal(grad_weight, expected[1])
    np.testing.assert_array_equal(grad_bias, expected[2])


# ---------------------------------------------------------------- cases chosen by hand

CASES = {
    "the chapter's first layer": ((64, 1, 8, 8), (16, 1, 3, 3), {"padding": 1}),
    "the chapter's second layer": ((64, 16, 4, 4), (32, 16, 3, 3), {"padding": 1}),
    "one image, no batch axis": ((3, 7, 6), (4, 3, 3, 3), {}),
    "stride 2, padding 1": ((2, 3, 9, 8), (5, 3, 3, 3), {"stride": 2, "padding": 1}),
    "a pair of strides, no padding": ((2, 2, 9, 11), (3, 2, 2, 3), {"stride": (3, 2)}),
    "dilation 2": ((2, 2, 9, 9), (3, 2, 3, 3), {"dilation": 2, "padding": 2}),
    "'same' with an even kernel (the odd pixel after)": ((2, 2, 6, 7), (3, 2, 4, 2), {"padding": "same"}),
    "'same' with dilation": ((1, 2, 7, 7), (2, 2, 3, 2), {"padding": "same", "dilation": (2, 3)}),
    "'valid'": ((2, 2, 6, 7), (3, 2, 3, 3), {"padding": "valid"}),
    "two groups": ((2, 4, 6, 6), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    "depthwise: one group per channel": ((2, 3, 5, 5), (3, 1, 3, 3), {"groups": 3}),
    "a 1 x 1 kernel": ((3, 4, 5, 5), (2, 4, 1, 1), {}),
    "a kernel as large as the image": ((2, 2, 4, 5), (3, 2, 4, 5), {}),
    "an empty batch": ((0, 3, 5, 5), (2, 3, 3, 3), {"padding": 1}),
    "a one-element list of strides": ((1, 1, 7, 7), (1, 1, 3, 3), {"stride": [2]}),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", CASES)
def test_hand_picked_cases_agree_with_torch(backend: ModuleType, name: str) -> None:
    x_shape, w_shape, kwargs = CASES[name]
    rng = np.random.default_rng(len(name))
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    y, gx, gw, gb, g = reference(x, w, b, grad=rng.standard_normal, **kwargs)
    assert_close(backend.conv2d(x, w, b, **kwargs), y)
    for actual, expected in zip(backend.conv2d_backward(g, x, w, **kwargs), (gx, gw, gb)):
        assert_close(actual, expected)


def test_a_convolution_written_out_by_hand() -> None:
    """A 3 x 3 image and a 2 x 2 kernel: each output is the sum of the kernel times the pixels under it."""
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = [[0 + 2 * 1 + 3 * 3 + 4 * 4, 1 + 2 * 2 + 3 * 4 + 4 * 5],
                [3 + 2 * 4 + 3 * 6 + 4 * 7, 4 + 2 * 5 + 3 * 7 + 4 * 8]]
    np.testing.assert_array_equal(dn.conv2d(x, w, bias=[0.5])[0, 0], np.array(expected) + 0.5)


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("backend", BACKENDS)
def test_float32_stays_float32(backend: ModuleType) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    y = backend.conv2d(x, w, b, padding=1)
    grads = backend.conv2d_backward(np.ones(y.shape, np.float32), x, w, padding=1)
    assert all(str(t.dtype).endswith("float32") for t in (y, *grads))
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), padding=1).numpy()
    np.testing.assert_allclose(as_numpy(y), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(case=conv_cases())
def test_float32_in_any_geometry_stays_float32_and_agrees_with_torch(backend: ModuleType,
                                                                     case: dict[str, Any]) -> None:
    x, w, b = (None if a is None else a.astype(np.float32) for a in (case["x"], case["w"], case["b"]))
    kwargs = case["kwargs"]
    if torch_refuses(x, w, b, **kwargs):
        return
    y = backend.conv2d(x, w, b, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # padding="same" with an even kernel copies the input
        expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), None if b is None else torch.from_numpy(b),
                            **kwargs).numpy()
    grads = backend.conv2d_backward(np.ones(expected.shape, np.float32), x, w, **kwargs)
    assert all(str(t.dtype).endswith("float32") for t in (y, *grads))
    np.testing.assert_allclose(as_numpy(y), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_positional_arguments_follow_torchs_order(backend: ModuleType) -> None:
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((6, 2, 3, 2)), rng.standard_normal(6)
    args = ((2, 1), (1, 2), (2, 1), 2)  # stride, padding, dilation, groups
    y, gx, gw, gb, g = reference(x, w, b, rng.standard_normal, **dict(zip(("stride", "padding", "dilation",
                                                                              "groups"), args)))
    assert_close(backend.conv2d(x, w, b, *args), y)
    for actual, expected in zip(backend.conv2d_backward(g, x, w, *args), (gx, gw, gb)):
        assert_close(actual, expected)


@pytest.mark.parametrize("backend", BACKENDS)
def test_mixed_float_dtypes_are_refused_as_torch_refuses_them(backend: ModuleType) -> None:
    x = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(ValueError, match="input float32, weight float64"):
        backend.conv2d(x, np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="bias float32"):
        backend.conv2d(x.astype(np.float64), np.zeros((1, 1, 3, 3)), np.zeros(1, np.float32))


def test_integer_input_takes_the_weights_dtype() -> None:
    x = np.arange(16).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), np.float32)
    y = dn.conv2d(x, w)
    assert y.dtype == np.float32 and y[0, 0, 0, 0] == 0 + 1 + 4 + 5
    assert dn.conv2d(x, np.ones((1, 1, 2, 2), int)).dtype == np.float64


def test_nan_passes_through_as_in_torch() -> None:
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 0, 0] = np.nan
    y = dn.conv2d(x, np.ones((1, 1, 2, 2)))
    assert np.isnan(y[0, 0, 0, 0]) and not np.isnan(y[0, 0, 1:, 1:]).any()


# ---------------------------------------------------------------- errors

ERRORS = [
    ((5, 5), (1, 1, 3, 3), {}, "input of conv2d must be 3-D"),
    ((1, 1, 1, 5, 5), (1, 1, 3, 3), {}, "input of conv2d must be 3-D"),
    ((1, 1, 5, 5), (1, 3, 3), {}, "weight of conv2d must be 4-D"),
    ((1, 3, 5, 5), (2, 2, 3, 3), {}, "input has 3 channels"),
    ((1, 4, 5, 5), (3, 2, 3, 3), {"groups": 2}, "divisible by groups=2"),
    ((1, 4, 5, 5), (2, 2, 3, 3), {"groups": 0}, "groups must be a positive integer"),
    ((1, 1, 5, 5), (1, 1, 6, 6), {}, "larger than the padded input"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"dilation": 3}, "larger than the padded input"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": 0}, "stride must be positive"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": (1, -1)}, "stride must be positive"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": (1, 2, 3)}, "stride must be an int or a pair"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": 1.5}, "stride must be an int or a pair"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": True}, "stride must be an int or a pair"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": -1}, "padding must be non-negative"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": []}, "padding must be an int or a pair"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "SAME"}, "padding must be an int, a pair of ints, 'valid' or 'same'"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "same", "stride": (1, 2)}, "padding='same' needs stride 1"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"dilation": 0}, "dilation must be positive"),
    ((2, 1, 0, 5), (1, 1, 1, 1), {"padding": 2}, "at least one channel, row and column"),
    ((1, 1, 5, 5), (0, 1, 3, 3), {}, "weight of conv2d must not be empty"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs", "match"), ERRORS)
def test_arguments_torch_refuses_raise_value_error(backend: ModuleType, x_shape: tuple[int, ...],
                                                   w_shape: tuple[int, ...], kwargs: dict[str, Any],
                                                   match: str) -> None:
    x, w = np.zeros(x_shape), np.zeros(w_shape)
    with pytest.raises(ValueError, match=match):
        backend.conv2d(x, w, **kwargs)
    with pytest.raises(ValueError, match=match):
        backend.conv2d_backward(np.zeros((1, 1, 3, 3)), x, w, **kwargs)
    if "stride" in kwargs and kwargs["stride"] in (True, 1.5):
        return  # torch raises TypeError for these, before any shape check
    with pytest.raises((RuntimeError, ValueError)):  # torch refuses them too (or crashes on 0-D pieces)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            F.conv2d(torch.zeros(x_shape), torch.zeros(w_shape), **kwargs)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_input_without_channels_is_refused(backend: ModuleType) -> None:
    """Where torch returns an output with the wrong number of channels (0, not weight's 2), dlbook refuses."""
    assert F.conv2d(torch.zeros(1, 0, 5, 5), torch.zeros(2, 0, 3, 3)).shape[1] == 0
    with pytest.raises(ValueError, match="at least one channel"):
        backend.conv2d(np.zeros((1, 0, 5, 5)), np.zeros((2, 0, 3, 3)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bias_of_the_wrong_shape_is_named(backend: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\).*got shape \(3,\)"):
        backend.conv2d(np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 3, 3)), np.zeros(3))


@pytest.mark.parametrize("backend", BACKENDS)
def test_grad_output_must_have_the_outputs_shape(backend: ModuleType) -> None:
    x, w = np.zeros((2, 1, 5, 5)), np.zeros((3, 1, 3, 3))
    with pytest.raises(ValueError, match=r"grad_output must have the shape of the output, \(2, 3, 3, 3\)"):
        backend.conv2d_backward(np.zeros((2, 3, 5, 5)), x, w)
    with pytest.raises(ValueError, match=r"\(3, 3, 3\)"):
        backend.conv2d_backward(np.zeros((1, 3, 3, 3)), x[0], w)  # unbatched input: unbatched gradient
