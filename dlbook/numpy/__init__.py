"""The from-scratch backend: every idea of the book in plain NumPy.

Never imports PyTorch. :mod:`dlbook.torch` mirrors this API name for name.
"""

from dlbook.numpy.batch_norm import batch_norm, batch_norm_backward
from dlbook.numpy.dropout import (
    apply_dropout_mask,
    dropout,
    dropout_backward,
    dropout_mask,
)
from dlbook.numpy.activations import (
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
from dlbook.numpy.classification import (
    batch_accuracy,
    confusion_matrix,
    one_hot,
)
from dlbook.numpy.cnn import cnn_backward, cnn_forward, cnn_predict_proba, init_cnn
from dlbook.numpy.conv import conv2d, conv2d_backward
from dlbook.numpy.linear import init_linear, linear_backward, linear_forward
from dlbook.numpy.mlp import init_mlp, mlp_backward, mlp_forward, softmax_cross_entropy
from dlbook.numpy.perceptron import (
    perceptron,
    predict_class,
    train_perceptron,
    weighted_sum,
)
from dlbook.numpy.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
    nll_loss,
)
from dlbook.numpy.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)
from dlbook.numpy.regularised_mlp import (
    init_regularised,
    regularised_backward,
    regularised_forward,
    regularised_logits,
    train_regularised,
)
from dlbook.numpy.softmax import log_softmax, softmax
from dlbook.numpy.training import (
    EarlyStopping,
    EpochHistory,
    predict_proba,
    sgd_step,
    train_classifier,
    train_cnn,
    train_mlp,
)
from dlbook.numpy.weight_decay import add_weight_decay, l2_penalty
