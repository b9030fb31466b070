r"""Weight decay: the L2 penalty on a network's weights and its gradient.

Training with weight decay :math:`\lambda \ge 0` minimises the data loss
plus half the squared length of every weight matrix, times :math:`\lambda`:

.. math::

    L_\lambda(\theta) = L(\theta) + \frac{\lambda}{2} \sum_{W} \|W\|^2, \qquad
    \frac{\partial L_\lambda}{\partial W} = \frac{\partial L}{\partial W} + \lambda W .

The biases (and batch normalisation's scale and shift) are not penalised:
a weight matrix is a parameter whose name starts with ``"W"``. One SGD step
on :math:`L_\lambda` is
:math:`W \leftarrow W - \eta (\partial L / \partial W + \lambda W)
= (1 - \eta\lambda) W - \eta\, \partial L / \partial W`: before each
gradient step, every weight shrinks, *decays*, by the factor
:math:`1 - \eta\lambda`. It is what ``torch.optim.SGD(..., weight_decay=λ)``
does to the parameters it is given.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from dlbook._validate import ArgumentTypeError, check_gradients, check_mapping, check_number, describe

Params = dict[str, np.ndarray]


def check_weight_decay(weight_decay: float) -> None:
    r"""Raise ``ValueError`` unless ``weight_decay`` is a finite number :math:`\lambda \ge 0`.

    A non-number raises :class:`~dlbook._validate.ArgumentTypeError` (also a
    ``TypeError``), an integer too large for a float ``ValueError``.
    """
    message = f"weight_decay must be a finite number of at least 0, got {describe(weight_decay)}"
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, Real):
        raise ArgumentTypeError(message)
    check_number("weight_decay", weight_decay)
    if not 0 <= weight_decay < math.inf:
        raise ValueError(message)


def is_weight(name: str) -> bool:
    """Whether the parameter called ``name`` is a weight matrix (``W``, ``W1``, ...), which decays."""
    return name.startswith("W")


def l2_penalty(params: Params, weight_decay: float) -> float:
    r"""The penalty :math:`\frac{\lambda}{2} \sum_W \|W\|^2` over the weight matrices of ``params``."""
    check_weight_decay(weight_decay)
    check_mapping("params", params)
    squares = sum(
        float(np.sum(np.square(p, dtype=np.float64)))
        for name, p in params.items() if is_weight(name)
    )
    return weight_decay / 2 * squares


def add_weight_decay(
    params: Params, grads: Params, weight_decay: float
) -> Params:
    r"""The gradients of the penalised loss: :math:`\partial L / \partial W + \lambda W` for every weight.

    ``grads`` holds :math:`\partial L / \partial \theta` for the parameters
    ``params`` (keys of ``params``, each of its parameter's shape; buffers
    such as batch normalisation's running statistics have none); biases keep their gradient. Returns a new
    dict, each entry in its gradient's dtype; the inputs are left unchanged.
    """
    check_weight_decay(weight_decay)
    params, grads = check_mapping("params", params), check_mapping("grads", grads)
    unknown = [name for name in grads if name not in params]
    if unknown:
        raise ValueError(f"grads has {describe(unknown)}, which params lacks")
    check_gradients({name: params[name] for name in grads}, grads)
    return _add_weight_decay(params, grads, weight_decay)


def _add_weight_decay(params: Params, grads: Params, weight_decay: float) -> Params:
    """:func:`add_weight_decay` of arguments already checked: a training loop's step."""
    return {
        name: g + (weight_decay * params[name]).astype(g.dtype, copy=False)
        if is_weight(name) else g
        for name, g in grads.items()
    }
