r"""What the book's NumPy models share: sizes, Glorot initialisation, checks.

The two-layer network (:mod:`dlbook.numpy.mlp`) and softmax regression
(:mod:`dlbook.numpy.linear`) keep their parameters in a dict of arrays
(``{"W1": ..., "b1": ...}`` or ``{"W": ..., "b": ...}``). The rules for
creating and checking such dicts, and the inputs fed to them, live here once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from dlbook._validate import (
    MAX_ENTRIES,
    ArgumentTypeError,
    check_entries,
    check_finite,
    check_ndim,
    check_no_nan,
    check_not_empty,
    describe,
    is_integer,
)
from dlbook.numpy._arrays import as_float_array


def check_sizes(**sizes: int) -> None:
    """Raise unless each keyword value is a positive integer (``TypeError`` for a non-integer, e.g. 2.5).

    A size above :data:`~dlbook._validate.MAX_ENTRIES` is refused too: no
    array that size can be allocated.
    """
    for name, size in sizes.items():
        message = f"{name} must be a positive integer, got {describe(size)}"
        if not is_integer(size):
            raise ArgumentTypeError(message)
        if size < 1:
            raise ValueError(message)
        if size > MAX_ENTRIES:
            raise ValueError(f"{name} must be a positive integer of at most {MAX_ENTRIES:,}, got {describe(size)}")


def float_dtype(dtype: DTypeLike) -> np.dtype:
    """``dtype`` as a NumPy dtype; ``ValueError`` unless it is a float type."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ArgumentTypeError(
            "dtype must be a floating-point type such as np.float32 or "
            f"np.float64, got {describe(dtype)}"
        ) from None
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(
            "dtype must be a floating-point type such as np.float32 or "
            f"np.float64, got {dtype}"
        )
    return dtype


def check_weight_shape(fan_in: int, fan_out: int) -> None:
    """``ValueError`` when a ``(fan_in, fan_out)`` weight matrix is too big to allocate (checked sizes)."""
    check_entries(f"a weight matrix of shape ({fan_in}, {fan_out})", fan_in * fan_out, "check the layer sizes")


def glorot_uniform(
    rng: np.random.Generator, fan_in: int, fan_out: int, dtype: np.dtype
) -> np.ndarray:
    r"""A ``(fan_in, fan_out)`` weight matrix drawn from :math:`U(-a, a)`.

    :math:`a = \sqrt{6 / (\mathrm{fan\_in} + \mathrm{fan\_out})}` (Glorot and
    Bengio, 2010) keeps the variance of activations and gradients roughly
    constant from layer to layer. Raises ``ValueError`` for a matrix too big
    to allocate (:data:`~dlbook._validate.MAX_ENTRIES`).
    """
    check_weight_shape(fan_in, fan_out)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out)).astype(dtype)


def check_param_arrays(
    params: dict[str, np.ndarray], names: tuple[str, ...]
) -> tuple[np.ndarray, ...]:
    """Check a parameter dict entry by entry; return its arrays in order.

    ``params`` must have exactly the keys ``names`` (the order of the
    result); every entry must be a
    non-empty floating-point NumPy array without NaN, all of one dtype,
    weights (names starting with ``W``) 2-D and biases 1-D. How the shapes
    fit together is the caller's check.
    """
    if not isinstance(params, dict):
        raise ArgumentTypeError(
            f"params must be a dict with keys {list(names)}, got {type(params).__name__}"
        )
    if set(params) != set(names):
        raise ValueError(
            f"params must be a dict with keys {list(names)}, got {sorted(map(str, params))}"
        )
    arrays = tuple(params[name] for name in names)
    first = names[0]
    for name, p in zip(names, arrays):
        label = f"params[{name!r}]"
        floating = isinstance(p, np.ndarray) and np.issubdtype(
            p.dtype, np.floating
        )
        if not floating:
            raise ArgumentTypeError(
                f"{label} must be a floating-point NumPy array, "
                f"got {type(p).__name__}"
            )
        if p.dtype != arrays[0].dtype:
            raise ValueError(
                f"all params must share one dtype: {first} is "
                f"{arrays[0].dtype} but {name} is {p.dtype}"
            )
        check_ndim(label, p, (2,) if name.startswith("W") else (1,))
        check_not_empty(label, p)
        check_no_nan(label, p)
    return arrays


def layer_input(X: ArrayLike, W: np.ndarray, weight_name: str) -> np.ndarray:
    """``X`` checked as input of the weight matrix ``W``, in ``W``'s dtype.

    ``X`` must be 2-D with one column per row of ``W``, non-empty and free
    of NaN and infinities; ``weight_name`` names ``W`` in the error messages.
    """
    X = as_float_array(X, "X")
    check_ndim("X", X, (2,))
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X has shape {X.shape} but {weight_name} has shape {W.shape}; "
            f"X needs {W.shape[0]} columns"
        )
    check_not_empty("X", X)
    X = X.astype(W.dtype, copy=False)
    check_finite("X", X)
    return X


def cached_array(cache: Any, key: str, columns: int, dtype: np.dtype, rows: int | None, source: str) -> np.ndarray:
    """``cache[key]``, checked to be what ``source`` stored there: a 2-D ``dtype`` array with ``columns`` columns.

    ``rows``, when given, is the number of rows it must have (the batch of the
    other cached arrays). ``ValueError`` names the entry and what it should be.
    """
    value = cache.get(key) if isinstance(cache, dict) else None
    fits = (
        isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[1] == columns
        and value.dtype == dtype and (rows is None or value.shape[0] == rows)
    )
    if not fits:
        found = (
            f"a {value.dtype} array of shape {value.shape}" if isinstance(value, np.ndarray)
            else describe(value)
        )
        batch = "" if rows is None else f"{rows} rows and "
        raise ValueError(
            f"cache does not belong to these params: cache[{key!r}] must be the {dtype} array of "
            f"{batch}{columns} columns that {source} returns, got {found}"
        )
    check_no_nan(f"cache[{key!r}]", value)
    return value


def grad_array(grad_logits: ArrayLike, shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    """``grad_logits`` checked to have ``shape`` (batch, outputs) and finite entries, in ``dtype``."""
    G = as_float_array(grad_logits, "grad_logits")
    if G.shape != shape:
        raise ValueError(
            f"grad_logits must have shape {shape} (batch, n_out), got {G.shape}"
        )
    G = G.astype(dtype, copy=False)
    check_finite("grad_logits", G)
    return G
