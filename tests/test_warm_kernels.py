"""The fork server that starts the test run's kernels (``tests/warm_kernels.py``): each kernel is its own
process group, forked with the heavy modules imported, in the folder and environment it was asked for, with
fresh random generators; it can be interrupted, and it ends, with what it started, when its launcher does. A
kernel it cannot stand in for starts the usual way."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
from pathlib import Path
from typing import Iterator

import psutil
import pytest
from jupyter_client.manager import KernelManager

from tests import warm_kernels

#: What a kernel tells about itself: its pid, parent and process group, whether PyTorch was imported before any
#: cell ran, a draw of NumPy's global generator, its folder and the variable MARK.
WHO = ("import os, sys, numpy; print(os.getpid(), os.getppid(), os.getpgid(0), 'torch' in sys.modules, "
       "numpy.random.randint(2**31), os.getcwd(), os.environ.get('MARK'))")


@pytest.fixture(scope="module")
def server() -> Iterator[psutil.Process]:
    folder = Path(tempfile.mkdtemp(prefix="dlbook-kernels-"))  # short: a Unix socket's path is at most 107 bytes
    before = os.environ.get("JUPYTER_PATH")
    set_by_scikit_learn = os.environ.pop("KMP_DUPLICATE_LIB_OK", None)  # started as the run's, before that import
    process = warm_kernels.start(folder)
    if set_by_scikit_learn is not None:
        os.environ["KMP_DUPLICATE_LIB_OK"] = set_by_scikit_learn
    try:
        yield psutil.Process(process.pid)
        assert process.poll() is None, "the server ended: " + (folder / "server.log").read_text(encoding="utf-8")
    finally:
        os.environ.pop("JUPYTER_PATH")
        if before is not None:
            os.environ["JUPYTER_PATH"] = before
        process.terminate()
        process.wait()
        shutil.rmtree(folder)


def start(cwd: Path, **env: str) -> KernelManager:
    """A kernel asked for as a process that has not imported scikit-learn asks (it sets KMP_DUPLICATE_LIB_OK)."""
    kernel = KernelManager(kernel_name="python3")
    ours = {name: value for name, value in os.environ.items() if name != "KMP_DUPLICATE_LIB_OK"}
    kernel.start_kernel(cwd=str(cwd), env={**ours, **env})
    return kernel


def run(kernel: KernelManager, code: str, interrupt: bool = False) -> tuple[list[str], dict]:
    """What ``code`` printed in ``kernel``, word by word, and its reply's content; ``interrupt`` it once it has
    printed."""
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
        return "".join(printed).split(), reply["content"]
    finally:
        client.stop_channels()


def gone(*pids: int) -> bool:
    """Whether the processes end within 10 s (zombies count as ended)."""
    _, alive = psutil.wait_procs([psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)], timeout=10)
    return all(process.status() == psutil.STATUS_ZOMBIE for process in alive)


def test_a_kernel_is_a_fork_of_the_server_in_its_own_folder_environment_and_group(server: psutil.Process,
                                                                                   tmp_path: Path) -> None:
    first, second = start(tmp_path, MARK="first"), start(tmp_path, MARK="second")
    try:
        (pid, parent, group, preloaded, draw, cwd, mark), _ = run(first, WHO)
        assert (int(parent), preloaded, Path(cwd), mark) == (server.pid, "True", tmp_path, "first")
        assert int(group) == int(pid) != first.provisioner.pid  # its own group; the launcher stands in for it
        (_, parent, _, _, other_draw, _, mark), _ = run(second, WHO)
        assert (int(parent), mark) == (server.pid, "second") and other_draw != draw  # not the server's generator
        printed, _ = run(first, "import anywidget, comm; print('jupyter.widget' in comm.get_comm_manager().targets, "
                                "os.environ.get('KMP_DUPLICATE_LIB_OK'))")
        assert printed[0] == "True", "ipywidgets registered no comm target: was it imported ahead?"
        assert printed[1] == "True", "the variables that importing scikit-learn sets are missing"
        printed, _ = run(first, "import sys; ahead = 'matplotlib.pyplot' in sys.modules; import matplotlib.pyplot as "
                                "plt; plt.figure(); hooks = get_ipython().events.callbacks['post_execute']; "
                                "print(ahead, plt.get_backend(), 'flush_figures' in [f.__name__ for f in hooks])")
        assert printed == ["True", warm_kernels.INLINE_BACKEND, "True"], "figures would not be shown in the notebook"
        _, reply = run(first, "import time; print('asleep', flush=True); time.sleep(60)", interrupt=True)
        assert (reply["status"], reply["ename"]) == ("error", "KeyboardInterrupt")
    finally:
        first.shutdown_kernel()
        second.shutdown_kernel()
    assert gone(int(pid))


def test_a_kernel_ends_with_its_launcher_and_so_do_its_processes(server: psutil.Process, tmp_path: Path) -> None:
    kernel = start(tmp_path)
    (pid, *_), _ = run(kernel, WHO)
    (sleeper,), _ = run(kernel, "import subprocess; print(subprocess.Popen(['sleep', '300']).pid)")
    os.kill(kernel.provisioner.pid, signal.SIGKILL)
    assert gone(int(pid), int(sleeper)), "the kernel, or what it started, outlived its launcher"
    kernel.shutdown_kernel(now=True)  # reaps the launcher


def test_a_kernel_gets_its_pythonpath_and_its_launcher_ends_as_it_does(server: psutil.Process,
                                                                       tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "only_here.py").write_text("WHERE = 'lib'\n", encoding="utf-8")
    kernel = start(tmp_path, PYTHONPATH=os.pathsep.join([str(tmp_path / "lib"), os.environ.get("PYTHONPATH", "")]))
    try:
        (pid, parent, *_), _ = run(kernel, WHO)
        printed, _ = run(kernel, "import only_here, os, sys; print(only_here.WHERE, sys.path.index(os.getcwd()), "
                                 "sys.path.index(only_here.__file__.rsplit(os.sep, 1)[0]))")
        assert int(parent) == server.pid and printed == ["lib", "0", "1"]  # the folder, then PYTHONPATH's
        os.kill(int(pid), signal.SIGKILL)
        assert kernel.provisioner.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        kernel.shutdown_kernel(now=True)


def test_a_kernel_the_server_cannot_stand_in_for_starts_the_usual_way(server: psutil.Process,
                                                                      tmp_path: Path) -> None:
    kernel = start(tmp_path, OMP_NUM_THREADS="3")
    try:
        (pid, parent, _, preloaded, _, cwd, _), _ = run(kernel, WHO)
        assert int(pid) == kernel.provisioner.pid and int(parent) != server.pid  # the launcher became the kernel
        assert (preloaded, Path(cwd)) == ("False", tmp_path)
    finally:
        kernel.shutdown_kernel()
    log = Path(os.environ["JUPYTER_PATH"].split(os.pathsep)[0]) / "server.log"
    assert "declined: the kernel's environment differs from the server's in OMP_NUM_THREADS" in log.read_text()


def test_a_launcher_gone_before_its_answer_leaves_the_server_serving(server: psutil.Process, tmp_path: Path) -> None:
    folder = Path(os.environ["JUPYTER_PATH"].split(os.pathsep)[0])
    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(str(folder / "server.sock"))
        warm_kernels.send(conn, {"argv": ["-f", str(tmp_path / "kernel.json")], "cwd": str(tmp_path),
                                 "env": dict(os.environ)}, (0, 1, 2))
    kernel = start(tmp_path)
    try:
        (_, parent, *_), _ = run(kernel, WHO)
        assert int(parent) == server.pid
    finally:
        kernel.shutdown_kernel()


def test_the_server_declines_other_import_time_settings_and_modules_it_has_imported(tmp_path: Path) -> None:
    env = dict(os.environ)
    request = {"cwd": str(tmp_path), "env": env}
    assert warm_kernels.decline(request) is None
    assert warm_kernels.decline({**request, "env": {**env, "TORCH_SHOW_CPP_STACKTRACES": "1"}}) == (
        "the kernel's environment differs from the server's in TORCH_SHOW_CPP_STACKTRACES")
    assert warm_kernels.decline({**request, "env": {**env, "TORCHINDUCTOR_CACHE_DIR": str(tmp_path)}}) is None
    assert warm_kernels.decline({**request, "env": {**env, "MPLBACKEND": "agg"}}) == (
        "the kernel's environment differs from the server's in MPLBACKEND")
    settings = tmp_path / "settings"
    settings.mkdir()
    (settings / "matplotlibrc").write_text("lines.linewidth: 3\n", encoding="utf-8")
    assert warm_kernels.decline({**request, "cwd": str(settings)}) == (
        f"matplotlib, imported already, would read {settings / 'matplotlibrc'} there instead")
    assert warm_kernels.decline({**request, "env": {**env, "HOME": str(tmp_path)}}) is None  # as pytester's
    config = tmp_path / "config"  # (not in the kernel's folder, where a folder matplotlib would shadow the module)
    assert warm_kernels.decline({**request, "env": {**env, "XDG_CONFIG_HOME": str(config)}}) is None
    (config / "matplotlib").mkdir(parents=True)
    (config / "matplotlib" / "matplotlibrc").write_text("lines.linewidth: 3\n", encoding="utf-8")
    assert warm_kernels.decline({**request, "env": {**env, "XDG_CONFIG_HOME": str(config)}}) == (
        f"matplotlib, imported already, would read {config / 'matplotlib' / 'matplotlibrc'} there instead")
    (tmp_path / "json.py").write_text("", encoding="utf-8")  # in the kernel's folder: json, imported here already
    (tmp_path / "lib" / "pytest").mkdir(parents=True)  # on its PYTHONPATH: pytest, imported here already
    shadowing = {**request, "env": {**env, "PYTHONPATH": str(tmp_path / "lib")}}
    assert warm_kernels.decline(shadowing) == "its folder or PYTHONPATH holds modules imported already: json, pytest"
