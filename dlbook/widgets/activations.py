"""The activation explorer: one neuron :math:`f(w x + b)` and its slope, with ``w`` and ``b`` on sliders.

The numbers come from :func:`dlbook.numpy.neuron_curve` and :func:`neuron_readout`;
the explorer only wires the controls to them and moves the lines.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from dlbook.numpy.activations import DERIVATIVES, get_activation, neuron_curve
from dlbook.widgets.view import Explorer

X_RANGE = (-5.0, 5.0)
"""The inputs :math:`x` the explorer plots."""

WEIGHT_RANGE = (-5.0, 5.0)
"""The range of the sliders for :math:`w` and :math:`b`."""

Y_LIMITS = {"sigmoid": (-0.1, 1.1), "tanh": (-1.1, 1.1), "relu": (-1.0, 6.0), "leaky_relu": (-1.0, 6.0)}
"""Vertical range of the top panel per activation; ReLU's unbounded curve is cut at the top."""

MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0}
r"""The largest value of :math:`f'`: the slope panel spans :math:`\pm` this times the largest :math:`|w|`."""


def neuron_readout(x: np.ndarray, w: float, b: float, activation: str) -> str:
    r"""The explorer's read-out (HTML) for :math:`y = f(w x + b)` over the inputs ``x``.

    It names the centre :math:`x = -b/w` (where :math:`z = 0`: the sigmoid's
    and tanh's steepest point, ReLU's kink), the steepest slope on ``x``
    and the outputs' span there; with :math:`w = 0` the output is the constant :math:`f(b)`.
    """
    y, dy_dx = neuron_curve(x, w, b, activation)
    formula = f"{activation}({w:.1f}·x {'+' if b >= 0 else '−'} {abs(b):.1f})"
    if w == 0:
        constant = float(get_activation(activation)(b))
        return f"{formula}: w = 0, so the output is the constant {activation}({b:.1f}) = {constant:.3f}"
    return (
        f"{formula}: centre (z = 0) at x = −b/w = {-b / w + 0.0:.2f} &nbsp;&nbsp; "
        f"steepest slope |dy/dx| = {float(np.max(np.abs(dy_dx))):.3f} &nbsp;&nbsp; "
        f"outputs from {float(np.min(y)):.3f} to {float(np.max(y)):.3f} for x in [{x[0]:.0f}, {x[-1]:.0f}]"
    )


def _slider(description: str, value: float) -> widgets.FloatSlider:
    low, high = WEIGHT_RANGE
    return widgets.FloatSlider(value=value, min=low, max=high, step=0.1, description=description,
                               continuous_update=True, readout_format=".1f")


class ActivationExplorer(Explorer):
    r"""Choose an activation :math:`f`, slide :math:`w` and :math:`b`, and watch :math:`f(w x + b)` and its slope.

    Top: the neuron's output :math:`y = f(w x + b)` with :math:`f(x)` itself
    dashed for comparison and the centre :math:`x = -b/w` dotted. Bottom: the
    slope :math:`dy/dx = w\, f'(w x + b)`.
    """

    def __init__(self, activation: str = "sigmoid", w: float = 1.0, b: float = 0.0, points: int = 401) -> None:
        self.x = np.linspace(*X_RANGE, points)
        self.controls = {
            "activation": widgets.Dropdown(options=list(DERIVATIVES), value=activation, description="activation"),
            "w": _slider("weight w", w),
            "b": _slider("bias b", b),
        }
        self._limits_for: str | None = None
        super().__init__(figsize=(6.0, 4.6))

    def draw(self) -> None:
        self.ax_y, self.ax_slope = self.figure.subplots(2, 1, sharex=True)
        (self.reference,) = self.ax_y.plot([], [], "--", color="0.6", linewidth=1.2, label="$f(x)$")
        (self.curve,) = self.ax_y.plot([], [], color="C0", linewidth=2.2, label="$f(wx + b)$")
        (self.slope,) = self.ax_slope.plot([], [], color="C3", linewidth=2.2, label="$w\\,f'(wx + b)$")
        self.centres = [ax.axvline(0.0, color="0.3", linestyle=":", linewidth=1.2) for ax in (self.ax_y, self.ax_slope)]
        for artist in (self.reference, self.curve, self.slope, *self.centres):
            self.animate(artist)
        self.ax_y.set(ylabel="output $y$", xlim=X_RANGE)
        self.ax_slope.set(xlabel="input $x$", ylabel="slope $dy/dx$")
        for ax in (self.ax_y, self.ax_slope):
            ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
            ax.legend(loc="upper left", fontsize=8)

    def _set_limits(self, activation: str) -> None:
        """Fit the vertical ranges to ``activation`` (only when it changes: it redraws the background)."""
        if activation == self._limits_for:
            return
        self.ax_y.set_ylim(*Y_LIMITS[activation])
        reach = 1.1 * MAX_SLOPE[activation] * max(abs(v) for v in WEIGHT_RANGE)
        self.ax_slope.set_ylim(-reach, reach)
        self._limits_for = activation
        self.redraw_background()

    def update(self) -> str:
        v = self.values()
        activation, w, b = v["activation"], v["w"], v["b"]
        self._set_limits(activation)
        y, dy_dx = neuron_curve(self.x, w, b, activation)
        self.reference.set_data(self.x, get_activation(activation)(self.x))
        self.curve.set_data(self.x, y)
        self.slope.set_data(self.x, dy_dx)
        centre = -b / w if w != 0 else np.nan  # no centre: a NaN line is not drawn
        for line in self.centres:
            line.set_xdata([centre, centre])
        return neuron_readout(self.x, w, b, activation)
