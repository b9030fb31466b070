"""Running the test suite on parallel workers (pytest-xdist) within its time budget.

Loaded by the root ``conftest.py`` in the controller and in every worker. It
does three things:

* groups the tests so that tests sharing a costly fixture run on one worker:
  a notebook's cells share one kernel (nbval); the website's tests share one
  browser page per visit, so each page is a group of its own and the pages
  spread over the workers; every other file runs whole (:func:`work_unit`);
* orders the groups: the long live runs in JupyterLab and the Colab-like runtime
  first, the website's pages last (:func:`pytest_collection_finish`);
* starts building the website in the controller as soon as the tests are known,
  so that no worker waits for it (:func:`pytest_xdist_node_collection_finished`);
  ``tests/conftest.py``'s ``site_build`` fixture picks up its outcome.
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

#: The order in which the workers take the groups (by the group's kind, then as collected).
ORDER = {"tests/test_live_jupyterlab.py": 0, "tests/test_wheel_install.py": 1, "file": 2, "notebook": 3, "site": 4}


def work_unit(nodeid: str) -> str:
    """The group of a test, from its id: a website page, or else its file."""
    path = nodeid.split("::", 1)[0]
    page = re.search(r"\[([^\[\]]+\.html)\]$", nodeid)
    if path.startswith("tests/test_site") and page:
        return f"site:{page[1]}"
    return path


def kind(nodeid: str) -> str:
    unit = work_unit(nodeid)
    if unit.startswith("site:") or unit.startswith("tests/test_site"):
        return "site"
    if unit.endswith(".ipynb"):
        return "notebook"
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
    session.items.sort(key=lambda item: ORDER[kind(item.nodeid)])


# ----------------------------------------------------------------------------------------------
# The website, built once per run


def build_site() -> dict[str, Any]:
    """Build the book into ``_build/html`` (every page executed; warnings are errors): its log and exit status."""
    shutil.rmtree(BUILD / "html", ignore_errors=True)
    result = subprocess.run(BUILD_COMMAND, cwd=ROOT, capture_output=True, text=True, check=False)
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # drop terminal colours
    return {"log": log, "returncode": result.returncode}


def build_files(run: str) -> tuple[Path, Path]:
    """Where the build of test run ``run`` is announced as started, and where its outcome is kept."""
    return BUILD / f"site-build-{run}.started", BUILD / f"site-build-{run}.json"


def save_outcome(outcome: Path, built: dict[str, Any]) -> None:
    """Write the build's outcome so that it appears whole or not at all."""
    partial = outcome.with_suffix(".part")
    partial.write_text(json.dumps(built), encoding="utf-8")
    partial.rename(outcome)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """In the controller: once the tests are known, build the website in a thread, if a test needs it."""
    run = node.workerinput["testrunuid"]
    started, outcome = build_files(run)
    if started.exists() or not any(nodeid.startswith("tests/test_site") for nodeid in ids):
        return
    BUILD.mkdir(exist_ok=True)
    for stale in BUILD.glob("site-build-*"):
        stale.unlink()
    started.touch()
    threading.Thread(target=lambda: save_outcome(outcome, build_site()), name="website build").start()


def testrun() -> str | None:
    """The id of this parallel test run, in a worker (None outside pytest-xdist)."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID")
