"""The activation explorer: one neuron :math:`f(w x + b)` and its slope, with ``w`` and ``b`` on sliders.

In the browser (``js/explorers/activations.js``) the top panel shows the
neuron's output :math:`y = f(w x + b)` with :math:`f(x)` itself dashed for
comparison and the centre :math:`x = -b/w` dotted; the bottom panel its slope
:math:`dy/dx = w\\, f'(w x + b)`. The curves are :func:`dlbook.numpy.neuron_curve`
and the read-out is :func:`neuron_readout`, ported.
"""

from __future__ import annotations

import numpy as np
import traitlets

from dlbook._validate import check_finite, check_ndim, check_not_empty, check_real
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.activations import DERIVATIVES, get_activation, neuron_curve
from dlbook.widgets.explorer import Control, Explorer, slider_trait
from dlbook.widgets.formatting import signed_term

X_RANGE = (-5.0, 5.0)
"""The inputs :math:`x` the explorer plots."""

POINTS = 401
"""How many inputs :math:`x` the curves are computed at."""

WEIGHT_RANGE = (-5.0, 5.0)
"""The range of the sliders for :math:`w` and :math:`b`."""

Y_LIMITS = {"sigmoid": (-0.1, 1.1), "tanh": (-1.1, 1.1), "relu": (-1.0, 6.0), "leaky_relu": (-1.0, 6.0)}
"""Vertical range of the top panel per activation; ReLU's unbounded curve is cut at the top."""

MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0}
r"""The largest value of :math:`f'`: the slope panel spans :math:`\pm 1.1` times this times the largest :math:`|w|`."""


def explorer_inputs() -> np.ndarray:
    """The inputs :math:`x` the explorer plots: :data:`POINTS` evenly spaced over :data:`X_RANGE`."""
    return np.linspace(*X_RANGE, POINTS)


def neuron_readout(x: np.ndarray, w: float, b: float, activation: str) -> str:
    r"""The explorer's read-out for :math:`y = f(w x + b)` over the inputs ``x``.

    It names the centre :math:`x = -b/w` (where :math:`z = 0`: the sigmoid's
    and tanh's steepest point, ReLU's kink), the steepest slope on ``x``
    and the outputs' span there; with :math:`w = 0` the output is the constant :math:`f(b)`.
    """
    w, b = check_real("w", w), check_real("b", b)
    x = as_float_array(x, "x")
    check_ndim("x", x, (1,))
    check_not_empty("x", x)
    check_finite("x", x)
    formula = f"{activation}({w:.1f}·x {signed_term(b, 1)})"
    if w == 0:
        constant = float(get_activation(activation)(b))
        return f"{formula}: w = 0, so the output is the constant {activation}({b:.1f}) = {constant:.3f}"
    y, dy_dx = neuron_curve(x, w, b, activation)
    return (
        f"{formula}: centre (z = 0) at x = −b/w = {-b / w + 0.0:.2f}; "
        f"steepest slope |dy/dx| = {float(np.max(np.abs(dy_dx))):.3f}; "
        f"outputs from {float(np.min(y)):.3f} to {float(np.max(y)):.3f} for x in [{x[0]:.0f}, {x[-1]:.0f}]"
    )


class ActivationExplorer(Explorer):
    r"""Choose an activation :math:`f`, slide :math:`w` and :math:`b`, and watch :math:`f(w x + b)` and its slope."""

    MODULE = "activations"

    activation = traitlets.Enum(list(DERIVATIVES), default_value="sigmoid").tag(sync=True)
    w = slider_trait(1.0, WEIGHT_RANGE)
    b = slider_trait(0.0, WEIGHT_RANGE)
    x_range = traitlets.Tuple(traitlets.Float(), traitlets.Float(), default_value=X_RANGE,
                              read_only=True).tag(sync=True)
    points = traitlets.Int(POINTS, read_only=True).tag(sync=True)
    y_limits = traitlets.Dict(default_value=Y_LIMITS, read_only=True).tag(sync=True)
    max_slope = traitlets.Dict(default_value=MAX_SLOPE, read_only=True).tag(sync=True)

    CONTROLS = (
        Control("activation", "activation", kind="menu"),
        Control("w", "weight w"),
        Control("b", "bias b"),
    )

    def __init__(self, activation: str = "sigmoid", w: float = 1.0, b: float = 0.0) -> None:
        super().__init__(activation=activation, w=w, b=b)

    def readout(self) -> str:
        """The read-out for the current settings, as the browser shows it."""
        return neuron_readout(explorer_inputs(), self.w, self.b, self.activation)
