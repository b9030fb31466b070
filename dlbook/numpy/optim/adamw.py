r"""AdamW: Adam with its weight decay taken out of the gradient.

``torch.optim.AdamW`` in NumPy: :class:`~dlbook.numpy.optim.Adam` with
``decoupled_weight_decay=True`` and a default weight decay of
:math:`\lambda = 10^{-2}`. Each step first shrinks every weight,

.. math::

    \theta \leftarrow (1 - \eta\lambda)\, \theta ,

then takes Adam's step on the loss's gradient alone. With the decay in the
gradient instead (``Adam(weight_decay=...)``), the term :math:`\lambda\theta`
would pass through Adam's division by :math:`\sqrt{\hat v}`: weights with
large gradients would hardly be decayed, and a weight whose only gradient is
the decay would first move by about :math:`\eta` per step whatever
:math:`\lambda` (less later, as :math:`\hat v` still remembers larger
gradients).
"""

from __future__ import annotations

from dlbook.numpy.optim.adam import Adam
from dlbook.numpy.optim.optimizer import Params


class AdamW(Adam):
    """``torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *, maximize=False, foreach=None, capturable=False, differentiable=False, fused=None)``.

    ``foreach``, ``capturable``, ``differentiable`` and ``fused`` change
    nothing here (:data:`~dlbook.numpy.optim.optimizer.DEVICE_OPTIONS`).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
