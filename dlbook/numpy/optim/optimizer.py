r"""What every optimiser shares: the parameters it updates, its rate, its state per parameter.

The twin of ``torch.optim.Optimizer`` for the book's parameters, a dict of
NumPy arrays (``{"W1": ..., "b1": ...}``). An optimiser keeps those arrays
(not copies) and :meth:`Optimizer.step` updates them **in place** from a dict
of gradients with the same keys and shapes, as ``optimizer.step()`` updates
a model's tensors from their ``.grad``. Whatever an optimiser remembers
between steps (a velocity, running averages, a step count) lives in
``optimizer.state[name]`` under torch's names (``"momentum_buffer"``,
``"exp_avg"``, ...).

One group of parameters: ``optimizer.param_groups`` is a list of one dict
holding the arrays (``"params"``) and the hyperparameters under torch's names
(``"lr"``, ``"momentum"``, ...), as torch's ``param_groups[0]``; they read
and write as attributes too: ``optimizer.lr`` is
``optimizer.param_groups[0]["lr"]``, the current rate, which a schedule
(:mod:`dlbook.numpy.optim.lr_scheduler`) changes between steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import check_gradients, check_number

Params = dict[str, np.ndarray]
#: torch's arguments that pick one of its implementations (``foreach``, ``fused``) or let a step be captured
#: on a GPU or differentiated (``capturable``, ``differentiable``). Accepted, and kept in ``param_groups[0]``
#: as torch keeps them, so that torch's calls run unchanged; NumPy has one implementation, and they change
#: nothing.
DEVICE_OPTIONS = ("foreach", "capturable", "differentiable", "fused")


def _check_params(params: Any) -> Params:
    """``params`` as a dict of the very arrays given; errors as torch's (empty, duplicates) or naming the key."""
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
    seen: dict[int, str] = {}
    for name, p in params.items():
        # torch warns that a duplicate parameter "in future, this will cause an error": it would move twice
        if id(p) in seen:
            raise ValueError(f"params[{name!r}] is the same array as params[{seen[id(p)]!r}]: "
                             "each parameter may appear once")
        seen[id(p)] = name
    return dict(params)


def check_numbers(**hyperparameters: Any) -> None:
    """Raise an error naming the first of ``hyperparameters`` that is not a number (see :func:`check_number`).

    Torch compares them with its bounds at once (``lr < 0.0``), which for
    ``None`` or a string raises a ``TypeError`` that names neither; NaN and
    infinities are left to those comparisons, as in torch.
    """
    for name, value in hyperparameters.items():
        check_number(name, value)


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

    Subclasses check their hyperparameters as torch does, hand them to this
    constructor as ``defaults`` (the keys of torch's ``param_groups[0]``) and
    write :meth:`_update`, the rule for one parameter.
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        arrays = _check_params(params)
        #: The arrays being optimised, by name (the very arrays of ``params``).
        self.params = arrays
        #: The hyperparameters as torch groups them: one group, torch's keys.
        self.param_groups: list[dict[str, Any]] = [{"params": list(arrays.values()), **defaults}]
        #: What the optimiser remembers of each parameter between steps, by name.
        self.state: dict[str, dict[str, Any]] = {name: {} for name in arrays}

    def __getattr__(self, name: str) -> Any:
        """A hyperparameter of the group (``optimizer.lr``, ``optimizer.momentum``, ...)."""
        groups = self.__dict__.get("param_groups")
        if groups and name in groups[0] and name != "params":
            return groups[0][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        """Setting a hyperparameter (``optimizer.lr = 0.01``) sets it in the group."""
        groups = self.__dict__.get("param_groups")
        if groups and name in groups[0] and name != "params":
            groups[0][name] = value
        else:
            super().__setattr__(name, value)

    def step(self, grads: Mapping[str, ArrayLike | None]) -> None:
        """Update every parameter in place from its gradient ``grads[name]``.

        ``grads`` must have exactly the keys of the parameters and each
        gradient its parameter's shape (else ``ValueError`` naming the key);
        gradients are used in their parameter's dtype. A gradient ``None``
        skips its parameter, as torch skips a parameter whose ``.grad`` is
        ``None``: it does not move and its state (step count included) stays
        as it was. As in torch, a step that overflows or divides 0 by 0
        leaves inf or NaN, without a warning.
        """
        if isinstance(grads, Mapping):
            grads = {name: None if g is None else np.asarray(g) for name, g in grads.items()}
        check_gradients(self.params, grads, allow_none=True)
        self._step(grads)

    def _step(self, grads: Mapping[str, np.ndarray | None]) -> None:
        """:meth:`step` from gradients already checked: arrays (or ``None``) of the parameters' keys and shapes."""
        # As in torch, what overflows or divides 0 by 0 (eps=0) becomes inf or NaN, silently.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            for name, p in self.params.items():
                if grads[name] is None:
                    continue
                grad = np.asarray(grads[name], dtype=p.dtype)
                if p.ndim:
                    self._update(p, grad, self.state[name])
                else:
                    self._update_scalar(p, grad, self.state[name])

    def _update_scalar(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        """:meth:`_update` for a 0-d parameter, whose state stays 0-d as torch's.

        NumPy's arithmetic on 0-d arrays returns scalars, which in-place
        updates could not write back: the rule runs on 1-element views of the
        parameter and its state, and the state keeps 0-d views of the result.
        """
        views = {key: np.atleast_1d(value) if isinstance(value, np.ndarray) else value
                 for key, value in state.items()}
        self._update(np.atleast_1d(param), np.atleast_1d(grad), views)
        state.update({key: value.reshape(()) if isinstance(value, np.ndarray) else value
                      for key, value in views.items()})

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        """Apply the rule to one parameter, in place, given its gradient and its state."""
        raise NotImplementedError

    def __repr__(self) -> str:
        group = self.param_groups[0]
        hidden = ("params", "initial_lr", *DEVICE_OPTIONS)
        settings = ", ".join(f"{key}={value!r}" for key, value in group.items() if key not in hidden)
        return f"{type(self).__name__}({settings}; params {list(self.params)})"
