"""Smoke tests of ``benchmarks/``: every piece of the benchmark script runs on tiny sizes and reports sensibly.

Nothing here asserts a duration of the book: timings depend on the machine. The
tests check the statistics against NumPy, the budget verdicts against hand-made
results, and that each measurement really exercises what it claims to (the two
MLP steps agree with each other; in Chromium, on a toy page that stands in for
the built site, a move is timed through its handler to the paint and one that
repaints nothing is counted, a run's frames are counted, the port trains as
``dlbook`` does; a failing notebook or test command is reported as a failure).
"""

from __future__ import annotations

import gzip
import statistics
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from benchmarks import cnn_step, explorer_latency, lighthouse, run
from benchmarks.mlp_step import (THREAD_VARIABLES, Config, check_agreement, make_batch, measure, numpy_step,
                                 thread_environment, torch_step)
from benchmarks.timing import Stats, interleaved, percentile, repeat, run_timed
from dlbook.widgets.playground import TrainingPlayground
from tests.conftest import CHROMIUM, NO_CHROMIUM
from tests.explorer_driver import makes_an_explorer

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


def test_run_timed_counts_the_cpu_of_the_processes_a_command_starts(tmp_path: Path) -> None:
    """A command whose child computes for a while: its CPU is counted, its output and status returned."""
    child = "import time; end = time.process_time() + 0.8\nwhile time.process_time() < end: pass"
    command = [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}]); "
                                     "print('done'); sys.exit(3)"]
    elapsed, cpu, status, output = run_timed(command, str(tmp_path))
    assert status == 3 and output.strip() == "done"
    assert 0.8 <= cpu <= elapsed * 2 + 0.1  # all of the child's work, on two cores at most


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


# --- CNN step ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpy_and_torch_cnn_steps_take_the_same_step(dtype: str) -> None:
    config = cnn_step.Config(batch=6, dtype=dtype)
    X, y, params = cnn_step.make_batch(config)
    assert X.dtype == params["K1"].dtype == np.dtype(dtype) and X.shape == (6, 64)
    np_step = cnn_step.numpy_step(X, y, params, 0.1)
    pt_step = cnn_step.torch_step(X, y, params, 0.1)
    losses = [(np_step(), pt_step()) for _ in range(10)]
    np.testing.assert_allclose(*zip(*losses), rtol=1e-4 if dtype == "float32" else 1e-10)
    assert losses[-1][0] < losses[0][0]  # the steps train: the batch loss falls
    assert cnn_step.check_agreement(config) < 1e-4


def test_cnn_worker_measures_both_backends_and_prints_json() -> None:
    out = run.run_worker("benchmarks.cnn_step", ["--repeats", "2", "--batches", "4", "--threads", "1"], threads=1)
    assert out["threads"] == out["torch_threads"] == 1
    (result,) = out["results"]
    assert (result["batch"], result["dtype"], result["channels"], result["side"]) == (4, "float32", [16, 32], 8)
    for side in ("numpy", "torch"):
        assert result[side]["n"] == 2 and 0 < result[side]["min"] <= result[side]["median"]


def test_cnn_table_checks_the_ratio_at_the_budgeted_batches() -> None:
    def result(batch: int, numpy_s: float) -> dict:
        return {"batch": batch, "dtype": "float32", "channels": [16, 32], "side": 8,
                "numpy": fake_stats(numpy_s), "torch": fake_stats(1.0)}

    table = run.cnn_table([{"threads": 1, "results": [result(64, 2.9), result(64, 3.1), result(256, 1.0),
                                                      result(16, 9.0)]}])
    assert [row[-1] for row in table.rows] == ["PASS", "**FAIL**", "PASS", ""]
    assert len(table.failures) == 1 and "batch 64" in table.failures[0]
    assert "| 8 × 8 → 16, 32 channels → 10 | 64 | float32 | 1 |" in table.markdown()


# --- explorers in the browser: what to move, what the timestamps say ------------------------------------

@pytest.mark.parametrize(("low", "high", "step", "current"), [
    (-3.0, 3.0, 0.1, 0.5),  # a weight slider
    (1.0, 32.0, 1.0, 32.0),  # at the top end: the walk starts downwards
    (-2.0, 0.0, 0.05, -2.0),
    (0.0, 1.0, 1.0, 0.0),  # two positions: back and forth
])
def test_range_positions_walk_one_step_at_a_time_within_the_range(low: float, high: float, step: float,
                                                                   current: float) -> None:
    positions = explorer_latency.range_positions(low, high, step, current, 130)
    values = [float(p) for p in positions]
    assert len(values) == 130 and values[0] != current
    assert all(low - 1e-9 <= v <= high + 1e-9 for v in values)
    assert all(abs(b - a) == pytest.approx(step) for a, b in zip([current, *values], values))
    assert all(p == f"{float(p):.10g}" and len(p) <= 6 for p in positions)  # as the browser writes them
    assert {min(values), max(values)} == {low, high}  # long enough walks reach both ends


def test_range_positions_stay_on_the_grid_when_the_step_does_not_divide_the_range() -> None:
    assert explorer_latency.range_positions(0.0, 1.0, 0.3, 0.0, 4) == ["0.3", "0.6", "0.9", "0.6"]


def test_range_and_menu_positions_reject_what_cannot_move() -> None:
    with pytest.raises(ValueError, match="min < max and step > 0"):
        explorer_latency.range_positions(1.0, 1.0, 0.1, 1.0, 5)
    with pytest.raises(ValueError, match="count must be >= 1"):
        explorer_latency.range_positions(0.0, 1.0, 0.1, 0.0, 0)
    with pytest.raises(ValueError, match="at least 2 options"):
        explorer_latency.menu_positions(1, 0, 5)


def test_menu_positions_pick_the_next_option_each_time() -> None:
    assert explorer_latency.menu_positions(3, 1, 5) == ["2", "0", "1", "2", "0"]


def test_frame_summary_counts_frames_once_and_finds_the_longest() -> None:
    # click at 0 ms; frames at 10, 26, 42 and (after a stall) 142 ms; 10 is seen by two callbacks
    summary = explorer_latency.frame_summary(0.0, [10.0, 10.0, 26.0, 42.0, 142.0], 150.0)
    assert summary["frames"] == 4
    assert summary["wall_s"] == pytest.approx(0.150)
    assert summary["mean_fps"] == pytest.approx(4 / 0.150)
    assert summary["longest_frame_s"] == pytest.approx(0.100)
    last_is_longest = explorer_latency.frame_summary(0.0, [5.0, 21.0], 60.0)
    assert last_is_longest["longest_frame_s"] == pytest.approx(0.039)  # from the last frame to its paint
    with pytest.raises(ValueError, match="no frame was drawn"):
        explorer_latency.frame_summary(0.0, [], 10.0)
    early = explorer_latency.frame_summary(12.0, [10.0, 26.0], 30.0)  # the first frame began before the click
    assert early["frames"] == 2 and early["wall_s"] == pytest.approx(0.018)
    with pytest.raises(ValueError, match="out of order"):
        explorer_latency.frame_summary(0.0, [10.0, 40.0], 30.0)  # a frame after the end
    with pytest.raises(ValueError, match="out of order"):
        explorer_latency.frame_summary(30.0, [10.0], 20.0)  # painted before the click


def test_frame_scripts_add_up_the_callbacks_of_each_frame() -> None:
    assert explorer_latency.frame_scripts([16.0, 16.0, 32.0], [2.0, 3.0, 4.0]) == pytest.approx([0.005, 0.004])


def test_explorer_pages_are_the_pages_with_a_widget_view(tmp_path: Path) -> None:
    view = f'<script type="{explorer_latency.WIDGET_VIEW}">{{}}</script>'
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "chapters" / "b.html").write_text(view)
    (tmp_path / "chapters" / "a.html").write_text("<p>no widget</p>")
    (tmp_path / "_static" / "c.html").write_text(view)
    (tmp_path / "index.html").write_text(view)
    assert explorer_latency.explorer_pages(tmp_path) == ["chapters/b.html", "index.html"]


#: An explorer as the book's look on the page: a slider that updates the figure, a slow one (20 ms of
#: script), one that nobody listens to, one whose cost is the browser's layout after its handler, a menu
#: that paints the canvas, and a Train button animating 10 frames; plus an image from outside the site,
#: which must be blocked.
TOY_PAGE = f"""<!doctype html><html><body>
<div class="dlbook-widget" data-ready="true"><div class="dlbook-explorer" id="toy-explorer">
  <div class="dlbook-controls">
    <div class="dlbook-control dlbook-control-slider"><input type="range" name="fast" min="-1" max="1" step="0.5"
      value="0"></div>
    <div class="dlbook-control dlbook-control-slider"><input type="range" name="slow" min="0" max="10" step="1"
      value="10"></div>
    <div class="dlbook-control dlbook-control-slider"><input type="range" name="deaf" min="0" max="1" step="0.5"
      value="0"></div>
    <div class="dlbook-control dlbook-control-slider"><input type="range" name="layout" min="10" max="20" step="1"
      value="10"></div>
    <div class="dlbook-control dlbook-control-menu"><select name="colour"><option>r</option><option>g</option>
      <option>b</option></select></div>
  </div>
  <button class="dlbook-train">Train</button><progress max="10" value="0"></progress>
  <p class="dlbook-readout"></p>
  <figure class="dlbook-figure"><svg width="200" height="40"><text id="label" y="20">0</text></svg>
    <canvas width="4" height="4"></canvas><div id="many"></div></figure>
</div></div>
<script type="{explorer_latency.WIDGET_VIEW}">{{}}</script>
<img src="http://outside.invalid/picture.png" alt="">
<script>
  const label = document.getElementById('label');
  const context = document.querySelector('canvas').getContext('2d');
  const busy = ms => {{ const end = performance.now() + ms; while (performance.now() < end); }};
  const many = document.getElementById('many');
  many.append(...Array.from({{length: 3000}}, (_, i) => Object.assign(document.createElement('p'),
                                                                    {{textContent: `line ${{i}} of many`}})));
  // one cheap style change in the handler; the frame then lays out 3000 paragraphs again
  document.querySelector('[name=layout]').addEventListener('input', event => {{
    many.style.fontSize = `${{event.target.value}}px`;
  }});
  for (const name of ['fast', 'slow']) {{
    document.querySelector(`[name=${{name}}]`).addEventListener('input', event => {{
      label.textContent = `${{name}} ${{event.target.value}}`;
      if (name === 'slow') busy(20);
    }});
  }}
  document.querySelector('select').addEventListener('change', event => {{
    context.fillStyle = ['red', 'green', 'blue'][event.target.selectedIndex];
    context.fillRect(0, 0, 4, 4);
  }});
  const button = document.querySelector('button'), progress = document.querySelector('progress');
  button.addEventListener('click', () => {{
    button.disabled = true;
    progress.value = 0;
    const frame = () => {{
      busy(2);
      progress.value += 1;
      label.textContent = `step ${{progress.value}}`;
      if (progress.value < 10) requestAnimationFrame(frame);
      else {{ button.disabled = false; document.querySelector('.dlbook-readout').textContent = 'accuracy 50.0%'; }}
    }};
    requestAnimationFrame(frame);
  }});
</script></body></html>"""


@pytest.fixture(scope="module")
def toy_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The toy page served as a site (with ``js/`` beside it), and Chromium; skipped where there is none."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text(TOY_PAGE)
    with explorer_latency.serve(site) as base, explorer_latency.chromium() as browser:
        yield base, browser


def test_in_the_browser_moves_are_timed_to_the_paint_and_unchanged_figures_counted(toy_site: tuple[str, Any]) -> None:
    base, browser = toy_site
    offline = explorer_latency.Offline(browser)
    try:
        page = offline.open(base + "index.html")
        [(key, explorer)] = explorer_latency.explorers(page)
        assert key == "toy"
        controls = {c["name"]: c for c in explorer.evaluate(explorer_latency.CONTROLS_JS)}
        assert {name: c["kind"] for name, c in controls.items()} == {
            "fast": "slider", "slow": "slider", "deaf": "slider", "layout": "slider", "colour": "menu"}
        fast, slow, deaf, layout, colour = (explorer_latency.move_control(explorer, controls[name], moves=4,
                                                                          warmup=1)
                                            for name in ("fast", "slow", "deaf", "layout", "colour"))
        page.wait_for_timeout(100)  # let the image's request reach the router
    finally:
        offline.close()
    for result in (fast, slow, deaf, layout, colour):
        assert len(result["paint"]) == len(result["script"]) == len(result["empty"]) == 4
        assert all(0 <= s <= p for s, p in zip(result["script"], result["paint"]))
    # The empty frame after each slow move runs no handler (which takes 20 ms): the median, since one frame
    # may stall on a loaded machine (seen in the whole suite: one empty frame of 40 ms).
    assert statistics.median(slow["empty"]) < 0.020 <= min(slow["paint"])
    assert fast["unchanged"] == slow["unchanged"] == layout["unchanged"] == colour["unchanged"] == 0
    assert deaf["unchanged"] == 4  # moving it repainted nothing: the benchmark says so
    assert min(slow["script"]) >= 0.020 and min(slow["paint"]) >= 0.020
    assert max(fast["script"]) < 0.020
    # the frame's layout after the handler is part of the time: far more than the handler itself
    assert min(layout["paint"]) > max(layout["script"]) + 0.001
    assert min(layout["paint"]) > statistics.median(fast["paint"])
    assert offline.blocked == ["http://outside.invalid/picture.png"]
    assert [error for error in offline.console_errors if "ERR_BLOCKED_BY_CLIENT" not in error] == []
    table = run.explorer_table({"explorers": [{"page": "index.html", "key": key,
                                               "controls": [fast, slow, colour]}]})
    # The sliders fail: the slow one takes 20 ms or more. The menu's verdict is its measured p95 against the
    # budget (on a busy machine even the toy's menu can take a frame or two).
    menu_fast = np.percentile(colour["paint"], 95) <= run.EXPLORER_P95_BUDGET_S
    assert [row[-1] for row in table.rows] == ["**FAIL**", "PASS" if menu_fast else "**FAIL**"]


#: An explorer with a drawing pad: a dot counts the pad's dots in the figure; Clear starts again.
PAD_PAGE = """<!doctype html><html><body><div class="dlbook-explorer">
  <div class="dlbook-controls"></div><button class="dlbook-clear">Clear</button>
  <div class="dlbook-pad" style="width: 200px; height: 200px"></div>
  <figure class="dlbook-figure"><svg width="200" height="40"><text id="dots" y="20">0</text></svg></figure>
</div><script>
  const dots = document.getElementById('dots'), seen = [];
  document.querySelector('.dlbook-pad').addEventListener('pointerdown', event => {
    seen.push(Math.round(event.offsetX / 10));
    dots.textContent = seen.join(' ');
  });
  document.querySelector('.dlbook-clear').addEventListener('click', () => { seen.length = 0; });
</script></body></html>"""


def test_in_the_browser_dots_on_a_pad_are_timed_like_moves(toy_site: tuple[str, Any], tmp_path: Path) -> None:
    _, browser = toy_site
    page = browser.new_page()
    try:
        page.set_content(PAD_PAGE)
        explorer = page.locator(".dlbook-explorer")
        result = explorer_latency.draw_on_pad(explorer, moves=40, warmup=2)
        shown = page.locator("#dots").text_content().split()
    finally:
        page.close()
    assert (result["name"], result["kind"], result["moves"], result["unchanged"]) == ("drawing pad", "pad", 40, 0)
    assert len(result["paint"]) == len(result["script"]) == len(result["empty"]) == 40
    assert all(0 <= s <= p for s, p in zip(result["script"], result["paint"]))
    # 42 dots, the pad cleared after the first 36: the last 6 are the grid's first 6, left to right in a row
    assert [int(x) for x in shown] == [round(200 * fx / 10) for fx, _ in explorer_latency.PAD_POINTS[:6]]


def test_in_the_browser_a_training_run_is_followed_frame_by_frame(toy_site: tuple[str, Any]) -> None:
    base, browser = toy_site
    offline = explorer_latency.Offline(browser)
    try:
        [(_, explorer)] = explorer_latency.explorers(offline.open(base + "index.html"))
        run_ = explorer_latency.train_run(explorer, timeout_s=10)
        again = explorer_latency.train_run(explorer, timeout_s=10)  # the page's own rAF is given back
    finally:
        offline.close()
    for result in (run_, again):
        assert result["frames"] == 10 and result["steps"] == result["total"] == 10
        assert len(result["frame_script_s"]) == 10 and min(result["frame_script_s"]) >= 0.002
        assert result["accuracy"] == 0.5
        assert result["mean_fps"] == pytest.approx(10 / result["wall_s"])
        assert result["longest_frame_s"] <= result["wall_s"]


def test_in_the_browser_the_port_trains_as_dlbook_does(toy_site: tuple[str, Any]) -> None:
    base, browser = toy_site
    playground = TrainingPlayground(epochs=10)
    state = {name: value for name, value in playground.get_state().items() if name not in ("_esm", "_css")}
    expected_accuracy = playground.train()
    page = browser.new_page()
    try:
        page.goto(base + "index.html")
        out = explorer_latency.training_compute(page, base + explorer_latency.JS_PREFIX.lstrip("/")
                                                + "compute/playground.js", state, runs=2)
    finally:
        page.close()
    assert out["steps"] == playground.total_steps() == 70
    assert out["accuracy"] == pytest.approx(expected_accuracy, abs=1e-12)
    assert len(out["times"]) == 2 and all(t > 0 for t in out["times"])
    assert explorer_latency.run_settings(state) == {"data": "moons", "noise": 0.0, "held_out": 0.0, "n_hidden": 16,
                                                    "activation": "tanh", "epochs": 10, "batch_size": 32, "lr": 0.5,
                                                    "weight_decay": 0.0}


# --- the script: tables, verdicts, subprocess sections ---------------------------------------------------

def fake_stats(value: float, n: int = 50) -> dict[str, float]:
    return {"n": n, "min": value, "median": value, "p95": value}


def explorer_result(key: str, controls: dict[str, tuple[str, float]], unchanged: int = 0) -> dict[str, Any]:
    """An explorer's results as the worker reports them: control -> (kind, every move's paint time)."""
    return {"page": f"chapters/{key}.html", "key": key,
            "controls": [{"name": name, "kind": kind, "moves": 50, "unchanged": unchanged,
                          "script": [t / 4] * 50, "paint": [t] * 50, "empty": [0.0005] * 50}
                         for name, (kind, t) in controls.items()]}


def test_explorer_table_flags_slow_controls_unchanged_figures_errors_and_the_network() -> None:
    results = {"chromium": "150", "moves": 50, "warmup": 5, "blocked": [], "console_errors": [], "explorers": [
        explorer_result("quick", {"a": ("slider", 0.004), "m": ("menu", 0.008)}),
        # 24 fast moves and one slow control: the pooled p95 of the sliders may pass, the control does not
        explorer_result("sluggish", {**{f"s{i}": ("slider", 0.002) for i in range(24)}, "t": ("slider", 0.020)}),
        explorer_result("still", {"a": ("slider", 0.001)}, unchanged=3),
        {"page": "chapters/broken.html", "key": "broken", "error": "TimeoutError: boom", "controls": []},
    ]}
    table = run.explorer_table(results)
    assert [row[-1] for row in table.rows] == ["PASS", "PASS", "**FAIL**", "**ERROR**", "**ERROR**"]
    assert [row[1].split(":")[0] for row in table.rows[:2]] == ["slider", "menu"]
    assert "t p95 20.0 ms" in table.failures[0]
    assert "a on 3 of 50" in table.failures[1] and "boom" in table.failures[2]
    assert table.rows[0][3:6] == ["1.00 ms", "4.00 ms", "4.00 ms"]  # script p50, p50, p95
    assert table.rows[0][7] == "0.50 ms / 0.50 ms"  # empty frames
    offline = run.explorer_table({**results, "explorers": results["explorers"][:1],
                                  "blocked": ["https://cdn.example/x.js"], "console_errors": ["uncaught: x"]})
    assert offline.rows[-1][-1] == "**ERROR**" and "1 request(s) left the site, 1 console error(s)" in \
        offline.failures[0]
    assert run.explorer_table({"explorers": []}).rows[0][-1] == "**ERROR**"
    details = run.control_table(results)
    assert len(details.rows) == 2 + 25 + 1 and details.rows[0][:3] == ["quick", "a", "slider"]


def playground_result(cold: float, fps: float, error: str | None = None) -> dict[str, Any]:
    settings = {"data": "moons", "n_hidden": 16, "activation": "tanh", "epochs": 100, "batch_size": 32, "lr": 0.5}
    if error:
        return {"page": "chapters/06_training.html", "settings": settings, "runs": [], "error": error}
    runs = [{"frames": 60, "wall_s": 60 / fps, "mean_fps": fps, "longest_frame_s": 0.03, "frame_script_s": [0.01] * 60,
             "accuracy": 0.975} for _ in range(3)]
    return {"page": "chapters/06_training.html", "settings": settings, "runs": runs,
            "compute": {"times": [cold, cold / 2, cold / 2], "steps": 700, "accuracy": 0.975}}


def test_playground_table_checks_the_compute_time_and_the_frame_rate() -> None:
    good = run.playground_table({"playground": [playground_result(0.2, 58.0)]})
    assert [row[-1] for row in good.rows] == ["PASS", "", "PASS"] and not good.failures
    assert "moons, 16 tanh units, 100 epochs, batch 32, lr 0.5" in good.rows[0][0]
    assert good.rows[2][2] == "58 fps" and "60 frames" in good.rows[2][3] and "in all 600.0 ms" in good.rows[2][3]
    bad = run.playground_table({"playground": [playground_result(1.2, 24.0), playground_result(0, 0, "no run")]})
    assert [row[-1] for row in bad.rows] == ["**FAIL**", "", "**FAIL**", "**ERROR**"]
    assert len(bad.failures) == 3 and "1.20 s" in bad.failures[0] and "24 fps" in bad.failures[1]
    assert run.playground_table({"playground": []}).rows[0][-1] == "**ERROR**"


def test_verdict_checks_either_direction() -> None:
    assert run.verdict(0.016, 0.016) == ("PASS", True) and run.verdict(0.017, 0.016)[1] is False
    assert run.verdict(30.0, 30.0, at_least=True) == ("PASS", True)
    assert run.verdict(29.9, 30.0, at_least=True) == ("**FAIL**", False)


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
    assert table.rows[0][5] == "1 failed, 2 passed" and table.rows[0][-1].startswith("**FAIL**")
    assert "status 1" in table.failures[0] and "FAILED tests/test_x.py::test_y - boom" in table.failures[0]
    passing = run.bench_test_suite([sys.executable, "-c", "print('3 passed')"])
    assert passing.rows[0][-1] == "PASS" and not passing.failures


#: A stand-in for the test command: it takes 0.2 s per chapter of ``_toc.yml`` and prints what it was given.
SUITE_BY_CHAPTERS = ("import sys, time, yaml; from tests.book import toc_files; "
                     "n = sum(name.startswith('chapters/') for name in toc_files(yaml.safe_load(open('_toc.yml')))); "
                     "time.sleep(0.2 * n); print(' '.join(sys.argv[1:])); print(f'{n} passed')")


def test_a_copy_of_the_book_is_what_a_fresh_clone_holds(tmp_path: Path) -> None:
    copy = run.copy_book(tmp_path / "book")
    assert (copy / "_toc.yml").is_file() and (copy / "dlbook" / "__init__.py").is_file()
    assert sorted(path.name for path in (copy / "chapters").glob("*.ipynb")) == sorted(
        path.name for path in (ROOT / "chapters").glob("*.ipynb"))
    left_out = [path for path in copy.rglob("*") if run.NOT_IN_A_CLONE & set(path.relative_to(copy).parts[:-1])
                or path.name in run.NOT_IN_A_CLONE - {"node_modules"}]
    assert left_out == [] and not (copy / "benchmarks" / "results").exists()
    if (ROOT / "node_modules").exists():
        assert (copy / "node_modules").is_symlink()


def test_an_author_edit_changes_one_cell_of_the_chosen_type(tmp_path: Path) -> None:
    chapter = tmp_path / "chapter.ipynb"
    cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_markdown_cell("Prose."),
             nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("y = 2")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), chapter)
    run.edit_chapter(chapter, "markdown")
    run.edit_chapter(chapter, "code")
    edited = nbformat.read(chapter, as_version=4)  # still a valid notebook
    assert [cell.source for cell in edited.cells] == ["# Title", "Prose. Edited.", "x = 1", "y = 2\n# edited"]


def test_builds_report_how_many_notebooks_they_executed() -> None:
    lines = ["reading sources... [100%] chapters/02_perceptron",
             "dlbook_execution: executed 1 of 2 notebook(s) read (chapters/02_perceptron); 1 from the cache"]
    assert run.executions(lines) == 1 and run.executions(["build succeeded."]) == 0


def test_the_suite_is_timed_with_every_chapter_and_with_fewer_to_give_the_cost_of_a_chapter(tmp_path: Path) -> None:
    book = run.copy_book(tmp_path / "book")
    chapters = sorted((book / "chapters").glob("*.ipynb"))  # every chapter in the book's table of contents
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n" + "".join(
        f"  - file: chapters/{path.stem}\n" for path in chapters), encoding="utf-8")
    with_explorer = [path for path in chapters if makes_an_explorer(path)]
    table = run.bench_test_suite([sys.executable, "-c", SUITE_BY_CHAPTERS], book, chapter_cost=True,
                                 chapters_planned=len(chapters) + 3)
    full, few, per_chapter, projected = table.rows
    kept = list(dict.fromkeys([chapters[0], with_explorer[0]]))
    assert run.toc_chapters(book) == kept, "the first chapter and the first with an explorer are kept"
    assert full[1] == str(len(chapters)) and full[5] == f"{len(chapters)} passed"
    assert few[1] == str(len(kept)) and few[5] == f"{len(kept)} passed"
    cost = float(per_chapter[2].removesuffix(" ms")) / 1000 if per_chapter[2].endswith("ms") else float(
        per_chapter[2].split()[0])
    assert 0.1 < cost < 0.4, f"0.2 s per chapter, measured {per_chapter[2]}"
    assert projected[1] == str(len(chapters) + 3) and not table.failures


def test_main_writes_the_tables_and_returns_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "latest.md"
    skip_all = ["--skip-notebooks", "--skip-explorers", "--skip-lighthouse", "--skip-mlp", "--skip-cnn", "--skip-build"]
    assert run.main([*skip_all, "--skip-tests", "--output", str(out)]) == 0
    assert "All budgets met." in out.read_text()
    failing = f"{sys.executable} -c raise(SystemExit(2))"
    assert run.main([*skip_all, "--test-command", failing, "--output", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "1 budget(s) missed or failed" in printed and "### Test suite" in out.read_text()


def test_seconds_formats_each_range() -> None:
    assert [run.seconds(s) for s in (123.4, 4.567, 0.0456, 0.00123)] == ["123.4 s", "4.57 s", "45.6 ms", "1.23 ms"]


def test_main_reports_a_missing_site_as_an_error(tmp_path: Path) -> None:
    out = tmp_path / "latest.md"
    skip = ["--skip-notebooks", "--skip-mlp", "--skip-cnn", "--skip-build", "--skip-tests"]
    assert run.main([*skip, "--site", str(tmp_path / "nowhere"), "--output", str(out)]) == 1
    assert "no built site at" in out.read_text() and "**ERROR**" in out.read_text()


# --- Lighthouse: the server, the pages, the report, the table ------------------------------------------

def fetch(url: str, gzipped: bool) -> tuple[Any, bytes]:
    """The headers and body of a GET of ``url``, accepting gzip or not."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzipped else {})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (a localhost URL)
        return response.headers, response.read()


def test_the_lighthouse_server_gzips_text_as_github_pages_does(tmp_path: Path) -> None:
    page = ("<p>" + "the same words again " * 200 + "</p>").encode()
    (tmp_path / "index.html").write_bytes(page)
    (tmp_path / "picture.png").write_bytes(b"\x89PNG not really " * 50)
    with explorer_latency.serve(tmp_path, lighthouse.GzipHandler) as base:
        headers, body = fetch(base + "index.html", gzipped=True)
        assert headers["Content-Encoding"] == "gzip" and headers["Cache-Control"] == "max-age=600"
        assert gzip.decompress(body) == page and len(body) < len(page) / 10
        headers, body = fetch(base + "index.html", gzipped=False)
        assert headers["Content-Encoding"] is None and body == page
        headers, body = fetch(base + "picture.png", gzipped=True)  # images are sent as they are
        assert headers["Content-Encoding"] is None and body == (tmp_path / "picture.png").read_bytes()
        assert headers["Cache-Control"] == "max-age=600"
        with pytest.raises(urllib.error.HTTPError, match="404"):
            fetch(base + "missing.html", gzipped=True)


def test_lighthouse_tests_every_page_but_assets_and_redirects(tmp_path: Path) -> None:
    for name, text in {"index.html": '<meta http-equiv="Refresh" content="0; url=intro.html" />',
                       "intro.html": "<p>front</p>", "chapters/a.html": "<p>a</p>",
                       "_static/b.html": "<p>b</p>", "_sources/c.html": "<p>c</p>"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert lighthouse.site_pages(tmp_path) == ["chapters/a.html", "intro.html"]


def lighthouse_report(performance: float, lcp_ms: float, failed: str = "") -> dict[str, Any]:
    """A Lighthouse JSON report in miniature: four categories, the metrics, and one audit that may fail."""
    metrics = {"first-contentful-paint": 900.0, "largest-contentful-paint": lcp_ms, "total-blocking-time": 30.0,
               "cumulative-layout-shift": 0.02, "speed-index": 1100.0, "total-byte-weight": 204800.0,
               "dom-size": 1500.0}
    audits = {name: {"numericValue": value, "score": 1, "scoreDisplayMode": "numeric"} for name, value in metrics.items()}
    audits["meta-description"] = {"score": 0 if failed == "meta-description" else 1, "scoreDisplayMode": "binary"}
    audits["diagnostics"] = {"score": None, "scoreDisplayMode": "informative"}
    audits["render-blocking-resources"] = {"score": None, "scoreDisplayMode": "error"}
    refs = [{"id": name} for name in audits]
    categories = {name: {"score": performance if name == "performance" else 1.0, "auditRefs": refs}
                  for name in lighthouse.CATEGORIES}
    return {"categories": categories, "audits": audits, "environment": {"benchmarkIndex": 1500.0}}


def test_a_lighthouse_report_is_summarised_as_scores_metrics_and_failed_audits() -> None:
    summary = lighthouse.summarise(lighthouse_report(0.934, 2100.0, failed="meta-description"))
    assert summary["scores"] == {"performance": 93, "accessibility": 100, "best-practices": 100, "seo": 100}
    assert summary["first_paint_s"] == 0.9 and summary["largest_paint_s"] == 2.1
    assert summary["blocking_time_s"] == pytest.approx(0.03) and summary["layout_shift"] == 0.02
    assert summary["transferred_bytes"] == 204800.0 and summary["dom_elements"] == 1500.0
    assert summary["flagged"] == ["meta-description"] and summary["audit_errors"] == ["render-blocking-resources"]
    assert summary["benchmark_index"] == 1500.0


def test_the_median_lighthouse_run_is_kept() -> None:
    runs = [{"scores": {"performance": score}, "run": i} for i, score in enumerate([91, 85, 97])]
    assert lighthouse.median_run(runs)["run"] == 0
    assert lighthouse.median_run(runs[:2])["run"] == 1  # of two, the worse
    with pytest.raises(ValueError, match="runs must be >= 1"):
        lighthouse.measure_site(Path("."), runs=0)


def test_lighthouse_table_checks_every_score_and_metric_of_each_page() -> None:
    good = {"page": "intro.html", **lighthouse.summarise(lighthouse_report(0.95, 2000.0)), "performance_runs": [95]}
    slow = {"page": "chapters/a.html", **lighthouse.summarise(lighthouse_report(0.89, 2600.0, "meta-description"))}
    slow["scores"]["seo"] = 91
    table = run.lighthouse_table({"lighthouse": "12.2.3", "runs": 1, "benchmark_index": 1500.0,
                                  "pages": [good, slow, {"page": "chapters/b.html", "error": "RuntimeError: no"}]})
    assert [row[0] for row in table.rows] == ["intro.html", "chapters/a.html", "chapters/b.html"]
    assert table.rows[0][1:5] == ["95", "100", "100", "100"] and table.rows[0][-1] == "PASS"
    assert table.rows[0][5:10] == ["900.0 ms", "2.00 s", "30.0 ms", "0.020", "200 KiB"]
    assert table.rows[1][-1] == "**FAIL**" and table.rows[2][-1] == "**ERROR**"
    assert table.failures[0] == "chapters/a.html: performance 89 < 90, seo 91 < 100, largest paint 2.60 s ≥ 2.50 s"
    assert "chapters/b.html" in table.failures[1] and len(table.failures) == 2
    assert "1500.0" in table.note and "12.2.3" in table.note
