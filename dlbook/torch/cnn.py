r"""The small convolutional network as a PyTorch ``nn.Module``, interchangeable with :mod:`dlbook.numpy.cnn`.

The same function as :func:`dlbook.numpy.cnn.cnn_forward`, built from
``torch.nn`` layers:

.. math::

    H_1 = \mathrm{pool}(\mathrm{relu}(\mathrm{conv}_1(x))), \quad
    H_2 = \mathrm{pool}(\mathrm{relu}(\mathrm{conv}_2(H_1))), \quad
    L = \mathrm{output}(\mathrm{flatten}(H_2)).

``nn.Conv2d`` stores its kernels exactly as the NumPy side does,
``(C_out, C_in, kH, kW)``; ``nn.Linear`` stores its weight as
``(out_features, in_features)``, so the NumPy matrix :math:`W_3` is
``output.weight.T``. :meth:`CNN.from_params` and :meth:`CNN.to_params`
convert, so both backends can start from the very same numbers.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlbook.numpy.cnn import CNN_PARAM_NAMES, KERNEL, PADDING, POOL, check_cnn_params, check_cnn_sizes, image_side


class CNN(nn.Module):
    """Two convolutions with ``channels`` = (c1, c2) filters, ReLU and 2 x 2 max pooling each, then a linear layer.

    It reads images of ``side`` x ``side`` pixels given as rows of
    ``side * side`` values (as :func:`dlbook.numpy.cnn.cnn_forward` does) and
    gives ``n_classes`` logits.
    """

    def __init__(self, channels: tuple[int, int] = (16, 32), side: int = 8, n_classes: int = 10) -> None:
        super().__init__()
        c1, c2 = check_cnn_sizes(channels, side, n_classes)
        self.side = int(side)
        self.conv1 = nn.Conv2d(1, c1, KERNEL, padding=PADDING)
        self.conv2 = nn.Conv2d(c1, c2, KERNEL, padding=PADDING)
        self.output = nn.Linear(c2 * (self.side // (POOL * POOL)) ** 2, int(n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logits, ``(n, n_classes)``, for images given as rows ``(n, side * side)``."""
        h = x.reshape(-1, 1, self.side, self.side)
        h = F.max_pool2d(F.relu(self.conv1(h)), POOL)
        h = F.max_pool2d(F.relu(self.conv2(h)), POOL)
        return self.output(h.flatten(1))

    @classmethod
    def from_params(cls, params: dict[str, np.ndarray]) -> CNN:
        """A module holding copies of the NumPy parameters ``params`` (:func:`dlbook.numpy.cnn.init_cnn` layout)."""
        K1, b1, K2, b2, W3, b3 = check_cnn_params(params)
        model = cls((K1.shape[0], K2.shape[0]), image_side(W3, K2.shape[0]), W3.shape[1])
        model = model.to(torch.from_numpy(W3).dtype)
        with torch.no_grad():
            for tensor, value in zip(model._tensors(), (K1, b1, K2, b2, W3, b3)):
                tensor.copy_(torch.from_numpy(np.ascontiguousarray(value)))
        return model

    def _tensors(self) -> tuple[torch.Tensor, ...]:
        """The parameters in the order of :data:`~dlbook.numpy.cnn.CNN_PARAM_NAMES` (``output.weight`` transposed)."""
        return (self.conv1.weight, self.conv1.bias, self.conv2.weight, self.conv2.bias, self.output.weight.T,
                self.output.bias)

    def to_params(self) -> dict[str, np.ndarray]:
        """The parameters as a NumPy dict in the layout of :func:`dlbook.numpy.cnn.init_cnn` (copies)."""
        return {name: t.detach().numpy().copy() for name, t in zip(CNN_PARAM_NAMES, self._tensors())}
