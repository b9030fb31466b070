"""The chapters' notebook tests (nbval), and their execution kept for the website: one execution per chapter.

Loaded by the root ``conftest.py`` (as a plugin, in pytest-xdist's controller and
workers alike). It does two things:

* only the notebooks of ``_toc.yml`` are collected as notebook tests
  (:func:`pytest_ignore_collect`): a leftover such as
  ``chapters/04_loss_functions.nbconvert.ipynb`` is not a chapter;
* while nbval runs a chapter, one test per code cell in one kernel, every message
  the kernel sends about a cell is handed to nbclient's ``NotebookClient``, which
  makes of it the cell's outputs and the notebook's widget state (the explorers'
  saved state, ``metadata.widgets``) exactly as it does when it executes a notebook
  itself, as myst-nb has it do for the website (:class:`ChapterRun`). When every
  cell of the chapter has passed, the executed notebook is stored in the book's
  jupyter-cache for the present state of ``dlbook/``, ``js/`` and the installed
  packages (``_ext/dlbook_execution.py``), marked with this test run's id. The
  website built next (``tests/parallel.py``) takes every chapter from there and
  executes none; ``tests/test_site.py`` checks that it did.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Generator

import nbformat
import pytest
import yaml
from filelock import FileLock
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbval.plugin import IPyNbCell

from tests.book import ROOT, toc_files

#: This test run's id: pytest-xdist's (the same in every worker), or this process's own.
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
#: How an execution stored by this plugin is marked in its cache record (``record.data``).
EXECUTED_BY = "nbval"


@functools.cache
def execution_extension() -> ModuleType:
    """``_ext/dlbook_execution.py``, the book's Sphinx extension that keys the cache (not a package module)."""
    spec = importlib.util.spec_from_file_location("dlbook_execution", ROOT / "_ext" / "dlbook_execution.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def caches(book: Path) -> Path:
    """Where myst-nb keeps its jupyter-cache for a build of ``book`` into ``_build/html``;
    ``_ext/dlbook_execution.py`` gives each fingerprint of the notebooks' inputs a folder inside."""
    return book / "_build" / ".jupyter_cache"


def open_cache(folder: Path) -> Any:
    """The jupyter-cache in ``folder``, whose database this process waits its turn at while another holds it
    (``_ext/dlbook_execution.py``'s ``wait_for_locks``): workers store and read executions, the build reads them."""
    from jupyter_cache import get_cache

    execution_extension().wait_for_locks()
    return get_cache(folder)


def cache_folder(book: Path = ROOT) -> Path:
    """The jupyter-cache that a build of ``book`` uses for its tree as it is now."""
    return execution_extension().cache_folder(caches(book), book)


@functools.cache
def book_notebooks(book: Path) -> frozenset[Path]:
    """The notebooks that ``book``'s ``_toc.yml`` names: its chapters."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8")) if (book / "_toc.yml").is_file() else {}
    return frozenset(path.resolve() for name in toc_files(toc) if (path := book / f"{name}.ipynb").is_file())


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Collect as notebook tests only the chapters in the book's ``_toc.yml`` (the book: pytest's rootdir)."""
    if collection_path.suffix == ".ipynb" and collection_path.resolve() not in book_notebooks(config.rootpath):
        return True
    return None


# ----------------------------------------------------------------------------------------------
# nbval's execution of a chapter, as nbclient would have made it

def language_info(kernel: Any) -> dict[str, Any]:
    """The kernel's ``language_info`` (what nbclient writes into an executed notebook's metadata)."""
    msg_id = kernel.kc.kernel_info()
    while True:
        reply = kernel.kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["language_info"]


class ChapterRun:
    """nbval's run of the chapter at ``path`` in ``kernel`` (an ``nbval.kernel.RunningKernel``), recorded.

    nbval sends each code cell with the kernel's ``execute_cell_input`` and reads
    what the kernel publishes with ``get_message``; both are wrapped here, so
    that every message about a cell reaches nbclient's message handling
    (``NotebookClient.process_message``: outputs, ``clear_output``, display
    updates, widget comms). nbclient numbers the cells it runs from 1 and runs
    no blank cell; so does this. nbval itself is left as it is. (nbval sends
    cells with ``store_history=False``, so the kernel numbers none of them.)
    """

    def __init__(self, book: Path, path: Path, kernel: Any) -> None:
        self.book, self.path = book, path
        self.notebook = nbformat.read(path, as_version=4)
        #: nbval's cell numbers (code cells only, in order) -> index among all cells.
        self.code_cells = [index for index, cell in enumerate(self.notebook.cells) if cell.cell_type == "code"]
        # Handles messages and starts no kernel of its own; set as jupyter-cache sets it for myst-nb.
        self.client = NotebookClient(self.notebook, record_timing=False)
        self.client.kc = kernel.kc  # an output widget answers the kernel, as a frontend does
        self.notebook.metadata["language_info"] = language_info(kernel)
        self.cells_of: dict[str, int] = {}  # message id of an execute request -> nbval's cell number
        self.running: int | None = None
        self.passed: list[int] = []
        self.executed = 0
        self.started = time.perf_counter()
        self.failed = False
        self._tap(kernel)

    def _tap(self, kernel: Any) -> None:
        execute: Callable[..., str] = kernel.execute_cell_input
        get_message: Callable[..., dict[str, Any]] = kernel.get_message

        def execute_cell_input(source: str, allow_stdin: bool | None = None) -> str:
            msg_id = execute(source, allow_stdin=allow_stdin)
            if self.running is not None:
                self.cells_of[msg_id] = self.running
            return msg_id

        def get_message_recorded(stream: str, timeout: float | None = None) -> dict[str, Any]:
            msg = get_message(stream, timeout=timeout)
            if stream == "iopub":
                self.receive(msg)
            return msg

        kernel.execute_cell_input = execute_cell_input
        kernel.get_message = get_message_recorded

    def cell(self, number: int) -> nbformat.NotebookNode:
        return self.notebook.cells[self.code_cells[number]]

    def start(self, number: int) -> None:
        """nbval is about to run code cell ``number``."""
        self.running = number
        self.cell(number).outputs = []
        self.client.clear_before_next_output = False

    def receive(self, msg: dict[str, Any]) -> None:
        """One message from the kernel's IOPub channel, as nbval reads it."""
        number = self.cells_of.get(msg["parent_header"].get("msg_id"))
        if number is None:
            return
        try:
            self.client.process_message(msg, self.cell(number), self.code_cells[number])
        except CellExecutionComplete:  # the kernel is idle again: the cell is done
            pass

    def finish(self, number: int, passed: bool) -> None:
        """nbval has run code cell ``number``; its test passed or not (then the chapter is marked failed)."""
        self.running = None
        if not passed:
            self.failed = True
            marker = failure_marker(self.book, self.path)
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
            return
        cell = self.cell(number)
        if cell.source.strip():
            self.executed += 1
            cell.execution_count = self.executed
        else:  # nbclient does not run a blank cell
            cell.execution_count, cell.outputs = None, []
        for output in cell.outputs:
            if output["output_type"] == "execute_result":
                output["execution_count"] = cell.execution_count
        self.passed.append(number)

    @property
    def complete(self) -> bool:
        """Every code cell ran, in order, and passed."""
        return not self.failed and self.passed == list(range(len(self.code_cells)))

    def store(self) -> None:
        """Put the executed notebook into the book's jupyter-cache (replacing any execution of the same code)."""
        from jupyter_cache.base import CacheBundleIn

        self.client.set_widgets_metadata()
        folder = cache_folder(self.book)
        data = {"execution_seconds": round(time.perf_counter() - self.started, 2), "executed_by": EXECUTED_BY,
                "test_run": RUN}
        folder.mkdir(parents=True, exist_ok=True)
        with FileLock(caches(self.book) / "store.lock"):  # parallel workers: one writer of the database at a time
            open_cache(folder).cache_notebook_bundle(
                CacheBundleIn(self.notebook, str(self.path), data=data), check_validity=False, overwrite=True)


def failure_marker(book: Path, path: Path) -> Path:
    """The file that says a cell of the chapter at ``path`` failed in this test run."""
    return caches(book) / "failed" / f"{RUN}-{path.stem}"


def cached_execution(path: Path, book: Path = ROOT, folder: Path | None = None) -> nbformat.NotebookNode | None:
    """The execution of the chapter at ``path``, as it is now, that the book's jupyter-cache holds (None if none).

    ``folder``: the cache of the present state of ``dlbook/``, ``js/`` and the installed packages
    (:func:`cache_folder`, which this computes if not given).
    """
    folder = folder or cache_folder(book)
    if not (folder / "global.db").is_file():
        return None
    cache = open_cache(folder)
    try:
        record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
    except KeyError:
        return None
    return cache.get_cache_bundle(record.pk).nb


def wait_for_execution(path: Path, timeout: float = 600.0) -> nbformat.NotebookNode | None:
    """This test run's nbval runs the chapter at ``path``: wait until its execution is in the cache, or one of
    its cells has failed (None then, or after ``timeout`` seconds: a crashed worker)."""
    folder, deadline = cache_folder(ROOT), time.monotonic() + timeout
    while (executed := cached_execution(path, ROOT, folder)) is None:
        if failure_marker(ROOT, path).exists() or time.monotonic() > deadline:
            return None
        time.sleep(0.5)
    return executed


def chapter_run(item: pytest.Item) -> ChapterRun | None:
    """The recording of the chapter whose code cell ``item`` is (None for other tests)."""
    return getattr(item.parent, "dlbook_run", None) if isinstance(item, IPyNbCell) else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Once nbval has started a chapter's kernel (before its first cell): start recording."""
    result = yield
    book = item.config.rootpath
    if isinstance(item, IPyNbCell) and chapter_run(item) is None and item.path.resolve() in book_notebooks(book):
        item.parent.dlbook_run = ChapterRun(book, item.path, item.parent.kernel)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Record the cell nbval runs; after the last one, if all passed, store the executed chapter."""
    run = chapter_run(item)
    if run is None:
        return (yield)
    run.start(item.cell_num)
    try:
        result = yield
    except BaseException:
        run.finish(item.cell_num, passed=False)
        raise
    run.finish(item.cell_num, passed=True)
    if run.complete:
        run.store()
    return result
