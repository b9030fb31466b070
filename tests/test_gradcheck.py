"""Central finite differences and the gradient check, on functions whose gradients are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.gradcheck import ATOL, TOLERANCE, gradcheck, gradcheck_params, numerical_gradient, relative_error

RNG = np.random.default_rng(0)


def test_numerical_gradient_of_sum_of_sines_is_cosine() -> None:
    x = RNG.normal(size=(3, 4))
    grad = numerical_gradient(lambda v: np.sin(v).sum(), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-8, atol=1e-9)


def test_central_differences_are_exact_for_a_quadratic() -> None:
    """For f(x) = x^T A x the central difference has no truncation error: only rounding is left."""
    A = RNG.normal(size=(5, 5))
    x = RNG.normal(size=5)
    grad = numerical_gradient(lambda v: v @ A @ v, x, eps=1e-4)
    np.testing.assert_allclose(grad, (A + A.T) @ x, rtol=1e-9, atol=1e-9)


def test_the_error_of_central_differences_shrinks_like_eps_squared() -> None:
    x = np.array([0.7])
    errors = [abs(numerical_gradient(lambda v: np.exp(v).sum(), x, eps)[0] - np.exp(0.7)) for eps in (1e-2, 1e-3)]
    # error ~ f'''(x) eps^2 / 6: ten times smaller eps, a hundred times smaller error
    assert errors[0] == pytest.approx(np.exp(0.7) * 1e-4 / 6, rel=1e-2)
    assert 80 < errors[0] / errors[1] < 120


@pytest.mark.parametrize(
    ("f", "grad"),
    [
        (lambda x: np.sum(x ** 3), lambda x: 3 * x ** 2),
        (lambda x: np.tanh(x).sum(), lambda x: 1 - np.tanh(x) ** 2),
        (lambda x: np.log(np.sum(np.exp(x))), lambda x: np.exp(x) / np.sum(np.exp(x))),
        (lambda x: np.linalg.norm(x), lambda x: x / np.linalg.norm(x)),
    ],
    ids=["cube", "tanh", "logsumexp", "norm"],
)
def test_right_gradients_pass_and_wrong_ones_fail(f, grad) -> None:
    x = RNG.normal(size=(4, 3))
    assert gradcheck(f, x, grad(x)) < TOLERANCE
    assert gradcheck(f, x, -grad(x)) > 0.5, "a sign error is caught"
    assert gradcheck(f, x, 2 * grad(x)) > 0.1, "a missing factor is caught"
    wrong = grad(x).copy()
    wrong[1, 2] += 0.1
    assert gradcheck(f, x, wrong) > 1e-3, "one wrong entry is caught"


def test_gradcheck_leaves_its_input_untouched() -> None:
    x = RNG.normal(size=6)
    before = x.copy()
    gradcheck(lambda v: np.sum(v ** 2), x, 2 * x)
    np.testing.assert_array_equal(x, before)


def test_the_function_sees_float64_even_for_float32_input() -> None:
    seen = []
    x = np.ones(3, dtype=np.float32)
    numerical_gradient(lambda v: seen.append(v.dtype) or float(v.sum()), x)
    assert set(seen) == {np.dtype(np.float64)}


def test_relative_error() -> None:
    a = np.array([3.0, 4.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, np.zeros(2)) == pytest.approx(1.0)
    assert relative_error(a, a + np.array([0.0, 1e-8])) == pytest.approx(1e-8 / 10, rel=1e-6)
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\)"):
        relative_error(a, np.zeros(3))


def test_gradcheck_params_checks_every_array_and_leaves_params_alone() -> None:
    params = {"W": RNG.normal(size=(3, 2)), "b": RNG.normal(size=2)}
    x = RNG.normal(size=3)

    def loss(p: dict[str, np.ndarray]) -> float:
        return float(np.sum((x @ p["W"] + p["b"]) ** 2))

    r = x @ params["W"] + params["b"]
    grads = {"W": 2 * np.outer(x, r), "b": 2 * r}
    before = {k: v.copy() for k, v in params.items()}
    errors = gradcheck_params(loss, params, grads)
    assert set(errors) == {"W", "b"} and max(errors.values()) < TOLERANCE
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    errors = gradcheck_params(loss, params, {"W": grads["W"], "b": -grads["b"]})
    assert errors["W"] < TOLERANCE < errors["b"]
    with pytest.raises(ValueError, match="keys of params"):
        gradcheck_params(loss, params, {"W": grads["W"]})


def test_bad_input_is_named() -> None:
    x = np.ones(3)
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_gradient(lambda v: v.sum(), x, eps=0.0)
    with pytest.raises(ValueError, match=r"f must return a scalar, got shape \(3,\)"):
        numerical_gradient(lambda v: v, x)
    with pytest.raises(ValueError, match=r"analytic_grad has shape \(2,\) but x has shape \(3,\)"):
        gradcheck(lambda v: v.sum(), x, np.ones(2))
    with pytest.raises(ValueError, match="x contains NaN"):
        numerical_gradient(lambda v: v.sum(), np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="analytic_grad contains NaN"):
        gradcheck(lambda v: v.sum(), x, np.array([1.0, np.nan, 1.0]))


def test_a_correct_gradient_near_zero_passes_and_a_wrong_one_does_not() -> None:
    def square(v: np.ndarray) -> float:
        return float(np.sum(v**2))

    tiny = np.array([1e-30])
    assert numerical_gradient(square, tiny)[0] == 0.0  # 1e-30 is lost in 1e-30 + eps
    assert relative_error(2 * tiny, [0.0]) == 1.0  # the relative error alone fails it
    assert gradcheck(square, tiny, 2 * tiny) < TOLERANCE
    assert gradcheck(lambda v: 3.0, np.ones(4), np.zeros(4)) == 0.0  # a constant: both gradients are 0
    small = np.array([1e-3])
    assert gradcheck(square, small, 4 * small) > 0.1  # twice the slope 2e-3: far beyond atol


def test_the_tolerance_is_torchs_rule_with_norms() -> None:
    """Below rtol exactly when ||a - n|| < atol + rtol (||a|| + ||n||)."""
    n = np.array([3.0, 4.0])  # norm 5
    for gap, passes in ((0.9, True), (1.1, False)):  # just inside and just outside the bound
        a = n + np.array([0.0, gap * (ATOL + TOLERANCE * 10)])
        difference, sizes = np.linalg.norm(a - n), np.linalg.norm(a) + np.linalg.norm(n)
        assert bool(difference < ATOL + TOLERANCE * sizes) is passes
        assert bool(relative_error(a, n, atol=ATOL) < TOLERANCE) is passes
    assert relative_error(n, n + 1e-9, atol=0.0) > relative_error(n, n + 1e-9, atol=ATOL)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_infinities_never_pass(bad: float) -> None:
    with pytest.raises(ValueError, match="a contains"):
        relative_error([bad, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="b contains"):
        relative_error([1.0], [bad])
    with pytest.raises(ValueError, match=f"f returned {bad}"):
        gradcheck(lambda v: bad, np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="analytic_grad contains"):
        gradcheck(lambda v: float(v.sum()), np.ones(2), np.array([1.0, bad]))
    with pytest.raises(ValueError, match="x contains"):
        numerical_gradient(lambda v: float(v.sum()), np.array([bad]))


def test_huge_gradients_are_compared_without_overflow() -> None:
    with np.errstate(all="raise"):
        assert relative_error([1e300, 1e300], [1e300, 1e300]) == 0.0
        assert relative_error([3e300, 4e300], [3e300, 4.5e300]) == pytest.approx(0.5 / (5 + np.hypot(3, 4.5)))


def test_a_function_must_return_one_number() -> None:
    for returned in (None, "1.0", [1.0, 2.0]):
        with pytest.raises((TypeError, ValueError), match="f must return"):
            numerical_gradient(lambda v: returned, np.ones(2))
