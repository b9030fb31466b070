r"""Training classifiers with mini-batch stochastic gradient descent, in NumPy.

One step on a batch :math:`B` of examples moves every parameter against the
gradient of the batch's mean loss:

.. math::

    \theta \leftarrow \theta - \eta\, \nabla_\theta L_B(\theta), \qquad
    L_B(\theta) = \frac{1}{|B|} \sum_{i \in B} \ell\big(f_\theta(x_i), y_i\big).

:func:`train_classifier` runs this loop for any model given as a forward and
a backward function: the two-layer network of :mod:`dlbook.numpy.mlp`
(:func:`train_mlp`), the convolutional network of :mod:`dlbook.numpy.cnn`
(:func:`train_cnn`) or softmax regression (:mod:`dlbook.numpy.linear`). The
loss is the softmax cross-entropy; the batches and the loop come from
:mod:`dlbook.batches`, shared with the PyTorch twin
:mod:`dlbook.torch.training`. :class:`EpochHistory` records loss and accuracy
on whole data sets after every epoch.

Training runs with one BLAS thread (``threadpoolctl``, which scikit-learn
installs): the book's matrices are small, and splitting each product across
threads costs more than it saves, ten times more when the cores are busy, as
:mod:`dlbook.torch.training` does for PyTorch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import isqrt
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike
from threadpoolctl import threadpool_limits

from dlbook._validate import (
    ArgumentTypeError,
    check_count,
    check_entries,
    check_function,
    check_gradients,
    check_labelled_data,
    check_learning_rate,
    check_mapping,
    check_no_nan,
    check_seed,
    describe,
    has_nan,
    lookup,
)
from dlbook.batches import run_sgd
from dlbook.numpy._arrays import as_float_array, as_int64, as_numeric_array
from dlbook.numpy.activations import sigmoid
from dlbook.numpy.classification import batch_accuracy, share_right
from dlbook.numpy.cnn import _cnn_backward, _cnn_forward, check_cnn_params, check_cnn_sizes, images, init_cnn
from dlbook.numpy._params import check_sizes, layer_input
from dlbook.numpy.mlp import (
    PARAM_NAMES,
    _mlp_backward,
    _mlp_forward,
    _softmax_cross_entropy,
    check_activation,
    check_params,
    init_mlp,
    mlp_forward,
    softmax_cross_entropy,
)
from dlbook.numpy.optim import SGD, Adam, AdamW, Optimizer, RMSprop
from dlbook.numpy.softmax import softmax
from dlbook.numpy.weight_decay import _add_weight_decay, add_weight_decay, check_weight_decay

Params = dict[str, np.ndarray]
#: ``callback(step, loss, network)``: the 1-based step, its batch loss and the network after it;
#: returning ``True`` stops the training there.
Callback = Callable[[int, float, Any], "bool | None"]
#: ``forward(params, X) -> (logits, cache)``: a model's forward pass.
Forward = Callable[[Params, np.ndarray], tuple[np.ndarray, Any]]
#: ``backward(params, cache, grad_logits) -> grads``: its backward pass.
Backward = Callable[[Params, Any, np.ndarray], Params]
#: The optimisers a training run can use, by the name they share with ``torch.optim``.
OPTIMIZERS: dict[str, type[Optimizer]] = {"SGD": SGD, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW}


def sgd_step(params: Params, grads: Params, lr: float) -> Params:
    r"""One gradient-descent update :math:`\theta \leftarrow \theta - \eta\, \partial L / \partial \theta`.

    ``params`` and ``grads`` are dicts with the same keys and shapes; ``lr`` is
    the learning rate :math:`\eta > 0`. Returns a new dict (the inputs are
    left unchanged) in the dtype of ``params`` (integer parameters become
    float64). Raises ``ValueError`` on NaN in either dict: a step from a NaN
    gradient is no step at all.
    """
    lr = check_learning_rate(lr)
    params = float_arrays("params", params)
    grads = float_arrays("grads", grads)
    check_gradients(params, grads)
    for kind, arrays in (("params", params), ("grads", grads)):
        for name, a in arrays.items():
            check_no_nan(f"{kind}[{describe(name)}]", a)
    return _update(params, grads, lr)


def float_arrays(kind: str, arrays: Params) -> Params:
    """The dict ``arrays`` (``"params"`` or ``"grads"``, as ``kind`` says) with every entry a float array."""
    return {name: as_float_array(a, f"{kind}[{describe(name)}]") for name, a in check_mapping(kind, arrays).items()}


def _update(params: Params, grads: Params, lr: float) -> Params:
    r""":math:`\theta - \eta g` for every entry, in the parameter's dtype (the arguments already checked)."""
    return {name: p - lr * grads[name].astype(p.dtype, copy=False) for name, p in params.items()}


def prepare_training(
    X: ArrayLike, y: ArrayLike, n_hidden: int, seed: int, params: Params | None
) -> tuple[np.ndarray, np.ndarray, Params]:
    """Check a training set and return ``(X, y, initial parameters)``, shared by both backends.

    Without ``params``, the network gets ``n_hidden`` hidden units and one
    output per class (at least two), initialised by :func:`dlbook.numpy.mlp.init_mlp`
    with ``seed`` in the dtype of ``X``. Given ``params``, copies of them are
    used and the labels must fit their number of outputs.
    """
    X, y = as_float_array(X, "X"), as_numeric_array(y, "y")
    if params is None:
        check_labelled_data(X, y)
        n_classes = max(int(y.max()) + 1, 2)
        check_sizes(n_hidden=n_hidden)
        check_entries(
            f"a network with one output per class up to the label {int(y.max())} of y",
            n_hidden * n_classes, "y must hold class indices 0, 1, ..., C - 1",
        )
        return X, y, init_mlp(X.shape[1], n_hidden, n_classes, seed=check_seed(seed), dtype=X.dtype)
    W1, b1, W2, b2 = check_params(params)
    check_labelled_data(X, y, n_classes=W2.shape[1])
    return X, y, dict(zip(PARAM_NAMES, (W1.copy(), b1.copy(), W2.copy(), b2.copy())))


def _forward(forward: Forward, params: Params, X: np.ndarray) -> tuple[np.ndarray, Any]:
    """``forward(params, X)``, checked to be a pair ``(logits, cache)`` with logits of shape ``(len(X), C)``."""
    result = forward(params, X)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise ValueError(f"forward must return a pair (logits, cache), got {describe(result)}")
    logits = as_float_array(result[0], "the logits forward returned")
    if logits.ndim != 2 or logits.shape[0] != len(X):
        raise ValueError(
            f"forward must return logits of shape ({len(X)}, C), one row of class scores per example "
            f"of X, got shape {logits.shape}"
        )
    return logits, result[1]


def optimizer_options(optimizer: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """``options`` as a dict, once ``optimizer`` is known to name one of :data:`OPTIMIZERS`.

    ``ValueError`` for an unknown name or for ``"lr"`` among the options (the
    learning rate is an argument of its own). Shared with
    :mod:`dlbook.torch.training`, which makes ``torch.optim``'s class of the
    same name.
    """
    lookup("optimizer", optimizer, OPTIMIZERS)
    options = {} if options is None else dict(check_mapping("options", options))
    if "lr" in options:
        raise ValueError("options must not hold 'lr': the learning rate is the argument lr")
    return options


def check_l2_penalty(weight_decay: float, optimizer: str) -> None:
    """Raise ``ValueError`` unless ``weight_decay`` is a number of at least 0 that ``optimizer`` can add to its gradients.

    AdamW decays its weights itself, apart from the gradient (its option
    ``weight_decay``): an L2 penalty in the gradient as well is refused.
    Shared with :mod:`dlbook.torch.training`.
    """
    check_weight_decay(weight_decay)
    if weight_decay and optimizer == "AdamW":
        raise ValueError(
            "weight_decay adds an L2 penalty to the gradients, which AdamW does not use for decay: "
            "pass AdamW's own decay as options={'weight_decay': ...} and leave weight_decay at 0"
        )


def make_optimizer(optimizer: str, params: Params, lr: float, options: dict[str, Any] | None) -> Optimizer:
    """The optimiser of :mod:`dlbook.numpy.optim` called ``optimizer`` over ``params``.

    It gets the learning rate ``lr`` and the hyperparameters ``options``
    (e.g. ``{"momentum": 0.9}``), named as in ``torch.optim``
    (:func:`optimizer_options`).
    """
    options = optimizer_options(optimizer, options)
    return OPTIMIZERS[optimizer](params, lr=lr, **options)


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
    optimizer: str = "SGD",
    options: dict[str, Any] | None = None,
    weight_decay: float = 0.0,
) -> tuple[Params, np.ndarray]:
    r"""Train any classifier by mini-batch SGD (or another optimiser) on the softmax cross-entropy.

    The model is a pair of functions: ``forward(params, X)`` returns the
    logits and a cache, ``backward(params, cache, grad_logits)`` the
    gradients, as :func:`~dlbook.numpy.mlp.mlp_forward` and
    :func:`~dlbook.numpy.mlp.mlp_backward` or
    :func:`~dlbook.numpy.linear.linear_forward` and
    :func:`~dlbook.numpy.linear.linear_backward` do. Each step takes the next
    batch :math:`B` of :func:`dlbook.batches.minibatches` and lets the
    optimiser of :mod:`dlbook.numpy.optim` named ``optimizer`` step, with
    learning rate ``lr`` and the hyperparameters ``options``
    (:func:`make_optimizer`); the default, plain ``"SGD"``, is
    :math:`\theta \leftarrow \theta - \eta\, \nabla_\theta L_B`.
    Returns the trained parameters (``params`` itself is left unchanged) and
    the loss of every step's batch before its update. ``callback(step, loss,
    params)`` is called every ``every`` steps and after the last, with a copy
    of the parameters after that step; with
    ``every=steps_per_epoch(n, batch_size)`` that is once per epoch. A
    callback that returns ``True`` stops the training after that step.

    ``weight_decay`` :math:`\lambda > 0` adds the L2 penalty
    :math:`\frac{\lambda}{2} \sum_W \|W\|^2` on the weight matrices to the
    loss that is descended (:func:`~dlbook.numpy.weight_decay.add_weight_decay`
    adds :math:`\lambda W` to their gradients, before the optimiser's step, as
    ``torch.optim``'s ``weight_decay`` does in SGD, RMSprop and Adam); the
    recorded losses are the cross-entropy alone. With :math:`\lambda = 0`,
    the default, the update is exactly the plain one. AdamW decays its
    weights itself (``options={"weight_decay": ...}``): with it, a
    ``weight_decay`` above 0 is refused.
    """
    X, y = as_float_array(X, "X"), as_numeric_array(y, "y")
    check_labelled_data(X, y)
    lr = check_run(lr, seed, callback, weight_decay, optimizer)
    check_function("forward", forward)
    check_function("backward", backward)
    params = float_arrays("params", params)
    n_classes = _forward(forward, params, X[:1])[0].shape[1]
    check_labelled_data(X, y, n_classes=n_classes)

    def checked_backward(p: Params, cache: Any, grad_logits: np.ndarray) -> Params:
        grads = float_arrays("backward's result", backward(p, cache, grad_logits))
        check_gradients(p, grads)
        return grads

    return descend(
        lambda p, inputs: _forward(forward, p, inputs), checked_backward, params, X, y,
        lr, batch_size, epochs, seed, callback, every, optimizer, options, weight_decay, checked=True,
    )


def check_run(lr: float, seed: int, callback: Callback | None, weight_decay: float, optimizer: str) -> float:
    """Check the settings of a training run (see :func:`train_classifier`); return ``lr`` as a float."""
    lr = check_learning_rate(lr)
    check_seed(seed)
    check_function("callback", callback, optional=True)
    check_l2_penalty(weight_decay, optimizer)
    return lr


def descend(
    forward: Forward,
    backward: Backward,
    params: Params,
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    batch_size: int,
    epochs: int,
    seed: int,
    callback: Callback | None,
    every: int,
    optimizer: str,
    options: dict[str, Any] | None,
    weight_decay: float,
    checked: bool,
) -> tuple[Params, np.ndarray]:
    """The loop of :func:`train_classifier` on a training set ``(X, y)`` and settings already checked.

    ``checked`` runs every step's logits, loss and gradients through the
    checks of the public functions (:func:`~dlbook.numpy.mlp.softmax_cross_entropy`,
    ``Optimizer.step``), as a model given by the reader needs. Without them,
    the model is one of dlbook's own, whose step cannot make arrays of the
    wrong shape or dtype: ``forward`` and ``backward`` are then its unchecked
    cores, ``X`` is in the parameters' dtype and ``y`` int64, and the loop
    checks only what a step can go wrong with, the logits' NaN and +inf
    (:func:`check_not_diverged`), where the browser's port stops too: the
    same steps, in half to two thirds of the time on the book's small networks.
    """
    params = {name: p.copy() for name, p in params.items()}  # the optimiser updates these in place
    stepper = make_optimizer(optimizer, params, lr, options)
    cross_entropy, decay, apply = ((softmax_cross_entropy, add_weight_decay, stepper.step) if checked
                                   else (_softmax_cross_entropy, _add_weight_decay, stepper._step))
    step = 0

    def update(batch: np.ndarray) -> float:
        nonlocal step
        step += 1
        logits, cache = forward(params, X[batch])
        check_not_diverged(logits, step)
        loss, grad_logits = cross_entropy(logits, y[batch])
        grads = backward(params, cache, grad_logits)
        if weight_decay:
            grads = decay(params, grads, weight_decay)
        apply(grads)
        return loss

    def progress(step: int, loss: float) -> bool | None:
        return callback(step, loss, {name: p.copy() for name, p in params.items()})

    # Overflow (a learning rate far too large) is not warned about: the NaN or
    # +inf it makes raises ValueError where it first appears, at the step where
    # the browser's port of this loop stops too. One BLAS thread: see the module's docstring.
    with np.errstate(over="ignore", invalid="ignore"), threadpool_limits(limits=1, user_api="blas"):
        losses = run_sgd(
            update, len(y), batch_size, epochs, seed,
            None if callback is None else progress, every,
        )
    return params, losses


def check_not_diverged(logits: np.ndarray, step: int) -> None:
    """Raise ``ValueError`` naming ``lr`` when the logits of ``step`` hold NaN or +inf: the weights overflowed.

    Where the browser's port of the training loop stops too.
    """
    if has_nan(logits) or (logits == np.inf).any():
        raise ValueError(
            f"the training diverged at step {step}: the logits hold NaN or +inf (the weights "
            f"overflowed); try a smaller learning rate lr, or inputs X of moderate size"
        )


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
    optimizer: str = "SGD",
    options: dict[str, Any] | None = None,
    weight_decay: float = 0.0,
) -> tuple[Params, np.ndarray]:
    r"""Train a two-layer classifier on ``(X, y)`` by mini-batch SGD; return ``(params, losses)``.

    Each step takes the next batch of :func:`dlbook.batches.minibatches`
    (``batch_size`` examples, reshuffled every epoch with ``seed``), computes the
    mean softmax cross-entropy and its gradients by backpropagation, and
    updates the weights with the optimiser ``optimizer`` (default plain
    ``"SGD"``, :math:`\theta \leftarrow \theta - \eta \nabla_\theta L_B`)
    with learning rate ``lr`` and hyperparameters ``options``, e.g.
    ``optimizer="SGD", options={"momentum": 0.9}`` (the loop is
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
    lr = check_run(lr, seed, callback, weight_decay, optimizer)
    check_activation(activation)
    X, y = layer_input(X, params["W1"], "W1"), as_int64("y", y)  # once: the steps take the unchecked cores

    def forward(p: Params, inputs: np.ndarray) -> tuple[np.ndarray, Any]:
        return _mlp_forward(p, inputs, activation)

    return descend(
        forward, _mlp_backward, params, X, y,
        lr, batch_size, epochs, seed, callback, every, optimizer, options, weight_decay, checked=False,
    )


def train_cnn(
    X: ArrayLike,
    y: ArrayLike,
    channels: tuple[int, int] = (16, 32),
    lr: float = 0.1,
    batch_size: int = 32,
    epochs: int = 30,
    seed: int = 0,
    params: Params | None = None,
    callback: Callback | None = None,
    every: int = 10,
    optimizer: str = "SGD",
    options: dict[str, Any] | None = None,
    weight_decay: float = 0.0,
) -> tuple[Params, np.ndarray]:
    """Train the convolutional network of :mod:`dlbook.numpy.cnn` on ``(X, y)``; return ``(params, losses)``.

    ``X`` holds square images as rows of ``side * side`` pixels, ``side`` a
    multiple of 4. The starting point ``start`` is ``params`` if given
    (copies; the labels must fit its outputs), else
    ``init_cnn(channels, side, n_classes, seed, X.dtype)``
    (:func:`~dlbook.numpy.cnn.init_cnn`) with one output per class up to the
    largest label (at least two). From there, a run that does not diverge
    takes the steps of
    ``train_classifier(cnn_forward, cnn_backward, start, X, y, ...)``
    (:func:`train_classifier`) bit for bit, and returns the same; but the data
    and the network are checked once, where :func:`~dlbook.numpy.cnn.cnn_forward`
    and :func:`~dlbook.numpy.cnn.cnn_backward` check them at every step: the
    steps take the network's unchecked cores. The other arguments are
    :func:`train_classifier`'s (the defaults: chapter 10's learning rate and
    epochs). ``weight_decay`` decays ``W3`` alone, as
    :func:`~dlbook.numpy.weight_decay.add_weight_decay` decays the parameters
    whose names start with ``W``, not the kernels;
    :func:`dlbook.torch.training.weight_decay_groups` decays those too (every
    parameter of two or more axes).
    """
    X, y = as_float_array(X, "X"), as_numeric_array(y, "y")
    lr = check_run(lr, seed, callback, weight_decay, optimizer)
    given = params is not None
    if not given:
        check_labelled_data(X, y)
        side = isqrt(X.shape[1])
        if side * side != X.shape[1] or side % 4:
            raise ValueError(f"X must hold square images, side a multiple of 4, as rows of side * side pixels; "
                             f"got rows of {X.shape[1]}")
        top = int(y.max())
        n_classes = max(top + 1, 2)
        _, c2 = check_cnn_sizes(channels, side, n_classes)
        check_entries(f"the output layer of a network with one output per class up to the label {top} of y",
                      c2 * (side // 4) ** 2 * n_classes, "y must hold class indices 0, 1, ..., C - 1")
        params = init_cnn(channels, side, n_classes, seed, X.dtype)
    _, _, K2, _, W3, _ = check_cnn_params(params)
    if given:  # (a fresh network has an output for every label)
        check_labelled_data(X, y, n_classes=W3.shape[1])
    x = images(X, W3, K2.shape[0])  # once: the steps take the unchecked cores
    return descend(
        _cnn_forward, _cnn_backward, params, x, as_int64("y", y),
        lr, batch_size, epochs, seed, callback, every, optimizer, options, weight_decay, checked=False,
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
        check_function("logits", logits)
        self.logits = logits
        self.sets: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, pair in sets.items():
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise ValueError(f"{name} must be a pair (X, y) of inputs and labels, got {describe(pair)}")
            X, y = as_float_array(pair[0], f"{name}'s X"), as_numeric_array(pair[1], f"{name}'s y")
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
        check_function("logits", logits)
        pair = isinstance(validation, Sequence) and not isinstance(validation, (str, bytes, Mapping))
        if not pair or len(validation) != 2:
            raise ArgumentTypeError(f"validation must be a pair (X_val, y_val), got {describe(validation)}")
        X, y = as_float_array(validation[0], "validation[0]"), as_numeric_array(validation[1], "validation[1]")
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
    return share_right(logits, y, "y")


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
