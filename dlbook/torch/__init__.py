"""The framework backend: the same API as :mod:`dlbook.numpy`, computed with PyTorch."""

from dlbook.torch.activations import (
    ACTIVATIONS,
    DERIVATIVES,
    get_activation,
    get_derivative,
    identity,
    leaky_relu,
    leaky_relu_derivative,
    neuron_curve,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    step,
    tanh,
    tanh_derivative,
)
from dlbook.torch.conv import (
    avg_pool2d,
    avg_pool2d_backward,
    conv2d,
    conv2d_backward,
    max_pool2d,
    max_pool2d_backward,
)
from dlbook.torch.perceptron import perceptron, predict_class, weighted_sum
from dlbook.torch.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
    nll_loss,
)
from dlbook.torch.softmax import log_softmax, softmax
from dlbook.torch.cnn import CNN
from dlbook.torch.mlp import MLP
from dlbook.torch.regularised_mlp import regularised_mlp, to_network
from dlbook.torch.training import sgd_step, train_mlp, train_model, weight_decay_groups
