"""The framework backend: the same API as :mod:`dlbook.numpy`, computed with PyTorch."""

from dlbook.torch.activations import (
    ACTIVATIONS,
    DERIVATIVES,
    get_activation,
    get_derivative,
    identity,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    step,
    tanh,
    tanh_derivative,
)
from dlbook.torch.perceptron import perceptron, weighted_sum
