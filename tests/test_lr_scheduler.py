"""``dlbook.numpy.optim.lr_scheduler`` against ``torch.optim.lr_scheduler``: the same rate at every step.

Each schedule is attached to a NumPy optimiser and the same schedule to a
torch optimiser; both step in turn (optimiser, then schedule, as torch asks)
for three times the schedule's length, and the rates must agree to 1e-12
after construction and after every step, past ``T_max`` and ``total_iters``
too. Hyperparameters are drawn by hypothesis.
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
from dlbook.numpy.optim import lr_scheduler

NAMES = ["StepLR", "CosineAnnealingLR", "LinearLR"]


def pair(lr: float, optimizer: str = "SGD") -> tuple[optim.Optimizer, torch.optim.Optimizer]:
    """An optimiser of each kind with the rate ``lr`` over one parameter."""
    ours = getattr(optim, optimizer)({"w": np.zeros(2)}, lr=lr)
    theirs = getattr(torch.optim, optimizer)([torch.zeros(2, requires_grad=True)], lr=lr)
    return ours, theirs


def step_both(ours: optim.Optimizer, theirs: torch.optim.Optimizer) -> None:
    """One optimiser step each (torch warns if a schedule steps before its optimiser ever did)."""
    ours.step({"w": np.zeros(2)})
    theirs.param_groups[0]["params"][0].grad = torch.zeros(2)
    theirs.step()


def compare(name: str, options: dict[str, Any], lr: float, steps: int, optimizer: str = "SGD") -> list[float]:
    """Run the schedule ``name`` beside torch's; return our rates (after construction, then every step)."""
    ours, theirs = pair(lr, optimizer)
    schedule = getattr(lr_scheduler, name)(ours, **options)
    reference = getattr(torch.optim.lr_scheduler, name)(theirs, **options)
    rates = []
    for step in range(steps + 1):
        if step:
            step_both(ours, theirs)
            schedule.step()
            reference.step()
        where = f"{name} {options}, lr {lr}, after {step} steps"
        assert schedule.last_epoch == reference.last_epoch == step, where
        np.testing.assert_allclose(schedule.get_last_lr(), reference.get_last_lr(), rtol=1e-12, atol=1e-15,
                                   err_msg=where)
        assert ours.lr == schedule.get_last_lr()[0] and theirs.param_groups[0]["lr"] == reference.get_last_lr()[0]
        rates.append(ours.lr)
    assert schedule.base_lrs == reference.base_lrs == [lr]
    assert ours.param_groups[0]["initial_lr"] == theirs.param_groups[0]["initial_lr"] == lr
    return rates


lrs = st.sampled_from([1e-3, 0.1, 0.5, 1.0]) | st.floats(1e-5, 10.0)


@settings(max_examples=60, deadline=None)
@given(lr=lrs, step_size=st.integers(1, 12), gamma=st.sampled_from([0.1, 0.5, 1.0]) | st.floats(0.0, 2.0))
def test_step_lr_is_torchs(lr: float, step_size: int, gamma: float) -> None:
    compare("StepLR", {"step_size": step_size, "gamma": gamma}, lr, 3 * step_size + 2)


@settings(max_examples=60, deadline=None)
@given(lr=lrs, T_max=st.integers(1, 40), fraction=st.sampled_from([0.0, 0.1]) | st.floats(0.0, 1.0))
def test_cosine_annealing_is_torchs_past_t_max(lr: float, T_max: int, fraction: float) -> None:
    """Torch's recursion, through the bottom at T_max and back up to the start at 2 T_max, and on."""
    rates = compare("CosineAnnealingLR", {"T_max": T_max, "eta_min": fraction * lr}, lr, 3 * T_max + 3)
    closed = fraction * lr + (lr - fraction * lr) * (1 + np.cos(np.pi * np.arange(len(rates)) / T_max)) / 2
    np.testing.assert_allclose(rates, closed, rtol=1e-9, atol=1e-12 * lr)  # the cosine it approximates


@settings(max_examples=60, deadline=None)
@given(lr=lrs, start_factor=st.sampled_from([1 / 3, 0.1, 1.0]) | st.floats(1e-3, 1.0),
       end_factor=st.sampled_from([1.0, 0.0, 0.5]) | st.floats(0.0, 1.0), total_iters=st.integers(0, 15))
def test_linear_lr_is_torchs(lr: float, start_factor: float, end_factor: float, total_iters: int) -> None:
    options = {"start_factor": start_factor, "end_factor": end_factor, "total_iters": total_iters}
    rates = compare("LinearLR", options, lr, 2 * total_iters + 3)
    if total_iters:
        ramp = lr * (start_factor + (end_factor - start_factor) * np.minimum(np.arange(len(rates)), total_iters)
                     / total_iters)
        np.testing.assert_allclose(rates, ramp, rtol=1e-9, atol=1e-12 * lr)


@pytest.mark.parametrize("optimizer", ["SGD", "RMSprop", "Adam", "AdamW"])
def test_schedules_drive_every_optimizer(optimizer: str) -> None:
    compare("CosineAnnealingLR", {"T_max": 10, "eta_min": 1e-4}, 0.05, 25, optimizer)


def test_linear_lr_multiplies_the_rate_at_construction() -> None:
    optimizer = optim.SGD({"w": np.zeros(1)}, lr=0.3)
    schedule = lr_scheduler.LinearLR(optimizer)
    assert optimizer.lr == schedule.get_last_lr()[0] == 0.3 / 3 and optimizer.initial_lr == 0.3
    for _ in range(5):
        schedule.step()
    assert optimizer.lr == pytest.approx(0.3, rel=1e-15)


def test_the_defaults_are_torchs() -> None:
    assert compare("LinearLR", {}, 0.3, 8)[:6] == pytest.approx([0.1, 0.14, 0.18, 0.22, 0.26, 0.3])
    assert compare("StepLR", {"step_size": 2}, 1.0, 5) == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])
    assert compare("CosineAnnealingLR", {"T_max": 2}, 1.0, 4) == pytest.approx([1, 0.5, 0, 0.5, 1], abs=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_signature_is_torchs(name: str) -> None:
    ours = inspect.signature(getattr(lr_scheduler, name)).parameters
    theirs = inspect.signature(getattr(torch.optim.lr_scheduler, name)).parameters
    assert list(ours) == list(theirs)
    assert all(ours[key].default == theirs[key].default for key in ours)


def test_two_schedules_share_the_first_ones_initial_rate() -> None:
    """A second schedule starts from the rate the first found (torch's ``initial_lr``), not from the current one."""
    ours, theirs = pair(0.4)
    lr_scheduler.LinearLR(ours, start_factor=0.5)
    torch.optim.lr_scheduler.LinearLR(theirs, start_factor=0.5)
    second = lr_scheduler.CosineAnnealingLR(ours, T_max=4)
    reference = torch.optim.lr_scheduler.CosineAnnealingLR(theirs, T_max=4)
    assert second.base_lrs == reference.base_lrs == [0.4]
    for _ in range(6):
        step_both(ours, theirs)
        second.step()
        reference.step()
        assert second.get_last_lr() == pytest.approx(reference.get_last_lr(), rel=1e-12)


schedules = st.one_of(
    st.tuples(st.just("StepLR"), st.fixed_dictionaries({"step_size": st.integers(1, 6),
                                                         "gamma": st.floats(0.0, 1.5)})),
    st.tuples(st.just("CosineAnnealingLR"), st.fixed_dictionaries({"T_max": st.integers(1, 15),
                                                                    "eta_min": st.sampled_from([0.0, 1e-3, 0.5])})),
    st.tuples(st.just("LinearLR"), st.fixed_dictionaries({"start_factor": st.floats(1e-3, 1.0),
                                                          "end_factor": st.floats(0.0, 1.0),
                                                          "total_iters": st.integers(0, 12)})),
)


@settings(max_examples=40, deadline=None)
@given(optimizer=st.sampled_from(["SGD", "RMSprop", "Adam", "AdamW"]), lr=lrs,
       chain=st.lists(schedules, min_size=2, max_size=3), steps=st.integers(1, 60), reset=st.integers(0, 60),
       rate=st.floats(0.0, 1.0))
def test_chained_schedules_are_torchs(optimizer: str, lr: float, chain: list[tuple[str, dict[str, Any]]],
                                      steps: int, reset: int, rate: float) -> None:
    """Two or three schedules on one optimiser, each stepped after every optimiser step, as torch chains them
    (each multiplies the rate the others left); at step ``reset`` the rate is set by hand, which they follow."""
    ours, theirs = pair(lr, optimizer)
    both = [(getattr(lr_scheduler, name)(ours, **options), getattr(torch.optim.lr_scheduler, name)(theirs, **options))
            for name, options in chain]
    for step in range(steps):
        step_both(ours, theirs)
        if step == reset:
            ours.lr = theirs.param_groups[0]["lr"] = rate
        for schedule, reference in both:
            schedule.step()
            reference.step()
            assert schedule.last_epoch == reference.last_epoch == step + 1
            np.testing.assert_allclose(schedule.get_last_lr(), reference.get_last_lr(), rtol=1e-12, atol=0,
                                       err_msg=f"{chain}, step {step + 1}")


@pytest.mark.parametrize("name, options", [("StepLR", {"step_size": 3}), ("CosineAnnealingLR", {"T_max": 5}),
                                           ("LinearLR", {})])
def test_resuming_with_last_epoch_is_torchs(name: str, options: dict[str, Any]) -> None:
    ours, theirs = pair(0.2)
    getattr(lr_scheduler, name)(ours, **options)
    getattr(torch.optim.lr_scheduler, name)(theirs, **options)
    for _ in range(3):
        step_both(ours, theirs)
    resumed = getattr(lr_scheduler, name)(ours, **options, last_epoch=5)
    reference = getattr(torch.optim.lr_scheduler, name)(theirs, **options, last_epoch=5)
    for _ in range(8):
        assert resumed.last_epoch == reference.last_epoch
        assert resumed.get_last_lr() == pytest.approx(reference.get_last_lr(), rel=1e-12)
        step_both(ours, theirs)
        resumed.step()
        reference.step()
    fresh, _ = pair(0.2)
    with pytest.raises(KeyError, match="initial_lr"):
        getattr(lr_scheduler, name)(fresh, **options, last_epoch=5)


@pytest.mark.parametrize(("name", "options"), [
    ("LinearLR", {"start_factor": 0.0}), ("LinearLR", {"start_factor": 1.5}), ("LinearLR", {"end_factor": -0.1}),
    ("LinearLR", {"end_factor": 1.01}),
])
def test_bad_factors_raise_as_torch(name: str, options: dict[str, Any]) -> None:
    ours, theirs = pair(0.1)
    with pytest.raises(ValueError, match="multiplicative factor expected"):
        getattr(torch.optim.lr_scheduler, name)(theirs, **options)
    with pytest.raises(ValueError, match="multiplicative factor expected"):
        getattr(lr_scheduler, name)(ours, **options)


@pytest.mark.parametrize(("name", "options", "message"), [
    ("StepLR", {"step_size": 0}, "step_size must be an integer of at least 1, got 0"),
    ("StepLR", {"step_size": 2.5}, "step_size must be an integer"),
    ("CosineAnnealingLR", {"T_max": 0}, "T_max must be an integer of at least 1, got 0"),
    ("LinearLR", {"total_iters": -1}, "total_iters must be an integer of at least 0"),
])
def test_lengths_that_torch_cannot_step_through_are_refused(name: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        getattr(lr_scheduler, name)(pair(0.1)[0], **options)


def test_a_schedule_needs_an_optimizer() -> None:
    with pytest.raises(TypeError, match="dict is not an Optimizer"):
        lr_scheduler.StepLR({"w": np.zeros(1)}, step_size=1)
