"""Smoke tests of ``benchmarks/``: every piece of the benchmark script runs on tiny sizes and reports sensibly.

Nothing here asserts a duration: timings depend on the machine. The tests
check the statistics against NumPy, the budget verdicts against hand-made
results, and that each measurement really exercises what it claims to (the two
MLP steps agree with each other, a slider move redraws the figure, a failing
notebook or test command is reported as a failure).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import ipywidgets as widgets
import nbformat
import numpy as np
import pytest

from benchmarks import run, widget_latency
from benchmarks.mlp_step import (THREAD_VARIABLES, Config, check_agreement, make_batch, measure, numpy_step,
                                 thread_environment, torch_step)
from benchmarks.timing import Stats, interleaved, percentile, repeat

ROOT = Path(__file__).resolve().parent.parent


# --- statistics -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 7, 50])
@pytest.mark.parametrize("q", [0, 50, 95, 100])
def test_percentile_matches_numpy(n: int, q: float) -> None:
    samples = np.random.default_rng(n).exponential(size=n).tolist()
    assert percentile(samples, q) == pytest.approx(np.percentile(samples, q))


def test_stats_summary_matches_numpy() -> None:
    samples = tuple(np.random.default_rng(1).random(51).tolist())
    stats = Stats(samples)
    summary = stats.to_dict()
    assert summary == pytest.approx({"n": 51, "min": np.min(samples), "median": np.median(samples),
                                     "p95": np.percentile(samples, 95)})


def test_percentile_and_stats_reject_no_samples() -> None:
    with pytest.raises(ValueError, match="samples is empty"):
        percentile([], 50)
    with pytest.raises(ValueError, match="at least one sample"):
        Stats(())


def test_percentile_rejects_q_outside_0_100() -> None:
    with pytest.raises(ValueError, match="q must be between 0 and 100"):
        percentile([1.0], 101)


def test_repeat_and_interleaved_call_each_function_after_warmups() -> None:
    calls = {"a": 0, "b": 0}

    def bump(name: str) -> None:
        calls[name] += 1

    stats = repeat(lambda: bump("a"), repeats=4, warmup=2)
    assert calls["a"] == 6 and len(stats.samples) == 4 and stats.min >= 0
    calls["a"] = 0
    a, b = interleaved([lambda: bump("a"), lambda: bump("b")], repeats=3, warmup=1, target_s=0.0)
    assert len(a.samples) == len(b.samples) == 3
    # warm-up, one call to judge the batch size, then 3 repeats of one call each (target 0 s)
    assert calls == {"a": 5, "b": 5}
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        repeat(lambda: None, repeats=0)


# --- MLP step ------------------------------------------------------------------------------------------

TINY = Config(n_in=3, n_out=4, batch=5, n_hidden=6)


def test_thread_environment_sets_every_variable() -> None:
    env = thread_environment(3, base={"PATH": "/bin"})
    assert env == {"PATH": "/bin", **{name: "3" for name in THREAD_VARIABLES}}
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        thread_environment(0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpy_and_torch_steps_take_the_same_step(dtype: str) -> None:
    config = Config(3, 4, 5, 6, dtype=dtype)
    X, y, params = make_batch(config)
    assert X.dtype == params["W1"].dtype == np.dtype(dtype)
    np_step, pt_step = numpy_step(X, y, params, "tanh", 0.5), torch_step(X, y, params, "tanh", 0.5)
    losses = [(np_step(), pt_step()) for _ in range(20)]
    np.testing.assert_allclose(*zip(*losses), rtol=1e-4 if dtype == "float32" else 1e-10)
    assert losses[-1][0] < losses[0][0]  # the steps train: the batch loss falls
    assert check_agreement(config) < 1e-4


def test_measure_reports_both_backends() -> None:
    result = measure(TINY, repeats=3, warmup=1)
    for side in ("numpy", "torch"):
        assert result[side]["n"] == 3 and 0 < result[side]["min"] <= result[side]["median"]
    assert (result["batch"], result["n_hidden"], result["dtype"]) == (5, 6, "float32")


def test_mlp_worker_runs_with_fixed_threads_and_prints_json() -> None:
    args = ["--repeats", "2", "--shapes", "2x2", "--batches", "4", "--hidden", "3", "--threads", "1"]
    out = run.run_worker("benchmarks.mlp_step", args, threads=1)
    assert out["threads"] == out["torch_threads"] == 1
    assert out["env"] == {name: "1" for name in THREAD_VARIABLES}
    assert [(r["n_in"], r["batch"], r["n_hidden"]) for r in out["results"]] == [(2, 4, 3)]


# --- widgets -------------------------------------------------------------------------------------------

def test_every_explorer_class_is_found() -> None:
    defined = set()
    for path in (ROOT / "dlbook" / "widgets").glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", None) == "Explorer" for b in node.bases):
                defined.add(node.name)
    assert {cls.__name__ for cls in widget_latency.explorer_classes()} == defined


@pytest.mark.parametrize("control", [
    widgets.FloatSlider(value=0.0, min=-1.0, max=1.0, step=0.5),
    widgets.IntSlider(value=3, min=1, max=32),
    widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.5),
    widgets.SelectionSlider(options=(1, 8, 32, 200), value=32),
])
def test_slider_values_are_distinct_neighbours_within_range(control: widgets.ValueWidget) -> None:
    values = widget_latency.slider_values(control, 60)
    assert len(values) == 60 and values[0] != control.value
    assert all(a != b for a, b in zip(values, values[1:]))
    if isinstance(control, widgets.SelectionSlider):
        assert set(values) <= set(control.options)
    else:
        low, high = (control.base ** control.min, control.base ** control.max) \
            if isinstance(control, widgets.FloatLogSlider) else (control.min, control.max)
        assert all(low - 1e-9 <= v <= high + 1e-9 for v in values)
        control.value = values[-1]  # every value is one the slider accepts unchanged
        assert control.value == pytest.approx(values[-1])


def test_slider_latency_times_every_move_and_requires_a_redraw() -> None:
    from dlbook.widgets.activations import ActivationExplorer

    explorer = ActivationExplorer()
    before = explorer.controls["w"].value
    stats = widget_latency.slider_latency(explorer, "w", updates=3, warmup=1)
    assert len(stats.samples) == 3 and stats.min > 0
    assert explorer.controls["w"].value == before  # put back afterwards
    deaf = widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.5)
    explorer.controls["deaf"] = deaf  # a slider nobody observes: moving it redraws nothing
    with pytest.raises(RuntimeError, match="redrew only 0 times"):
        widget_latency.slider_latency(explorer, "deaf", updates=2, warmup=0)


def test_build_supplies_data_and_names_unknown_arguments() -> None:
    from dlbook.widgets.perceptron import PerceptronExplorer

    assert isinstance(widget_latency.build(PerceptronExplorer), PerceptronExplorer)

    class NeedsSomething:
        def __init__(self, something: int) -> None: ...

    with pytest.raises(TypeError, match="cannot supply: something"):
        widget_latency.build(NeedsSomething)


def test_training_latency_times_runs_and_redraws() -> None:
    from dlbook.widgets.playground import TrainingPlayground

    playground = TrainingPlayground(resolution=10)
    playground.controls["epochs"].value = playground.controls["epochs"].min
    runs, redraws = widget_latency.training_latency(playground, runs=1)
    assert len(runs.samples) == 1 and len(redraws.samples) >= 2
    assert max(redraws.samples) < runs.min  # each redraw is a part of the run


# --- the script: tables, verdicts, subprocess sections ---------------------------------------------------

def fake_stats(value: float, n: int = 50) -> dict[str, float]:
    return {"n": n, "min": value, "median": value, "p95": value}


def test_widget_table_flags_a_slow_slider_even_when_the_pool_passes() -> None:
    fast, slow = fake_stats(0.010), fake_stats(0.045)
    table = run.widget_table([
        {"name": "Quick", "sliders": {"a": fast, "b": fast}, "updates": fake_stats(0.010, 100)},
        {"name": "Sluggish", "sliders": {"a": fast, "b": slow}, "updates": fake_stats(0.020, 100)},
        {"name": "Broken", "error": "ValueError: boom"},
    ])
    assert [row[-1] for row in table.rows] == ["PASS", "**FAIL**", "**ERROR**"]
    assert len(table.failures) == 2 and "slider b" in table.failures[0]


def test_mlp_table_checks_the_ratio_only_where_budgeted() -> None:
    def result(batch: int, hidden: int, numpy_s: float) -> dict:
        return {"n_in": 2, "n_out": 2, "batch": batch, "n_hidden": hidden, "dtype": "float32",
                "numpy": fake_stats(numpy_s), "torch": fake_stats(1.0)}

    table = run.mlp_table([{"threads": 1, "results": [result(64, 64, 0.9), result(64, 64, 1.1),
                                                      result(1024, 512, 1.4), result(1024, 512, 1.6),
                                                      result(16, 64, 9.0)]}])
    assert [row[-1] for row in table.rows] == ["PASS", "**FAIL**", "PASS", "**FAIL**", ""]
    assert len(table.failures) == 2
    assert "| 2 → 2 | 64 | 64 | float32 | 1 |" in table.markdown()


def test_notebooks_section_times_good_ones_and_reports_failing_ones(tmp_path: Path) -> None:
    cell = nbformat.v4.new_code_cell
    nbformat.write(nbformat.v4.new_notebook(cells=[cell("x = 1 + 1")]), tmp_path / "a_good.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell("raise ValueError('broken page')")]), tmp_path / "b_bad.ipynb")
    table = run.bench_notebooks(repeats=1, chapters=tmp_path)
    assert [row[0] for row in table.rows] == ["a_good.ipynb", "b_bad.ipynb"]
    assert table.rows[0][-1] == "PASS" and table.rows[1][-1] == "**ERROR**"
    assert len(table.failures) == 1 and table.failures[0].startswith("b_bad.ipynb raised:")
    assert "broken page" in table.failures[0]


def test_test_suite_section_reports_a_failing_command() -> None:
    script = "import sys; print('FAILED tests/test_x.py::test_y - boom'); print('1 failed, 2 passed'); sys.exit(1)"
    table = run.bench_test_suite([sys.executable, "-c", script])
    assert table.rows[0][2] == "1 failed, 2 passed" and table.rows[0][-1].startswith("**FAIL**")
    assert "status 1" in table.failures[0] and "FAILED tests/test_x.py::test_y - boom" in table.failures[0]
    passing = run.bench_test_suite([sys.executable, "-c", "print('3 passed')"])
    assert passing.rows[0][-1] == "PASS" and not passing.failures


def test_main_writes_the_tables_and_returns_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "latest.md"
    skip_all = ["--skip-notebooks", "--skip-widgets", "--skip-mlp", "--skip-build"]
    assert run.main([*skip_all, "--skip-tests", "--output", str(out)]) == 0
    assert "All budgets met." in out.read_text()
    failing = f"{sys.executable} -c raise(SystemExit(2))"
    assert run.main([*skip_all, "--test-command", failing, "--output", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "1 budget(s) missed or failed" in printed and "### Test suite" in out.read_text()


def test_seconds_formats_each_range() -> None:
    assert [run.seconds(s) for s in (123.4, 4.567, 0.0456, 0.00123)] == ["123.4 s", "4.57 s", "45.6 ms", "1.23 ms"]


def test_widget_worker_measures_only_the_named_explorer() -> None:
    out = run.run_worker("benchmarks.widget_latency", ["--only", "ActivationExplorer", "--updates", "2"], threads=1)
    assert [entry["name"] for entry in out] == ["ActivationExplorer"]
    from dlbook.widgets.activations import ActivationExplorer

    names = set(widget_latency.sliders(ActivationExplorer()))
    assert set(out[0]["sliders"]) == names and out[0]["updates"]["n"] == 2 * len(names)
