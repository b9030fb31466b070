"""The chapters' notebook tests: only ``_toc.yml``'s chapters are collected, and nbval's execution of each is
kept as nbclient would have made it (``tests/notebook_runs.py``), for the website to show.

Checked on a small book run by pytest in a temporary folder, with the plugin: a
chapter whose cells exercise what nbclient makes of a kernel's messages
(streams, display updates, ``clear_output``, a blank cell, widgets whose state
changes after they are shown, an output widget), beside leftovers that must not
be collected. Its recorded execution must be the one nbclient makes when it
executes the same notebook as myst-nb has it do, but for what differs between
any two executions (widgets' random model ids, objects' memory addresses).
"""

from __future__ import annotations

import json
import re
from typing import Any

import nbformat
import pytest

from tests.book import CHAPTERS, ROOT
from tests.notebook_runs import EXECUTED_BY, book_notebooks, cache_folder, execution_extension, open_cache

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: How long (s) nbclient's run of the small chapter waits for each cell's reply; its cells take well under 1 s.
REPLY_WAIT_S = 10

CELLS = [
    'import sys\nprint("a\\rb")\nprint("to stderr", file=sys.stderr)\nprint("to stdout")',
    'from IPython.display import clear_output, display\nhandle = display("first", display_id=True)\n'
    'handle.update("second")',
    'print("gone")\nclear_output(wait=True)\nprint("kept")',
    "",
    "import ipywidgets\nslider = ipywidgets.IntSlider(3)\nslider",
    'slider.value = 5\noutput = ipywidgets.Output()\nwith output:\n    print("inside")\noutput',
    "1 + 1",
]


def book_notebook(sources: list[str]) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell("# A chapter")] + [nbformat.v4.new_code_cell(s) for s in sources]
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index}"
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def comparable(notebook: nbformat.NotebookNode) -> Any:
    """The notebook with its memory addresses blanked and its widgets' model ids numbered in a fixed order:
    the views in the outputs, then the models they refer to (``IPY_MODEL_<id>``), breadth first."""
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order = [output["data"][WIDGET_VIEW]["model_id"] for cell in notebook.cells for output in cell.outputs
             if WIDGET_VIEW in output.get("data", {})]
    for model_id in order:  # grows while it is walked
        refers_to = re.findall(r"IPY_MODEL_([0-9a-f]{32})", json.dumps(state.get(model_id, {}), sort_keys=True))
        order += [other for other in dict.fromkeys(refers_to) if other not in order]
    text = re.sub(r"0x[0-9a-f]+", "0x?", json.dumps(notebook))
    for number, model_id in enumerate(order):
        text = text.replace(model_id, f"model-{number}")
    return json.loads(text)


def test_only_the_chapters_of_the_table_of_contents_are_collected() -> None:
    assert book_notebooks(ROOT) == {chapter.resolve() for chapter in CHAPTERS}


@pytest.fixture
def cache_imported() -> None:
    """jupyter-cache's database layer imported before ``pytester`` snapshots ``sys.modules``: restoring the
    snapshot would drop SQLAlchemy's modules but not their compiled parts, and a later import would mix the two."""
    import jupyter_cache.cache.main  # noqa: F401


def test_nbvals_execution_is_kept_as_nbclient_makes_it(cache_imported: None, pytester: pytest.Pytester) -> None:
    """A passing chapter's execution is kept, nbclient's in all but chance; a failing chapter's is not."""
    from jupyter_cache.executors.utils import single_nb_execution

    book = pytester.path
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: chapters/01_a\n"
                                   "- file: chapters/02_b\n", encoding="utf-8")
    (book / "chapters").mkdir()
    passing, failing = book / "chapters" / "01_a.ipynb", book / "chapters" / "02_b.ipynb"
    nbformat.write(book_notebook(CELLS), passing)
    nbformat.write(book_notebook(["x = 1", 'raise RuntimeError("broken")', "y = 2"]), failing)
    for leftover in ("chapters/01_a.nbconvert.ipynb", "chapters/99_draft.ipynb", "scratch.ipynb"):
        nbformat.write(book_notebook(['raise RuntimeError("not a chapter")']), book / leftover)
    pytester.makeini("[pytest]\naddopts = --nbval-lax -p no:cacheprovider -p no:xdist\n")
    pytester.makeconftest('pytest_plugins = ["tests.notebook_runs"]\n')

    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=len(CELLS) + 2, failed=1)  # the chapters' cells; no leftover was collected

    cache = open_cache(cache_folder(book))
    with pytest.raises(KeyError):
        cache.match_cache_notebook(nbformat.read(failing, as_version=4))
    source = nbformat.read(passing, as_version=4)
    record = cache.match_cache_notebook(source)
    assert record.data["executed_by"] == EXECUTED_BY
    recorded = cache.get_cache_bundle(record.pk).nb
    # A short wait for each cell's reply: now and then nbclient waits out the whole of it at the output widget's
    # cell and then goes on with no error (seen in 5 runs of 25 on a busy machine, and once for 120 s in a whole
    # test run); its output widget sends the widget's state on the shell channel it is waiting on.
    reference_run = single_nb_execution(source, cwd=str(passing.parent), timeout=REPLY_WAIT_S, allow_errors=False)
    assert reference_run.err is None, reference_run.exc_string
    reference, _ = cache.create_hashed_notebook(reference_run.nb)  # as the cache stores it
    assert comparable(recorded) == comparable(reference)
    assert len(recorded.metadata.widgets[WIDGET_STATE]["state"]) == 5, "the slider, the output and their parts"


def test_the_cache_waits_its_turn_while_another_process_writes(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers and the build share the cache's database: a read waits for a writer's lock instead of failing,
    for as long as ``LOCK_WAIT_MS`` allows (SQLite alone gives up after 5 s)."""
    import sqlite3
    import threading
    import time

    extension = execution_extension()
    with open_cache(tmp_path).db.connect() as connection:  # creates the database
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == extension.LOCK_WAIT_MS > 5000

    def read_while_locked(wait_ms: int) -> float:
        """Read the cache while another connection holds the database for 0.6 s; the seconds the read took."""
        monkeypatch.setattr(extension, "LOCK_WAIT_MS", wait_ms)
        cache, locked = open_cache(tmp_path), threading.Event()  # a new connection, with the busy timeout of now

        def write() -> None:
            writer = sqlite3.connect(tmp_path / "global.db", isolation_level=None)
            writer.execute("BEGIN EXCLUSIVE")
            locked.set()
            time.sleep(0.6)
            writer.rollback()
            writer.close()

        thread = threading.Thread(target=write)
        thread.start()
        locked.wait()
        started = time.monotonic()
        try:
            assert cache.list_cache_records() == []
            return time.monotonic() - started
        finally:
            thread.join()

    with pytest.raises(RuntimeError, match="Unexpected error accessing jupyter cache"):
        read_while_locked(100)
    assert read_while_locked(5000) >= 0.6
