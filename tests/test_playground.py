"""The training playground, driven headless: press Train, change controls, look at the picture."""

from __future__ import annotations

import time

import numpy as np
import pytest

from dlbook.batches import steps_per_epoch
from dlbook.data import make_moons
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.training import accuracy, prob_class1, train_mlp
from dlbook.widgets.playground import DATASETS, REDRAWS, TrainingPlayground


@pytest.fixture()
def playground() -> TrainingPlayground:
    return TrainingPlayground()


def test_default_run_learns_the_moons_quickly_and_redraws_as_it_goes(playground: TrainingPlayground) -> None:
    pictures: list[bytes] = []
    disabled: list[bool] = []

    def record(change: dict) -> None:
        pictures.append(change["new"])
        disabled.append(playground.button.disabled)

    playground.image.observe(record, names="value")
    untrained = playground.image.value
    start = time.perf_counter()
    playground.button.click()
    seconds = time.perf_counter() - start

    assert seconds < 5.0
    X, y = make_moons(200, noise=0.1, seed=0)
    assert accuracy(playground.params, X, y) >= 0.95
    assert len(set(pictures)) >= REDRAWS  # the picture changed again and again during training
    assert untrained not in pictures
    assert all(disabled) and not playground.button.disabled  # no second run while one is going
    total = 100 * steps_per_epoch(200, 32)
    assert playground.progress.value == playground.progress.max == total
    assert f"step {total}/{total}" in playground.readout.value
    assert f"accuracy {accuracy(playground.params, X, y):.1%}" in playground.readout.value


def test_the_run_is_the_plain_training_function(playground: TrainingPlayground) -> None:
    final = playground.train()
    X, y = DATASETS["moons"]()
    expected, losses = train_mlp(X, y, n_hidden=16, activation="tanh", lr=0.5, batch_size=32, epochs=100, seed=0)
    for name in expected:
        np.testing.assert_array_equal(playground.params[name], expected[name])
    assert final == accuracy(expected, X, y)
    np.testing.assert_array_equal(playground.loss_line.get_ydata(), losses)
    shown = playground.regions.get_array()
    np.testing.assert_allclose(shown, prob_class1(expected, playground.grid).reshape(shown.shape))


def test_changing_a_control_resets_to_the_untrained_network(playground: TrainingPlayground) -> None:
    playground.train()
    trained = playground.image.value
    playground.controls["n_hidden"].value = 4
    assert playground.image.value != trained
    assert playground.progress.value == 0
    assert len(playground.loss_line.get_xdata()) == 0
    X, y = DATASETS["moons"]()
    fresh = init_mlp(2, 4, 2, seed=0)
    assert f"accuracy {accuracy(fresh, X, y):.1%}" in playground.readout.value
    assert "Untrained" in playground.readout.value


def test_settings_reach_the_training(playground: TrainingPlayground) -> None:
    playground.controls["batch_size"].value = 200
    playground.controls["epochs"].value = 20
    playground.controls["activation"].value = "relu"
    assert playground.progress.max == 20
    playground.train()
    assert playground.ax_loss.get_xlim() == (0, 20)  # the loss axis spans the run once it starts
    X, y = DATASETS["moons"]()
    expected, _ = train_mlp(X, y, activation="relu", batch_size=200, epochs=20)
    np.testing.assert_array_equal(playground.params["W1"], expected["W1"])


def test_switching_data_sets_moves_the_picture(playground: TrainingPlayground) -> None:
    before = playground.image.value
    playground.controls["data"].value = "spirals"
    X, y = DATASETS["spirals"]()
    assert playground.image.value != before
    assert playground.grid[:, 0].min() == pytest.approx(X[:, 0].min() - 0.5)
    assert [name for name, points in playground.points.items() if points.get_visible()] == ["spirals"]
    assert playground.progress.max == 100 * steps_per_epoch(len(y), 32)


def test_a_control_change_redraws_quickly(playground: TrainingPlayground) -> None:
    playground.controls["lr"].value = 0.1  # warm up
    start = time.perf_counter()
    for lr in (0.3, 1.0, 0.3, 1.0):
        playground.controls["lr"].value = lr
    assert (time.perf_counter() - start) / 4 < 0.1


def test_a_diverging_run_is_reported_not_raised(playground: TrainingPlayground) -> None:
    for name, value in {"lr": 30.0, "activation": "leaky_relu", "batch_size": 1, "epochs": 10}.items():
        playground.controls[name].value = value
    assert np.isnan(playground.train())
    assert "diverged" in playground.readout.value and "smaller learning rate" in playground.readout.value
    assert not playground.button.disabled


def test_every_run_starts_from_the_same_initial_network(playground: TrainingPlayground) -> None:
    playground.controls["epochs"].value = 10
    first = playground.train()
    first_params = playground.params
    assert playground.train() == first
    for name in first_params:
        np.testing.assert_array_equal(playground.params[name], first_params[name])
