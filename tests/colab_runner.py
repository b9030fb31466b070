"""Run notebooks in the simulated Colab runtime of ``test_wheel_install.py``, one kernel for all.

Runs with the runtime's own Python, nbformat and nbclient (Colab's versions). The notebooks
run one after another, top to bottom, in one kernel started in the first notebook's folder,
as a reader runs a chapter in a Colab runtime after its set-up cell; a notebook that should
start from an empty namespace clears it itself (``%reset -f``). Writes a JSON report::

    python colab_runner.py REPORT.json NOTEBOOK...

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
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CELL_TIMEOUT_S = 300


async def run(path: Path, kernel: AsyncKernelManager) -> dict:
    """Run the notebook at ``path`` in the running ``kernel``; its entry of the report."""
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(notebook, km=kernel, timeout=CELL_TIMEOUT_S)
    try:
        await client.async_execute()
        error = None
    except CellExecutionError as failure:
        error = re.sub(r"\x1b\[[0-9;]*m", "", str(failure))[-6000:]  # no terminal colours
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    outputs = notebook.cells[-1].get("outputs", [])
    last_output = "".join(output.get("text", "") for output in outputs if output.get("output_type") == "stream")
    return {"error": error, "seconds": round(time.perf_counter() - start, 2), "last_output": last_output}


async def run_all(paths: list[Path]) -> dict[str, dict]:
    kernel = AsyncKernelManager(kernel_name="python3")
    await kernel.start_kernel(cwd=str(paths[0].parent))
    try:
        return {str(path): await run(path, kernel) for path in paths}
    finally:
        await kernel.shutdown_kernel(now=True)


if __name__ == "__main__":
    report, *notebooks = sys.argv[1:]
    results = asyncio.run(run_all([Path(name) for name in notebooks]))
    Path(report).write_text(json.dumps(results, indent=1), encoding="utf-8")
