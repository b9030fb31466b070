"""Measure the book's performance and check it against its budget; print the tables.

    python benchmarks/run.py               # everything (about 10 minutes on two cores)
    python benchmarks/run.py --quick       # fewer repeats, for a first look
    python benchmarks/run.py --skip-tests --skip-build

Sections (each can be skipped):

* notebooks: every ``chapters/*.ipynb`` executed in a fresh kernel (nbclient,
  working directory ``chapters/``), kernel start included;
* test suite: the README's test command, ``python -m pytest``, as a subprocess;
* book build: ``jupyter-book build . -W --keep-going`` into a fresh, empty output
  folder (a cold build: nothing cached);
* widgets: :mod:`benchmarks.widget_latency`, every explorer in ``dlbook/widgets/``;
* MLP step: :mod:`benchmarks.mlp_step`, NumPy against PyTorch on CPU.

The widget and MLP measurements run in child processes whose BLAS and PyTorch
threads are fixed (``--threads``) before NumPy loads; seeds are fixed; every
measurement is preceded by warm-ups and reports the minimum and the median of
its repeats (widgets: p50 and p95). The exit status is 1 when a budget is
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
WIDGET_P95_BUDGET_S = 0.030
TRAIN_RUN_BUDGET_S = 5.0
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


def verdict(value: float, limit: float) -> tuple[str, bool]:
    """The result cell for ``value`` against the budget ``limit`` (``value <= limit`` passes)."""
    passed = value <= limit
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


def bench_build() -> Table:
    """Time one cold build of the book (executing every page) into a fresh output folder."""
    table = Table("Book build (cold: fresh output folder, every page executed)",
                  ["command", "time", "outcome", "result"])
    with tempfile.TemporaryDirectory(prefix="dlbook-bench-build-") as out:
        command = [jupyter_book(), "build", ".", "-W", "--keep-going", "--path-output", out]
        elapsed, status, lines = run_command(command)
    ok, summary = status == 0, last_line(lines)
    table.add(["`jupyter-book build . -W --keep-going`", seconds(elapsed), "built" if ok else summary[:120],
               "measured (no own budget)" if ok else "**FAIL** (build failed)"],
              failed=None if ok else f"book build exited with status {status}: {summary[:200]}")
    return table


# --- workers: widgets and MLP step ----------------------------------------------------------------------

def run_worker(module: str, args: Sequence[str], threads: int) -> Any:
    """Run ``python -m module args`` with ``threads`` BLAS/PyTorch threads and return the JSON it prints."""
    process = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                             env=thread_environment(threads))
    if process.returncode != 0:
        raise RuntimeError(f"{module} failed (status {process.returncode}):\n{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def widget_table(results: list[dict[str, Any]]) -> Table:
    """The widget table from :func:`benchmarks.widget_latency.measure_all`'s results."""
    table = Table("Widget update latency (control value set → new PNG; Agg, no browser)",
                  ["explorer", "updates", "p50", "p95", "slowest slider (its p95)", "budget", "result"],
                  note=f"p95 budget {seconds(WIDGET_P95_BUDGET_S)} for all slider moves together and for each "
                       "slider alone; the training run itself must take under "
                       f"{TRAIN_RUN_BUDGET_S:.0f} s with the default settings.")
    if not results:
        table.add(["(no explorers found)", "", "", "", "", "", "**ERROR**"], failed="no explorers in dlbook/widgets")
    for entry in results:
        name = entry["name"]
        if "error" in entry:
            table.add([name, "", "", "", "", "", "**ERROR**"], failed=f"{name}: {entry['error']}")
            continue
        updates = entry["updates"]
        slowest, worst = max(entry["sliders"].items(), key=lambda item: item[1]["p95"])
        cell, passed = verdict(max(updates["p95"], worst["p95"]), WIDGET_P95_BUDGET_S)
        table.add([name, str(updates["n"]), seconds(updates["median"]), seconds(updates["p95"]),
                   f"{slowest} ({seconds(worst['p95'])})", f"p95 < {seconds(WIDGET_P95_BUDGET_S)}", cell],
                  failed=None if passed else f"{name}: p95 {seconds(updates['p95'])}, "
                                             f"slider {slowest} p95 {seconds(worst['p95'])}")
        if "train_redraw" in entry:
            redraw = entry["train_redraw"]
            cell, passed = verdict(redraw["p95"], WIDGET_P95_BUDGET_S)
            table.add([f"{name}: redraw while training", str(redraw["n"]), seconds(redraw["median"]),
                       seconds(redraw["p95"]), "", f"p95 < {seconds(WIDGET_P95_BUDGET_S)}", cell],
                      failed=None if passed else f"{name}: redraw during training p95 {seconds(redraw['p95'])}")
            run = entry["train_run"]
            cell, passed = verdict(run["median"], TRAIN_RUN_BUDGET_S)
            table.add([f"{name}: default training run (min / median)", str(run["n"]), seconds(run["min"]),
                       seconds(run["median"]), "", f"< {TRAIN_RUN_BUDGET_S:.0f} s", cell],
                      failed=None if passed else f"{name}: training run took {seconds(run['median'])}")
    return table


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


def bench_section(title: str, headers: list[str], make: Callable[[], Table]) -> Table:
    """``make()``, or a one-row table naming the error if it raises."""
    try:
        return make()
    except Exception as error:  # one broken section must not hide the others
        table = Table(title, headers)
        message = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        table.add([f"error: {message[:200]}", *([""] * (len(headers) - 2)), "**ERROR**"],
                  failed=f"{title}: {type(error).__name__}: {message[:300]}")
        return table


# --- command line ---------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line options (see ``--help``)."""
    parser = argparse.ArgumentParser(description="Measure the book's performance and check it against its budget.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats (notebooks once, 10 MLP repeats, 1 training run), no float64")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite (the longest part)")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-widgets", action="store_true")
    parser.add_argument("--skip-mlp", action="store_true")
    parser.add_argument("--threads", default="1",
                        help="comma-separated thread counts for the MLP step, e.g. 1,2 (default 1: both backends on "
                             "one core, the most reproducible); the widgets use the first")
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
    test_command = args.test_command.split() if args.test_command else [sys.executable, "-m", "pytest"]

    started = datetime.datetime.now(datetime.timezone.utc)
    header = [f"Measured {started:%Y-%m-%d %H:%M} UTC on: {machine()}.",
              f"Load average (1 min) at the start: {load_average()}."]
    print("\n".join(header), flush=True)
    tables: list[Table] = []

    def section(table: Table) -> None:
        tables.append(table)
        print("\n" + table.markdown(), flush=True)

    if not args.skip_notebooks:
        section(bench_section("Notebooks", ["notebook", "runs", "min", "median", "budget", "result"],
                              lambda: bench_notebooks(notebook_repeats)))
    if not args.skip_widgets:
        widget_args = ["--train-runs", "1" if args.quick else "3"]
        section(bench_section("Widget update latency", ["explorer", "result"],
                              lambda: widget_table(run_worker("benchmarks.widget_latency", widget_args, threads[0]))))
    if not args.skip_mlp:
        mlp_args = ["--repeats", str(mlp_repeats), "--dtypes", dtypes]
        section(bench_section("MLP step", ["configuration", "result"],
                              lambda: mlp_table([run_worker("benchmarks.mlp_step", [*mlp_args, "--threads", str(t)], t)
                                                 for t in threads])))
    if not args.skip_build:
        section(bench_section("Book build", ["command", "result"], bench_build))
    if not args.skip_tests:
        section(bench_section("Test suite", ["command", "result"], lambda: bench_test_suite(test_command)))

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
