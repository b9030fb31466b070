"""dlbook: the companion package of *Deep Learning from the Ground Up*.

Every idea in the book exists twice behind one small API:

* :mod:`dlbook.numpy` computes it from scratch with NumPy;
* :mod:`dlbook.torch` computes it with PyTorch, the framework.

``import dlbook`` and ``import dlbook.numpy`` never import PyTorch, so the
from-scratch half of the book works without it.
"""

__version__ = "0.1.0"
