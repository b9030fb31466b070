"""Drive a real JupyterLab from a test: start the server, open and run notebooks in Chromium, talk to kernels.

Used by ``tests/test_live_jupyterlab.py``. The server is started with the very
command the README tells readers to type (read from the README itself), plus
only what a test needs: a free port, a random token, no browser of its own and
throw-away settings folders. The browser is Debian's Chromium driven by
Playwright for Python (the ``chromium`` fixture of ``tests/conftest.py``); it
opens notebooks from the file browser and runs them from the menus, as a reader
does. :class:`KernelClient` is a second client of a notebook's running kernel
(as ``jupyter console --existing`` is), for the test to read and set what the
notebook's Python objects hold.
"""

from __future__ import annotations

import ast
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
from pathlib import Path
from typing import Any

import psutil
from jupyter_client.blocking.client import BlockingKernelClient
from playwright.sync_api import Page

# JupyterLab settings for a test run: every cell attached to the page (no windowing, so
# every output is in the DOM), no autosave, no news pop-up over the widgets.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}

#: Extensions left out of a test run (``labconfig/page_config.json``): JupyterLab's MathJax, which typesets
#: the chapters' math in the browser. Nothing here looks at the math, and typesetting it was a quarter of
#: the browser's work in this test (two chapters: 20.8 against 15.6 CPU-seconds of Chromium without it).
DISABLED_EXTENSIONS = {"@jupyterlab/mathjax-extension": True}


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
        self.runtime_dir = state / "runtime"  # where kernels write their connection files
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        page_config = state / "config" / "labconfig" / "page_config.json"
        page_config.parent.mkdir(parents=True)
        page_config.write_text(json.dumps({"disabledExtensions": DISABLED_EXTENSIONS}), encoding="utf-8")
        env = dict(os.environ)
        env.update(
            # The kernels import dlbook from the repository under test, not from wherever it is installed.
            PYTHONPATH=os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")])),
            JUPYTER_CONFIG_DIR=str(state / "config"), JUPYTER_DATA_DIR=str(state / "data"),
            JUPYTER_RUNTIME_DIR=str(self.runtime_dir), IPYTHONDIR=str(state / "ipython"),
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

    def connection_file(self, path: str) -> Path:
        """The connection file of the kernel that the notebook at server path ``path`` runs on."""
        kernels = [s["kernel"]["id"] for s in self.api("GET", "/api/sessions") if s["path"] == path and s["kernel"]]
        assert len(kernels) == 1, f"{path} should run on one kernel, the server lists {kernels}"
        return self.runtime_dir / f"kernel-{kernels[0]}.json"

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


# ---------------------------------------------------------------- a second client of a notebook's kernel


class KernelError(RuntimeError):
    """Code sent by :class:`KernelClient` raised an exception in the kernel."""


class KernelClient:
    """A second client of a running kernel, connected with its connection file; :meth:`close` it when done.

    The notebook in the browser stays the kernel's main client and sees nothing of
    this one's requests: they run silently (no execution count, no history, no
    output in the notebook) and their results come back in the reply itself, as
    ``user_expressions``, so no IOPub message has to be caught. Whatever the code
    changes in a widget is sent to the browser as usual.
    """

    def __init__(self, connection_file: Path, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._client = BlockingKernelClient(connection_file=str(connection_file))
        self._client.load_connection_file()
        self._client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)

    def evaluate(self, expression: str, code: str = "") -> Any:
        """Run ``code``, then evaluate ``expression``, a JSON string in the kernel; its decoded value."""
        msg_id = self._client.execute(code, silent=True, user_expressions={"result": expression})
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._client.get_shell_msg(timeout=max(0.0, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')} (running {code!r})")
        result = content["user_expressions"]["result"]
        if result["status"] != "ok":
            raise KernelError(f"{result.get('ename')}: {result.get('evalue')} (evaluating {expression!r})")
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def run(self, code: str) -> None:
        """Run ``code`` in the kernel (raises :class:`KernelError` if it raises)."""
        self.evaluate("'null'", code)

    def close(self) -> None:
        self._client.stop_channels()


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


def open_lab(page: Page, lab: JupyterLab, timeout: float = 120_000) -> None:
    """Load JupyterLab in ``page`` with an empty workspace (``reset``) and wait for its file browser."""
    page.goto(f"{lab.url}/lab?reset&token={lab.token}")
    page.locator(".jp-DirListing-item").first.wait_for(timeout=timeout)


def open_notebook(page: Page, lab: JupyterLab, notebook: Path) -> str:
    """Open ``notebook`` (a file under the server's root) from the file browser, as a reader does; its server path.

    Double-clicks its folders from the root down, then the notebook, and waits
    until its tab is in front (its kernel is then starting: see :func:`wait_kernel_idle`).
    """
    path = notebook.resolve().relative_to(lab.root).as_posix()
    page.locator(".jp-BreadCrumbs-home").click()
    for name in path.split("/"):
        item = page.locator(".jp-DirListing-item", has=page.get_by_text(name, exact=True))
        item.dblclick()
    page.locator(".lm-TabBar-tab.jp-mod-current", has=page.get_by_text(notebook.name, exact=True)).wait_for()
    return path


def show_notebook(page: Page, name: str) -> None:
    """Bring the open notebook ``name`` (its file name) to the front by clicking its tab."""
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has=page.get_by_text(name, exact=True)).click()
    page.locator(".lm-TabBar-tab.jp-mod-current", has=page.get_by_text(name, exact=True)).wait_for()


def close_and_shut_down(page: Page) -> None:
    """Menu 'File > Close and Shut Down Notebook', confirmed; JupyterLab shuts the kernel down in the background."""
    menu(page, "File", "filemenu:close-and-cleanup")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".jp-Dialog").wait_for(state="detached")


def wait_kernel_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the notebook has a kernel and the toolbar's kernel status says idle.

    The page is asked every 100 ms, not on every frame, so that a long wait leaves the browser idle.
    """
    page.wait_for_function(f"() => ({KERNEL_STATE})() === 'idle'", timeout=timeout, polling=100)


def menu(page: Page, title: str, command: str) -> None:
    """Click ``title`` in the menu bar, then the item that runs ``command`` (a JupyterLab command id)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{title}$")).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").click()


def run_all_cells(page: Page) -> None:
    """Menu 'Run > Run All Cells', as a reader would; :func:`wait_until_run` waits for the cells."""
    menu(page, "Run", "runmenu:run-all")


def run_cells(page: Page, cells: list[int]) -> None:
    """Run the cells at ``cells`` (indices among all the notebook's cells) in turn, as a reader runs a cell:
    a click on it, then Ctrl+Enter; :func:`wait_until_run` waits for them."""
    notebook = page.locator(f"{PANEL} .jp-Notebook .jp-Cell")
    for index in cells:
        notebook.nth(index).locator(".jp-InputPrompt").click()
        page.keyboard.press("Control+Enter")


def wait_until_run(page: Page, timeout: float = 300_000) -> None:
    """Wait until no cell of the notebook in front is left running or waiting, and its kernel is idle.

    Execution stops at the first error, so cells below an error stay unnumbered. The page is
    asked every 100 ms (see :func:`wait_kernel_idle`).
    """
    page.wait_for_function(CELLS_DONE, timeout=timeout, polling=100)
    wait_kernel_idle(page, timeout)


def save_notebook(page: Page, timeout: float = 30_000) -> None:
    """Menu 'File > Save Notebook'; wait until the notebook's tab is no longer marked as modified."""
    menu(page, "File", "docmanager:save")
    page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)").first.wait_for(timeout=timeout)


def error_outputs(notebook: dict[str, Any], cells: list[int] | None = None) -> list[str]:
    """One line per code cell of the saved ``notebook`` (of those at ``cells``, if given) that did not run or
    shows an error."""
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or (cells is not None and index not in cells):
            continue
        head = cell["source"].strip().splitlines()[0][:60] if cell["source"].strip() else ""
        if cell.get("execution_count") is None:
            problems.append(f"cell {index} ({head!r}) did not run")
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                problems.append(f"cell {index} ({head!r}) shows {output['ename']}: {output['evalue']}")
    return problems


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_views(notebook: dict[str, Any]) -> list[str]:
    """The model id of every widget view among the saved ``notebook``'s outputs, in order."""
    return [output["data"][WIDGET_VIEW]["model_id"] for cell in notebook["cells"] if cell["cell_type"] == "code"
            for output in cell["outputs"] if WIDGET_VIEW in output.get("data", {})]


def save_screenshot(page: Page, path: Path) -> Path:
    """Save what the browser shows now to ``path`` (PNG), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path
