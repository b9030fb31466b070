"""Run notebooks in the simulated Colab runtime of ``test_wheel_install.py``, a few at a time.

Runs with the runtime's own Python, nbformat and nbclient (Colab's versions), each notebook
in a fresh kernel, at most ``CONCURRENCY`` kernels at once, and writes a JSON report::

    python colab_runner.py REPORT.json CONCURRENCY NOTEBOOK...

The report maps each notebook's path to ``error`` (``None`` when every cell ran), ``seconds``
and ``last_output``: the text the notebook's last cell printed.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CELL_TIMEOUT_S = 300


async def run(path: Path, slots: asyncio.Semaphore) -> tuple[str, dict]:
    notebook = nbformat.read(path, as_version=4)
    async with slots:
        start = time.perf_counter()
        client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            await client.async_execute()
            error = None
        except CellExecutionError as failure:
            error = re.sub(r"\x1b\[[0-9;]*m", "", str(failure))[-6000:]  # no terminal colours
        seconds = time.perf_counter() - start
    outputs = notebook.cells[-1].get("outputs", [])
    last_output = "".join(output.get("text", "") for output in outputs if output.get("output_type") == "stream")
    return str(path), {"error": error, "seconds": round(seconds, 2), "last_output": last_output}


async def run_all(paths: list[Path], concurrency: int) -> dict[str, dict]:
    slots = asyncio.Semaphore(concurrency)
    return dict(await asyncio.gather(*(run(path, slots) for path in paths)))


if __name__ == "__main__":
    report, concurrency, *notebooks = sys.argv[1:]
    results = asyncio.run(run_all([Path(name) for name in notebooks], int(concurrency)))
    Path(report).write_text(json.dumps(results, indent=1), encoding="utf-8")
