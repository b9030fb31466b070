"""Activation functions: NumPy against ``torch.nn.functional`` and ``torch.autograd``, the PyTorch
backend, the claims of the chapter (stacked linear maps, XOR, saturation) and the explorer.

The references are computed here, straight from PyTorch (values from ``torch.nn.functional``,
derivatives from ``torch.autograd``), never copied from a run of ``dlbook``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dlbook.numpy as dn
import dlbook.torch as dt
from dlbook.data import make_xor
from dlbook.widgets.activations import neuron_readout

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu"]
FLOAT_DTYPES = [np.dtype(np.float32), np.dtype(np.float64)]
RTOL = {np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-12}
SLOPES = [0.01, 0.2, 1.0, 3.0]

# Every interesting float: extremes, subnormals, ±0.0, ±inf and NaN; shapes from 0-D to 3-D, empty included.
float_arrays = st.sampled_from(FLOAT_DTYPES).flatmap(
    lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
)

NO_DEADLINE = settings(deadline=None)  # timings vary: the first call into torch.autograd is slow

EXTREMES = [-np.inf, -1e30, -1000.0, -740.0, -100.0, -88.8, -20.0, -1e-40, -0.0, 0.0, 1e-40, 20.0, 100.0,
            1000.0, 1e30, np.inf, np.nan]


def torch_value(name: str, x: np.ndarray, **kwargs: float) -> np.ndarray:
    """``torch.nn.functional.<name>(x)`` as a NumPy array."""
    return getattr(F, name)(torch.tensor(x), **kwargs).numpy()


def torch_grad(name: str, x: np.ndarray, **kwargs: float) -> np.ndarray:
    """The derivative of ``torch.nn.functional.<name>`` at every entry of ``x``, by ``torch.autograd``."""
    t = torch.tensor(x, requires_grad=True)
    y = getattr(F, name)(t, **kwargs)
    (grad,) = torch.autograd.grad(y, t, grad_outputs=torch.ones_like(y))
    return grad.numpy()


def assert_matches(actual: object, expected: np.ndarray, atol: float | None = None) -> None:
    """Same type, dtype, shape, values (NaN where NaN) and signs, including the sign of zero.

    Values may differ by ``RTOL`` relative rounding and by ``atol``, by default the smallest
    normal float (``finfo.tiny``): differences below it are rounding among subnormals.
    """
    assert isinstance(actual, np.ndarray), type(actual)
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    atol = np.finfo(expected.dtype).tiny if atol is None else atol
    np.testing.assert_allclose(actual, expected, rtol=RTOL[expected.dtype], atol=atol, equal_nan=True)
    numbers = ~np.isnan(expected)
    np.testing.assert_array_equal(np.signbit(actual[numbers]), np.signbit(expected[numbers]))


def derivative_atol(dtype: np.dtype) -> float:
    """Absolute tolerance for derivatives: a few units of rounding of numbers near 1.

    Both sides compute a saturated unit's derivative as 1 - y**2 or y * (1 - y), with y near 1;
    one rounding step of y, where NumPy's and PyTorch's ``exp`` differ in the last bit,
    moves the result by about ``eps``.
    """
    return 4 * float(np.finfo(dtype).eps)


def numpy_strict(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``f`` with every NumPy floating-point problem raised as an error."""
    with np.errstate(all="raise"):
        return f(*args, **kwargs)


# --- NumPy against torch.nn.functional and torch.autograd -----------------------------------------


@pytest.mark.parametrize("name", NAMES)
@NO_DEADLINE
@given(x=float_arrays)
def test_numpy_values_match_torch_functional(name: str, x: np.ndarray) -> None:
    assert_matches(numpy_strict(dn.get_activation(name), x), torch_value(name, x))


@pytest.mark.parametrize("name", NAMES)
@NO_DEADLINE
@given(x=float_arrays)
def test_numpy_derivatives_match_autograd(name: str, x: np.ndarray) -> None:
    assert_matches(numpy_strict(dn.get_derivative(name), x), torch_grad(name, x), derivative_atol(x.dtype))


@pytest.mark.parametrize("slope", SLOPES)
@NO_DEADLINE
@given(x=float_arrays)
def test_numpy_leaky_relu_slopes_match_torch(slope: float, x: np.ndarray) -> None:
    assert_matches(numpy_strict(dn.leaky_relu, x, negative_slope=slope),
                   torch_value("leaky_relu", x, negative_slope=slope))
    assert_matches(numpy_strict(dn.leaky_relu_derivative, x, negative_slope=slope),
                   torch_grad("leaky_relu", x, negative_slope=slope))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_numpy_extremes_match_torch(name: str, dtype: np.dtype) -> None:
    x = np.array(EXTREMES, dtype=dtype)
    assert_matches(numpy_strict(dn.get_activation(name), x), torch_value(name, x))
    assert_matches(numpy_strict(dn.get_derivative(name), x), torch_grad(name, x), derivative_atol(x.dtype))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sigmoid_is_exactly_0_and_1_far_out(dtype: np.dtype) -> None:
    x = np.array([-1000.0, 1000.0], dtype=dtype)
    s = numpy_strict(dn.sigmoid, x)
    assert s.dtype == dtype
    assert s[0] == 0.0 and s[1] == 1.0
    assert numpy_strict(dn.sigmoid, dtype.type(-1000.0)) == 0.0


@pytest.mark.parametrize("value, dtype", [(-88.8, np.float32), (-100.0, np.float32), (-740.0, np.float64)])
def test_sigmoid_is_zero_where_torch_exp_overflows(value: float, dtype: type) -> None:
    """There the exact value is subnormal, PyTorch's ``1 / (1 + exp(-x))`` gives 0: so do we."""
    x = np.array([value], dtype=dtype)
    assert torch_value("sigmoid", x)[0] == 0.0  # the premise: PyTorch returns exactly 0
    assert numpy_strict(dn.sigmoid, x)[0] == 0.0


def test_relu_keeps_negative_zero_and_nan_like_torch() -> None:
    x = np.array([-0.0, np.nan, -1.0])
    out = dn.relu(x)
    expected = torch_value("relu", x)
    assert np.signbit(out[0]) and np.signbit(expected[0])
    assert np.isnan(out[1]) and np.isnan(expected[1])
    assert out[2] == 0.0


@pytest.mark.parametrize("name", NAMES)
def test_zero_dimensional_input_gives_zero_dimensional_array(name: str) -> None:
    for f in (dn.get_activation(name), dn.get_derivative(name)):
        out = f(np.float32(0.5))
        assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_kinks_follow_autograd(name: str) -> None:
    """At 0, -0.0 and NaN the derivative is PyTorch's choice (0 for ReLU, the slope for leaky ReLU)."""
    x = np.array([0.0, -0.0, np.nan])
    assert_matches(dn.get_derivative(name)(x), torch_grad(name, x))


def test_derivatives_by_hand() -> None:
    """Values from the formulas: sigma'(0) = 1/4, tanh'(0) = 1, the two ReLU slopes."""
    assert dn.sigmoid_derivative(0.0) == 0.25
    assert dn.tanh_derivative(0.0) == 1.0
    np.testing.assert_array_equal(dn.relu_derivative([-2.0, 3.0]), [0.0, 1.0])
    np.testing.assert_array_equal(dn.leaky_relu_derivative([-2.0, 3.0], negative_slope=0.1), [0.1, 1.0])


@NO_DEADLINE
@given(x=hnp.arrays(np.float64, 20, elements=st.floats(-30, 30)))
def test_sigmoid_and_tanh_identities(x: np.ndarray) -> None:
    r"""sigma(-x) = 1 - sigma(x), tanh(x) = 2 sigma(2x) - 1, and the derivative bounds 1/4 and 1."""
    np.testing.assert_allclose(dn.sigmoid(-x), 1 - dn.sigmoid(x), atol=1e-15)
    np.testing.assert_allclose(dn.tanh(x), 2 * dn.sigmoid(2 * x) - 1, atol=1e-15)
    assert np.all(dn.sigmoid_derivative(x) <= 0.25)
    assert np.all(dn.tanh_derivative(x) <= 1.0)


@NO_DEADLINE
@given(x=hnp.arrays(np.float64, 20, elements=st.floats(allow_nan=False)))
def test_ranges(x: np.ndarray) -> None:
    s, t, r = dn.sigmoid(x), dn.tanh(x), dn.relu(x)
    assert np.all((s >= 0) & (s <= 1))
    assert np.all((t >= -1) & (t <= 1))
    assert np.all(r >= 0)


def test_numbers_and_integers_become_float64() -> None:
    for name in NAMES:
        assert dn.get_activation(name)([0, 1, -2]).dtype == np.float64
        assert dn.get_derivative(name)(3).dtype == np.float64


@pytest.mark.parametrize("backend", [dn, dt])
def test_unknown_names_are_rejected_with_the_choices(backend: ModuleType) -> None:
    with pytest.raises(ValueError, match="unknown activation 'softplus'.*'sigmoid'"):
        backend.get_activation("softplus")
    with pytest.raises(ValueError, match="unknown activation derivative 'step'.*'leaky_relu'"):
        backend.get_derivative("step")


# --- The PyTorch backend ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@NO_DEADLINE
@given(x=float_arrays)
def test_torch_backend_matches_functional_and_autograd(name: str, x: np.ndarray) -> None:
    t = torch.tensor(x)
    value, derivative = dt.get_activation(name)(t), dt.get_derivative(name)(t)
    assert isinstance(value, torch.Tensor) and isinstance(derivative, torch.Tensor)
    assert_matches(value.detach().numpy(), torch_value(name, x))
    assert_matches(derivative.numpy(), torch_grad(name, x), derivative_atol(x.dtype))


@pytest.mark.parametrize("name", NAMES)
@NO_DEADLINE
@given(x=float_arrays)
def test_backends_agree(name: str, x: np.ndarray) -> None:
    assert_matches(numpy_strict(dn.get_activation(name), x), dt.get_activation(name)(x).numpy())
    assert_matches(numpy_strict(dn.get_derivative(name), x), dt.get_derivative(name)(x).numpy(),
                   derivative_atol(x.dtype))


def test_torch_backend_turns_integers_into_float64_as_numpy_does() -> None:
    for name in NAMES:
        for integers in ([0, 1, -2], np.array([0, 1, -2], dtype=np.int32), torch.tensor([0, 1, -2])):
            out = dt.get_activation(name)(integers)
            assert out.dtype == torch.float64
            expected = getattr(F, name)(torch.tensor([0.0, 1.0, -2.0], dtype=torch.float64))
            assert torch.equal(out, expected)
            np.testing.assert_array_equal(out.numpy(), dn.get_activation(name)(np.asarray(integers)))


# --- One neuron f(w x + b): the explorer's numbers ----------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@NO_DEADLINE
@given(w=st.floats(-5, 5), b=st.floats(-5, 5))
def test_neuron_curve_chain_rule_matches_autograd(name: str, w: float, b: float) -> None:
    x = np.linspace(-5, 5, 41)
    y, dy_dx = numpy_strict(dn.neuron_curve, x, w, b, name)
    assert_matches(y, torch_value(name, w * x + b))
    ty, tdy_dx = dt.neuron_curve(torch.tensor(x), w, b, name)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(dy_dx, tdy_dx.numpy(), rtol=1e-12, atol=abs(w) * derivative_atol(x.dtype))


@NO_DEADLINE
@given(w=st.floats(0.1, 5) | st.floats(-5, -0.1), b=st.floats(-5, 5))
def test_neuron_curve_centre_is_at_minus_b_over_w(w: float, b: float) -> None:
    """The sigmoid's steepest point, slope w/4, moves to x = -b/w."""
    y, dy_dx = dn.neuron_curve(-b / w, w, b, "sigmoid")
    assert y == pytest.approx(0.5)
    assert dy_dx == pytest.approx(w / 4)


@pytest.mark.parametrize("backend", [dn, dt])
def test_neuron_curve_needs_an_activation_with_a_derivative(backend: ModuleType) -> None:
    with pytest.raises(ValueError, match="'step'"):
        backend.neuron_curve([0.0], 1.0, 0.0, "step")


# --- The chapter's claims ------------------------------------------------------------------------


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(2, 6))
def test_stacked_linear_layers_are_one_linear_map(seed: int, depth: int) -> None:
    rng = np.random.default_rng(seed)
    widths = rng.integers(1, 6, size=depth + 1)
    layers = [(rng.standard_normal((m, n)), rng.standard_normal(m)) for n, m in zip(widths[:-1], widths[1:])]
    x = rng.standard_normal((7, widths[0]))
    h = x
    W, c = np.eye(widths[0]), np.zeros(widths[0])
    for Wl, bl in layers:
        h = h @ Wl.T + bl
        W, c = Wl @ W, Wl @ c + bl  # the collapsed map: W x + c
    np.testing.assert_allclose(h, x @ W.T + c, rtol=1e-9, atol=1e-9)


XOR_CORNERS = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])


@NO_DEADLINE
@given(w=hnp.arrays(np.float64, 2, elements=st.floats(-1e3, 1e3)), b=st.floats(-1e3, 1e3))
def test_no_single_perceptron_separates_xor(w: np.ndarray, b: float) -> None:
    predictions = dn.perceptron(XOR_CORNERS, w, b, activation="step")
    assert np.sum(predictions == XOR_LABELS) <= 3


def two_layer_xor(X: np.ndarray, activation: str) -> np.ndarray:
    """A hand-set network: hidden units f(x1 - x2) and f(x2 - x1), output 1 when their sum exceeds 1."""
    hidden = dn.get_activation(activation)(X @ np.array([[1.0, -1.0], [-1.0, 1.0]]))
    return (hidden.sum(axis=1) > 1.0).astype(int)


def test_two_layer_relu_network_solves_xor_and_collapses_without_relu() -> None:
    X, y = make_xor(n=400, noise=0.1, seed=0)
    assert np.all(two_layer_xor(X, "relu") == y)
    assert np.all(two_layer_xor(XOR_CORNERS, "relu") == XOR_LABELS)
    linear = two_layer_xor(X, "identity")  # h1 + h2 = 0 for every input: one class for everything
    assert np.unique(linear).size == 1
    assert np.mean(linear == y) == pytest.approx(0.5)


def test_sigmoid_gradient_through_many_layers_is_at_most_a_quarter_per_layer() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((1000, 10)) * 3  # pre-activations of 10 layers along 1000 paths
    factors = np.prod(dn.sigmoid_derivative(z), axis=1)
    assert np.all(factors <= 0.25**10)
    assert np.prod(dn.sigmoid_derivative(np.zeros(10))) == 0.25**10


# --- The explorer --------------------------------------------------------------------------------


def test_readout_states_centre_slope_and_constant() -> None:
    x = np.linspace(-5, 5, 401)
    text = neuron_readout(x, 2.0, -1.0, "sigmoid")
    assert "sigmoid(2.0·x − 1.0)" in text
    assert "x = −b/w = 0.50" in text
    assert f"steepest slope |dy/dx| = {2.0 / 4:.3f}" in text
    constant = neuron_readout(x, 0.0, 1.5, "tanh")
    assert f"constant tanh(1.5) = {np.tanh(1.5):.3f}" in constant
