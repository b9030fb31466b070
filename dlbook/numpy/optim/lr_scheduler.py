r"""Learning-rate schedules: the rate of an optimiser, changed step by step.

``torch.optim.lr_scheduler`` in NumPy for the book's optimisers, which have
one rate, ``optimizer.lr``. Used as in PyTorch: after every
``optimizer.step(grads)``, one ``scheduler.step()`` sets the next rate;
``scheduler.get_last_lr()`` lists the rate now in force. As in torch, the
rates are computed *recursively*, from the current rate, and creating a
schedule already takes its first step (``last_epoch`` goes from -1 to 0):
:class:`LinearLR` multiplies the rate by ``start_factor`` right away.

With :math:`\eta_0` the rate when the first schedule was attached
(``base_lrs``, torch's ``initial_lr``) and :math:`t` = ``last_epoch``:

* :class:`StepLR`: :math:`\eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}`;
* :class:`CosineAnnealingLR`: :math:`\eta_t = \eta_{\min} + \tfrac12
  (\eta_0 - \eta_{\min}) (1 + \cos(\pi t / T_{\max}))` for
  :math:`0 \le t \le T_{\max}`, and beyond it the recursion goes on along
  the same cosine, back up to :math:`\eta_0` at :math:`2 T_{\max}`;
* :class:`LinearLR`: :math:`\eta_t = \eta_0 \big(f_s + (f_e - f_s)
  \min(t, T) / T\big)`, a linear warm-up from :math:`f_s \eta_0` to
  :math:`f_e \eta_0` over :math:`T` = ``total_iters`` steps.
"""

from __future__ import annotations

import math

from dlbook._conv_checks import LARGEST
from dlbook._validate import check_count
from dlbook.numpy.optim.optimizer import Optimizer, check_numbers


class LRScheduler:
    """The base of the schedules: attach to ``optimizer``, take the initial step.

    With ``last_epoch=-1`` (a fresh start) the optimiser's current rate
    becomes ``optimizer.param_groups[0]["initial_lr"]`` (also
    ``optimizer.initial_lr``) unless an earlier schedule set it; resuming with
    ``last_epoch >= 0`` needs it set, as in torch (``KeyError`` otherwise).
    Subclasses write :meth:`get_lr`.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        group = optimizer.param_groups[0]
        if last_epoch == -1:
            group.setdefault("initial_lr", group["lr"])
        elif "initial_lr" not in group:
            raise KeyError(
                "param 'initial_lr' is not specified in param_groups[0] when resuming a "
                "scheduler with last_epoch >= 0: attach schedules with last_epoch=-1"
            )
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"]]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        """The rate for the step ``last_epoch`` has just reached, from the current one (a one-item list)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance ``last_epoch`` by one and set ``optimizer.lr`` to the rate for it."""
        self._step_count += 1
        self.last_epoch += 1
        (self.optimizer.lr,) = self.get_lr()
        self._last_lr = [self.optimizer.lr]

    def get_last_lr(self) -> list[float]:
        """The rate the last :meth:`step` set, as a one-item list (one per parameter group in torch)."""
        return list(self._last_lr)


class StepLR(LRScheduler):
    r"""``StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1)``: times :math:`\gamma` every ``step_size`` steps.

    ``step_size`` must be a positive integer (``ValueError`` otherwise).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        step_size = check_count("step_size", step_size, 1, LARGEST)
        check_numbers(gamma=gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r""":math:`\eta \gamma` when ``last_epoch`` is a positive multiple of ``step_size``, else :math:`\eta`."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [self.optimizer.lr]
        return [self.optimizer.lr * self.gamma]


class CosineAnnealingLR(LRScheduler):
    r"""``CosineAnnealingLR(optimizer, T_max, eta_min=0.0, last_epoch=-1)``: half a cosine from :math:`\eta_0` to ``eta_min``.

    Torch's recursion, from the current rate :math:`\eta` at step :math:`t`:

    .. math::

        \eta_{t} = \eta_{\min} + (\eta_{t-1} - \eta_{\min})
            \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t - 1) / T_{\max})},

    and where the denominator vanishes (:math:`t - 1 = T_{\max}` plus a
    multiple of :math:`2 T_{\max}`),
    :math:`\eta_t = \eta_{t-1} + \tfrac12 (\eta_0 - \eta_{\min})(1 - \cos(\pi / T_{\max}))`.
    ``T_max`` must be a positive integer (``ValueError`` otherwise).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        T_max = check_count("T_max", T_max, 1, LARGEST)
        check_numbers(eta_min=eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The recursion above; the initial step keeps the rate."""
        lr, t, t_max, eta_min = self.optimizer.lr, self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [lr]
        if (t - 1 - t_max) % (2 * t_max) == 0:
            return [lr + (self.base_lrs[0] - eta_min) * (1 - math.cos(math.pi / t_max)) / 2]
        return [
            (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max)) * (lr - eta_min)
            + eta_min
        ]


class LinearLR(LRScheduler):
    r"""``LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5, last_epoch=-1)``: a linear ramp of the rate.

    The first step multiplies the rate by :math:`f_s` = ``start_factor``;
    step :math:`t \le T` = ``total_iters`` multiplies it by
    :math:`1 + (f_e - f_s) / (T f_s + (t - 1)(f_e - f_s))`, which takes it
    from :math:`f_s \eta_0` to :math:`f_e \eta_0` in equal steps; later steps
    keep it. Raises ``ValueError`` as torch does unless
    :math:`0 < f_s \le 1` and :math:`0 \le f_e \le 1`, and unless
    ``total_iters`` is an integer of at least 0.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        check_numbers(start_factor=start_factor, end_factor=end_factor)
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1: "
                f"start_factor = {start_factor}"
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(f"Ending multiplicative factor expected to be between 0 and 1: end_factor = {end_factor}")
        total_iters = check_count("total_iters", total_iters, 0, LARGEST)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Times ``start_factor`` at step 0, then the ramp's factor up to ``total_iters``, then unchanged."""
        lr, t = self.optimizer.lr, self.last_epoch
        if t == 0:
            return [lr * self.start_factor]
        if self._is_initial or t > self.total_iters:
            return [lr]
        change = self.end_factor - self.start_factor
        return [lr * (1.0 + change / (self.total_iters * self.start_factor + (t - 1) * change))]
