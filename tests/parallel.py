"""Running the test suite on parallel workers (pytest-xdist) within its time budget.

Loaded by the root ``conftest.py`` in the controller and in every worker. It
does three things:

* groups the tests so that tests sharing a costly fixture run on one worker:
  a notebook's cells share one kernel (nbval); the website's tests share one
  browser page per visit, so each page is a group of its own and the pages
  spread over the workers; each chapter's live run in JupyterLab is a group of
  its own too, so that the longest pass spreads over the workers (a worker
  starts JupyterLab once for the chapters it runs in a row); every other file
  runs whole (:func:`work_unit`);
* orders the groups: the chapters' notebook tests first, the longest (the last
  chapter) first, so that the website's build, which waits for them, starts as
  early as it can; then the Colab-like runtime, the longest group, and the
  chapters in JupyterLab, in the same order (each waits for its chapter's
  notebook test, whose execution it checks its explorers against); the other
  files; the website's pages last, built by then
  (:func:`pytest_collection_finish`);
* builds the website in the controller, in the background, as soon as the last
  chapter's notebook test is done (:class:`BackgroundBuild`): the build takes
  every chapter's outputs and widget state from nbval's execution of it, which
  ``tests/notebook_runs.py`` has stored in the book's jupyter-cache, and
  executes nothing. ``tests/conftest.py``'s ``site_build`` fixture picks up its
  outcome.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
BUILD_COMMAND = [
    str(Path(sys.executable).with_name("jupyter-book")),
    "build", str(ROOT), "--builder", "html", "--all", "-W", "--keep-going",
]

#: The order in which the workers take the groups (by the group's kind, then as collected): the
#: notebooks, which the website's build waits for, first; the longest groups next; the website last.
ORDER = {"notebook": 0, "tests/test_wheel_install.py": 1, "tests/test_live_jupyterlab.py": 2, "file": 3, "site": 4}
LIVE_JUPYTERLAB = "tests/test_live_jupyterlab.py"


def work_unit(nodeid: str) -> str:
    """The group of a test, from its id: a website page, a chapter in live JupyterLab, or else its file."""
    path = nodeid.split("::", 1)[0]
    page = re.search(r"\[([^\[\]]+\.html)\]$", nodeid)
    if path.startswith("tests/test_site") and page:
        return f"site:{page[1]}"
    chapter = re.search(r"\[(\d+)_\w+\]$", nodeid)
    if path == LIVE_JUPYTERLAB and chapter:
        return f"{path}:{chapter[1]}"
    return path


def running_order(nodeid: str) -> tuple[int, int]:
    """Where a test's group comes in the run: by its kind, then a later chapter (longer) first, both its notebook
    test and its live run in JupyterLab (which waits for that chapter's notebook test)."""
    unit = work_unit(nodeid)
    chapter = re.search(r"(?:^chapters/|:)(\d+)(?:_\w+\.ipynb)?$", unit)
    return ORDER[kind(nodeid)], -int(chapter[1]) if chapter else 0


def kind(nodeid: str) -> str:
    unit = work_unit(nodeid)
    if unit.startswith("site:") or unit.startswith("tests/test_site"):
        return "site"
    if unit.endswith(".ipynb"):
        return "notebook"
    if unit.startswith(LIVE_JUPYTERLAB):
        return LIVE_JUPYTERLAB
    return unit if unit in ORDER else "file"


class BookScheduling(LoadScopeScheduling):
    """pytest-xdist's scope scheduling with the book's groups (:func:`work_unit`), taken in collection order."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        config.option.loadscopereorder = False  # keep the order of pytest_collection_finish below
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> BookScheduling:
    return BookScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Put the groups in running order before a worker reports its tests to the controller."""
    session.items.sort(key=lambda item: running_order(item.nodeid))


# ----------------------------------------------------------------------------------------------
# The website, built once per run


def build_site() -> dict[str, Any]:
    """Build the book into ``_build/html`` (warnings are errors): its log and exit status.

    Every page is read again (``--all``); a notebook whose execution is in the cache is not executed.
    """
    shutil.rmtree(BUILD / "html", ignore_errors=True)
    result = subprocess.run(BUILD_COMMAND, cwd=ROOT, capture_output=True, text=True, check=False)
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # drop terminal colours
    return {"log": log, "returncode": result.returncode}


def build_files(run: str) -> tuple[Path, Path]:
    """Where the build of test run ``run`` is announced (the controller will build), and where its outcome is kept."""
    return BUILD / f"site-build-{run}.started", BUILD / f"site-build-{run}.json"


def save_outcome(outcome: Path, built: dict[str, Any]) -> None:
    """Write the build's outcome so that it appears whole or not at all."""
    partial = outcome.with_suffix(".part")
    partial.write_text(json.dumps(built), encoding="utf-8")
    partial.rename(outcome)


class BackgroundBuild:
    """In pytest-xdist's controller: build the website in a thread once every chapter's notebook test is done.

    Registered when the workers have collected the tests, if a test of the
    website is among them. It waits for the last report of every code cell of
    every chapter (their teardown, or a crashed worker's report), so that the
    build finds each chapter's execution in the cache; with no notebook test in
    the run it builds at once (and executes what the cache lacks).
    """

    def __init__(self, run: str, notebook_tests: set[str]) -> None:
        self.waiting = set(notebook_tests)
        announced, self.outcome = build_files(run)
        BUILD.mkdir(exist_ok=True)
        for stale in BUILD.glob("site-build-*"):
            stale.unlink()
        announced.touch()  # the workers' site_build fixture now waits for the outcome
        self.thread: threading.Thread | None = None
        if not self.waiting:
            self.start()

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=lambda: save_outcome(self.outcome, build_site()),
                                           name="website build")
            self.thread.start()

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when in ("teardown", "???") and report.nodeid in self.waiting:  # "???": a crashed worker's
            self.waiting.discard(report.nodeid)
            if not self.waiting:
                self.start()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """In the controller: once the tests are known, plan the website's build, if a test needs it."""
    config = node.config
    if config.pluginmanager.has_plugin("dlbook-background-build"):
        return
    if not any(kind(nodeid) == "site" for nodeid in ids):
        return
    notebook_tests = {nodeid for nodeid in ids if kind(nodeid) == "notebook"}
    config.pluginmanager.register(BackgroundBuild(node.workerinput["testrunuid"], notebook_tests),
                                  "dlbook-background-build")


def testrun() -> str | None:
    """The id of this parallel test run, in a worker (None outside pytest-xdist)."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID")
