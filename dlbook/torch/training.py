r"""Training the two-layer network the PyTorch way: ``nn.Module``, autograd and ``torch.optim.SGD``.

The twin of :mod:`dlbook.numpy.training`: same arguments, same starting
weights (:func:`dlbook.numpy.mlp.init_mlp`), the same batches in the same order
(:mod:`dlbook.batches`), the same update
:math:`\theta \leftarrow \theta - \eta\, \nabla_\theta L_B(\theta)`; only the
gradients come from ``loss.backward()`` and the update from the optimiser.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
import torch
import torch.nn.functional as F

from dlbook._validate import check_gradients, check_learning_rate
from dlbook.batches import run_sgd
from dlbook.numpy.training import Callback, Params, prepare_training
from dlbook.numpy.weight_decay import check_weight_decay
from dlbook.torch.mlp import MLP


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run the block on one CPU thread, then restore PyTorch's setting.

    The book's networks are tiny: splitting each small matrix product across
    threads costs more than it saves, tens of times more when the cores are busy.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def sgd_step(params: dict[str, Any], grads: dict[str, Any], lr: float) -> dict[str, torch.Tensor]:
    r"""One update :math:`\theta \leftarrow \theta - \eta\, \partial L / \partial \theta`, made by ``torch.optim.SGD``.

    Same arguments and result as :func:`dlbook.numpy.training.sgd_step`, for
    tensors (or arrays): each parameter becomes a leaf tensor whose ``.grad``
    is set to its gradient, and one ``optimizer.step()`` updates the copies.
    """
    check_learning_rate(lr)
    leaves = {name: torch.as_tensor(p).detach().clone().requires_grad_(True) for name, p in params.items()}
    grads = {name: torch.as_tensor(g) for name, g in grads.items()}
    check_gradients(leaves, grads)
    for name, leaf in leaves.items():
        leaf.grad = grads[name].to(leaf.dtype)
    torch.optim.SGD(leaves.values(), lr=lr).step()
    return {name: leaf.detach() for name, leaf in leaves.items()}


def weight_decay_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """``model``'s parameters as two groups for ``torch.optim.SGD``: weights that decay, the rest that do not.

    A weight is a parameter of two or more axes (an ``nn.Linear``'s
    ``weight``); biases and normalisation parameters, one axis, keep
    ``weight_decay=0``, as in :func:`dlbook.numpy.weight_decay.add_weight_decay`.
    """
    parameters = list(model.parameters())
    return [
        {"params": [p for p in parameters if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in parameters if p.ndim < 2], "weight_decay": 0.0},
    ]


def train_mlp(
    X: Any,
    y: Any,
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
) -> tuple[MLP, np.ndarray]:
    r"""Train an :class:`~dlbook.torch.mlp.MLP` on ``(X, y)`` with ``torch.optim.SGD``; return ``(model, losses)``.

    Arguments and losses as in :func:`dlbook.numpy.training.train_mlp`: each
    step computes ``F.cross_entropy`` (the mean softmax cross-entropy) on the
    next batch, calls ``loss.backward()`` and ``optimizer.step()``.
    ``callback(step, loss, model)`` is called every ``every`` steps and after the last.
    ``weight_decay`` is given to ``torch.optim.SGD`` for the two weight
    matrices only, not the biases, as :mod:`dlbook.numpy.weight_decay` does.
    Training runs on one CPU thread (see :func:`_one_thread`).
    """
    X, y, initial = prepare_training(X, y, n_hidden, seed, params)
    check_learning_rate(lr)
    check_weight_decay(weight_decay)
    model = MLP.from_params(initial, activation)
    inputs, labels = torch.from_numpy(X), torch.from_numpy(y).long()
    optimizer = torch.optim.SGD(weight_decay_groups(model, weight_decay), lr=lr)

    def update(batch: np.ndarray) -> float:
        index = torch.from_numpy(batch)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs[index]), labels[index])
        loss.backward()
        optimizer.step()
        return loss.item()

    progress = None if callback is None else (lambda step, loss: callback(step, loss, model))
    with _one_thread():
        losses = run_sgd(update, len(y), batch_size, epochs, seed, progress, every)
    return model, losses
