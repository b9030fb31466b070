"""The perceptron explorer, driven headless: controls in, read-out and picture out."""

import re

import numpy as np
import pytest

import dlbook.numpy as dnp
from dlbook.data import make_blobs
from dlbook.plots import decision_line
from dlbook.widgets.perceptron import PerceptronExplorer, output_range


@pytest.fixture()
def explorer():
    X, y = make_blobs(n=60, seed=0)
    return PerceptronExplorer(X, y)


def numbers(html: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+", html)]


def test_readout_is_what_dlbook_computes(explorer):
    c = explorer.controls
    c["w1"].value, c["w2"].value, c["b"].value = 0.7, -1.2, 0.4
    c["x1"].value, c["x2"].value = -0.5, 1.5
    c["activation"].value = "tanh"
    x, w = np.array([-0.5, 1.5]), np.array([0.7, -1.2])
    z, y_hat = numbers(explorer.readout.value)[:2]
    assert z == pytest.approx(float(dnp.weighted_sum(x, w, 0.4)), abs=5e-4)
    assert y_hat == pytest.approx(float(dnp.perceptron(x, w, 0.4, "tanh")), abs=5e-4)
    accuracy = np.mean(dnp.predict_class(explorer.X, w, 0.4) == explorer.y)
    assert f"accuracy on the data: {accuracy:.0%}" in explorer.readout.value


def test_every_control_redraws_the_picture(explorer):
    for name, new_value in [("w1", -2.0), ("w2", 2.5), ("b", 1.5), ("x1", -2.0), ("x2", -1.0),
                            ("activation", "relu")]:
        before = explorer.image.value
        explorer.controls[name].value = new_value
        assert explorer.image.value != before, f"changing {name} did not change the picture"
        assert bytes(explorer.image.value).startswith(b"\x89PNG")


def test_boundary_and_regions_follow_the_weights(explorer):
    c = explorer.controls
    c["w1"].value, c["w2"].value, c["b"].value = 1.0, 2.0, -0.5
    xs, ys = explorer.line.get_data()
    np.testing.assert_allclose(1.0 * np.asarray(xs) + 2.0 * np.asarray(ys) - 0.5, 0.0, atol=1e-12)
    expected = dnp.perceptron(explorer.grid, np.array([1.0, 2.0]), -0.5)
    np.testing.assert_allclose(explorer.regions.get_array().ravel(), expected)


def test_colour_scale_matches_the_activation(explorer):
    explorer.controls["activation"].value = "tanh"
    assert explorer.regions.get_clim() == (-1.0, 1.0)
    explorer.controls["activation"].value = "relu"
    low, high = explorer.regions.get_clim()
    assert low == -high and high == pytest.approx(np.abs(explorer.regions.get_array()).max())


def test_output_range_for_bounded_and_unbounded_activations():
    assert output_range("sigmoid", np.array([5.0])) == (0.0, 1.0)
    assert output_range("identity", np.array([-3.0, 2.0])) == (-3.0, 3.0)
    assert output_range("relu", np.zeros(4)) == (-1.0, 1.0)


@pytest.mark.parametrize(
    ("w", "b"), [((1.0, 2.0), -0.5), ((3.0, 0.5), 1.0), ((0.0, 1.0), 0.3), ((1.0, 0.0), -0.2)]
)
def test_decision_line_points_lie_on_the_boundary(w, b):
    xs, ys = decision_line(np.array(w), b, (-2.0, 2.0, -3.0, 3.0))
    assert len(xs) == 2
    np.testing.assert_allclose(w[0] * xs + w[1] * ys + b, 0.0, atol=1e-12)


def test_no_decision_line_without_weights():
    xs, ys = decision_line(np.zeros(2), 1.0, (-1.0, 1.0, -1.0, 1.0))
    assert xs.size == 0 and ys.size == 0


def test_explorer_png_decodes_to_the_canvas_pixels(explorer):
    import io

    import PIL.Image

    picture = np.asarray(PIL.Image.open(io.BytesIO(bytes(explorer.image.value))).convert("RGB"))
    canvas = np.asarray(explorer.canvas.buffer_rgba())[..., :3]
    np.testing.assert_array_equal(picture, canvas)
