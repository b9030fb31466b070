r"""Exercises of the chapter "Generalisation and regularisation".

* :func:`check_dropout`: the reader writes ``dropout(x, p, rng)``, inverted
  dropout in training mode, :math:`y_i = m_i x_i / (1 - p)` with the keep mask
  ``rng.random(x.shape) >= p`` (as :func:`dlbook.numpy.dropout_mask` draws it).
* :func:`check_add_weight_decay`: ``add_weight_decay(params, grads,
  weight_decay)``, the gradients of the penalised loss,
  :math:`\partial L / \partial W + \lambda W` for the weight matrices only.
* :func:`check_batch_norm`: ``batch_norm(x, gamma, beta, eps)``, batch
  normalisation of an ``(N, C)`` batch in training mode.

The expected results come from :mod:`dlbook.numpy.dropout`,
:mod:`dlbook.numpy.weight_decay` and :mod:`dlbook.numpy.batch_norm`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, run_checks
from dlbook.exercises.training import Params, same_params
from dlbook.numpy.batch_norm import batch_norm
from dlbook.numpy.dropout import dropout
from dlbook.numpy.regularised_mlp import init_regularised, trainable
from dlbook.numpy.weight_decay import add_weight_decay

DROPOUT_HINT = (
    "draw the keep mask with rng.random(x.shape) >= p (one draw per entry, "
    "kept where the draw is at least p), then return x * mask / (1 - p)"
)
DECAY_HINT = (
    "add weight_decay * params[name] to the gradient of every weight matrix "
    "(names starting with 'W'), pairing them by name, params[name]; every "
    "other gradient stays as it is"
)
NORM_HINT = (
    "normalise each column (channel) over the batch: subtract the column's "
    "mean, divide by sqrt(variance + eps), then multiply by gamma and add beta"
)


def _same_array(actual: Any, expected: np.ndarray) -> bool:
    """``actual`` is an array of the expected shape and dtype and (NaN-aware) values, to 1e-6 relative."""
    if not isinstance(actual, np.ndarray) or actual.shape != expected.shape or actual.dtype != expected.dtype:
        return False
    return bool(np.allclose(actual, expected, rtol=1e-6, atol=1e-9, equal_nan=True))


def dropout_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random ones.

    Each case hands the function a generator in a fixed state; the expected
    result is :func:`dlbook.numpy.dropout` with a generator in that state.
    """
    rng = np.random.default_rng(seed)

    def case(description: str, x: np.ndarray, p: float, hint: str, state: int) -> Case:
        expected = dropout(x, p, training=True, rng=np.random.default_rng(state))
        return Case(description, (x, p, np.random.default_rng(state)), expected, hint)

    prepared = [
        ("p = 0.5 on ten ones: zeros and twos", np.ones(10), 0.5,
         "survivors are scaled by 1 / (1 - p): with p = 0.5 they become 2, not 1 or 0.5; " + DROPOUT_HINT, 1),
        ("p = 0.2 on a 4 x 5 matrix", rng.normal(size=(4, 5)), 0.2,
         "an entry is dropped with probability p, kept with probability 1 - p: keep it where "
         "rng.random(x.shape) >= p, and scale it by 1 / (1 - p) = 1.25", 2),
        ("p = 0: nothing is dropped", rng.normal(size=6), 0.0,
         "with p = 0 every entry is kept and the factor 1 / (1 - p) is 1: the result is x", 3),
        ("p = 1: everything is dropped", rng.normal(size=(2, 3)), 1.0,
         "with p = 1 every entry is dropped; 1 - p = 0, so do not divide by it: return zeros "
         "(x * 0, in x's dtype)", 4),
        ("float32 input", rng.normal(size=(3, 4)).astype(np.float32), 0.3,
         "keep the input's dtype: float32 in, float32 out (multiply by a factor in x.dtype, "
         "e.g. mask.astype(x.dtype) / x.dtype.type(1 - p))", 5),
        ("a 2 x 3 x 4 array", rng.normal(size=(2, 3, 4)), 0.6,
         "dropout works entry by entry on any shape: draw the mask with the input's own shape, "
         "rng.random(x.shape)", 6),
    ]
    cases = [case(*args) for args in prepared]
    for k in range(n_random):
        shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 4))))
        p = float(rng.uniform(0.05, 0.95))
        cases.append(case(f"random array {k + 1}, shape {shape}, p = {p:.3f}", rng.normal(size=shape), p,
                          DROPOUT_HINT, 10 + k))
    return cases


def add_weight_decay_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random networks."""
    rng = np.random.default_rng(seed)

    def case(description: str, params: Params, weight_decay: float, hint: str) -> Case:
        grads = {name: rng.normal(size=params[name].shape).astype(params[name].dtype) for name in sorted(params)}
        return Case(description, (params, grads, weight_decay), add_weight_decay(params, grads, weight_decay), hint)

    network = init_regularised(3, 4, 2, seed=1)
    network["b1"] = rng.normal(size=4)
    with_norm = trainable(init_regularised(3, 4, 2, batch_norm=True, seed=2))
    float32 = init_regularised(2, 3, 2, seed=3, dtype=np.float32)
    reordered = {name: network[name] for name in ("b2", "W2", "b1", "W1")}
    cases = [
        case("a two-layer network, weight decay 0.1", network, 0.1, DECAY_HINT),
        case("the same network, weight decay 0", network, 0.0,
             "with weight_decay = 0 the gradients are returned unchanged"),
        case("a network with batch normalisation (gamma, beta)", with_norm, 0.01,
             "only weight matrices decay: the biases b1, b2 and batch normalisation's gamma and beta keep "
             "their gradient (test the name: name.startswith('W'))"),
        case("float32 parameters", float32, 0.05,
             "keep each gradient's dtype: float32 in, float32 out"),
        case("params listed in another order than grads (W1, b1, W2, b2 against b2, W2, b1, W1)", reordered, 0.2,
             "pair each gradient with its own parameter by name, params[name], not by position"),
    ]
    for k in range(n_random):
        n_in, n_hidden, n_out = (int(n) for n in rng.integers(1, 6, size=3))
        params = init_regularised(n_in, n_hidden, n_out, seed=int(rng.integers(1000)))
        weight_decay = float(rng.uniform(0, 0.1))
        cases.append(case(f"random network {k + 1} ({n_in} -> {n_hidden} -> {n_out}), weight decay "
                          f"{weight_decay:.4f}", params, weight_decay, DECAY_HINT))
    return cases


def batch_norm_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random batches."""
    rng = np.random.default_rng(seed)

    def case(description: str, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float,
             hint: str) -> Case:
        expected = batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
        return Case(description, (x, gamma, beta, eps), expected, hint)

    cases = [
        case("4 examples of 2 channels, gamma = 1, beta = 0", np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0],
                                                                         [6.0, 60.0]]),
             np.ones(2), np.zeros(2), 1e-5,
             "the statistics are per channel, over the batch: mean and variance along axis=0, one per column; "
             "the variance is the biased one, the mean squared deviation (divide by N, np.var's default)"),
        case("the variance of the batch, not the sample variance", np.array([[0.0], [2.0]]), np.ones(1),
             np.zeros(1), 1e-5,
             "training mode normalises with the biased variance, the mean squared deviation (divide by N, "
             "np.var's default), not by N - 1; eps goes inside the square root"),
        case("gamma and beta", rng.normal(3.0, 2.0, size=(5, 3)), np.array([2.0, 0.5, -1.0]),
             np.array([0.0, 1.0, 3.0]), 1e-5,
             "after normalising, multiply each column by its gamma and add its beta"),
        case("a constant channel: variance 0", np.array([[4.0, 1.0], [4.0, 2.0], [4.0, 3.0]]), np.ones(2),
             np.array([0.5, 0.0]), 1e-5,
             "a channel with variance 0 must give beta, not NaN: divide by sqrt(var + eps), never by "
             "sqrt(var) alone"),
        case("a large eps", rng.normal(size=(6, 2)), np.ones(2), np.zeros(2), 0.5,
             "use the eps you are given: x_hat = (x - mean) / sqrt(var + eps)"),
    ]
    for k in range(n_random):
        n, c = int(rng.integers(2, 9)), int(rng.integers(1, 6))
        cases.append(case(f"random batch {k + 1}, shape ({n}, {c})", rng.normal(1.0, 3.0, size=(n, c)),
                          rng.normal(size=c), rng.normal(size=c), 1e-5, NORM_HINT))
    return cases


def check_dropout(fn: Callable[[np.ndarray, float, np.random.Generator], Any]) -> CheckResult:
    r"""Check the reader's ``fn(x, p, rng)`` against :func:`dlbook.numpy.dropout` in training mode.

    ``fn`` must return :math:`x \cdot m / (1 - p)` (zeros for :math:`p = 1`)
    with the keep mask :math:`m` = ``rng.random(x.shape) >= p``, in ``x``'s
    shape and dtype.
    """
    return run_checks("dropout", fn, dropout_cases(), matches=_same_array)


def check_add_weight_decay(fn: Callable[[Params, Params, float], Params]) -> CheckResult:
    r"""Check the reader's ``fn(params, grads, weight_decay)`` against :func:`dlbook.numpy.add_weight_decay`.

    ``fn`` must return a dict with the keys of ``grads``:
    :math:`\partial L / \partial W + \lambda W` for the weight matrices, every
    other gradient unchanged, each in its dtype.
    """
    return run_checks("add_weight_decay", fn, add_weight_decay_cases(), matches=same_params)


def check_batch_norm(fn: Callable[[np.ndarray, np.ndarray, np.ndarray, float], Any]) -> CheckResult:
    r"""Check the reader's ``fn(x, gamma, beta, eps)`` against :func:`dlbook.numpy.batch_norm` in training mode.

    ``x`` is a batch of shape ``(N, C)``; ``fn`` must return
    :math:`\gamma (x - \mu) / \sqrt{\sigma^2 + \epsilon} + \beta` with the
    mean :math:`\mu` and the (biased) variance :math:`\sigma^2` of every
    column.
    """
    return run_checks("batch_norm", fn, batch_norm_cases(), matches=_same_array)
