"""Max and average pooling, forward and backward: both backends against ``torch.nn.functional`` and autograd.

Every reference is computed here by torch on float64 tensors. The random
inputs are chosen to hit the cases where a careless implementation differs
from torch: ties (small integers), ``-inf`` (a window of ``-inf`` next to
``-inf`` padding), NaN (torch's maximum is NaN, its index the last NaN), and
windows that run past the input with ``ceil_mode``.
"""

from __future__ import annotations

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
from dlbook._conv_checks import pool_geometry

BACKENDS = [pytest.param(dn, id="numpy"), pytest.param(dt, id="torch")]
TOL = 1e-10


def as_numpy(value: Any) -> np.ndarray:
    return value.detach().numpy() if isinstance(value, torch.Tensor) else value


def assert_same(actual: Any, expected: np.ndarray) -> None:
    actual = as_numpy(actual)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=TOL, atol=TOL, equal_nan=True)


def torch_pool(name: str, x: np.ndarray, grad: np.ndarray | None = None, **kwargs: Any) -> Any:
    """torch's pooling of ``x`` (with ``grad``: also the gradient for ``x``)."""
    xt = torch.tensor(x, requires_grad=True)
    out = getattr(F, name)(xt, **kwargs)
    y = out[0] if isinstance(out, tuple) else out
    if grad is None:
        return out
    (gx,) = torch.autograd.grad(y, xt, torch.tensor(grad))
    return gx.numpy()


def has_window_off_the_input(x: np.ndarray, kwargs: dict[str, Any]) -> bool:
    """A window that covers only padding, possible with dilation: torch's index then points outside the plane."""
    geometry = pool_geometry(x.shape, kwargs["kernel_size"], kwargs.get("stride"), kwargs.get("padding", 0),
                             kwargs.get("dilation", 1), kwargs.get("ceil_mode", False), "max_pool2d")
    rows = np.arange(geometry.out_height)[:, None] * geometry.stride[0] - geometry.padding[0] \
        + np.arange(geometry.kernel[0]) * geometry.dilation[0]
    cols = np.arange(geometry.out_width)[:, None] * geometry.stride[1] - geometry.padding[2] \
        + np.arange(geometry.kernel[1]) * geometry.dilation[1]
    return not (((rows >= 0) & (rows < geometry.height)).any(axis=1).all()
                and ((cols >= 0) & (cols < geometry.width)).any(axis=1).all())


@st.composite
def pool_cases(draw: st.DrawFn, dilation: bool) -> dict[str, Any]:
    kernel = draw(st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4))))
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    stride = draw(st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.tuples(st.integers(0, kh // 2 + 1), st.integers(0, kw // 2 + 1)))
    n, c, h, w = draw(st.integers(0, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 9)), draw(st.integers(1, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = draw(st.sampled_from(["normal", "ties", "infinities"]))
    if values == "normal":
        x = rng.standard_normal((n, c, h, w))
    elif values == "ties":
        x = rng.integers(-2, 3, (n, c, h, w)).astype(np.float64)
    else:
        x = rng.choice([-np.inf, 0.0, 1.0, np.inf, np.nan], (n, c, h, w), p=[0.4, 0.2, 0.2, 0.1, 0.1])
    if n == 1 and draw(st.booleans()):
        x = x[0]
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding, "ceil_mode": draw(st.booleans())}
    if dilation:
        kwargs["dilation"] = draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 3), st.integers(1, 2))))
    return {"x": x, "kwargs": kwargs, "grad": rng.standard_normal}


def refused(name: str, x: np.ndarray, **kwargs: Any) -> bool:
    try:
        torch_pool(name, x, **kwargs)
    except RuntimeError:
        return True
    return False


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=200, deadline=None)
@given(case=pool_cases(dilation=True))
def test_max_pool2d_agrees_with_torch(backend: ModuleType, case: dict[str, Any]) -> None:
    x, kwargs = case["x"], case["kwargs"]
    if refused("max_pool2d", x, **kwargs):
        with pytest.raises(ValueError):
            backend.max_pool2d(x, **kwargs)
        return
    y, indices = torch_pool("max_pool2d", x, return_indices=True, **kwargs)
    assert_same(backend.max_pool2d(x, **kwargs), y.detach().numpy())
    if backend is dt:
        return  # torch's own indices and gradient
    ours, our_indices = backend.max_pool2d(x, return_indices=True, **kwargs)
    assert our_indices.dtype == np.int64
    np.testing.assert_array_equal(our_indices, indices.numpy())  # torch's, even for a window off the input
    if has_window_off_the_input(x, kwargs):
        return  # torch's backward would write that window's gradient at its index, off the plane: memory corruption
    grad = case["grad"](y.shape)
    assert_same(backend.max_pool2d_backward(grad, x, **kwargs), torch_pool("max_pool2d", x, grad=grad, **kwargs))


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=200, deadline=None)
@given(case=pool_cases(dilation=False), count_include_pad=st.booleans(),
       divisor_override=st.one_of(st.none(), st.integers(-3, 5).filter(bool)))  # torch accepts negatives
def test_avg_pool2d_agrees_with_torch(backend: ModuleType, case: dict[str, Any], count_include_pad: bool,
                                      divisor_override: int | None) -> None:
    x = case["x"]
    kwargs = {**case["kwargs"], "count_include_pad": count_include_pad, "divisor_override": divisor_override}
    if refused("avg_pool2d", x, **kwargs):
        with pytest.raises(ValueError):
            backend.avg_pool2d(x, **kwargs)
        return
    y = torch_pool("avg_pool2d", x, **kwargs).detach().numpy()
    assert_same(backend.avg_pool2d(x, **kwargs), y)
    grad = case["grad"](y.shape)
    assert_same(backend.avg_pool2d_backward(grad, x, **kwargs), torch_pool("avg_pool2d", x, grad=grad, **kwargs))


@pytest.mark.parametrize("backend", BACKENDS)
def test_max_pool2d_backward_agrees_with_torch_on_the_torch_backend_too(backend: ModuleType) -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(-2, 3, (2, 3, 7, 6)).astype(np.float64)  # many ties
    for kwargs in [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1},
                   {"kernel_size": (2, 3), "stride": (2, 1), "dilation": (2, 1), "ceil_mode": True}]:
        y = torch_pool("max_pool2d", x, **kwargs)
        grad = rng.standard_normal(tuple(y.shape))
        assert_same(backend.max_pool2d_backward(grad, x, **kwargs), torch_pool("max_pool2d", x, grad=grad, **kwargs))


# ---------------------------------------------------------------- what pooling does, by hand


def test_two_by_two_pooling_halves_the_image_by_hand() -> None:
    x = np.array([[1.0, 2.0, 5.0, 0.0],
                  [3.0, 4.0, 1.0, 1.0],
                  [0.0, 0.0, 2.0, 2.0],
                  [0.0, -1.0, 2.0, 2.0]])[None, None]
    np.testing.assert_array_equal(dn.max_pool2d(x, 2)[0, 0], [[4.0, 5.0], [0.0, 2.0]])
    np.testing.assert_array_equal(dn.avg_pool2d(x, 2)[0, 0], [[2.5, 1.75], [-0.25, 2.0]])
    grad = dn.max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2)[0, 0]
    # each window's gradient goes to its maximum; among the tied zeros and twos, to the first of them
    np.testing.assert_array_equal(grad, [[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(dn.avg_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2), np.full(x.shape, 0.25))


def test_an_infinite_gradient_reaches_only_the_maximum_as_in_torch() -> None:
    """Windows side by side (the quick path) or overlapping: the other pixels get 0, not 0 * inf = NaN."""
    x = np.array([[1.0, 4.0, 0.0], [3.0, 2.0, -1.0], [5.0, 5.0, 6.0]])[None, None]
    for kwargs in ({"kernel_size": 1}, {"kernel_size": (3, 1)}, {"kernel_size": 2, "stride": 1}):
        y = dn.max_pool2d(x, **kwargs)
        grad = np.full(y.shape, np.inf)
        result = dn.max_pool2d_backward(grad, x, **kwargs)
        assert not np.isnan(result).any(), kwargs
        np.testing.assert_array_equal(result, torch_pool("max_pool2d", x, grad=grad, **kwargs), err_msg=str(kwargs))


def test_overlapping_windows_add_their_gradients() -> None:
    x = np.array([[0.0, 9.0, 0.0]])[None]  # (C, H, W) = (1, 1, 3): one image without a batch axis
    grad = dn.max_pool2d_backward(np.array([[[1.0, 10.0]]]), x, (1, 2), stride=1)
    np.testing.assert_array_equal(grad, [[[0.0, 11.0, 0.0]]])  # the 9 is the maximum of both windows


def test_ties_and_nan_in_max_pooling_by_hand() -> None:
    """Among equal maxima the first (row by row) wins; a NaN beats every number, and the last NaN wins."""
    x = np.array([[[[1.0, 1.0, 7.0, np.nan],
                    [1.0, 1.0, np.nan, 7.0]]]])
    y, indices = dn.max_pool2d(x, 2, return_indices=True)
    assert y[0, 0, 0, 0] == 1.0 and np.isnan(y[0, 0, 0, 1])
    np.testing.assert_array_equal(indices[0, 0], [[0, 6]])  # the first 1 (0, 0); the last NaN, (1, 2)
    grad = dn.max_pool2d_backward(np.array([[[[2.0, 3.0]]]]), x, 2)
    np.testing.assert_array_equal(grad[0, 0], [[2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0]])
    xt = torch.tensor(x, requires_grad=True)
    torch_y, torch_indices = F.max_pool2d(xt, 2, return_indices=True)
    np.testing.assert_array_equal(indices, torch_indices.numpy())
    (torch_grad,) = torch.autograd.grad(torch_y, xt, torch.tensor([[[[2.0, 3.0]]]], dtype=torch.float64))
    np.testing.assert_array_equal(grad, torch_grad.numpy())


@pytest.mark.parametrize("kernel_size", [1, 2, 3])
def test_results_are_fresh_writable_arrays(kernel_size: int) -> None:
    """As torch's tensors: a result can be written to, and writing to it changes no argument."""
    rng = np.random.default_rng(kernel_size)
    x = rng.standard_normal((2, 3, 6, 6))
    for name in ("max_pool2d", "avg_pool2d"):
        y = getattr(dn, name)(x, kernel_size)
        grad = rng.standard_normal(y.shape)
        for result in (y, getattr(dn, f"{name}_backward")(grad, x, kernel_size)):
            assert result.flags.writeable, name
            assert not np.shares_memory(result, x) and not np.shares_memory(result, grad), name


def test_a_window_off_the_input_gets_torchs_index_and_sends_its_gradient_nowhere() -> None:
    """Dilation 2 and padding 1 on a one-row image: every window's taps fall on rows -1 and 1, off the plane."""
    x = np.arange(5.0).reshape(1, 1, 1, 5)
    kwargs = {"kernel_size": (2, 1), "stride": 1, "padding": (1, 0), "dilation": (2, 1)}
    y, indices = dn.max_pool2d(x, return_indices=True, **kwargs)
    torch_y, torch_indices = F.max_pool2d(torch.tensor(x), return_indices=True, **kwargs)  # no backward: it corrupts
    assert np.isneginf(y).all() and np.isneginf(torch_y.numpy()).all()
    np.testing.assert_array_equal(indices, torch_indices.numpy())  # row 1 (the first tap not above the image): 5..9
    np.testing.assert_array_equal(dn.max_pool2d_backward(np.ones(y.shape), x, **kwargs), np.zeros(x.shape))
    np.testing.assert_array_equal(dt.max_pool2d_backward(np.ones(y.shape), x, **kwargs).numpy(), np.zeros(x.shape))


@settings(max_examples=100, deadline=None)
@given(case=pool_cases(dilation=True))
def test_the_torch_backend_sends_no_gradient_from_windows_off_the_input(case: dict[str, Any]) -> None:
    """Where torch's own backward pass would write off the plane, dlbook.torch agrees with dlbook.numpy instead."""
    x, kwargs = case["x"], case["kwargs"]
    if refused("max_pool2d", x, **kwargs) or not has_window_off_the_input(x, kwargs):
        return
    grad = case["grad"](tuple(torch_pool("max_pool2d", x, **kwargs).shape))
    assert_same(dt.max_pool2d_backward(grad, x, **kwargs), dn.max_pool2d_backward(grad, x, **kwargs))


# ---------------------------------------------------------------- the arguments in torch's order


@pytest.mark.parametrize("backend", BACKENDS)
def test_positional_arguments_follow_torchs_order(backend: ModuleType) -> None:
    """Every option given positionally means what it means to torch (max_pool2d: ceil_mode before return_indices)."""
    x = np.random.default_rng(2).standard_normal((2, 3, 9, 8))
    xt = torch.tensor(x)
    values, indices = backend.max_pool2d(x, (3, 2), (2, 1), (1, 1), (2, 1), True, True)
    torch_values, torch_indices = F.max_pool2d(xt, (3, 2), (2, 1), (1, 1), (2, 1), True, True)
    assert_same(values, torch_values.numpy())
    np.testing.assert_array_equal(as_numpy(indices), torch_indices.numpy())
    assert_same(backend.avg_pool2d(x, (3, 2), (2, 1), (1, 1), True, False, -2),
                F.avg_pool2d(xt, (3, 2), (2, 1), (1, 1), True, False, -2).numpy())
    grad = np.random.default_rng(3).standard_normal(tuple(torch_values.shape))
    xg = torch.tensor(x, requires_grad=True)
    (expected,) = torch.autograd.grad(F.max_pool2d(xg, (3, 2), (2, 1), (1, 1), (2, 1), True), xg, torch.tensor(grad))
    assert_same(backend.max_pool2d_backward(grad, x, (3, 2), (2, 1), (1, 1), (2, 1), True), expected.numpy())
    avg = F.avg_pool2d(xg, (3, 2), (2, 1), (1, 1), True, False, -2)
    grad = np.random.default_rng(4).standard_normal(tuple(avg.shape))
    (expected,) = torch.autograd.grad(avg, xg, torch.tensor(grad))
    assert_same(backend.avg_pool2d_backward(grad, x, (3, 2), (2, 1), (1, 1), True, False, -2), expected.numpy())


# ---------------------------------------------------------------- dtypes and errors


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(case=pool_cases(dilation=True))
def test_float32_in_any_geometry_stays_float32_and_agrees_with_torch(backend: ModuleType,
                                                                     case: dict[str, Any]) -> None:
    x, kwargs = case["x"].astype(np.float32), case["kwargs"]
    if refused("max_pool2d", x, **kwargs):
        return
    for name, options in (("max_pool2d", kwargs), ("avg_pool2d", {**kwargs, "dilation": 1})):
        if name == "avg_pool2d":
            options.pop("dilation")
        y = getattr(backend, name)(x, **options)
        expected = getattr(F, name)(torch.from_numpy(x), **options).numpy()
        assert str(y.dtype).endswith("float32")
        np.testing.assert_allclose(as_numpy(y), expected, rtol=1e-6, atol=1e-6, equal_nan=True)
        if name == "max_pool2d" and has_window_off_the_input(x, kwargs):
            continue  # torch's gradient would go outside the plane
        grad = getattr(backend, f"{name}_backward")(np.ones(expected.shape, np.float32), x, **options)
        assert str(grad.dtype).endswith("float32") and tuple(grad.shape) == x.shape


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_float32_stays_float32(backend: ModuleType, name: str) -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    y = getattr(backend, f"{name}")(x, 2)
    grad = getattr(backend, f"{name}_backward")(np.ones(tuple(y.shape), np.float32), x, 2)
    assert str(y.dtype).endswith("float32") and str(grad.dtype).endswith("float32")
    np.testing.assert_allclose(as_numpy(y), getattr(F, name)(torch.from_numpy(x), 2).numpy(), rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_mixed_dtypes_of_gradient_and_input_are_refused(backend: ModuleType) -> None:
    with pytest.raises(ValueError, match="input float32, grad_output float64"):
        backend.max_pool2d_backward(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 4, 4), np.float32), 2)


POOL_ERRORS = [
    ((4, 4), {"kernel_size": 2}, "must be 3-D"),
    ((1, 0, 4, 4), {"kernel_size": 2}, "at least one channel"),
    ((1, 1, 0, 4), {"kernel_size": 2}, "at least one channel, row and column"),
    ((1, 1, 4, 4), {"kernel_size": 0}, "kernel_size must be positive"),
    ((1, 1, 4, 4), {"kernel_size": (2, 2, 2)}, "kernel_size must be an int or a pair"),
    ((1, 1, 4, 4), {"kernel_size": 2, "stride": 0}, "stride must be positive"),
    ((1, 1, 4, 4), {"kernel_size": 2, "padding": -1}, "padding must be non-negative"),
    ((1, 1, 4, 4), {"kernel_size": 3, "padding": 2}, "padding must be at most half the kernel size"),
    ((1, 1, 4, 4), {"kernel_size": (3, 4), "padding": (1, 3)}, "padding must be at most half the kernel size"),
    ((1, 1, 4, 4), {"kernel_size": 5}, "has no output"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize(("shape", "kwargs", "match"), POOL_ERRORS)
def test_pooling_arguments_torch_refuses_raise_value_error(backend: ModuleType, name: str, shape: tuple[int, ...],
                                                           kwargs: dict[str, Any], match: str) -> None:
    x = np.zeros(shape)
    with pytest.raises(ValueError, match=match):
        getattr(backend, name)(x, **kwargs)
    with pytest.raises(ValueError, match=match):
        getattr(backend, f"{name}_backward")(np.zeros((1, 1, 2, 2)), x, **kwargs)
    with pytest.raises((RuntimeError, IndexError)):
        getattr(F, name)(torch.zeros(shape), **kwargs)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pooling_options_are_checked(backend: ModuleType) -> None:
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match="dilation must be positive"):
        backend.max_pool2d(x, 2, dilation=0)
    with pytest.raises(ValueError, match="divisor_override must be a non-zero integer"):
        backend.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match="count_include_pad must be True or False"):
        backend.avg_pool2d(x, 2, count_include_pad=None)
    with pytest.raises(ValueError, match="ceil_mode must be True or False"):
        backend.max_pool2d(x, 2, ceil_mode="yes")
    with pytest.raises(ValueError, match=r"grad_output must have the shape of the output, \(1, 1, 2, 2\)"):
        backend.avg_pool2d_backward(np.zeros((1, 1, 4, 4)), x, 2)
