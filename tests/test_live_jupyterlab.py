"""The book's promise, checked live: in a real JupyterLab, a reader's touch on a control changes the widget.

For every chapter notebook this test does what a reader does: it starts
JupyterLab with the command the README gives (``jupyter lab chapters/``, run by
this environment's Python, on a free localhost port with a random token and no
browser of its own), opens the notebook in headless Chromium, runs all cells
from the *Run* menu and checks that every cell ran and none shows an error.
Then, for every explorer on the page, it operates each control once the way a
reader would (drags each slider's handle with the mouse, picks the next option
of each dropdown, presses each button) and asserts after each move that

* every number in the read-out line equals what the book's compute functions
  (:mod:`dlbook.numpy`, the "oracles" below) give for the settings read back
  from the page, and
* where those numbers changed, the kernel sent a new figure whose pixels on
  screen differ from before.

JupyterLab and its kernels are stopped on success and failure alike, and no
process may outlive them; on failure a screenshot is saved and its path
printed. Without Chromium the live test is skipped, saying so.

The kernels import ``dlbook`` from this repository (``PYTHONPATH``), so the
test checks the code in the working tree it is run from.
"""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page

from dlbook.batches import steps_per_epoch
from dlbook.numpy import cross_entropy, get_activation, neuron_curve, perceptron, softmax, weighted_sum
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.training import accuracy, train_mlp
from dlbook.widgets.activations import X_RANGE, ActivationExplorer
from dlbook.widgets.playground import DATASETS, TrainingPlayground
from dlbook.widgets.softmax import CLASS_NAMES
from dlbook.widgets.view import STATIC_NOTE
from tests.jupyterlab_driver import (
    JupyterLab,
    change,
    control_values,
    controls,
    count_outputs,
    error_outputs,
    figure_pixels,
    figure_source,
    find_explorers,
    open_notebook,
    readme_lab_command,
    readout_numbers,
    readout_text,
    run_all_cells,
    save_notebook,
    save_screenshot,
    server_root,
    wait_for_new_figure,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))

#: The first sentence of the note every ``Explorer.show()`` prints below its controls: one per explorer.
NOTE_START = STATIC_NOTE.strip("*").split(".")[0]

Settings = dict[str, float | str]
#: ``oracle(settings, presses)``: every number the read-out should show, left to right (None: not checked),
#: for the controls' settings read back from the page and the button presses since the last change.
Oracle = Callable[[Settings, int], list[float | None]]


# ---------------------------------------------------------------- oracles: the compute functions


def perceptron_oracle(s: Settings, presses: int) -> list[float | None]:
    """Chapter 2: ``z = w·x + b`` and ``ŷ = f(z)``; the accuracy is not checked (it needs the page's data)."""
    x, w, b = np.array([s["input x₁"], s["input x₂"]]), np.array([s["w₁"], s["w₂"]]), float(s["b"])
    return [float(weighted_sum(x, w, b)), float(perceptron(x, w, b, str(s["activation"]))), None]


def activation_oracle(s: Settings, presses: int) -> list[float | None]:
    """Chapter 3: the neuron ``f(w x + b)`` over the explorer's inputs: centre ``-b/w``, steepest slope, range.

    Read-out numbers: ``w`` and ``|b|`` of the formula, the 0 of "z = 0", then the
    centre, the steepest slope, the smallest and largest output and the ends of
    the input range; with ``w = 0``: ``w``, ``|b|``, 0, ``b`` and the constant ``f(b)``.
    """
    activation, w, b = str(s["activation"]), float(s["weight w"]), float(s["bias b"])
    if w == 0:
        return [w, abs(b), 0.0, b, float(get_activation(activation)(b))]
    x = np.linspace(*X_RANGE, default_argument(ActivationExplorer, "points"))
    y, dy_dx = neuron_curve(x, w, b, activation)
    return [w, abs(b), 0.0, -b / w, float(np.max(np.abs(dy_dx))), float(y.min()), float(y.max()), *X_RANGE]


def softmax_oracle(s: Settings, presses: int) -> list[float | None]:
    """Chapter 4: ``softmax(z / T)`` of the three logits, then the true class's probability and ``-log`` of it."""
    scaled = np.array([s["logit z1"], s["logit z2"], s["logit z3"]]) / float(s["temperature T"])
    true_class = CLASS_NAMES.index(str(s["true class"]))
    probabilities = softmax(scaled)
    loss = float(cross_entropy(scaled, true_class))
    return [*map(float, probabilities), float(probabilities[true_class]), loss]


def playground_oracle(s: Settings, presses: int) -> list[float | None]:
    """Chapter 6: before training, the untrained network's accuracy (%) and the number of SGD steps;
    after one press of Train, epoch/epochs, step/steps, the last mini-batch loss and the accuracy (%)
    of :func:`dlbook.numpy.training.train_mlp` run with the settings.
    """
    X, y = DATASETS[str(s["data"])]()
    seed, activation = default_argument(TrainingPlayground, "seed"), str(s["activation"])
    n_hidden, batch_size, epochs = int(s["hidden units"]), int(s["batch size"]), int(s["epochs"])
    steps = epochs * steps_per_epoch(len(y), batch_size)
    if presses == 0:
        untrained = init_mlp(X.shape[1], n_hidden, 2, seed=seed)
        return [100 * accuracy(untrained, X, y, activation), steps]
    assert presses == 1, "the oracle knows one training run from the untrained network"
    params, losses = train_mlp(X, y, n_hidden=n_hidden, activation=activation, lr=float(s["learning rate"]),
                               batch_size=batch_size, epochs=epochs, seed=seed)
    return [epochs, epochs, steps, steps, float(losses[-1]), 100 * accuracy(params, X, y, activation)]


def default_argument(function: Callable[..., object], name: str) -> Any:
    """The default of ``function``'s argument ``name`` (an explorer shown with its defaults uses it)."""
    return inspect.signature(function).parameters[name].default


#: Each explorer, known by the labels of its controls, and the oracle for its read-out.
ORACLES: dict[frozenset[str], Oracle] = {
    frozenset({"w₁", "w₂", "b", "activation", "input x₁", "input x₂"}): perceptron_oracle,
    frozenset({"activation", "weight w", "bias b"}): activation_oracle,
    frozenset({"logit z1", "logit z2", "logit z3", "temperature T", "true class"}): softmax_oracle,
    frozenset({"data", "learning rate", "hidden units", "activation", "batch size", "epochs", "Train"}):
        playground_oracle,
}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterLab]:
    """JupyterLab started with the README's command in a copy of the chapters (so nothing is saved into the repo)."""
    workdir = tmp_path_factory.mktemp("jupyterlab")
    shutil.copytree(ROOT / "chapters", workdir / "chapters", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = JupyterLab(readme_lab_command(ROOT / "README.md"), workdir, pythonpath=ROOT)
    try:
        yield server
    finally:
        killed = server.stop()
    assert not killed, f"processes outlived JupyterLab and had to be killed: {killed}"


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Iterator[BrowserContext]:
    """One browser context for the module (pages share JupyterLab's cached scripts); skipped without Chromium."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield context
    finally:
        context.close()


# ---------------------------------------------------------------- the test


def check_readout(explorer: Locator, settings: Settings, expected: list[float | None], after: str) -> None:
    """Every number the read-out shows equals ``expected``, the oracle's numbers for ``settings``."""
    text = readout_text(explorer)
    shown = readout_numbers(text)
    assert len(shown) == len(expected), (
        f"after {after}: the read-out {text!r} shows {len(shown)} numbers, the test expects {len(expected)}; "
        f"if the read-out's wording changed, update the oracle in {Path(__file__).name}")
    wrong = [(i, s.value, e) for i, (s, e) in enumerate(zip(shown, expected)) if e is not None and not s.agrees_with(e)]
    assert not wrong, (
        f"after {after}: the read-out {text!r} disagrees with dlbook for settings {settings}: "
        + "; ".join(f"number {i + 1} is {v}, dlbook gives {e:.6g}" for i, v, e in wrong))


def exercise(page: Page, explorer: Locator, where: str) -> None:
    """Operate every control of ``explorer`` once like a reader; the figure and read-out must follow each move.

    After a move the read-out must show the oracle's numbers for the settings read
    back from the page. Where those numbers change, the kernel must also have sent
    a new figure that looks different on screen; where the compute functions say
    nothing shown depends on the setting yet (a learning rate before training),
    the figure may stay as it is. At least one move must change the figure.
    """
    labels = [control.label for control in controls(explorer)]
    oracle = ORACLES.get(frozenset(labels))
    assert oracle is not None, (
        f"{where}: no oracle for an explorer with controls {labels}; add one to ORACLES in {Path(__file__).name}")
    # The chapter may have driven the explorer already (trained the playground in a cell): the first
    # read-out is the baseline, checked only after the first move.
    settings, presses, changed = control_values(explorer), 0, 0
    expected = oracle(settings, presses)
    pixels = figure_pixels(explorer)
    for control in controls(explorer):
        source = figure_source(explorer)
        action = f"{where}: {change(page, control)}"
        presses = presses + 1 if control.kind == "button" else 0
        settings = control_values(explorer)
        before, expected = expected, oracle(settings, presses)
        if expected == before:
            wait_for_new_figure(page, explorer, source, timeout=1500)
        else:
            assert wait_for_new_figure(page, explorer, source), f"{action}, but the kernel sent no new figure"
            new_pixels = figure_pixels(explorer)
            assert not np.array_equal(new_pixels, pixels), f"{action}, but the figure looks the same"
            pixels, changed = new_pixels, changed + 1
        check_readout(explorer, settings, expected, action)
    assert changed > 0, f"{where}: no control changed what the explorer shows"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_chapter_runs_and_its_widgets_respond(notebook: Path, browser: BrowserContext, lab: JupyterLab,
                                              tmp_path: Path) -> None:
    """Run the chapter in JupyterLab; no error; every explorer's figure and numbers follow its controls."""
    page = browser.new_page()
    try:
        path = open_notebook(page, lab, lab.workdir / "chapters" / notebook.name)
        run_all_cells(page)
        save_notebook(page)
        problems = error_outputs(lab.api("GET", f"/api/contents/{path}?content=1")["content"])
        assert not problems, f"{notebook.name} in JupyterLab: " + "; ".join(problems)
        explorers = find_explorers(page)
        notes = count_outputs(page, NOTE_START)
        assert len(explorers) == notes, (
            f"{notebook.name} shows {notes} explorers but {len(explorers)} live widgets rendered: "
            "is the ipywidgets JupyterLab extension (jupyterlab_widgets) active?")
        for index, explorer in enumerate(explorers):
            exercise(page, explorer, f"{notebook.stem}, explorer {index + 1}")
    except BaseException:
        try:
            print(f"screenshot of the failing page: {save_screenshot(page, tmp_path / f'{notebook.stem}.png')}")
        except Exception as error:  # a crashed page has no picture; the original failure matters more
            print(f"no screenshot of the failing page: {error}")
        print(f"JupyterLab's log: {lab.log_path}")
        raise
    finally:
        page.close()
        lab.shutdown_kernels()


# ---------------------------------------------------------------- the helpers the live test relies on


def test_readme_command_opens_every_chapter() -> None:
    """The README tells readers to type ``jupyter lab ...``, and the folder it serves holds every chapter."""
    words = readme_lab_command(ROOT / "README.md")
    served = server_root(words, ROOT)
    assert NOTEBOOKS, "no chapter notebooks found"
    outside = [path.name for path in NOTEBOOKS if not path.resolve().is_relative_to(served)]
    assert not outside, f"'{' '.join(words)}' run in the repository serves {served}, which lacks {outside}"


def test_readme_without_a_lab_command_is_an_error(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Book\n\nOpen it with Jupyter: it's easy.\n\n    jupyter-book build .\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no line starting with 'jupyter lab'"):
        readme_lab_command(readme)


@pytest.mark.parametrize(("line", "words", "served"), [
    ("jupyter lab chapters/", ["jupyter", "lab", "chapters/"], "chapters"),
    ("$ python -m jupyter lab --no-browser", ["python", "-m", "jupyter", "lab", "--no-browser"], "."),
])
def test_readme_lab_command_and_the_folder_it_serves(tmp_path: Path, line: str, words: list[str],
                                                     served: str) -> None:
    (tmp_path / "chapters").mkdir()
    readme = tmp_path / "README.md"
    readme.write_text(f"Run the pages in JupyterLab:\n\n```bash\n{line}\n```\n", encoding="utf-8")
    assert readme_lab_command(readme) == words
    assert server_root(words, tmp_path) == (tmp_path / served).resolve()


def test_readout_numbers_keep_their_printed_precision() -> None:
    """Numbers are read left to right with half a unit of their last digit as tolerance; ``x1`` is a name."""
    shown = readout_numbers("z = w·x1 + b = −1.250 \xa0 ŷ = 0.5 \xa0 accuracy 47% for x in [-5, 5], lr 1e-3")
    assert [(n.value, n.tolerance) for n in shown] == [
        (-1.25, 0.0005), (0.5, 0.05), (47.0, 0.5), (-5.0, 0.5), (5.0, 0.5), (0.001, 0.0005)]
    assert shown[0].agrees_with(-1.2504) and not shown[0].agrees_with(-1.2506)
