"""Execute a page only when its outputs could differ from the last execution: cached, never stale.

The book is built with myst-nb's ``cache`` execution mode (``_config.yml``): a
notebook's executed copy is kept in a jupyter-cache, keyed by its code cells
(their sources and metadata) and kernel, and a page whose code has not changed
is rendered from it without running anything. A notebook's outputs also depend
on what its code imports and reads outside the notebook: ``dlbook/`` (the built
explorer modules in ``dlbook/widgets/static/`` included, whose text travels in
the widget state), their sources in ``js/``, and the installed packages. So this
extension gives each state of those their own cache: a folder named by their
:func:`fingerprint`, ``_build/.jupyter_cache/<fingerprint>/``
(:func:`cache_folder`). A change anywhere in them leaves every notebook without
an execution in the cache, and the page is executed again.

Sphinx re-reads a page only when its source file changed. Each page notes which
execution in the cache it shows (:func:`note_execution_shown`); a page whose
notebook is unchanged but whose execution in the cache is missing (``dlbook/``
changed, or the cache was emptied) or is another one (``dlbook/`` changed back,
or the test suite stored nbval's execution of the chapter there:
``tests/notebook_runs.py``) is outdated too: :func:`outdated_pages` adds those
(the ``env-get-outdated`` event). After reading, the build says how many notebooks it executed and how
many it took from the cache (:func:`report_executions`).

The test suite imports :func:`fingerprint` and :func:`cache_folder` from here,
so that the build finds what the tests stored. The suite's workers and the build
read and write one cache at the same time: :func:`wait_for_locks` has each of
them wait its turn at the cache's database instead of failing after SQLite's 5 s.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Files and folders under the book's root that a notebook's outputs depend on, besides the notebook.
INPUTS = ("dlbook", "js", "requirements.txt")
#: Parts of those folders that are not inputs: caches of Python and of tools.
NOT_INPUTS = {"__pycache__", ".ipynb_checkpoints", "node_modules", ".pytest_cache", ".hypothesis"}
#: How many caches of other fingerprints are kept (the newest), for switching back and forth.
OTHER_CACHES_KEPT = 3
#: How long a connection to a cache's database waits for another process's lock before it fails (ms).
LOCK_WAIT_MS = 300_000


def input_files(root: Path) -> Iterator[Path]:
    """Every file of :data:`INPUTS` under ``root``, in a fixed order."""
    for name in INPUTS:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                file for file in path.rglob("*")
                if file.is_file() and not NOT_INPUTS.intersection(file.relative_to(root).parts)
                and file.suffix != ".pyc" and not any(part.endswith(".egg-info") for part in file.parts)
            )


def requirement_names(root: Path) -> list[str]:
    """The names of the packages ``requirements.txt`` pins (lines ``name==version``), lower-cased."""
    path = root / "requirements.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return sorted({line.split("==")[0].strip().lower() for line in lines if "==" in line and not line.startswith("#")})


def environment(root: Path) -> str:
    """The Python version and the installed version of every package ``requirements.txt`` pins."""
    installed: dict[str, str] = {}
    for distribution in importlib.metadata.distributions():  # in import order: the first one counts
        name = (distribution.metadata["Name"] or "").lower().replace("_", "-")
        installed.setdefault(name, distribution.version)
    pins = [f"{name}=={installed.get(name.replace('_', '-'), 'missing')}" for name in requirement_names(root)]
    return "\n".join([f"python {platform.python_version()}", *pins])


def fingerprint(root: Path) -> str:
    """A digest of everything under ``root`` besides a notebook that decides its outputs (16 hex digits).

    It changes when a file of :data:`INPUTS` is added, removed or changed, or an
    installed package's version or Python's changes.
    """
    digest = hashlib.sha256()
    for file in input_files(root):
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    digest.update(environment(root).encode())
    return digest.hexdigest()[:16]


def wait_longer(dbapi_connection: Any, _record: Any) -> None:
    """Set a new SQLite connection's busy timeout to :data:`LOCK_WAIT_MS`."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")


def wait_for_locks() -> None:
    """Have every SQLite connection that SQLAlchemy opens in this process, jupyter-cache's included, wait up to
    :data:`LOCK_WAIT_MS` for a lock that another process holds on the database (SQLite's default: 5 s).

    Reading a cache writes to it too (jupyter-cache notes when a record was last
    read), so the suite's workers, while they store and read chapters' executions,
    and the build, while it reads them, take turns at the database; on a loaded
    machine a turn can take longer than 5 s.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", wait_longer):
        event.listen(Engine, "connect", wait_longer)


def cache_folder(caches: Path, root: Path) -> Path:
    """The jupyter-cache for the present state of ``root``'s inputs, inside the folder of caches ``caches``."""
    return caches / fingerprint(root)


def prune(caches: Path, keep: Path) -> None:
    """Delete the caches of other fingerprints in ``caches`` except the :data:`OTHER_CACHES_KEPT` newest."""
    others = [folder for folder in caches.iterdir() if folder.is_dir() and folder != keep and len(folder.name) == 16]
    others.sort(key=lambda folder: folder.stat().st_mtime, reverse=True)
    for folder in others[OTHER_CACHES_KEPT:]:
        shutil.rmtree(folder, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# Sphinx


def use_fingerprinted_cache(app: Any) -> None:
    """After myst-nb has set up its configuration: point its jupyter-cache at :func:`cache_folder`."""
    config = app.env.mystnb_config
    if config.execution_mode != "cache":
        return
    caches = Path(config.execution_cache_path)
    folder = cache_folder(caches, Path(app.srcdir))
    folder.mkdir(parents=True, exist_ok=True)
    folder.touch()  # newest: kept by prune()
    prune(caches, folder)
    app.env.mystnb_config = config.copy(execution_cache_path=str(folder))
    logger.info(f"dlbook_execution: notebooks' executions are cached in {folder}")


def cached_record(app: Any, docname: str) -> Any | None:
    """The cache's record of the execution of ``docname``'s notebook as it is now (None if it has none)."""
    import nbformat
    from jupyter_cache import get_cache

    if getattr(app, "dlbook_cache", None) is None:  # one connection to the cache's database per build
        app.dlbook_cache = get_cache(app.env.mystnb_config.execution_cache_path)
    notebook = nbformat.read(app.env.doc2path(docname), as_version=4)
    try:
        return app.dlbook_cache.match_cache_notebook(notebook)
    except KeyError:
        return None


def execution_key(app: Any, record: Any | None) -> str | None:
    """Which execution a record is: its cache folder, number and time of creation (None for no record)."""
    if record is None:
        return None
    return f"{Path(app.env.mystnb_config.execution_cache_path).name}/{record.pk}/{record.created.isoformat()}"


def notebooks(app: Any, docnames: set[str]) -> list[str]:
    """Those of ``docnames`` that are notebooks (the pages that are executed)."""
    return sorted(name for name in docnames if app.env.doc2path(name).endswith(".ipynb"))


def outdated_pages(app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Notebook pages that Sphinx would keep but that do not show the cache's execution of their notebook now.

    Each page read notes which execution it shows (:func:`note_execution_shown`);
    a page is outdated when the cache holds none for its notebook as it is now, or
    another one.
    """
    if env.mystnb_config.execution_mode != "cache":
        return []
    shown = getattr(env, "dlbook_executions_shown", {})
    outdated = []
    for docname in notebooks(app, env.found_docs - added - changed):
        key = execution_key(app, cached_record(app, docname))
        if key is None or key != shown.get(docname):
            outdated.append(docname)
    if outdated:
        logger.info(f"\ndlbook_execution: {len(outdated)} page(s) to read again, whose execution in the cache is "
                    f"missing or not the one shown: {', '.join(outdated)}")
    return outdated


def note_execution_shown(app: Any, doctree: Any) -> None:
    """After reading a notebook page: note which execution of the cache it shows."""
    env = app.env
    if env.mystnb_config.execution_mode == "cache" and env.doc2path(env.docname).endswith(".ipynb"):
        if not hasattr(env, "dlbook_executions_shown"):
            env.dlbook_executions_shown = {}
        env.dlbook_executions_shown[env.docname] = execution_key(app, cached_record(app, env.docname))


def forget_page(app: Any, env: Any, docname: str) -> None:
    """A page removed or about to be read again shows no execution (yet)."""
    getattr(env, "dlbook_executions_shown", {}).pop(docname, None)


def merge_pages(app: Any, env: Any, docnames: set[str], other: Any) -> None:
    """After a parallel read: take the notes of the pages another process read."""
    if not hasattr(env, "dlbook_executions_shown"):
        env.dlbook_executions_shown = {}
    theirs = getattr(other, "dlbook_executions_shown", {})
    env.dlbook_executions_shown.update({name: theirs[name] for name in docnames if name in theirs})


def note_reading(app: Any, env: Any, docnames: list[str]) -> None:
    """Before reading: which notebooks have an execution in the cache (the others will be executed)."""
    if env.mystnb_config.execution_mode == "cache":
        app.dlbook_executions = {name: cached_record(app, name) is not None for name in notebooks(app, set(docnames))}


def report_executions(app: Any, env: Any) -> None:
    """After reading: one line saying which notebooks were executed and how many came from the cache."""
    found = getattr(app, "dlbook_executions", {})
    if env.mystnb_config.execution_mode != "cache" or not found:
        return
    executed = [name for name, cached in found.items() if not cached]
    logger.info(f"dlbook_execution: executed {len(executed)} of {len(found)} notebook(s) read"
                + (f" ({', '.join(executed)})" if executed else "") + f"; {len(found) - len(executed)} from the cache")
    app.dlbook_executions = {}


def setup(app: Any) -> dict[str, object]:
    wait_for_locks()
    app.connect("builder-inited", use_fingerprinted_cache, priority=600)  # after myst-nb's own set-up (500)
    app.connect("env-get-outdated", outdated_pages)
    app.connect("env-before-read-docs", note_reading)
    app.connect("doctree-read", note_execution_shown)
    app.connect("env-purge-doc", forget_page)
    app.connect("env-merge-info", merge_pages)
    app.connect("env-updated", report_executions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
