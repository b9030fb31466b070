"""Softmax regression in NumPy against PyTorch: forward, backward, and training step by step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.batches import minibatches, steps_per_epoch
from dlbook.data import make_blobs
from dlbook.numpy.linear import init_linear, linear_backward, linear_forward
from dlbook.numpy.mlp import softmax_cross_entropy
from dlbook.numpy.training import EpochHistory, train_classifier


def problem(dtype: type = np.float64) -> tuple[dict, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    params = init_linear(4, 3, seed=1, dtype=dtype)
    params["b"] = rng.standard_normal(3).astype(dtype)
    X = rng.standard_normal((7, 4)).astype(dtype)
    y = rng.integers(0, 3, size=7)
    return params, X, y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_and_backward_match_torch_autograd(dtype: type) -> None:
    params, X, y = problem(dtype)
    logits, cache = linear_forward(params, X)
    loss, grad_logits = softmax_cross_entropy(logits, y)
    grads = linear_backward(params, cache, grad_logits)

    W = torch.tensor(params["W"], requires_grad=True)
    b = torch.tensor(params["b"], requires_grad=True)
    t_logits = F.linear(torch.from_numpy(X), W.T, b)
    t_loss = F.cross_entropy(t_logits, torch.from_numpy(y))
    t_loss.backward()

    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert logits.dtype == dtype and grads["W"].dtype == dtype and grads["b"].dtype == dtype
    np.testing.assert_allclose(logits, t_logits.detach().numpy(), rtol=tol, atol=tol)
    assert loss == pytest.approx(t_loss.item(), rel=tol)
    np.testing.assert_allclose(grads["W"], W.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(grads["b"], b.grad.numpy(), rtol=tol, atol=tol)


def test_init_is_glorot_uniform_with_zero_bias() -> None:
    p = init_linear(300, 200, seed=3)
    a = np.sqrt(6 / 500)
    assert p["W"].shape == (300, 200) and p["b"].shape == (200,)
    assert np.abs(p["W"]).max() <= a and p["W"].var() == pytest.approx(a * a / 3, rel=0.03)
    assert not p["b"].any()
    np.testing.assert_array_equal(init_linear(3, 2, seed=5)["W"], init_linear(3, 2, seed=5)["W"])
    assert init_linear(3, 2, dtype=np.float32)["W"].dtype == np.float32


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: init_linear(0, 3), "n_in must be a positive integer"),
        (lambda: init_linear(3, True), "n_out must be a positive integer"),
        (lambda: init_linear(3, 2, dtype=np.int64), "dtype must be a floating-point type"),
    ],
)
def test_init_rejects_bad_arguments(call: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_forward_rejects_bad_input() -> None:
    params, X, _ = problem()
    cases = [
        (lambda: linear_forward(params, X[:, :3]), r"X has shape \(7, 3\) but W has shape \(4, 3\)"),
        (lambda: linear_forward(params, X[0]), "X must be 2-D"),
        (lambda: linear_forward(params, X[:0]), "X is empty"),
        (lambda: linear_forward(params, np.where(X > 1, np.nan, X)), "X contains NaN"),
        (lambda: linear_forward({"W": params["W"]}, X), r"params must be a dict with keys \['W', 'b'\]"),
        (lambda: linear_forward({**params, "b": np.zeros(4)}, X), "inconsistent parameter shapes"),
        (lambda: linear_forward({**params, "b": np.zeros(3, np.float32)}, X), "share one dtype"),
        (lambda: linear_forward({**params, "W": params["W"][0]}, X), r"params\['W'\] must be 2-D"),
        (lambda: linear_forward({**params, "W": params["W"] * np.nan}, X), r"params\['W'\] contains NaN"),
        (lambda: linear_forward({**params, "b": [0.0] * 3}, X), "must be a floating-point NumPy array"),
    ]
    for call, match in cases:
        with pytest.raises(ValueError, match=match):
            call()


def test_backward_rejects_bad_input() -> None:
    params, X, _ = problem()
    logits, cache = linear_forward(params, X)
    with pytest.raises(ValueError, match=r"grad_logits must have shape \(7, 3\)"):
        linear_backward(params, cache, logits[:, :2])
    with pytest.raises(ValueError, match="grad_logits contains NaN"):
        linear_backward(params, cache, logits * np.nan)
    with pytest.raises(ValueError, match="cache must be the dict returned by linear_forward"):
        linear_backward(params, {}, logits)
    with pytest.raises(ValueError, match="cache does not belong to these params"):
        linear_backward(init_linear(5, 3), cache, logits)


# --- training -------------------------------------------------------------------------------------


def torch_softmax_regression(
    X: np.ndarray, y: np.ndarray, params: dict, lr: float, batch_size: int, epochs: int, seed: int
) -> tuple[dict, np.ndarray]:
    """Softmax regression the PyTorch way: nn.Linear, F.cross_entropy, autograd, torch.optim.SGD."""
    layer = torch.nn.Linear(*params["W"].shape).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(params["W"].T))
        layer.bias.copy_(torch.from_numpy(params["b"]))
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    inputs, labels = torch.from_numpy(X), torch.from_numpy(y)
    losses = []
    for batch in minibatches(len(y), batch_size, epochs, seed):
        index = torch.from_numpy(batch)
        optimizer.zero_grad()
        loss = F.cross_entropy(layer(inputs[index]), labels[index])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    trained = {"W": layer.weight.detach().numpy().T, "b": layer.bias.detach().numpy()}
    return trained, np.array(losses)


@pytest.mark.parametrize("batch_size", [1, 7, 60])
def test_training_matches_pytorch_step_by_step(batch_size: int) -> None:
    X, y = make_blobs(60, centers=3, seed=2)
    start = init_linear(2, 3, seed=4)
    params, losses = train_classifier(
        linear_forward, linear_backward, start, X, y, lr=0.3, batch_size=batch_size, epochs=3, seed=5
    )
    t_params, t_losses = torch_softmax_regression(X, y, start, 0.3, batch_size, 3, 5)
    assert len(losses) == 3 * steps_per_epoch(60, batch_size)
    np.testing.assert_allclose(losses, t_losses, rtol=0, atol=1e-12)
    for name in params:
        np.testing.assert_allclose(params[name], t_params[name], rtol=0, atol=1e-12)
    assert losses[-1] < losses[0]
    np.testing.assert_array_equal(start["b"], 0)  # the starting point is left unchanged


def test_history_records_loss_and_accuracy_once_per_epoch() -> None:
    X, y = make_blobs(60, centers=3, seed=2)
    X_val, y_val = make_blobs(30, centers=3, seed=9)

    def logits(p: dict, inputs: np.ndarray) -> np.ndarray:
        return linear_forward(p, inputs)[0]

    history = EpochHistory(logits, training=(X, y), validation=(X_val, y_val))
    seen: list[dict] = []

    def callback(step: int, loss: float, p: dict) -> None:
        history(step, loss, p)
        seen.append(p)

    train_classifier(
        linear_forward, linear_backward, init_linear(2, 3), X, y,
        batch_size=16, epochs=4, callback=callback, every=steps_per_epoch(60, 16),
    )
    assert list(history.loss) == ["training", "validation"] and len(seen) == 4
    for name, (data, labels) in (("training", (X, y)), ("validation", (X_val, y_val))):
        assert len(history.loss[name]) == len(history.accuracy[name]) == 4
        for epoch, p in enumerate(seen):
            z = logits(p, data)
            assert history.loss[name][epoch] == softmax_cross_entropy(z, labels)[0]
            assert history.accuracy[name][epoch] == np.mean(z.argmax(axis=1) == labels)


def test_training_rejects_bad_input() -> None:
    X, y = make_blobs(20, centers=2, seed=0)
    start = init_linear(2, 2)

    def train(**changes: object) -> None:
        arguments = {"X": X, "y": y, "params": start, "lr": 0.1, "batch_size": 5, "epochs": 1}
        arguments.update(changes)
        train_classifier(linear_forward, linear_backward, **arguments)

    for changes, match in [
        ({"y": y + 1}, "below 2"),
        ({"y": y[:-1]}, "19 labels"),
        ({"X": X[:, :1]}, r"X has shape \(1, 1\) but W has shape \(2, 2\)"),
        ({"X": X * np.nan}, "X contains NaN"),
        ({"X": X[:0], "y": y[:0]}, "X is empty"),
        ({"lr": -1.0}, "lr must"),
        ({"batch_size": 21}, "batch_size"),
    ]:
        with pytest.raises(ValueError, match=match):
            train(**changes)
    with pytest.raises(ValueError, match="at least one data set"):
        EpochHistory(lambda p, inputs: inputs)
    with pytest.raises(ValueError, match="X contains NaN"):
        EpochHistory(lambda p, inputs: inputs, validation=(X * np.nan, y))
