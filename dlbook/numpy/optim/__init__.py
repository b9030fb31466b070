"""Optimisers and learning-rate schedules in NumPy, named and behaving as ``torch.optim``'s.

``SGD``, ``RMSprop``, ``Adam`` and ``AdamW`` take the book's parameters, a
dict of NumPy arrays, and update them in place: ``optimizer.step(grads)``
with a dict of gradients of the same keys and shapes. Their arguments,
defaults, errors and arithmetic are torch 2.13's (the tests compare them step
by step, in float64); ``optimizer.lr`` is the current rate, which the
schedules of :mod:`dlbook.numpy.optim.lr_scheduler` change.
"""

from dlbook.numpy.optim import lr_scheduler
from dlbook.numpy.optim.adam import Adam
from dlbook.numpy.optim.adamw import AdamW
from dlbook.numpy.optim.optimizer import Optimizer
from dlbook.numpy.optim.rmsprop import RMSprop
from dlbook.numpy.optim.sgd import SGD

__all__ = ["SGD", "RMSprop", "Adam", "AdamW", "Optimizer", "lr_scheduler"]
