"""``dlbook.numpy.optim`` against ``torch.optim``: the same numbers step by step, the same signatures and errors.

Every optimiser runs beside torch's on one sequence of random gradients, in
float64, from the same parameters; after every step the parameters and the
optimiser's state must agree to 1e-12. Hyperparameters are drawn by
hypothesis over the whole range torch accepts.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.numpy import optim

#: Parameter shapes of a small network, a scalar included.
SHAPES = {"W1": (3, 4), "b1": (4,), "W2": (4, 2), "c": ()}
TOLERANCE = {"rtol": 1e-12, "atol": 1e-12}
PAIRS = {
    "SGD": (optim.SGD, torch.optim.SGD),
    "RMSprop": (optim.RMSprop, torch.optim.RMSprop),
    "Adam": (optim.Adam, torch.optim.Adam),
    "AdamW": (optim.AdamW, torch.optim.AdamW),
}
#: What each state entry is called in torch (the same names here).
STATE_NAMES = ("momentum_buffer", "square_avg", "grad_avg", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")


def random_problem(seed: int, steps: int, dtype: Any = np.float64) -> tuple[dict, list[dict]]:
    """Initial parameters and ``steps`` gradient dicts, some gradients zero, some large."""
    rng = np.random.default_rng(seed)
    params = {name: rng.standard_normal(shape).astype(dtype) for name, shape in SHAPES.items()}
    scales = rng.choice([0.0, 1e-3, 1.0, 50.0], size=steps, p=[0.1, 0.2, 0.6, 0.1])
    grads = [{name: (scale * rng.standard_normal(shape)).astype(dtype) for name, shape in SHAPES.items()}
             for scale in scales]
    return params, grads


def run_side_by_side(name: str, options: dict[str, Any], seed: int = 0, steps: int = 25,
                     dtype: Any = np.float64, tolerance: dict[str, float] = TOLERANCE,
                     missing: float = 0.0) -> optim.Optimizer:
    """Step both optimisers through the same gradients; compare parameters and state after every step.

    A share ``missing`` of the gradients is ``None`` here and a ``.grad`` of ``None`` in torch, which
    skips that parameter for that step (its state and step count stay).

    Values agree to ``rtol`` relative to themselves, or to ``atol`` relative to the largest magnitude that
    entry has had so far: with hyperparameters at the edge (``eps`` = 0, ``alpha`` = 1, momentum 1) steps
    of 1e4 can add up to a parameter of order 1, and both sides round at the scale of the steps.
    """
    ours, theirs = PAIRS[name]
    start, grads = random_problem(seed, steps, dtype)
    params = {key: value.copy() for key, value in start.items()}
    arrays = dict(params)
    optimizer = ours(params, **options)
    tensors = {key: torch.tensor(value, requires_grad=True) for key, value in start.items()}
    reference = theirs(list(tensors.values()), **options)
    scale: dict[tuple[str, str], float] = {}

    def agree(actual: np.ndarray, expected: np.ndarray, key: tuple[str, str], where: str) -> None:
        finite = np.abs(expected[np.isfinite(expected)])
        scale[key] = max(scale.get(key, 1.0), float(finite.max(initial=0.0)))
        rtol, atol = tolerance["rtol"], tolerance["atol"] * scale[key]
        # assert_allclose's own test without its report, in under half its time: called some 300 times an example
        if np.shape(actual) != np.shape(expected) or not np.allclose(actual, expected, rtol, atol, equal_nan=True):
            np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=where)

    skipped = np.random.default_rng(seed + 1).random((steps, len(SHAPES))) < missing
    taken = dict.fromkeys(SHAPES, 0)
    for step, (grad, skip) in enumerate(zip(grads, skipped), start=1):
        grad = {key: None if gone else value for (key, value), gone in zip(grad.items(), skip)}
        optimizer.step(grad)
        for key, tensor in tensors.items():
            tensor.grad = None if grad[key] is None else torch.tensor(grad[key])
            taken[key] += grad[key] is not None
        reference.step()
        for key, tensor in tensors.items():
            where = f"{name} {options}, step {step}, {key}"
            assert params[key] is arrays[key], "the arrays are updated in place"
            agree(params[key], tensor.detach().numpy(), (key, "param"), where)
            state, expected = optimizer.state[key], reference.state.get(tensor, {})
            assert {k for k in state if k != "step"} == {k for k in expected if k != "step"}, where
            for entry in STATE_NAMES:
                if entry in expected:
                    assert np.shape(state[entry]) == tuple(tensor.shape), f"{where} {entry}"
                    agree(state[entry], expected[entry].numpy(), (key, entry), f"{where} {entry}")
            if "step" in expected:
                assert state["step"] == expected["step"].item() == taken[key], where
    return optimizer


# ----------------------------------------------------------------------------------------------
# The numbers, step by step


rates = st.sampled_from([0.0, 1e-4, 1e-3, 0.01, 0.1, 0.5]) | st.floats(0.0, 1.0)
decays = st.sampled_from([0.0, 1e-4, 0.01]) | st.floats(0.0, 0.5)
seeds = st.integers(0, 2**31 - 1)


@settings(max_examples=60, deadline=None)
@given(lr=rates, momentum=st.sampled_from([0.0, 0.5, 0.9, 0.99]) | st.floats(0.0, 1.5),
       dampening=st.sampled_from([0.0, 0.1]) | st.floats(-0.5, 1.0), weight_decay=decays,
       nesterov=st.booleans(), maximize=st.booleans(), seed=seeds)
def test_sgd_is_torchs(lr: float, momentum: float, dampening: float, weight_decay: float, nesterov: bool,
                       maximize: bool, seed: int) -> None:
    if nesterov and (momentum <= 0 or dampening != 0):
        dampening, momentum = 0.0, max(momentum, 0.5)
    run_side_by_side("SGD", {"lr": lr, "momentum": momentum, "dampening": dampening,
                             "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}, seed)


@settings(max_examples=60, deadline=None)
@given(lr=rates, alpha=st.sampled_from([0.0, 0.9, 0.99, 1.0]) | st.floats(0.0, 1.0),
       eps=st.sampled_from([0.0, 1e-8, 1e-3]), weight_decay=decays,
       momentum=st.sampled_from([0.0, 0.9]) | st.floats(0.0, 1.0), centered=st.booleans(),
       maximize=st.booleans(), seed=seeds)
def test_rmsprop_is_torchs(lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                           centered: bool, maximize: bool, seed: int) -> None:
    if alpha < 0.5 and (centered or weight_decay > 0):
        # With a small alpha, v averages over one or two gradients and the step divides by their size alone,
        # which magnifies roundings; averages over more gradients agree. Centred, v - g_avg^2 can cancel to a
        # few roundings of v (at alpha = 0 exactly: g^2 - g^2); torch computes it with a fused multiply-add
        # (its noise is about 1e-18 g^2 where this is 0), and divided by the root of that noise the step
        # differs. With weight decay, g + wd * p can be 1e-4 and v follow it: the step divides wd times p's
        # roundings so far (7e-15) by sqrt(v) = 9e-4, and the two sides end 1.5e-12 apart (seed 800,
        # alpha 1e-4, wd 0.19, step 7). Both are comparisons of roundings, not of rules.
        alpha = 0.5 + alpha
    run_side_by_side("RMSprop", {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                                 "momentum": momentum, "centered": centered, "maximize": maximize}, seed)


# beta2 from 0.5 up: with beta2 near 0, v is one gradient's square and each step divides by the size of a single
# gradient, which can come arbitrarily close to 0; that quotient magnifies any rounding (torch's fused
# multiply-adds against NumPy's separate operations) without bound. test_adam_edge_betas_are_torchs covers 0.
betas = st.tuples(st.sampled_from([0.0, 0.5, 0.9]) | st.floats(0.0, 0.999),
                  st.sampled_from([0.5, 0.99, 0.999]) | st.floats(0.5, 0.9999))


@settings(max_examples=60, deadline=None)
@given(lr=rates, betas=betas, eps=st.sampled_from([0.0, 1e-8, 1e-3]), weight_decay=decays,
       amsgrad=st.booleans(), maximize=st.booleans(), decoupled=st.booleans(), seed=seeds)
def test_adam_is_torchs(lr: float, betas: tuple[float, float], eps: float, weight_decay: float, amsgrad: bool,
                        maximize: bool, decoupled: bool, seed: int) -> None:
    run_side_by_side("Adam", {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                              "amsgrad": amsgrad, "maximize": maximize, "decoupled_weight_decay": decoupled}, seed)


@settings(max_examples=40, deadline=None)
@given(lr=rates, betas=betas, weight_decay=decays, amsgrad=st.booleans(), maximize=st.booleans(), seed=seeds)
def test_adamw_is_torchs(lr: float, betas: tuple[float, float], weight_decay: float, amsgrad: bool,
                         maximize: bool, seed: int) -> None:
    run_side_by_side("AdamW", {"lr": lr, "betas": betas, "weight_decay": weight_decay, "amsgrad": amsgrad,
                               "maximize": maximize}, seed)


@pytest.mark.parametrize("betas", [(0.0, 0.0), (0.0, 0.999), (0.9, 0.0), (0.999, 0.9999)])
def test_adam_edge_betas_are_torchs(betas: tuple[float, float]) -> None:
    for amsgrad in (False, True):
        run_side_by_side("Adam", {"lr": 0.01, "betas": betas, "amsgrad": amsgrad}, seed=6, steps=40)
        run_side_by_side("AdamW", {"lr": 0.01, "betas": betas, "amsgrad": amsgrad}, seed=7, steps=40)


@pytest.mark.parametrize(("name", "options"), [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 0.3}),
    ("RMSprop", {"momentum": 0.9, "centered": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    ("AdamW", {"lr": 0.01, "maximize": True}),
])
def test_a_gradient_none_skips_its_parameter_as_torch(name: str, options: dict[str, Any]) -> None:
    """Torch steps only the parameters whose ``.grad`` is set: here, those whose gradient is not ``None``."""
    run_side_by_side(name, options, seed=8, steps=40, missing=0.4)
    params = {"w": np.ones(2), "v": np.ones(3)}
    optimizer = PAIRS[name][0](params, **options)
    optimizer.step({"w": np.ones(2), "v": None})
    assert np.array_equal(params["v"], np.ones(3)) and not optimizer.state["v"]
    assert not np.array_equal(params["w"], np.ones(2))


@pytest.mark.parametrize("name", list(PAIRS))
def test_defaults_run_long_and_in_float32(name: str) -> None:
    """Torch's defaults for 300 steps in float64; in float32 both round alike, to float32's precision."""
    optimizer = run_side_by_side(name, {}, seed=1, steps=300)
    assert optimizer.lr == PAIRS[name][1]([torch.zeros(1, requires_grad=True)]).param_groups[0]["lr"]
    run_side_by_side(name, {"lr": 0.01}, seed=2, steps=50, dtype=np.float32, tolerance={"rtol": 1e-5, "atol": 1e-6})


def test_adamw_is_adam_with_decoupled_weight_decay() -> None:
    start, grads = random_problem(3, 20)
    a = {key: value.copy() for key, value in start.items()}
    b = {key: value.copy() for key, value in start.items()}
    adamw, adam = optim.AdamW(a, lr=0.01), optim.Adam(b, lr=0.01, weight_decay=1e-2, decoupled_weight_decay=True)
    for grad in grads:
        adamw.step(grad)
        adam.step(grad)
    assert all(np.array_equal(a[key], b[key]) for key in a)
    assert adamw.weight_decay == 1e-2 and adamw.decoupled_weight_decay


@pytest.mark.parametrize("name", list(PAIRS))
def test_the_group_holds_torchs_hyperparameters(name: str) -> None:
    """``param_groups[0]`` has torch's keys and values; attributes read and write it."""
    ours, theirs = PAIRS[name]
    params = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
    optimizer = ours(params, lr=0.05)
    reference = theirs([torch.zeros(2, 3, requires_grad=True), torch.zeros(3, requires_grad=True)], lr=0.05)
    group, expected = optimizer.param_groups[0], reference.param_groups[0]
    assert len(optimizer.param_groups) == 1 and all(a is b for a, b in zip(group["params"], params.values()))
    assert {key: group[key] for key in group if key != "params"} == {
        key: value for key, value in expected.items() if key != "params"}
    optimizer.lr = 0.2
    assert group["lr"] == 0.2
    group["lr"] = 0.3
    assert optimizer.lr == 0.3
    assert optimizer.weight_decay == expected["weight_decay"]
    with pytest.raises(AttributeError, match="has no attribute 'momentum_of_inertia'"):
        optimizer.momentum_of_inertia  # noqa: B018 (the access is the test)


@pytest.mark.parametrize("name", list(PAIRS))
def test_a_changed_rate_is_used_from_the_next_step(name: str) -> None:
    """``optimizer.lr`` is the rate torch keeps in ``param_groups[0]["lr"]``: change it between steps."""
    ours, theirs = PAIRS[name]
    start, grads = random_problem(4, 12)
    params = {key: value.copy() for key, value in start.items()}
    optimizer = ours(params, lr=0.05)
    tensors = [torch.tensor(value, requires_grad=True) for value in start.values()]
    reference = theirs(tensors, lr=0.05)
    for step, grad in enumerate(grads):
        if step == 6:
            optimizer.lr = reference.param_groups[0]["lr"] = 0.2
        optimizer.step(grad)
        for tensor, key in zip(tensors, start):
            tensor.grad = torch.tensor(grad[key])
        reference.step()
    for tensor, key in zip(tensors, start):
        np.testing.assert_allclose(params[key], tensor.detach().numpy(), **TOLERANCE)


def test_plain_sgd_is_the_update_of_the_training_chapter() -> None:
    from dlbook.numpy.training import sgd_step  # noqa: PLC0415

    start, grads = random_problem(5, 5)
    params = {key: value.copy() for key, value in start.items()}
    expected = start
    optimizer = optim.SGD(params, lr=0.3)
    for grad in grads:
        optimizer.step(grad)
        expected = sgd_step(expected, grad, 0.3)
        assert all(np.array_equal(params[key], expected[key]) for key in params)  # to the last bit


def test_first_momentum_step_takes_the_gradient_itself() -> None:
    """Torch's buffer starts as the first gradient (not as (1 - dampening) times it)."""
    params = {"w": np.array([1.0, -2.0])}
    optimizer = optim.SGD(params, lr=0.1, momentum=0.9, dampening=0.5)
    optimizer.step({"w": np.array([1.0, 1.0])})
    np.testing.assert_array_equal(optimizer.state["w"]["momentum_buffer"], [1.0, 1.0])
    optimizer.step({"w": np.array([1.0, 1.0])})
    np.testing.assert_allclose(optimizer.state["w"]["momentum_buffer"], [1.4, 1.4])
    np.testing.assert_allclose(params["w"], [1.0 - 0.1 - 0.14, -2.0 - 0.1 - 0.14])


def test_adam_moves_each_coordinate_by_lr_under_a_constant_gradient() -> None:
    """Bias correction: with one constant gradient, every step is lr * g / (|g| + eps) exactly."""
    params = {"w": np.array([0.0, 0.0, 0.0])}
    gradient = np.array([3.0, -1e-3, 250.0])
    optimizer = optim.Adam(params, lr=0.01)
    for step in range(1, 31):
        optimizer.step({"w": gradient})
        np.testing.assert_allclose(params["w"], -step * 0.01 * np.sign(gradient), rtol=1e-5)


# ----------------------------------------------------------------------------------------------
# Signatures and defaults


@pytest.mark.parametrize("name", list(PAIRS))
def test_signature_is_torchs(name: str) -> None:
    """Every argument torch has, in the same place, of the same kind, with the same default (its device and
    compiler options included: they are accepted and change nothing)."""
    ours, theirs = (inspect.signature(cls).parameters for cls in PAIRS[name])
    assert [p.name for p in ours.values()] == [p.name for p in theirs.values()]
    for mine, torchs in zip(ours.values(), theirs.values()):
        assert mine.kind == torchs.kind, mine.name
        assert mine.default == torchs.default and type(mine.default) is type(torchs.default), mine.name


@pytest.mark.parametrize("name", list(PAIRS))
def test_torchs_device_options_are_accepted_and_change_nothing(name: str) -> None:
    """A call written for torch, ``foreach=False`` and all, runs here with the same numbers."""
    options = {"lr": 0.01, "foreach": False, "differentiable": False}
    run_side_by_side(name, options, seed=9, steps=10)
    ours = PAIRS[name][0]({"w": np.zeros(2)}, **options, **({} if name == "SGD" else {"capturable": False}))
    assert ours.foreach is False and "foreach" not in repr(ours)


@pytest.mark.parametrize(("name", "required"), [
    ("SGD", {"lr": 1e-3, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False}),
    ("RMSprop", {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0, "centered": False}),
    ("Adam", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False}),
    ("AdamW", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": False}),
])
def test_the_arguments_the_issue_lists(name: str, required: dict[str, Any]) -> None:
    parameters = list(inspect.signature(PAIRS[name][0]).parameters.values())
    assert parameters[0].name == "params" and parameters[0].default is inspect.Parameter.empty
    assert {p.name: p.default for p in parameters[1:len(required) + 1]} == required
    optimizer = PAIRS[name][0]({"w": np.zeros(2)})
    assert {key: getattr(optimizer, key) for key in required} == required


# ----------------------------------------------------------------------------------------------
# Errors


BAD_HYPERPARAMETERS = [
    ("SGD", {"lr": -1e-3}), ("SGD", {"momentum": -0.1}), ("SGD", {"weight_decay": -1e-4}),
    ("SGD", {"nesterov": True}), ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("RMSprop", {"lr": -0.1}), ("RMSprop", {"lr": float("nan")}), ("RMSprop", {"eps": -1e-8}),
    ("RMSprop", {"momentum": -0.5}), ("RMSprop", {"weight_decay": -1.0}), ("RMSprop", {"alpha": -0.01}),
    ("Adam", {"lr": -1.0}), ("Adam", {"eps": -1.0}), ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, 1.0)}), ("Adam", {"betas": (-0.1, 0.999)}), ("Adam", {"weight_decay": -0.1}),
    ("Adam", {"betas": (0, 0.999)}), ("AdamW", {"weight_decay": -1e-2}), ("AdamW", {"betas": (0.9, 1.5)}),
]


@pytest.mark.parametrize(("name", "options"), BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_raise_as_torch(name: str, options: dict[str, Any]) -> None:
    ours, theirs = PAIRS[name]
    with pytest.raises(ValueError) as expected:
        theirs([torch.zeros(2, requires_grad=True)], **options)
    with pytest.raises(ValueError) as raised:
        ours({"w": np.zeros(2)}, **options)
    if str(expected.value).startswith(("Invalid", "Nesterov")):
        assert str(raised.value) == str(expected.value)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(list(PAIRS)), data=st.data())
def test_torch_refuses_exactly_what_is_refused_here(name: str, data: st.DataObject) -> None:
    """Hyperparameters anywhere around the valid ranges: an error here exactly when torch errs."""
    number = st.sampled_from([-1.0, -1e-9, 0.0, 1e-9, 0.5, 1.0, 1.5, float("nan")]) | st.floats(-2, 2)
    names = {"SGD": ["lr", "momentum", "dampening", "weight_decay"],
             "RMSprop": ["lr", "alpha", "eps", "weight_decay", "momentum"],
             "Adam": ["lr", "eps", "weight_decay"], "AdamW": ["lr", "eps", "weight_decay"]}[name]
    options = {key: data.draw(number, label=key) for key in data.draw(st.sets(st.sampled_from(names)), label="set")}
    if name == "SGD":
        options["nesterov"] = data.draw(st.booleans(), label="nesterov")
    if name in ("Adam", "AdamW") and data.draw(st.booleans(), label="betas given"):
        options["betas"] = (data.draw(number, label="beta1"), data.draw(number, label="beta2"))
    ours, theirs = PAIRS[name]
    try:
        theirs([torch.zeros(2, requires_grad=True)], **options)
    except ValueError:
        with pytest.raises(ValueError):
            ours({"w": np.zeros(2)}, **options)
    else:
        ours({"w": np.zeros(2)}, **options)


@pytest.mark.parametrize("name", list(PAIRS))
def test_params_must_be_a_dict_of_float_arrays(name: str) -> None:
    cls = PAIRS[name][0]
    with pytest.raises(TypeError, match="params must be a dict"):
        cls([np.zeros(2)])
    with pytest.raises(ValueError, match="empty parameter list"):
        cls({})
    with pytest.raises(ValueError, match=r"params\['b'\] must be a floating-point NumPy array, got ndarray of dtype int"):
        cls({"W": np.zeros((2, 2)), "b": np.arange(2)})
    with pytest.raises(ValueError, match=r"params\['b'\] must be a floating-point NumPy array, got list"):
        cls({"b": [0.0, 1.0]})
    frozen = np.zeros(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match=r"params\['W'\] is read-only"):
        cls({"W": frozen})
    shared = np.zeros(3)
    with pytest.raises(UserWarning, match="duplicate parameters"):  # torch's warning, an error in these tests
        PAIRS[name][1]([torch.zeros(3, requires_grad=True)] * 2)
    with pytest.raises(ValueError, match=r"params\['b'\] is the same array as params\['a'\]"):
        cls({"a": shared, "b": shared})


@pytest.mark.parametrize("name", list(PAIRS))
def test_grads_must_match_the_params_key_by_key(name: str) -> None:
    params = {"W": np.ones((2, 3)), "b": np.zeros(3)}
    optimizer = PAIRS[name][0](params, lr=0.1)
    good = {"W": np.ones((2, 3)), "b": np.ones(3)}
    with pytest.raises(ValueError, match=r"grads lacks \['b'\]"):
        optimizer.step({"W": good["W"]})
    with pytest.raises(ValueError, match=r"has extra \['c'\]"):
        optimizer.step({**good, "c": np.ones(1)})
    with pytest.raises(ValueError, match=r"grads\['b'\] has shape \(2,\) but params\['b'\] has shape \(3,\)"):
        optimizer.step({"W": good["W"], "b": np.ones(2)})
    with pytest.raises(ValueError, match="grads must be a dict"):
        optimizer.step([good["W"], good["b"]])
    assert np.array_equal(params["W"], np.ones((2, 3))) and not params["b"].any(), "nothing moved"
    optimizer.step({"W": good["W"].tolist(), "b": good["b"]})  # array-likes are fine
    assert params["W"].max() < 1


def test_repr_names_the_settings() -> None:
    text = repr(optim.SGD({"W": np.zeros(2)}, lr=0.1, momentum=0.9))
    assert text.startswith("SGD(lr=0.1, momentum=0.9, dampening=0") and "params ['W']" in text
    assert "betas=(0.9, 0.999)" in repr(optim.AdamW({"W": np.zeros(2)}))
