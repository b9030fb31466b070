r"""Exercises of the chapter "Optimisers and initialisation": momentum, Adam, a cosine schedule.

* :func:`check_momentum_step`: the reader writes ``momentum_step(params,
  grads, velocity, lr, momentum)``, one heavy-ball step
  :math:`v \leftarrow \beta v + g`, :math:`w \leftarrow w - \eta v`, returning
  the new parameters and velocity.
* :func:`check_adam_step`: ``adam_step(params, grads, m, v, t, lr, betas,
  eps)``, one bias-corrected Adam step, returning the new parameters and
  running means.
* :func:`check_cosine_lr`: ``cosine_lr(base_lr, eta_min, T_max, t)``, the
  closed form of cosine annealing.

The expected results come from :mod:`dlbook.numpy.optim`: each case is one
step of a run of ``SGD(momentum=...)`` or ``Adam``, taken from the state the
optimiser had reached (its ``momentum_buffer``, or ``exp_avg`` and
``exp_avg_sq``), and the rates of
:class:`~dlbook.numpy.optim.lr_scheduler.CosineAnnealingLR`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, run_checks
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.optim import SGD, Adam
from dlbook.numpy.optim.lr_scheduler import CosineAnnealingLR

Params = dict[str, np.ndarray]

RTOL, ATOL = 1e-6, 1e-10

MOMENTUM_HINT = (
    "v = momentum * v + g (the old velocity times momentum, plus the gradient), "
    "then w = w - lr * v with the new v"
)
ADAM_HINT = (
    "m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g**2; "
    "w = w - lr * m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - beta1**t), "
    "v_hat = v / (1 - beta2**t)"
)


def _same_dicts(actual: Any, expected: tuple[Params, ...]) -> bool:
    """True when ``actual`` is a tuple of dicts like ``expected``: keys, shapes and values."""
    if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
        return False
    for got, want in zip(actual, expected):
        if not isinstance(got, dict) or set(got) != set(want):
            return False
        for name, value in want.items():
            array = np.asarray(got[name], dtype=float)
            if array.shape != value.shape or not np.allclose(array, value, rtol=RTOL, atol=ATOL):
                return False
    return True


def _copy(params: Params) -> Params:
    return {name: np.array(value, dtype=float) for name, value in params.items()}


def _grads(rng: np.random.Generator, params: Params, scale: float = 1.0) -> Params:
    return {name: scale * rng.standard_normal(np.shape(value)) for name, value in params.items()}


def _state(optimizer: SGD | Adam, key: str) -> Params:
    """The optimiser's state ``key`` for every parameter, in the parameter's shape; zeros before it exists."""
    return {name: np.array(optimizer.state[name].get(key, np.zeros(np.shape(value))), dtype=float)
            .reshape(np.shape(value)) for name, value in optimizer.params.items()}


def _network(seed: int) -> Params:
    params = init_mlp(2, 3, 2, seed=seed)
    params["b1"] = np.random.default_rng(seed).standard_normal(3)
    return params


def momentum_cases(seed: int = 0) -> list[Case]:
    """One step of ``SGD(momentum=...)`` runs, from the state each run had reached."""
    rng = np.random.default_rng(seed)
    runs = [
        ("one weight vector", {"w": np.array([1.0, -2.0])}, 0.1, 0.9, 3,
         "the first step starts from v = 0, so v becomes the gradient itself, v = momentum * 0 + g; "
         "return two dicts, (params, velocity)"),
        ("a two-layer network: W1, b1, W2, b2", _network(1), 0.05, 0.9, 3,
         "update every entry of the dicts, the biases too, and return (params, velocity)"),
        ("momentum 0.5, large gradients", {"w": np.array([0.5, 0.25, -1.0])}, 0.01, 0.5, 2, MOMENTUM_HINT),
        ("momentum 0: plain SGD", {"w": np.array([3.0])}, 0.2, 0.0, 2,
         "with momentum 0 the velocity is the gradient and the step is plain SGD"),
    ]
    cases = []
    for description, start, lr, momentum, steps, hint in runs:
        params = _copy(start)
        optimizer = SGD(params, lr=lr, momentum=momentum)
        for step in range(1, steps + 1):
            velocity, before = _state(optimizer, "momentum_buffer"), _copy(params)
            grads = _grads(rng, params, scale=10.0 if "large" in description else 1.0)
            optimizer.step(grads)
            after = _state(optimizer, "momentum_buffer") if momentum else grads  # 0 * v + g
            cases.append(Case(f"{description}, step {step} (lr {lr}, momentum {momentum})",
                              (before, grads, velocity, lr, momentum), (_copy(params), after),
                              hint if step == 1 else MOMENTUM_HINT))
    return cases


def adam_cases(seed: int = 0) -> list[Case]:
    """Steps of ``Adam`` runs, from the running means and step count each had reached."""
    rng = np.random.default_rng(seed)
    runs = [
        ("one weight vector, default betas", {"w": np.array([1.0, -2.0, 0.5])}, 1e-3, (0.9, 0.999), 1e-8, 3,
         "at t = 1 the bias correction matters most: m_hat = m / (1 - beta1**1) = g exactly; "
         "return three dicts, (params, m, v)"),
        ("a two-layer network: W1, b1, W2, b2", _network(2), 0.01, (0.9, 0.999), 1e-8, 2,
         "update every entry of the dicts and return (params, m, v)"),
        ("betas (0.5, 0.9)", {"w": np.array([0.3, -0.7])}, 0.1, (0.5, 0.9), 1e-8, 3, ADAM_HINT),
        ("a large eps, 0.1", {"w": np.array([2.0, -1.0])}, 0.05, (0.9, 0.999), 0.1, 2,
         "eps is added after the square root: sqrt(v_hat) + eps, not sqrt(v_hat + eps)"),
        ("tiny and huge gradients", {"w": np.array([1.0, 1.0])}, 0.01, (0.9, 0.999), 1e-8, 2, ADAM_HINT),
    ]
    cases = []
    for description, start, lr, betas, eps, steps, hint in runs:
        params = _copy(start)
        optimizer = Adam(params, lr=lr, betas=betas, eps=eps)
        for t in range(1, steps + 1):
            m, v, before = _state(optimizer, "exp_avg"), _state(optimizer, "exp_avg_sq"), _copy(params)
            grads = _grads(rng, params)
            if "tiny" in description:
                grads = {"w": np.array([1e-6, 1e3]) * grads["w"]}
            optimizer.step(grads)
            cases.append(Case(f"{description}, step t = {t} (lr {lr}, betas {betas}, eps {eps})",
                              (before, grads, m, v, t, lr, betas, eps),
                              (_copy(params), _state(optimizer, "exp_avg"), _state(optimizer, "exp_avg_sq")),
                              hint if t == 1 else ADAM_HINT))
    return cases


def cosine_cases() -> list[Case]:
    """Rates of ``CosineAnnealingLR`` after ``t`` steps, ``t`` from 0 to ``T_max``."""
    schedules = [(0.1, 0.0, 10, [0, 5, 10, 3], "at t = 0 the rate is base_lr, at t = T_max it is eta_min"),
                 (0.5, 0.01, 7, [0, 1, 6, 7], "the rate goes from base_lr down to eta_min, not to 0"),
                 (1.0, 0.2, 100, [25, 50, 99], "the cosine's argument is pi * t / T_max")]
    cases = []
    for base_lr, eta_min, t_max, steps, hint in schedules:
        rates = [base_lr]
        scheduler = CosineAnnealingLR(SGD({"w": np.zeros(1)}, lr=base_lr), T_max=t_max, eta_min=eta_min)
        for _ in range(t_max):
            scheduler.step()
            rates.append(scheduler.get_last_lr()[0])
        cases += [Case(f"base_lr {base_lr}, eta_min {eta_min}, T_max {t_max}, t = {t}",
                       (base_lr, eta_min, t_max, t), rates[t], hint) for t in steps]
    return cases


def check_momentum_step(fn: Callable[..., tuple[Params, Params]]) -> CheckResult:
    r"""Check ``fn(params, grads, velocity, lr, momentum) -> (params, velocity)`` against ``SGD(momentum=...)``."""
    return run_checks("momentum_step", fn, momentum_cases(), matches=_same_dicts)


def check_adam_step(fn: Callable[..., tuple[Params, Params, Params]]) -> CheckResult:
    r"""Check ``fn(params, grads, m, v, t, lr, betas, eps) -> (params, m, v)`` against :class:`~dlbook.numpy.optim.Adam`."""
    return run_checks("adam_step", fn, adam_cases(), matches=_same_dicts)


def check_cosine_lr(fn: Callable[[float, float, int, int], float]) -> CheckResult:
    r"""Check ``fn(base_lr, eta_min, T_max, t)`` against the rates ``CosineAnnealingLR`` sets."""
    return run_checks("cosine_lr", fn, cosine_cases(), rtol=1e-9, atol=1e-12)
