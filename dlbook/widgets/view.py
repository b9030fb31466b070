"""The base of every explorer: controls, a read-out line and a figure shown as a PNG.

The figure is a plain :class:`matplotlib.figure.Figure` on the Agg canvas (no
pyplot state, no GUI), encoded to PNG and placed in an
:class:`ipywidgets.Image`. The PNG therefore lives in the widget's state: a
saved notebook and the static website show the last picture even without a
kernel. Subclasses draw their artists once in :meth:`Explorer.draw` and only
update them in :meth:`Explorer.update`, which keeps a redraw fast.
"""

from __future__ import annotations

import io
from typing import Any

import ipywidgets as widgets
from IPython.display import Image, Markdown, display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

STATIC_NOTE = (
    "*The controls above need a running Python kernel to respond. "
    "On the website, launch this page in Binder or Colab (rocket button at the top) "
    "or run it locally in JupyterLab. Below: the picture for the initial settings.*"
)


def figure_png(figure: Figure) -> bytes:
    """Render ``figure`` to PNG bytes (fast zlib level: the picture is redrawn on every change)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class Explorer:
    """Controls on top, a read-out line, then the figure; redrawn whenever a control changes.

    Subclasses set :attr:`controls` (a dict of ipywidgets) before calling
    ``super().__init__``, create their matplotlib artists in :meth:`draw`, and
    change them in :meth:`update`, returning the read-out text (HTML).
    """

    controls: dict[str, widgets.ValueWidget]

    def __init__(self, figsize: tuple[float, float] = (6.0, 4.0), dpi: int = 80) -> None:
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{figsize[0] * dpi}px"))
        self.readout = widgets.HTML()
        self.draw()
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()
        self.widget = widgets.VBox(
            [widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
             self.readout, self.image]
        )

    def draw(self) -> None:
        """Create the figure's axes and artists (called once)."""
        raise NotImplementedError

    def update(self) -> str:
        """Change the artists for the current control values; return the read-out as HTML."""
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, change: object = None) -> None:
        """Recompute, redraw and re-encode the figure after a control changed."""
        self.readout.value = self.update()
        self.image.value = figure_png(self.figure)

    def show(self) -> None:
        """Display the live controls, then a static snapshot with a note for readers without a kernel."""
        display(self.widget)
        display(Markdown(STATIC_NOTE))
        display(Image(data=self.image.value, format="png"))
