"""Kernels forked from one process that has already imported what the chapters import.

A kernel spends 3 to 5 CPU-seconds importing ipykernel, NumPy, SciPy, scikit-learn and PyTorch
before a chapter's first cell has done anything, and a test run starts some twenty kernels
(nbval's, JupyterLab's, the rebuild tests'). Here one *fork server* imports them once, and each
kernel is a fork of it: a process of its own with its own namespace and IPython shell, started as
``python -m ipykernel_launcher`` starts one, with those modules already in memory. The chapters'
cells all run, ``import torch`` included (it binds the name; the module is loaded already).

How it fits in: :func:`start` (called once per test run, by the root ``conftest.py``) starts the
server and puts a kernel spec named ``python3`` first on ``JUPYTER_PATH``, so that nbval, the
book's build and JupyterLab start their kernels with it. That spec runs this file's *launcher*,
which hands its arguments, folder, environment and standard streams to the server over a Unix
socket and stands in for the kernel: it forwards the signals it gets (an interrupt) and ends
with the kernel's exit status. If the launcher dies, the server kills its kernel.

Only what does not depend on the environment is imported ahead (not matplotlib, which reads its
backend from ``MPLBACKEND`` on import, nor dlbook, which the tests change). A kernel gets the
``sys.path`` of its own ``PYTHONPATH``; where it is asked for with another Python, another value
of a variable that those imports read (such as ``OMP_NUM_THREADS``), or a ``PYTHONPATH`` that
holds a module of the same name as one imported ahead, the server declines and the launcher
starts the kernel the usual way, saying why on standard error. So does a launcher that finds no
server.

    python tests/warm_kernels.py serve SOCKET      # the server (start() runs it)
    python tests/warm_kernels.py launch SOCKET -f CONNECTION_FILE   # the kernel spec's command
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys

#: What the server imports before forking: the costly imports of the chapters and of ipykernel.
PRELOAD = ("ipykernel.kernelapp", "numpy", "scipy.stats", "sklearn.datasets", "torch", "anywidget")
#: Variables that Python's start or those imports read: a kernel asked for with other values starts the usual way.
IMPORT_TIME_VARIABLES = (
    "PYTHONHOME", "PYTHONHASHSEED", "PYTHONWARNINGS", "PYTHONSAFEPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUTF8",
    "PYTHONIOENCODING", "LD_LIBRARY_PATH", "LD_PRELOAD", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
)
#: Signals the launcher passes on to its kernel (jupyter_client interrupts a kernel with SIGINT).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
HEADER = struct.Struct("!I")
#: The server's environment as it started (a kernel's replaces ``os.environ`` in its fork).
SERVER_ENV: dict[str, str] = {}


def send(conn: socket.socket, message: dict, fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(message).encode()
    socket.send_fds(conn, [HEADER.pack(len(data)) + data], list(fds))


def receive(conn: socket.socket) -> tuple[dict | None, list[int]]:
    """One message and the file descriptors sent with it; ``(None, [])`` when the other end has closed."""
    data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    while len(data) < HEADER.size or len(data) < HEADER.size + HEADER.unpack_from(data)[0]:
        more = conn.recv(65536)
        if not more:
            return None, fds
        data += more
    return json.loads(data[HEADER.size:HEADER.size + HEADER.unpack_from(data)[0]]), fds


# ---------------------------------------------------------------- the launcher (the kernel spec's command)


def launch(path: str, argv: list[str]) -> None:
    """Have the server at ``path`` fork a kernel with ``argv`` (``-f CONNECTION_FILE``); wait for it to end."""
    conn = socket.socket(socket.AF_UNIX)
    try:
        conn.connect(path)
        send(conn, {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "python": sys.executable}, (0, 1, 2))
        reply, _ = receive(conn)
    except OSError as error:
        reply = {"declined": f"no fork server at {path} ({error})"}
    if reply is None or "declined" in reply:
        conn.close()
        reason = "the fork server closed the connection" if reply is None else reply["declined"]
        print(f"warm_kernels: {reason}; starting the kernel the usual way", file=sys.stderr, flush=True)
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    pid = reply["pid"]
    for signum in FORWARDED:
        signal.signal(signum, lambda signum, _: os.kill(pid, signum))
    ended, _ = receive(conn)
    status = 1 if ended is None else ended["status"]
    if status < 0:  # killed by a signal: end the same way
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


# ---------------------------------------------------------------- the server


def search_path(env: dict[str, str]) -> list[str]:
    """The folders that ``PYTHONPATH`` in ``env`` puts on ``sys.path``."""
    return [os.path.abspath(folder) for folder in env.get("PYTHONPATH", "").split(os.pathsep) if folder]


def shadowing(folders: list[str]) -> list[str]:
    """The modules already imported here that ``folders`` hold a module or package of the same name of."""
    imported = {name for name in sys.modules if "." not in name}
    found = set()
    for folder in folders:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        found |= {entry.removesuffix(".py") for entry in entries} & imported
    return sorted(found)


def decline(request: dict) -> str | None:
    """Why this server cannot stand in for a fresh kernel of ``request``; None when it can.

    Another ``PYTHONPATH`` is fine (the kernel gets its ``sys.path``) unless a folder it adds holds
    a module that the server has imported from elsewhere.
    """
    if request["python"] != sys.executable:
        return f"the kernel is for {request['python']}, the server runs {sys.executable}"
    differ = [name for name in IMPORT_TIME_VARIABLES if request["env"].get(name) != os.environ.get(name)]
    if differ:
        return f"the kernel's environment differs from the server's in {', '.join(differ)}"
    added = [folder for folder in search_path(request["env"]) if folder not in search_path(os.environ)]
    shadowed = shadowing(added)
    return f"its PYTHONPATH holds modules imported already: {', '.join(shadowed)}" if shadowed else None


def run_kernel(request: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel that ``python -m ipykernel_launcher ARGV`` would start."""
    import atexit
    import importlib.util
    import traceback

    status = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # sys.path as `python -m` makes it: the folder, then PYTHONPATH's, then the installation's.
        server_folders = set(search_path(SERVER_ENV))
        installation = [folder for folder in sys.path[1:] if folder not in server_folders]
        sys.path[:] = [os.getcwd(), *search_path(os.environ), *installation]
        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *request["argv"]]
        if os.environ.get("JPY_PARENT_PID"):  # ipykernel read it when the server imported it: pass it on
            sys.argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        status = 0
    except SystemExit as end:
        status = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(status)


def still_open(conn: socket.socket) -> bool:
    """False once a launcher's connection, readable, has closed (a launcher sends nothing after its request)."""
    try:
        return bool(conn.recv(1))
    except OSError:
        return False


def serve(path: str) -> None:
    """Listen at ``path``; fork a kernel for each launcher; end when the process that started this one does."""
    import gc
    import importlib
    import selectors
    import threading

    SERVER_ENV.update(os.environ)
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(16)  # launchers that come while the imports run wait here
    for name in PRELOAD:
        importlib.import_module(name)
    assert threading.active_count() == 1, f"a preloaded module started a thread: {threading.enumerate()}"
    gc.freeze()  # what was imported lives on: the kernels' collections neither scan nor copy it
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    kernels: dict[int, socket.socket] = {}  # kernel's pid: its launcher's connection

    def fork(conn: socket.socket) -> None:
        request, fds = receive(conn)
        reason = "no request" if request is None else decline(request)
        if reason:
            print(f"declined: {reason}", flush=True)
            for fd in fds:
                os.close(fd)
            try:
                send(conn, {"declined": reason})
            except OSError:
                pass
            conn.close()
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            selector.close()
            for other in [listener, conn, *kernels.values()]:
                other.close()
            os.close(wake_read)
            os.close(wake_write)
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            run_kernel(request, fds)
        for fd in fds:
            os.close(fd)
        print(f"forked: {pid}", flush=True)
        kernels[pid] = conn
        selector.register(conn, selectors.EVENT_READ, pid)
        send(conn, {"pid": pid})

    def reap() -> None:
        while kernels:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            conn = kernels.pop(pid, None)
            if conn is not None:
                selector.unregister(conn)
                try:
                    send(conn, {"status": os.waitstatus_to_exitcode(status)})
                except OSError:
                    pass
                conn.close()

    while os.getppid() == parent:
        for key, _ in selector.select(timeout=1.0):
            if key.fileobj is listener:
                fork(listener.accept()[0])
            elif key.fileobj == wake_read:
                os.read(wake_read, 4096)
                reap()
            elif not still_open(key.fileobj):  # the launcher is gone: so goes its kernel
                try:
                    os.kill(key.data, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                reap()
    for pid in kernels:
        os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- starting it for a test run


def report(folder: "os.PathLike[str]") -> str | None:
    """How many kernels the server in ``folder`` forked, and why it declined any (from its log); None if none."""
    from collections import Counter
    from pathlib import Path

    lines = (Path(folder) / "server.log").read_text(encoding="utf-8", errors="replace").splitlines()
    forked = sum(line.startswith("forked: ") for line in lines)
    declined = Counter(line.removeprefix("declined: ") for line in lines if line.startswith("declined: "))
    if not forked and not declined:
        return None
    text = f"kernels: {forked} forked from the warm server (tests/warm_kernels.py)"
    return text + "".join(f"; {count} started cold: {reason}" for reason, count in declined.items())



def start(folder: "os.PathLike[str]") -> "subprocess.Popen[bytes]":
    """Start a server with its socket in ``folder`` and put its ``python3`` kernel spec first on
    ``JUPYTER_PATH`` (for this process and those it starts). Returns the server's process."""
    import subprocess
    from pathlib import Path

    from ipykernel.kernelspec import get_kernel_dict

    folder = Path(folder)
    path = str(folder / "server.sock")
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    kernel = get_kernel_dict()
    kernel["argv"] = [sys.executable, os.path.abspath(__file__), "launch", path, "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")]))
    with open(folder / "server.log", "wb") as log:
        return subprocess.Popen([sys.executable, os.path.abspath(__file__), "serve", path], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


if __name__ == "__main__":
    command, socket_path, *arguments = sys.argv[1:]
    if command == "serve":
        serve(socket_path)
    else:
        launch(socket_path, arguments)
