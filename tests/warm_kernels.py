"""Kernels forked from one process that has already imported what the chapters import.

A kernel spends 2 to 4 CPU-seconds importing ipykernel, NumPy, SciPy, scikit-learn, PyTorch and
matplotlib's pyplot before a chapter's first cell has done anything, and a test run starts some thirty kernels
(nbval's, JupyterLab's, the rebuild tests'). Here one *fork server* imports them once, and each
kernel is a fork of it: a process of its own, in a session and process group of its own, with
its own namespace and IPython shell and freshly seeded random generators, started as
``python -m ipykernel_launcher`` starts one, with those modules already in memory. The
chapters' cells all run, ``import torch`` included (it binds the name; the module is loaded
already, so what importing it does once is not done again).

How it fits in: :func:`start` (called once per test run, by the root ``conftest.py``) starts the
server and puts a kernel spec named ``python3`` first on ``JUPYTER_PATH``, so that nbval, the
book's build and JupyterLab start their kernels with it. That spec runs this file's *launcher*,
which hands its arguments, folder, environment and standard streams to the server over a Unix
socket and stands in for the kernel: it forwards the signals it gets (an interrupt) to the
kernel's process group, kills the kernel when the process that started it is gone (as a fresh
kernel's parent poller would end it), and ends with the kernel's exit status. If the launcher
dies, or the server is stopped, the server kills the kernel's process group.

What is imported ahead must not depend on IPython or on what differs from kernel to kernel: not
ipywidgets or anywidget (they register their comm targets on import only inside a running kernel),
not dlbook (the tests change it). matplotlib's ``pyplot`` is imported ahead as a kernel would
import it: with ``MPLBACKEND`` set to the inline backend, as ipykernel sets it where it is not set
(matplotlib reads it on import; the backend's module itself is loaded at the first figure, inside
the kernel), and from a folder without a ``matplotlibrc`` (matplotlib reads one in the current
folder). A kernel for which matplotlib would read another settings file (a ``matplotlibrc`` in its
folder or its configuration folder, :func:`matplotlibrc`) starts the usual way.
A kernel gets the ``sys.path`` of its own folder and ``PYTHONPATH``. Where a kernel is asked for
with other values of the variables that Python's start and those imports read (``PYTHON*``,
thread counts, ``TORCH*``, locale, ...), or with a folder or ``PYTHONPATH`` that holds a module
of the same name as one imported ahead, the server declines and the launcher starts the kernel
the usual way. So does a launcher that gets no answer. Either way the server's log says why,
and the run's summary counts them (:func:`report`).

    python tests/warm_kernels.py serve SOCKET      # the server (start() runs it)
    python tests/warm_kernels.py launch SOCKET -f CONNECTION_FILE   # the kernel spec's command
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import sys
import time

#: What the server imports before forking: the costly imports of the chapters and of ipykernel.
PRELOAD = ("ipykernel.kernelapp", "numpy", "scipy.stats", "sklearn.datasets", "torch", "matplotlib.pyplot")
#: Modules that must not be imported ahead, because importing them does something only inside a kernel.
NOT_AHEAD = ("ipywidgets", "anywidget", "matplotlib_inline")
#: What ipykernel sets ``MPLBACKEND`` to where it is not set, before any cell runs.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Environment variables read when Python starts or the preloaded modules are imported: a kernel asked
#: for with other values starts the usual way (``PYTHONPATH`` aside: a kernel gets its ``sys.path``).
IMPORT_TIME_PREFIXES = ("PYTHON", "OMP_", "KMP_", "MKL_", "OPENBLAS_", "GOTO_", "NPY_", "NUMPY_", "SCIPY_",
                        "SKLEARN_", "JOBLIB_", "LOKY_", "TORCH", "PYTORCH_", "ATEN_", "LD_", "LC_", "TRAITLETS_",
                        "IPYTHON_", "PYZMQ_", "MPL", "MATPLOTLIB")
IMPORT_TIME_NAMES = ("LANG", "LANGUAGE", "TZ", "TERM")
#: ... but not these: read only by parts of PyTorch that ``import torch`` does not load (its compiler).
RUN_TIME_PREFIXES = ("TORCHINDUCTOR_", "TORCHDYNAMO_", "TORCH_COMPILE_")
#: Signals the launcher passes on to its kernel (jupyter_client interrupts a kernel with SIGINT).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
#: How long a launcher waits for the server's answer (it may be importing still, on a busy machine).
ANSWER_TIMEOUT_S = 120
#: How long :func:`start` waits for the server to bind its socket.
SOCKET_WAIT_S = 30
HEADER = struct.Struct("!I")
#: The server's environment once it has imported ahead (a kernel's replaces ``os.environ`` in its fork).
SERVER_ENV: dict[str, str] = {}
#: The variables that importing ahead set (scikit-learn sets ``KMP_DUPLICATE_LIB_OK``): a kernel gets them too.
SET_BY_IMPORTS: dict[str, str] = {}


def send(conn: socket.socket, message: dict, fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(message).encode()
    socket.send_fds(conn, [HEADER.pack(len(data)) + data], list(fds))


class Inbox:
    """The messages that arrive on a connection (each a length and JSON), with the file descriptors sent along."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.data = conn, b""

    def next(self) -> tuple[dict | None, list[int]]:
        """The next message and its file descriptors; ``(None, ...)`` when the other end has closed first."""
        fds: list[int] = []
        while len(self.data) < HEADER.size or len(self.data) < HEADER.size + HEADER.unpack_from(self.data)[0]:
            chunk, more, _, _ = socket.recv_fds(self.conn, 65536, 3)
            fds += more
            if not chunk:
                return None, fds
            self.data += chunk
        end = HEADER.size + HEADER.unpack_from(self.data)[0]
        message, self.data = json.loads(self.data[HEADER.size:end]), self.data[end:]
        return message, fds


def log(folder: str, line: str) -> None:
    """Add a line to the server's log (``O_APPEND``: whole lines, from the server and the launchers alike)."""
    try:
        with open(os.path.join(folder, "server.log"), "a", encoding="utf-8") as file:
            file.write(line + "\n")
    except OSError:  # no folder: no server was ever started there
        pass


# ---------------------------------------------------------------- the launcher (the kernel spec's command)


def launch(path: str, argv: list[str]) -> None:
    """Have the server at ``path`` fork a kernel with ``argv`` (``-f CONNECTION_FILE``); wait for it to end."""
    parent = os.getppid()
    conn = socket.socket(socket.AF_UNIX)
    conn.settimeout(ANSWER_TIMEOUT_S)
    inbox = Inbox(conn)
    try:
        conn.connect(path)
        send(conn, {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}, (0, 1, 2))
        reply, _ = inbox.next()
    except OSError as error:  # no server, or no answer in time
        reply = {"declined": f"no answer from a fork server at {path} ({error})"}
        log(os.path.dirname(path), f"declined: no answer from the fork server ({type(error).__name__})")
    if reply is None or "declined" in reply:
        conn.close()
        reason = "the fork server closed the connection" if reply is None else reply["declined"]
        print(f"warm_kernels: {reason}; starting the kernel the usual way", file=sys.stderr, flush=True)
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    group = reply["pid"]  # the kernel leads a process group of its own

    def forward(signum: int, _: object = None) -> None:
        try:
            os.killpg(group, signum)
        except ProcessLookupError:  # ended already
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    conn.setblocking(True)
    while not inbox.data and not select.select([conn], [], [], 1.0)[0]:  # (its end may have come with its pid)
        if os.getppid() != parent:  # whoever started the kernel is gone
            forward(signal.SIGKILL)
    ended, _ = inbox.next()
    status = 1 if ended is None else ended["status"]
    if status < 0:  # killed by a signal: end the same way
        if -status not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


# ---------------------------------------------------------------- the server


def search_path(env: dict[str, str]) -> list[str]:
    """The folders that ``PYTHONPATH`` in ``env`` puts on ``sys.path``."""
    return [os.path.abspath(folder) for folder in env.get("PYTHONPATH", "").split(os.pathsep) if folder]


def kernel_path(cwd: str, env: dict[str, str]) -> list[str]:
    """The folders before the installation's on a kernel's ``sys.path``: its own (as ``python -m`` puts it,
    unless ``PYTHONSAFEPATH``), then ``PYTHONPATH``'s."""
    return [*([] if env.get("PYTHONSAFEPATH") else [os.path.abspath(cwd)]), *search_path(env)]


def shadowing(folders: list[str]) -> list[str]:
    """The modules imported here of which ``folders`` hold a module or package of the same name."""
    imported = {name for name in sys.modules if "." not in name}
    found = set()
    for folder in folders:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        found |= {entry.split(".")[0] for entry in entries} & imported
    return sorted(found)


def import_time_settings(env: dict[str, str]) -> dict[str, str]:
    """The variables of ``env`` that Python's start or the preloaded imports read (``PYTHONPATH`` aside)."""
    return {name: value for name, value in env.items()
            if name != "PYTHONPATH" and not name.startswith(RUN_TIME_PREFIXES)
            and (name.startswith(IMPORT_TIME_PREFIXES) or name in IMPORT_TIME_NAMES)}


def matplotlibrc(cwd: str, env: dict[str, str]) -> str | None:
    """The settings file matplotlib reads on import in folder ``cwd`` with ``env`` (``MATPLOTLIBRC``
    aside, compared as a variable): the folder's ``matplotlibrc``, else its configuration folder's
    (``MPLCONFIGDIR``, else ``$XDG_CONFIG_HOME/matplotlib`` or ``~/.config/matplotlib``); None for
    its own defaults. (Where its font list is kept, ``HOME`` or ``XDG_CACHE_HOME``, changes nothing:
    a font list made anew is the same.)"""
    home = env.get("HOME") or os.path.expanduser("~")
    config = env.get("MPLCONFIGDIR") or os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"),
                                                     "matplotlib")
    found = [path for path in (os.path.join(cwd, "matplotlibrc"), os.path.join(config, "matplotlibrc"))
             if os.path.isfile(path)]
    return found[0] if found else None


def decline(request: dict) -> str | None:
    """Why this server cannot stand in for a fresh kernel of ``request``; None when it can.

    Another ``PYTHONPATH`` is fine (the kernel gets its ``sys.path``) unless the kernel's folder or
    a folder it adds holds a module that the server has imported from elsewhere.
    """
    server_env = SERVER_ENV or dict(os.environ)  # (the test's process, outside a server)
    kernel, server = import_time_settings({**SET_BY_IMPORTS, **request["env"]}), import_time_settings(server_env)
    differ = sorted(name for name in kernel.keys() | server.keys() if kernel.get(name) != server.get(name))
    if differ:
        return f"the kernel's environment differs from the server's in {', '.join(differ)}"
    settings = matplotlibrc(request["cwd"], request["env"])
    if settings != matplotlibrc(os.getcwd(), server_env):
        return f"matplotlib, imported already, would read {settings or 'no matplotlibrc'} there instead"
    server_folders = set(search_path(server_env))
    added = [folder for folder in kernel_path(request["cwd"], request["env"]) if folder not in server_folders]
    shadowed = shadowing(added)
    return f"its folder or PYTHONPATH holds modules imported already: {', '.join(shadowed)}" if shadowed else None


def reseed() -> None:
    """Seed the global random generators afresh, as a new process's are: a fork would share the server's."""
    import random

    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    if "torch" in sys.modules:
        sys.modules["torch"].seed()


def run_kernel(request: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel that ``python -m ipykernel_launcher ARGV`` would start."""
    import atexit
    import importlib.util
    import threading
    import traceback

    status = 1
    try:
        os.setsid()  # jupyter_client signals, and kills, a kernel's process group
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update({**SET_BY_IMPORTS, **request["env"]})
        server = os.path.dirname(os.path.abspath(__file__)), *search_path(SERVER_ENV)
        sys.path[:] = [*kernel_path(os.getcwd(), os.environ), *(folder for folder in sys.path if folder not in server)]
        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *request["argv"]]
        if os.environ.get("JPY_PARENT_PID"):  # ipykernel read it when the server imported it: pass it on
            sys.argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
        reseed()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        status = 0
    except SystemExit as end:
        status = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:  # the end of an interpreter: its threads joined, its exit functions run; none of the server's code
        try:
            threading._shutdown()
            atexit._run_exitfuncs()
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        finally:
            os._exit(status)


def serve(path: str) -> None:
    """Listen at ``path``; fork a kernel for each launcher; end when stopped or when the process that started
    this one ends, killing the kernels still running."""
    import gc
    import importlib
    import selectors
    import traceback

    parent, folder = os.getppid(), os.path.dirname(path)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(64)  # launchers that come while the imports run wait here
    before = dict(os.environ)
    os.chdir(folder)  # no matplotlibrc here; each kernel's is compared with what matplotlib read (matplotlibrc())
    if not os.environ.get("MPLBACKEND"):  # as ipykernel sets it, before matplotlib reads it
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    for name in PRELOAD:
        importlib.import_module(name)
    if "MPLBACKEND" in before:  # as it was: each kernel's ipykernel sets it again
        os.environ["MPLBACKEND"] = before["MPLBACKEND"]
    else:
        del os.environ["MPLBACKEND"]
    SERVER_ENV.update(os.environ)
    SET_BY_IMPORTS.update({name: value for name, value in os.environ.items() if before.get(name) != value})
    ahead = sorted(name for name in NOT_AHEAD if name in sys.modules)
    assert not ahead, f"imported ahead, but must not be: {ahead}"
    compiler = sorted(name for name in sys.modules if name.startswith(("torch._inductor", "torch._dynamo")))
    assert not compiler, f"PyTorch's compiler was imported ahead (it reads {RUN_TIME_PREFIXES} when it is): {compiler}"
    threads = os.listdir("/proc/self/task")
    assert len(threads) == 1, f"the preloaded modules started threads: {threads}"
    gc.freeze()  # what was imported lives on: the kernels' collections neither scan nor copy it
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    stopped: list[int] = []
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda signum, _: stopped.append(signum))
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    kernels: dict[int, socket.socket] = {}  # kernel's pid (and process group): its launcher's connection

    def kill(pid: int) -> None:
        """Kill a kernel and its process group (the kernel itself too if it has not made its group yet)."""
        for end in (os.killpg, os.kill):
            try:
                end(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def fork(conn: socket.socket) -> None:
        conn.settimeout(10)
        request, fds = None, []
        try:
            request, fds = Inbox(conn).next()
            if request is None:  # the launcher left without asking: nothing to answer
                return
            reason = decline(request)
            if reason:
                log(folder, f"declined: {reason}")
                send(conn, {"declined": reason})
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
                for signum in (signal.SIGCHLD, signal.SIGTERM):
                    signal.signal(signum, signal.SIG_DFL)
                run_kernel(request, fds)
            try:
                send(conn, {"pid": pid})
            except OSError:  # the launcher is gone: no one will ever talk to this kernel
                kill(pid)
                raise
            log(folder, f"forked: {pid}")
            kernels[pid] = conn
            selector.register(conn, selectors.EVENT_READ, pid)
        finally:
            for fd in fds:
                os.close(fd)
            if conn not in kernels.values():
                conn.close()

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:  # no child left
                return
            if pid == 0:
                return
            conn = kernels.pop(pid, None)
            if conn is None:
                continue
            if conn.fileno() in selector.get_map():
                selector.unregister(conn)
            try:
                send(conn, {"status": os.waitstatus_to_exitcode(status)})
            except OSError:
                pass
            conn.close()

    try:
        while os.getppid() == parent and not stopped:
            for key, _ in selector.select(timeout=1.0):
                try:
                    if key.fileobj is listener:
                        fork(listener.accept()[0])
                    elif key.fileobj == wake_read:
                        os.read(wake_read, 4096)
                        reap()
                    else:  # a launcher sends nothing after its request: readable means gone, and so goes its kernel
                        selector.unregister(key.fileobj)
                        if key.data in kernels:
                            kill(key.data)
                except Exception:  # one launcher's trouble must not end the server
                    log(folder, "trouble: " + traceback.format_exc().replace("\n", " | "))
    finally:
        for pid in kernels:
            kill(pid)


# ---------------------------------------------------------------- starting it for a test run


def report(folder: "os.PathLike[str]") -> str | None:
    """How many kernels the server in ``folder`` forked, which started the usual way and why, and any trouble
    (from its log); None if it saw no kernel."""
    from collections import Counter
    from pathlib import Path

    lines = (Path(folder) / "server.log").read_text(encoding="utf-8", errors="replace").splitlines()
    forked = sum(line.startswith("forked: ") for line in lines)
    declined = Counter(line.removeprefix("declined: ") for line in lines if line.startswith("declined: "))
    trouble = [line for line in lines if line.startswith(("trouble: ", "Traceback"))]
    if not forked and not declined and not trouble:
        return None
    text = f"kernels: {forked} forked from the warm server (tests/warm_kernels.py)"
    text += "".join(f"; {count} started the usual way: {reason}" for reason, count in declined.items())
    return text + (f"; the server's log ({Path(folder) / 'server.log'}) reports trouble: {trouble[0]}"
                   if trouble else "")


def start(folder: "os.PathLike[str]") -> "subprocess.Popen[bytes]":
    """Start a server with its socket in ``folder`` and put its ``python3`` kernel spec first on
    ``JUPYTER_PATH`` (for this process and those it starts). Returns the server's process."""
    import subprocess
    from pathlib import Path

    from ipykernel.kernelspec import write_kernel_spec

    folder, script = Path(folder), os.path.abspath(__file__)
    path = str(folder / "server.sock")
    argv = [sys.executable, script, "launch", path, "-f", "{connection_file}"]
    write_kernel_spec(folder / "kernels" / "python3", overrides={"argv": argv})
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")]))
    # Appending, as log() does: what the server prints and the lines logged never overwrite one another.
    with open(folder / "server.log", "ab") as server_log:
        server = subprocess.Popen([sys.executable, script, "serve", path], stdin=subprocess.DEVNULL,
                                  stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
    # Its socket is bound before its imports, a few tenths of a second after it starts: a launcher that came
    # sooner would find no socket and start its kernel the usual way.
    deadline = time.monotonic() + SOCKET_WAIT_S
    while not os.path.exists(path) and server.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return server


if __name__ == "__main__":
    command, socket_path, *arguments = sys.argv[1:]
    if command == "serve":
        serve(socket_path)
    else:
        launch(socket_path, arguments)
