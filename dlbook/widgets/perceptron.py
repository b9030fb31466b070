"""The perceptron explorer: weights, bias and activation on sliders, the decision boundary live.

In the browser (``js/explorers/perceptron.js``) the background shows the
perceptron's output over the plane, the dashed line is the decision boundary
:math:`w \\cdot x + b = 0` and the star is the chosen input :math:`x`; the
read-out is :func:`perceptron_readout`, ported.
"""

from __future__ import annotations

import numpy as np
import traitlets
from numpy.typing import ArrayLike

from dlbook._validate import check_labelled_data
from dlbook.numpy.activations import ACTIVATIONS
from dlbook.numpy.perceptron import perceptron, predict_class, weighted_sum
from dlbook.widgets.explorer import Control, Explorer

WEIGHT_RANGE = (-3.0, 3.0)
"""The range of every slider: the weights, the bias and the input's coordinates."""


def _slider_trait(value: float) -> traitlets.Float:
    return traitlets.Float(value, min=WEIGHT_RANGE[0], max=WEIGHT_RANGE[1]).tag(sync=True)


def perceptron_readout(
    X: ArrayLike, y: ArrayLike, w: ArrayLike, b: float, activation: str, x: ArrayLike
) -> str:
    """The explorer's read-out: :math:`z = w \\cdot x + b`, :math:`\\hat y = f(z)` and the accuracy on ``(X, y)``."""
    w, x = np.asarray(w, dtype=np.float64), np.asarray(x, dtype=np.float64)
    z = float(weighted_sum(x, w, b))
    y_hat = float(perceptron(x, w, b, activation))
    accuracy = float(np.mean(predict_class(X, w, b) == np.asarray(y)))
    return f"z = w·x + b = {z:.3f}; ŷ = {activation}(z) = {y_hat:.3f}; accuracy on the data: {accuracy:.0%}"


class PerceptronExplorer(Explorer):
    """Sliders for :math:`w_1, w_2, b`, a choice of activation and an input point :math:`x`, over the data ``(X, y)``."""

    MODULE = "perceptron"

    w1 = _slider_trait(1.0)
    w2 = _slider_trait(-1.0)
    b = _slider_trait(0.0)
    activation = traitlets.Enum(list(ACTIVATIONS), default_value="sigmoid").tag(sync=True)
    x1 = _slider_trait(1.0)
    x2 = _slider_trait(0.5)
    points = traitlets.List(read_only=True).tag(sync=True)
    labels = traitlets.List(read_only=True).tag(sync=True)

    CONTROLS = (
        Control("w1", "weight w₁"),
        Control("w2", "weight w₂"),
        Control("b", "bias b"),
        Control("activation", "activation", kind="menu"),
        Control("x1", "input x₁"),
        Control("x2", "input x₂"),
    )

    def __init__(self, X: ArrayLike, y: ArrayLike, w: tuple[float, float] = (1.0, -1.0), b: float = 0.0,
                 x: tuple[float, float] = (1.0, 0.5), activation: str = "sigmoid") -> None:
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
        check_labelled_data(X, y, n_classes=2)
        if X.shape[1] != 2:
            raise ValueError(f"X must have 2 columns (points in the plane), got shape {X.shape}")
        super().__init__(w1=w[0], w2=w[1], b=b, x1=x[0], x2=x[1], activation=activation)
        self.set_trait("points", X.tolist())
        self.set_trait("labels", y.tolist())

    @property
    def X(self) -> np.ndarray:
        """The data points, shape ``(n, 2)``."""
        return np.asarray(self.points)

    @property
    def y(self) -> np.ndarray:
        """The class of every point, 0 or 1."""
        return np.asarray(self.labels)

    def readout(self) -> str:
        """The read-out for the current settings, as the browser shows it."""
        return perceptron_readout(self.X, self.y, (self.w1, self.w2), self.b, self.activation, (self.x1, self.x2))
