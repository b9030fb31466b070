"""The book's promise, checked live: in a real JupyterLab every explorer answers the reader and Python.

JupyterLab is started once for the module with the command the README gives
(``jupyter lab chapters/``, run by this environment's Python, on a free localhost
port with a random token and no browser of its own) and loaded once in headless
Chromium. For every chapter notebook of ``_toc.yml`` that makes an explorer
(``tests/explorer_driver.py``'s ``makes_an_explorer``; ``tests/test_site.py``
checks that these are the pages whose website shows one) the test does what a
reader does: it opens the notebook from the file browser, checks that the
exercises' answers (the cells the website folds) open folded, and only they,
runs the cells its explorers need (``tests/explorer_cells.py``), each with a
click and Ctrl+Enter, saves it from the *File* menu and checks that each of them
ran and none shows an error. Each explorer must then hold, in the kernel, what
it held at the end of nbval's run of the whole chapter (this test run's, waited
for, or one in the book's jupyter-cache); where there is none to compare with,
every cell is run, from the *Run* menu. (That every cell of a chapter runs in
this environment's kernel, nbval checks; a chapter without an explorer is not
run here at all: it is only opened, to check that its answers are folded, and
closed again. One
chapter is open at a time, and it is closed with *File > Close and Shut Down*
before the next is opened: the page stays as small as a reader's, and the
browser's work does not grow with the number of chapters.) Then, for every
explorer on the page (``tests/explorer_driver.py`` knows them by their CSS class,
so an explorer registered there is picked up here, with its oracle):

* the keyboard: Tab reaches every control, then every button, in the order the
  Python class declares them, each with a visible focus outline of 2 px or more;
  an arrow key moves a slider and changes the read-out, and one picks another
  option of a menu (JupyterLab must not take these keys for its own shortcuts);
* every control is moved once as a reader moves it (a mouse drag, arrow keys, a
  menu pick), and after each move the read-out must equal both the ``readout()``
  of the explorer's Python object *in the notebook's kernel* (so the browser's
  settings reached Python: a notebook can read ``explorer.w1``) and that of a
  fresh ``dlbook`` explorer given the settings read back from the page (the
  oracle); the kernel's settings must equal the page's, and the figure's pixels
  must change;
* Python to browser: the kernel sets the explorer back to the settings it opened
  with (``explorer.w1 = 1.0``, ...); the page's controls and read-out must follow;
* every button is pressed (the playground's Train) and waited for; the read-out
  must equal the kernel's and the oracle's after the same call in Python
  (``explorer.train()``), and the playground must reach 95 % on the moons with
  its default settings, its network (``playground.params``) synced to the kernel;
* on an explorer with a drawing pad a seven is drawn with the mouse: the image
  must reach the kernel (``explorer.image``), and the read-out must be the
  kernel's and the oracle's for that image.

The test reads the kernel through a second client connected with the kernel's
connection file (:class:`tests.jupyterlab_driver.KernelClient`): it runs silently,
so the notebook is left as the reader ran it. JupyterLab and its kernels are
stopped on success and failure alike, and no process may outlive them; on failure
a screenshot is saved under ``_build/screenshots/`` and its path printed. Without
Chromium the live test is skipped, saying so.

The kernels import ``dlbook`` from this repository (``PYTHONPATH``), so the test
checks the code in the working tree it is run from.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import nbformat
import pytest
from nbval.plugin import IPyNbCell
from playwright.sync_api import Browser, ElementHandle, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.book import CHAPTERS as BOOK_CHAPTERS
from tests.conftest import BUILD, ROOT
from tests.explorer_cells import explorer_cells
from tests.explorer_driver import (
    EXPLORERS,
    PAD_EXPLORERS,
    Control,
    close,
    controls,
    draw,
    drawn_image,
    explorer_key,
    figure_pixels,
    find_explorers,
    makes_an_explorer,
    move,
    oracle,
    part,
    readout,
    settings,
)
from tests.jupyterlab_driver import (
    PANEL,
    WIDGET_VIEW,
    JupyterLab,
    KernelClient,
    close_and_shut_down,
    error_outputs,
    open_lab,
    open_notebook,
    readme_lab_command,
    run_all_cells,
    run_cells,
    save_notebook,
    save_screenshot,
    server_root,
    show_notebook,
    wait_kernel_idle,
    wait_until_run,
    widget_views,
)
from tests.notebook_runs import cached_execution, wait_for_execution

#: Every chapter of the table of contents that makes an explorer, in reading order.
CHAPTERS = [chapter for chapter in BOOK_CHAPTERS if makes_an_explorer(chapter)]
#: The explorers' class names, whose calls :func:`tests.explorer_cells.explorer_cells` looks for.
CLASSES = {cls.__name__ for cls in EXPLORERS.values()}
#: The other chapters: opened here only to check that their answers are folded.
WITHOUT_EXPLORERS = [chapter for chapter in BOOK_CHAPTERS if chapter not in CHAPTERS]
SCREENSHOTS = BUILD / "screenshots"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: How long (s) the kernel may take to hold the settings the browser shows, and the page those the kernel set.
SYNC_TIMEOUT = 30.0
#: How long (s) the kernel's read-out may lag behind the page's once the settings are synced.
READOUT_GRACE = 10.0

#: Defined silently in the notebook's kernel: the explorers among the widgets ``model_ids``, with what their
#: Python objects hold (ipywidgets keeps every live widget by model id), and a way to set their traits.
KERNEL_HELPERS = '''
def _dlbook_widgets():
    try:  # ipywidgets 8
        from ipywidgets.widgets.widget import _instances
        return _instances
    except ImportError:  # ipywidgets 7
        from ipywidgets import Widget
        return Widget.widgets


def _dlbook_explorers(model_ids, state=False, traits=()):
    import json
    from dlbook.widgets.explorer import Explorer
    widgets = _dlbook_widgets()
    found = []
    for model_id in model_ids:
        widget = widgets.get(model_id)
        if isinstance(widget, Explorer):
            view = {"model_id": model_id, "class": type(widget).__name__,
                    "readout": widget.readout(), "settings": widget.settings(),
                    "traits": {name: getattr(widget, name) for name in traits}}
            if state:
                view["state"] = {name: value for name, value in widget.get_state().items()
                                 if not name.startswith("_")}
            found.append(view)
    return json.dumps(found)


def _dlbook_set(model_id, values):
    widget = _dlbook_widgets()[model_id]
    with widget.hold_sync():
        for name, value in values.items():
            setattr(widget, name, value)
'''

#: Focus as the page shows it: the focused element's name (a button: its text) and its outline's width.
FOCUS_JS = """() => {
    const active = document.activeElement;
    const style = getComputedStyle(active);
    return {name: active.name || active.textContent.trim(), tag: active.tagName.toLowerCase(),
            outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0};
}"""


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
def lab_page(chromium: Browser, lab: JupyterLab) -> Iterator[Page]:
    """JupyterLab loaded once in Chromium; every chapter is opened in it from the file browser."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        open_lab(page, lab)
        yield page
    finally:
        context.close()


#: For each cell of the notebook in front, in order: whether JupyterLab shows its source folded (a placeholder
#: with its first line in place of the editor); null while fewer than ``count`` cells are drawn.
FOLDED_JS = f"""count => {{
    const cells = [...document.querySelectorAll('{PANEL} .jp-Notebook .jp-Cell')];
    return cells.length === count ? cells.map(cell => cell.querySelector('.jp-InputPlaceholder') !== null) : null;
}}"""


def check_answers_folded(page: Page, chapter: Path) -> None:
    """The cells the website folds (tagged ``hide-cell``: the exercises' answers) open folded, and only they."""
    cells = nbformat.read(chapter, as_version=4).cells
    expected = [cell.cell_type == "code" and "hide-cell" in cell.metadata.get("tags", []) for cell in cells]
    assert any(expected), f"{chapter.name} has no answer to fold"
    drawn_as_expected = f"expected => JSON.stringify(({FOLDED_JS})(expected.length)) === JSON.stringify(expected)"
    with contextlib.suppress(PlaywrightTimeoutError):  # cells are drawn, then folded, as the notebook loads
        page.wait_for_function(drawn_as_expected, arg=expected, timeout=10_000, polling=100)
    folded = page.evaluate(FOLDED_JS, len(expected))
    assert folded is not None, f"{chapter.name}: JupyterLab did not draw its {len(expected)} cells"
    assert folded == expected, (f"{chapter.name}: the cells folded are {[i for i, f in enumerate(folded) if f]},"
                                f" the answers {[i for i, e in enumerate(expected) if e]}")


def run_chapter(lab: JupyterLab, page: Page, chapter: Path, cells: list[int] | None) -> str:
    """Open ``chapter`` from the file browser (its answers folded) and, once its kernel is idle, run the
    ``cells`` (indices among all its cells; None: all, from the *Run* menu); wait for them; its server path."""
    path = open_notebook(page, lab, lab.workdir / chapter.relative_to(ROOT))
    check_answers_folded(page, chapter)
    wait_kernel_idle(page, timeout=120_000)
    if cells is None:
        run_all_cells(page)
    else:
        run_cells(page, cells)
    wait_until_run(page)
    return path


def nbvals_run(chapter: Path, session: pytest.Session) -> nbformat.NotebookNode | None:
    """nbval's execution of the chapter's present code: this run's, waited for, if its notebook test is part of
    this run; else one kept in the book's jupyter-cache; None if there is none, or it failed."""
    in_this_run = any(isinstance(item, IPyNbCell) and item.path.resolve() == chapter.resolve()
                      for item in session.items)
    return wait_for_execution(chapter) if in_this_run else cached_execution(chapter)


def views_by_place(notebook: dict[str, Any]) -> dict[tuple[int, int], str]:
    """Each widget view among the notebook's outputs by its place: (its cell's rank among the code cells, its rank
    among the cell's views) -> its model id. (The jupyter-cache keeps a notebook's code cells only.)"""
    places = {}
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    for index, cell in enumerate(code):
        views = [output["data"][WIDGET_VIEW]["model_id"] for output in cell.get("outputs", [])
                 if WIDGET_VIEW in output.get("data", {})]
        places.update({(index, rank): model_id for rank, model_id in enumerate(views)})
    return places


def check_state_as_nbval_left_it(kernel: list[dict[str, Any]], saved: dict[str, Any],
                                 executed: nbformat.NotebookNode, where: str) -> None:
    """Each explorer of the ``kernel`` (its views with their state) holds what the same explorer held at the end
    of nbval's run of the whole chapter (``executed``), but for references to other widgets (random model ids)."""
    here = {model_id: place for place, model_id in views_by_place(saved).items()}
    there = views_by_place(executed)
    states = executed.metadata.widgets[WIDGET_STATE]["state"]
    for view in kernel:
        reference = states[there[here[view["model_id"]]]]["state"]
        differ = {name: (value, reference.get(name)) for name, value in view["state"].items()
                  if reference.get(name) != value and not str(value).startswith("IPY_MODEL_")}
        assert not differ, (f"{where}: the {view['class']} that the cells tests/explorer_cells.py picked make is "
                            f"not nbval's (name: (here, nbval's)): {differ}")


def recover(lab: JupyterLab, page: Page, chapter: Path) -> None:
    """After a failure in ``chapter``: close it and shut its kernel down, or, if JupyterLab does not answer
    (a dialog in the way, a crashed page), shut every kernel down and reload it for the chapters left.
    """
    try:
        assert page.locator(".jp-Dialog").count() == 0, "a dialog is open"
        show_notebook(page, chapter.name)
        close_and_shut_down(page)
    except Exception:
        lab.shutdown_kernels()
        open_lab(page, lab)


# ---------------------------------------------------------------- the kernel's view of the explorers


class Explorers:
    """The notebook's explorers as its kernel holds them, read and set through a :class:`KernelClient`."""

    def __init__(self, kernel: KernelClient) -> None:
        self.kernel = kernel
        kernel.run(KERNEL_HELPERS)

    def views(self, model_ids: list[str], state: bool = False, traits: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """What the kernel's explorers among ``model_ids`` hold: class, ``readout()``, ``settings()``, ..."""
        return self.kernel.evaluate(f"_dlbook_explorers({model_ids!r}, {state!r}, {traits!r})")

    def view(self, model_id: str, state: bool = False, traits: tuple[str, ...] = ()) -> dict[str, Any]:
        found = self.views([model_id], state, traits)
        assert found, f"the kernel holds no explorer with model id {model_id}"
        return found[0]

    def set(self, model_id: str, values: dict[str, Any]) -> None:
        """Set the explorer's traits in the kernel, as ``explorer.w1 = 2.0`` in a cell would."""
        self.kernel.run(f"_dlbook_set({model_id!r}, {values!r})")


def same_settings(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal settings; numbers up to float rounding (a log slider's value is ``10**position`` on both sides)."""
    def same(x: Any, y: Any) -> bool:
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y))
        return close(x, y) if numbers else x == y
    return a.keys() == b.keys() and all(same(a[name], b[name]) for name in a)


class LiveExplorer:
    """One explorer on the page (``element``) and its Python object in the notebook's kernel (``model_id``)."""

    def __init__(self, page: Page, element: ElementHandle, kernel: Explorers, model_id: str, where: str) -> None:
        self.page, self.element, self.kernel, self.model_id, self.where = page, element, kernel, model_id, where
        self.key = explorer_key(element)
        self.cls = EXPLORERS[self.key]
        #: What the Python object holds besides its settings (the perceptron's data, ...), for the oracle.
        self.state = kernel.view(model_id, state=True)["state"]

    def shown(self) -> dict[str, Any]:
        """The trait values the page's controls show."""
        return settings(self.key, controls(self.element))

    def kernel_follows(self, after: str, traits: tuple[str, ...] = ()) -> dict[str, Any]:
        """Wait until the kernel's explorer holds the settings the page shows; its ``readout()`` must be the page's.

        Fails when the settings do not reach the kernel within :data:`SYNC_TIMEOUT`
        seconds, or when, once they have, the kernel's read-out is not the page's
        within :data:`READOUT_GRACE` seconds (what a button computed, such as the
        playground's trained network, reaches the kernel after the settings).
        Returns the kernel's view, with ``traits`` of the Python object.
        """
        deadline, synced_at = time.monotonic() + SYNC_TIMEOUT, None
        while True:
            shown, text = self.shown(), readout(self.element)
            view = self.kernel.view(self.model_id, traits=traits)
            synced = same_settings(view["settings"], shown)
            if synced and view["readout"] == text:
                return view
            now = time.monotonic()
            synced_at = (synced_at or now) if synced else None
            if now > deadline or (synced_at is not None and now > synced_at + READOUT_GRACE):
                break
            time.sleep(0.05)
        if not synced:
            pytest.fail(f"{self.where}: after {after}, the settings did not reach the kernel within "
                        f"{SYNC_TIMEOUT:.0f} s:\n  page:   {shown}\n  kernel: {view['settings']}")
        pytest.fail(f"{self.where}: after {after}, the kernel's {view['class']}.readout() is not the page's "
                    f"read-out:\n  page:   {text!r}\n  kernel: {view['readout']!r}")

    def check(self, after: str) -> None:
        """The read-out equals the kernel's and the oracle's for the settings shown."""
        self.kernel_follows(after)
        shown = self.shown()
        assert readout(self.element) == oracle(self.key, self.state, shown).readout(), (
            f"{self.where}: after {after}, the read-out is not dlbook's for the settings {shown}")

    def keyboard(self) -> None:
        """Tab reaches every control, then every button, in order, with a visible focus; arrow keys move a slider
        (changing the read-out) and a menu, where the explorer has them."""
        shown = controls(self.element)
        buttons = [button.inner_text().strip() for button in self.element.query_selector_all("button")]
        expected = [spec.name for spec in self.cls.CONTROLS] + buttons
        if not expected:
            return
        first = part(self.element, f'[name="{shown[0].name}"]' if shown else "button")
        first.focus()
        if len(expected) > 1:  # Tab on and back with Shift+Tab, so the first control has the keyboard's focus too
            self.page.keyboard.press("Tab")
            self.page.keyboard.press("Shift+Tab")
        visited = [self.page.evaluate(FOCUS_JS)]
        for _ in expected[1:]:
            self.page.keyboard.press("Tab")
            visited.append(self.page.evaluate(FOCUS_JS))
        assert [focus["name"] for focus in visited] == expected, f"{self.where}: the Tab order"
        assert all(focus["outline"] >= 2 for focus in visited), f"{self.where}: focus is not visible: {visited}"
        self.arrow_on_a_slider(shown)
        self.arrow_on_a_menu()

    def arrow_on_a_slider(self, shown: list[Control]) -> None:
        """An arrow key moves the first slider whose step changes the read-out (so says dlbook); the page follows."""
        sliders = [control for control in shown if control.tag == "input"]
        if not sliders:
            return
        now = oracle(self.key, self.state, settings(self.key, shown)).readout()
        for slider in sliders:
            at_max = float(slider.value) >= slider.max
            key, step = ("ArrowLeft", -slider.step) if at_max else ("ArrowRight", slider.step)
            stepped = [dataclasses.replace(c, value=str(float(c.value) + step)) if c is slider else c for c in shown]
            if oracle(self.key, self.state, settings(self.key, stepped)).readout() != now:
                break
        else:
            pytest.fail(f"{self.where}: no step of a slider changes the read-out")
        element = part(self.element, f'[name="{slider.name}"]')
        element.focus()
        text = readout(self.element)
        element.press(key)
        after = f"{key} on {slider.name}"
        assert element.input_value() != slider.value, f"{self.where}: {after} did not move the slider"
        assert readout(self.element) != text, f"{self.where}: {after} did not change the read-out"
        self.check(after)

    def arrow_on_a_menu(self) -> None:
        """An arrow key picks the next option of the first menu (the previous one from the last); the page follows."""
        menu = next((control for control in controls(self.element) if control.tag == "select"), None)
        if menu is None:
            return
        element = part(self.element, f'[name="{menu.name}"]')
        element.focus()
        key = "ArrowUp" if int(menu.value) == menu.options - 1 else "ArrowDown"
        element.press(key)
        after = f"{key} on {menu.name}"
        assert element.input_value() != menu.value, f"{self.where}: {after} did not pick another option"
        self.check(after)

    def operate_every_control(self) -> None:
        """Move each control like a reader; the read-out is the kernel's and dlbook's; the figure changes."""
        before = figure_pixels(self.element)
        for index, control in enumerate(controls(self.element)):
            how = f"{move(self.page, self.element, control, index)} on {control.name}"
            moved = next(c for c in controls(self.element) if c.name == control.name)
            assert moved.value != control.value, f"{self.where}: {how} did not move it"
            self.check(how)
            after = figure_pixels(self.element)
            assert after != before, f"{self.where}: the figure did not change after {how}"
            before = after

    def draw_a_digit(self) -> None:
        """Draw a seven on the pad with the mouse: the image reaches the kernel, the read-out is dlbook's for it."""
        if self.key not in PAD_EXPLORERS:
            return
        part(self.element, 'button:has-text("Clear")').click()
        before = figure_pixels(self.element)
        draw(self.page, self.element, [[(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)]])
        image = drawn_image(self.element)
        assert sum(image) > 40, f"{self.where}: the stroke inked too little: {image}"
        deadline = time.monotonic() + SYNC_TIMEOUT
        while self.kernel.view(self.model_id, traits=("image",))["traits"]["image"] != image:
            assert time.monotonic() < deadline, f"{self.where}: the drawing did not reach the kernel"
            time.sleep(0.05)
        self.kernel_follows("drawing a seven")
        expected = oracle(self.key, self.state, self.shown(), image).readout()
        assert readout(self.element) == expected, f"{self.where}: the read-out after drawing a seven"
        assert figure_pixels(self.element) != before, f"{self.where}: the figure did not change after drawing"

    def set_from_python(self, values: dict[str, Any]) -> None:
        """The kernel sets the explorer's traits; the page's controls, read-out and figure follow."""
        shown = self.shown()
        changed = {name: value for name, value in values.items() if not same_settings({name: value},
                                                                                    {name: shown[name]})}
        assert changed, f"{self.where}: nothing to set from Python, the page already shows {values}"
        before = figure_pixels(self.element)
        self.kernel.set(self.model_id, changed)
        after = f"setting {changed} in the kernel"
        deadline = time.monotonic() + SYNC_TIMEOUT
        while not same_settings({name: self.shown()[name] for name in changed}, changed):
            assert time.monotonic() < deadline, f"{self.where}: after {after}, the page shows {self.shown()}"
            time.sleep(0.05)
        self.check(after)
        assert figure_pixels(self.element) != before, f"{self.where}: the figure did not change after {after}"

    def press_every_button(self) -> None:
        """Press each button and wait for it; the read-out is the kernel's, and dlbook's after the same call.

        A button's label names the Python explorer's method that does the same
        (Train: ``train()``), called on the oracle with the settings shown.
        """
        for button in self.element.query_selector_all("button"):
            label = button.inner_text().strip()
            shown, before = self.shown(), figure_pixels(self.element)
            button.click()
            button.wait_for_element_state("enabled", timeout=SYNC_TIMEOUT * 1000)
            after = f"pressing {label}"
            expected = oracle(self.key, self.state, shown)
            method = getattr(expected, label.lower().replace(" ", "_"), None)
            assert callable(method), f"{self.where}: {self.cls.__name__} has no method for the button {label!r}"
            result = method()
            view = self.kernel_follows(after, traits=("params", "accuracy") if self.key == "playground" else ())
            assert readout(self.element) == expected.readout(), f"{self.where}: the read-out after {after}"
            assert figure_pixels(self.element) != before, f"{self.where}: the figure did not change after {after}"
            if self.key == "playground":
                if same_settings(shown, self.cls().settings()):  # chapter 6's defaults learn the moons
                    assert result >= 0.95, f"{self.where}: dlbook reaches {result}"
                assert view["traits"]["params"] is not None, f"{self.where}: the network did not reach the kernel"
                assert view["traits"]["accuracy"] == pytest.approx(result, abs=1e-12), (
                    f"{self.where}: {view['traits']['accuracy']} in the kernel, {result} in dlbook")


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_runs_and_its_explorers_answer(chapter: Path, lab_page: Page, lab: JupyterLab,
                                               request: pytest.FixtureRequest) -> None:
    """Run the chapter's cells that its explorers need in JupyterLab with no error (all of them where no nbval
    run is at hand to check what they make); every explorer follows the reader and syncs with Python."""
    page = lab_page
    try:
        executed = nbvals_run(chapter, request.session)
        cells = None if executed is None else explorer_cells(nbformat.read(chapter, as_version=4), CLASSES)
        path = run_chapter(lab, page, chapter, cells)
        save_notebook(page)
        saved = lab.api("GET", f"/api/contents/{path}?content=1")["content"]
        problems = error_outputs(saved, cells)
        assert not problems, f"{chapter.name} in JupyterLab: " + "; ".join(problems)
        panel = page.query_selector(PANEL)
        assert panel is not None, f"{chapter.name}: no notebook panel is open"
        on_page = find_explorers(panel)
        kernel = KernelClient(lab.connection_file(path))
        try:
            explorers = Explorers(kernel)
            in_kernel = explorers.views(widget_views(saved), state=True)
            assert len(on_page) == len(in_kernel), (
                f"{chapter.name} shows {len(in_kernel)} explorers but {len(on_page)} live ones rendered: "
                "is anywidget's JupyterLab extension active?")
            if executed is not None:
                check_state_as_nbval_left_it(in_kernel, saved, executed, chapter.name)
            for index, (element, view) in enumerate(zip(on_page, in_kernel)):
                live = LiveExplorer(page, element, explorers, view["model_id"],
                                    f"{chapter.stem}, explorer {index + 1} ({view['class']})")
                assert live.cls.__name__ == view["class"], f"{live.where}: the page shows a {live.key} explorer"
                opened = live.shown()
                live.kernel_follows("opening the notebook")
                live.keyboard()
                live.operate_every_control()
                if opened:
                    live.set_from_python(opened)
                live.press_every_button()
                live.draw_a_digit()
        finally:
            kernel.close()
        close_and_shut_down(page)
    except BaseException:
        try:
            shot = save_screenshot(page, SCREENSHOTS / f"jupyterlab-{chapter.stem}.png")
            print(f"screenshot of the failing page: {shot}")
        except Exception as error:  # a crashed page has no picture; the original failure matters more
            print(f"no screenshot of the failing page: {error}")
        print(f"JupyterLab's log: {lab.log_path}")
        recover(lab, page, chapter)
        raise


@pytest.mark.parametrize("chapter", WITHOUT_EXPLORERS, ids=[path.stem for path in WITHOUT_EXPLORERS])
def test_chapter_without_an_explorer_opens_with_its_answers_folded(chapter: Path, lab_page: Page,
                                                                    lab: JupyterLab) -> None:
    """A chapter that is not run here (it makes no explorer) is still opened as a reader opens it: its
    answers, and only they, are folded. Closed again at once, its kernel shut down."""
    try:
        open_notebook(lab_page, lab, lab.workdir / chapter.relative_to(ROOT))
        check_answers_folded(lab_page, chapter)
        close_and_shut_down(lab_page)
    except BaseException:
        recover(lab, lab_page, chapter)
        raise


# ---------------------------------------------------------------- the helpers the live test relies on


def test_readme_command_opens_every_chapter() -> None:
    """The README tells readers to type ``jupyter lab ...``, and the folder it serves holds every chapter."""
    words = readme_lab_command(ROOT / "README.md")
    served = server_root(words, ROOT)
    assert CHAPTERS, "_toc.yml names no chapter notebook that makes an explorer"
    outside = [path.name for path in BOOK_CHAPTERS if not path.resolve().is_relative_to(served)]
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


def test_same_settings_allows_float_rounding_only() -> None:
    assert same_settings({"temperature": 10 ** 0.35, "data": "moons"}, {"temperature": 2.2387211385683394,
                                                                        "data": "moons"})
    assert not same_settings({"w1": 1.0}, {"w1": 1.1})
    assert not same_settings({"data": "moons"}, {"data": "xor"})
    assert not same_settings({"w1": 1.0}, {"w1": 1.0, "w2": 0.0})
