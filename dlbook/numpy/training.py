r"""Training the two-layer network with mini-batch stochastic gradient descent, in NumPy.

One step on a batch :math:`B` of examples moves every parameter against the
gradient of the batch's mean loss:

.. math::

    \theta \leftarrow \theta - \eta\, \nabla_\theta L_B(\theta), \qquad
    L_B(\theta) = \frac{1}{|B|} \sum_{i \in B} \ell\big(f_\theta(x_i), y_i\big).

The forward pass, the loss and the gradients come from :mod:`dlbook.numpy.mlp`;
the batches and the loop from :mod:`dlbook.batches`, shared with the PyTorch
twin :mod:`dlbook.torch.training`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import check_gradients, check_labelled_data, check_learning_rate
from dlbook.batches import run_sgd
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.activations import sigmoid
from dlbook.numpy.mlp import PARAM_NAMES, check_params, init_mlp, mlp_backward, mlp_forward, softmax_cross_entropy

Params = dict[str, np.ndarray]
#: ``callback(step, loss, network)``: the 1-based step, its batch loss and the network after it.
Callback = Callable[[int, float, Any], None]


def sgd_step(params: Params, grads: Params, lr: float) -> Params:
    r"""One gradient-descent update :math:`\theta \leftarrow \theta - \eta\, \partial L / \partial \theta`.

    ``params`` and ``grads`` are dicts with the same keys and shapes; ``lr`` is
    the learning rate :math:`\eta > 0`. Returns a new dict (the inputs are
    left unchanged) in the dtype of ``params``.
    """
    check_learning_rate(lr)
    params = {name: as_float_array(p) for name, p in params.items()}
    grads = {name: np.asarray(g) for name, g in grads.items()}
    check_gradients(params, grads)
    return {name: p - (lr * grads[name]).astype(p.dtype, copy=False) for name, p in params.items()}


def prepare_training(
    X: ArrayLike, y: ArrayLike, n_hidden: int, seed: int, params: Params | None
) -> tuple[np.ndarray, np.ndarray, Params]:
    """Check a training set and return ``(X, y, initial parameters)``, shared by both backends.

    Without ``params``, the network gets ``n_hidden`` hidden units and one
    output per class (at least two), initialised by :func:`dlbook.numpy.mlp.init_mlp`
    with ``seed`` in the dtype of ``X``. Given ``params``, copies of them are
    used and the labels must fit their number of outputs.
    """
    X, y = as_float_array(X), np.asarray(y)
    if params is None:
        check_labelled_data(X, y)
        return X, y, init_mlp(X.shape[1], n_hidden, max(int(y.max()) + 1, 2), seed=seed, dtype=X.dtype)
    W1, b1, W2, b2 = check_params(params)
    check_labelled_data(X, y, n_classes=W2.shape[1])
    return X, y, dict(zip(PARAM_NAMES, (W1.copy(), b1.copy(), W2.copy(), b2.copy())))


def train_mlp(
    X: ArrayLike,
    y: ArrayLike,
    n_hidden: int = 16,
    activation: str = "tanh",
    lr: float = 0.5,
    batch_size: int = 32,
    epochs: int = 100,
    seed: int = 0,
    params: Params | None = None,
    callback: Callback | None = None,
    every: int = 10,
) -> tuple[Params, np.ndarray]:
    r"""Train a two-layer classifier on ``(X, y)`` by mini-batch SGD; return ``(params, losses)``.

    Each step takes the next batch of :func:`dlbook.batches.minibatches`
    (``batch_size`` examples, reshuffled every epoch with ``seed``), computes the
    mean softmax cross-entropy and its gradients by backpropagation, and
    applies :func:`sgd_step` with learning rate ``lr``. ``losses[t]`` is the
    loss of step ``t + 1``'s batch *before* its update. The starting point is
    ``params`` if given, else :func:`dlbook.numpy.mlp.init_mlp` with ``seed``
    (see :func:`prepare_training`). ``callback(step, loss, params)`` is called
    every ``every`` steps and after the last, e.g. to draw progress.
    """
    X, y, params = prepare_training(X, y, n_hidden, seed, params)
    check_learning_rate(lr)

    def update(batch: np.ndarray) -> float:
        nonlocal params
        logits, cache = mlp_forward(params, X[batch], activation)
        loss, grad_logits = softmax_cross_entropy(logits, y[batch])
        params = sgd_step(params, mlp_backward(params, cache, grad_logits), lr)
        return loss

    progress = None if callback is None else (lambda step, loss: callback(step, loss, params))
    losses = run_sgd(update, len(y), batch_size, epochs, seed, progress, every)
    return params, losses


def predict(params: Params, X: ArrayLike, activation: str = "tanh") -> np.ndarray:
    r"""The predicted class of every row of ``X``: :math:`\arg\max_c z_c` over the logits :math:`z`."""
    logits, _ = mlp_forward(params, X, activation)
    return logits.argmax(axis=1)


def accuracy(params: Params, X: ArrayLike, y: ArrayLike, activation: str = "tanh") -> float:
    r"""The fraction of correct predictions, :math:`\frac1n \sum_i [\hat y_i = y_i]`.

    :math:`\hat y_i` is the class :func:`predict` gives for row :math:`i` of ``X``; ``y`` holds the labels.
    """
    return float(np.mean(predict(params, X, activation) == np.asarray(y)))


def prob_class1(params: Params, X: ArrayLike, activation: str = "tanh") -> np.ndarray:
    r"""For a two-class network, the softmax probability of class 1: :math:`\sigma(z_1 - z_0)`.

    With two logits, :math:`e^{z_1} / (e^{z_0} + e^{z_1}) = 1 / (1 + e^{-(z_1 - z_0)})`:
    the sigmoid of their difference, stable for any logits. Coloured over a
    grid, it draws the decision regions (the boundary is where it equals 1/2).
    """
    logits, _ = mlp_forward(params, X, activation)
    if logits.shape[1] != 2:
        raise ValueError(f"prob_class1 needs a network with 2 outputs, got {logits.shape[1]}")
    return sigmoid(logits[:, 1] - logits[:, 0])
