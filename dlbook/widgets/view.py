"""The base of every explorer: controls, a read-out line and a figure shown as a PNG.

The figure is a plain :class:`matplotlib.figure.Figure` on the Agg canvas (no
pyplot state, no GUI), encoded to PNG and placed in an
:class:`ipywidgets.Image`. The PNG therefore lives in the widget's state: a
saved notebook and the static website show the last picture even without a
kernel.

Redrawing is kept fast by *blitting*: artists that change with the controls
are registered with :meth:`Explorer.animate`; everything else (axes, ticks,
labels) is drawn once into a background that is reused for every update.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any, TypeVar

import ipywidgets as widgets
import numpy as np
from IPython.display import Image, Markdown, display
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

A = TypeVar("A", bound=Artist)

STATIC_NOTE = (
    "*The controls above need a running Python kernel to respond. "
    "On the website, launch this page in Binder or Colab (rocket button at the top) "
    "or run it locally in JupyterLab. Below: the picture for the initial settings.*"
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """Encode what the Agg ``canvas`` holds now as an 8-bit RGB PNG.

    Written out by hand (rows without a filter, zlib level 1) because it is
    redone on every change: about twice as fast as Pillow's encoder, which
    tries a filter per row, for pictures of the same size.
    """
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    height, width = rgb.shape[:2]
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" for every row
    rows[:, 1:] = rgb.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits per channel, RGB
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _png_chunk(b"IEND", b""))


class Explorer:
    """Controls on top, a read-out line, then the figure; redrawn whenever a control changes.

    Subclasses set :attr:`controls` (a dict of ipywidgets) before calling
    ``super().__init__``, create their matplotlib artists in :meth:`draw`
    (passing the ones that change through :meth:`animate`), and change them in
    :meth:`update`, returning the read-out text (HTML). When an update changes
    something outside the animated artists (an axis range, a colour bar), it
    calls :meth:`redraw_background`.
    """

    controls: dict[str, widgets.ValueWidget]

    def __init__(self, figsize: tuple[float, float] = (6.0, 4.0), dpi: int = 80) -> None:
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{figsize[0] * dpi}px"))
        self.readout = widgets.HTML()
        self._animated: list[Artist] = []
        self._background: Any = None
        self.draw()
        self.refresh()
        # Lay the figure out once: later changes move artists, not axes.
        self.figure.set_layout_engine("none")
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.widget = widgets.VBox(
            [widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
             self.readout, self.image]
        )
        # Stable hooks for styling and for the browser tests: "dlbook-explorer dlbook-perceptronexplorer".
        self.widget.add_class("dlbook-explorer")
        self.widget.add_class(f"dlbook-{type(self).__name__.lower()}")

    def draw(self) -> None:
        """Create the figure's axes and artists (called once)."""
        raise NotImplementedError

    def update(self) -> str:
        """Change the artists for the current control values; return the read-out as HTML."""
        raise NotImplementedError

    def animate(self, artist: A) -> A:
        """Register ``artist`` as one that changes with the controls; returns it."""
        artist.set_animated(True)
        self._animated.append(artist)
        return artist

    def redraw_background(self) -> None:
        """Mark the static part of the figure as stale (after changing limits, labels, colour bars)."""
        self._background = None

    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def render(self) -> bytes:
        """Draw the figure (reusing the static background when it is still valid) and return the PNG."""
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        return encode_png(self.canvas)

    def refresh(self, change: object = None) -> None:
        """Recompute, redraw and re-encode the figure after a control changed."""
        self.readout.value = self.update()
        self.image.value = self.render()

    def show(self) -> None:
        """Display the live controls, then a static snapshot with a note for readers without a kernel."""
        display(self.widget)
        display(Markdown(STATIC_NOTE))
        display(Image(data=self.image.value, format="png"))
