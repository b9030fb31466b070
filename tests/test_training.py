"""Mini-batch SGD: the shared batches and loop, and NumPy against PyTorch step by step."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook._validate import check_learning_rate
from dlbook.batches import minibatches, run_sgd, steps_per_epoch
from dlbook.data import make_moons, make_spirals
from dlbook.numpy import training as np_training
from dlbook.numpy.mlp import init_mlp, mlp_backward, mlp_forward, softmax_cross_entropy
from dlbook.torch import training as torch_training
from dlbook.torch.mlp import MLP

ACTIVATIONS = ["tanh", "relu", "sigmoid", "leaky_relu"]


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    return make_moons(200, noise=0.1, seed=0)


# --- batches -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), data=st.data(), epochs=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_every_epoch_uses_every_example_once(n: int, data: st.DataObject, epochs: int, seed: int) -> None:
    batch_size = data.draw(st.integers(1, n))
    batches = list(minibatches(n, batch_size, epochs, seed))
    per_epoch = math.ceil(n / batch_size)
    assert steps_per_epoch(n, batch_size) == per_epoch
    assert len(batches) == epochs * per_epoch
    for e in range(epochs):
        epoch = batches[e * per_epoch : (e + 1) * per_epoch]
        assert [len(b) for b in epoch[:-1]] == [batch_size] * (per_epoch - 1)
        assert len(epoch[-1]) == n - batch_size * (per_epoch - 1)
        assert sorted(np.concatenate(epoch).tolist()) == list(range(n))


def test_batches_are_reproducible_and_reshuffled_each_epoch() -> None:
    first = [b.tolist() for b in minibatches(50, 10, epochs=2, seed=3)]
    again = [b.tolist() for b in minibatches(50, 10, epochs=2, seed=3)]
    other = [b.tolist() for b in minibatches(50, 10, epochs=2, seed=4)]
    assert first == again
    assert first != other
    assert first[:5] != first[5:]  # epoch two is a new permutation
    assert np.concatenate(first[:5]).tolist() != list(range(50))  # and the first one is shuffled


def test_full_batch_is_all_examples() -> None:
    (batch,) = minibatches(7, 7, epochs=1, seed=0)
    assert sorted(batch.tolist()) == list(range(7))


@pytest.mark.parametrize(
    "n, batch_size, epochs, match",
    [(10, 0, 1, "batch_size"), (10, 11, 1, "at most the number of examples"), (10, 2.5, 1, "batch_size"),
     (0, 1, 1, "n must"), (10, 2, 0, "epochs"), (10, True, 1, "batch_size")],
)
def test_minibatches_reject_bad_arguments(n: int, batch_size: int, epochs: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        list(minibatches(n, batch_size, epochs))


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "0.1", True, None])
def test_learning_rate_must_be_positive_and_finite(lr: object) -> None:
    with pytest.raises(ValueError, match="lr must"):
        check_learning_rate(lr)  # type: ignore[arg-type]


def test_run_sgd_records_losses_and_reports_progress() -> None:
    seen: list[np.ndarray] = []
    reports: list[tuple[int, float]] = []

    def update(batch: np.ndarray) -> float:
        seen.append(batch)
        return float(len(seen)) / 2

    losses = run_sgd(update, n=10, batch_size=3, epochs=2, seed=1, progress=lambda s, l: reports.append((s, l)),
                     every=3)
    assert [b.tolist() for b in seen] == [b.tolist() for b in minibatches(10, 3, 2, seed=1)]
    np.testing.assert_array_equal(losses, np.arange(1, 9) / 2)
    assert reports == [(3, 1.5), (6, 3.0), (8, 4.0)]  # every third step, and the last (step 8)
    with pytest.raises(ValueError, match="every"):
        run_sgd(update, 10, 3, 1, every=0)


# --- one SGD step --------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_step_matches_the_formula_and_torch_optim(dtype: type) -> None:
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((3, 2)).astype(dtype), "b": rng.standard_normal(2).astype(dtype)}
    grads = {"W": rng.standard_normal((3, 2)).astype(dtype), "b": rng.standard_normal(2).astype(dtype)}
    before = {k: v.copy() for k, v in params.items()}
    new = np_training.sgd_step(params, grads, 0.3)
    by_torch = torch_training.sgd_step(params, grads, 0.3)
    for name in params:
        np.testing.assert_array_equal(params[name], before[name])  # inputs untouched
        assert new[name].dtype == dtype and by_torch[name].dtype == torch.from_numpy(params[name]).dtype
        np.testing.assert_allclose(new[name], before[name] - dtype(0.3) * grads[name], rtol=1e-6)
        np.testing.assert_allclose(new[name], by_torch[name].numpy(), rtol=1e-6)


@pytest.mark.parametrize("backend", [np_training, torch_training])
def test_sgd_step_rejects_mismatches(backend: object) -> None:
    params = {"w": np.zeros(3)}
    with pytest.raises(ValueError, match="same keys"):
        backend.sgd_step(params, {"v": np.zeros(3)}, 0.1)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        backend.sgd_step(params, {"w": np.zeros(2)}, 0.1)
    with pytest.raises(ValueError, match="lr must"):
        backend.sgd_step(params, {"w": np.zeros(3)}, -1.0)


# --- NumPy and PyTorch train the same network the same way --------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("batch_size", [1, 32, 200])
def test_numpy_and_torch_losses_agree_step_by_step(moons: tuple, activation: str, batch_size: int) -> None:
    X, y = moons
    kwargs = dict(n_hidden=8, activation=activation, lr=0.3, batch_size=batch_size, epochs=2, seed=5)
    params, np_losses = np_training.train_mlp(X, y, **kwargs)
    model, torch_losses = torch_training.train_mlp(X, y, **kwargs)
    assert len(np_losses) == 2 * math.ceil(200 / batch_size)
    np.testing.assert_allclose(np_losses, torch_losses, rtol=0, atol=1e-6)
    for name, value in model.to_params().items():
        np.testing.assert_allclose(params[name], value, rtol=0, atol=1e-6)


def test_agreement_with_three_classes_and_a_ragged_last_batch() -> None:
    X, y = make_spirals(150, classes=3, seed=1)
    kwargs = dict(n_hidden=20, lr=0.5, batch_size=40, epochs=5, seed=2)  # 150 = 3 * 40 + 30
    params, np_losses = np_training.train_mlp(X, y, **kwargs)
    model, torch_losses = torch_training.train_mlp(X, y, **kwargs)
    assert params["W2"].shape == (20, 3)
    np.testing.assert_allclose(np_losses, torch_losses, rtol=0, atol=1e-6)


OPTIMIZER_RUNS = [
    ("SGD", {"momentum": 0.9}, 0.05),
    ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}, 0.05),
    ("SGD", {"momentum": 0.5, "dampening": 0.5}, 0.2),
    ("RMSprop", {}, 0.01),
    ("RMSprop", {"momentum": 0.5, "centered": True}, 0.003),
    ("Adam", {}, 0.01),
    ("Adam", {"betas": (0.8, 0.99), "amsgrad": True, "weight_decay": 1e-3}, 0.01),
    ("AdamW", {"weight_decay": 0.1}, 0.01),
]


@pytest.mark.parametrize(("optimizer", "options", "lr"), OPTIMIZER_RUNS)
def test_numpy_and_torch_train_alike_with_every_optimizer(moons: tuple, optimizer: str, options: dict,
                                                          lr: float) -> None:
    """dlbook.numpy.optim inside the training loop against torch.optim inside torch's: the same run."""
    X, y = moons
    settings = {"lr": lr, "batch_size": 32, "epochs": 15, "seed": 2, "optimizer": optimizer, "options": options}
    params, losses = np_training.train_mlp(X, y, **settings)
    model, torch_losses = torch_training.train_mlp(X, y, **settings)
    np.testing.assert_allclose(torch_losses, losses, rtol=0, atol=1e-12)
    for name, value in model.to_params().items():
        np.testing.assert_allclose(value, params[name], rtol=0, atol=1e-10)
    assert losses[-20:].mean() < 0.6 * losses[0]  # it learns


@pytest.mark.parametrize(("activation", "dtype", "optimizer", "options", "weight_decay"), [
    ("tanh", np.float64, "SGD", {}, 0.0),
    ("relu", np.float32, "SGD", {"momentum": 0.9, "nesterov": True}, 0.01),
    ("sigmoid", np.float64, "Adam", {}, 0.001),
    ("leaky_relu", np.float64, "AdamW", {"weight_decay": 0.1}, 0.0),
])
def test_train_mlp_takes_the_checked_loops_steps_bit_for_bit(moons: tuple, activation: str, dtype: type,
                                                             optimizer: str, options: dict,
                                                             weight_decay: float) -> None:
    """train_mlp's steps run the network's unchecked cores; train_classifier, given the public (checked)
    functions, must take exactly the same steps: the same losses and parameters, to the last bit."""
    X, y = moons[0].astype(dtype), moons[1]
    settings = {"lr": 0.05, "batch_size": 24, "epochs": 4, "seed": 3, "optimizer": optimizer, "options": options,
                "weight_decay": weight_decay}
    fast, fast_losses = np_training.train_mlp(X, y, n_hidden=5, activation=activation, **settings)
    checked, checked_losses = np_training.train_classifier(
        lambda p, inputs: mlp_forward(p, inputs, activation), mlp_backward, init_mlp(2, 5, 2, seed=3, dtype=dtype),
        X, y, **settings)
    assert fast_losses.tolist() == checked_losses.tolist()
    assert {name: p.dtype for name, p in fast.items()} == {name: np.dtype(dtype) for name in fast}
    assert all(np.array_equal(fast[name], checked[name]) for name in checked)


def test_train_mlp_names_divergence_at_the_step_of_the_checked_loop(moons: tuple) -> None:
    """A learning rate far too large: the fast loop stops where the checked one does, and says why."""
    X, y = moons
    settings = {"lr": 1e300, "batch_size": 8, "epochs": 2, "seed": 0}
    with pytest.raises(ValueError, match=r"the training diverged at step (\d+)") as fast:
        np_training.train_mlp(X, y, n_hidden=4, activation="relu", **settings)
    with pytest.raises(ValueError, match=r"the training diverged at step (\d+)") as checked:
        np_training.train_classifier(lambda p, inputs: mlp_forward(p, inputs, "relu"), mlp_backward,
                                     init_mlp(2, 4, 2, seed=0), X, y, **settings)
    assert str(fast.value) == str(checked.value)


def test_default_optimizer_is_plain_sgd(moons: tuple) -> None:
    X, y = moons
    default, _ = np_training.train_mlp(X, y, epochs=3)
    named, _ = np_training.train_mlp(X, y, epochs=3, optimizer="SGD", options={})
    assert all(np.array_equal(default[k], named[k]) for k in default)


@pytest.mark.parametrize("backend", [np_training, torch_training])
def test_optimizer_must_be_known_and_keep_lr_apart(moons: tuple, backend: object) -> None:
    X, y = moons
    with pytest.raises(ValueError, match="unknown optimizer 'adam'; choose one of 'SGD', 'RMSprop', 'Adam', 'AdamW'"):
        backend.train_mlp(X, y, epochs=1, optimizer="adam")
    with pytest.raises(ValueError, match="options must not hold 'lr'"):
        backend.train_mlp(X, y, epochs=1, optimizer="Adam", options={"lr": 0.1})
    with pytest.raises(ValueError, match="Invalid momentum value: -1"):
        backend.train_mlp(X, y, epochs=1, options={"momentum": -1})


def test_first_loss_is_the_initial_network_on_the_first_batch(moons: tuple) -> None:
    X, y = moons
    _, losses = np_training.train_mlp(X, y, n_hidden=4, batch_size=16, epochs=1, seed=9)
    first = next(minibatches(200, 16, 1, seed=9))
    model = MLP.from_params(init_mlp(2, 4, 2, seed=9))
    expected = F.cross_entropy(model(torch.from_numpy(X[first])), torch.from_numpy(y[first]))
    assert losses[0] == pytest.approx(expected.item(), abs=1e-12)


def test_a_torch_loop_written_out_gives_the_same_losses(moons: tuple) -> None:
    X, y = moons
    params = init_mlp(2, 6, 2, seed=1)
    model = MLP.from_params(params, "relu")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    expected = []
    for batch in minibatches(200, 25, epochs=3, seed=1):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(torch.from_numpy(X[batch])), torch.from_numpy(y[batch]))
        loss.backward()
        optimizer.step()
        expected.append(loss.item())
    trained, losses = np_training.train_mlp(X, y, activation="relu", lr=0.2, batch_size=25, epochs=3, seed=1,
                                            params=params)
    np.testing.assert_allclose(losses, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(trained["W1"], model.hidden.weight.detach().numpy().T, atol=1e-9)


@pytest.mark.parametrize("backend", [np_training, torch_training])
def test_default_training_reaches_95_percent_on_moons(moons: tuple, backend: object) -> None:
    X, y = moons
    network, losses = backend.train_mlp(X, y)
    if isinstance(network, MLP):
        predicted = network(torch.from_numpy(X)).argmax(dim=1).numpy()
    else:
        predicted = mlp_forward(network, X)[0].argmax(axis=1)
    assert np.mean(predicted == y) >= 0.95
    assert losses[-20:].mean() < losses[:20].mean() / 3


def test_full_batch_gradient_descent_with_a_small_step_never_increases_the_loss(moons: tuple) -> None:
    X, y = moons
    _, losses = np_training.train_mlp(X, y, lr=0.05, batch_size=200, epochs=100)
    assert np.all(np.diff(losses) < 0)


def test_float32_training_stays_float32(moons: tuple) -> None:
    X, y = moons
    params, _ = np_training.train_mlp(X.astype(np.float32), y, epochs=2)
    model, _ = torch_training.train_mlp(X.astype(np.float32), y, epochs=2)
    assert all(p.dtype == np.float32 for p in params.values())
    assert all(p.dtype == torch.float32 for p in model.parameters())


@pytest.mark.parametrize("backend", [np_training, torch_training])
def test_callback_sees_step_loss_and_network(moons: tuple, backend: object) -> None:
    X, y = moons
    calls: list[tuple[int, float]] = []
    networks: list[object] = []

    def callback(step: int, loss: float, network: object) -> None:
        calls.append((step, loss))
        networks.append(network.to_params() if isinstance(network, MLP) else network)

    network, losses = backend.train_mlp(X, y, batch_size=64, epochs=3, callback=callback, every=5)
    assert [s for s, _ in calls] == [5, 10, 12]  # 4 steps per epoch, 12 in all
    assert [loss for _, loss in calls] == [losses[s - 1] for s, _ in calls]
    final = network.to_params() if isinstance(network, MLP) else network
    for name in final:
        np.testing.assert_array_equal(networks[-1][name], final[name])
        assert not np.array_equal(networks[0][name], final[name])


def test_given_params_are_the_start_and_stay_untouched(moons: tuple) -> None:
    X, y = moons
    start = init_mlp(2, 5, 2, seed=11)
    copy = {k: v.copy() for k, v in start.items()}
    _, losses = np_training.train_mlp(X, y, batch_size=200, epochs=1, params=start)
    assert losses[0] == pytest.approx(softmax_cross_entropy(mlp_forward(start, X)[0], y)[0], abs=1e-12)
    for name in start:
        np.testing.assert_array_equal(start[name], copy[name])


@pytest.mark.parametrize("backend", [np_training, torch_training])
@pytest.mark.parametrize(
    "change, match",
    [
        (lambda X, y: (X[:, 0], y), "X must be 2-D"),
        (lambda X, y: (np.where(np.arange(200)[:, None] == 3, np.nan, X), y), "X contains NaN"),
        (lambda X, y: (X[:0], y[:0]), "X is empty"),
        (lambda X, y: (X, y.astype(float)), "integer class labels"),
        (lambda X, y: (X, y[:-1]), "199 labels"),
        (lambda X, y: (X, y - 1), "from 0"),
    ],
)
def test_training_rejects_bad_data(moons: tuple, backend: object, change: object, match: str) -> None:
    X, y = change(*moons)
    with pytest.raises(ValueError, match=match):
        backend.train_mlp(X, y, epochs=1)


@pytest.mark.parametrize("backend", [np_training, torch_training])
def test_training_rejects_bad_settings(moons: tuple, backend: object) -> None:
    X, y = moons
    with pytest.raises(ValueError, match="below 2"):
        backend.train_mlp(X, np.where(y == 1, 2, 0), params=init_mlp(2, 3, 2))
    with pytest.raises(ValueError, match="params must be a dict with keys"):
        backend.train_mlp(X, y, params={"W1": np.zeros((2, 3))})
    with pytest.raises(ValueError, match="lr must"):
        backend.train_mlp(X, y, lr=0.0)
    with pytest.raises(ValueError, match="batch_size"):
        backend.train_mlp(X, y, batch_size=500)
    with pytest.raises(ValueError, match="unknown activation"):
        backend.train_mlp(X, y, activation="softplus")


# --- predictions ---------------------------------------------------------------------------------


def test_predictions_and_class_one_probability_match_torch(moons: tuple) -> None:
    X, y = moons
    params = init_mlp(2, 7, 2, seed=4)
    params["W2"] *= 50  # large logits: the probability must stay finite and exact
    logits = MLP.from_params(params)(torch.from_numpy(X))
    expected = torch.softmax(logits, dim=1)[:, 1].detach().numpy()
    np.testing.assert_allclose(np_training.prob_class1(params, X), expected, rtol=1e-12, atol=1e-300)
    predicted = logits.argmax(dim=1).numpy()
    np.testing.assert_array_equal(np_training.predict(params, X), predicted)
    assert np_training.accuracy(params, X, y) == np.mean(predicted == y)
    with pytest.raises(ValueError, match="2 outputs"):
        np_training.prob_class1(init_mlp(2, 3, 3), X)


# --- the PyTorch module --------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_module_computes_the_numpy_forward_pass(activation: str, dtype: type) -> None:
    params = init_mlp(3, 5, 4, seed=2, dtype=dtype)
    X = np.random.default_rng(0).standard_normal((6, 3)).astype(dtype)
    model = MLP.from_params(params, activation)
    assert model.hidden.weight.shape == (5, 3)  # nn.Linear keeps (out, in)
    logits = model(torch.from_numpy(X)).detach().numpy()
    assert logits.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(logits, mlp_forward(params, X, activation)[0], rtol=tol, atol=tol)


def test_module_parameters_round_trip() -> None:
    params = init_mlp(2, 3, 2, seed=7)
    back = MLP.from_params(params).to_params()
    assert set(back) == set(params)
    for name in params:
        np.testing.assert_array_equal(back[name], params[name])


def test_module_rejects_bad_params_and_activations() -> None:
    params = init_mlp(2, 3, 2)
    with pytest.raises(ValueError, match="keys"):
        MLP.from_params({"W1": params["W1"]})
    with pytest.raises(ValueError, match="inconsistent parameter shapes"):
        MLP.from_params({**params, "b1": np.zeros(4)})
    with pytest.raises(ValueError, match="unknown activation 'step'"):
        MLP(2, 3, 2, activation="step")


def test_numpy_training_does_not_import_torch() -> None:
    code = ("import sys, dlbook.batches, dlbook.numpy.training, dlbook.widgets.playground; "
            "sys.exit('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
