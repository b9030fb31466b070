r"""Stochastic gradient descent, with momentum, dampening, weight decay and Nesterov's variant.

``torch.optim.SGD`` in NumPy, rule for rule. For each parameter
:math:`\theta` with gradient :math:`g_t` at step :math:`t`:

.. math::

    g_t &\leftarrow g_t + \lambda \theta_{t-1}
        &&\text{(weight decay } \lambda\text{, L2 in the gradient)} \\
    b_t &\leftarrow \begin{cases} g_t & t = 1 \\
        \mu\, b_{t-1} + (1 - \tau)\, g_t & t > 1 \end{cases}
        &&\text{(momentum } \mu\text{, dampening } \tau\text{)} \\
    g_t &\leftarrow g_t + \mu\, b_t \ \text{(Nesterov)} \quad\text{or}\quad g_t \leftarrow b_t \\
    \theta_t &\leftarrow \theta_{t-1} - \eta\, g_t .

Without momentum (:math:`\mu = 0`) the middle lines are skipped: plain
:math:`\theta \leftarrow \theta - \eta g`. With :math:`\tau = 0` the buffer
:math:`b` is the *heavy ball*'s velocity: :math:`b_t = \sum_{k \le t}
\mu^{t-k} g_k`, and :math:`\theta_t - \theta_{t-1} = \mu (\theta_{t-1} -
\theta_{t-2}) - \eta g_t`. ``maximize=True`` ascends: :math:`g` is replaced
by :math:`-g` first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.numpy.optim.optimizer import Optimizer, Params, check_numbers


class SGD(Optimizer):
    """``torch.optim.SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False, foreach=None, differentiable=False, fused=None)``.

    Raises ``ValueError`` as torch does: ``lr``, ``momentum`` or
    ``weight_decay`` below 0, or ``nesterov=True`` without a momentum above 0
    and zero dampening. The state of a parameter is its
    ``"momentum_buffer"`` (with momentum only). ``foreach``,
    ``differentiable`` and ``fused`` change nothing here
    (:data:`~dlbook.numpy.optim.optimizer.DEVICE_OPTIONS`).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_numbers(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                                  "foreach": foreach, "differentiable": differentiable, "fused": fused})

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        if self.maximize:
            grad = -grad
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        if self.momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = grad.copy()
            else:
                buffer *= self.momentum
                buffer += (1 - self.dampening) * grad
            grad = grad + self.momentum * buffer if self.nesterov else buffer
        param -= self.lr * grad
