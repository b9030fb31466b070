r"""Loss functions from scratch in NumPy, with the names and semantics of :mod:`torch.nn.functional`.

A loss turns predictions and targets into one number that is small when the
predictions are good; training minimises it. Every function takes
``reduction``: ``"mean"`` (default) averages the per-example losses,
``"sum"`` adds them, ``"none"`` returns them unreduced.

* :func:`mse_loss`: :math:`(\hat y - y)^2`, for regression.
* :func:`binary_cross_entropy`: :math:`-[y \log p + (1 - y) \log(1 - p)]` on probabilities.
* :func:`binary_cross_entropy_with_logits`: the same on a logit :math:`x` with :math:`p = \sigma(x)`.
* :func:`nll_loss`: :math:`-\log \hat y_{\text{target}}` on log-probabilities.
* :func:`cross_entropy`: :math:`-\sum_i y_i \log \mathrm{softmax}(z)_i` on logits :math:`z`.

Inputs are checked by :mod:`dlbook._loss_checks`, the rules shared with the
PyTorch backend. Results keep the input's float dtype, reductions return 0-D
arrays, and extreme logits (``1e4``) give finite losses without warnings.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from dlbook._loss_checks import (
    check_binary_inputs,
    check_cross_entropy_inputs,
    check_elementwise_loss,
    check_nll_inputs,
    class_axis,
)
from dlbook.numpy._arrays import as_float_array, as_int64, as_numeric_array
from dlbook.numpy.softmax import log_softmax

_REDUCE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "mean": lambda losses: np.asarray(losses.mean()),
    "sum": lambda losses: np.asarray(losses.sum()),
    "none": np.asarray,  # a 0-D result of arithmetic is a NumPy scalar; keep it an array
}


def _as_target(target: ArrayLike, input: np.ndarray) -> np.ndarray:
    """A float target: float arrays keep their dtype, integers and booleans take the input's."""
    target = as_numeric_array(target, "target")
    return target if np.issubdtype(target.dtype, np.floating) else target.astype(input.dtype)


def _promoted(input: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Input and target in the wider of their dtypes, so every step computes in the result's precision."""
    dtype = np.promote_types(input.dtype, target.dtype)
    return input.astype(dtype, copy=False), target.astype(dtype, copy=False)


def _as_weight(weight: ArrayLike | None, input: np.ndarray, name: str = "weight") -> np.ndarray | None:
    """A weight (a parameter, not data) in the input's dtype, or ``None``; ``name`` names it in errors."""
    return None if weight is None else as_float_array(weight, name).astype(input.dtype, copy=False)


def _as_indices(target: ArrayLike) -> np.ndarray:
    """Targets as an array; integer ones (any width, unsigned too) as int64, so ``-100`` compares safely.

    An unsigned index beyond int64 raises ``ValueError`` rather than wrapping around to a negative one.
    """
    target = as_numeric_array(target, "target")
    return as_int64("target", target) if target.dtype.kind in "iu" else target


def _reduce(losses: np.ndarray, reduction: str, total: np.ndarray | None = None) -> np.ndarray:
    """Reduce per-example ``losses``; ``"mean"`` divides the sum by ``total`` when it is given.

    ``total`` is the sum of the class weights of the targets that count: with
    class weights, torch's mean is a weighted mean. When nothing counts
    (every target ignored) the mean is 0/0 = NaN, as in torch.
    """
    # inf - inf, 0 / 0 and sums beyond the float range give NaN and inf silently, as in torch
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if reduction == "mean" and total is not None:
            return np.asarray(losses.sum() / total)
        return _REDUCE[reduction](losses)


def mse_loss(input: ArrayLike, target: ArrayLike, *, reduction: str = "mean") -> np.ndarray:
    r"""Mean squared error :math:`\frac1n \sum_i (\hat y_i - y_i)^2` (``reduction="mean"``).

    ``input`` (the predictions :math:`\hat y`) and ``target`` must have equal
    shapes: unlike torch, which broadcasts with a warning, a mismatch raises
    ``ValueError``.
    """
    input = as_float_array(input, "input")
    target = _as_target(target, input)
    check_elementwise_loss(input, target, reduction)
    with np.errstate(over="ignore"):  # a difference above ~1e154 squares to inf, as in torch
        return _reduce((input - target) ** 2, reduction)


def binary_cross_entropy(
    input: ArrayLike, target: ArrayLike, weight: ArrayLike | None = None, *, reduction: str = "mean"
) -> np.ndarray:
    r"""Binary cross-entropy :math:`-w\,[y \log p + (1 - y) \log(1 - p)]` on probabilities :math:`p`.

    ``input`` holds predicted probabilities :math:`p \in [0, 1]`, ``target``
    the true ones :math:`y \in [0, 1]` (usually 0 or 1), of the same shape;
    ``weight`` :math:`w` broadcasts to that shape. As in torch, each log is
    clamped to :math:`\ge -100`, so a confident wrong answer (:math:`p = 0`,
    :math:`y = 1`) costs 100 rather than infinity.
    """
    input = as_float_array(input, "input")
    target = _as_target(target, input)
    weight = _as_weight(weight, input)
    check_binary_inputs(input, target, weight, reduction, input_is_probability=True)
    input, target = _promoted(input, target)
    with np.errstate(divide="ignore"):  # log 0 = -inf, clamped below
        log_p = np.maximum(np.log(input), -100)
        log_not_p = np.maximum(np.log1p(-input), -100)
    losses = -(target * log_p + (1 - target) * log_not_p)
    return _reduce(losses if weight is None else losses * weight, reduction)


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    reduction: str = "mean",
    pos_weight: ArrayLike | None = None,
) -> np.ndarray:
    r"""Binary cross-entropy on a logit :math:`x`, with :math:`p = \sigma(x)`, computed stably.

    With :math:`-\log \sigma(x) = \mathrm{softplus}(-x) = \max(-x, 0) + \log(1 + e^{-|x|})`
    and :math:`-\log(1 - \sigma(x)) = x + \mathrm{softplus}(-x)`, the loss
    :math:`-w\,[q\,y \log \sigma(x) + (1 - y) \log(1 - \sigma(x))]` becomes

    .. math:: w\,\bigl[(1 - y)\,x + (1 + (q - 1)\,y)\,\mathrm{softplus}(-x)\bigr],

    where :math:`q` is ``pos_weight`` (weight of the positive class, default 1)
    and :math:`w` is ``weight``. Only :math:`e^{-|x|} \le 1` is computed, so
    logits of :math:`\pm 10^4` give exact, finite losses. ``target`` holds
    probabilities in [0, 1] of the input's shape (torch does not check this
    range here; ``dlbook`` raises ``ValueError``, as for :func:`binary_cross_entropy`).
    """
    input = as_float_array(input, "input")
    target = _as_target(target, input)
    weight, pos_weight = _as_weight(weight, input), _as_weight(pos_weight, input, "pos_weight")
    check_binary_inputs(input, target, weight, reduction, input_is_probability=False, pos_weight=pos_weight)
    input, target = _promoted(input, target)
    with np.errstate(invalid="ignore"):  # an infinite logit gives inf - inf = NaN, as in torch
        softplus_neg = np.maximum(-input, 0) + np.log1p(np.exp(-np.abs(input)))
        positive = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
        losses = (1 - target) * input + positive * softplus_neg
    return _reduce(losses if weight is None else losses * weight, reduction)


def _batched(input: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give an unbatched example (input ``(C,)``) a batch axis of length 1, so the class axis is 1."""
    return (input[None], target[None]) if input.ndim == 1 else (input, target)


def _class_weights(weight: np.ndarray | None, log_probs: np.ndarray) -> np.ndarray:
    """The class weights (all 1 without ``weight``) shaped to broadcast along axis 1 of ``(N, C, d1, ...)``."""
    classes = log_probs.shape[1]
    w = np.ones(classes, dtype=log_probs.dtype) if weight is None else weight
    return w.reshape((1, classes) + (1,) * (log_probs.ndim - 2))


def _example_shape(input: np.ndarray) -> tuple[int, ...]:
    """The shape of the unreduced loss: the input's without the class axis (``()`` when unbatched)."""
    return tuple(input.shape[:1] + input.shape[2:]) if input.ndim > 1 else ()


def _nll_terms(
    log_probs: np.ndarray, target: np.ndarray, weight: np.ndarray | None, ignore_index: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Per-example :math:`-w_{t}\log \hat y_{t}`, the mask of ignored targets, and :math:`\sum w_t`.

    ``log_probs`` is batched ``(N, C, d1, ...)``, ``target`` ``(N, d1, ...)``.
    Ignored targets contribute 0 (even when their row holds NaN) and are left
    out of the total weight that the mean divides by.
    """
    ignored = target == ignore_index
    safe = np.where(ignored, 0, target)
    picked = np.take_along_axis(log_probs, safe[:, None], axis=1)[:, 0]
    target_weight = np.where(ignored, 0, np.take(_class_weights(weight, log_probs).ravel(), safe))
    with np.errstate(invalid="ignore", over="ignore"):  # 0 * inf or inf - inf: NaN as in torch
        losses = np.where(ignored, 0, -target_weight * picked)
        return losses, ignored, target_weight.sum()


def nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Negative log-likelihood :math:`-w_{t}\,\log \hat y_{t}` of the true class :math:`t`.

    ``input`` holds log-probabilities :math:`\log \hat y` of shape ``(C,)``,
    ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` the class indices, of the
    input's shape without the class axis. Targets equal to ``ignore_index``
    count 0; ``"mean"`` divides by the sum of the class weights :math:`w_t`
    of the other targets (their number, without ``weight``).
    """
    input = as_float_array(input, "input")
    target = _as_indices(target)
    weight = _as_weight(weight, input)
    check_nll_inputs(input, target, weight, ignore_index, reduction)
    losses, _, total = _nll_terms(*_batched(input, target), weight, ignore_index)
    return _reduce(losses.reshape(_example_shape(input)), reduction, total)


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Cross-entropy :math:`L = -\sum_i y_i \log \hat y_i` with :math:`\hat y = \mathrm{softmax}(z)`, from logits.

    ``input`` holds the logits :math:`z`, shape ``(C,)``, ``(N, C)`` or
    ``(N, C, d1, ...)`` with the classes on axis 1 (axis 0 when unbatched).
    ``target`` is either

    * class indices :math:`t` of the input's shape without the class axis:
      then :math:`L = -w_t \log \hat y_t`, targets equal to ``ignore_index``
      count 0 and ``"mean"`` divides by the total weight of the others
      (see :func:`nll_loss`); or
    * class probabilities (one-hot included) of the input's shape, each row
      non-negative and summing to 1: then :math:`L = -\sum_i w_i y_i \log \hat y_i`
      and ``"mean"`` divides by the number of examples.

    :math:`\log \hat y` comes from :func:`log_softmax` (log-sum-exp), never
    from the log of a softmax, so logits of :math:`\pm 10^4` give finite
    losses. ``label_smoothing`` :math:`\varepsilon` mixes the target with the
    uniform distribution: :math:`y \to (1 - \varepsilon)\,y + \varepsilon / C`.
    """
    input = as_float_array(input, "input")
    target = _as_indices(target)
    weight = _as_weight(weight, input)
    probabilities = check_cross_entropy_inputs(input, target, weight, ignore_index, reduction, label_smoothing)
    label_smoothing = float(label_smoothing)
    log_probs, batched_target = _batched(log_softmax(input, axis=class_axis(input)), target)
    classes = log_probs.shape[1]
    class_weights = _class_weights(weight, log_probs)
    with np.errstate(invalid="ignore"):  # 0 * (-inf) = NaN for a zero target at a -inf logit, as in torch
        if probabilities:
            smoothed = (1 - label_smoothing) * _as_target(batched_target, input) + label_smoothing / classes
            losses = -(log_probs * smoothed * class_weights).sum(axis=1)
            return _reduce(losses.reshape(_example_shape(input)), reduction)
        losses, ignored, total = _nll_terms(log_probs, batched_target, weight, ignore_index)
        if label_smoothing > 0:  # torch adds the uniform part only then (0 * inf would be NaN)
            uniform = np.where(ignored, 0, -(log_probs * class_weights).sum(axis=1))
            losses = (1 - label_smoothing) * losses + label_smoothing / classes * uniform
    return _reduce(losses.reshape(_example_shape(input)), reduction, total)
