r"""Training the two-layer network the PyTorch way: ``nn.Module``, autograd and ``torch.optim``.

The twin of :mod:`dlbook.numpy.training`: same arguments, same starting
weights (:func:`dlbook.numpy.mlp.init_mlp`), the same batches in the same order
(:mod:`dlbook.batches`), the same update (by default plain SGD,
:math:`\theta \leftarrow \theta - \eta\, \nabla_\theta L_B(\theta)`; or
momentum, RMSProp, Adam, AdamW by the names :mod:`dlbook.numpy.optim` shares
with ``torch.optim``); only the gradients come from ``loss.backward()`` and
the update from ``torch.optim``'s optimiser.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, TypeVar

import numpy as np
import torch
import torch.nn.functional as F

from dlbook._validate import (
    check_function,
    check_gradients,
    check_labelled_data,
    check_learning_rate,
    check_mapping,
    check_no_nan,
    describe,
)
from dlbook.batches import run_sgd
from dlbook.numpy._arrays import as_float_array, as_numeric_array
from dlbook.numpy.training import Callback, Params, check_l2_penalty, optimizer_options, prepare_training
from dlbook.numpy.weight_decay import check_weight_decay
from dlbook.torch._tensors import as_float_tensor, from_numpy
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


def weight_decay_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """``model``'s parameters as two groups for a ``torch.optim`` optimiser: weights that decay, the rest that do not.

    A weight is a parameter of two or more axes (an ``nn.Linear``'s
    ``weight``, an ``nn.Conv2d``'s kernels); biases and normalisation
    parameters, one axis, keep ``weight_decay=0``. For the book's MLPs that is
    :func:`dlbook.numpy.weight_decay.add_weight_decay`'s choice (their
    ``W``); for the convolutional network it is not: NumPy's decays ``W3``
    alone, not the kernels.
    """
    check_weight_decay(weight_decay)
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
    optimizer: str = "SGD",
    options: dict[str, Any] | None = None,
    weight_decay: float = 0.0,
) -> tuple[MLP, np.ndarray]:
    r"""Train an :class:`~dlbook.torch.mlp.MLP` on ``(X, y)`` with ``torch.optim``; return ``(model, losses)``.

    Arguments and losses as in :func:`dlbook.numpy.training.train_mlp`: each
    step computes ``F.cross_entropy`` (the mean softmax cross-entropy) on the
    next batch, calls ``loss.backward()`` and ``optimizer.step()``, where the
    optimiser is ``torch.optim``'s class named ``optimizer`` (``"SGD"``,
    ``"RMSprop"``, ``"Adam"``, ``"AdamW"``) made with ``lr`` and ``options``.
    ``callback(step, loss, model)`` is called every ``every`` steps and after the last.
    ``weight_decay`` is given to the optimiser for the two weight matrices
    only, not the biases, as :mod:`dlbook.numpy.weight_decay` does.
    Training runs on one CPU thread (see :func:`_one_thread`).
    """
    X, y, initial = prepare_training(X, y, n_hidden, seed, params)
    return train_model(
        MLP.from_params(initial, activation), X, y, lr, batch_size, epochs, seed, callback, every, optimizer, options,
        weight_decay,
    )


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
    optimizer: str = "SGD",
    options: dict[str, Any] | None = None,
    weight_decay: float = 0.0,
) -> tuple[ModelT, np.ndarray]:
    r"""Train any classifier ``model`` (an ``nn.Module`` giving logits) in place with ``torch.optim``.

    The twin of :func:`dlbook.numpy.training.train_classifier`: the same
    batches (:mod:`dlbook.batches`, from ``seed``), and each step computes
    ``F.cross_entropy`` (the mean softmax cross-entropy) on the next batch,
    calls ``loss.backward()`` and ``optimizer.step()``, where the optimiser is
    ``torch.optim``'s class named ``optimizer`` made with ``lr`` and
    ``options``. Returns ``(model, losses)``, ``losses[t]`` the loss of step
    ``t + 1``'s batch before its update. ``callback(step, loss, model)`` is
    called every ``every`` steps and after the last. ``X`` is converted to the
    model's dtype, as dlbook.numpy's forward pass casts it. ``weight_decay``
    is the L2 penalty on the weights (:func:`weight_decay_groups`), as in
    :func:`dlbook.numpy.training.train_classifier`. A callback that returns
    ``True`` stops the training after that step. Training runs on one CPU
    thread (see :func:`_one_thread`).
    """
    lr = check_learning_rate(lr)
    check_function("callback", callback, optional=True)
    check_l2_penalty(weight_decay, optimizer)
    X, y = as_float_array(X, "X"), as_numeric_array(y, "y")
    check_labelled_data(X, y)
    dtype = next(model.parameters()).dtype
    largest = torch.finfo(dtype).max
    for name, value in (("lr", lr), ("weight_decay", weight_decay)):
        if value > largest:  # torch.optim's RuntimeError "cannot be converted ... without overflow" at the first step
            raise ValueError(f"{name}={value:g} is too large for the model's {dtype} parameters (at most {largest:g})")
    inputs = from_numpy(X, "X").to(dtype)
    labels = from_numpy(y, "y").long()
    options = optimizer_options(optimizer, options)  # the names and checks of the NumPy side
    groups = weight_decay_groups(model, weight_decay) if weight_decay else model.parameters()
    stepper = getattr(torch.optim, optimizer)(groups, lr=lr, **options)

    def update(batch: np.ndarray) -> float:
        index = torch.from_numpy(batch)
        stepper.zero_grad()
        loss = F.cross_entropy(model(inputs[index]), labels[index])
        loss.backward()
        stepper.step()
        return loss.item()

    progress = None if callback is None else (lambda step, loss: callback(step, loss, model))
    with _one_thread():
        losses = run_sgd(update, len(y), batch_size, epochs, seed, progress, every)
    return model, losses
