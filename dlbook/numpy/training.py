r"""Training classifiers with mini-batch stochastic gradient descent, in NumPy.

One step on a batch :math:`B` of examples moves every parameter against the
gradient of the batch's mean loss:

.. math::

    \theta \leftarrow \theta - \eta\, \nabla_\theta L_B(\theta), \qquad
    L_B(\theta) = \frac{1}{|B|} \sum_{i \in B} \ell\big(f_\theta(x_i), y_i\big).

:func:`train_classifier` runs this loop for any model given as a forward and
a backward function: the two-layer network of :mod:`dlbook.numpy.mlp`
(:func:`train_mlp`) or softmax regression (:mod:`dlbook.numpy.linear`). The
loss is the softmax cross-entropy; the batches and the loop come from
:mod:`dlbook.batches`, shared with the PyTorch twin
:mod:`dlbook.torch.training`. :class:`EpochHistory` records loss and accuracy
on whole data sets after every epoch.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import (
    check_count,
    check_gradients,
    check_labelled_data,
    check_learning_rate,
)
from dlbook.batches import run_sgd
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.activations import sigmoid
from dlbook.numpy.classification import batch_accuracy
from dlbook.numpy.mlp import PARAM_NAMES, check_params, init_mlp, mlp_backward, mlp_forward, softmax_cross_entropy
from dlbook.numpy.softmax import softmax
from dlbook.numpy.weight_decay import add_weight_decay, check_weight_decay

Params = dict[str, np.ndarray]
#: ``callback(step, loss, network)``: the 1-based step, its batch loss and the network after it;
#: returning ``True`` stops the training there.
Callback = Callable[[int, float, Any], "bool | None"]
#: ``forward(params, X) -> (logits, cache)``: a model's forward pass.
Forward = Callable[[Params, np.ndarray], tuple[np.ndarray, Any]]
#: ``backward(params, cache, grad_logits) -> grads``: its backward pass.
Backward = Callable[[Params, Any, np.ndarray], Params]


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


def train_classifier(
    forward: Forward,
    backward: Backward,
    params: Params,
    X: ArrayLike,
    y: ArrayLike,
    lr: float = 0.5,
    batch_size: int = 32,
    epochs: int = 100,
    seed: int = 0,
    callback: Callback | None = None,
    every: int = 10,
    weight_decay: float = 0.0,
) -> tuple[Params, np.ndarray]:
    r"""Train any classifier by mini-batch SGD on the softmax cross-entropy.

    The model is a pair of functions: ``forward(params, X)`` returns the
    logits and a cache, ``backward(params, cache, grad_logits)`` the
    gradients, as :func:`~dlbook.numpy.mlp.mlp_forward` and
    :func:`~dlbook.numpy.mlp.mlp_backward` or
    :func:`~dlbook.numpy.linear.linear_forward` and
    :func:`~dlbook.numpy.linear.linear_backward` do. Each step takes the next
    batch :math:`B` of :func:`dlbook.batches.minibatches` and applies
    :func:`sgd_step`,
    :math:`\theta \leftarrow \theta - \eta\, \nabla_\theta L_B`.
    Returns the trained parameters (``params`` itself is left unchanged) and
    the loss of every step's batch before its update. ``callback(step, loss,
    params)`` is called every ``every`` steps and after the last; with
    ``every=steps_per_epoch(n, batch_size)`` that is once per epoch. A
    callback that returns ``True`` stops the training after that step.

    ``weight_decay`` :math:`\lambda > 0` adds the L2 penalty
    :math:`\frac{\lambda}{2} \sum_W \|W\|^2` on the weight matrices to the
    loss that is descended (:func:`~dlbook.numpy.weight_decay.add_weight_decay`
    adds :math:`\lambda W` to their gradients); the recorded losses are the
    cross-entropy alone. With :math:`\lambda = 0`, the default, the update is
    exactly the plain one.
    """
    X, y = as_float_array(X), np.asarray(y)
    check_labelled_data(X, y)
    check_learning_rate(lr)
    check_weight_decay(weight_decay)
    n_classes = forward(params, X[:1])[0].shape[1]
    check_labelled_data(X, y, n_classes=n_classes)

    def update(batch: np.ndarray) -> float:
        nonlocal params
        logits, cache = forward(params, X[batch])
        loss, grad_logits = softmax_cross_entropy(logits, y[batch])
        grads = backward(params, cache, grad_logits)
        if weight_decay:
            grads = add_weight_decay(params, grads, weight_decay)
        params = sgd_step(params, grads, lr)
        return loss

    def progress(step: int, loss: float) -> bool | None:
        return callback(step, loss, params)

    losses = run_sgd(
        update, len(y), batch_size, epochs, seed,
        None if callback is None else progress, every,
    )
    return params, losses


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
    weight_decay: float = 0.0,
) -> tuple[Params, np.ndarray]:
    r"""Train a two-layer classifier on ``(X, y)`` by mini-batch SGD; return ``(params, losses)``.

    Each step takes the next batch of :func:`dlbook.batches.minibatches`
    (``batch_size`` examples, reshuffled every epoch with ``seed``), computes the
    mean softmax cross-entropy and its gradients by backpropagation, and
    applies :func:`sgd_step` with learning rate ``lr`` (the loop is
    :func:`train_classifier`'s). ``losses[t]`` is the loss of step ``t + 1``'s
    batch *before* its update. The starting point is
    ``params`` if given, else :func:`dlbook.numpy.mlp.init_mlp` with ``seed``
    (see :func:`prepare_training`). ``callback(step, loss, params)`` is called
    every ``every`` steps and after the last, e.g. to draw progress.
    ``weight_decay`` :math:`\lambda` adds the L2 penalty
    :math:`\frac{\lambda}{2}(\|W_1\|^2 + \|W_2\|^2)` to the loss descended
    (:func:`train_classifier`).
    """
    X, y, params = prepare_training(X, y, n_hidden, seed, params)

    def forward(p: Params, inputs: np.ndarray) -> tuple[np.ndarray, Any]:
        return mlp_forward(p, inputs, activation)

    return train_classifier(
        forward, mlp_backward, params, X, y,
        lr, batch_size, epochs, seed, callback, every, weight_decay,
    )


class EpochHistory:
    r"""A training callback that measures loss and accuracy on whole data sets.

    ``logits(params, X)`` computes the model's logits, e.g.
    ``lambda p, X: mlp_forward(p, X)[0]``; each keyword names a data set
    ``(X, y)``, e.g.
    ``training=(X_train, y_train), validation=(X_val, y_val)``.
    Every call ``history(step, loss, params)`` appends, for each data set,
    the mean softmax cross-entropy to ``history.loss[name]`` and the
    :func:`~dlbook.numpy.classification.batch_accuracy` to
    ``history.accuracy[name]``. Given to :func:`train_classifier` or
    :func:`train_mlp` as ``callback`` with
    ``every=steps_per_epoch(n, batch_size)``, it records one entry per epoch.
    """

    def __init__(
        self,
        logits: Callable[[Params, np.ndarray], np.ndarray],
        **sets: tuple[ArrayLike, ArrayLike],
    ) -> None:
        if not sets:
            raise ValueError(
                "EpochHistory needs at least one data set, "
                "e.g. training=(X, y)"
            )
        self.logits = logits
        self.sets: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, (X, y) in sets.items():
            X, y = as_float_array(X), np.asarray(y)
            check_labelled_data(X, y)
            self.sets[name] = (X, y)
        self.loss: dict[str, list[float]] = {name: [] for name in sets}
        self.accuracy: dict[str, list[float]] = {name: [] for name in sets}

    def __call__(self, step: int, loss: float, params: Params) -> None:
        for name, (X, y) in self.sets.items():
            logits = self.logits(params, X)
            self.loss[name].append(softmax_cross_entropy(logits, y)[0])
            self.accuracy[name].append(batch_accuracy(logits, y))


class EarlyStopping:
    r"""A training callback that keeps the network of the lowest validation loss, and may stop the run.

    ``logits(network, X)`` computes the model's logits (for a network with
    dropout or batch normalisation: in evaluation mode) and
    ``validation=(X_val, y_val)`` is the data it is judged on. Called as
    ``stopper(step, loss, network)`` once per epoch (``every`` set to
    :func:`~dlbook.batches.steps_per_epoch`), it measures the mean softmax
    cross-entropy on the validation data. When that is the lowest so far, it
    keeps a copy of the network in :attr:`best` and the epoch (the number of
    calls so far) in :attr:`best_epoch`. With ``patience`` :math:`P`, the call
    returns ``True``, which stops :func:`train_classifier` and
    :func:`dlbook.numpy.regularised_mlp.train_regularised`, as soon as
    :math:`P` epochs in a row have not lowered it; :attr:`stopped_epoch` then
    holds that epoch. Without ``patience`` it never stops the run, and
    :attr:`best` is the best of all epochs. :attr:`losses` holds every
    validation loss measured.
    """

    def __init__(
        self,
        logits: Callable[[Params, np.ndarray], np.ndarray],
        validation: tuple[ArrayLike, ArrayLike],
        patience: int | None = None,
    ) -> None:
        X, y = as_float_array(validation[0]), np.asarray(validation[1])
        check_labelled_data(X, y)
        if patience is not None:
            check_count("patience", patience, 1)
        self.logits, self.X, self.y, self.patience = logits, X, y, patience
        self.losses: list[float] = []
        self.best: Params | None = None
        self.best_epoch = 0
        self.stopped_epoch: int | None = None

    def __call__(self, step: int, loss: float, network: Params) -> bool:
        loss = softmax_cross_entropy(self.logits(network, self.X), self.y)[0]
        self.losses.append(loss)
        epoch = len(self.losses)
        if loss < min(self.losses[:-1], default=np.inf):
            self.best = {name: np.array(a) for name, a in network.items()}
            self.best_epoch = epoch
        if self.patience is not None and epoch - self.best_epoch >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False


def predict(params: Params, X: ArrayLike, activation: str = "tanh") -> np.ndarray:
    r"""The predicted class of every row of ``X``: :math:`\arg\max_c z_c` over the logits :math:`z`."""
    logits, _ = mlp_forward(params, X, activation)
    return logits.argmax(axis=1)


def accuracy(params: Params, X: ArrayLike, y: ArrayLike, activation: str = "tanh") -> float:
    r"""The fraction of correct predictions, :math:`\frac1n \sum_i [\hat y_i = y_i]`.

    :math:`\hat y_i` is the class :func:`predict` gives for row :math:`i` of ``X``; ``y`` holds the labels.
    """
    logits, _ = mlp_forward(params, X, activation)
    return batch_accuracy(logits, y)


def predict_proba(
    params: Params, X: ArrayLike, activation: str = "tanh"
) -> np.ndarray:
    r"""The network's class probabilities :math:`\mathrm{softmax}(L)`, by row.

    :math:`L = f(X W_1 + b_1) W_2 + b_2` are the logits of
    :func:`~dlbook.numpy.mlp.mlp_forward`; the result has shape
    ``(n, n_out)``, each row positive and summing to 1. ``X`` is a batch
    of inputs of shape ``(n, n_in)``, prepared as for training.
    """
    logits, _ = mlp_forward(params, X, activation)
    return softmax(logits, axis=1)


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
