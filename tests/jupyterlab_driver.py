"""Drive a real JupyterLab from a test: start the server, open notebooks in Chromium, touch widgets.

Used by ``tests/test_live_jupyterlab.py``. The server is started with the very
command the README tells readers to type (read from the README itself), plus
only what a test needs: a free port, a random token, no browser of its own and
throw-away settings folders. The browser is Debian's Chromium driven by
Playwright for Python (the ``chromium`` fixture of ``tests/conftest.py``).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from matplotlib.image import imread
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# JupyterLab settings for a test run: every cell attached to the page (no windowing, so
# every output is in the DOM), no autosave, no news pop-up over the widgets.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}


LAB_COMMAND = re.compile(r"^(?:\$\s*)?((?:python3? -m )?jupyter lab\b.*)$")


def readme_lab_command(readme: Path) -> list[str]:
    """The ``jupyter lab ...`` command line that the README tells readers to type, split into words.

    Raises ``ValueError`` when no line of the README starts with ``jupyter lab``
    (or ``python -m jupyter lab``).
    """
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = LAB_COMMAND.match(line.strip())
        if match:
            return shlex.split(match.group(1), comments=True)
    raise ValueError(f"{readme} has no line starting with 'jupyter lab': the README must say how to open the book")


def project_command(words: list[str]) -> list[str]:
    """``words`` (a ``jupyter lab ...`` command) run by this Python environment's own Jupyter."""
    rest = words[1:] if words[0] == "jupyter" else words[3:]
    return [sys.executable, "-m", "jupyter", *rest]


def server_root(words: list[str], workdir: Path) -> Path:
    """The folder a ``jupyter lab [folder]`` command run in ``workdir`` serves (its first positional argument)."""
    folders = [word for word in words[2 if words[0] == "jupyter" else 4:] if not word.startswith("-")]
    return (workdir / folders[0]).resolve() if folders else workdir.resolve()


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class JupyterLab:
    """JupyterLab started by the reader's command ``words`` in ``workdir``; stop it with :meth:`stop`.

    ``words`` is a ``jupyter lab [folder]`` command line (see :func:`readme_lab_command`);
    it is run by this environment's Python with test-only options added.
    :attr:`root` is the folder it serves. Kernels import from ``pythonpath`` first.

    The server and everything it starts (kernels run in sessions of their own)
    are tracked by process id, so :meth:`stop` leaves no stray process behind.
    """

    def __init__(self, words: list[str], workdir: Path, pythonpath: Path, timeout: float = 60.0) -> None:
        self.workdir, self.root = workdir, server_root(words, workdir)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        state = workdir / ".jupyter-test"
        settings = state / "settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        env = dict(os.environ)
        env.update(
            # The kernels import dlbook from the repository under test, not from wherever it is installed.
            PYTHONPATH=os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")])),
            JUPYTER_CONFIG_DIR=str(state / "config"), JUPYTER_DATA_DIR=str(state / "data"),
            JUPYTER_RUNTIME_DIR=str(state / "runtime"), IPYTHONDIR=str(state / "ipython"),
        )
        self.command = [
            *project_command(words), "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={state / 'workspaces'}",
            *(["--allow-root"] if os.geteuid() == 0 else []),  # containers and CI often run as root
        ]
        self.log_path = state / "server.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self._family: dict[int, psutil.Process] = {}
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def log(self) -> str:
        """The server's output so far (for failure messages)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _wait_ready(self, timeout: float) -> None:
        """Poll the REST API until the server answers; raise if it exits or ``timeout`` s pass."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n{self.log()}")
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        raise TimeoutError(f"JupyterLab did not answer on {self.url} within {timeout:.0f} s:\n{self.log()}")

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API (``path`` like ``/api/sessions``); the decoded JSON answer, or None."""
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def remember_children(self) -> None:
        """Record every process the server has started so far (its kernels), to be sure to end them."""
        if self.process.poll() is None:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                self._family[child.pid] = child

    def shutdown_kernels(self) -> None:
        """Shut down every running kernel through the REST API (the notebook's own 'Shut Down Kernel')."""
        self.remember_children()
        for kernel in self.api("GET", "/api/kernels"):
            self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def stop(self, timeout: float = 10.0) -> list[str]:
        """Stop the server and its kernels; returns the processes that outlived the server (empty when clean).

        SIGTERM goes to the server's process group (the server then shuts its
        kernels down), SIGKILL after ``timeout`` s. Any kernel still running after
        that is terminated, and killed if it does not end within ``timeout`` s.
        """
        self.remember_children()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        self._log.close()
        leftovers = {p: _describe(p) for p in self._family.values() if _alive(p)}
        for p in leftovers:
            p.terminate()
        _, alive = psutil.wait_procs(list(leftovers), timeout=timeout)
        for p in alive:
            p.kill()
        return [f"pid {p.pid} ({command})" for p, command in leftovers.items()]


def _describe(process: psutil.Process) -> str:
    """The start of ``process``'s command line (or a note that it has just ended)."""
    try:
        return " ".join(process.cmdline()[:4])
    except psutil.NoSuchProcess:
        return "ended meanwhile"


def _alive(process: psutil.Process) -> bool:
    """True while ``process`` runs (a zombie waiting for its parent does not count)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# ---------------------------------------------------------------- notebook page


#: The notebook in front (JupyterLab hides the panels of other tabs).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

KERNEL_STATE = f"""() => {{
    const indicator = document.querySelector('{PANEL} .jp-Notebook-ExecutionIndicator');
    const name = document.querySelector('{PANEL} .jp-Toolbar-kernelName');
    return indicator && name && name.textContent.trim() !== 'No Kernel' ? indicator.dataset.status : null;
}}"""

CELLS_DONE = f"""() => {{
    const prompts = [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputPrompt')]
        .map(p => p.textContent);
    return !prompts.some(p => p.includes('*')) && prompts.some(p => /\\d/.test(p));
}}"""


def open_notebook(page: Page, lab: JupyterLab, notebook: Path, timeout: float = 120_000) -> str:
    """Open ``notebook`` (a file under the server's root) and wait until its kernel is idle; its server path.

    ``reset`` starts from an empty workspace, so no tab from an earlier page is reopened.
    """
    path = notebook.resolve().relative_to(lab.root).as_posix()
    page.goto(f"{lab.url}/lab/tree/{path}?reset&token={lab.token}")
    wait_kernel_idle(page, timeout)
    return path


def wait_kernel_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the notebook has a kernel and the toolbar's kernel status says idle."""
    page.wait_for_function(f"() => ({KERNEL_STATE})() === 'idle'", timeout=timeout)


def menu(page: Page, title: str, command: str) -> None:
    """Click ``title`` in the menu bar, then the item that runs ``command`` (a JupyterLab command id)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{title}$")).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").click()


def run_all_cells(page: Page, timeout: float = 180_000) -> None:
    """Menu 'Run > Run All Cells', as a reader would, then wait until no cell is left running.

    Execution stops at the first error, so cells below an error stay unnumbered.
    """
    menu(page, "Run", "runmenu:run-all")
    page.wait_for_function(CELLS_DONE, timeout=timeout)
    wait_kernel_idle(page, timeout)


def save_notebook(page: Page, timeout: float = 30_000) -> None:
    """Menu 'File > Save Notebook'; wait until the notebook's tab is no longer marked as modified."""
    menu(page, "File", "docmanager:save")
    page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)").first.wait_for(timeout=timeout)


def error_outputs(notebook: dict[str, Any]) -> list[str]:
    """One line per code cell of the saved ``notebook`` that did not run or shows an error."""
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        head = cell["source"].strip().splitlines()[0][:60] if cell["source"].strip() else ""
        if cell.get("execution_count") is None:
            problems.append(f"cell {index} ({head!r}) did not run")
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                problems.append(f"cell {index} ({head!r}) shows {output['ename']}: {output['evalue']}")
    return problems


# ---------------------------------------------------------------- explorers on the page

EXPLORER = f"{PANEL} .jp-OutputArea-output > .widget-vbox:has(> .widget-html):has(> img.widget-image)"


@dataclass
class Control:
    """One control of an explorer: its kind, the label a reader sees, and where it is on the page."""

    kind: str  # "slider", "dropdown" or "button"
    label: str
    locator: Locator


@dataclass
class Shown:
    """A number as the read-out shows it; ``tolerance`` is half a unit of its last printed digit."""

    value: float
    tolerance: float

    def agrees_with(self, exact: float) -> bool:
        """True when ``exact`` rounds to the shown number (up to float noise)."""
        return abs(self.value - exact) <= self.tolerance + 1e-9 * max(1.0, abs(exact))


def find_explorers(page: Page) -> list[Locator]:
    """Every live explorer (controls, read-out, figure) in the notebook's outputs, top to bottom."""
    found = page.locator(EXPLORER)
    return [found.nth(i) for i in range(found.count())]


def count_outputs(page: Page, text: str) -> int:
    """How many outputs of the notebook in front contain ``text``."""
    return page.locator(f"{PANEL} .jp-OutputArea-output", has_text=text).count()


def controls(explorer: Locator) -> list[Control]:
    """The explorer's sliders, dropdowns and buttons, in page order."""
    found = []
    for element in explorer.locator(".widget-slider, .widget-dropdown, button.widget-button").all():
        classes = element.get_attribute("class") or ""
        if "widget-button" in classes:
            found.append(Control("button", element.inner_text().strip(), element))
        else:
            kind = "slider" if "widget-slider" in classes else "dropdown"
            found.append(Control(kind, element.locator(".widget-label").inner_text().strip(), element))
    return found


def parse_number(text: str) -> float:
    """A number as ipywidgets prints it (the minus sign may be U+2212)."""
    return float(text.strip().replace("−", "-"))


def slider_value(slider: Locator) -> float | str:
    """The value a slider is set to, read back from the page.

    The reader sees the read-out next to the slider, rounded to its format. The
    handle's ``aria-valuetext`` holds the position unrounded: the value itself for
    a linear slider, the exponent for a ``FloatLogSlider`` (base 10), the option's
    index for a ``SelectionSlider``. The unrounded value is used when it agrees
    with the read-out, else the read-out itself (a selection's label).
    """
    text = slider.locator(".widget-readout").inner_text()
    numbers = readout_numbers(text)
    if len(numbers) != 1:
        return text.strip()
    position = float(slider.locator(".noUi-handle").get_attribute("aria-valuetext") or "nan")
    for candidate in [position, *([10.0**position] if abs(position) < 300 else [])]:
        if numbers[0].agrees_with(candidate):
            return candidate
    return numbers[0].value


def control_value(control: Control) -> float | str:
    """What a slider or dropdown is set to, read back from the page: the slider's number, the dropdown's choice."""
    if control.kind == "slider":
        return slider_value(control.locator)
    return control.locator.locator("select").evaluate("s => s.options[s.selectedIndex].text")


def control_values(explorer: Locator) -> dict[str, float | str]:
    """Every slider's and dropdown's current setting, by label."""
    return {c.label: control_value(c) for c in controls(explorer) if c.kind != "button"}


NUMBER = re.compile(r"(?<![\w.])[-−]?(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?")


def readout_text(explorer: Locator) -> str:
    """The explorer's read-out line as the reader sees it."""
    return explorer.locator(":scope > .widget-html .widget-html-content").inner_text()


def readout_numbers(text: str) -> list[Shown]:
    """Every number in a read-out line, left to right (digits inside words such as ``x1`` are not numbers)."""
    numbers = []
    for match in NUMBER.finditer(text):
        decimals = len(match.group(2) or "")
        exponent = int(match.group(3) or 0)
        numbers.append(Shown(parse_number(match.group(0)), 0.5 * 10.0 ** (exponent - decimals)))
    return numbers


def figure_source(explorer: Locator) -> str:
    """The ``src`` of the explorer's figure: a new blob URL every time the kernel sends a new PNG."""
    return explorer.locator(":scope > img.widget-image").get_attribute("src") or ""


def figure_pixels(explorer: Locator) -> np.ndarray:
    """The figure as the reader sees it: a screenshot of the image element, as an RGBA array."""
    return imread(io.BytesIO(explorer.locator(":scope > img.widget-image").screenshot()), format="png")


def change(page: Page, control: Control) -> str:
    """Operate ``control`` once as a reader would; a description of what was done.

    A slider's handle is dragged with the mouse across a quarter of its track (towards
    the side with more room), a dropdown is set to its next option, a button is clicked.
    """
    if control.kind == "slider":
        handle = control.locator.locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        now, low, high = (float(handle.get_attribute(name) or "nan")
                          for name in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
        box, track = handle.bounding_box(), control.locator.locator(".noUi-base").bounding_box()
        assert box is not None and track is not None, f"slider {control.label!r} is not visible"
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        step = 0.25 * track["width"] * (1 if now <= (low + high) / 2 else -1)
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + step, y, steps=8)
        page.mouse.up()
        return f"dragged slider {control.label!r} {'right' if step > 0 else 'left'}"
    if control.kind == "dropdown":
        select = control.locator.locator("select")
        options = select.evaluate("s => [...s.options].map(o => o.text)")
        choice = options[(options.index(control_value(control)) + 1) % len(options)]
        select.select_option(label=choice)
        return f"picked {choice!r} in dropdown {control.label!r}"
    control.locator.click()
    return f"pressed button {control.label!r}"


def wait_for_new_figure(page: Page, explorer: Locator, old_source: str, timeout: float = 60_000) -> bool:
    """Wait until the kernel has sent a new figure and gone quiet; False if none came within ``timeout`` ms.

    A dragged slider sends many values in a row; the figure counts as settled once
    the kernel is idle and the figure has not changed for 0.3 s.
    """
    image = explorer.locator(":scope > img.widget-image").element_handle()
    try:
        page.wait_for_function("([img, old]) => img.getAttribute('src') !== old", arg=[image, old_source],
                               timeout=timeout)
    except PlaywrightTimeoutError:
        wait_kernel_idle(page)
        return False
    source = ""
    while source != figure_source(explorer):
        source = figure_source(explorer)
        wait_kernel_idle(page)
        page.wait_for_timeout(300)
    return True


def save_screenshot(page: Page, path: Path) -> Path:
    """Save what the browser shows now to ``path`` (PNG), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path
