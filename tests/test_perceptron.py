"""The perceptron forward pass: hand-computed cases, NumPy against PyTorch, and bad input."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import dlbook.numpy as dnp
import dlbook.torch as dtorch

ACTIVATIONS = sorted(dnp.ACTIVATIONS)
finite = st.floats(-50, 50, allow_nan=False, width=64)


def test_both_backends_offer_the_same_activations():
    assert sorted(dtorch.ACTIVATIONS) == ACTIVATIONS


def test_worked_example_by_hand():
    # z = 0.4*2 - 0.2*3 + 0.5 = 0.7 ; sigmoid(0.7) = 1 / (1 + e^-0.7)
    x, w, b = [2.0, 3.0], [0.4, -0.2], 0.5
    expected = 1 / (1 + math.exp(-0.7))
    assert dnp.weighted_sum(x, w, b) == pytest.approx(0.7)
    assert dnp.perceptron(x, w, b) == pytest.approx(expected, rel=1e-12)
    assert dtorch.perceptron(torch.tensor(x, dtype=torch.float64), torch.tensor(w, dtype=torch.float64), b).item() == (
        pytest.approx(expected, rel=1e-12)
    )


@pytest.mark.parametrize(
    ("activation", "z", "expected"),
    [("step", 0.7, 1.0), ("step", -0.7, 0.0), ("step", 0.0, 0.0), ("relu", -0.7, 0.0), ("relu", 0.7, 0.7),
     ("identity", -0.7, -0.7), ("tanh", 0.7, math.tanh(0.7)), ("leaky_relu", -0.7, -0.007)],
)
def test_activations_by_hand(activation, z, expected):
    # one input of 1.0 with weight z and no bias gives pre-activation z
    for backend in (dnp, dtorch):
        out = backend.perceptron(np.array([1.0]), np.array([z]), 0.0, activation=activation)
        assert float(out) == pytest.approx(expected, abs=1e-12)


def test_batch_rows_equal_single_examples():
    rng = np.random.default_rng(1)
    X, w, b = rng.normal(size=(7, 3)), rng.normal(size=3), 0.3
    batch = dnp.perceptron(X, w, b)
    assert batch.shape == (7,)
    np.testing.assert_allclose(batch, [dnp.perceptron(row, w, b) for row in X], rtol=1e-15)
    assert dnp.perceptron(X[0], w, b).shape == ()


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 16),
    d=st.integers(1, 8),
    activation=st.sampled_from(ACTIVATIONS),
)
def test_numpy_and_torch_agree(data, n, d, activation):
    X = data.draw(arrays(np.float64, (n, d), elements=finite))
    w = data.draw(arrays(np.float64, (d,), elements=finite))
    b = data.draw(finite)
    expected = dtorch.perceptron(torch.from_numpy(X), torch.from_numpy(w), b, activation=activation)
    actual = dnp.perceptron(X, w, b, activation=activation)
    assert actual.dtype == np.float64 and expected.dtype == torch.float64
    np.testing.assert_allclose(actual, expected.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("backend", [dnp, dtorch], ids=["numpy", "torch"])
def test_float32_stays_float32(backend):
    x = np.ones((2, 3), dtype=np.float32)
    w = np.full(3, 0.5, dtype=np.float32)
    out = backend.perceptron(backend_array(backend, x), backend_array(backend, w), 0.0)
    assert str(out.dtype).endswith("float32")


def backend_array(backend, a):
    return torch.from_numpy(a) if backend is dtorch else a


@pytest.mark.parametrize("backend", [dnp, dtorch], ids=["numpy", "torch"])
def test_shape_mismatch_names_both_shapes(backend):
    with pytest.raises(ValueError, match=r"x has shape \(4, 3\) and w has shape \(2,\)"):
        backend.perceptron(np.ones((4, 3)), np.ones(2), 0.0)


@pytest.mark.parametrize("backend", [dnp, dtorch], ids=["numpy", "torch"])
@pytest.mark.parametrize(
    ("x", "w", "b", "message"),
    [
        (np.ones((2, 2, 2)), np.ones(2), 0.0, r"x must be 1-D or 2-D, got shape \(2, 2, 2\)"),
        (np.ones(2), np.ones((2, 1)), 0.0, r"w must be 1-D, got shape \(2, 1\)"),
        (np.ones(2), np.ones(2), np.ones(2), r"b must be a scalar, got shape \(2,\)"),
        (np.ones((0, 2)), np.ones(2), 0.0, r"x is empty \(shape \(0, 2\)\)"),
        (np.ones((3, 0)), np.ones(0), 0.0, r"x is empty"),
    ],
)
def test_bad_shapes_are_named(backend, x, w, b, message):
    with pytest.raises(ValueError, match=message):
        backend.perceptron(x, w, b)


@pytest.mark.parametrize("backend", [dnp, dtorch], ids=["numpy", "torch"])
@pytest.mark.parametrize("where", ["x", "w", "b"])
def test_nan_input_is_rejected_as_documented(backend, where):
    args = {"x": np.ones((3, 2)), "w": np.ones(2), "b": np.array(0.0)}
    bad = args[where].copy()
    bad[...] = np.nan
    args[where] = bad
    with pytest.raises(ValueError, match=f"{where} contains NaN"):
        backend.perceptron(args["x"], args["w"], args["b"])


@pytest.mark.parametrize("backend", [dnp, dtorch], ids=["numpy", "torch"])
def test_unknown_activation_lists_the_choices(backend):
    with pytest.raises(ValueError, match=r"unknown activation 'softsign'; choose one of 'sigmoid'"):
        backend.perceptron(np.ones(2), np.ones(2), 0.0, activation="softsign")


@pytest.mark.parametrize("bias", [1e-50, -1e-50])
def test_a_tiny_python_bias_is_not_rounded_away(bias):
    # float32 would round 1e-50 to 0 and the step would say 0 for both signs
    expected = 1.0 if bias > 0 else 0.0
    for backend in (dnp, dtorch):
        x = backend_array(backend, np.zeros((1, 1)))
        w = backend_array(backend, np.ones(1))
        assert backend.perceptron(x, w, bias, activation="step").tolist() == [expected]


def test_extreme_inputs_saturate_without_warnings():
    out = dnp.perceptron(np.array([[1000.0], [-1000.0]]), np.array([1.0]), 0.0)
    np.testing.assert_array_equal(out, [1.0, 0.0])


def test_predict_class_matches_the_sign_of_z():
    rng = np.random.default_rng(2)
    X, w, b = rng.normal(size=(50, 2)), np.array([1.5, -0.5]), 0.2
    expected = (X[:, 0] * 1.5 - 0.5 * X[:, 1] + 0.2 > 0).astype(np.int64)
    np.testing.assert_array_equal(dnp.predict_class(X, w, b), expected)
    np.testing.assert_array_equal(dtorch.predict_class(torch.from_numpy(X), torch.from_numpy(w), b).numpy(), expected)
