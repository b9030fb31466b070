"""The chapter's convolutional network: NumPy's forward, backward and training against the torch.nn twin."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import dlbook.numpy as dn
from dlbook.numpy.cnn import _pool_and_relu_backward, check_cnn_params, cnn_backward, cnn_forward, init_cnn
from dlbook.numpy.mlp import softmax_cross_entropy
from dlbook.numpy.training import EpochHistory, train_classifier, train_cnn
from dlbook.torch.cnn import CNN
from dlbook.torch.training import train_model


def data(n: int = 40, side: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, side * side)), rng.integers(0, 10, n)


def test_fresh_parameters_have_the_documented_shapes_and_ranges() -> None:
    params = init_cnn((4, 6), side=8, seed=3)
    shapes = {name: p.shape for name, p in params.items()}
    assert shapes == {"K1": (4, 1, 3, 3), "b1": (4,), "K2": (6, 4, 3, 3), "b2": (6,), "W3": (24, 10), "b3": (10,)}
    assert np.abs(params["K1"]).max() <= np.sqrt(6 / 9) and np.abs(params["K2"]).max() <= np.sqrt(6 / 36)
    assert np.abs(params["W3"]).max() <= np.sqrt(6 / 34)
    assert not any(params[b].any() for b in ("b1", "b2", "b3"))
    assert all(p.dtype == np.float32 for p in init_cnn(dtype=np.float32).values())
    np.testing.assert_array_equal(init_cnn(seed=1)["K2"], init_cnn(seed=1)["K2"])
    assert not np.array_equal(init_cnn(seed=1)["K2"], init_cnn(seed=2)["K2"])
    assert sum(p.size for p in init_cnn().values()) == 160 + 4640 + 1290


@pytest.mark.parametrize(("channels", "side"), [((16, 32), 8), ((3, 5), 12), ((1, 1), 4)])
def test_forward_and_backward_equal_torch(channels: tuple[int, int], side: int) -> None:
    X, y = data(side=side)
    params = init_cnn(channels, side=side, seed=1)
    params = {name: p + 0.1 for name, p in params.items()}  # non-zero biases
    logits, cache = cnn_forward(params, X)
    loss, grad_logits = softmax_cross_entropy(logits, y)
    grads = cnn_backward(params, cache, grad_logits)

    model = CNN.from_params(params)
    expected = model(torch.from_numpy(X))
    torch_loss = F.cross_entropy(expected, torch.from_numpy(y))
    torch_loss.backward()
    np.testing.assert_allclose(logits, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    leaves = (model.conv1.weight, model.conv1.bias, model.conv2.weight, model.conv2.bias, model.output.weight,
              model.output.bias)
    torch_grads = dict(zip(("K1", "b1", "K2", "b2", "W3", "b3"), (t.grad for t in leaves)))
    torch_grads["W3"] = torch_grads["W3"].T  # nn.Linear keeps (out, in)
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, torch_grads[name].numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_the_cache_holds_the_feature_maps() -> None:
    X, _ = data(5)
    _, cache = cnn_forward(init_cnn((4, 6)), X)
    assert cache["X"].shape == (5, 1, 8, 8) and cache["A1"].shape == (5, 4, 8, 8)
    assert cache["H1"].shape == (5, 4, 4, 4) and cache["A2"].shape == (5, 6, 4, 4) and cache["H2"].shape == (5, 6, 2, 2)
    assert (cache["A1"] >= 0).all() and (cache["A2"] >= 0).all()  # after ReLU
    np.testing.assert_array_equal(cache["H1"], dn.max_pool2d(cache["A1"], 2))


def test_training_agrees_with_torch_step_by_step() -> None:
    X, y = data(70, seed=4)
    params = init_cnn((4, 8), seed=5)
    trained, losses = train_classifier(cnn_forward, cnn_backward, params, X, y, lr=0.1, batch_size=16, epochs=3,
                                       seed=6)
    model, torch_losses = train_model(CNN.from_params(params), X, y, lr=0.1, batch_size=16, epochs=3, seed=6)
    assert len(losses) == 3 * 5 and losses[-1] < losses[0]
    np.testing.assert_allclose(torch_losses, losses, rtol=1e-11, atol=1e-12)
    for name, value in model.to_params().items():
        np.testing.assert_allclose(value, trained[name], rtol=1e-9, atol=1e-11, err_msg=name)


def same_run(a: tuple[dict[str, np.ndarray], np.ndarray], b: tuple[dict[str, np.ndarray], np.ndarray]) -> None:
    """Two training runs that took the same steps to the last bit: losses and parameters, dtypes too."""
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].keys() == b[0].keys()
    for name in a[0]:
        np.testing.assert_array_equal(a[0][name], b[0][name], err_msg=name)
        assert a[0][name].dtype == b[0][name].dtype, name


@pytest.mark.parametrize("options", [
    {},
    {"optimizer": "SGD", "options": {"momentum": 0.9}, "weight_decay": 1e-3, "batch_size": 7},
    {"optimizer": "Adam", "lr": 0.01},
])
def test_train_cnn_takes_train_classifiers_steps_to_the_last_bit(options: dict) -> None:
    """``train_cnn`` is ``train_classifier`` given ``cnn_forward`` and ``cnn_backward``: equal losses,
    parameters and callbacks, bit for bit, from its own start (``init_cnn`` with its seed) or from ``params``."""
    X, y = data(45, seed=7)
    y[:10] = np.arange(10)  # every class: train_cnn's own start has ten outputs, as init_cnn's default
    run = {"lr": 0.1, "batch_size": 16, "epochs": 2, "seed": 3, **options}
    histories = [EpochHistory(lambda p, inputs: cnn_forward(p, inputs)[0], training=(X, y)) for _ in range(2)]
    fast = train_cnn(X, y, (4, 6), callback=histories[0], every=3, **run)
    same_run(fast, train_classifier(cnn_forward, cnn_backward, init_cnn((4, 6), seed=3), X, y,
                                    callback=histories[1], every=3, **run))
    assert histories[0].loss == histories[1].loss and len(histories[0].loss["training"]) >= 2
    start = init_cnn((3, 5), side=12, seed=1, dtype=np.float32)
    X12, y12 = data(20, side=12, seed=8)
    same_run(train_cnn(X12, y12, params=start, **run),
             train_classifier(cnn_forward, cnn_backward, start, X12.astype(np.float32), y12, **run))
    assert all(p.dtype == np.float32 for p in train_cnn(X12, y12, params=start, **run)[0].values())


def test_the_step_back_through_pooling_and_relu_is_max_pool2d_backward_then_the_relus_derivative() -> None:
    """Ties (many zeros after the ReLU, equal small integers) go to the first maximum of each window, as
    ``max_pool2d_backward`` sends them, then the ReLU keeps what reaches a positive output; an infinite
    gradient reaches no pixel the ReLU zeroed (0, not 0 * inf = NaN: torch's ReLU passes or drops it)."""
    rng = np.random.default_rng(3)
    A = np.maximum(rng.integers(-2, 3, (3, 4, 6, 8)).astype(np.float64), 0)  # after the ReLU: ties
    H = dn.max_pool2d(A, 2)
    grad = rng.standard_normal(H.shape)
    expected = dn.max_pool2d_backward(grad, A, 2) * (A > 0)
    np.testing.assert_array_equal(_pool_and_relu_backward(grad, A, H), expected)
    infinite = _pool_and_relu_backward(np.full(H.shape, np.inf), A, H)
    np.testing.assert_array_equal(infinite, np.where(expected != 0, np.inf, 0.0))


def test_train_cnn_names_bad_input() -> None:
    X, y = data(10)
    with pytest.raises(ValueError, match="X must hold square images, side a multiple of 4, .* got rows of 60"):
        train_cnn(X[:, :60], y)
    with pytest.raises(ValueError, match="X must hold square images, side a multiple of 4, .* got rows of 36"):
        train_cnn(np.zeros((3, 36)), [0, 1, 2])
    with pytest.raises(ValueError, match="y must hold class indices 0, 1, ..., C - 1"):
        train_cnn(X, np.full(10, 10**8))
    with pytest.raises(ValueError, match="y must hold class labels from 0 and below 3"):
        train_cnn(X, y, params=init_cnn((2, 2), n_classes=3))
    with pytest.raises(ValueError, match=r"X has shape \(10, 144\) but the network reads images of 8 x 8"):
        train_cnn(np.zeros((10, 144)), y, params=init_cnn((2, 2)))
    with pytest.raises(ValueError, match="X contains NaN"):
        train_cnn(np.full((10, 64), np.nan), y)
    with pytest.raises(ValueError, match="channels must be a pair"):
        train_cnn(X, y, channels=16)


def test_parameters_round_trip_through_the_module() -> None:
    params = init_cnn((3, 4), side=12, seed=2, dtype=np.float32)
    model = CNN.from_params(params)
    assert next(model.parameters()).dtype == torch.float32 and model.side == 12
    back = model.to_params()
    assert back.keys() == params.keys()
    for name in params:
        np.testing.assert_array_equal(back[name], params[name])
        assert back[name].dtype == np.float32


def test_float32_stays_float32() -> None:
    X, y = data(6)
    params = init_cnn(dtype=np.float32)
    logits, cache = cnn_forward(params, X)  # float64 images are cast to the parameters' dtype
    grads = cnn_backward(params, cache, softmax_cross_entropy(logits, y)[1])
    assert logits.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())


def test_bad_input_is_named() -> None:
    params = init_cnn((4, 6))
    with pytest.raises(ValueError, match=r"X has shape \(2, 63\) but the network reads images of 8 x 8"):
        cnn_forward(params, np.zeros((2, 63)))
    with pytest.raises(ValueError, match="X must be 2-D"):
        cnn_forward(params, np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="X contains NaN"):
        cnn_forward(params, np.full((1, 64), np.nan))
    with pytest.raises(ValueError, match="inconsistent parameter shapes"):
        check_cnn_params({**params, "b2": np.zeros(5)})
    with pytest.raises(ValueError, match=r"params\['K1'\] must be 4-D"):
        check_cnn_params({**params, "K1": np.zeros((4, 9))})
    with pytest.raises(ValueError, match="side must be a multiple of 4"):
        init_cnn(side=6)
    logits, cache = cnn_forward(params, np.zeros((3, 64)))
    with pytest.raises(ValueError, match=r"grad_logits must have shape \(3, 10\)"):
        cnn_backward(params, cache, np.zeros((3, 9)))
    with pytest.raises(ValueError, match="cache must be the dict returned by cnn_forward"):
        cnn_backward(params, {"X": cache["X"]}, np.zeros((3, 10)))
