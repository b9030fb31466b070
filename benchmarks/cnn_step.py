"""One training step of chapter 10's convolutional network, NumPy (``dlbook.numpy``) against PyTorch on CPU.

The network of :mod:`dlbook.numpy.cnn`: two 3 x 3 convolutions (16 and 32
channels, padding 1), each with ReLU and 2 x 2 max pooling, then a linear layer
to 10 logits, on 8 x 8 images. Both sides start from the same parameters
(:func:`dlbook.numpy.cnn.init_cnn`) and take the same step on the same batch:

* NumPy: :func:`~dlbook.numpy.cnn.cnn_forward`, :func:`~dlbook.numpy.mlp.softmax_cross_entropy`,
  :func:`~dlbook.numpy.cnn.cnn_backward`, :func:`~dlbook.numpy.training.sgd_step`;
* PyTorch: :class:`dlbook.torch.cnn.CNN` (``nn.Conv2d``, ``F.relu``, ``F.max_pool2d``,
  ``nn.Linear``) and ``torch.optim.SGD``: ``zero_grad``, forward, ``F.cross_entropy``,
  ``backward``, ``step``.

Run as ``python -m benchmarks.cnn_step --threads 1`` it prints the timings as
JSON; :mod:`benchmarks.run` starts it in a fresh process with the BLAS and
PyTorch threads fixed before NumPy loads, as it does :mod:`benchmarks.mlp_step`.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from benchmarks.mlp_step import THREAD_VARIABLES, torch_sgd_step

BATCHES = (64, 256)
CHANNELS = (16, 32)
SIDE = 8
N_CLASSES = 10
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Config:
    """One batch of ``batch`` images of ``SIDE`` x ``SIDE`` pixels, in ``dtype``."""

    batch: int
    dtype: str = "float32"


def make_batch(config: Config, seed: int = 0) -> tuple[Any, Any, dict[str, Any]]:
    """Uniform pixels in [-1, 1] (the book's scaled digits), uniform labels and fresh parameters, from ``seed``."""
    import numpy as np

    from dlbook.numpy.cnn import init_cnn

    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (config.batch, SIDE * SIDE)).astype(config.dtype)
    y = rng.integers(0, N_CLASSES, size=config.batch)
    return X, y, init_cnn(CHANNELS, SIDE, N_CLASSES, seed=seed, dtype=config.dtype)


def numpy_step(X: Any, y: Any, params: dict[str, Any], lr: float) -> Callable[[], float]:
    """A function that takes one SGD step of the NumPy network on ``(X, y)`` and returns the batch loss."""
    from dlbook.numpy.cnn import cnn_backward, cnn_forward
    from dlbook.numpy.mlp import softmax_cross_entropy
    from dlbook.numpy.training import sgd_step

    current = dict(params)

    def step() -> float:
        nonlocal current
        logits, cache = cnn_forward(current, X)
        loss, grad_logits = softmax_cross_entropy(logits, y)
        current = sgd_step(current, cnn_backward(current, cache, grad_logits), lr)
        return loss

    return step


def torch_step(X: Any, y: Any, params: dict[str, Any], lr: float) -> Callable[[], float]:
    """A function that takes one ``torch.optim.SGD`` step of :class:`dlbook.torch.cnn.CNN` and returns the loss."""
    from dlbook.torch.cnn import CNN

    return torch_sgd_step(CNN.from_params(params), X, y, lr)


def check_agreement(config: Config, steps: int = 3) -> float:
    """Take ``steps`` steps on both sides from the same start; return the largest relative difference of the losses.

    Raises ``RuntimeError`` when they differ by more than the dtype allows
    (``1e-4`` relative in float32, ``1e-9`` in float64): then they would not be
    timing the same computation.
    """
    from benchmarks.timing import losses_agree

    X, y, params = make_batch(config)
    return losses_agree([numpy_step(X, y, params, LEARNING_RATE), torch_step(X, y, params, LEARNING_RATE)],
                        config.dtype, config, steps)


def measure(config: Config, repeats: int, warmup: int = 3) -> dict[str, Any]:
    """Time one step of each backend for ``config`` (interleaved repeats); return the stats as a dict."""
    from benchmarks.timing import interleaved

    agreement = check_agreement(config)
    X, y, params = make_batch(config)
    np_stats, torch_stats = interleaved(
        [numpy_step(X, y, params, LEARNING_RATE), torch_step(X, y, params, LEARNING_RATE)],
        repeats=repeats, warmup=warmup,
    )
    return {**config.__dict__, "channels": list(CHANNELS), "side": SIDE, "numpy": np_stats.to_dict(),
            "torch": torch_stats.to_dict(), "loss_rel_diff": agreement}


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: fix the threads, time every batch size and dtype, print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--batches", type=_int_list, default=list(BATCHES))
    parser.add_argument("--dtypes", default="float32", help="comma-separated, e.g. float32,float64")
    args = parser.parse_args(argv)

    import torch

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    results = [measure(Config(batch, dtype), args.repeats) for batch in args.batches
               for dtype in args.dtypes.split(",")]
    blas = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    print(json.dumps({"threads": args.threads, "torch_threads": torch.get_num_threads(), "env": blas,
                      "results": results}))


if __name__ == "__main__":
    main()
