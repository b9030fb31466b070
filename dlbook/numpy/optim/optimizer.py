r"""What every optimiser shares: the parameters it updates, its rate, its state per parameter.

The twin of ``torch.optim.Optimizer`` for the book's parameters, a dict of
NumPy arrays (``{"W1": ..., "b1": ...}``). An optimiser keeps those arrays
(not copies) and :meth:`Optimizer.step` updates them **in place** from a dict
of gradients with the same keys and shapes, as ``optimizer.step()`` updates
a model's tensors from their ``.grad``. Whatever an optimiser remembers
between steps (a velocity, running averages, a step count) lives in
``optimizer.state[name]`` under torch's names (``"momentum_buffer"``,
``"exp_avg"``, ...).

One rate for all parameters: ``optimizer.lr``, what torch keeps in
``optimizer.param_groups[0]["lr"]``. A schedule
(:mod:`dlbook.numpy.optim.lr_scheduler`) changes it between steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import check_gradients

Params = dict[str, np.ndarray]


def _check_params(params: Any) -> Params:
    """``params`` as a dict of the very arrays given; errors as torch's (empty) or naming the key."""
    if not isinstance(params, Mapping):
        raise TypeError(
            "params must be a dict of NumPy arrays, such as "
            f"{{'W1': ..., 'b1': ...}}, got {type(params).__name__}"
        )
    if not params:
        raise ValueError("params is empty: the optimizer got an empty parameter list")
    for name, p in params.items():
        if not (isinstance(p, np.ndarray) and np.issubdtype(p.dtype, np.floating)):
            raise ValueError(
                f"params[{name!r}] must be a floating-point NumPy array, "
                f"got {type(p).__name__}"
                + (f" of dtype {p.dtype}" if isinstance(p, np.ndarray) else "")
            )
        if not p.flags.writeable:
            raise ValueError(
                f"params[{name!r}] is read-only; the optimizer updates it in place"
            )
    return dict(params)


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    r"""``start`` moved in place a share ``weight`` of the way to ``end``, as ``torch.lerp_``.

    :math:`s + w (e - s)`, computed as torch computes it:
    :math:`s + w (e - s)` for :math:`|w| < 1/2` and
    :math:`e - (e - s)(1 - w)` otherwise (exact at :math:`w = 1`).
    """
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


class Optimizer:
    """The base of :class:`~dlbook.numpy.optim.SGD`, ``RMSprop``, ``Adam`` and ``AdamW``.

    Subclasses check their hyperparameters as torch does, list them in
    :attr:`HYPERPARAMETERS` (for ``repr``) and write :meth:`_update`, the
    rule for one parameter.
    """

    #: The names of the attributes ``repr`` shows, in the order of the signature.
    HYPERPARAMETERS: ClassVar[tuple[str, ...]] = ("lr",)

    def __init__(self, params: Params, lr: float) -> None:
        self.params = _check_params(params)
        #: The current learning rate (torch: ``param_groups[0]["lr"]``).
        self.lr = lr
        #: The rate when the first schedule was attached (torch: ``param_groups[0]["initial_lr"]``).
        self.initial_lr: float | None = None
        #: What the optimiser remembers of each parameter between steps, by name.
        self.state: dict[str, dict[str, Any]] = {name: {} for name in self.params}

    def step(self, grads: Mapping[str, ArrayLike]) -> None:
        """Update every parameter in place from its gradient ``grads[name]``.

        ``grads`` must have exactly the keys of the parameters and each
        gradient its parameter's shape (else ``ValueError`` naming the key);
        gradients are used in their parameter's dtype. (The state of a
        0-d parameter has shape ``(1,)``.) As in torch, a step that overflows
        or divides 0 by 0 leaves inf or NaN, without a warning.
        """
        if isinstance(grads, Mapping):
            grads = {name: np.asarray(g) for name, g in grads.items()}
        check_gradients(self.params, grads)
        # As in torch, what overflows or divides 0 by 0 (eps=0) becomes inf or NaN, silently.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            for name, p in self.params.items():
                grad = np.asarray(grads[name], dtype=p.dtype)
                # A 0-d parameter is updated through a 1-element view: NumPy's arithmetic on
                # 0-d arrays returns scalars, which in-place updates could not write back.
                self._update(np.atleast_1d(p), np.atleast_1d(grad), self.state[name])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        """Apply the rule to one parameter, in place, given its gradient and its state."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.HYPERPARAMETERS)
        return f"{type(self).__name__}({settings}; params {list(self.params)})"
