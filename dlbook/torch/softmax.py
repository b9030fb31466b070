"""Softmax and log-softmax with PyTorch, mirroring :mod:`dlbook.numpy.softmax`.

The numbers come from :func:`torch.nn.functional.softmax` and ``log_softmax``;
only the choice of axis (``axis`` or its torch name ``dim``) is checked here,
by the rule shared with the NumPy side.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from dlbook._loss_checks import check_axis
from dlbook.torch._tensors import as_float_tensor


def softmax(z: Any, axis: int | None = None, *, dim: int | None = None) -> torch.Tensor:
    r"""Softmax :math:`e^{z_i} / \sum_j e^{z_j}` along ``axis`` (default -1), by ``F.softmax``."""
    z = as_float_tensor(z, "z")
    return F.softmax(z, dim=check_axis("z", z, axis, dim))


def log_softmax(z: Any, axis: int | None = None, *, dim: int | None = None) -> torch.Tensor:
    r"""Log-softmax :math:`z_i - \log \sum_j e^{z_j}` along ``axis`` (default -1), by ``F.log_softmax``."""
    z = as_float_tensor(z, "z")
    return F.log_softmax(z, dim=check_axis("z", z, axis, dim))
