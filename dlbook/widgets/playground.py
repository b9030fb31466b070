r"""The training playground: pick a data set and hyperparameters, press Train, watch the network learn.

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

To watch a network overfit, as TensorFlow Playground's readers do, three
settings change the data and one the training: *label noise* gives a share
of the points the other class's label; a *held-out* share of the points is
drawn apart (hollow markers), never trained on, and its loss is measured
after every epoch, a curve beside the loss on the training points, measured
alike; the *L2 rate* is the
weight decay :math:`\lambda` of :mod:`dlbook.numpy.weight_decay`. Which points
are flipped and which held out is fixed per data set (two seeded
permutations, :data:`PARTITION_SEED`): a larger share adds points to the
smaller one's.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import traitlets

from dlbook._validate import check_count, check_seed
from dlbook.batches import steps_per_epoch
from dlbook.data import make_moons, make_spirals, make_xor
from dlbook.numpy.activations import DERIVATIVES
from dlbook.numpy.classification import batch_accuracy
from dlbook.numpy.mlp import init_mlp, mlp_forward, softmax_cross_entropy
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
#: The L2 rates (weight decay) to choose from; 0 is plain gradient descent.
L2_RATES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
#: The largest shares of flipped labels and of held-out points.
MAX_NOISE = MAX_HELD_OUT = 0.5
#: The seed of the two permutations that say which points get flipped labels and which are held out.
PARTITION_SEED = 1
#: The settings a run depends on; changing one shows the untrained network for the new settings.
SETTINGS = ("data", "noise", "held_out", "lr", "n_hidden", "activation", "batch_size", "epochs", "weight_decay")


def partition_orders(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The two permutations of ``n`` points: the order in which labels get flipped, and held out.

    Drawn from ``numpy.random.default_rng(PARTITION_SEED)``, flips first.
    """
    rng = np.random.default_rng(PARTITION_SEED)
    return rng.permutation(n), rng.permutation(n)


def share_count(share: float, n: int) -> int:
    r"""How many of ``n`` points a share stands for: :math:`\lfloor s n + 1/2 \rfloor` (halves up, as the browser rounds)."""
    return math.floor(share * n + 0.5)


def noisy_labels(y: np.ndarray, flip_order: np.ndarray, noise: float) -> np.ndarray:
    """``y`` with the first ``share_count(noise, n)`` points of ``flip_order`` given the other class (two classes)."""
    labels = np.array(y)
    flipped = flip_order[:share_count(noise, len(y))]
    labels[flipped] = 1 - labels[flipped]
    return labels


def held_out_mask(held_out_order: np.ndarray, held_out: float) -> np.ndarray:
    """``True`` for the first ``share_count(held_out, n)`` points of ``held_out_order``: those drawn apart."""
    held = np.zeros(len(held_out_order), dtype=bool)
    held[held_out_order[:share_count(held_out, len(held_out_order))]] = True
    return held


def untrained_readout(untrained_accuracy: float, total: int, held_out_accuracy: float | None = None) -> str:
    """The read-out before a run: the untrained network's accuracy (and held-out accuracy) and the run's length."""
    held = "" if held_out_accuracy is None else f", held-out accuracy {held_out_accuracy:.1%}"
    return f"Untrained network: accuracy {untrained_accuracy:.1%}{held}. Press Train to run {total} steps."


def progress_readout(step: int, total: int, epochs: int, loss: float, network_accuracy: float,
                     held_out: tuple[float, float] | None = None) -> str:
    """The read-out during and after a run, at the 1-based ``step`` whose batch loss was ``loss``.

    ``network_accuracy`` is on the training points; ``held_out``, when there
    are held-out points, is their ``(loss, accuracy)`` under the same network.
    A cross-entropy is never below 0; a fitted batch's loss that rounding left at
    -0.0 or -1e-17 is written ``0.0000``, not ``-0.0000``.
    """
    epoch = -(-step * epochs // total)
    shown = 0.0 if loss <= 0 else loss
    held = "" if held_out is None else f"; held-out loss {held_out[0]:.4f}, accuracy {held_out[1]:.1%}"
    return (f"epoch {epoch}/{epochs}; step {step}/{total}; batch loss {shown:.4f}; "
            f"accuracy {network_accuracy:.1%}{held}")


def diverged_readout(step: int) -> str:
    """The read-out of a run stopped at ``step`` by a NaN (a learning rate far too large)."""
    return f"Training diverged at step {step}: the weights overflowed. Try a smaller learning rate."


def loss_and_accuracy(params: Params, X: np.ndarray, y: np.ndarray, activation: str) -> tuple[float, float]:
    """A network's mean softmax cross-entropy and accuracy on ``(X, y)``."""
    logits = mlp_forward(params, X, activation)[0]
    return softmax_cross_entropy(logits, y)[0], batch_accuracy(logits, y)


def _as_lists(params: Params) -> dict[str, list]:
    return {name: value.tolist() for name, value in params.items()}


class TrainingPlayground(Explorer):
    """Data set, label noise, held-out share, learning rate, hidden units, activation, batch size, epochs and
    L2 rate; a Train button and a progress bar.

    Left: the data over the network's probability of class 1 (the decision
    boundary is where the colour turns), held-out points hollow. Right: the
    loss of every mini-batch step and, with held-out points, their loss after
    every epoch. :meth:`train` trains here, in NumPy; the Train button trains
    in the browser. Both give the same run for the same settings.
    """

    MODULE = "playground"

    data = traitlets.Enum(list(DATASETS), default_value="moons").tag(sync=True)
    noise = traitlets.Float(0.0, min=0.0, max=MAX_NOISE).tag(sync=True)
    held_out = traitlets.Float(0.0, min=0.0, max=MAX_HELD_OUT).tag(sync=True)
    lr = traitlets.Enum(list(LEARNING_RATES), default_value=0.5).tag(sync=True)
    n_hidden = traitlets.Int(16, min=1, max=32).tag(sync=True)
    activation = traitlets.Enum(list(DERIVATIVES), default_value="tanh").tag(sync=True)
    batch_size = traitlets.Enum(list(BATCH_SIZES), default_value=32).tag(sync=True)
    epochs = traitlets.Int(100, min=10, max=500).tag(sync=True)
    weight_decay = traitlets.Enum(list(L2_RATES), default_value=0.0).tag(sync=True)

    seed = traitlets.Int(0, read_only=True).tag(sync=True)
    seed_state = traitlets.Dict(read_only=True).tag(sync=True)
    datasets = traitlets.Dict(read_only=True).tag(sync=True)
    resolution = traitlets.Int(60, read_only=True).tag(sync=True)
    loss_range = traitlets.Tuple(traitlets.Float(), traitlets.Float(), default_value=LOSS_RANGE,
                                 read_only=True).tag(sync=True)

    params = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    losses = traitlets.List(traitlets.Float()).tag(sync=True)
    epoch_losses = traitlets.List(traitlets.Float()).tag(sync=True)
    held_out_losses = traitlets.List(traitlets.Float()).tag(sync=True)
    accuracy = traitlets.Float(allow_none=True, default_value=None).tag(sync=True)
    diverged_at = traitlets.Int(allow_none=True, default_value=None).tag(sync=True)

    CONTROLS = (
        Control("data", "data", kind="menu"),
        Control("noise", "label noise", step=0.05, digits=2),
        Control("held_out", "held out", step=0.05, digits=2),
        Control("lr", "learning rate", kind="choices"),
        Control("n_hidden", "hidden units", step=1, digits=0),
        Control("activation", "activation", kind="menu"),
        Control("batch_size", "batch size", kind="choices"),
        Control("epochs", "epochs", step=10, digits=0),
        Control("weight_decay", "L2 rate", kind="choices"),
    )

    def __init__(self, seed: int = 0, resolution: int = 60, **settings: Any) -> None:
        seed = check_seed(seed)
        resolution = check_count("resolution", resolution, 2, MAX_RESOLUTION)
        super().__init__(**settings)
        state = np.random.default_rng(seed).bit_generator.state["state"]
        self.set_trait("seed", seed)
        self.set_trait("seed_state", {key: str(value) for key, value in state.items()})
        self.set_trait("resolution", resolution)
        datasets = {}
        for name, make in DATASETS.items():
            X, y = make()
            flips, held = partition_orders(len(y))
            datasets[name] = {"X": X.tolist(), "y": y.tolist(), "flips": flips.tolist(), "held": held.tolist()}
        self.set_trait("datasets", datasets)

    @traitlets.observe(*SETTINGS)
    def _forget_the_last_run(self, change: dict[str, Any]) -> None:
        """New settings: the last run's network no longer belongs to them."""
        self.params, self.losses, self.epoch_losses, self.held_out_losses = None, [], [], []
        self.accuracy, self.diverged_at = None, None

    def data_set(self) -> tuple[np.ndarray, np.ndarray]:
        """The chosen data set ``(X, y)``, every point, with the label noise applied."""
        chosen = self.datasets[self.data]
        return np.asarray(chosen["X"]), noisy_labels(np.asarray(chosen["y"]), np.asarray(chosen["flips"]), self.noise)

    def held_out_points(self) -> np.ndarray:
        """``True`` for every point of :meth:`data_set` that is held out (never trained on)."""
        return held_out_mask(np.asarray(self.datasets[self.data]["held"]), self.held_out)

    def training_set(self) -> tuple[np.ndarray, np.ndarray]:
        """The points the network trains on, ``(X, y)`` in the data set's order: those not held out."""
        X, y = self.data_set()
        kept = ~self.held_out_points()
        return X[kept], y[kept]

    def held_out_set(self) -> tuple[np.ndarray, np.ndarray]:
        """The held-out points ``(X, y)``, in the data set's order (none when the share is 0)."""
        X, y = self.data_set()
        held = self.held_out_points()
        return X[held], y[held]

    def batch(self) -> int:
        """The batch size of a run: the chosen one, at most the number of training points (then full batch)."""
        return min(self.batch_size, len(self.training_set()[1]))

    def total_steps(self) -> int:
        """The number of SGD steps the current settings make: epochs times batches per epoch."""
        return self.epochs * steps_per_epoch(len(self.training_set()[1]), self.batch())

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

        The network trains on :meth:`training_set` (with the L2 rate as
        ``weight_decay``); with held-out points, the mean loss on them and on
        the training points after every epoch land in :attr:`held_out_losses`
        and :attr:`epoch_losses`. The result lands in :attr:`params`,
        :attr:`losses` and :attr:`accuracy` (on the training points), and every
        view redraws it. If the weights overflow (a learning rate far too
        large), the run stops at that step (:attr:`diverged_at`) and NaN is returned.
        """
        X, y = self.training_set()
        X_held, y_held = self.held_out_set()
        per_epoch = steps_per_epoch(len(y), self.batch())
        losses: list[float] = []
        epoch_losses: list[float] = []
        held_out_losses: list[float] = []

        def record(step: int, loss: float, params: Params) -> None:
            losses.append(loss)
            if len(y_held) and step % per_epoch == 0:
                epoch_losses.append(loss_and_accuracy(params, X, y, self.activation)[0])
                held_out_losses.append(loss_and_accuracy(params, X_held, y_held, self.activation)[0])

        try:
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported, not warned about
                params, _ = train_mlp(X, y, n_hidden=self.n_hidden, activation=self.activation, lr=self.lr,
                                      batch_size=self.batch(), epochs=self.epochs, seed=self.seed,
                                      params=self.initial_params(), callback=record, every=1,
                                      weight_decay=self.weight_decay)
        except ValueError:  # the NaN checks of the forward and backward pass
            with self.hold_sync():
                self.params, self.losses, self.accuracy = None, losses, None
                self.epoch_losses, self.held_out_losses = epoch_losses, held_out_losses
                self.diverged_at = len(losses) + 1
            return float("nan")
        final = accuracy(params, X, y, self.activation)
        with self.hold_sync():
            self.params, self.losses, self.accuracy, self.diverged_at = _as_lists(params), losses, final, None
            self.epoch_losses, self.held_out_losses = epoch_losses, held_out_losses
        return final

    def held_out_results(self) -> tuple[float, float] | None:
        """``(loss, accuracy)`` of :meth:`network` on the held-out points; ``None`` when there are none."""
        X_held, y_held = self.held_out_set()
        if not len(y_held):
            return None
        return loss_and_accuracy(self.network(), X_held, y_held, self.activation)

    def readout(self) -> str:
        """The read-out for the current state, as the browser shows it."""
        if self.diverged_at is not None:
            return diverged_readout(self.diverged_at)
        total = self.total_steps()
        held = self.held_out_results()
        if self.params is None:
            X, y = self.training_set()
            return untrained_readout(accuracy(self.initial_params(), X, y, self.activation), total,
                                     None if held is None else held[1])
        return progress_readout(total, total, self.epochs, self.losses[-1], self.accuracy, held)
