r"""Adam: momentum and RMSProp together, each running average corrected for its start at zero.

``torch.optim.Adam`` in NumPy, rule for rule. For each parameter
:math:`\theta` with gradient :math:`g_t` at step :math:`t = 1, 2, \dots`,
starting from :math:`m_0 = v_0 = 0`:

.. math::

    g_t &\leftarrow g_t + \lambda \theta_{t-1}
        \quad\text{(L2 weight decay; or, decoupled: }
        \theta_{t-1} \leftarrow (1 - \eta\lambda)\,\theta_{t-1}\text{)} \\
    m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t
        &&\text{(exp_avg: the mean gradient)} \\
    v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2
        &&\text{(exp_avg_sq: the mean squared gradient)} \\
    \hat m_t &= \frac{m_t}{1 - \beta_1^t}, \quad
    \hat v_t = \frac{v_t}{1 - \beta_2^t}
        &&\text{(bias correction)} \\
    \theta_t &\leftarrow \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} .

Both averages start at 0 and so are too small at first: after :math:`t`
steps of one constant gradient :math:`g`, :math:`m_t = (1 - \beta_1^t)\, g`
and :math:`v_t = (1 - \beta_2^t)\, g^2`. Dividing by :math:`1 - \beta^t`
undoes exactly that: under a constant gradient every step moves each
coordinate by :math:`\eta` (up to :math:`\epsilon`), and in general by about
:math:`\eta` or less. Kingma and Ba bound the step by
:math:`\eta\,(1 - \beta_1) / \sqrt{1 - \beta_2} \approx 3.16\,\eta`, reached
by a gradient that was 0 for a long time and then appears; that is no strict
bound: a gradient that grows by 10% at every step reaches about
:math:`7\eta`. With ``amsgrad=True`` the root is taken of the largest
:math:`v_t` so far instead. Computed in torch's order,
:math:`\theta \leftarrow \theta - \frac{\eta}{1 - \beta_1^t} \cdot
\frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}`, with one
difference in rounding: torch takes :math:`\beta^t` and the root of
:math:`1 - \beta_2^t` with Python's ``**``, whose last bit depends on the C
library; here they are :func:`power` (squaring and multiplying) and
``math.sqrt``, which give the very same bits in the browser's port
(``js/compute/optim.js``). The two differ by a few units in the 16th digit.
``maximize=True`` ascends.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dlbook._validate import describe
from dlbook.numpy.optim.optimizer import Optimizer, Params, check_numbers, lerp_


def power(base: float, exponent: int) -> float:
    r""":math:`b^n` for a whole :math:`n \ge 0` by repeated squaring: the same multiplications in any language."""
    result = 1.0
    while exponent:
        if exponent & 1:
            result *= base
        base *= base
        exponent >>= 1
    return result


class Adam(Optimizer):
    """``torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False)``.

    Raises ``ValueError`` as torch does: ``lr``, ``eps`` or ``weight_decay``
    below 0 (or NaN), a beta outside :math:`[0, 1)`, betas that are not two
    floats. With ``decoupled_weight_decay=True`` it is
    :class:`~dlbook.numpy.optim.AdamW`. The state of a parameter:
    ``"step"``, ``"exp_avg"``, ``"exp_avg_sq"``, and ``"max_exp_avg_sq"``
    (amsgrad). ``foreach``, ``capturable``, ``differentiable`` and
    ``fused`` change nothing here
    (:data:`~dlbook.numpy.optim.optimizer.DEVICE_OPTIONS`).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_numbers(lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {describe(betas)}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError(f"betas must be both floats, as in torch.optim.Adam, got {describe(betas)}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                                  "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable, "differentiable": differentiable, "fused": fused,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        beta1, beta2 = self.betas
        if self.maximize:
            grad = -grad
        state["step"] += 1
        step = state["step"]
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                param *= 1 - self.lr * self.weight_decay
            else:
                grad = grad + self.weight_decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        step_size = self.lr / (1 - power(beta1, step))
        bias_correction2_sqrt = math.sqrt(1 - power(beta2, step))
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]
        denominator = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + self.eps
        param += -step_size * exp_avg / denominator
