"""Weight decay, the regularised two-layer network, early stopping and the confidence intervals.

The NumPy network with batch normalisation and weight decay is trained side by
side with the same layers from ``torch.nn`` and ``torch.optim.SGD`` and must
agree step by step; its backward pass with dropout is checked against
``torch.autograd`` on the same mask and against central differences.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import binomtest

import dlbook.numpy as dnp
import dlbook.torch as dtorch
from dlbook.batches import minibatches, run_sgd, steps_per_epoch
from dlbook.data import make_moons, make_spirals
from dlbook.intervals import binomial_cdf, exact_interval, wilson_interval
from dlbook.numpy.regularised_mlp import (
    augmentation_rng,
    init_regularised,
    regularised_backward,
    regularised_forward,
    regularised_logits,
    train_regularised,
    trainable,
)
from dlbook.numpy.weight_decay import add_weight_decay, l2_penalty

# ---------------------------------------------------------------- weight decay


def test_l2_penalty_and_its_gradient_cover_the_weights_only() -> None:
    params = dnp.init_mlp(3, 4, 2, seed=0)
    params["b1"] += 1.0
    lam = 0.3
    expected = lam / 2 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    assert math.isclose(l2_penalty(params, lam), expected, rel_tol=1e-14)
    grads = {name: np.ones_like(p) for name, p in params.items()}
    decayed = add_weight_decay(params, grads, lam)
    np.testing.assert_allclose(decayed["W1"], 1 + lam * params["W1"], rtol=1e-15)
    np.testing.assert_array_equal(decayed["b1"], grads["b1"])  # biases do not decay
    assert grads["W1"].tolist() == np.ones((3, 4)).tolist()  # the input is left as it was


def test_the_penalty_gradient_is_its_derivative() -> None:
    params = dnp.init_mlp(2, 3, 2, seed=1)
    h, lam = 1e-6, 0.7
    analytic = add_weight_decay(params, {n: np.zeros_like(p) for n, p in params.items()}, lam)
    for name in ("W1", "W2"):
        for index in np.ndindex(params[name].shape):
            up, down = copy.deepcopy(params), copy.deepcopy(params)
            up[name][index] += h
            down[name][index] -= h
            numeric = (l2_penalty(up, lam) - l2_penalty(down, lam)) / (2 * h)
            assert math.isclose(numeric, analytic[name][index], rel_tol=1e-6, abs_tol=1e-10)


@pytest.mark.parametrize("weight_decay", [-0.1, math.nan, math.inf, "0.1", True])
def test_weight_decay_must_be_a_finite_non_negative_number(weight_decay: object) -> None:
    with pytest.raises(ValueError, match="weight_decay must be a finite number of at least 0"):
        l2_penalty(dnp.init_mlp(2, 2, 2), weight_decay)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weight_decay"):
        dnp.train_mlp(*make_moons(20), epochs=1, weight_decay=weight_decay)  # type: ignore[arg-type]


def test_train_mlp_with_weight_decay_is_torch_sgd_with_weight_decay_on_the_weights() -> None:
    X, y = make_moons(60, noise=0.2, seed=2)
    kwargs = dict(n_hidden=5, lr=0.4, batch_size=16, epochs=6, seed=3, weight_decay=0.05)
    params, losses = dnp.train_mlp(X, y, **kwargs)
    model, torch_losses = dtorch.train_mlp(X, y, **kwargs)
    np.testing.assert_allclose(torch_losses, losses, rtol=0, atol=1e-13)
    trained = model.to_params()
    for name, value in params.items():
        np.testing.assert_allclose(trained[name], value, rtol=0, atol=1e-13, err_msg=name)
    plain, _ = dnp.train_mlp(X, y, **{**kwargs, "weight_decay": 0.0})
    assert np.linalg.norm(params["W1"]) < np.linalg.norm(plain["W1"])
    assert not np.allclose(params["b1"], plain["b1"])  # biases still learn, from other gradients


def test_weight_decay_zero_is_the_plain_run_bit_for_bit() -> None:
    X, y = make_moons(200, noise=0.1, seed=0)
    a, losses_a = dnp.train_mlp(X, y, epochs=5)
    b, losses_b = dnp.train_mlp(X, y, epochs=5, weight_decay=0.0)
    np.testing.assert_array_equal(losses_a, losses_b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


# ---------------------------------------------------------------- the regularised network


def test_with_every_regulariser_off_it_is_train_mlp() -> None:
    X, y = make_spirals(90, classes=3, seed=4)
    network, losses = train_regularised(X, y, n_hidden=7, lr=0.3, batch_size=10, epochs=4, seed=5)
    params, expected = dnp.train_mlp(X, y, n_hidden=7, lr=0.3, batch_size=10, epochs=4, seed=5)
    np.testing.assert_allclose(losses, expected, rtol=0, atol=1e-14)
    assert set(network) == set(params)
    for name in params:
        np.testing.assert_allclose(network[name], params[name], rtol=0, atol=1e-14)


@pytest.mark.parametrize("weight_decay", [0.0, 0.02])
def test_batch_norm_network_trains_as_torch_nn_step_by_step(weight_decay: float) -> None:
    X, y = make_spirals(120, classes=3, seed=1)
    kwargs = dict(n_hidden=8, lr=0.3, batch_size=16, epochs=5, seed=2)
    network, losses = train_regularised(X, y, batch_norm=True, weight_decay=weight_decay, **kwargs)
    model = dtorch.regularised_mlp(init_regularised(2, 8, 3, batch_norm=True, seed=2))
    assert [type(layer).__name__ for layer in model] == ["Linear", "BatchNorm1d", "Tanh", "Linear"]
    optimizer = torch.optim.SGD(dtorch.weight_decay_groups(model, weight_decay), lr=0.3)
    inputs, labels = torch.from_numpy(X), torch.from_numpy(y)
    torch_losses = []
    for batch in minibatches(len(y), 16, 5, seed=2):
        index = torch.from_numpy(batch)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs[index]), labels[index])
        loss.backward()
        optimizer.step()
        torch_losses.append(loss.item())
    np.testing.assert_allclose(torch_losses, losses, rtol=0, atol=1e-12)
    back = dtorch.to_network(model)
    assert set(back) == set(network)
    for name, value in network.items():
        np.testing.assert_allclose(back[name], value, rtol=0, atol=1e-12, err_msg=name)
    model.eval()
    np.testing.assert_allclose(model(inputs).detach().numpy(), regularised_logits(network, X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("p", [0.0, 0.5])
def test_backward_is_torch_autograd_with_the_same_mask(batch_norm: bool, p: float) -> None:
    rng = np.random.default_rng(6)
    network = init_regularised(3, 5, 4, batch_norm=batch_norm, seed=7)
    if batch_norm:
        network["gamma"] += rng.normal(size=5) * 0.3
        network["beta"] += rng.normal(size=5) * 0.3
    X, y = rng.normal(size=(9, 3)), rng.integers(0, 4, 9)
    logits, cache = regularised_forward(network, X, True, p, np.random.default_rng(8))
    loss, grad_logits = dnp.softmax_cross_entropy(logits, y)
    grads = regularised_backward(network, cache, grad_logits)
    leaves = {name: torch.tensor(a, requires_grad=True) for name, a in trainable(network).items()}
    Z = torch.from_numpy(X) @ leaves["W1"] + leaves["b1"]
    if batch_norm:
        Z = F.batch_norm(Z, None, None, leaves["gamma"], leaves["beta"], training=True)
    H = torch.tanh(Z)
    if cache["mask"] is not None:
        H = H * torch.from_numpy(cache["mask"].astype(float)) / (1 - p)  # the very mask of the NumPy pass
    torch_logits = H @ leaves["W2"] + leaves["b2"]
    np.testing.assert_allclose(torch_logits.detach().numpy(), logits, rtol=1e-12, atol=1e-12)
    F.cross_entropy(torch_logits, torch.from_numpy(y)).backward()
    assert set(grads) == set(leaves)
    for name, leaf in leaves.items():
        np.testing.assert_allclose(grads[name], leaf.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_training_and_evaluation_modes() -> None:
    rng = np.random.default_rng(9)
    network = init_regularised(2, 6, 2, batch_norm=True, seed=1)
    X = rng.normal(3.0, 2.0, size=(20, 2))
    running = network["running_mean"].copy()
    first, _ = regularised_forward(network, X, False, 0.5)
    np.testing.assert_array_equal(network["running_mean"], running)  # evaluation leaves the statistics
    np.testing.assert_array_equal(first, regularised_forward(network, X, False, 0.5)[0])  # and draws nothing
    np.testing.assert_array_equal(first[:3], regularised_logits(network, X[:3]))  # one example alone: the same
    trained, _ = regularised_forward(network, X, True, 0.0)
    assert not np.array_equal(network["running_mean"], running)  # training moves them
    alone = regularised_forward(network, X[:3], True, 0.0)[0]
    assert not np.allclose(alone, trained[:3])  # in training, a row depends on the rest of the batch


def test_dropout_and_augmentation_draw_from_their_own_generator() -> None:
    X, y = make_moons(40, noise=0.2, seed=3)
    seen = []

    def augment(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        seen.append(batch.copy())
        return batch + rng.normal(scale=0.01, size=batch.shape)

    _, losses = train_regularised(X, y, n_hidden=4, batch_size=8, epochs=2, seed=4, dropout=0.3, augment=augment)
    order = [X[b] for b in minibatches(40, 8, 2, seed=4)]  # the batches are train_mlp's
    assert len(seen) == len(order) == len(losses) == 10
    for got, want in zip(seen, order):
        np.testing.assert_array_equal(got, want)
    again = train_regularised(X, y, n_hidden=4, batch_size=8, epochs=2, seed=4, dropout=0.3, augment=augment)[1]
    np.testing.assert_array_equal(again, losses)
    assert augmentation_rng(4).random() == np.random.default_rng((4, 1)).random()


def test_bad_networks_are_refused() -> None:
    network = init_regularised(2, 3, 2, batch_norm=True)
    del network["running_var"]
    with pytest.raises(ValueError, match="with batch normalisation"):
        regularised_logits(network, np.ones((2, 2)))
    with pytest.raises(ValueError, match="dropout probability"):
        regularised_forward(init_regularised(2, 3, 2), np.ones((2, 2)), True, dropout=1.5)


# ---------------------------------------------------------------- early stopping


def test_early_stopping_keeps_the_best_epoch_and_stops_after_patience() -> None:
    X, y = make_moons(40, noise=0.3, seed=5)
    X_val, y_val = make_moons(60, noise=0.3, seed=6)
    per_epoch = steps_per_epoch(40, 8)
    history = dnp.EarlyStopping(regularised_logits, (X_val, y_val))
    network, losses = train_regularised(X, y, n_hidden=16, lr=1.0, batch_size=8, epochs=60, seed=0,
                                        callback=history, every=per_epoch)
    assert len(history.losses) == 60 and history.stopped_epoch is None and len(losses) == 60 * per_epoch
    best = int(np.argmin(history.losses)) + 1
    assert history.best_epoch == best < 60
    best_loss = dnp.softmax_cross_entropy(regularised_logits(history.best, X_val), y_val)[0]
    assert best_loss == min(history.losses)
    stopper = dnp.EarlyStopping(regularised_logits, (X_val, y_val), patience=5)
    _, stopped_losses = train_regularised(X, y, n_hidden=16, lr=1.0, batch_size=8, epochs=60, seed=0,
                                          callback=stopper, every=per_epoch)
    assert stopper.stopped_epoch == len(stopper.losses) == len(stopped_losses) // per_epoch
    assert stopper.stopped_epoch - stopper.best_epoch == 5
    np.testing.assert_array_equal(stopped_losses, losses[:len(stopped_losses)])  # the same run, cut short
    assert stopper.losses == history.losses[:stopper.stopped_epoch]
    with pytest.raises(ValueError, match="patience"):
        dnp.EarlyStopping(regularised_logits, (X_val, y_val), patience=0)


def test_run_sgd_stops_when_progress_says_so() -> None:
    steps = []
    losses = run_sgd(lambda batch: float(len(steps)), 10, 3, 5, seed=0,
                     progress=lambda step, loss: steps.append(step) or step == 8, every=4)
    assert steps == [4, 8] and len(losses) == 8


def test_early_stopping_works_with_train_mlp_too() -> None:
    X, y = make_moons(40, noise=0.3, seed=7)
    stopper = dnp.EarlyStopping(lambda p, inputs: dnp.mlp_forward(p, inputs)[0], (X, y), patience=1)
    dnp.train_mlp(X, y, lr=10.0, batch_size=40, epochs=50, callback=stopper, every=1)
    assert stopper.stopped_epoch is not None and stopper.stopped_epoch < 50


# ---------------------------------------------------------------- confidence intervals


@pytest.mark.parametrize(("k", "n"), [(350, 359), (0, 10), (10, 10), (5, 7), (1, 1), (330, 360), (3000, 3100),
                                      (1, 2), (17, 40)])
@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.99])
def test_intervals_agree_with_scipy(k: int, n: int, confidence: float) -> None:
    test = binomtest(k, n)
    exact = test.proportion_ci(confidence_level=confidence, method="exact")
    wilson = test.proportion_ci(confidence_level=confidence, method="wilson")
    np.testing.assert_allclose(exact_interval(k, n, confidence), (exact.low, exact.high), rtol=0, atol=1e-10)
    np.testing.assert_allclose(wilson_interval(k, n, confidence), (wilson.low, wilson.high), rtol=0, atol=1e-12)


def test_the_exact_interval_has_its_tails() -> None:
    low, high = exact_interval(350, 359)
    assert math.isclose(1 - binomial_cdf(349, 359, low), 0.025, rel_tol=1e-9)
    assert math.isclose(binomial_cdf(350, 359, high), 0.025, rel_tol=1e-9)
    assert low < 350 / 359 < high


@pytest.mark.parametrize(("args", "message"), [((5, 0), "n must be"), ((-1, 5), "successes"), ((6, 5), "successes"),
                                               ((2.5, 5), "successes"), ((2, 5, 1.0), "confidence"),
                                               ((2, 5, 0.0), "confidence")])
def test_interval_arguments_are_checked(args: tuple, message: str) -> None:
    for interval in (exact_interval, wilson_interval):
        with pytest.raises(ValueError, match=message):
            interval(*args)
