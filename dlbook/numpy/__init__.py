"""The from-scratch backend: every idea of the book in plain NumPy.

Never imports PyTorch. :mod:`dlbook.torch` mirrors this API name for name.
"""

from dlbook.numpy.activations import (
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
from dlbook.numpy.perceptron import perceptron, weighted_sum
