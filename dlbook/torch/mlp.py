r"""The two-layer network as a PyTorch ``nn.Module``, interchangeable with :mod:`dlbook.numpy.mlp`.

The module computes the same function as :func:`dlbook.numpy.mlp.mlp_forward`,

.. math::

    L = f(X W_1 + b_1)\, W_2 + b_2 ,

with two ``nn.Linear`` layers. ``nn.Linear`` stores its weight as
``(out_features, in_features)`` and computes :math:`x A^\top + b`, so the
NumPy matrix :math:`W_1` of shape ``(n_in, n_hidden)`` is ``hidden.weight.T``.
:meth:`MLP.from_params` and :meth:`MLP.to_params` convert between the two, so
both backends can start from the very same numbers.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlbook._validate import lookup
from dlbook.numpy._params import check_sizes, check_weight_shape
from dlbook.numpy.mlp import PARAM_NAMES, check_params
from dlbook.torch._tensors import from_numpy
from dlbook.torch.activations import ACTIVATIONS, DERIVATIVES

#: The hidden activations the network supports: those with a derivative, as in the NumPy backend.
HIDDEN_ACTIVATIONS = {name: ACTIVATIONS[name] for name in DERIVATIVES}


class MLP(nn.Module):
    """Input, one hidden layer of ``n_hidden`` units with activation ``activation``, and ``n_out`` logits."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int, activation: str = "tanh") -> None:
        super().__init__()
        check_sizes(n_in=n_in, n_hidden=n_hidden, n_out=n_out)
        check_weight_shape(n_in, n_hidden)
        check_weight_shape(n_hidden, n_out)
        self.f = lookup("activation", activation, HIDDEN_ACTIVATIONS)
        self.activation = activation
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits :math:`f(x W_1 + b_1) W_2 + b_2`, shape ``(n, n_out)`` for ``x`` of shape ``(n, n_in)``."""
        return self.output(self.f(self.hidden(x)))

    @classmethod
    def from_params(cls, params: dict[str, np.ndarray], activation: str = "tanh") -> MLP:
        """A module holding copies of the NumPy parameters ``params`` (in their dtype).

        ``params`` has the keys and shapes of :func:`dlbook.numpy.mlp.init_mlp`;
        the weight matrices are transposed into ``nn.Linear``'s layout.
        """
        W1, b1, W2, b2 = check_params(params)
        model = cls(W1.shape[0], W1.shape[1], W2.shape[1], activation).to(from_numpy(W1, "params['W1']").dtype)
        with torch.no_grad():
            for layer, W, b in ((model.hidden, W1, b1), (model.output, W2, b2)):
                layer.weight.copy_(from_numpy(W.T))
                layer.bias.copy_(from_numpy(b))
        return model

    def to_params(self) -> dict[str, np.ndarray]:
        """The parameters as a NumPy dict in the layout of :func:`dlbook.numpy.mlp.init_mlp` (copies)."""
        tensors = (self.hidden.weight.T, self.hidden.bias, self.output.weight.T, self.output.bias)
        return {name: t.detach().numpy().copy() for name, t in zip(PARAM_NAMES, tensors)}
