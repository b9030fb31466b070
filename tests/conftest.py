"""Shared fixtures: the website, built once per test session, and Debian's Chromium to look at it."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from filelock import FileLock
from playwright.sync_api import Browser, sync_playwright

from tests.parallel import BUILD, build_files, build_site, save_outcome, testrun

ROOT = Path(__file__).resolve().parents[1]

#: Chromium from the operating system's packages (Playwright's own browser download is not used).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed when running as root (CI)
    "--disable-gpu",
    "--disable-background-networking",  # no update checks, sync or field trials: no outside requests
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
NO_CHROMIUM = "browser tests need Chromium from the operating system's packages: apt-get install -y chromium"


def toc_files(entry: Any) -> list[str]:
    """Every ``file:`` (and the ``root:``) named anywhere in a table of contents, in order."""
    if isinstance(entry, list):
        return [name for item in entry for name in toc_files(item)]
    if not isinstance(entry, dict):
        return []
    own = [entry[key] for key in ("root", "file") if key in entry]
    nested = [value for key, value in entry.items() if key not in ("root", "file")]
    return own + [name for value in nested for name in toc_files(value)]


#: The book's pages in reading order, as paths without suffix (``chapters/02_perceptron``).
TOC_FILES = toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))


@dataclass(frozen=True)
class SiteBuild:
    """The outcome of ``jupyter-book build``: where the HTML is, the log and the exit status."""

    html: Path
    log: str
    returncode: int


@pytest.fixture(scope="session")
def site_build() -> SiteBuild:
    """The book built once per test run, shared by the parallel workers (pytest-xdist) of that run.

    In a parallel run the controller builds it in the background from the
    start (``tests/parallel.py``); the workers wait for its outcome. Otherwise
    the first process that needs it builds it, holding a lock, and any other
    reads its outcome.
    """
    run = testrun()
    if run is None:  # one process: nothing to share
        return SiteBuild(html=BUILD / "html", **build_site())
    started, outcome = build_files(run)
    if started.exists():
        deadline = time.monotonic() + 900
        while not outcome.exists():
            assert time.monotonic() < deadline, "the background build of the site did not finish in 15 minutes"
            time.sleep(0.5)
    else:
        BUILD.mkdir(exist_ok=True)
        with FileLock(BUILD / "site-build.lock"):
            if not outcome.exists():
                save_outcome(outcome, build_site())
    return SiteBuild(html=BUILD / "html", **json.loads(outcome.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def site(site_build: SiteBuild) -> Path:
    """The built ``_build/html`` folder; tests that use it fail with the build log if the build failed."""
    if site_build.returncode != 0:
        pytest.fail(f"jupyter-book build failed (exit {site_build.returncode}):\n{site_build.log[-8000:]}")
    return site_build.html


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright, one per test module; skips the test where none is installed."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item (``item.report_call``) so fixtures can see failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
