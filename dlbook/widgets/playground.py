"""The training playground: pick a data set and hyperparameters, press Train, watch the network learn.

In the spirit of TensorFlow Playground, and trained where the reader is: the
browser module (``js/explorers/playground.js``) runs
:func:`dlbook.numpy.training.train_mlp`, ported step for step, redrawing the
decision regions and the loss curve as it learns. It starts from the same
initial weights and draws the same mini-batches as NumPy, because the Python
side sends the state of ``numpy.random.default_rng(seed)`` (:attr:`seed_state`)
and the module reproduces NumPy's generator from it; so a run in the browser
and :meth:`TrainingPlayground.train` here give the same network. After a run,
:attr:`~TrainingPlayground.params`, :attr:`~TrainingPlayground.losses` and
:attr:`~TrainingPlayground.accuracy` hold its result, whichever side trained.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import traitlets

from dlbook._validate import check_count, check_seed
from dlbook.batches import steps_per_epoch
from dlbook.data import make_moons, make_spirals, make_xor
from dlbook.numpy.activations import DERIVATIVES
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.training import Params, accuracy, train_mlp
from dlbook.widgets.explorer import Control, Explorer

#: The two-class data sets to play with, each generated with a fixed seed.
DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "moons": lambda: make_moons(200, noise=0.1, seed=0),
    "xor": lambda: make_xor(200, noise=0.3, seed=0),
    "spirals": lambda: make_spirals(300, classes=2, noise=0.1, seed=0),
}
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0, 30.0)
BATCH_SIZES = (1, 8, 16, 32, 64, 200)
#: The loss axis is fixed (log scale), from a near-perfect fit to far worse than guessing.
LOSS_RANGE = (1e-3, 1e1)
#: The largest grid of decision regions the browser draws: a side of this many points.
MAX_RESOLUTION = 200
#: The settings a run depends on; changing one shows the untrained network for the new settings.
SETTINGS = ("data", "lr", "n_hidden", "activation", "batch_size", "epochs")


def untrained_readout(untrained_accuracy: float, total: int) -> str:
    """The read-out before a run: the untrained network's accuracy and the run's length."""
    return f"Untrained network: accuracy {untrained_accuracy:.1%}. Press Train to run {total} steps."


def progress_readout(step: int, total: int, epochs: int, loss: float, network_accuracy: float) -> str:
    """The read-out during and after a run, at the 1-based ``step`` whose batch loss was ``loss``.

    A cross-entropy is never below 0; a fitted batch's loss that rounding left at -0.0 or
    -1e-17 is written ``0.0000``, not ``-0.0000``.
    """
    epoch = -(-step * epochs // total)
    shown = 0.0 if loss <= 0 else loss
    return (f"epoch {epoch}/{epochs}; step {step}/{total}; batch loss {shown:.4f}; "
            f"accuracy {network_accuracy:.1%}")


def diverged_readout(step: int) -> str:
    """The read-out of a run stopped at ``step`` by a NaN (a learning rate far too large)."""
    return f"Training diverged at step {step}: the weights overflowed. Try a smaller learning rate."


def _as_lists(params: Params) -> dict[str, list]:
    return {name: value.tolist() for name, value in params.items()}


class TrainingPlayground(Explorer):
    """Data set, learning rate, hidden units, activation, batch size and epochs; a Train button and a progress bar.

    Left: the training data over the network's probability of class 1 (the
    decision boundary is where the colour turns). Right: the loss of every
    mini-batch step. :meth:`train` trains here, in NumPy; the Train button trains
    in the browser. Both give the same run for the same settings.
    """

    MODULE = "playground"

    data = traitlets.Enum(list(DATASETS), default_value="moons").tag(sync=True)
    lr = traitlets.Enum(list(LEARNING_RATES), default_value=0.5).tag(sync=True)
    n_hidden = traitlets.Int(16, min=1, max=32).tag(sync=True)
    activation = traitlets.Enum(list(DERIVATIVES), default_value="tanh").tag(sync=True)
    batch_size = traitlets.Enum(list(BATCH_SIZES), default_value=32).tag(sync=True)
    epochs = traitlets.Int(100, min=10, max=500).tag(sync=True)

    seed = traitlets.Int(0, read_only=True).tag(sync=True)
    seed_state = traitlets.Dict(read_only=True).tag(sync=True)
    datasets = traitlets.Dict(read_only=True).tag(sync=True)
    resolution = traitlets.Int(60, read_only=True).tag(sync=True)
    loss_range = traitlets.Tuple(traitlets.Float(), traitlets.Float(), default_value=LOSS_RANGE,
                                 read_only=True).tag(sync=True)

    params = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    losses = traitlets.List(traitlets.Float()).tag(sync=True)
    accuracy = traitlets.Float(allow_none=True, default_value=None).tag(sync=True)
    diverged_at = traitlets.Int(allow_none=True, default_value=None).tag(sync=True)

    CONTROLS = (
        Control("data", "data", kind="menu"),
        Control("lr", "learning rate", kind="choices"),
        Control("n_hidden", "hidden units", step=1, digits=0),
        Control("activation", "activation", kind="menu"),
        Control("batch_size", "batch size", kind="choices"),
        Control("epochs", "epochs", step=10, digits=0),
    )

    def __init__(self, seed: int = 0, resolution: int = 60, **settings: Any) -> None:
        seed = check_seed(seed)
        resolution = check_count("resolution", resolution, 2, MAX_RESOLUTION)
        super().__init__(**settings)
        state = np.random.default_rng(seed).bit_generator.state["state"]
        self.set_trait("seed", seed)
        self.set_trait("seed_state", {key: str(value) for key, value in state.items()})
        self.set_trait("resolution", resolution)
        self.set_trait("datasets", {name: {"X": X.tolist(), "y": y.tolist()}
                                    for name, (X, y) in ((name, make()) for name, make in DATASETS.items())})

    @traitlets.observe(*SETTINGS)
    def _forget_the_last_run(self, change: dict[str, Any]) -> None:
        """New settings: the last run's network no longer belongs to them."""
        self.params, self.losses, self.accuracy, self.diverged_at = None, [], None, None

    def data_set(self) -> tuple[np.ndarray, np.ndarray]:
        """The chosen data set ``(X, y)``."""
        chosen = self.datasets[self.data]
        return np.asarray(chosen["X"]), np.asarray(chosen["y"])

    def total_steps(self) -> int:
        """The number of SGD steps the current settings make: epochs times batches per epoch."""
        return self.epochs * steps_per_epoch(len(self.data_set()[1]), self.batch_size)

    def initial_params(self) -> Params:
        """The untrained network every run starts from: :func:`dlbook.numpy.mlp.init_mlp` with :attr:`seed`."""
        return init_mlp(2, self.n_hidden, 2, seed=self.seed)

    def network(self) -> Params:
        """The last run's network, or the untrained one when there was none for these settings."""
        if self.params is None:
            return self.initial_params()
        return {name: np.asarray(value, dtype=np.float64) for name, value in self.params.items()}

    def train(self) -> float:
        """Train from the initial network with the current settings, in NumPy; return the final accuracy.

        The result lands in :attr:`params`, :attr:`losses` and :attr:`accuracy`,
        and every view redraws it. If the weights overflow (a learning rate far
        too large), the run stops at that step (:attr:`diverged_at`) and NaN is returned.
        """
        X, y = self.data_set()
        losses: list[float] = []
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported, not warned about
                params, _ = train_mlp(X, y, n_hidden=self.n_hidden, activation=self.activation, lr=self.lr,
                                      batch_size=self.batch_size, epochs=self.epochs, seed=self.seed,
                                      params=self.initial_params(),
                                      callback=lambda step, loss, _: losses.append(loss), every=1)
        except ValueError:  # the NaN checks of the forward and backward pass
            with self.hold_sync():
                self.params, self.losses, self.accuracy = None, losses, None
                self.diverged_at = len(losses) + 1
            return float("nan")
        final = accuracy(params, X, y, self.activation)
        with self.hold_sync():
            self.params, self.losses, self.accuracy, self.diverged_at = _as_lists(params), losses, final, None
        return final

    def readout(self) -> str:
        """The read-out for the current state, as the browser shows it."""
        if self.diverged_at is not None:
            return diverged_readout(self.diverged_at)
        total = self.total_steps()
        if self.params is None:
            X, y = self.data_set()
            return untrained_readout(accuracy(self.initial_params(), X, y, self.activation), total)
        return progress_readout(total, total, self.epochs, self.losses[-1], self.accuracy)
