"""The base of every explorer: an anywidget whose drawing and computing run in the browser.

An explorer is one :class:`anywidget.AnyWidget`. Its ES module (built from
``js/explorers/<name>.js`` into ``dlbook/widgets/static/``) draws the controls,
the read-out and the figure, and recomputes them in the browser whenever a
control moves, with no round trip to Python. The Python object holds the state
as synchronised traits: a notebook reads what the reader chose
(``explorer.w1``) and sets it from code (``explorer.w1 = 2.0``). The module and
the state travel in the saved widget state, so the same explorer is live in
JupyterLab, Colab, VS Code and on the static website, where
``_ext/static/dlbook-widgets.js`` mounts it with no kernel.

The controls are declared once, here in Python: each :class:`Control` names a
trait, whose own bounds (``min``/``max``) or allowed values (``Enum``) become the
slider's range or the menu's options. The browser builds the controls from that
list (the ``_controls`` trait). Every number the browser shows is a port of a
``dlbook.numpy`` function; the tests run both on the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import anywidget
import traitlets

STATIC = Path(__file__).resolve().parent / "static"
"""Where the built ES modules and the explorers' style sheet are."""


@dataclass(frozen=True)
class Control:
    """One control of an explorer, for the trait ``name``.

    ``kind`` is ``"slider"`` (a number between the trait's ``min`` and ``max``
    in steps of ``step``; ``scale="log"`` moves in steps of ``step`` in
    :math:`\\log_{10}` of the value), ``"choices"`` (a slider over the trait's
    allowed values, in order) or ``"menu"`` (a drop-down list of them;
    ``labels`` may name them). ``digits`` is how many decimals the control shows.
    """

    name: str
    label: str
    kind: Literal["slider", "choices", "menu"] = "slider"
    step: float = 0.1
    scale: Literal["linear", "log"] = "linear"
    digits: int = 1
    labels: tuple[str, ...] = ()

    def spec(self, trait: traitlets.TraitType) -> dict[str, Any]:
        """The control as the browser builds it: the fields above plus the trait's range or values."""
        spec: dict[str, Any] = {"name": self.name, "label": self.label, "kind": self.kind, "digits": self.digits}
        if self.kind == "slider":
            spec.update(min=trait.min, max=trait.max, step=self.step, scale=self.scale)
        else:
            values = list(trait.values)
            spec.update(values=values, labels=list(self.labels) or [str(value) for value in values])
        return spec


class Explorer(anywidget.AnyWidget):
    """Controls, a read-out that screen readers announce, and a figure, drawn by the ES module ``_esm``.

    Subclasses name their built module in :attr:`MODULE` (``"perceptron"`` for
    ``static/perceptron.js``), declare their state as traits tagged
    ``sync=True`` with their bounds, and list the controls in :attr:`CONTROLS`,
    in the order a reader tabs through them.
    """

    _css = STATIC / "explorer.css"
    _controls = traitlets.List(traitlets.Dict(), read_only=True).tag(sync=True)

    MODULE: ClassVar[str]
    CONTROLS: ClassVar[tuple[Control, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Only where MODULE is declared: traitlets' add_traits subclasses each instance's class too.
        if "MODULE" in cls.__dict__:
            cls._esm = STATIC / f"{cls.MODULE}.js"  # anywidget's own __init_subclass__ reads the file
        super().__init_subclass__(**kwargs)

    def __init__(self, **state: Any) -> None:
        super().__init__(**state)
        traits = self.traits()
        self.set_trait("_controls", [control.spec(traits[control.name]) for control in self.CONTROLS])
        # Stable hooks for styling and for the tests: "dlbook-explorer dlbook-perceptronexplorer".
        self.add_class("dlbook-explorer")
        self.add_class(f"dlbook-{type(self).__name__.lower()}")

    def settings(self) -> dict[str, Any]:
        """The value of every control, by trait name."""
        return {control.name: getattr(self, control.name) for control in self.CONTROLS}
