"""The perceptron explorer: weights, bias and activation on sliders, the decision boundary live."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from dlbook.numpy.activations import ACTIVATIONS
from dlbook.numpy.perceptron import perceptron, predict_class, weighted_sum
from dlbook.plots import decision_line, grid_points, plot_extent, scatter_classes, show_regions
from dlbook.widgets.view import Explorer

OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "step": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def output_range(activation: str, outputs: np.ndarray) -> tuple[float, float]:
    """Colour limits for a map of the activation's outputs: its range, or the outputs' own spread if unbounded."""
    if activation in OUTPUT_RANGE:
        return OUTPUT_RANGE[activation]
    spread = float(np.max(np.abs(outputs))) or 1.0
    return -spread, spread


def _slider(description: str, value: float, low: float = -3.0, high: float = 3.0) -> widgets.FloatSlider:
    return widgets.FloatSlider(value=value, min=low, max=high, step=0.1, description=description,
                               continuous_update=True, readout_format=".1f")


class PerceptronExplorer(Explorer):
    """Sliders for :math:`w_1, w_2, b`, a choice of activation and an input point :math:`x`.

    The background shows the perceptron's output over the plane, the dashed line
    is the decision boundary :math:`w \\cdot x + b = 0`, the star is the chosen input.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, w: tuple[float, float] = (1.0, -1.0), b: float = 0.0,
                 x: tuple[float, float] = (1.0, 0.5)) -> None:
        self.X, self.y = X, y
        self.extent = plot_extent(X)
        self.grid = grid_points(self.extent, resolution=60)
        self.controls = {
            "w1": _slider("w₁", w[0]),
            "w2": _slider("w₂", w[1]),
            "b": _slider("b", b),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), value="sigmoid", description="activation"),
            "x1": _slider("input x₁", x[0]),
            "x2": _slider("input x₂", x[1]),
        }
        super().__init__(figsize=(5.5, 4.2))

    def draw(self) -> None:
        ax = self.figure.add_subplot()
        self.regions = self.animate(show_regions(ax, np.zeros(len(self.grid)), self.extent))
        self.animate(scatter_classes(ax, self.X, self.y))
        (line,) = ax.plot([], [], "k--", linewidth=2, zorder=4, label="$w \\cdot x + b = 0$")
        (point,) = ax.plot([], [], marker="*", markersize=16, color="gold", markeredgecolor="black",
                           linestyle="none", zorder=5, label="input $x$")
        self.line, self.point = self.animate(line), self.animate(point)
        ax.set(xlim=self.extent[:2], ylim=self.extent[2:], xlabel="$x_1$", ylabel="$x_2$")
        self.animate(ax.legend(loc="upper right", fontsize=8))  # drawn last, above the points
        self.figure.colorbar(self.regions, ax=ax, label="output $\\hat y$")

    def update(self) -> str:
        v = self.values()
        w, b, x = np.array([v["w1"], v["w2"]]), v["b"], np.array([v["x1"], v["x2"]])
        outputs = perceptron(self.grid, w, b, v["activation"])
        self.regions.set_data(outputs.reshape(self.regions.get_array().shape))
        clim = output_range(v["activation"], outputs)
        if clim != self.regions.get_clim():
            self.regions.set_clim(*clim)
            self.redraw_background()  # the colour bar's scale changed
        self.line.set_data(*decision_line(w, b, self.extent))
        self.point.set_data([x[0]], [x[1]])
        z = float(weighted_sum(x, w, b))
        y_hat = float(perceptron(x, w, b, v["activation"]))
        return (f"z = w·x + b = {z:.3f} &nbsp;&nbsp; ŷ = {v['activation']}(z) = {y_hat:.3f} "
                f"&nbsp;&nbsp; accuracy on the data: {np.mean(predict_class(self.X, w, b) == self.y):.0%}")
