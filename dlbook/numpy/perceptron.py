r"""The perceptron in NumPy: its forward pass and Rosenblatt's learning rule."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import (
    check_count,
    check_labelled_data,
    check_learning_rate,
    check_not_bool,
    check_perceptron_inputs,
)
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.activations import get_activation


def weighted_sum(x: ArrayLike, w: ArrayLike, b: float) -> np.ndarray:
    r"""The pre-activation :math:`z = x \cdot w + b = \sum_j x_j w_j + b`.

    ``x`` is one example of shape ``(d,)`` (result: a 0-D array) or a batch of
    shape ``(n, d)`` (result: shape ``(n,)``); ``w`` has shape ``(d,)``; ``b``
    is a scalar. Raises ``ValueError`` on mismatched shapes, empty input, NaN
    or infinities, and a ``TypeError`` on what is not numbers.
    """
    check_not_bool("b", b)
    x, w, b = as_float_array(x, "x"), as_float_array(w, "w"), as_float_array(b, "b")
    check_perceptron_inputs(x, w, b)
    z = x @ w
    return z + b.astype(z.dtype)  # a scalar bias must not promote float32 sums to float64


def perceptron(x: ArrayLike, w: ArrayLike, b: float, activation: str = "sigmoid") -> np.ndarray:
    r"""A perceptron's output :math:`\hat y = f(x \cdot w + b)`.

    ``activation`` names :math:`f`: ``"sigmoid"`` (default), ``"tanh"``,
    ``"relu"``, ``"leaky_relu"``, ``"step"`` or ``"identity"``. Shapes and
    errors are those of :func:`weighted_sum`.
    """
    f = get_activation(activation)
    return f(weighted_sum(x, w, b))


def predict_class(x: ArrayLike, w: ArrayLike, b: float) -> np.ndarray:
    r"""The class a perceptron assigns: 1 where :math:`w \cdot x + b > 0`, else 0 (int64).

    For every activation in the book this is the same as thresholding the
    output in the middle of its range (0.5 for sigmoid and step, 0 for tanh).
    """
    return (weighted_sum(x, w, b) > 0).astype(np.int64)


def train_perceptron(
    X: ArrayLike, y: ArrayLike, lr: float = 1.0, epochs: int = 100
) -> tuple[np.ndarray, float, np.ndarray]:
    r"""The perceptron's error-correction rule for a step unit, one example at a time.

    This is Rosenblatt's error-correction procedure (*Principles of
    Neurodynamics*, 1962) in the form usually stated today.

    Starting from :math:`w = 0` and :math:`b = 0`, each epoch visits the rows
    :math:`x_i` of ``X`` in order. The step unit predicts
    :math:`\hat y_i = 1` if :math:`w \cdot x_i + b > 0`, else 0 (as
    :func:`predict_class`), and the rule updates

    .. math::

        w \leftarrow w + \eta\,(y_i - \hat y_i)\,x_i, \qquad
        b \leftarrow b + \eta\,(y_i - \hat y_i),

    which changes nothing when the prediction is right and otherwise moves
    the boundary towards classifying :math:`x_i` correctly. No gradient is
    involved. Training stops after the first epoch without a mistake (every
    example is then on its side of the line) or after ``epochs`` epochs. If a
    line separates the two classes, the number of updates is finite
    (Novikoff's convergence theorem); if none does, as for XOR, the mistakes
    never stop. Starting from zero, ``lr`` only scales :math:`w` and
    :math:`b`, so it changes no prediction.

    ``X`` has shape ``(n, d)``; ``y`` holds ``n`` integer labels 0 or 1; ``lr``
    is the learning rate :math:`\eta > 0`. Returns ``(w, b, mistakes)``:
    the weights (shape ``(d,)``, the dtype of ``X``), the bias and
    ``mistakes[e]``, the number of updates in epoch ``e + 1``. Raises
    ``ValueError`` on a wrong shape, empty input, NaN, labels other than 0
    and 1, a learning rate that is not positive and finite, or ``epochs``
    below 1.
    """
    X, y = as_float_array(X), np.asarray(y)
    check_labelled_data(X, y, n_classes=2)
    check_learning_rate(lr)
    check_count("epochs", epochs, 1)
    w, b = np.zeros(X.shape[1], dtype=X.dtype), 0.0
    mistakes = []
    for _ in range(epochs):
        updates = 0
        for x_i, y_i in zip(X, y):
            error = int(y_i) - int(x_i @ w + b > 0)  # y - y_hat: -1, 0 or 1
            if error:
                w += (lr * error) * x_i
                b += lr * error
                updates += 1
        mistakes.append(updates)
        if updates == 0:
            break
    return w, float(b), np.array(mistakes, dtype=np.int64)
