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

from dlbook._validate import check_finite, check_labelled_data
from dlbook.numpy._arrays import as_float_array, as_numeric_array
from dlbook.numpy.activations import ACTIVATIONS
from dlbook.numpy.perceptron import perceptron, predict_class, weighted_sum
from dlbook.widgets.explorer import Control, Explorer, slider_trait

WEIGHT_RANGE = (-3.0, 3.0)
"""The range of every slider: the weights, the bias and the input's coordinates."""


def perceptron_readout(
    X: ArrayLike, y: ArrayLike, w: ArrayLike, b: float, activation: str, x: ArrayLike
) -> str:
    """The explorer's read-out: :math:`z = w \\cdot x + b`, :math:`\\hat y = f(z)` and the accuracy on ``(X, y)``."""
    X, y = _labelled_points(X, y)
    w, x = _pair(w, "w"), _pair(x, "x")
    z = float(weighted_sum(x, w, b))
    y_hat = float(perceptron(x, w, b, activation))
    accuracy = float(np.mean(predict_class(X, w, b) == y))
    return f"z = w·x + b = {z:.3f}; ŷ = {activation}(z) = {y_hat:.3f}; accuracy on the data: {accuracy:.0%}"


def _pair(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as two float64 numbers, one per coordinate of the plane (``ValueError`` otherwise)."""
    pair = as_float_array(values, name).astype(np.float64)
    if pair.shape != (2,):
        raise ValueError(f"{name} must be two numbers, one per coordinate, got shape {pair.shape}")
    check_finite(name, pair)
    return pair


def _labelled_points(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` checked: points of the plane, shape ``(n, 2)``, with labels 0 and 1."""
    X, y = as_float_array(X, "X").astype(np.float64), as_numeric_array(y, "y")
    check_labelled_data(X, y, n_classes=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns (points in the plane), got shape {X.shape}")
    return X, y


class PerceptronExplorer(Explorer):
    """Sliders for :math:`w_1, w_2, b`, a choice of activation and an input point :math:`x`, over the data ``(X, y)``."""

    MODULE = "perceptron"

    w1 = slider_trait(1.0, WEIGHT_RANGE)
    w2 = slider_trait(-1.0, WEIGHT_RANGE)
    b = slider_trait(0.0, WEIGHT_RANGE)
    activation = traitlets.Enum(list(ACTIVATIONS), default_value="sigmoid").tag(sync=True)
    x1 = slider_trait(1.0, WEIGHT_RANGE)
    x2 = slider_trait(0.5, WEIGHT_RANGE)
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
        X, y = _labelled_points(X, y)
        (w1, w2), (x1, x2) = _pair(w, "w"), _pair(x, "x")
        super().__init__(w1=w1, w2=w2, b=b, x1=x1, x2=x2, activation=activation)
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
