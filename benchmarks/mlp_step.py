"""One training step of the book's two-layer MLP, NumPy (``dlbook.numpy``) against PyTorch on CPU.

Both sides start from the same parameters (:func:`dlbook.numpy.mlp.init_mlp`)
and take the same step on the same batch:

* NumPy: :func:`~dlbook.numpy.mlp.mlp_forward`, :func:`~dlbook.numpy.mlp.softmax_cross_entropy`,
  :func:`~dlbook.numpy.mlp.mlp_backward`, :func:`~dlbook.numpy.training.sgd_step`;
* PyTorch: :class:`dlbook.torch.mlp.MLP` and ``torch.optim.SGD``: ``zero_grad``,
  forward, ``F.cross_entropy``, ``backward``, ``step``.

Run as ``python -m benchmarks.mlp_step --threads 1`` it prints the timings as
JSON. :mod:`benchmarks.run` starts it in a fresh process per thread count,
with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` set
before NumPy is imported (the only way to fix NumPy's BLAS threads without
extra packages); :func:`main` also calls ``torch.set_num_threads``.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Sequence

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""Environment variables that fix the threads of NumPy's BLAS and of PyTorch (read when they load)."""

SHAPES = ((2, 2), (784, 10))
"""(inputs, classes): the playground's 2-D two-class data, and an MNIST-sized 28x28 image with 10 classes."""

BATCHES = (16, 64, 256, 1024)
HIDDEN = (64, 512)
LEARNING_RATE = 0.1


@dataclass(frozen=True)
class Config:
    """One network and batch: ``n_in`` inputs, ``n_hidden`` tanh units, ``n_out`` classes, ``batch`` rows."""

    n_in: int
    n_out: int
    batch: int
    n_hidden: int
    dtype: str = "float32"
    activation: str = "tanh"


def thread_environment(threads: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of ``base`` (default: ``os.environ``) with every :data:`THREAD_VARIABLES` set to ``threads``."""
    if threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads}")
    env = dict(os.environ if base is None else base)
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    return env


def make_batch(config: Config, seed: int = 0) -> tuple[Any, Any, dict[str, Any]]:
    """Standard-normal inputs, uniform labels and fresh parameters for ``config``, all from ``seed``."""
    import numpy as np

    from dlbook.numpy.mlp import init_mlp

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((config.batch, config.n_in)).astype(config.dtype)
    y = rng.integers(0, config.n_out, size=config.batch)
    return X, y, init_mlp(config.n_in, config.n_hidden, config.n_out, seed=seed, dtype=config.dtype)


def numpy_step(X: Any, y: Any, params: dict[str, Any], activation: str, lr: float) -> Callable[[], float]:
    """A function that takes one SGD step of the NumPy MLP on ``(X, y)`` and returns the batch loss."""
    from dlbook.numpy.mlp import mlp_backward, mlp_forward, softmax_cross_entropy
    from dlbook.numpy.training import sgd_step

    current = dict(params)

    def step() -> float:
        nonlocal current
        logits, cache = mlp_forward(current, X, activation)
        loss, grad_logits = softmax_cross_entropy(logits, y)
        current = sgd_step(current, mlp_backward(current, cache, grad_logits), lr)
        return loss

    return step


def torch_step(X: Any, y: Any, params: dict[str, Any], activation: str, lr: float) -> Callable[[], float]:
    """A function that takes one ``torch.optim.SGD`` step of :class:`dlbook.torch.mlp.MLP` and returns the loss."""
    from dlbook.torch.mlp import MLP

    return torch_sgd_step(MLP.from_params(params, activation), X, y, lr)


def torch_sgd_step(model: Any, X: Any, y: Any, lr: float) -> Callable[[], float]:
    """A function that takes one ``torch.optim.SGD`` step of ``model`` on ``(X, y)`` and returns the batch loss:
    ``zero_grad``, forward, ``F.cross_entropy``, ``backward``, ``step``."""
    import torch
    import torch.nn.functional as F

    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    inputs, labels = torch.from_numpy(X), torch.from_numpy(y)

    def step() -> float:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def check_agreement(config: Config, steps: int = 3) -> float:
    """Take ``steps`` steps on both sides from the same start; return the largest relative difference of the losses.

    Raises ``RuntimeError`` when the two differ by more than the dtype allows
    (``1e-4`` relative in float32, ``1e-9`` in float64): then they would not be
    timing the same computation.
    """
    from benchmarks.timing import losses_agree

    X, y, params = make_batch(config)
    return losses_agree([numpy_step(X, y, params, config.activation, LEARNING_RATE),
                         torch_step(X, y, params, config.activation, LEARNING_RATE)], config.dtype, config, steps)


def measure(config: Config, repeats: int, warmup: int = 3) -> dict[str, Any]:
    """Time one step of each backend for ``config`` (interleaved repeats); return the stats as a dict."""
    from benchmarks.timing import interleaved

    agreement = check_agreement(config)
    X, y, params = make_batch(config)
    np_stats, torch_stats = interleaved(
        [numpy_step(X, y, params, config.activation, LEARNING_RATE),
         torch_step(X, y, params, config.activation, LEARNING_RATE)],
        repeats=repeats, warmup=warmup,
    )
    return {**config.__dict__, "numpy": np_stats.to_dict(), "torch": torch_stats.to_dict(),
            "loss_rel_diff": agreement}


def configs(shapes: Sequence[tuple[int, int]], batches: Sequence[int], hidden: Sequence[int],
            dtypes: Sequence[str]) -> list[Config]:
    """Every combination of shape, batch size, hidden width and dtype."""
    return [Config(n_in, n_out, b, h, dtype) for n_in, n_out in shapes for b in batches for h in hidden
            for dtype in dtypes]


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def _shape_list(text: str) -> list[tuple[int, int]]:
    shapes = []
    for part in text.split(","):
        n_in, _, n_out = part.partition("x")
        shapes.append((int(n_in), int(n_out)))
    return shapes


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: fix the threads, time every configuration and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--shapes", type=_shape_list, default=list(SHAPES), help="e.g. 2x2,784x10 (inputs x classes)")
    parser.add_argument("--batches", type=_int_list, default=list(BATCHES))
    parser.add_argument("--hidden", type=_int_list, default=list(HIDDEN))
    parser.add_argument("--dtypes", default="float32", help="comma-separated, e.g. float32,float64")
    args = parser.parse_args(argv)

    import torch

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    results = [measure(c, args.repeats) for c in configs(args.shapes, args.batches, args.hidden,
                                                            args.dtypes.split(","))]
    blas = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    print(json.dumps({"threads": args.threads, "torch_threads": torch.get_num_threads(), "env": blas,
                      "results": results}))


if __name__ == "__main__":
    main()
