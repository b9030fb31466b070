"""Operate the book's explorers in a browser as a reader does, and know what they must show.

Shared by the website's tests (``tests/test_site.py``, no kernel) and the live
JupyterLab test (``tests/test_live_jupyterlab.py``): the explorers are the same
ES modules in both. A reader drags sliders with the mouse, steps them with the
arrow keys, picks from menus and presses buttons; after each move the read-out
must be the text the Python explorer's ``readout()`` gives for the settings the
page now shows, and the figure's pixels must change.

An explorer is held as an element handle, found once (:func:`find_explorers`),
and its parts are found inside it (:func:`part`). A locator finds its element again
from the page's root on every call: on a chapter's page 10 to 19 ms a call, against
1.2 to 1.5 ms through a handle. The explorers' elements stay in the page as long as
the tests use them.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
from PIL import Image
from playwright.sync_api import ElementHandle, Page

from dlbook.widgets.activations import ActivationExplorer
from dlbook.widgets.digits import DigitExplorer
from dlbook.widgets.explorer import Explorer
from dlbook.widgets.optimisers import OptimiserExplorer
from dlbook.widgets.feature_maps import FeatureMapExplorer
from dlbook.widgets.kernels import KernelExplorer
from dlbook.widgets.perceptron import PerceptronExplorer
from dlbook.widgets.playground import TrainingPlayground
from dlbook.widgets.pad import PadExplorer
from dlbook.widgets.softmax import SoftmaxExplorer

#: Each explorer's class by the key in its CSS class (``dlbook-perceptron``) and in its settings links.
EXPLORERS: dict[str, type[Explorer]] = {
    "perceptron": PerceptronExplorer,
    "activations": ActivationExplorer,
    "softmax": SoftmaxExplorer,
    "playground": TrainingPlayground,
    "digits": DigitExplorer,
    "optimisers": OptimiserExplorer,
    "kernels": KernelExplorer,
    "featuremaps": FeatureMapExplorer,
}
#: The explorers with a drawing pad (``dlbook.widgets.pad.PadExplorer``, ``js/ui/pad.js``): a Clear button, then the pad.
PAD_EXPLORERS = {key for key, cls in EXPLORERS.items() if issubclass(cls, PadExplorer)}



def makes_an_explorer(notebook: Path) -> bool:
    """Whether a code cell of the notebook makes one of :data:`EXPLORERS` (calls its class)."""
    call = re.compile(rf"\b({'|'.join(cls.__name__ for cls in EXPLORERS.values())})\(")
    cells = nbformat.read(notebook, as_version=4).cells
    return any(cell.cell_type == "code" and call.search(cell.source) for cell in cells)


#: What the page reports of every control of an explorer, in order.
CONTROLS_JS = """explorer => [...explorer.querySelectorAll('.dlbook-controls input, .dlbook-controls select')]
    .map(input => ({
        name: input.name, tag: input.tagName.toLowerCase(), value: input.value,
        min: Number(input.min), max: Number(input.max), step: Number(input.step),
        options: input.tagName === 'SELECT' ? input.options.length : 0,
        label: input.labels?.[0]?.textContent ?? null,
        valuetext: input.getAttribute('aria-valuetext'),
    }))"""


#: On the website an explorer is drawn when it comes near the screen: bring each widget view into
#: view in turn, as a reader scrolling down the page would, until each is drawn (or 15 s went by);
#: then back to the top. Returns how many views the site's loader keeps.
DRAW_EVERY_EXPLORER_JS = """async () => {
    // The page's scripts, the widget loader among them, run once the page is drawn (_ext/scripts_after_paint.js):
    // held until then, then brought back until dlbookScriptsRun. A page without held scripts has none to wait for.
    const pending = () => !globalThis.dlbookScriptsRun
        && (document.querySelector('script[type="text/dlbook-later"]') || globalThis.dlbookFinishScripts);
    for (const start = performance.now(); pending() && performance.now() - start < 30000;) {
        await new Promise(done => setTimeout(done, 20));
    }
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    const hosts = views.map(view => view.previousElementSibling).filter(host => host?.matches('.dlbook-widget'));
    for (const host of hosts) {
        host.scrollIntoView({block: 'center'});
        const start = performance.now();
        while (host.dataset.ready !== 'true' && performance.now() - start < 15000) {
            await new Promise(done => setTimeout(done, 20));
        }
    }
    window.scrollTo(0, 0);
    return hosts.length;
}"""


#: The saved widget state of an explorer on the website (what its Python object held), without
#: its module and style sheet: what the page holds and the rest, from the file the loader fetched
#: to draw it (``_ext/dlbook_pages.py``).
SAVED_STATE_JS = """explorer => {
    const view = JSON.parse(explorer.closest('.dlbook-widget').nextElementSibling.textContent);
    const saved = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    const {_dlbook_state: file, ...kept} = JSON.parse(saved.textContent).state[view.model_id].state;
    const rest = file === undefined ? {} : globalThis.dlbookFiles[file.slice('dlbook-file:'.length)];
    const {_esm, _css, ...state} = {...kept, ...rest};
    return state;
}"""


@dataclass(frozen=True)
class Control:
    """One control as the page shows it."""

    name: str
    tag: str
    value: str
    min: float
    max: float
    step: float
    options: int
    label: str | None
    valuetext: str | None


def part(explorer: ElementHandle, selector: str) -> ElementHandle:
    """The first element inside ``explorer`` that ``selector`` (Playwright's selectors) matches; it must have one."""
    found = explorer.query_selector(selector)
    assert found is not None, f"the explorer has no {selector!r}"
    return found


def explorer_key(explorer: ElementHandle) -> str:
    """Which explorer this element is (``perceptron``, ...), from its CSS classes."""
    classes = explorer.get_attribute("class").split()
    keys = [key for key in EXPLORERS if f"dlbook-{key}" in classes]
    assert len(keys) == 1, f"an explorer with classes {classes}"
    return keys[0]


def find_explorers(root: Page | ElementHandle) -> list[ElementHandle]:
    """Every explorer drawn on the page (or inside ``root``), in order."""
    return root.query_selector_all(".dlbook-explorer:has(.dlbook-controls)")


def controls(explorer: ElementHandle) -> list[Control]:
    return [Control(**control) for control in explorer.evaluate(CONTROLS_JS)]


def settings(key: str, shown: list[Control]) -> dict[str, Any]:
    """The trait values the page's controls show, mapped as the browser maps them (``js/ui/controls.js``)."""
    specs = {spec.name: spec for spec in EXPLORERS[key].CONTROLS}
    values: dict[str, Any] = {}
    for control in shown:
        spec = specs[control.name]
        trait = EXPLORERS[key].class_traits()[control.name]
        position = float(control.value)
        if spec.kind in ("menu", "choices"):
            values[control.name] = list(trait.values)[round(position)]
        elif spec.scale == "log":
            values[control.name] = 10**position
        elif isinstance(trait.default_value, int):
            values[control.name] = round(position)
        else:
            values[control.name] = position
    return values


def drawn_image(explorer: ElementHandle) -> list[int]:
    """The 8 x 8 image an explorer's drawing pad stands for (its ``image`` trait), row by row."""
    return [int(v) for v in part(explorer, ".dlbook-pad").get_attribute("data-image").split()]


def oracle(key: str, state: dict[str, Any], shown: dict[str, Any], image: list[int] | None = None) -> Explorer:
    """The Python explorer of the saved ``state`` with the settings ``shown`` (and ``image``) on the page."""
    if key == "perceptron":
        explorer = PerceptronExplorer(np.asarray(state["points"]), np.asarray(state["labels"]))
    elif key == "playground":
        explorer = TrainingPlayground(seed=state.get("seed", 0))
    elif key in PAD_EXPLORERS:
        examples = state["examples"]
        test_set = ([example["image"] for example in examples], [example["label"] for example in examples])
        network = {name: np.asarray(value) for name, value in state.get("params", {}).items()}
        if key == "digits":
            explorer = DigitExplorer(network, *test_set, activation=state["activation"])
        elif key == "featuremaps":
            explorer = FeatureMapExplorer(network, *test_set)
        else:
            explorer = KernelExplorer(*test_set)
    else:
        explorer = EXPLORERS[key]()
    for name, value in shown.items():
        setattr(explorer, name, value)
    if image is not None:
        explorer.image = image
    return explorer


def draw(page: Page, explorer: ElementHandle, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw on the explorer's pad with the mouse: each stroke a list of points in [0, 1]^2 of the pad."""
    pad = part(explorer, ".dlbook-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None, "the pad is not on screen"
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=3)
        page.mouse.up()


def readout(explorer: ElementHandle) -> str:
    """The explorer's read-out as the reader sees it, on screen: the browser gives no text of a section it
    is not drawing (content-visibility, dlbook.css), so the read-out is scrolled into view first."""
    text = part(explorer, ".dlbook-readout")
    text.scroll_into_view_if_needed()
    return text.inner_text().strip()


def figure_pixels(explorer: ElementHandle) -> bytes:
    """A screenshot of the explorer's figure."""
    return part(explorer, ".dlbook-figure").screenshot(animations="disabled")


#: How far (of 255, in any colour channel) a pixel of two screenshots of one picture may differ:
#: Chromium composites a canvas that was redrawn many times on a layer of its own, which shifts
#: the colours of antialiased edges drawn over it a little (seen: up to 37).
PIXEL_TOLERANCE = 64


def picture_difference(a: bytes, b: bytes) -> str | None:
    """How two screenshots (PNG) differ as pictures, or None where they show the same one.

    The same picture may sit a pixel apart in the two: a page lays an element out at a fraction of a
    pixel that depends on what lies above it (a section the browser has not drawn yet keeps an estimated
    height, dlbook.css), and a screenshot starts at a whole pixel. So each is also compared with the other
    moved by one pixel in any direction (their outermost pixels left out).
    """
    first, second = (np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int) for png in (a, b))
    if first.shape != second.shape:
        return f"sizes {first.shape[1::-1]} and {second.shape[1::-1]}"
    difference = np.abs(first - second).max(axis=2)
    far = np.argwhere(difference > PIXEL_TOLERANCE)
    if not len(far):
        return None
    height, width = difference.shape
    for dy, dx in itertools.product((-1, 0, 1), repeat=2):
        moved = first[1 + dy:height - 1 + dy, 1 + dx:width - 1 + dx]
        if (np.abs(moved - second[1:-1, 1:-1]).max(axis=2) <= PIXEL_TOLERANCE).all():
            return None
    (top, left), (bottom, right) = far.min(axis=0), far.max(axis=0)
    return (f"{len(far)} pixels differ by more than {PIXEL_TOLERANCE} (at most {difference.max()}),"
            f" in x {left}-{right}, y {top}-{bottom}")


def drag(page: Page, slider: ElementHandle, fraction: float) -> None:
    """Drag a range input's handle with the mouse to ``fraction`` of its width (0 = left end)."""
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    assert box is not None, "the slider is not on screen"
    low, high = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
    start = (float(slider.input_value()) - low) / (high - low)
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 8 + start * (box["width"] - 16), y)
    page.mouse.down()
    page.mouse.move(box["x"] + 8 + fraction * (box["width"] - 16), y, steps=4)
    page.mouse.up()


def move(page: Page, explorer: ElementHandle, control: Control, index: int) -> str:
    """Change one control as a reader would; returns how: a mouse drag, arrow keys or a menu pick.

    Sliders alternate between dragging the handle and stepping with the arrow
    keys (focus by a click on the label, as a keyboard user would after Tab);
    menus pick their next option.
    """
    element = part(explorer, f'[name="{control.name}"]')
    if control.tag == "select":
        element.select_option(index=(int(control.value) + 1) % control.options)
        return "menu"
    position = (float(control.value) - control.min) / (control.max - control.min)
    if index % 2 == 0:
        drag(page, element, 0.25 if position > 0.5 else 0.8)
        return "drag"
    element.focus()
    key = "ArrowLeft" if position > 0.5 else "ArrowRight"
    for _ in range(3):
        element.press(key)
    return "keys"


def position(spec: dict[str, Any], value: Any) -> float:
    """Where the control ``spec`` (one of the ``_controls`` trait) stands for ``value``: the option's
    index for a menu or choices, else the range input's value (``js/ui/controls.js``)."""
    if spec["kind"] != "slider":
        return float(spec["values"].index(value))
    return math.log10(value) if spec["scale"] == "log" else float(value)


def move_away(page: Page, explorer: ElementHandle, control: Control, start: float, index: int) -> str:
    """Move a control as a reader would, far from ``start`` (its :func:`position` when the page opened).

    Menus pick the option after the first one; sliders alternate between a
    mouse drag to 15 % or 85 % of the way and the Home or End key, to the end
    farther from ``start``. Each control is first moved elsewhere (the first
    option, the middle, one arrow-key step back), so the move that ends there
    is a real one even where an earlier move left the control at the target.
    Returns how it moved.
    """
    element = part(explorer, f'[name="{control.name}"]')
    if control.tag == "select":
        target = (round(start) + 1) % control.options
        if round(float(control.value)) == target:
            element.select_option(index=round(start))
        element.select_option(index=target)
        return "menu"
    upwards = (start - control.min) / (control.max - control.min) <= 0.5
    if index % 2 == 0:
        drag(page, element, 0.5)
        drag(page, element, 0.85 if upwards else 0.15)
        return "drag"
    element.focus()
    element.press("ArrowLeft" if upwards else "ArrowRight")
    element.press("End" if upwards else "Home")
    return "keys"


#: What an explorer shows, besides its settings link: every control's value, the figure (its SVG as
#: a tree, its canvases' pixels, its description) and the read-out. The elements' own ids are random
#: (two explorers may share a page), so ids and references to them are written as their order.
SHOWN_JS = """explorer => {
    const ids = [...explorer.querySelectorAll('[id]')].map(node => node.id);
    const plain = text => ids.reduce((value, id, i) => value.replaceAll(id, `#${i}`), text);
    const tree = node => node.nodeType !== Node.ELEMENT_NODE ? node.textContent : [
        node.tagName.toLowerCase(),
        Object.fromEntries([...node.attributes].map(attribute => [attribute.name, plain(attribute.value)])),
        ...[...node.childNodes].map(tree),
    ];
    const figure = explorer.querySelector('.dlbook-figure');
    return {
        controls: [...explorer.querySelectorAll('input, select, output, progress')]
            .map(node => [node.tagName.toLowerCase(), node.value, node.textContent]),
        readout: explorer.querySelector('.dlbook-readout').textContent,
        description: figure.querySelector('[role="img"]').getAttribute('aria-label'),
        svg: [...figure.querySelectorAll('svg')].map(tree),
        canvases: [...figure.querySelectorAll('canvas')].map(canvas => canvas.toDataURL()),
    };
}"""


def shown(explorer: ElementHandle) -> dict[str, Any]:
    """What the explorer shows now (:data:`SHOWN_JS`), with the pointer and the focus off the page."""
    page = explorer.owner_frame().page
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement?.blur()")
    return explorer.evaluate(SHOWN_JS)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
