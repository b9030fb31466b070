"""Measure the book's performance and check it against its budget; print the tables.

    python benchmarks/run.py               # everything (about 6 minutes on two cores, plus the test suite twice)
    python benchmarks/run.py --quick       # fewer repeats, for a first look
    python benchmarks/run.py --skip-tests --skip-build
    python benchmarks/run.py --skip-notebooks --skip-build --skip-explorers --skip-mlp --skip-tests  # Lighthouse

Sections, in the order they run (each can be skipped):

* notebooks: every ``chapters/*.ipynb`` executed in a fresh kernel (nbclient,
  working directory ``chapters/``), kernel start included;
* book build: the README's ``jupyter-book build . -W`` in a fresh copy of the book
  (:func:`copy_book`: no ``_build/``, so nothing cached), then again as an author
  rebuilds: with nothing changed, after a prose edit of a chapter (budget: under
  10 s, nothing executed) and after an edit of one of its code cells;
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
* CNN step: :mod:`benchmarks.cnn_step`, chapter 10's convolutional network, NumPy against PyTorch on CPU;
* test suite: the README's test command, ``python -m pytest``, in a fresh copy of
  the book, then again with only its first chapter (and its first with an
  explorer) left in its ``_toc.yml``: the difference per chapter is what one
  chapter more costs the suite, and it projects the suite's time for
  ``--chapters-planned`` chapters (default 10) against the 5-minute budget.

The browser, MLP and CNN measurements run in child processes (the MLP's and CNN's with their BLAS
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

import yaml  # noqa: E402

from benchmarks.mlp_step import thread_environment  # noqa: E402
from benchmarks.timing import Stats, run_timed, time_call  # noqa: E402
from tests.book import toc_files  # noqa: E402
from tests.explorer_driver import makes_an_explorer  # noqa: E402

NOTEBOOK_BUDGET_S = 20.0
TEST_SUITE_BUDGET_S = 300.0
#: An author's rebuild after editing prose only (nothing is executed).
REBUILD_BUDGET_S = 10.0
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
#: Largest NumPy/PyTorch ratio of chapter 10's CNN step allowed at each batch size.
CNN_RATIO_BUDGET = {64: 3.0, 256: 3.0}


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

#: What a fresh clone lacks: builds, caches, environments, git's own files, measured results.
NOT_IN_A_CLONE = {"_build", ".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis",
                  ".ipynb_checkpoints", "build", "dist"}
#: The tests whose premise is the whole book, false by construction in the suite's run with fewer chapters
#: (:func:`bench_test_suite`): every notebook in ``chapters/`` is in ``_toc.yml``; the chapters draw ten figures.
WHOLE_BOOK_TESTS = ("tests/test_package.py::test_every_chapter_is_in_the_table_of_contents",
                    "tests/test_figure_alt.py::test_the_chapters_draw_figures")
#: What the book's build says after reading (``_ext/dlbook_execution.py``).
EXECUTED = re.compile(r"dlbook_execution: executed (\d+) of (\d+) notebook")


def copy_book(destination: Path, source: Path = ROOT) -> Path:
    """A copy of the book's working tree as a fresh clone has it, in ``destination`` (which must not exist).

    No build, cache, environment or git folder is copied, nor ``benchmarks/results``;
    ``node_modules`` (what ``npm ci`` installs) is linked, not copied.
    """
    def ignore(folder: str, names: list[str]) -> set[str]:
        left_out = {name for name in names if name in NOT_IN_A_CLONE or name.endswith(".egg-info")}
        if Path(folder).resolve() == (source / "benchmarks").resolve():
            left_out.add("results")
        return left_out

    shutil.copytree(source, destination, ignore=ignore, symlinks=True)
    if (source / "node_modules").exists():
        (destination / "node_modules").symlink_to((source / "node_modules").resolve())
    return destination


def toc_chapters(book: Path) -> list[Path]:
    """The notebooks ``book``'s ``_toc.yml`` names, in order."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    return [book / f"{name}.ipynb" for name in toc_files(toc) if (book / f"{name}.ipynb").is_file()]


def keep_few_chapters(book: Path) -> list[Path]:
    """Leave in ``book``'s ``_toc.yml`` its first chapter and, if that one makes no explorer, the first that does
    (``makes_an_explorer``: the chapters the live JupyterLab test runs); those chapters.

    The first chapter is the one the README opens in Colab; one with an explorer
    keeps the live JupyterLab test's fixed costs in the run. The table of contents
    is edited line by line: every other ``- file:`` entry goes (the root page stays).
    """
    chapters = toc_chapters(book)
    shows = [path for path in chapters if makes_an_explorer(path)]
    kept = list(dict.fromkeys(chapters[:1] + shows[:1]))
    names = {path.relative_to(book).with_suffix("").as_posix() for path in kept}
    toc = book / "_toc.yml"
    lines = toc.read_text(encoding="utf-8").splitlines(keepends=True)
    entry = re.compile(r"^\s*-\s*file:\s*(\S+)\s*$")
    toc.write_text("".join(line for line in lines if not ((m := entry.match(line)) and m[1] not in names)),
                   encoding="utf-8")
    return kept


def edit_chapter(path: Path, cell_type: str) -> None:
    """Edit ``path`` as an author does: a word more in its second Markdown cell (the first is the title), or a
    comment line more at the end of its last code cell."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [cell for cell in notebook["cells"] if cell["cell_type"] == cell_type]
    cell = cells[1] if cell_type == "markdown" else cells[-1]
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = source + (" Edited." if cell_type == "markdown" else "\n# edited")
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


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


@dataclass
class SuiteRun:
    """One run of the test command: wall and CPU seconds, exit status, summary, failing tests, load."""

    seconds: float
    cpu: float
    status: int
    summary: str
    failing: list[str]
    load: str


def run_suite(command: Sequence[str], cwd: Path) -> SuiteRun:
    """Run the test command once in ``cwd``."""
    load = load_average()
    elapsed, cpu, status, output = run_timed(command, str(cwd))
    lines = [line for line in output.splitlines() if line.strip()]
    return SuiteRun(elapsed, cpu, status, last_line(lines),
                    [line for line in lines if line.startswith(("FAILED ", "ERROR "))], f"{load} → {load_average()}")


def suite_failure(run: SuiteRun, what: str) -> str:
    return f"{what} exited with status {run.status}: {run.summary}" + "".join(f"\n  {f[:300]}" for f in run.failing)


def bench_test_suite(command: Sequence[str], book: Path = ROOT, chapter_cost: bool = False,
                     chapters_planned: int = 10) -> Table:
    """Time the README's test command in ``book`` (it is long); a failing suite is reported as a failure.

    With ``chapter_cost``, run it again with only one or two chapters left in
    ``book``'s ``_toc.yml`` (:func:`keep_few_chapters`; ``book`` must be a copy)
    and report the suite's seconds per chapter, ``(T_n - T_k) / (n - k)``, and
    the time it projects for ``chapters_planned`` chapters.
    """
    table = Table("Test suite (the README's test command)",
                  ["command", "chapters", "time", "CPU", "load (1 min)", "outcome", "budget", "result"],
                  note="CPU: user and system seconds of the command and every process it started (sampled every "
                       "0.25 s). Per chapter: what one chapter more adds to the suite (its notebook test, its page on "
                       "the website, its run in JupyterLab and in the Colab-like runtime, the build's reading of it), "
                       "from the suite with every chapter and with the first chapter (and the first with an explorer) "
                       "only; that run leaves out the tests whose premise is the whole book: "
                       + ", ".join(f"`{test}`" for test in WHOLE_BOOK_TESTS) + ".")
    shown = " ".join(["python", *command[1:]] if command[0] == sys.executable else command)
    budget = f"< {TEST_SUITE_BUDGET_S / 60:.0f} min"
    chapters = len(toc_chapters(book)) if (book / "_toc.yml").is_file() else 0
    full = run_suite(command, book)
    cell, passed = verdict(full.seconds, TEST_SUITE_BUDGET_S)
    failed = None if passed else f"test suite took {seconds(full.seconds)}"
    if full.status != 0:
        cell, failed = "**FAIL** (tests failed)", suite_failure(full, "test suite")
    table.add([f"`{shown}`", str(chapters), seconds(full.seconds), seconds(full.cpu), full.load,
               full.summary.replace("|", "/"), budget, cell], failed=failed)
    if not chapter_cost or chapters < 3 or full.status != 0:
        return table
    kept = keep_few_chapters(book)
    few = run_suite([*command, *(word for test in WHOLE_BOOK_TESTS for word in ("--deselect", test))], book)
    ok = few.status == 0
    table.add([f"the same with {', '.join(path.stem for path in kept)} only", str(len(kept)), seconds(few.seconds),
               seconds(few.cpu), few.load, few.summary.replace("|", "/"), "", "" if ok else "**FAIL** (tests failed)"],
              failed=None if ok else suite_failure(few, f"test suite with {len(kept)} chapter(s)"))
    per_chapter = (full.seconds - few.seconds) / (chapters - len(kept))
    per_chapter_cpu = (full.cpu - few.cpu) / (chapters - len(kept))
    table.add(["per chapter: the difference / the chapters left out", "", seconds(per_chapter),
               seconds(per_chapter_cpu), "", "", "", ""])
    projected = full.seconds + (chapters_planned - chapters) * per_chapter
    cell, passed = verdict(projected, TEST_SUITE_BUDGET_S)
    table.add([f"projected for {chapters_planned} chapters", str(chapters_planned), seconds(projected),
               seconds(full.cpu + (chapters_planned - chapters) * per_chapter_cpu), "", "", budget, cell],
              failed=None if passed else f"the suite would take {seconds(projected)} with {chapters_planned} chapters")
    return table


def jupyter_book() -> str:
    """The ``jupyter-book`` executable next to this Python, else the one on ``PATH``."""
    local = Path(sys.executable).with_name("jupyter-book")
    return str(local) if local.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def executions(lines: Sequence[str]) -> int:
    """How many notebooks a build's output says it executed (none if it read none)."""
    return sum(int(found[0]) for line in lines for found in EXECUTED.findall(line))


def bench_build(book: Path) -> Table:
    """Time the README's build in ``book``, a fresh copy: cold, then as an author rebuilds after editing one
    chapter's prose, then one of its code cells. The site lands in ``book / "_build" / "html"``."""
    table = Table("Book build: `jupyter-book build . -W`, the README's command",
                  ["build", "time", "notebooks executed", "budget", "result"],
                  note="In a fresh copy of the book (no _build/, so no cache); then in the same copy after the "
                       "edit named, as an author rebuilds. A prose edit adds a word to a Markdown cell, a code edit "
                       "a comment line to a code cell; the chapter edited is the one with the most cells.")
    command = [jupyter_book(), "build", ".", "-W"]
    largest = max(toc_chapters(book), key=lambda path: len(json.loads(path.read_text(encoding="utf-8"))["cells"]))
    steps = [("cold (every notebook executed)", None, None), ("again, nothing changed", None, None),
             (f"after a prose edit ({largest.stem})", "markdown", REBUILD_BUDGET_S),
             (f"after a code edit ({largest.stem})", "code", None)]
    for name, edit, budget in steps:
        if edit:
            edit_chapter(largest, edit)
        elapsed, status, lines = run_command(command, book)
        if status != 0:
            table.add([name, seconds(elapsed), "", "", "**FAIL** (build failed)"],
                      failed=f"book build ({name}) exited with status {status}: {last_line(lines)[:200]}")
            break
        if budget is None:
            table.add([name, seconds(elapsed), str(executions(lines)), "", ""])
            continue
        cell, passed = verdict(elapsed, budget)
        table.add([name, seconds(elapsed), str(executions(lines)), f"< {budget:g} s", cell],
                  failed=None if passed else f"the rebuild {name} took {seconds(elapsed)}")
    return table


def built_site(book: Path) -> Path:
    """Where ``jupyter-book build`` in ``book`` puts the website."""
    return book / "_build" / "html"


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
    """A playground's run settings in words: ``moons, 16 tanh units, 100 epochs, batch 32, lr 0.5``.

    Label noise, a held-out share and an L2 rate are named when they are not 0.
    """
    if not settings:
        return "settings unknown"
    extras = [f"{words} {settings[name]:g}" for name, words in
              (("noise", "label noise"), ("held_out", "held out"), ("weight_decay", "L2"))
              if settings.get(name)]
    return ", ".join([f"{settings['data']}", f"{settings['n_hidden']} {settings['activation']} units",
                      f"{settings['epochs']} epochs", f"batch {settings['batch_size']}",
                      f"lr {settings['lr']:g}", *extras])


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


def ratio_cells(result: dict[str, Any], limit: float | None) -> tuple[list[str], bool, float]:
    """The cells of a NumPy-against-PyTorch timing and its verdict against ``limit`` (``None``: no budget).

    Returns the cells (NumPy and PyTorch min / median, the ratios, the budget,
    the result), whether it passed, and the ratio of the minima.
    """
    np_s, torch_s = result["numpy"], result["torch"]
    ratio_min, ratio_median = np_s["min"] / torch_s["min"], np_s["median"] / torch_s["median"]
    if limit is None:
        cell, passed, budget = "", True, ""
    else:
        (cell, passed), budget = verdict(ratio_min, limit), f"≤ {limit:g}"
    return ([f"{seconds(np_s['min'])} / {seconds(np_s['median'])}",
             f"{seconds(torch_s['min'])} / {seconds(torch_s['median'])}",
             f"{ratio_min:.2f}; {ratio_median:.2f}", budget, cell], passed, ratio_min)


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
            limit = MLP_RATIO_BUDGET.get((r["batch"], r["n_hidden"]))
            cells, passed, ratio = ratio_cells(r, limit)
            table.add([f"{r['n_in']} → {r['n_out']}", str(r["batch"]), str(r["n_hidden"]), r["dtype"],
                       str(run["threads"]), *cells],
                      failed=None if passed else f"MLP step {r['n_in']}→{r['n_out']}, batch {r['batch']}, hidden "
                                                 f"{r['n_hidden']}, {r['dtype']}, {run['threads']} thread(s): "
                                                 f"NumPy/PyTorch {ratio:.2f} > {limit:g}")
    return table


def cnn_table(runs: list[dict[str, Any]]) -> Table:
    """The CNN step table from one :mod:`benchmarks.cnn_step` result per thread count."""
    table = Table("One training step of chapter 10's CNN: dlbook.numpy against PyTorch (CPU)",
                  ["network", "batch", "dtype", "threads", "NumPy min / median", "PyTorch min / median",
                   "NumPy / PyTorch (min; median)", "budget", "result"],
                  note="Step: forward (two 3 x 3 convolutions with ReLU and 2 x 2 max pooling, a linear layer), "
                       "softmax cross-entropy, backward, SGD update (PyTorch: nn.Conv2d, F.relu, F.max_pool2d, "
                       "nn.Linear, F.cross_entropy, backward, optim.SGD.step); 8 x 8 images; repeats of the two "
                       "interleaved; the budget is checked on the ratio of the minima.")
    for run in runs:
        for r in run["results"]:
            limit = CNN_RATIO_BUDGET.get(r["batch"])
            cells, passed, ratio = ratio_cells(r, limit)
            c1, c2 = r["channels"]
            table.add([f"{r['side']} × {r['side']} → {c1}, {c2} channels → 10", str(r["batch"]), r["dtype"],
                       str(run["threads"]), *cells],
                      failed=None if passed else f"CNN step, batch {r['batch']}, {r['dtype']}, {run['threads']} "
                                                 f"thread(s): NumPy/PyTorch {ratio:.2f} > {limit:g}")
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
    parser.add_argument("--skip-chapter-cost", action="store_true",
                        help="time the test suite once, with every chapter, not again with one (no cost per chapter)")
    parser.add_argument("--chapters-planned", type=int, default=10,
                        help="the number of chapters the suite's time is projected to (default 10)")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-explorers", action="store_true", help="do not measure the explorers in Chromium")
    parser.add_argument("--skip-lighthouse", action="store_true",
                        help="do not run Lighthouse's mobile test on every page")
    parser.add_argument("--lighthouse-runs", type=int, default=1,
                        help="Lighthouse runs per page, the median kept (default 1)")
    parser.add_argument("--skip-mlp", action="store_true")
    parser.add_argument("--skip-cnn", action="store_true", help="do not time chapter 10's CNN step")
    parser.add_argument("--site", type=Path, default=None,
                        help="the built site whose explorers to measure (default: the one the build section just "
                             "built, or _build/html when that section is skipped)")
    parser.add_argument("--moves", type=int, default=None, help="timed moves per control (default 50, quick 20)")
    parser.add_argument("--train-runs", type=int, default=None,
                        help="presses of the playground's Train button, and timed runs of its training "
                             "(default 3, quick 1)")
    parser.add_argument("--threads", default="1",
                        help="comma-separated thread counts for the MLP and CNN steps, e.g. 1,2 (default 1: both "
                             "backends on one core, the most reproducible)")
    parser.add_argument("--notebook-repeats", type=int, default=None, help="runs per notebook (default 2, quick 1)")
    parser.add_argument("--mlp-repeats", type=int, default=None,
                        help="repeats per MLP and per CNN step (default 30, quick 10)")
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

    with tempfile.TemporaryDirectory(prefix="dlbook-bench-") as work:
        site = args.site or ROOT / "_build" / "html"
        if not args.skip_notebooks:
            section(*bench_section("Notebooks", ["notebook", "runs", "min", "median", "budget", "result"],
                                  lambda: bench_notebooks(notebook_repeats)))
        if not args.skip_build:
            book = Path(work) / "build"
            section(*bench_section("Book build", ["command", "result"],
                                   lambda: bench_build(copy_book(book))))
            if args.site is None:  # measure the site just built, even if the build failed (then it says so)
                site = built_site(book)
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
        if not args.skip_cnn:
            cnn_args = ["--repeats", str(mlp_repeats), "--dtypes", dtypes]
            section(*bench_section("CNN step", ["configuration", "result"],
                                  lambda: cnn_table([run_worker("benchmarks.cnn_step",
                                                                [*cnn_args, "--threads", str(t)], t)
                                                     for t in threads])))
        if not args.skip_tests:
            section(*bench_section("Test suite", ["command", "result"], lambda: bench_test_suite(
                test_command, copy_book(Path(work) / "suite"), chapter_cost=not args.skip_chapter_cost,
                chapters_planned=args.chapters_planned)))

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
