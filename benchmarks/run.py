"""Measure the book's performance and check it against its budget; print the tables.

    python benchmarks/run.py               # everything (about 6 minutes on two cores, plus the test suite)
    python benchmarks/run.py --quick       # fewer repeats, for a first look
    python benchmarks/run.py --skip-tests --skip-build
    python benchmarks/run.py --skip-notebooks --skip-build --skip-explorers --skip-mlp --skip-tests  # Lighthouse

Sections, in the order they run (each can be skipped):

* notebooks: every ``chapters/*.ipynb`` executed in a fresh kernel (nbclient,
  working directory ``chapters/``), kernel start included;
* book build: ``jupyter-book build . -W --keep-going`` into a fresh, empty output
  folder (a cold build: nothing cached);
* explorers: :mod:`benchmarks.explorer_latency`, the built website in headless
  Chromium, offline: every control of every explorer, from its input event to the
  repainted figure, and the training playground's default run (its compute time
  and the frame rate of its animation). It measures ``--site`` if given, else the
  site the build section has just built, else ``_build/html``;
* Lighthouse: :mod:`benchmarks.lighthouse`, Lighthouse's mobile test (pinned in
  ``package.json``) on every page of the same site, served with gzip as GitHub
  Pages serves it: the four scores, first and largest paint, blocking time, layout
  shift and bytes transferred of each page, against the budget of issue 27
  (performance >= 90, accessibility, best practices and SEO 100, largest paint
  < 2.5 s, blocking time < 200 ms, layout shift < 0.1). Run it alone: its
  simulated times grow when other work slows the machine;
* MLP step: :mod:`benchmarks.mlp_step`, NumPy against PyTorch on CPU;
* test suite: the README's test command, ``python -m pytest``, as a subprocess.

The browser and MLP measurements run in child processes (the MLP's with its BLAS
and PyTorch threads fixed by ``--threads`` before NumPy loads); seeds are fixed;
every measurement is preceded by warm-ups and reports the minimum and the median
of its repeats (explorers: p50 and p95). The exit status is 1 when a budget is
missed or a section fails. A copy of the tables goes to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.mlp_step import thread_environment  # noqa: E402
from benchmarks.timing import Stats, time_call  # noqa: E402

NOTEBOOK_BUDGET_S = 20.0
TEST_SUITE_BUDGET_S = 300.0
#: Input event to repainted figure, p95 of every control's moves: within one frame at 60 Hz.
EXPLORER_P95_BUDGET_S = 0.016
#: The playground's default run: its training compute, and the frame rate of its animation.
TRAIN_COMPUTE_BUDGET_S = 1.0
TRAIN_FPS_BUDGET = 30.0
#: Lighthouse's mobile test, per page: the least score of each category, and the metrics' limits.
LIGHTHOUSE_SCORES = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
LIGHTHOUSE_LARGEST_PAINT_S = 2.5
LIGHTHOUSE_BLOCKING_S = 0.2
LIGHTHOUSE_LAYOUT_SHIFT = 0.1
#: Largest NumPy/PyTorch ratio of the step time allowed at (batch, hidden).
MLP_RATIO_BUDGET = {(64, 64): 1.0, (1024, 512): 1.5}


@dataclass
class Table:
    """A titled Markdown table; ``failures`` lists the rows that missed a budget or failed to run."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    note: str = ""

    def add(self, cells: Sequence[str], failed: str | None = None) -> None:
        """Append a row; ``failed`` names the failure to list at the end, if any."""
        self.rows.append(list(cells))
        if failed:
            self.failures.append(failed)

    def markdown(self) -> str:
        """The table as GitHub-flavoured Markdown, under a ``###`` heading and followed by its note."""
        lines = [f"### {self.title}", "", "| " + " | ".join(self.headers) + " |",
                 "|" + "|".join(" --- " for _ in self.headers) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


def seconds(s: float) -> str:
    """A duration for the tables: ``12.3 s`` from 10 s up, else ``1.23 s``, or ``4.5 ms`` below one second."""
    if s >= 10:
        return f"{s:.1f} s"
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s * 1e3:.1f} ms" if s >= 0.01 else f"{s * 1e3:.2f} ms"


def verdict(value: float, limit: float, at_least: bool = False) -> tuple[str, bool]:
    """The result cell for ``value`` against the budget ``limit``: ``value <= limit`` passes, or ``>=`` if ``at_least``."""
    passed = value >= limit if at_least else value <= limit
    return ("PASS" if passed else "**FAIL**"), passed


def machine() -> str:
    """One line naming the machine: CPU model, cores, OS, Python, NumPy and PyTorch versions."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), flags=re.MULTILINE)
        cpu = models[0] if models else cpu
    versions = {}
    for module in ("numpy", "torch", "matplotlib"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "not installed"
    return (f"{cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, " + ", ".join(f"{k} {v}" for k, v in versions.items()))


def load_average() -> str:
    """The 1-minute load average (how busy the machine was), or ``n/a`` where the OS has none."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


# --- notebooks -------------------------------------------------------------------------------------------

WARMUP_SOURCE = "import dlbook, dlbook.numpy, numpy, matplotlib.pyplot, ipywidgets\nimport dlbook.torch"


def execute_notebook(path: Path, cwd: Path | None = None, timeout: int = 600) -> float:
    """Execute the notebook at ``path`` in a fresh ``python3`` kernel started in ``cwd`` (default: its folder).

    Returns the seconds from starting the kernel to the end of the last cell.
    A cell that raises makes this raise (``nbclient.exceptions.CellExecutionError``).
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    return time_call(client.execute)


def warm_up_kernel(folder: Path) -> None:
    """Run one throw-away notebook that imports the book's packages, so that disk caches and ``.pyc`` are warm."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WARMUP_SOURCE)])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warmup.ipynb"
        nbformat.write(nb, path)
        execute_notebook(path, cwd=folder)


def bench_notebooks(repeats: int, chapters: Path = ROOT / "chapters") -> Table:
    """Time every chapter notebook ``repeats`` times, each run in a fresh kernel."""
    table = Table("Notebooks (fresh kernel each run, kernel start included)",
                  ["notebook", "runs", "min", "median", "budget", "result"])
    notebooks = sorted(chapters.glob("*.ipynb"))
    if not notebooks:
        table.add(["(none found)", "0", "", "", "", "**ERROR**"], failed="no notebooks in chapters/")
        return table
    warm_up_kernel(chapters)
    for path in notebooks:
        try:
            stats = Stats(tuple(execute_notebook(path) for _ in range(repeats)))
        except Exception as error:  # a failing notebook is a failed row, not a crashed benchmark
            first_line = str(error).strip().splitlines()[-1][:120] if str(error).strip() else type(error).__name__
            table.add([path.name, "0", "", "", f"< {NOTEBOOK_BUDGET_S:.0f} s", "**ERROR**"],
                      failed=f"{path.name} raised: {first_line}")
            continue
        cell, passed = verdict(stats.median, NOTEBOOK_BUDGET_S)
        table.add([path.name, str(len(stats.samples)), seconds(stats.min), seconds(stats.median),
                   f"< {NOTEBOOK_BUDGET_S:.0f} s", cell],
                  failed=None if passed else f"{path.name} took {seconds(stats.median)}")
    return table


# --- test suite and book build --------------------------------------------------------------------------

def run_command(command: Sequence[str], cwd: Path = ROOT) -> tuple[float, int, list[str]]:
    """Run ``command`` in ``cwd``; return (seconds, exit status, the non-blank lines of its output)."""
    result: dict[str, Any] = {}

    def call() -> None:
        result["process"] = subprocess.run(command, cwd=cwd, capture_output=True, text=True)

    elapsed = time_call(call)
    process = result["process"]
    return elapsed, process.returncode, [line for line in (process.stdout + process.stderr).splitlines() if line.strip()]


def last_line(lines: Sequence[str]) -> str:
    """The last output line without pytest's ``=`` framing (its summary), or ``""``."""
    return lines[-1].strip("= ") if lines else ""


def bench_test_suite(command: Sequence[str]) -> Table:
    """Time the README's test command once (it is long); a failing suite is reported as a failure."""
    table = Table("Test suite (the README's test command)", ["command", "time", "outcome", "budget", "result"])
    elapsed, status, lines = run_command(command)
    summary = last_line(lines)
    shown = " ".join(["python", *command[1:]] if command[0] == sys.executable else command)
    cell, passed = verdict(elapsed, TEST_SUITE_BUDGET_S)
    failed = None if passed else f"test suite took {seconds(elapsed)}"
    if status != 0:
        failing = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
        cell = "**FAIL** (tests failed)"
        failed = f"test suite exited with status {status}: {summary}" + "".join(f"\n  {f[:300]}" for f in failing)
    table.add([f"`{shown}`", seconds(elapsed), summary.replace("|", "/"), f"< {TEST_SUITE_BUDGET_S / 60:.0f} min",
               cell], failed=failed)
    return table


def jupyter_book() -> str:
    """The ``jupyter-book`` executable next to this Python, else the one on ``PATH``."""
    local = Path(sys.executable).with_name("jupyter-book")
    return str(local) if local.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def bench_build(output: Path) -> Table:
    """Time one cold build of the book (executing every page) into the fresh, empty folder ``output``.

    The site lands in ``output / "_build" / "html"`` (see :func:`built_site`).
    """
    table = Table("Book build (cold: fresh output folder, every page executed)",
                  ["command", "time", "outcome", "result"])
    command = [jupyter_book(), "build", ".", "-W", "--keep-going", "--path-output", str(output)]
    elapsed, status, lines = run_command(command)
    ok, summary = status == 0, last_line(lines)
    table.add(["`jupyter-book build . -W --keep-going`", seconds(elapsed), "built" if ok else summary[:120],
               "measured (no own budget)" if ok else "**FAIL** (build failed)"],
              failed=None if ok else f"book build exited with status {status}: {summary[:200]}")
    return table


def built_site(output: Path) -> Path:
    """Where ``jupyter-book build --path-output output`` puts the website."""
    return output / "_build" / "html"


# --- workers: explorers in the browser, MLP step ----------------------------------------------------------

def run_worker(module: str, args: Sequence[str], threads: int) -> Any:
    """Run ``python -m module args`` with ``threads`` BLAS/PyTorch threads and return the JSON it prints."""
    process = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                             env=thread_environment(threads))
    if process.returncode != 0:
        raise RuntimeError(f"{module} failed (status {process.returncode}):\n{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def first_items(items: Sequence[str], count: int = 3) -> str:
    """The first ``count`` items joined by ``; ``, and how many more there are."""
    more = f" (and {len(items) - count} more)" if len(items) > count else ""
    return "; ".join(item[:200] for item in items[:count]) + more


def explorer_table(results: dict[str, Any]) -> Table:
    """Input event to repainted figure, per explorer and kind of control, from :mod:`benchmarks.explorer_latency`."""
    budget = f"p95 < {seconds(EXPLORER_P95_BUDGET_S)}"
    table = Table("Explorers on the website: a control's input event → figure repainted (headless Chromium)",
                  ["explorer (page)", "controls", "moves", "script p50", "p50", "p95", "slowest control (its p95)",
                   "empty frame p50 / p95", "budget", "result"],
                  note=f"Chromium {results.get('chromium', '?')}, the built site served on localhost, offline; "
                       f"{results.get('moves', '?')} moves per control after {results.get('warmup', '?')} "
                       "untimed ones, one per frame, each dispatched at the start of a frame as a drag's input "
                       "events are. p50 / p95: from the input event to the end of that frame's main-thread "
                       "rendering (the explorer's update, then style, layout and paint); script: the "
                       "explorer's event handler alone; empty frame: a frame with no event after each move, "
                       "timed alike (the browser's own cost, the floor). The budget holds for "
                       "the controls of one kind together and for each control alone. See "
                       "benchmarks/explorer_latency.py.")
    entries = results.get("explorers", [])
    if not entries:
        table.add(["(no explorers found)", "", "", "", "", "", "", "", budget, "**ERROR**"],
                  failed="no explorer on any page of the site")
    for entry in entries:
        name = f"{entry['key']} ({Path(entry['page']).stem})"
        if "error" in entry:
            table.add([name, "", "", "", "", "", "", "", budget, "**ERROR**"], failed=f"{name}: {entry['error']}")
        kinds: dict[str, list[dict[str, Any]]] = {}
        for control in entry.get("controls", []):
            kinds.setdefault(control["kind"], []).append(control)
        for kind, controls in kinds.items():
            paint = Stats(tuple(t for c in controls for t in c["paint"]))
            script = Stats(tuple(t for c in controls for t in c["script"]))
            empty = Stats(tuple(t for c in controls for t in c["empty"]))
            p95s = {c["name"]: Stats(tuple(c["paint"])).p95 for c in controls}
            slowest = max(p95s, key=p95s.__getitem__)
            cell, passed = verdict(max(paint.p95, p95s[slowest]), EXPLORER_P95_BUDGET_S)
            failed = None if passed else (f"{name}, {kind} controls: p95 {seconds(paint.p95)}, "
                                          f"{slowest} p95 {seconds(p95s[slowest])}")
            still = [f"{c['name']} on {c['unchanged']} of {c['moves']}" for c in controls if c["unchanged"]]
            if still:
                cell = "**ERROR**"
                failed = f"{name}: the figure did not change after moving " + ", ".join(still)
            table.add([name, f"{kind}: {', '.join(c['name'] for c in controls)}", str(len(paint.samples)),
                       seconds(script.median), seconds(paint.median), seconds(paint.p95),
                       f"{slowest} ({seconds(p95s[slowest])})", f"{seconds(empty.median)} / {seconds(empty.p95)}",
                       budget, cell], failed=failed)
    blocked, errors = results.get("blocked", []), results.get("console_errors", [])
    if blocked or errors:
        table.add(["offline, no console error", "", "", "", "", "", "", "", "none", "**ERROR**"],
                  failed=f"{len(blocked)} request(s) left the site, {len(errors)} console error(s): "
                         + first_items([*blocked, *errors]))
    return table


def control_table(results: dict[str, Any]) -> Table:
    """Every control alone: the details behind :func:`explorer_table` (no budget of its own)."""
    table = Table("Explorers on the website: every control",
                  ["explorer", "control", "kind", "moves", "script p50", "p50", "p95", "max", "empty frame p50 / p95"])
    for entry in results.get("explorers", []):
        for control in entry.get("controls", []):
            paint, script, empty = (Stats(tuple(control[times])) for times in ("paint", "script", "empty"))
            table.add([entry["key"], control["name"], control["kind"], str(len(paint.samples)),
                       seconds(script.median), seconds(paint.median), seconds(paint.p95),
                       seconds(max(paint.samples)), f"{seconds(empty.median)} / {seconds(empty.p95)}"])
    return table


def describe_settings(settings: dict[str, Any]) -> str:
    """A playground's run settings in words: ``moons, 16 tanh units, 100 epochs, batch 32, lr 0.5``."""
    if not settings:
        return "settings unknown"
    return (f"{settings['data']}, {settings['n_hidden']} {settings['activation']} units, {settings['epochs']} "
            f"epochs, batch {settings['batch_size']}, lr {settings['lr']:g}")


def playground_table(results: dict[str, Any]) -> Table:
    """The playground's default run: training compute (budget) and animation frame rate (budget)."""
    table = Table("Training playground on the website: the default run",
                  ["measurement", "runs", "figure", "details", "budget", "result"],
                  note="Compute: the port's training (js/compute/playground.js, what the page's bundle is built "
                       "from) run to the end in the page, the first run cold, then warm. Animation: Train "
                       "pressed on a fresh page each run; frames are the distinct requestAnimationFrame "
                       "timestamps from the click to the last frame painted; mean fps = frames / that time "
                       "(median of the runs); longest frame: the largest gap between frames (worst run); "
                       "script per frame: the page's animation callbacks (training and redrawing; in all: "
                       "their sum over the run, median of the runs).")
    entries = results.get("playground", [])
    if not entries:
        table.add(["(no playground found)", "", "", "", "", "**ERROR**"], failed="no training playground on the site")
    for entry in entries:
        where = f"{Path(entry['page']).stem}: {describe_settings(entry.get('settings', {}))}"
        if "error" in entry:
            table.add([where, "", "", "", "", "**ERROR**"], failed=f"playground ({where}): {entry['error']}")
            continue
        compute = entry["compute"]
        cold, warm = compute["times"][0], compute["times"][1:]
        cell, passed = verdict(cold, TRAIN_COMPUTE_BUDGET_S)
        table.add([f"training compute, first run (cold) — {where}", "1", seconds(cold),
                   f"{compute['steps']} steps; accuracy {compute['accuracy']:.1%}",
                   f"< {TRAIN_COMPUTE_BUDGET_S:g} s", cell],
                  failed=None if passed else f"playground training took {seconds(cold)} (cold)")
        if warm:
            table.add(["training compute, later runs (warm), median", str(len(warm)),
                       seconds(Stats(tuple(warm)).median), f"min {seconds(min(warm))}", "", ""])
        runs = entry["runs"]
        fps = Stats(tuple(run["mean_fps"] for run in runs)).median
        frames = Stats(tuple(run["frames"] for run in runs)).median
        wall = Stats(tuple(run["wall_s"] for run in runs)).median
        longest = max(run["longest_frame_s"] for run in runs)
        scripts = Stats(tuple(t for run in runs for t in run["frame_script_s"]))
        script_total = Stats(tuple(sum(run["frame_script_s"]) for run in runs)).median
        reached = [run["accuracy"] for run in runs if run["accuracy"] is not None]
        cell, passed = verdict(fps, TRAIN_FPS_BUDGET, at_least=True)
        table.add(["animation from the click: mean frame rate", str(len(runs)), f"{fps:.0f} fps",
                   f"{frames:.0f} frames in {seconds(wall)}; longest frame {seconds(longest)}; script per frame "
                   f"p50 {seconds(scripts.median)}, max {seconds(max(scripts.samples))}, in all "
                   f"{seconds(script_total)}"
                   + (f"; final accuracy {min(reached):.1%}" if reached else ""),
                   f"≥ {TRAIN_FPS_BUDGET:g} fps", cell],
                  failed=None if passed else f"playground animation ran at {fps:.0f} fps")
    return table


def lighthouse_table(results: dict[str, Any]) -> Table:
    """Lighthouse's mobile test of every page, from :mod:`benchmarks.lighthouse`, against its budget."""
    budget = (f"perf ≥ {LIGHTHOUSE_SCORES['performance']}, others 100; LCP < {LIGHTHOUSE_LARGEST_PAINT_S:g} s, "
              f"TBT < {LIGHTHOUSE_BLOCKING_S * 1000:.0f} ms, CLS < {LIGHTHOUSE_LAYOUT_SHIFT:g}")
    table = Table("Lighthouse, mobile: every page of the website served with gzip",
                  ["page", "performance", "accessibility", "best practices", "SEO", "first paint", "largest paint",
                   "blocking time", "layout shift", "transferred", "budget", "result"],
                  note=f"Lighthouse {results.get('lighthouse', '?')} (package.json) with its mobile defaults "
                       "(simulated slow 4G, 4x slower CPU) on the system's Chromium, headless; the site served on "
                       "localhost with gzip and a 10-minute cache, as GitHub Pages serves it; "
                       f"{results.get('runs', '?')} run(s) per page, the median by performance kept (its scores "
                       "in the performance column when more than one). Lighthouse's CPU benchmark of this machine "
                       f"(benchmarkIndex, median of the runs): {results.get('benchmark_index', '?')}; a busy "
                       "machine lowers it and the simulated times grow. See benchmarks/lighthouse.py.")
    pages = results.get("pages", [])
    if not pages:
        table.add(["(no pages)", *[""] * 10, "**ERROR**"], failed="Lighthouse tested no page")
    for entry in pages:
        name = entry["page"]
        if "error" in entry:
            table.add([name, *[""] * 10, "**ERROR**"], failed=f"Lighthouse on {name}: {entry['error'][:300]}")
            continue
        scores = entry["scores"]
        misses = [f"{category} {scores[category]} < {least}" for category, least in LIGHTHOUSE_SCORES.items()
                  if scores[category] < least]
        limits = [("largest paint", entry["largest_paint_s"], LIGHTHOUSE_LARGEST_PAINT_S, seconds),
                  ("blocking time", entry["blocking_time_s"], LIGHTHOUSE_BLOCKING_S, seconds),
                  ("layout shift", entry["layout_shift"], LIGHTHOUSE_LAYOUT_SHIFT, lambda v: f"{v:.3f}")]
        misses += [f"{label} {show(value)} ≥ {show(limit)}" for label, value, limit, show in limits if value >= limit]
        runs = entry.get("performance_runs", [])
        performance = str(scores["performance"]) + (f" ({', '.join(map(str, runs))})" if len(runs) > 1 else "")
        table.add([name, performance, str(scores["accessibility"]), str(scores["best-practices"]),
                   str(scores["seo"]), seconds(entry["first_paint_s"]), seconds(entry["largest_paint_s"]),
                   seconds(entry["blocking_time_s"]), f"{entry['layout_shift']:.3f}",
                   f"{entry['transferred_bytes'] / 1024:.0f} KiB", budget, "**FAIL**" if misses else "PASS"],
                  failed=f"{name}: " + ", ".join(misses) if misses else None)
    return table


def bench_lighthouse(site: Path, runs: int) -> Table:
    """Lighthouse on every page of the built ``site`` (a child process); its table."""
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no built site at {site}: build it with `jupyter-book build . -W`, "
                                "or run the book build section")
    return lighthouse_table(run_worker("benchmarks.lighthouse", ["--site", str(site), "--runs", str(runs)],
                                       threads=1))


def mlp_table(runs: list[dict[str, Any]]) -> Table:
    """The MLP step table from one :mod:`benchmarks.mlp_step` result per thread count."""
    table = Table("One training step of the MLP: dlbook.numpy against PyTorch (CPU)",
                  ["inputs → classes", "batch", "hidden", "dtype", "threads", "NumPy min / median",
                   "PyTorch min / median", "NumPy / PyTorch (min; median)", "budget", "result"],
                  note="Step: forward, softmax cross-entropy, backward, SGD update (PyTorch: zero_grad, forward, "
                       "F.cross_entropy, backward, optim.SGD.step); tanh hidden layer; repeats of the two "
                       "interleaved; the budget is checked on the ratio of the minima.")
    for run in runs:
        for r in run["results"]:
            np_s, torch_s = r["numpy"], r["torch"]
            ratio_min, ratio_median = np_s["min"] / torch_s["min"], np_s["median"] / torch_s["median"]
            limit = MLP_RATIO_BUDGET.get((r["batch"], r["n_hidden"]))
            if limit is None:
                cell, passed, budget = "", True, ""
            else:
                (cell, passed), budget = verdict(ratio_min, limit), f"≤ {limit:g}"
            table.add([f"{r['n_in']} → {r['n_out']}", str(r["batch"]), str(r["n_hidden"]), r["dtype"],
                       str(run["threads"]), f"{seconds(np_s['min'])} / {seconds(np_s['median'])}",
                       f"{seconds(torch_s['min'])} / {seconds(torch_s['median'])}",
                       f"{ratio_min:.2f}; {ratio_median:.2f}", budget, cell],
                      failed=None if passed else f"MLP step {r['n_in']}→{r['n_out']}, batch {r['batch']}, hidden "
                                                 f"{r['n_hidden']}, {r['dtype']}, {run['threads']} thread(s): "
                                                 f"NumPy/PyTorch {ratio_min:.2f} > {limit:g}")
    return table


def bench_section(title: str, headers: list[str], make: Callable[[], Table | list[Table]]) -> list[Table]:
    """``make()``'s table(s), or a one-row table naming the error if it raises."""
    try:
        made = make()
    except Exception as error:  # one broken section must not hide the others
        table = Table(title, headers)
        message = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        table.add([f"error: {message[:200]}", *([""] * (len(headers) - 2)), "**ERROR**"],
                  failed=f"{title}: {type(error).__name__}: {message[:300]}")
        return [table]
    return made if isinstance(made, list) else [made]


def bench_explorers(site: Path, moves: int, train_runs: int) -> list[Table]:
    """Measure the explorers of the built ``site`` in Chromium (a child process); the three explorer tables."""
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no built site at {site}: build it with `jupyter-book build . -W`, "
                                "or run the book build section")
    results = run_worker("benchmarks.explorer_latency",
                         ["--site", str(site), "--moves", str(moves), "--train-runs", str(train_runs)], threads=1)
    return [explorer_table(results), control_table(results), playground_table(results)]


# --- command line ---------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line options (see ``--help``)."""
    parser = argparse.ArgumentParser(description="Measure the book's performance and check it against its budget.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats (notebooks once, 10 MLP repeats, 20 moves per control, 1 training "
                             "run), no float64")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite (the longest part)")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-explorers", action="store_true", help="do not measure the explorers in Chromium")
    parser.add_argument("--skip-lighthouse", action="store_true",
                        help="do not run Lighthouse's mobile test on every page")
    parser.add_argument("--lighthouse-runs", type=int, default=1,
                        help="Lighthouse runs per page, the median kept (default 1)")
    parser.add_argument("--skip-mlp", action="store_true")
    parser.add_argument("--site", type=Path, default=None,
                        help="the built site whose explorers to measure (default: the one the build section just "
                             "built, or _build/html when that section is skipped)")
    parser.add_argument("--moves", type=int, default=None, help="timed moves per control (default 50, quick 20)")
    parser.add_argument("--train-runs", type=int, default=None,
                        help="presses of the playground's Train button, and timed runs of its training "
                             "(default 3, quick 1)")
    parser.add_argument("--threads", default="1",
                        help="comma-separated thread counts for the MLP step, e.g. 1,2 (default 1: both backends on "
                             "one core, the most reproducible)")
    parser.add_argument("--notebook-repeats", type=int, default=None, help="runs per notebook (default 2, quick 1)")
    parser.add_argument("--mlp-repeats", type=int, default=None, help="repeats per MLP step (default 30, quick 10)")
    parser.add_argument("--dtypes", default=None, help="MLP dtypes (default float32,float64; quick float32)")
    parser.add_argument("--test-command", default=None,
                        help="the test command to time (default: this Python's `-m pytest`)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "latest.md",
                        help="where to write a copy of the tables")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected sections, print the tables and a verdict; return the exit status (0: all budgets met)."""
    args = parse_args(argv)
    threads = [int(t) for t in args.threads.split(",") if t]
    notebook_repeats = args.notebook_repeats or (1 if args.quick else 2)
    mlp_repeats = args.mlp_repeats or (10 if args.quick else 30)
    dtypes = args.dtypes or ("float32" if args.quick else "float32,float64")
    moves = args.moves or (20 if args.quick else 50)
    train_runs = args.train_runs or (1 if args.quick else 3)
    test_command = args.test_command.split() if args.test_command else [sys.executable, "-m", "pytest"]

    started = datetime.datetime.now(datetime.timezone.utc)
    header = [f"Measured {started:%Y-%m-%d %H:%M} UTC on: {machine()}.",
              f"Load average (1 min) at the start: {load_average()}."]
    print("\n".join(header), flush=True)
    tables: list[Table] = []

    def section(*new: Table) -> None:
        for table in new:
            tables.append(table)
            print("\n" + table.markdown(), flush=True)

    with tempfile.TemporaryDirectory(prefix="dlbook-bench-build-") as build_output:
        site = args.site or ROOT / "_build" / "html"
        if not args.skip_notebooks:
            section(*bench_section("Notebooks", ["notebook", "runs", "min", "median", "budget", "result"],
                                  lambda: bench_notebooks(notebook_repeats)))
        if not args.skip_build:
            section(*bench_section("Book build", ["command", "result"], lambda: bench_build(Path(build_output))))
            if args.site is None:  # measure the site just built, even if the build failed (then it says so)
                site = built_site(Path(build_output))
        if not args.skip_explorers:
            section(*bench_section("Explorers on the website", ["explorer", "result"],
                                   lambda: bench_explorers(site, moves, train_runs)))
        if not args.skip_lighthouse:
            section(*bench_section("Lighthouse", ["page", "result"],
                                   lambda: bench_lighthouse(site, args.lighthouse_runs)))
        if not args.skip_mlp:
            mlp_args = ["--repeats", str(mlp_repeats), "--dtypes", dtypes]
            section(*bench_section("MLP step", ["configuration", "result"],
                                  lambda: mlp_table([run_worker("benchmarks.mlp_step",
                                                                [*mlp_args, "--threads", str(t)], t)
                                                     for t in threads])))
    if not args.skip_tests:
        section(*bench_section("Test suite", ["command", "result"], lambda: bench_test_suite(test_command)))

    failures = [f for table in tables for f in table.failures]
    footer = [f"Load average (1 min) at the end: {load_average()}.",
              "All budgets met." if not failures else f"{len(failures)} budget(s) missed or failed:",
              *(f"- {f}" for f in failures)]
    print("\n" + "\n".join(footer))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n\n".join(["\n".join(header), *(t.markdown() for t in tables), "\n".join(footer)]) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
