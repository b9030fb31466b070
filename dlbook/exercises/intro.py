r"""Exercises of the chapter "What is deep learning?".

* :func:`check_count_parameters`: the reader writes
  ``count_parameters(layer_sizes, bias=True)``, the number of trainable numbers
  in a fully connected network whose layers have the sizes
  :math:`n_0, n_1, \dots, n_L` (inputs first):

  .. math:: \sum_{l=1}^{L} \left(n_{l-1} n_l + [\text{bias}]\, n_l\right).

Expected counts are not computed with that formula but asked of PyTorch: the
checker builds the network from ``torch.nn.Linear`` layers on the ``meta``
device (shapes without memory, so huge layers cost nothing) and adds up
``numel()`` of its parameters.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, run_checks

PER_LAYER_HINT = (
    "a layer from n_in inputs to n_out outputs has n_in * n_out weights plus n_out biases (one per output)"
)


def torch_parameter_count(layer_sizes: Sequence[int], bias: bool = True) -> int:
    """The number of parameters PyTorch gives ``nn.Linear`` layers of these sizes, inputs first.

    The layers live on the ``meta`` device: they have shapes but no storage.
    """
    from torch import nn

    sizes = list(layer_sizes)
    layers = [nn.Linear(n_in, n_out, bias=bias, device="meta") for n_in, n_out in zip(sizes, sizes[1:])]
    return sum(p.numel() for layer in layers for p in layer.parameters())


def _same_count(actual: Any, expected: int) -> bool:
    """True when ``actual`` is a number (not a bool) exactly equal to ``expected``."""
    return isinstance(actual, numbers.Real) and not isinstance(actual, bool) and actual == expected


def count_parameters_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases (perceptron, MLP, no bias, tuple, no layer, deep, huge), then seeded random networks."""
    prepared: list[tuple[str, Sequence[int], bool, str]] = [
        ("a perceptron with 3 inputs: [3, 1]", [3, 1], True, PER_LAYER_HINT),
        ("an MNIST classifier: [784, 128, 10]", [784, 128, 10], True,
         "there is one layer between each pair of neighbouring sizes: add up the parameters of every layer"),
        ("a perceptron without bias: [3, 1], bias=False", [3, 1], False,
         "with bias=False there are no biases: count only the weights n_in * n_out of each layer"),
        ("an MNIST classifier without biases: [784, 128, 10], bias=False", [784, 128, 10], False,
         "with bias=False leave out the biases of every layer, not just the first"),
        ("sizes given as a tuple: (4, 3, 2)", (4, 3, 2), True,
         "layer_sizes may be any sequence: a tuple as well as a list (do not use list methods on it)"),
        ("inputs only, no layer: [5]", [5], True,
         "a single size means no layer between sizes, so no parameters: the answer is 0"),
        ("deep and narrow: [2, 2, 2, 2, 2, 1]", [2, 2, 2, 2, 2, 1], True,
         "count every layer: with k sizes there are k - 1 layers"),
        ("huge layers: [100000, 50000, 10]", [100_000, 50_000, 10], True,
         "the exact count is over 5 billion: use Python integers, not float32 or int32, which round or overflow"),
    ]
    cases = [
        Case(description, (sizes,), torch_parameter_count(sizes, bias), hint, kwargs={"bias": bias})
        for description, sizes, bias, hint in prepared
    ]
    rng = np.random.default_rng(seed)
    for i in range(n_random):
        sizes = [int(n) for n in rng.integers(1, 1000, size=int(rng.integers(2, 6)))]
        bias = i % 2 == 0
        cases.append(
            Case(f"random network {sizes}, bias={bias}", (sizes,), torch_parameter_count(sizes, bias),
                 PER_LAYER_HINT, kwargs={"bias": bias})
        )
    return cases


def check_count_parameters(fn: Callable[..., Any], seed: int = 0) -> CheckResult:
    r"""Check the reader's ``count_parameters(layer_sizes, bias=True)`` against PyTorch's count.

    The answer must be exact: :math:`\sum_l (n_{l-1} n_l + n_l)` with biases,
    :math:`\sum_l n_{l-1} n_l` without.
    """
    return run_checks("check_count_parameters", fn, count_parameters_cases(seed), matches=_same_count)
