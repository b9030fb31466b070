r"""The network of :mod:`dlbook.numpy.regularised_mlp` built from ``torch.nn`` layers.

.. math::

    L = \mathrm{dropout}_p(\tanh(\mathrm{BN}(X W_1 + b_1)))\, W_2 + b_2

is ``nn.Sequential(nn.Linear, nn.BatchNorm1d, nn.Tanh, nn.Dropout,
nn.Linear)``, without ``nn.BatchNorm1d`` when the NumPy network has none and
without ``nn.Dropout`` for :math:`p = 0`. ``model.train()`` and
``model.eval()`` switch both layers between their training behaviour (batch
statistics, random masks) and their evaluation behaviour (running
statistics, no dropout), as the ``training`` argument of
:func:`dlbook.numpy.regularised_mlp.regularised_forward` does.
:func:`regularised_mlp` copies a NumPy network into such a module (the
weight matrices transposed into ``nn.Linear``'s layout), :func:`to_network`
copies it back.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlbook.numpy.dropout import check_dropout_p
from dlbook.numpy.regularised_mlp import EPS, MOMENTUM, Network, check_network, has_batch_norm
from dlbook.torch._tensors import from_numpy


def regularised_mlp(network: Network, dropout: float = 0.0) -> nn.Sequential:
    """An ``nn.Sequential`` holding copies of the NumPy ``network``'s parameters and running statistics.

    ``network`` has the layout of
    :func:`dlbook.numpy.regularised_mlp.init_regularised`; ``dropout`` is the
    probability :math:`p` of the ``nn.Dropout`` after the :math:`\\tanh`. The
    module has the network's dtype and is in training mode.
    """
    check_network(network)
    p = check_dropout_p(dropout)
    n_in, n_hidden = network["W1"].shape
    n_out = network["W2"].shape[1]
    first, last = nn.Linear(n_in, n_hidden), nn.Linear(n_hidden, n_out)
    layers: list[nn.Module] = [first]
    norm = None
    if has_batch_norm(network):
        norm = nn.BatchNorm1d(n_hidden, eps=EPS, momentum=MOMENTUM)
        layers.append(norm)
    layers.append(nn.Tanh())
    if p > 0:
        layers.append(nn.Dropout(p))
    layers.append(last)
    model = nn.Sequential(*layers).to(from_numpy(network["W1"]).dtype)
    with torch.no_grad():
        for layer, W, b in ((first, "W1", "b1"), (last, "W2", "b2")):
            layer.weight.copy_(from_numpy(network[W]).T)
            layer.bias.copy_(from_numpy(network[b]))
        if norm is not None:
            for target, name in ((norm.weight, "gamma"), (norm.bias, "beta"),
                                 (norm.running_mean, "running_mean"), (norm.running_var, "running_var")):
                target.copy_(from_numpy(network[name]))
    return model


def to_network(model: nn.Sequential) -> Network:
    """The parameters (and running statistics) of a :func:`regularised_mlp` module, as a NumPy network (copies)."""
    linear = [layer for layer in model if isinstance(layer, nn.Linear)]
    norms = [layer for layer in model if isinstance(layer, nn.BatchNorm1d)]
    if len(linear) != 2 or len(norms) > 1:
        raise ValueError("model must be built by regularised_mlp: two nn.Linear layers and at most one nn.BatchNorm1d")
    first, last = linear
    tensors = {"W1": first.weight.T, "b1": first.bias, "W2": last.weight.T, "b2": last.bias}
    if norms:
        norm = norms[0]
        tensors |= {"gamma": norm.weight, "beta": norm.bias,
                    "running_mean": norm.running_mean, "running_var": norm.running_var}
    return {name: np.array(t.detach().numpy()) for name, t in tensors.items()}
