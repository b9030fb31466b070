"""The digits pipeline: loading, scaling, probabilities, and training in NumPy against PyTorch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from dlbook import digits
from dlbook.digits import digit_probabilities, load_digits, random_shifts, scale_pixels, shift_images
from dlbook.numpy import training as np_training
from dlbook.numpy.mlp import init_mlp
from dlbook.splits import stratified_split
from dlbook.torch import training as torch_training
from dlbook.torch.mlp import MLP

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "07_handwritten_digits.ipynb"


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return load_digits()


def test_load_digits_gives_the_1797_images(data: tuple) -> None:
    X, y = data
    assert X.shape == (1797, digits.N_PIXELS) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert np.array_equal(np.unique(y), np.arange(digits.N_CLASSES))
    assert np.all(X == np.round(X)) and X.min() == 0 and X.max() == digits.PIXEL_MAX


def test_importing_dlbook_loads_neither_sklearn_nor_torch() -> None:
    code = (
        "import sys, dlbook, dlbook.numpy, dlbook.digits, dlbook.splits, dlbook.plots, dlbook.exercises; "
        "assert 'sklearn' not in sys.modules, 'sklearn was imported'; "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_scale_pixels_maps_0_to_16_onto_minus_1_to_1() -> None:
    np.testing.assert_array_equal(scale_pixels(np.array([0, 4, 8, 12, 16] + [0] * 59)[None])[0, :5],
                                  [-1.0, -0.5, 0.0, 0.5, 1.0])
    rng = np.random.default_rng(0)
    pixels = rng.uniform(0, 16, size=(5, 64))
    np.testing.assert_allclose(scale_pixels(pixels), pixels / 8 - 1, rtol=0, atol=1e-15)
    assert scale_pixels(pixels[0]).shape == (64,)
    assert scale_pixels(np.zeros(64, dtype=np.int64)).dtype == np.float64
    assert scale_pixels(np.zeros(64, dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    ("pixels", "match"),
    [
        (np.zeros((2, 8, 8)), "pixels must be 1-D or 2-D"),
        (np.zeros((2, 63)), r"64 values per image .* got shape \(2, 63\)"),
        (np.zeros((0, 64)), "pixels is empty"),
        (np.full((1, 64), np.nan), "pixels contains NaN"),
        (np.full(64, 17.0), "from 0 to 16, got values from 17 to 17"),
        (np.full(64, -1.0), "from 0 to 16"),
    ],
)
def test_scale_pixels_rejects_bad_input(pixels: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        scale_pixels(pixels)


def test_digit_probabilities_are_the_networks_softmax_of_scaled_pixels(data: tuple) -> None:
    X, _ = data
    params = init_mlp(64, 16, 10, seed=3)
    params["W2"] *= 30  # large logits: the probabilities must stay exact
    probabilities = digit_probabilities(params, X[:50])
    assert probabilities.shape == (50, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=0, atol=1e-12)
    logits = MLP.from_params(params)(torch.from_numpy(X[:50] / 8 - 1))
    expected = torch.softmax(logits, dim=1).detach().numpy()
    np.testing.assert_allclose(probabilities, expected, rtol=1e-10, atol=1e-300)
    np.testing.assert_array_equal(
        np_training.predict_proba(params, scale_pixels(X[:50])), probabilities
    )
    for activation in ("relu", "sigmoid"):
        logits = MLP.from_params(params, activation)(torch.from_numpy(X[:5] / 8 - 1))
        np.testing.assert_allclose(
            digit_probabilities(params, X[:5], activation),
            torch.softmax(logits, dim=1).detach().numpy(), rtol=1e-10, atol=1e-300,
        )


def test_digit_probabilities_reject_bad_input(data: tuple) -> None:
    X, _ = data
    params = init_mlp(64, 4, 10)
    with pytest.raises(ValueError, match="pixels must be 2-D"):
        digit_probabilities(params, X[0])
    with pytest.raises(ValueError, match="from 0 to 16"):
        digit_probabilities(params, X[:2] * 2)
    with pytest.raises(ValueError, match=r"X has shape \(2, 64\) but W1 has shape \(2, 4\)"):
        digit_probabilities(init_mlp(2, 4, 10), X[:2])
    with pytest.raises(ValueError, match="unknown activation"):
        digit_probabilities(params, X[:2], "softplus")


def test_numpy_and_pytorch_train_the_digits_network_identically(data: tuple) -> None:
    X_raw, y = data
    part, _ = stratified_split(y, (0.15, 0.85), seed=0)
    X, labels = scale_pixels(X_raw[part]), y[part]
    settings = {"n_hidden": 32, "lr": 0.5, "batch_size": 32, "epochs": 2, "seed": 0}
    params, losses = np_training.train_mlp(X, labels, **settings)
    model, torch_losses = torch_training.train_mlp(X, labels, **settings)
    assert len(losses) == 2 * 9 and losses[-1] < losses[0]
    np.testing.assert_allclose(losses, torch_losses, rtol=0, atol=1e-12)
    trained = model.to_params()
    for name in params:
        np.testing.assert_allclose(trained[name], params[name], rtol=0, atol=1e-12)


def test_every_figure_of_the_chapter_has_alt_text() -> None:
    cells = nbformat.read(CHAPTER, as_version=4).cells
    figures = [cell for cell in cells if cell.cell_type == "code" and "plt.show()" in cell.source]
    assert len(figures) >= 6
    alts = []
    for cell in figures:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 15, f"cell {cell.id} draws a figure without alt text"
        alts.append(alt)
    assert len(set(alts)) == len(alts), "two figures share one alt text"


# ----------------------------------------------------------------------------------------------
# A drawing becomes an image as the data set's digits did


def test_a_drawing_is_scaled_to_fill_the_height_and_centred() -> None:
    from dlbook.digits import image_from_bitmap, normalize_bitmap

    bitmap = np.zeros((32, 32), int)
    bitmap[8:16, 20:22] = 1  # a small stroke, high and to the right: 8 rows by 2 columns
    normalized = normalize_bitmap(bitmap)
    rows, cols = np.flatnonzero(normalized.any(axis=1)), np.flatnonzero(normalized.any(axis=0))
    assert (rows[0], rows[-1]) == (0, 31)  # the full height
    assert len(cols) == 8 and cols[0] == 12  # aspect ratio kept (2 x 32 / 8), centred
    assert normalized.sum() == 32 * 8
    image = image_from_bitmap(bitmap)
    assert image.shape == (64,) and image.sum() == normalized.sum() and image.max() <= 16
    np.testing.assert_array_equal(normalize_bitmap(normalized), normalized)  # already normal
    wide = np.zeros((32, 32), int)
    wide[20, 3:9] = 1  # a dash, 1 x 6: the width fills up instead, and the height grows alike
    assert normalize_bitmap(wide).any(axis=0).all()
    assert normalize_bitmap(wide).sum() == 32 * round(32 / 6)
    assert not normalize_bitmap(np.zeros((32, 32))).any()


@pytest.mark.parametrize(("bitmap", "message"), [
    (np.zeros((28, 28)), r"shape \(32, 32\)"),
    (np.full((32, 32), np.nan), "NaN"),
    (np.full((32, 32), 2), "0 \\(blank\\) and 1 \\(ink\\)"),
])
def test_bad_bitmaps_are_refused(bitmap: np.ndarray, message: str) -> None:
    from dlbook.digits import normalize_bitmap

    with pytest.raises(ValueError, match=message):
        normalize_bitmap(bitmap)


# ----------------------------------------------------------------------------------------------
# Shifting images: data augmentation


def test_whole_pixel_shifts_move_every_pixel_and_fill_with_blank() -> None:
    rng = np.random.default_rng(20)
    images = rng.integers(0, 17, (6, 64)).astype(float)
    shifts = np.array([[1, 0], [0, -1], [2, 3], [0, 0], [-7, 7], [-1, -2]])
    moved = shift_images(images, shifts, blank=0.0).reshape(-1, 8, 8)
    pictures = images.reshape(-1, 8, 8)
    for picture, result, (down, right) in zip(pictures, moved, shifts):
        expected = np.zeros((8, 8))
        for r, c in np.ndindex(8, 8):
            if 0 <= r - down < 8 and 0 <= c - right < 8:
                expected[r, c] = picture[r - down, c - right]
        np.testing.assert_array_equal(result, expected)


def test_fractional_shifts_interpolate_between_neighbours() -> None:
    rng = np.random.default_rng(21)
    images = scale_pixels(rng.integers(0, 17, (3, 64)))
    pictures = images.reshape(-1, 8, 8)
    half = shift_images(images, np.tile([0.5, 0.0], (3, 1))).reshape(-1, 8, 8)
    above = np.concatenate([np.full((3, 1, 8), -1.0), pictures[:, :-1]], axis=1)  # blank paper above the top row
    np.testing.assert_allclose(half, (pictures + above) / 2, rtol=0, atol=1e-15)
    quarter = shift_images(images, np.tile([0.0, -0.25], (3, 1))).reshape(-1, 8, 8)
    right = np.concatenate([pictures[:, :, 1:], np.full((3, 8, 1), -1.0)], axis=2)
    np.testing.assert_allclose(quarter, 0.75 * pictures + 0.25 * right, rtol=0, atol=1e-15)
    both = shift_images(images, np.tile([0.3, -0.6], (3, 1)))
    rows_first = shift_images(shift_images(images, np.tile([0.3, 0.0], (3, 1))), np.tile([0.0, -0.6], (3, 1)))
    np.testing.assert_allclose(both, rows_first, rtol=0, atol=1e-15)  # separable: bilinear


def test_random_shifts_are_reproducible_and_bounded() -> None:
    images = scale_pixels(load_digits()[0][:50])
    first = random_shifts(images, np.random.default_rng(3))
    np.testing.assert_array_equal(first, random_shifts(images, np.random.default_rng(3)))
    shifts = np.random.default_rng(3).uniform(-0.5, 0.5, size=(50, 2))
    np.testing.assert_array_equal(first, shift_images(images, shifts))
    assert first.min() >= -1 and first.max() <= 1 and first.dtype == np.float64
    np.testing.assert_array_equal(random_shifts(images, np.random.default_rng(0), max_shift=0), images)


def test_shift_arguments_are_checked() -> None:
    images = np.zeros((2, 64))
    with pytest.raises(ValueError, match="64 pixels per row"):
        shift_images(np.zeros((2, 63)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"shifts must have shape \(2, 2\)"):
        shift_images(images, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="shifts must lie from -7 to 7"):
        shift_images(images, [[8, 0], [0, 0]])
    with pytest.raises(ValueError, match="NaN"):
        shift_images(images, [[np.nan, 0], [0, 0]])
    with pytest.raises(ValueError, match="max_shift"):
        random_shifts(images, np.random.default_rng(0), max_shift=-1)
