"""The NumPy two-layer network: forward pass against PyTorch, hand-written backward pass against
``torch.autograd`` and against central differences (every layer), the loss and its gradient, dtypes
and input checks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.gradcheck import TOLERANCE, gradcheck, gradcheck_params
from dlbook.numpy.activations import get_activation, get_derivative
from dlbook.numpy.mlp import (
    PARAM_NAMES,
    _DERIVATIVE_FROM_OUTPUT,
    init_mlp,
    mlp_backward,
    mlp_forward,
    softmax_cross_entropy,
)

ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu"]
TORCH_ACTIVATIONS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": F.relu, "leaky_relu": F.leaky_relu}
DTYPES = [np.float32, np.float64]
RTOL = {np.float32: 1e-4, np.float64: 1e-10}


def problem(dtype=np.float64, n=7, n_in=4, n_hidden=5, n_out=3, seed=0):
    """Parameters (with non-zero biases, so the bias gradients matter), inputs and labels."""
    rng = np.random.default_rng(seed)
    params = init_mlp(n_in, n_hidden, n_out, seed=seed, dtype=dtype)
    params["b1"] += rng.normal(size=n_hidden).astype(dtype)
    params["b2"] += rng.normal(size=n_out).astype(dtype)
    X = rng.normal(size=(n, n_in)).astype(dtype)
    y = rng.integers(0, n_out, size=n)
    return params, X, y


def torch_loss_and_grads(params, X, y, activation):
    """Forward pass, cross-entropy and gradients computed by PyTorch alone."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    logits = TORCH_ACTIVATIONS[activation](torch.tensor(X) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    loss = F.cross_entropy(logits, torch.tensor(y))
    grads = torch.autograd.grad(loss, [t[k] for k in PARAM_NAMES])
    return logits.detach().numpy(), loss.item(), {k: g.numpy() for k, g in zip(PARAM_NAMES, grads)}


# ----- initialisation ---------------------------------------------------------------------------


def test_init_shapes_dtypes_and_zero_biases() -> None:
    for dtype in DTYPES:
        p = init_mlp(3, 8, 2, dtype=dtype)
        assert {k: v.shape for k, v in p.items()} == {"W1": (3, 8), "b1": (8,), "W2": (8, 2), "b2": (2,)}
        assert all(v.dtype == dtype for v in p.values())
        assert not p["b1"].any() and not p["b2"].any()


def test_init_is_glorot_uniform() -> None:
    p = init_mlp(300, 500, 100, seed=1)
    for W, (fan_in, fan_out) in ((p["W1"], (300, 500)), (p["W2"], (500, 100))):
        a = np.sqrt(6 / (fan_in + fan_out))
        assert np.abs(W).max() <= a and np.abs(W).max() > 0.99 * a
        assert W.var() == pytest.approx(a * a / 3, rel=0.02)  # variance of U(-a, a)
        assert abs(W.mean()) < 0.01 * a


def test_init_follows_the_seed() -> None:
    a, b, c = init_mlp(2, 3, 2, seed=5), init_mlp(2, 3, 2, seed=5), init_mlp(2, 3, 2, seed=6)
    np.testing.assert_array_equal(a["W1"], b["W1"])
    assert not np.array_equal(a["W1"], c["W1"])


@pytest.mark.parametrize(("args", "match"), [((0, 3, 2), "n_in must be a positive integer"),
                                             ((2, 2.5, 2), "n_hidden must be a positive integer"),
                                             ((2, 3, -1), "n_out must be a positive integer")])
def test_init_rejects_bad_sizes(args, match) -> None:
    with pytest.raises(ValueError, match=match):
        init_mlp(*args)


def test_init_rejects_an_integer_dtype() -> None:
    with pytest.raises(ValueError, match="dtype must be a floating-point type"):
        init_mlp(2, 3, 2, dtype=np.int32)


# ----- forward and backward against PyTorch ---------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_forward_loss_and_backward_match_torch(activation: str, dtype) -> None:
    params, X, y = problem(dtype)
    logits, cache = mlp_forward(params, X, activation)
    loss, grad_logits = softmax_cross_entropy(logits, y)
    grads = mlp_backward(params, cache, grad_logits)
    t_logits, t_loss, t_grads = torch_loss_and_grads(params, X, y, activation)
    np.testing.assert_allclose(logits, t_logits, rtol=RTOL[dtype], atol=RTOL[dtype])
    assert loss == pytest.approx(t_loss, rel=RTOL[dtype])
    for k in PARAM_NAMES:
        assert grads[k].shape == params[k].shape and grads[k].dtype == dtype, k
        np.testing.assert_allclose(grads[k], t_grads[k], rtol=RTOL[dtype], atol=RTOL[dtype], err_msg=k)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_passes_gradcheck_for_every_layer(activation: str) -> None:
    params, X, y = problem(np.float64, seed=3)

    def loss(p: dict[str, np.ndarray]) -> float:
        return softmax_cross_entropy(mlp_forward(p, X, activation)[0], y)[0]

    logits, cache = mlp_forward(params, X, activation)
    grads = mlp_backward(params, cache, softmax_cross_entropy(logits, y)[1])
    errors = gradcheck_params(loss, params, grads)
    assert max(errors.values()) < TOLERANCE, errors


def test_backward_with_an_arbitrary_upstream_gradient() -> None:
    """For loss = sum(G * logits), the gradient with respect to the logits is G itself."""
    params, X, _ = problem(np.float64, seed=4)
    G = np.random.default_rng(9).normal(size=(X.shape[0], 3))
    logits, cache = mlp_forward(params, X)
    grads = mlp_backward(params, cache, G)
    errors = gradcheck_params(lambda p: float(np.sum(G * mlp_forward(p, X)[0])), params, grads)
    assert max(errors.values()) < TOLERANCE
    H = np.tanh(X @ params["W1"] + params["b1"])
    np.testing.assert_allclose(grads["W2"], H.T @ G)  # the formula of the chapter, written out here
    np.testing.assert_allclose(grads["b2"], G.sum(axis=0))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_derivative_from_the_output_equals_the_derivative_at_the_input(activation: str, dtype) -> None:
    z = np.concatenate([np.linspace(-6, 6, 101), [0.0, -0.0, -30.0, 30.0]]).astype(dtype)
    h = get_activation(activation)(z)
    d = _DERIVATIVE_FROM_OUTPUT[activation](h)
    assert d.dtype == dtype
    np.testing.assert_allclose(d, get_derivative(activation)(z), rtol=RTOL[dtype], atol=1e-6)


def test_the_input_is_cast_to_the_parameters_dtype() -> None:
    params, X, y = problem(np.float32)
    logits, cache = mlp_forward(params, X.astype(np.float64))
    assert logits.dtype == np.float32 and cache["X"].dtype == np.float32
    grads = mlp_backward(params, cache, softmax_cross_entropy(logits, y)[1].astype(np.float64))
    assert all(g.dtype == np.float32 for g in grads.values())
    logits, _ = mlp_forward(params, np.arange(8).reshape(2, 4))
    assert logits.dtype == np.float32


def test_forward_does_not_change_its_inputs() -> None:
    params, X, _ = problem()
    before = ({k: v.copy() for k, v in params.items()}, X.copy())
    logits, cache = mlp_forward(params, X)
    mlp_backward(params, cache, np.ones_like(logits))
    for k in params:
        np.testing.assert_array_equal(params[k], before[0][k])
    np.testing.assert_array_equal(X, before[1])


# ----- the loss --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1.0, 50.0, 1e4])
def test_softmax_cross_entropy_matches_torch_even_for_huge_logits(dtype, scale: float) -> None:
    rng = np.random.default_rng(2)
    logits = (scale * rng.normal(size=(6, 4))).astype(dtype)
    y = rng.integers(0, 4, size=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = softmax_cross_entropy(logits, y)
    t = torch.tensor(logits, requires_grad=True)
    t_loss = F.cross_entropy(t, torch.tensor(y))
    (t_grad,) = torch.autograd.grad(t_loss, t)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert loss == pytest.approx(t_loss.item(), rel=RTOL[dtype])
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, t_grad.numpy(), rtol=RTOL[dtype], atol=1e-7)


def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot_over_n() -> None:
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    y = np.array([2, 0])
    loss, grad = softmax_cross_entropy(logits, y)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(grad, (p - np.eye(3)[y]) / 2)
    assert loss == pytest.approx(-(np.log(p[0, 2]) + np.log(1 / 3)) / 2)
    assert gradcheck(lambda z: softmax_cross_entropy(z, y)[0], logits, grad) < TOLERANCE


# ----- input checks -------------------------------------------------------------------------------


def test_forward_rejects_bad_input() -> None:
    params, X, _ = problem()
    cases = [
        (lambda: mlp_forward(params, X[:, :3]), r"X has shape \(7, 3\) but W1 has shape \(4, 5\)"),
        (lambda: mlp_forward(params, X[0]), "X must be 2-D"),
        (lambda: mlp_forward(params, X[:0]), "X is empty"),
        (lambda: mlp_forward(params, np.where(X > 1, np.nan, X)), "X contains NaN"),
        (lambda: mlp_forward(params, X, "step"), "unknown activation 'step'"),
        (lambda: mlp_forward({"W1": params["W1"]}, X), "params must be a dict with keys"),
        (lambda: mlp_forward({**params, "b1": params["b1"].astype(np.float32)}, X), "share one dtype"),
        (lambda: mlp_forward({**params, "b1": np.zeros(4)}, X), "inconsistent parameter shapes"),
        (lambda: mlp_forward({**params, "W2": params["W2"][0]}, X), r"params\['W2'\] must be 2-D"),
        (lambda: mlp_forward({**params, "W2": params["W2"] * np.nan}, X), r"params\['W2'\] contains NaN"),
        (lambda: mlp_forward({**params, "b2": [0.0, 0.0, 0.0]}, X), "must be a floating-point NumPy array"),
    ]
    for call, match in cases:
        with pytest.raises(ValueError, match=match):
            call()


def test_backward_rejects_bad_input() -> None:
    params, X, _ = problem()
    logits, cache = mlp_forward(params, X)
    with pytest.raises(ValueError, match=r"grad_logits must have shape \(7, 3\)"):
        mlp_backward(params, cache, logits[:, :2])
    with pytest.raises(ValueError, match="grad_logits contains NaN"):
        mlp_backward(params, cache, logits * np.nan)
    with pytest.raises(ValueError, match="cache must be the dict returned by mlp_forward"):
        mlp_backward(params, {"X": X}, logits)
    other = init_mlp(4, 6, 3)
    with pytest.raises(ValueError, match="cache does not belong to these params"):
        mlp_backward(other, cache, logits)
    as_float32 = {k: v.astype(np.float32) for k, v in params.items()}
    with pytest.raises(ValueError, match="cache does not belong to these params"):
        mlp_backward(as_float32, cache, logits)


def test_loss_rejects_bad_input() -> None:
    logits = np.zeros((3, 4))
    cases = [
        ((logits, np.array([0, 1])), r"y must have shape \(3,\)"),
        ((logits, np.array([0.0, 1.0, 2.0])), "y must hold integer class indices"),
        ((logits, np.array([0, 1, 4])), r"class indices in \[0, 3\]"),
        ((logits, np.array([-1, 1, 2])), r"class indices in \[0, 3\]"),
        ((logits[0], np.array([0])), "logits must be 2-D"),
        ((np.full((3, 4), np.nan), np.array([0, 1, 2])), "logits contains NaN"),
        ((np.zeros((0, 4)), np.zeros(0, dtype=int)), "logits is empty"),
    ]
    for args, match in cases:
        with pytest.raises(ValueError, match=match):
            softmax_cross_entropy(*args)
