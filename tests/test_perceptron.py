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
from dlbook.data import make_blobs

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


# Rosenblatt's learning rule


def test_learning_rule_by_hand_on_two_points():
    # x1 = (1, 2), y = 1: w = 0 gives z = 0, y_hat = 0, so w += (1, 2), b += 1.
    # x2 = (2, 0), y = 0: z = 2 + 1 > 0, y_hat = 1, so w -= (2, 0), b -= 1:
    # w = (-1, 2), b = 0. Epoch 2: z1 = 3 > 0 (right), z2 = -2 (right): done.
    w, b, mistakes = dnp.train_perceptron([[1.0, 2.0], [2.0, 0.0]], np.array([1, 0]))
    assert w.tolist() == [-1.0, 2.0] and b == 0.0
    assert mistakes.tolist() == [2, 0]


def test_the_learning_rate_scales_weights_but_changes_no_prediction():
    # from w = 0, every update is lr times the update of lr = 1
    X, y = make_blobs(n=60, noise=1.5, seed=3)
    w1, b1, m1 = dnp.train_perceptron(X, y, lr=1.0, epochs=5)
    w2, b2, m2 = dnp.train_perceptron(X, y, lr=0.25, epochs=5)
    np.testing.assert_allclose(w2, 0.25 * w1, rtol=1e-12)
    assert b2 == pytest.approx(0.25 * b1) and m1.tolist() == m2.tolist()


@pytest.mark.parametrize("seed", range(5))
def test_converges_on_separable_data(seed):
    # two blobs far apart: separable, so the rule stops with no mistakes
    X, y = make_blobs(n=100, spread=6.0, noise=0.5, seed=seed)
    w, b, mistakes = dnp.train_perceptron(X, y, epochs=1000)
    assert mistakes[-1] == 0 and len(mistakes) < 1000
    np.testing.assert_array_equal(dnp.predict_class(X, w, b), y)


def test_never_converges_on_xor():
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    w, b, mistakes = dnp.train_perceptron(corners, np.array([0, 1, 1, 0]), epochs=50)
    assert len(mistakes) == 50 and mistakes.min() >= 1


def test_learning_rule_keeps_float32():
    X = np.array([[1.0, 2.0], [2.0, 0.0]], dtype=np.float32)
    w, _, _ = dnp.train_perceptron(X, np.array([1, 0]))
    assert w.dtype == np.float32


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "message"),
    [
        (np.ones(3), np.array([0, 1, 0]), {}, r"X must be 2-D"),
        (np.ones((0, 2)), np.zeros(0, dtype=int), {}, r"X is empty"),
        (np.array([[np.nan, 1.0]]), np.array([1]), {}, r"X contains NaN"),
        (np.ones((2, 2)), np.array([0.0, 1.0]), {}, r"y must hold integer class labels"),
        (np.ones((2, 2)), np.array([0, 2]), {}, r"y must hold class labels from 0 and below 2"),
        (np.ones((2, 2)), np.array([0, 1, 1]), {}, r"X has 2 rows but y has 3 labels"),
        (np.ones((2, 2)), np.array([0, 1]), {"lr": 0.0}, r"lr must be positive"),
        (np.ones((2, 2)), np.array([0, 1]), {"epochs": 0}, r"epochs must be an integer of at least 1"),
    ],
)
def test_learning_rule_rejects_bad_input(X, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        dnp.train_perceptron(X, y, **kwargs)
