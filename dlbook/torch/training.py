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

from dlbook._validate import (
    check_function,
    check_gradients,
    check_learning_rate,
    check_mapping,
    check_no_nan,
    describe,
)
from dlbook.batches import run_sgd
from dlbook.numpy.training import Callback, Params, prepare_training
from dlbook.torch._tensors import as_float_tensor, from_numpy
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

    Same arguments, result and errors as :func:`dlbook.numpy.training.sgd_step`,
    for tensors (or arrays, lists, numbers, read as the NumPy side reads them):
    each parameter becomes a leaf tensor whose ``.grad`` is set to its
    gradient, and one ``optimizer.step()`` updates the copies.
    """
    lr = check_learning_rate(lr)
    leaves = {
        name: as_float_tensor(p, f"params[{describe(name)}]").detach().clone().requires_grad_(True)
        for name, p in check_mapping("params", params).items()
    }
    grads = {name: as_float_tensor(g, f"grads[{describe(name)}]") for name, g in check_mapping("grads", grads).items()}
    check_gradients(leaves, grads)
    for kind, tensors in (("params", leaves), ("grads", grads)):
        for name, t in tensors.items():
            check_no_nan(f"{kind}[{describe(name)}]", t.detach())
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
    lr = check_learning_rate(lr)
    check_function("callback", callback, optional=True)
    model = MLP.from_params(initial, activation)
    # The inputs in the parameters' dtype, as dlbook.numpy's forward pass casts them.
    inputs = from_numpy(X.astype(initial["W1"].dtype, copy=False), "X")
    labels = from_numpy(y, "y").long()
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
