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

import math
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any, ClassVar, Literal

import anywidget
import traitlets

from dlbook._validate import describe

STATIC = Path(__file__).resolve().parent / "static"
"""Where the built ES modules and the explorers' style sheet are."""


class ExplorerArgumentError(traitlets.TraitError, ValueError):
    """A setting an explorer refuses: a ``TraitError`` as traitlets raises it, and a ``ValueError`` as for all bad input."""


class FiniteFloat(traitlets.Float):
    """A float trait that takes any real number (NumPy's too) and refuses NaN and infinities.

    ``traitlets.Float`` refuses ``np.float32(1.0)`` and lets NaN through its
    ``min`` and ``max``; a slider's value is neither.
    """

    def validate(self, obj: Any, value: Any) -> float:
        try:
            number = float(value) if isinstance(value, Real) and not isinstance(value, bool) else math.nan
        except OverflowError:  # an integer beyond the float range
            number = math.inf
        if not math.isfinite(number):
            raise traitlets.TraitError(
                f"The '{self.name}' setting of {type(obj).__name__} must be a finite number, not {describe(value)}"
            )
        return super().validate(obj, number)


def slider_trait(value: float, limits: tuple[float, float]) -> FiniteFloat:
    """A synchronised float setting from ``limits[0]`` to ``limits[1]``, starting at ``value``."""
    return FiniteFloat(value, min=limits[0], max=limits[1]).tag(sync=True)


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
        try:
            super().__init__(**state)
        except traitlets.TraitError as error:  # the message names the setting and its allowed values
            raise ExplorerArgumentError(str(error)) from None
        except Exception as error:  # traitlets' own message failed on an odd value (a broken repr)
            raise ExplorerArgumentError(
                f"{type(self).__name__} cannot use one of the settings {sorted(state)}: {type(error).__name__}"
            ) from None
        traits = self.traits()
        self.set_trait("_controls", [control.spec(traits[control.name]) for control in self.CONTROLS])
        # Stable hooks for styling and for the tests: "dlbook-explorer dlbook-perceptronexplorer".
        self.add_class("dlbook-explorer")
        self.add_class(f"dlbook-{type(self).__name__.lower()}")

    def settings(self) -> dict[str, Any]:
        """The value of every control, by trait name."""
        return {control.name: getattr(self, control.name) for control in self.CONTROLS}
