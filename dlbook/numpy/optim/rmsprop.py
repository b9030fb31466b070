r"""RMSProp: every coordinate's step divided by the root of its mean squared gradient.

``torch.optim.RMSprop`` in NumPy, rule for rule. For each parameter
:math:`\theta` with gradient :math:`g_t`, starting from :math:`v_0 = 0`,
:math:`\bar g_0 = 0` and :math:`b_0 = 0`:

.. math::

    g_t &\leftarrow g_t + \lambda \theta_{t-1} &&\text{(weight decay } \lambda\text{)} \\
    v_t &\leftarrow \alpha v_{t-1} + (1 - \alpha)\, g_t^2 &&\text{(square_avg)} \\
    \bar g_t &\leftarrow \alpha \bar g_{t-1} + (1 - \alpha)\, g_t,\quad
        \tilde v_t = v_t - \bar g_t^2 &&\text{(centered only; else } \tilde v_t = v_t) \\
    b_t &\leftarrow \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),\quad
        \theta_t \leftarrow \theta_{t-1} - \eta\, b_t &&\text{(momentum } \mu > 0) \\
    \theta_t &\leftarrow \theta_{t-1} - \eta\, g_t / (\sqrt{\tilde v_t} + \epsilon)
        &&\text{(no momentum)}

Squares, roots and divisions are taken coordinate by coordinate: a
coordinate whose gradients are large gets a small step, one whose gradients
are small a large one. There is no bias correction: the first step divides
by :math:`\sqrt{1 - \alpha}\,|g_1|`, a step of :math:`\eta / \sqrt{1 - \alpha}`
(:math:`10\eta` at the default :math:`\alpha = 0.99`). ``maximize=True``
ascends.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.numpy.optim.optimizer import Optimizer, Params, check_numbers, lerp_


class RMSprop(Optimizer):
    """``torch.optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, capturable=False, foreach=None, maximize=False, differentiable=False)``.

    Raises ``ValueError`` as torch does when ``lr``, ``eps``, ``momentum``,
    ``weight_decay`` or ``alpha`` is below 0 (or NaN). The state of a
    parameter: ``"step"``, ``"square_avg"``, and ``"momentum_buffer"``
    (momentum above 0) and ``"grad_avg"`` (centered). ``capturable``,
    ``foreach`` and ``differentiable`` change nothing here
    (:data:`~dlbook.numpy.optim.optimizer.DEVICE_OPTIONS`).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_numbers(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        super().__init__(params, {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                                  "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable})

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if self.momentum > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if self.centered:
                state["grad_avg"] = np.zeros_like(param)
        if self.maximize:
            grad = -grad
        state["step"] += 1
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        square_avg = state["square_avg"]
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * grad * grad
        if self.centered:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, grad, 1 - self.alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)  # NaN if rounding went below 0, as in torch
        else:
            avg = np.sqrt(square_avg)
        avg += self.eps
        if self.momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= self.momentum
            buffer += grad / avg
            param -= self.lr * buffer
        else:
            param += -self.lr * grad / avg
