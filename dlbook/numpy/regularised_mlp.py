r"""The two-layer network with the regularisers of the chapter "Generalisation and regularisation".

The network of :mod:`dlbook.numpy.mlp` with two optional layers around its
:math:`\tanh`: batch normalisation (:mod:`dlbook.numpy.batch_norm`) before
it and dropout (:mod:`dlbook.numpy.dropout`) after it,

.. math::

    Z = X W_1 + b_1, \quad A = \mathrm{BN}_{\gamma, \beta}(Z), \quad
    H = \tanh(A), \quad D = \mathrm{dropout}_p(H), \quad L = D W_2 + b_2 ,

as ``nn.Sequential(nn.Linear, nn.BatchNorm1d, nn.Tanh, nn.Dropout,
nn.Linear)`` in PyTorch (:mod:`dlbook.torch.regularised_mlp`). Without batch
normalisation :math:`A = Z`; without dropout (:math:`p = 0`, or in
evaluation) :math:`D = H`.

A *network* is a dict: the trainable parameters ``W1, b1, W2, b2`` (and
``gamma, beta`` with batch normalisation), and batch normalisation's running
statistics ``running_mean, running_var``, which training updates but gradient
descent does not. :func:`regularised_forward` runs in training mode (batch
statistics, a fresh dropout mask) or in evaluation mode (running statistics,
no dropout); :func:`regularised_logits` is the evaluation mode, what the
trained network is measured and used with. :func:`train_regularised` trains
by mini-batch SGD with, on top, weight decay (:mod:`dlbook.numpy.weight_decay`)
and data augmentation (a function applied to every batch).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from dlbook._validate import check_labelled_data, check_learning_rate
from dlbook.batches import run_sgd
from dlbook.numpy._arrays import as_float_array, as_int64, as_numeric_array
from dlbook.numpy._params import layer_input
from dlbook.numpy.batch_norm import batch_norm, batch_norm_backward
from dlbook.numpy.dropout import (
    apply_dropout_mask,
    check_dropout_p,
    dropout_backward,
    dropout_mask,
)
from dlbook.numpy.mlp import _softmax_cross_entropy, check_params, init_mlp
from dlbook.numpy.training import Callback, _update, check_not_diverged
from dlbook.numpy.weight_decay import _add_weight_decay, check_weight_decay

Network = dict[str, np.ndarray]
#: ``augment(X_batch, rng) -> X_batch``: a new version of a batch of inputs, drawn with ``rng``.
Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]

#: Batch normalisation's constants, PyTorch's defaults.
MOMENTUM, EPS = 0.1, 1e-5
#: What a network holds besides ``W1, b1, W2, b2`` when it has batch normalisation.
BN_PARAMS = ("gamma", "beta")
BN_BUFFERS = ("running_mean", "running_var")


def init_regularised(
    n_in: int,
    n_hidden: int,
    n_out: int,
    batch_norm: bool = False,
    seed: int = 0,
    dtype: DTypeLike = np.float64,
) -> Network:
    r"""A fresh network: :func:`~dlbook.numpy.mlp.init_mlp`'s weights, plus batch normalisation's state.

    With ``batch_norm``, :math:`\gamma = 1` and :math:`\beta = 0` (the
    normalised values pass unchanged at first), a running mean of 0 and a
    running variance of 1, as ``nn.BatchNorm1d`` starts.
    """
    network = init_mlp(n_in, n_hidden, n_out, seed=seed, dtype=dtype)
    if batch_norm:
        dtype = network["W1"].dtype
        network |= {
            "gamma": np.ones(n_hidden, dtype), "beta": np.zeros(n_hidden, dtype),
            "running_mean": np.zeros(n_hidden, dtype),
            "running_var": np.ones(n_hidden, dtype),
        }
    return network


def has_batch_norm(network: Network) -> bool:
    """Whether ``network`` normalises its hidden layer (holds ``gamma`` and ``beta``)."""
    return "gamma" in network


def trainable(network: Network) -> Network:
    """The parameters gradient descent changes: all but the running statistics (the same arrays)."""
    return {name: a for name, a in network.items() if name not in BN_BUFFERS}


def check_network(network: Network) -> None:
    """``ValueError`` unless ``network`` is a two-layer network with both or none of the BN entries."""
    if not isinstance(network, dict):
        raise ValueError(
            f"network must be a dict of arrays, got {type(network).__name__}"
        )
    extra = set(network) - {"W1", "b1", "W2", "b2"}
    if extra and extra != set(BN_PARAMS + BN_BUFFERS):
        raise ValueError(
            "network must hold W1, b1, W2, b2 and, with batch "
            f"normalisation, {', '.join(BN_PARAMS + BN_BUFFERS)}; "
            f"got {sorted(network)}"
        )
    check_params({name: network[name] for name in ("W1", "b1", "W2", "b2")})


def regularised_forward(
    network: Network,
    X: ArrayLike,
    training: bool,
    dropout: float = 0.0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    r"""The logits :math:`L = \mathrm{dropout}_p(\tanh(\mathrm{BN}(X W_1 + b_1))) W_2 + b_2` and a cache.

    In training (``training=True``) batch normalisation uses the batch's
    statistics and updates the network's running statistics in place, and
    dropout with probability ``dropout`` draws its mask from ``rng``. In
    evaluation both are deterministic: running statistics, no dropout.
    The cache holds what :func:`regularised_backward` needs.
    """
    check_network(network)
    p = check_dropout_p(dropout)
    return _regularised_forward(network, layer_input(X, network["W1"], "W1"), training, p, rng)


def _regularised_forward(
    network: Network, X: np.ndarray, training: bool, p: float, rng: np.random.Generator | None
) -> tuple[np.ndarray, dict[str, Any]]:
    """:func:`regularised_forward` of arguments already checked (``X`` in the network's dtype): a training step's."""
    Z = X @ network["W1"]
    Z += network["b1"]
    A = Z
    if has_batch_norm(network):
        A = batch_norm(
            Z, network["running_mean"], network["running_var"],
            network["gamma"], network["beta"], training, MOMENTUM, EPS,
        )
    H = np.tanh(A)
    mask = None
    D = H
    if training and p > 0:
        mask = dropout_mask(H.shape, p, rng)
        D = apply_dropout_mask(H, mask, p)
    logits = D @ network["W2"]
    logits += network["b2"]
    return logits, {"X": X, "Z": Z, "H": H, "D": D, "mask": mask, "p": p}


def regularised_logits(network: Network, X: ArrayLike) -> np.ndarray:
    """The logits of the network in evaluation mode: running statistics, no dropout."""
    return regularised_forward(network, X, training=False)[0]


def regularised_backward(
    network: Network, cache: dict[str, Any], grad_logits: ArrayLike
) -> Network:
    r"""Gradients of every trainable parameter from :math:`G = \partial \ell / \partial L`, layer by layer.

    :math:`\partial \ell/\partial W_2 = D^\top G`,
    :math:`\partial \ell/\partial b_2 = \sum_i G_i`,
    :math:`\partial \ell/\partial H` by :func:`~dlbook.numpy.dropout.dropout_backward`
    from :math:`G W_2^\top`, :math:`\partial \ell/\partial A = \partial \ell/\partial H \odot (1 - H^2)`,
    :math:`\partial \ell/\partial Z` (and :math:`\gamma`, :math:`\beta`) by
    :func:`~dlbook.numpy.batch_norm.batch_norm_backward`, then
    :math:`\partial \ell/\partial W_1 = X^\top\, \partial \ell/\partial Z` and
    :math:`\partial \ell/\partial b_1 = \sum_i (\partial \ell/\partial Z)_i`.
    ``cache`` comes from a training-mode :func:`regularised_forward`.
    """
    check_network(network)
    G = as_float_array(grad_logits, "grad_logits").astype(network["W1"].dtype, copy=False)
    expected = (len(cache["H"]), network["W2"].shape[1])
    if G.shape != expected:
        raise ValueError(f"grad_logits must have the shape of the logits, {expected}, got {G.shape}")
    return _regularised_backward(network, cache, G)


def _regularised_backward(network: Network, cache: dict[str, Any], G: np.ndarray) -> Network:
    """:func:`regularised_backward` of arguments already checked (``G`` in the network's dtype): a training step's."""
    grad_D = G @ network["W2"].T
    grad_H = grad_D
    if cache["mask"] is not None:
        grad_H = dropout_backward(grad_D, cache["mask"], cache["p"])
    H = cache["H"]
    grad_A = grad_H * (1 - H * H)
    grads = {"W2": cache["D"].T @ G, "b2": G.sum(axis=0)}
    grad_Z = grad_A
    if has_batch_norm(network):
        grad_Z, grads["gamma"], grads["beta"] = batch_norm_backward(
            grad_A, cache["Z"], network["gamma"], EPS
        )
    grads["W1"] = cache["X"].T @ grad_Z
    grads["b1"] = grad_Z.sum(axis=0)
    return {name: grads[name] for name in trainable(network)}


def augmentation_rng(seed: int) -> np.random.Generator:
    """The generator of a run's dropout masks and augmentations: ``default_rng((seed, 1))``.

    Apart from the generator of the batches (``default_rng(seed)``), so that
    turning dropout or augmentation on leaves the batch order as it was.
    """
    return np.random.default_rng((seed, 1))


def train_regularised(
    X: ArrayLike,
    y: ArrayLike,
    n_hidden: int = 64,
    lr: float = 0.5,
    batch_size: int = 32,
    epochs: int = 100,
    seed: int = 0,
    weight_decay: float = 0.0,
    dropout: float = 0.0,
    batch_norm: bool = False,
    augment: Augment | None = None,
    callback: Callback | None = None,
    every: int = 10,
) -> tuple[Network, np.ndarray]:
    r"""Train a :func:`init_regularised` network by mini-batch SGD; return ``(network, losses)``.

    The batches are those of :func:`dlbook.numpy.train_mlp` with ``seed``
    (:func:`dlbook.batches.minibatches`), and so is the initial network
    (:func:`~dlbook.numpy.mlp.init_mlp` with ``seed``). Each step runs
    :func:`regularised_forward` in training mode on the batch, after
    ``augment(X_batch, rng)`` if given, takes the mean softmax cross-entropy,
    backpropagates (:func:`regularised_backward`), adds the weight decay
    :math:`\lambda W` to the weights' gradients and applies
    :func:`~dlbook.numpy.training.sgd_step`. Dropout masks and augmentations
    come from :func:`augmentation_rng`. With every regulariser off this is
    ``train_mlp``'s run. ``losses[t]`` is the cross-entropy of step
    ``t + 1``'s batch before its update, in training mode.
    ``callback(step, loss, network)`` is called every ``every`` steps and
    after the last; if it returns ``True`` the training stops there (see
    :class:`~dlbook.numpy.training.EarlyStopping`).
    """
    X, y = as_float_array(X, "X"), as_numeric_array(y, "y")
    check_labelled_data(X, y)
    lr = check_learning_rate(lr)
    check_weight_decay(weight_decay)
    p = check_dropout_p(dropout)
    network = init_regularised(
        X.shape[1], n_hidden, max(int(y.max()) + 1, 2), batch_norm, seed,
        X.dtype,
    )
    rng = augmentation_rng(seed)
    labels = as_int64("y", y)
    step = 0

    # Each step runs the unchecked cores: the network, X and y were checked above. An augmentation's
    # batch is checked as regularised_forward checks its input; the logits as train_classifier's are.
    def update(batch: np.ndarray) -> float:
        nonlocal step
        step += 1
        inputs = X[batch] if augment is None else layer_input(augment(X[batch], rng), network["W1"], "W1")
        logits, cache = _regularised_forward(network, inputs, True, p, rng)
        check_not_diverged(logits, step)
        loss, grad_logits = _softmax_cross_entropy(logits, labels[batch])
        grads = _regularised_backward(network, cache, grad_logits)
        if weight_decay:
            grads = _add_weight_decay(network, grads, weight_decay)
        network.update(_update(trainable(network), grads, lr))
        return loss

    def progress(step: int, loss: float) -> bool | None:
        return callback(step, loss, network)

    # As in train_classifier: overflow is not warned about, the NaN or +inf it makes raises where it appears.
    with np.errstate(over="ignore", invalid="ignore"):
        losses = run_sgd(
            update, len(y), batch_size, epochs, seed,
            None if callback is None else progress, every,
        )
    return network, losses
