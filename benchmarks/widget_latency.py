"""Update latency of every explorer in ``dlbook/widgets/``: from a control's new value to the new PNG.

An explorer (:class:`dlbook.widgets.view.Explorer`) observes its controls: setting
``control.value`` runs :meth:`~dlbook.widgets.view.Explorer.refresh`
synchronously, which recomputes, redraws on the Agg canvas and encodes the PNG
that the kernel sends to the page. Timing the assignment therefore times the
whole update except the trip to the browser.

Explorers are found by importing every module of :mod:`dlbook.widgets`. Each
slider of each explorer is moved through distinct values (going back and forth
when it has fewer than needed), after a few warm-up moves. Explorers with a
``train`` method (the training playground) are also trained with their default
settings: the run's duration is timed, and so is every redraw during training
(each call of the training callback that changes the picture).

Run as ``python -m benchmarks.widget_latency`` it prints the results as JSON.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import pkgutil
import traceback
from contextlib import ExitStack
from typing import Any, Callable, Iterator, Sequence
from unittest import mock

from benchmarks.timing import Stats, time_call

UPDATES_PER_SLIDER = 50
WARMUP_UPDATES = 5
TRAIN_RUNS = 3


def explorer_classes() -> list[type]:
    """Every subclass of ``Explorer`` defined in a module of :mod:`dlbook.widgets`, in module order."""
    import dlbook.widgets
    from dlbook.widgets.view import Explorer

    found: list[type] = []
    for info in sorted(pkgutil.iter_modules(dlbook.widgets.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"dlbook.widgets.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Explorer) and cls is not Explorer and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def build(cls: type) -> Any:
    """An instance of the explorer ``cls`` with its default settings.

    Required arguments ``X`` and ``y`` (a labelled 2-D data set, as the
    perceptron explorer takes) get :func:`dlbook.data.make_blobs` with seed 0,
    the data of the perceptron chapter; any other required argument raises
    ``TypeError`` naming it.
    """
    required = [p.name for p in inspect.signature(cls).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = sorted(set(required) - {"X", "y"})
    if unknown:
        raise TypeError(f"{cls.__name__} needs arguments the benchmark cannot supply: {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    if required:
        from dlbook.data import make_blobs

        X, y = make_blobs(n=200, seed=0)
        kwargs = {name: {"X": X, "y": y}[name] for name in required}
    return cls(**kwargs)


def slider_values(control: Any, count: int) -> list[Any]:
    """``count`` values for the slider ``control``, each different from the one before and from its current value.

    The slider's positions (every ``step`` from ``min`` to ``max``, or the
    options of a selection slider) are thinned to at most ``count`` evenly
    spread ones and then walked back and forth.
    """
    import ipywidgets as widgets

    if isinstance(control, widgets.SelectionSlider):
        positions = list(control.options)
    elif isinstance(control, widgets.FloatLogSlider):
        n = int(round((control.max - control.min) / control.step)) + 1
        positions = [control.base ** (control.min + i * control.step) for i in range(n)]
    else:
        n = int(round((control.max - control.min) / control.step)) + 1
        positions = [control.min + i * control.step for i in range(n)]
        if isinstance(control, widgets.IntSlider):
            positions = [int(p) for p in positions]
    if len(positions) < 2:
        raise ValueError(f"slider {control.description!r} has fewer than two positions to move between")
    kept = max(count, 2)
    if len(positions) > kept:
        positions = [positions[round(i * (len(positions) - 1) / (kept - 1))] for i in range(kept)]
    walk = positions + positions[-2:0:-1]  # there and back again: neighbours always differ
    start = next(i for i, p in enumerate(walk) if p != control.value)
    return [walk[(start + i) % len(walk)] for i in range(count)]


def sliders(explorer: Any) -> dict[str, Any]:
    """The explorer's slider controls by name (drop-downs and other controls are left out)."""
    import ipywidgets as widgets

    kinds = (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider, widgets.SelectionSlider)
    return {name: c for name, c in explorer.controls.items() if isinstance(c, kinds)}


def count_renders(explorer: Any) -> tuple[Any, list[int]]:
    """A patch that counts the calls of ``explorer.render`` (each one draws and encodes a new PNG), and the counter."""
    counter = [0]
    render = explorer.render

    def counted() -> bytes:
        counter[0] += 1
        return render()

    return mock.patch.object(explorer, "render", counted), counter


def slider_latency(explorer: Any, name: str, updates: int, warmup: int) -> Stats:
    """Seconds from ``control.value = new`` to the refreshed PNG, for ``updates`` moves of slider ``name``."""
    control = explorer.controls[name]
    start_value = control.value
    values = slider_values(control, updates + warmup)
    patch, renders = count_renders(explorer)
    with patch:
        for value in values[:warmup]:
            control.value = value
        samples = [time_call(lambda: setattr(control, "value", value)) for value in values[warmup:]]
        control.value = start_value
    if renders[0] < len(values):
        raise RuntimeError(f"moving slider {name!r} {len(values)} times redrew only {renders[0]} times")
    return Stats(tuple(samples))


def _wrap_callbacks(module: Any, timed: Callable[[Callable[..., None]], Callable[..., None]]) -> Iterator[Any]:
    """Patch every function of ``module`` that takes a ``callback`` argument so that its callback is ``timed``."""
    for name, fn in vars(module).items():
        if inspect.isfunction(fn) and "callback" in inspect.signature(fn).parameters:
            signature = inspect.signature(fn)

            def patched(*args: Any, _fn: Callable[..., Any] = fn, _sig: inspect.Signature = signature,
                        **kwargs: Any) -> Any:
                bound = _sig.bind(*args, **kwargs)
                if bound.arguments.get("callback") is not None:
                    bound.arguments["callback"] = timed(bound.arguments["callback"])
                return _fn(*bound.args, **bound.kwargs)

            yield mock.patch.object(module, name, patched)


def training_latency(explorer: Any, runs: int) -> tuple[Stats, Stats]:
    """Train ``runs`` times from the untrained network with default settings; return (run durations, redraws).

    After one untimed warm-up run, each run starts from the untrained network
    (:meth:`refresh`). A redraw is a call of the training callback that renders
    the picture; its duration covers the computing, the drawing and the PNG
    encoding of that progress update.
    """
    import sys

    redraws: list[float] = []
    patch, renders = count_renders(explorer)

    def timed(callback: Callable[..., None]) -> Callable[..., None]:
        def wrapper(*args: Any, **kwargs: Any) -> None:
            before = renders[0]
            seconds = time_call(lambda: callback(*args, **kwargs))
            if renders[0] != before:
                redraws.append(seconds)

        return wrapper

    module = sys.modules[type(explorer).__module__]
    durations = []
    with ExitStack() as stack:
        stack.enter_context(patch)
        for callback_patch in _wrap_callbacks(module, timed):
            stack.enter_context(callback_patch)
        explorer.train()  # warm-up run
        redraws.clear()
        for _ in range(runs):
            explorer.refresh()  # back to the untrained network for the current settings
            durations.append(time_call(explorer.train))
    if not redraws:
        raise RuntimeError(f"{type(explorer).__name__}.train() redrew nothing through a training callback")
    return Stats(tuple(durations)), Stats(tuple(redraws))


def measure_all(updates: int = UPDATES_PER_SLIDER, warmup: int = WARMUP_UPDATES,
                train_runs: int = TRAIN_RUNS, only: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Latency of every explorer (or of those named in ``only``) as a list of JSON-ready dicts.

    Each dict has the explorer's ``name``, ``sliders`` (per-slider stats),
    ``updates`` (all slider moves pooled) and, for trainable explorers,
    ``train_run`` and ``train_redraw``; an explorer that fails gets ``error``.
    """
    results = []
    for cls in explorer_classes():
        if only and cls.__name__ not in only:
            continue
        entry: dict[str, Any] = {"name": cls.__name__, "module": cls.__module__}
        try:
            explorer = build(cls)
            per_slider = {name: slider_latency(explorer, name, updates, warmup) for name in sliders(explorer)}
            if not per_slider:
                raise RuntimeError(f"{cls.__name__} has no slider to move")
            entry["sliders"] = {name: s.to_dict() for name, s in per_slider.items()}
            pooled = tuple(t for s in per_slider.values() for t in s.samples)
            entry["updates"] = Stats(pooled).to_dict()
            if callable(getattr(explorer, "train", None)):
                runs, redraws = training_latency(explorer, train_runs)
                entry["train_run"], entry["train_redraw"] = runs.to_dict(), redraws.to_dict()
        except Exception as error:  # reported in the table as a failure, with the reason
            entry["error"] = f"{type(error).__name__}: {error}"
            entry["traceback"] = traceback.format_exc()
        results.append(entry)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: measure every explorer on the Agg backend and print one JSON document."""
    parser = argparse.ArgumentParser(description="Update latency of the book's explorers (Agg, no browser).")
    parser.add_argument("--updates", type=int, default=UPDATES_PER_SLIDER, help="timed moves per slider")
    parser.add_argument("--train-runs", type=int, default=TRAIN_RUNS)
    parser.add_argument("--only", nargs="*", default=(), help="class names of the explorers to measure")
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    print(json.dumps(measure_all(args.updates, WARMUP_UPDATES, args.train_runs, args.only)))


if __name__ == "__main__":
    main()
