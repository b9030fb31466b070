"""The training playground: pick a data set and hyperparameters, press Train, watch the network learn.

In the spirit of TensorFlow Playground. The explorer is a view: the data come
from :mod:`dlbook.data`, the training from :func:`dlbook.numpy.training.train_mlp`
(whose callback reports every step), the colours from
:func:`dlbook.numpy.training.prob_class1`. Changing a control shows the
untrained network for the new settings; the Train button runs the training and
redraws the decision regions and the loss curve as it goes.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import numpy as np

from dlbook.batches import steps_per_epoch
from dlbook.data import make_moons, make_spirals, make_xor
from dlbook.numpy.activations import DERIVATIVES
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.training import Params, accuracy, prob_class1, train_mlp
from dlbook.plots import grid_points, plot_extent, scatter_classes, show_regions
from dlbook.widgets.view import Explorer

#: The two-class data sets to play with, each generated with a fixed seed.
DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "moons": lambda: make_moons(200, noise=0.1, seed=0),
    "xor": lambda: make_xor(200, noise=0.3, seed=0),
    "spirals": lambda: make_spirals(300, classes=2, noise=0.1, seed=0),
}
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0, 30.0)
BATCH_SIZES = (1, 8, 16, 32, 64, 200)
#: The loss axis is fixed (log scale), so the figure's background never needs redrawing during training.
LOSS_RANGE = (1e-3, 1e1)
#: How many times the picture is redrawn during one training run.
REDRAWS = 25


class TrainingPlayground(Explorer):
    """Data set, learning rate, hidden units, activation, batch size and epochs; a Train button and a progress bar.

    Left: the training data over the network's probability of class 1 (the
    decision boundary is where the colour turns). Right: the loss of every
    mini-batch step. :meth:`train` is what the button runs.
    """

    def __init__(self, seed: int = 0, resolution: int = 60) -> None:
        self.seed, self.resolution = seed, resolution
        # Sliders report only when released: nothing trains until the button is pressed anyway.
        common = {"style": {"description_width": "90px"}}
        sliders = {**common, "continuous_update": False}
        self.controls = {
            "data": widgets.Dropdown(options=list(DATASETS), value="moons", description="data", **common),
            "lr": widgets.SelectionSlider(options=LEARNING_RATES, value=0.5, description="learning rate", **sliders),
            "n_hidden": widgets.IntSlider(value=16, min=1, max=32, description="hidden units", **sliders),
            "activation": widgets.Dropdown(options=list(DERIVATIVES), value="tanh", description="activation",
                                           **common),
            "batch_size": widgets.SelectionSlider(options=BATCH_SIZES, value=32, description="batch size", **sliders),
            "epochs": widgets.IntSlider(value=100, min=10, max=500, step=10, description="epochs", **sliders),
        }
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="progress")
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        super().__init__(figsize=(9.0, 3.8))
        self.button.on_click(lambda _: self.train())
        self.widget.children = (self.widget.children[0], widgets.HBox([self.button, self.progress]),
                                *self.widget.children[1:])

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The chosen data set ``(X, y)`` (generated once, then cached)."""
        name = self.controls["data"].value
        if name not in self._data:
            self._data[name] = DATASETS[name]()
        return self._data[name]

    def draw(self) -> None:
        self.ax_regions, self.ax_loss = self.figure.subplots(1, 2)
        self.regions = self.animate(show_regions(self.ax_regions, np.full(self.resolution**2, 0.5), (0, 1, 0, 1)))
        self.points = {name: self.animate(scatter_classes(self.ax_regions, *make())) for name, make in DATASETS.items()}
        self.ax_regions.set(xlabel="$x_1$", ylabel="$x_2$", title="P(class 1) over the data")
        (line,) = self.ax_loss.plot([], [], color="tab:blue", linewidth=0.8)
        self.loss_line = self.animate(line)
        self.plan = self.animate(self.ax_loss.text(0.97, 0.95, "", transform=self.ax_loss.transAxes,
                                                   ha="right", va="top", fontsize=9))
        self.ax_loss.set(yscale="log", ylim=LOSS_RANGE, xlim=(0, self.total_steps()), xlabel="step",
                         ylabel="mini-batch loss", title="training loss")
        self.ax_loss.grid(True, alpha=0.3)

    def total_steps(self) -> int:
        """The number of SGD steps the current settings make: epochs times batches per epoch."""
        return self.controls["epochs"].value * steps_per_epoch(len(self.data()[1]), self.controls["batch_size"].value)

    def update(self) -> str:
        """Show the untrained network for the current settings, with an empty loss curve and progress."""
        v = self.values()
        X, _ = self.data()
        for name, points in self.points.items():
            points.set_visible(name == v["data"])
        extent = plot_extent(X)
        if extent != tuple(self.regions.get_extent()):
            self.grid = grid_points(extent, self.resolution)
            self.regions.set_extent(extent)
            self.ax_regions.set(xlim=extent[:2], ylim=extent[2:])
            self.redraw_background()
        total = self.total_steps()
        self.initial = init_mlp(X.shape[1], v["n_hidden"], 2, seed=self.seed)
        self.params = self.initial
        self.loss_line.set_data([], [])
        self.progress.max, self.progress.value = total, 0
        self.plan.set_text(f"{v['epochs']} epochs × {total // v['epochs']} batches = {total} steps")
        untrained = self.show_network(self.params)
        return f"Untrained network: accuracy {untrained:.1%}. Press <b>Train</b> to run {total} steps."

    def show_network(self, params: Params) -> float:
        """Colour the regions by the network ``params``; return its accuracy on the data."""
        X, y = self.data()
        activation = self.controls["activation"].value
        self.regions.set_data(prob_class1(params, self.grid, activation).reshape(self.resolution, self.resolution))
        return accuracy(params, X, y, activation)

    def train(self) -> float:
        """Train from the initial network, redrawing about :data:`REDRAWS` times; return the final accuracy.

        Every run starts from the same initial weights, so the same settings
        always give the same result. If the weights overflow (a learning rate
        far too large), the run stops, the read-out says so, and NaN is returned.
        """
        v = self.values()
        X, y = self.data()
        total = self.total_steps()
        if self.ax_loss.get_xlim() != (0, total):  # rescaling redraws the whole figure: once per run, not per slider move
            self.ax_loss.set_xlim(0, total)
            self.redraw_background()
        redraw_every = max(1, total // REDRAWS)
        per_epoch = total // v["epochs"]
        losses: list[float] = []

        def on_step(step: int, loss: float, params: Params) -> None:
            losses.append(loss)
            if step % redraw_every == 0 or step == total:
                self.loss_line.set_data(np.arange(1, step + 1), losses)
                acc = self.show_network(params)
                self.progress.value = step
                self.readout.value = (f"epoch {-(-step // per_epoch)}/{v['epochs']} &nbsp; step {step}/{total} "
                                      f"&nbsp; batch loss {loss:.4f} &nbsp; accuracy {acc:.1%}")
                self.image.value = self.render()

        self.button.disabled = True
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, not warned about
                self.params, _ = train_mlp(X, y, n_hidden=v["n_hidden"], activation=v["activation"], lr=v["lr"],
                                           batch_size=v["batch_size"], epochs=v["epochs"], seed=self.seed,
                                           params=self.initial, callback=on_step, every=1)
        except ValueError as error:  # the NaN checks of the forward and backward pass
            self.readout.value = (f"Training diverged at step {len(losses) + 1}: the weights overflowed ({error}). "
                                  f"Try a smaller learning rate.")
            return float("nan")
        finally:
            self.button.disabled = False
        return accuracy(self.params, X, y, v["activation"])
