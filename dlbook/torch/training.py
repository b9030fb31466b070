r"""Training the two-layer network the PyTorch way: ``nn.Module``, autograd and ``torch.optim.SGD``.

The twin of :mod:`dlbook.numpy.training`: same arguments, same starting
weights (:func:`dlbook.numpy.mlp.init_mlp`), the same batches in the same order
(:mod:`dlbook.batches`), the same update
:math:`\theta \leftarrow \theta - \eta\, \nabla_\theta L_B(\theta)`; only the
gradients come from ``loss.backward()`` and the update from the optimiser.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, TypeVar

import numpy as np
import torch
import torch.nn.functional as F

from dlbook._validate import check_gradients, check_labelled_data, check_learning_rate
from dlbook.batches import run_sgd
from dlbook.numpy.training import Callback, Params, prepare_training
from dlbook.torch.mlp import MLP

ModelT = TypeVar("ModelT", bound=torch.nn.Module)


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
) -> tuple[MLP, np.ndarray]:
    r"""Train an :class:`~dlbook.torch.mlp.MLP` on ``(X, y)`` with ``torch.optim.SGD``; return ``(model, losses)``.

    Arguments and losses as in :func:`dlbook.numpy.training.train_mlp`: each
    step computes ``F.cross_entropy`` (the mean softmax cross-entropy) on the
    next batch, calls ``loss.backward()`` and ``optimizer.step()``.
    ``callback(step, loss, model)`` is called every ``every`` steps and after the last.
    Training runs on one CPU thread (see :func:`_one_thread`).
    """
    X, y, initial = prepare_training(X, y, n_hidden, seed, params)
    return train_model(MLP.from_params(initial, activation), X, y, lr, batch_size, epochs, seed, callback, every)


def train_model(
    model: ModelT,
    X: Any,
    y: Any,
    lr: float = 0.5,
    batch_size: int = 32,
    epochs: int = 100,
    seed: int = 0,
    callback: Callback | None = None,
    every: int = 10,
) -> tuple[ModelT, np.ndarray]:
    r"""Train any classifier ``model`` (an ``nn.Module`` giving logits) in place with ``torch.optim.SGD``.

    The twin of :func:`dlbook.numpy.training.train_classifier`: the same
    batches (:mod:`dlbook.batches`, from ``seed``), and each step computes
    ``F.cross_entropy`` (the mean softmax cross-entropy) on the next batch,
    calls ``loss.backward()`` and ``optimizer.step()``. Returns ``(model,
    losses)``, ``losses[t]`` the loss of step ``t + 1``'s batch before its
    update. ``callback(step, loss, model)`` is called every ``every`` steps and
    after the last. ``X`` is converted to the model's dtype. Training runs on
    one CPU thread (see :func:`_one_thread`).
    """
    check_learning_rate(lr)
    X, y = np.asarray(X), np.asarray(y)
    check_labelled_data(X, y)
    dtype = next(model.parameters()).dtype
    inputs, labels = torch.as_tensor(X).to(dtype), torch.from_numpy(y).long()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

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
