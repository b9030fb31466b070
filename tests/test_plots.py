"""The plotting helpers draw what they promise: class scatter plots, and the digits chapter's figures."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.path import Path

from dlbook.numpy.training import EpochHistory
from dlbook.plots import (
    CLASS_COLORS,
    CLASS_MARKERS,
    class_legend,
    plot_confusion_matrix,
    plot_history,
    plot_probabilities,
    scatter_classes,
    show_digit,
    show_digits,
    show_weights,
    tile_images,
)


def test_tile_images_lays_out_row_by_row_with_nan_gaps() -> None:
    images = np.arange(5)[:, None] * np.ones((5, 64))  # image k is filled with k
    grid = tile_images(images, columns=3)
    assert grid.shape == (2 * 8 + 1, 3 * 8 + 2)
    for k in range(5):
        top, left = (k // 3) * 9, (k % 3) * 9
        assert np.all(grid[top : top + 8, left : left + 8] == k)
    assert np.isnan(grid[8]).all() and np.isnan(grid[:, 8]).all()  # the gaps
    assert np.isnan(grid[9:, 18:]).all()  # the unused sixth place
    assert np.array_equal(tile_images(images[:1], columns=1), np.zeros((8, 8)))


def test_pictures_show_the_pixels_on_the_right_scale() -> None:
    ax = Figure().subplots()
    pixels = np.linspace(0, 16, 64)
    image = show_digit(ax, pixels, "a digit")
    np.testing.assert_array_equal(image.get_array(), pixels.reshape(8, 8))
    assert image.get_clim() == (0, 16) and ax.get_title() == "a digit"
    image = show_digits(Figure().subplots(), np.stack([pixels, 16 - pixels]), columns=2)
    assert image.get_array().shape == (8, 17)
    W = np.arange(64 * 3, dtype=float).reshape(64, 3)  # column j is unit j
    image = show_weights(Figure().subplots(), W, 5.0, columns=3)
    grid = image.get_array()
    np.testing.assert_array_equal(grid[:, 9:17], W[:, 1].reshape(8, 8))
    assert image.get_clim() == (-5.0, 5.0)


def test_history_draws_one_line_per_data_set_and_marks_the_best_epoch() -> None:
    history = EpochHistory(lambda p, X: X, training=(np.eye(2), np.array([0, 1])))
    history.loss = {"training": [1.0, 0.5, 0.2], "validation": [1.2, 0.8, 0.9]}
    history.accuracy = {"training": [0.5, 0.8, 1.0], "validation": [0.4, 0.7, 0.6]}
    axes = Figure().subplots(1, 2)
    plot_history(axes, history, best_of="validation")
    loss_lines = axes[0].get_lines()
    np.testing.assert_array_equal(loss_lines[1].get_ydata(), [1.2, 0.8, 0.9])
    assert loss_lines[2].get_xdata()[0] == 2  # lowest validation loss after epoch 2
    assert axes[0].get_yscale() == "log"
    assert to_hex(loss_lines[0].get_color()) == CLASS_COLORS[0].lower()
    assert loss_lines[0].get_linestyle() != loss_lines[1].get_linestyle()
    with pytest.raises(ValueError, match="best_of must name a data set"):
        plot_history(Figure().subplots(1, 2), history, best_of="test")


def test_confusion_matrix_writes_every_nonzero_count() -> None:
    ax = Figure().subplots()
    matrix = np.array([[5, 0, 1], [0, 4, 0], [2, 0, 3]])
    plot_confusion_matrix(ax, matrix)
    texts = {(t.get_position(), t.get_text()): t.get_fontweight() for t in ax.texts}
    assert len(texts) == 5
    assert texts[((2, 0), "1")] == "bold" and texts[((0, 0), "5")] == "normal"  # (column, row)


def test_probability_bars_colour_the_true_and_the_chosen_class() -> None:
    probabilities = np.array([0.1, 0.6, 0.3])
    bars = plot_probabilities(Figure().subplots(), probabilities, label=2)
    colors = [to_hex(bar.get_facecolor()) for bar in bars]
    assert colors[2] == CLASS_COLORS[0].lower() and colors[1] == CLASS_COLORS[1].lower()
    assert [bar.get_height() for bar in bars] == probabilities.tolist()
    right = plot_probabilities(Figure().subplots(), probabilities, label=1)
    assert to_hex(right[1].get_facecolor()) == CLASS_COLORS[0].lower()


# ----------------------------------------------------------------------------------------------
# Class scatter plots tell the classes apart by marker shape as well as colour


def outline(path: Path) -> np.ndarray:
    """A marker's vertices, rounded: equal for equal shapes."""
    return np.round(path.vertices, 6)


def test_palette_is_okabe_ito_and_markers_differ() -> None:
    assert CLASS_COLORS == ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
    assert len(set(CLASS_MARKERS)) == len(CLASS_MARKERS) == len(CLASS_COLORS)


def test_each_class_has_its_own_marker_and_colour() -> None:
    y = np.array([0, 1, 2, 3, 2, 1, 0, 3, 1])
    X = np.column_stack([np.arange(len(y)), np.arange(len(y)) ** 2]).astype(float)
    points = scatter_classes(Figure().subplots(), X, y)

    np.testing.assert_array_equal(points.get_offsets(), X)
    shapes = [outline(path) for path in points.get_paths()]
    assert len(shapes) == len(y), "one marker per point"
    faces = points.get_facecolors()
    for i, label in enumerate(y):
        assert np.allclose(faces[i], to_rgba(CLASS_COLORS[label]))
        for j, other in enumerate(y):
            same_shape = shapes[i].shape == shapes[j].shape and np.array_equal(shapes[i], shapes[j])
            assert same_shape == (label == other), f"points {i} (class {label}) and {j} (class {other})"


def test_classes_beyond_four_repeat_the_palette() -> None:
    points = scatter_classes(Figure().subplots(), np.zeros((2, 2)), np.array([1, 5]))
    first, fifth = points.get_paths()
    assert np.array_equal(outline(first), outline(fifth))
    assert np.allclose(points.get_facecolors()[0], points.get_facecolors()[1])


def test_markers_survive_drawing() -> None:
    """Setting the paths after ``ax.scatter`` must not be undone when the figure is drawn."""
    ax = Figure().subplots()
    points = scatter_classes(ax, np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))
    ax.figure.draw_without_rendering()
    circle, square = points.get_paths()
    assert not np.array_equal(outline(circle), outline(square))


def test_class_legend_names_each_class_with_its_marker_and_colour() -> None:
    legend = class_legend(Figure().subplots(), ["class 0", "class 1", "class 2"])
    assert [text.get_text() for text in legend.get_texts()] == ["class 0", "class 1", "class 2"]
    handles = legend.legend_handles
    assert [handle.get_marker() for handle in handles] == list(CLASS_MARKERS[:3])
    for handle, colour in zip(handles, CLASS_COLORS):
        assert np.allclose(to_rgba(handle.get_markerfacecolor()), to_rgba(colour))


def test_hollow_points_are_white_inside_and_outlined_in_their_class_colour() -> None:
    points = scatter_classes(Figure().subplots(), np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]), hollow=True)
    np.testing.assert_allclose(points.get_facecolors()[:, :3], 1.0)
    np.testing.assert_allclose(points.get_edgecolors(), [to_rgba(c) for c in CLASS_COLORS[:2]])
