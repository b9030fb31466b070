"""Automatic checks for the exercises at the end of each chapter.

Call a chapter's checker on your own function, for example
``check_softmax(my_softmax)``: it runs prepared and random cases and reports
either a pass or the first failing case with the expected and actual values
and a hint. A checker never raises because of your code: exceptions are
reported, not propagated.
"""

from dlbook.exercises.activations import check_sigmoid
from dlbook.exercises.backprop import check_linear_backward
from dlbook.exercises.checker import Case, CheckResult, run_checks
from dlbook.exercises.conv import (
    check_conv2d_single,
    check_conv_output_size,
    check_max_pool,
)
from dlbook.exercises.digits import (
    check_batch_accuracy,
    check_confusion_matrix,
    check_one_hot,
)
from dlbook.exercises.intro import check_count_parameters
from dlbook.exercises.losses import check_cross_entropy, check_softmax
from dlbook.exercises.optimisers import check_adam_step, check_cosine_lr, check_momentum_step
from dlbook.exercises.perceptron import check_perceptron, check_weighted_sum
from dlbook.exercises.regularisation import (
    check_add_weight_decay,
    check_batch_norm,
    check_dropout,
)
from dlbook.exercises.training import check_sgd_step
