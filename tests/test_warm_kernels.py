"""The fork server that starts the test run's kernels (``tests/warm_kernels.py``): each kernel is its own
process, forked with the heavy modules imported, in the folder and environment it was asked for; it can be
interrupted, and it ends with its launcher. A kernel it cannot stand in for starts the usual way."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Iterator

import psutil
import pytest
from jupyter_client.manager import KernelManager

from tests import warm_kernels

#: What a kernel tells about itself: its parent, whether PyTorch was imported before any cell ran, where it runs.
WHO = "import os, sys; print(os.getpid(), os.getppid(), 'torch' in sys.modules, os.getcwd(), os.environ.get('MARK'))"


@pytest.fixture(scope="module")
def server() -> Iterator[psutil.Process]:
    folder = Path(tempfile.mkdtemp(prefix="dlbook-kernels-"))  # short: a Unix socket's path is at most 107 bytes
    before = os.environ.get("JUPYTER_PATH")
    process = warm_kernels.start(folder)
    try:
        yield psutil.Process(process.pid)
    finally:
        os.environ.pop("JUPYTER_PATH")
        if before is not None:
            os.environ["JUPYTER_PATH"] = before
        process.terminate()
        process.wait()
        shutil.rmtree(folder)


def start(cwd: Path, **env: str) -> KernelManager:
    kernel = KernelManager(kernel_name="python3")
    kernel.start_kernel(cwd=str(cwd), env={**os.environ, **env})
    return kernel


def run(kernel: KernelManager, code: str, interrupt: bool = False) -> tuple[str, dict]:
    """What ``code`` printed in ``kernel``, and its reply's content; ``interrupt`` it once it has printed."""
    client = kernel.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        printed: list[str] = []

        def output(message: dict) -> None:
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
                if interrupt:
                    kernel.interrupt_kernel()

        reply = client.execute_interactive(code, timeout=60, output_hook=output)
        return "".join(printed), reply["content"]
    finally:
        client.stop_channels()


def test_a_kernel_is_a_fork_of_the_server_in_its_own_folder_and_environment(server: psutil.Process,
                                                                              tmp_path: Path) -> None:
    kernel = start(tmp_path, MARK="asked-for")
    try:
        printed, _ = run(kernel, WHO)
        pid, parent, preloaded, cwd, mark = printed.split()
        assert int(parent) == server.pid and preloaded == "True"
        assert (Path(cwd), mark) == (tmp_path, "asked-for")
        assert int(pid) != kernel.provisioner.pid  # the launcher stands in for it
        _, reply = run(kernel, "import time; print('asleep', flush=True); time.sleep(60)", interrupt=True)
        assert (reply["status"], reply["ename"]) == ("error", "KeyboardInterrupt")
    finally:
        kernel.shutdown_kernel()
    assert not psutil.pid_exists(int(pid)) or psutil.Process(int(pid)).status() == psutil.STATUS_ZOMBIE


def test_a_kernel_ends_with_its_launcher(server: psutil.Process, tmp_path: Path) -> None:
    kernel = start(tmp_path)
    printed, _ = run(kernel, WHO)
    pid = int(printed.split()[0])
    os.kill(kernel.provisioner.pid, signal.SIGKILL)
    _, alive = psutil.wait_procs([psutil.Process(pid)], timeout=10)
    kernel.shutdown_kernel(now=True)  # reaps the launcher
    assert not alive, "the kernel outlived its launcher"


def test_a_kernel_gets_the_search_path_of_its_own_pythonpath(server: psutil.Process, tmp_path: Path) -> None:
    (tmp_path / "only_here.py").write_text("WHERE = 'only here'\n", encoding="utf-8")
    kernel = start(tmp_path, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    try:
        printed, _ = run(kernel, WHO + "; import only_here; print(sys.path.index(os.getcwd()), only_here.WHERE)")
        _, parent, preloaded, cwd, _, first, where = printed.split(maxsplit=6)
        assert (int(parent), preloaded, Path(cwd)) == (server.pid, "True", tmp_path)
        assert (first, where.strip()) == ("0", "only here")  # the folder first, as `python -m` puts it
    finally:
        kernel.shutdown_kernel()


def test_a_kernel_the_server_cannot_stand_in_for_starts_the_usual_way(server: psutil.Process,
                                                                      tmp_path: Path) -> None:
    kernel = start(tmp_path, OMP_NUM_THREADS="3")
    try:
        printed, _ = run(kernel, WHO)
        pid, parent, preloaded, cwd, _ = printed.split()
        assert int(pid) == kernel.provisioner.pid and int(parent) != server.pid  # the launcher became the kernel
        assert (preloaded, Path(cwd)) == ("False", tmp_path)
    finally:
        kernel.shutdown_kernel()


def test_the_server_declines_another_python_or_other_import_time_settings() -> None:
    env = dict(os.environ)
    assert warm_kernels.decline({"python": warm_kernels.sys.executable, "env": env}) is None
    assert "the kernel is for /usr/bin/python3" in warm_kernels.decline({"python": "/usr/bin/python3", "env": env})
    assert warm_kernels.decline({"python": warm_kernels.sys.executable,
                                 "env": {**env, "OMP_NUM_THREADS": "7"}}) == (
        "the kernel's environment differs from the server's in OMP_NUM_THREADS")


def test_a_pythonpath_that_shadows_an_imported_module_is_declined(tmp_path: Path) -> None:
    (tmp_path / "json.py").write_text("", encoding="utf-8")  # json: imported by warm_kernels itself
    (tmp_path / "pytest").mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    assert warm_kernels.decline({"python": warm_kernels.sys.executable, "env": env}) == (
        "its PYTHONPATH holds modules imported already: json, pytest")
    (tmp_path / "json.py").unlink()
    (tmp_path / "pytest").rmdir()
    assert warm_kernels.decline({"python": warm_kernels.sys.executable, "env": env}) is None
