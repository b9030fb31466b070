"""Conversions into the PyTorch backend: dtypes, awkward NumPy arrays, autograd under no_grad."""

import numpy as np
import torch

from dlbook.torch._tensors import as_float_tensor, elementwise_derivative


def test_float_dtypes_are_kept_and_everything_else_becomes_float64_as_in_numpy():
    assert as_float_tensor(np.ones(2, dtype=np.float64)).dtype == torch.float64
    assert as_float_tensor(np.ones(2, dtype=np.float32)).dtype == torch.float32
    assert as_float_tensor(torch.ones(2, dtype=torch.float32)).dtype == torch.float32
    for value in ([1, 2], [1.5, 2.5], 3, 2.5, True, np.array([1, 2], dtype=np.uint8), torch.tensor([1, 2])):
        assert as_float_tensor(value).dtype == torch.float64


def test_read_only_and_reversed_arrays_are_converted_without_warnings():
    frozen = np.arange(3.0)
    frozen.flags.writeable = False
    np.testing.assert_array_equal(as_float_tensor(frozen).numpy(), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(as_float_tensor(np.arange(3.0)[::-1]).numpy(), [2.0, 1.0, 0.0])


def test_elementwise_derivative_works_inside_no_grad():
    x = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)
    with torch.no_grad():
        grad = elementwise_derivative(torch.square, x)
    torch.testing.assert_close(grad, 2 * x)
