"""Shared fixtures: the website, built once per test session, and Debian's Chromium to look at it."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import settings
from playwright.sync_api import Browser, sync_playwright

from tests.book import TOC_FILES  # noqa: F401 (the tests import it from here)
from tests.parallel import BUILD, build_files, build_site, save_outcome, testrun

ROOT = Path(__file__).resolve().parents[1]

#: Hypothesis draws the same examples on every run, so the README's test command gives one verdict per
#: commit (a random draw once found, after many passing runs, a rounding edge in test_optim). Authors who want
#: new examples each run set HYPOTHESIS_PROFILE=explore.
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

#: Chromium from the operating system's packages (Playwright's own browser download is not used):
#: Debian's ``chromium-headless-shell`` where it is installed, the same Blink without the desktop
#: browser around it, which ran the website's tests of three pages with a third less CPU (97 CPU
#: seconds of Chromium's against 66, 2026-12-06); else the whole ``chromium``.
CHROMIUM = next(filter(None, map(shutil.which, ("chromium-headless-shell", "chromium", "chromium-browser"))), None)
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed when running as root (CI)
    "--disable-gpu",
    "--disable-background-networking",  # no update checks, sync or field trials: no outside requests
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
NO_CHROMIUM = ("browser tests need Chromium from the operating system's packages: "
               "apt-get install -y chromium chromium-headless-shell")


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


#: Markers that name the long passes, by a fixture they need (``-m "not browser"`` leaves them out).
PASS_MARKERS = {"chromium": "browser", "site_build": "browser", "colab": "colab"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of the browser passes (the website, live JupyterLab) and of the Colab-like runtime."""
    for item in items:
        for marker in {PASS_MARKERS[name] for name in getattr(item, "fixturenames", ()) if name in PASS_MARKERS}:
            item.add_marker(marker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item (``item.report_call``) so fixtures can see failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
