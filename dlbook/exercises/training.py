r"""Exercises of the chapter "Training a network": one step of gradient descent.

The reader writes ``sgd_step(params, grads, lr)``, which returns the updated
parameters :math:`\theta - \eta\, \partial L / \partial \theta` for every entry
of the dict ``params``. The expected results come from
:func:`dlbook.numpy.training.sgd_step`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, run_checks, same_array
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.training import sgd_step

Params = dict[str, np.ndarray]

RTOL, ATOL = 1e-5, 1e-9  # float32 parameters round at about 1e-7


def _same_params(actual: Any, expected: Params) -> bool:
    """True when ``actual`` is a dict with the keys of ``expected`` and, per key, its dtype, shape and values."""
    if not isinstance(actual, dict) or set(actual) != set(expected):
        return False
    return all(same_array(actual[name], want, RTOL, ATOL) for name, want in expected.items())


def _case(description: str, params: Params, grads: Params, lr: float, hint: str) -> Case:
    return Case(description, (params, grads, lr), sgd_step(params, grads, lr), hint)


def _random_params(rng: np.random.Generator) -> tuple[Params, Params]:
    """Parameters and gradients of a two-layer network of random size."""
    n_in, n_hidden, n_out = (int(k) for k in rng.integers(1, 6, size=3))
    params = init_mlp(n_in, n_hidden, n_out, seed=int(rng.integers(1000)))
    params["b1"] = rng.standard_normal(n_hidden)
    grads = {name: rng.standard_normal(p.shape) for name, p in params.items()}
    return params, grads


def sgd_step_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random networks."""
    network = init_mlp(2, 3, 2, seed=1)
    network_grads = {name: np.full(p.shape, 0.5) for name, p in network.items()}
    float32 = init_mlp(2, 2, 2, seed=2, dtype=np.float32)
    float32_grads = {name: np.full(p.shape, 0.25, dtype=np.float32) for name, p in float32.items()}
    cases = [
        _case("one weight vector, learning rate 1", {"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, -3.0])}, 1.0,
              "step against the gradient: new = old - lr * gradient (subtract, do not add)"),
        _case("one weight vector, learning rate 0.1", {"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, -3.0])}, 0.1,
              "multiply the gradient by the learning rate lr before subtracting it"),
        _case("a two-layer network: W1, b1, W2, b2", network, network_grads, 0.1,
              "update every entry of the dict, the biases b1 and b2 too, and return a dict with the same keys"),
        _case("float32 parameters", float32, float32_grads, 0.5,
              "keep each parameter's dtype: float32 in, float32 out (no np.float64 conversion)"),
        _case("a scalar parameter (0-d array)", {"c": np.array(3.0)}, {"c": np.array(2.0)}, 0.25,
              "a parameter may have any shape, even none: use array arithmetic, not loops over rows"),
        _case("grads listed in another order than params",
              {"w": np.array([1.0, 2.0]), "b": np.array([0.0, -1.0])},
              {"b": np.array([4.0, 4.0]), "w": np.array([-2.0, 2.0])}, 0.5,
              "pair each parameter with its own gradient by name, grads[name], not by position"),
    ]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        params, grads = _random_params(rng)
        lr = float(rng.uniform(0.01, 2.0))
        shapes = ", ".join(f"{name} {p.shape}" for name, p in params.items())
        cases.append(_case(f"random network {k + 1} ({shapes}), lr = {lr:.3f}", params, grads, lr,
                           "apply new = old - lr * gradient to every parameter, whatever its shape"))
    return cases


def check_sgd_step(fn: Callable[[Params, Params, float], Params]) -> CheckResult:
    r"""Check the reader's ``fn(params, grads, lr)`` against :func:`dlbook.numpy.training.sgd_step`.

    ``fn`` must return a dict with the keys of ``params``; each entry equals
    :math:`\theta - \eta\, g` in the parameter's own dtype and shape.
    """
    return run_checks("sgd_step", fn, sgd_step_cases(), matches=_same_params)
