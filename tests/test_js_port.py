"""One truth for the numbers: the explorers' browser code is a port of ``dlbook.numpy``, and agrees with it.

The pure compute modules in ``js/compute/`` (what the explorers run in the
browser, with no drawing) are run under Node.js on the same inputs as
``dlbook.numpy`` and must agree to 1e-9: activations and derivatives,
perceptron outputs, softmax and cross-entropy at logits of ±1e4, NumPy's random
generator (initial weights, batch order) and whole training runs of the
playground, step by step. The explorers' read-outs are compared as text: the
browser writes exactly what the Python widget's ``readout()`` writes.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from typing import Any

import numpy as np
import pytest

import dlbook.numpy as dnp
from dlbook.data import make_blobs, make_moons, make_spirals
from dlbook.digits import digit_probabilities, image_from_bitmap, normalize_bitmap, scale_pixels
from dlbook.numpy.activations import ACTIVATIONS, DERIVATIVES
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.training import accuracy, train_mlp
from dlbook.plots import decision_line, grid_points, plot_extent
from dlbook.widgets.activations import explorer_inputs, neuron_readout
from dlbook.widgets.digits import digit_readout
from dlbook.widgets.formatting import signed_term
from dlbook.widgets.perceptron import perceptron_readout
from dlbook.widgets.playground import (
    DATASETS,
    TrainingPlayground,
    diverged_readout,
    progress_readout,
    untrained_readout,
)
from dlbook.widgets.softmax import softmax_readout, softmax_readout_text
from tests.conftest import ROOT

NODE = shutil.which("node")
TOLERANCE = {"rtol": 1e-9, "atol": 1e-9}
#: Inputs where activations go wrong if written carelessly: huge, overflowing, tiny, signed zeros, NaN.
EXTREMES = [-1e4, -1000.0, -709.8, -709.7, -100.0, -30.0, -1.0, -1e-300, -0.0, 0.0, 5e-324, 1e-8, 0.5, 1.0,
            20.0, 709.8, 1000.0, 1e4, math.inf, -math.inf, math.nan]

pytestmark = pytest.mark.skipif(NODE is None, reason="the JavaScript port tests need Node.js (node) on the PATH")


def encode(value: Any) -> Any:
    """Python values as the Node driver reads them: non-finite floats wrapped, arrays as lists."""
    if isinstance(value, np.ndarray):
        return encode(value.tolist())
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return {"$float": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def decode(value: Any) -> Any:
    """The driver's JSON as Python values (JavaScript writes doubles below 1e21 without an exponent)."""
    if isinstance(value, int) and abs(value) > 2**53:
        return float(value)
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "$float" in value:
            return float(value["$float"].replace("Infinity", "inf"))
        return {k: decode(v) for k, v in value.items()}
    return value


def run_js(*calls: tuple[str, list[Any]]) -> list[Any]:
    """Call ``module.function(*args)`` of the port for every ``(name, args)`` in one Node process."""
    request = json.dumps([{"fn": fn, "args": encode(args)} for fn, args in calls])
    result = subprocess.run([NODE, str(ROOT / "tests" / "js" / "port.mjs")], input=request, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return decode(json.loads(result.stdout))


def seed_state(seed: int) -> dict[str, str]:
    """What the playground sends the browser: the state of ``numpy.random.default_rng(seed)``."""
    state = np.random.default_rng(seed).bit_generator.state["state"]
    return {key: str(value) for key, value in state.items()}


# ----------------------------------------------------------------------------------------------
# Activations, perceptron, softmax


def test_activations_and_derivatives_agree_with_numpy() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([EXTREMES, rng.normal(0, 5, 200)])
    calls = [("adapters.activation", [name, x]) for name in ACTIVATIONS]
    calls += [("adapters.derivative", [name, x]) for name in DERIVATIVES]
    results = iter(run_js(*calls))
    with np.errstate(all="ignore"):  # inf - inf in the reference where the input is infinite
        for name, f in ACTIVATIONS.items():
            np.testing.assert_allclose(next(results), f(x), **TOLERANCE, err_msg=name)
        for name, df in DERIVATIVES.items():
            np.testing.assert_allclose(next(results), df(x), **TOLERANCE, err_msg=f"{name}'")


def test_every_activation_agrees_through_the_perceptron() -> None:
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(0, 3, (100, 2)), [[1e4, -1e4], [-800.0, 0.0], [0.0, 0.0]]])
    cases = [(name, rng.uniform(-3, 3, 2), float(rng.uniform(-3, 3))) for name in ACTIVATIONS for _ in range(3)]
    results = run_js(*[("perceptron.perceptronMany", [X, w, b, name]) for name, w, b in cases])
    for (name, w, b), outputs in zip(cases, results):
        np.testing.assert_allclose(outputs, dnp.perceptron(X, w, b, name), **TOLERANCE, err_msg=name)


def test_neuron_curves_agree() -> None:
    x = explorer_inputs()
    cases = [(name, w, b) for name in DERIVATIVES for w, b in [(2.0, 1.0), (-0.1, 4.9), (5.0, -5.0), (0.0, 0.3)]]
    results = run_js(*[("activations.neuronCurve", [x, w, b, name]) for name, w, b in cases])
    for (name, w, b), curve in zip(cases, results):
        y, slope = dnp.neuron_curve(x, w, b, name)
        np.testing.assert_allclose(curve["y"], y, **TOLERANCE)
        np.testing.assert_allclose(curve["slope"], slope, **TOLERANCE)


@pytest.mark.parametrize("scale", [1.0, 1e2, 1e4])
def test_softmax_and_cross_entropy_agree_at_extreme_logits(scale: float) -> None:
    rng = np.random.default_rng(int(scale))
    logits = [rng.normal(0, scale, 3) for _ in range(20)] + [np.array([1e4, -1e4, 0.0]), np.array([-1e4, -1e4, 1e4])]
    calls = [call for z in logits for call in
             [("softmax.softmax", [z]), ("softmax.logSoftmax", [z]), ("softmax.crossEntropy", [z, 2])]]
    results = iter(run_js(*calls))
    for z in logits:
        probabilities, log_probabilities, loss = next(results), next(results), next(results)
        np.testing.assert_allclose(probabilities, dnp.softmax(z), **TOLERANCE)
        np.testing.assert_allclose(log_probabilities, dnp.log_softmax(z), **TOLERANCE)
        assert math.isfinite(loss)
        np.testing.assert_allclose(loss, dnp.cross_entropy(z, 2), **TOLERANCE)


# ----------------------------------------------------------------------------------------------
# The plane under 2-D data


def test_extent_grid_and_decision_line_agree() -> None:
    X, _ = make_blobs(n=50, seed=3)
    extent = plot_extent(X)
    lines = [((1.0, -2.0), 0.5), ((2.0, 0.5), -1.0), ((0.0, 1.0), 0.3), ((1.0, 0.0), -0.2), ((0.0, 0.0), 1.0)]
    results = run_js(("plane.plotExtent", [X]), ("plane.gridPoints", [list(extent), 17]),
                     *[("plane.decisionLine", [list(w), b, list(extent)]) for w, b in lines])
    np.testing.assert_allclose(results[0], extent, **TOLERANCE)
    np.testing.assert_allclose(results[1], grid_points(extent, 17), **TOLERANCE)
    for (w, b), (xs, ys) in zip(lines, results[2:]):
        expected_xs, expected_ys = decision_line(np.array(w), b, extent)
        np.testing.assert_allclose(xs, expected_xs, **TOLERANCE)
        np.testing.assert_allclose(ys, expected_ys, **TOLERANCE)


# ----------------------------------------------------------------------------------------------
# NumPy's generator: initial weights and batch order


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_generator_draws_numpys_numbers(seed: int) -> None:
    uniforms, permutations = run_js(("adapters.uniforms", [seed_state(seed), -0.7, 0.7, 50]),
                                    ("adapters.permutations", [seed_state(seed), 300, 4]))
    rng = np.random.default_rng(seed)
    np.testing.assert_array_equal(uniforms, rng.uniform(-0.7, 0.7, 50))
    rng = np.random.default_rng(seed)
    assert permutations == [rng.permutation(300).tolist() for _ in range(4)]


@pytest.mark.parametrize(("n_in", "n_hidden", "n_out", "seed"), [(2, 16, 2, 0), (2, 1, 2, 3), (64, 32, 10, 7)])
def test_initial_network_is_numpys(n_in: int, n_hidden: int, n_out: int, seed: int) -> None:
    (network,) = run_js(("adapters.initMlp", [seed_state(seed), n_in, n_hidden, n_out]))
    expected = init_mlp(n_in, n_hidden, n_out, seed=seed)
    for name, value in expected.items():
        np.testing.assert_array_equal(np.reshape(network[name], value.shape), value, err_msg=name)


# ----------------------------------------------------------------------------------------------
# Whole training runs


RUNS = {
    "playground default": dict(data=make_moons(200, noise=0.1, seed=0), n_hidden=16, activation="tanh", lr=0.5,
                               batch_size=32, epochs=100, seed=0),
    "spirals relu": dict(data=make_spirals(300, classes=2, noise=0.1, seed=0), n_hidden=12, activation="relu",
                         lr=0.3, batch_size=8, epochs=10, seed=5),
    "three classes sigmoid": dict(data=make_spirals(150, classes=3, noise=0.1, seed=1), n_hidden=8,
                                  activation="sigmoid", lr=1.0, batch_size=150, epochs=30, seed=2),
    "leaky relu, batch 1": dict(data=make_moons(60, noise=0.2, seed=4), n_hidden=4, activation="leaky_relu",
                                lr=0.1, batch_size=1, epochs=5, seed=9),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_training_runs_agree_step_by_step(name: str) -> None:
    run = RUNS[name]
    (X, y), seed = run["data"], run["seed"]
    settings = {key: run[key] for key in ("n_hidden", "activation", "lr", "batch_size", "epochs")}
    (result,) = run_js(("adapters.trainRun", [{
        "state": seed_state(seed), "X": X, "y": y, "nOut": int(y.max()) + 1,
        **{"nHidden": run["n_hidden"], "activation": run["activation"], "lr": run["lr"],
           "batchSize": run["batch_size"], "epochs": run["epochs"]}}]))
    params, losses = train_mlp(X, y, seed=seed, **settings)
    assert len(result["losses"]) == len(losses)
    np.testing.assert_allclose(result["losses"], losses, **TOLERANCE)
    for key, value in params.items():
        np.testing.assert_allclose(np.reshape(result["params"][key], value.shape), value, **TOLERANCE, err_msg=key)
    assert result["accuracy"] == accuracy(params, X, y, run["activation"])


# ----------------------------------------------------------------------------------------------
# Read-outs, word for word


def test_python_formatting_is_reproduced() -> None:
    values = [0.0, -0.0, 0.125, 0.375, -0.125, 2.5, 3.5, 0.0625, 1e-5, -1e-5, 0.1 + 0.2, 123456.789, 1 / 3,
              0.9995, 0.9985, 1e21 / 3, math.nan, math.inf, -math.inf]
    digits = [0, 1, 2, 3, 4]
    calls = [("format.fixed", [v, d]) for v in values for d in digits]
    calls += [("format.percent", [v, d]) for v in [0.625, 0.975, 0.4, 0.125, 1.0, 0.995, 0.005] for d in (0, 1)]
    expected = [f"{v:.{d}f}" for v in values for d in digits]
    expected += [f"{v:.{d}%}" for v in [0.625, 0.975, 0.4, 0.125, 1.0, 0.995, 0.005] for d in (0, 1)]
    assert run_js(*calls) == expected


def test_signed_terms_are_written_alike() -> None:
    values = [1.0, -1.0, 0.0, -0.0, 0.04, -0.04, -0.05, -0.25, 2.5, -2.5, -1e-300, 123.456, math.nan, math.inf,
              -math.inf]
    calls = [("format.signedTerm", [v, d]) for v in values for d in (0, 1, 3)]
    assert run_js(*calls) == [signed_term(v, d) for v in values for d in (0, 1, 3)]


def test_figure_descriptions_write_negative_terms_with_a_minus_sign() -> None:
    """Not "1.0 x₁ + -1.0 x₂" (the descriptions are the browser's own; no Python writes them)."""
    perceptron, neuron = run_js(
        ("perceptronView.describePerceptron", [{"w": [1.0, -1.0], "b": -0.5, "activation": "sigmoid",
                                                "x": [0.5, -0.5], "X": [[0.0, 0.0]]}]),
        ("activationsView.describeNeuron", [explorer_inputs(), 2.0, -1.0, "tanh"]),
    )
    assert "sigmoid(1.0 x₁ − 1.0 x₂ − 0.5)" in perceptron
    assert "tanh(2.0 x − 1.0)" in neuron


def test_progress_readouts_agree_and_never_show_a_negative_loss() -> None:
    """A batch loss that rounding left just below 0 reads 0.0000 in both; NaN stays NaN."""
    cases = [(700, 700, 100, loss, 0.975) for loss in (-1e-17, -0.0, 0.0, 3e-5, 0.1432, 5e-5, math.nan)]
    cases += [(1, 700, 100, 0.6931, 0.5), (3, 7, 2, 1.0, 1.0)]
    expected = [progress_readout(*case) for case in cases]
    assert run_js(*[("playground.progressReadout", list(case)) for case in cases]) == expected
    assert expected[0] == expected[1] == expected[2] == "epoch 100/100; step 700/700; batch loss 0.0000; accuracy 97.5%"
    assert "batch loss nan" in expected[6] and "batch loss 0.0001" in expected[5]


def test_perceptron_readouts_agree() -> None:
    rng = np.random.default_rng(2)
    X, y = make_blobs(n=80, seed=1)
    cases = [(rng.integers(-30, 31, 2) / 10, rng.integers(-30, 31) / 10, name, rng.integers(-30, 31, 2) / 10)
             for name in ACTIVATIONS for _ in range(6)]
    results = run_js(*[("perceptron.perceptronReadout", [{"X": X, "y": y, "w": w, "b": b, "activation": name,
                                                          "x": x}]) for w, b, name, x in cases])
    assert results == [perceptron_readout(X, y, w, b, name, x) for w, b, name, x in cases]


def test_neuron_readouts_agree() -> None:
    x = explorer_inputs()
    rng = np.random.default_rng(3)
    cases = [(name, rng.integers(-50, 51) / 10, rng.integers(-50, 51) / 10) for name in DERIVATIVES for _ in range(8)]
    cases += [(name, 0.0, -1.5) for name in DERIVATIVES] + [("tanh", 2.0, -0.0)]
    results = run_js(*[("activations.neuronReadout", [x, w, b, name]) for name, w, b in cases])
    assert results == [neuron_readout(x, w, b, name) for name, w, b in cases]


def test_softmax_readouts_agree() -> None:
    rng = np.random.default_rng(4)
    cases = [(rng.integers(-100, 101, 3) / 10, 10 ** (rng.integers(-20, 21) * 0.05), int(rng.integers(0, 3)))
             for _ in range(30)]
    calls = [call for z, t, c in cases for call in
             [("softmax.softmaxReadout", [z, t, c]), ("softmax.softmaxWithTemperature", [z, t, c])]]
    results = iter(run_js(*calls))
    for z, t, c in cases:
        assert next(results) == softmax_readout_text(z, t, c)
        numbers = next(results)
        probabilities, loss = softmax_readout(z, t, c)
        np.testing.assert_allclose(numbers["probabilities"], probabilities, **TOLERANCE)
        np.testing.assert_allclose(numbers["loss"], loss, **TOLERANCE)


PLAYGROUND_RUNS = [
    {},
    {"data": "xor", "activation": "relu", "batch_size": 8, "epochs": 20, "n_hidden": 5},
    {"data": "spirals", "lr": 30.0, "activation": "leaky_relu", "batch_size": 1, "epochs": 10},
]


@pytest.mark.parametrize("settings", PLAYGROUND_RUNS, ids=["default", "xor relu", "diverging"])
def test_playground_runs_and_readouts_agree(settings: dict[str, Any]) -> None:
    playground = TrainingPlayground(**settings)
    X, y = playground.data_set()
    s = playground.settings()
    dataset = {"X": X, "y": y}
    untrained = accuracy(playground.initial_params(), X, y, s["activation"])
    (result, untrained_text) = run_js(
        ("adapters.playgroundRun", [{"state": playground.seed_state, "dataset": dataset, "nHidden": s["n_hidden"],
                                     "activation": s["activation"], "lr": s["lr"], "batchSize": s["batch_size"],
                                     "epochs": s["epochs"]}]),
        ("playground.untrainedReadout", [untrained, playground.total_steps()]),
    )
    assert untrained_text == untrained_readout(untrained, playground.total_steps()) == playground.readout()
    final = playground.train()
    assert result["readout"] == playground.readout()
    assert len(result["losses"]) == len(playground.losses)
    if math.isnan(final):
        # Near overflow the run is chaos: rounding differences grow to percents, but both stop at one step.
        assert result["readout"] == diverged_readout(playground.diverged_at)
    else:
        np.testing.assert_allclose(result["losses"], playground.losses, **TOLERANCE)
        assert result["accuracy"] == final >= (0.95 if not settings else 0.0)
        for key, value in playground.params.items():
            np.testing.assert_allclose(result["params"][key], value, **TOLERANCE, err_msg=key)


def test_playground_data_sets_are_the_books() -> None:
    playground = TrainingPlayground()
    for name, make in DATASETS.items():
        X, y = make()
        assert playground.datasets[name] == {"X": X.tolist(), "y": y.tolist()}


# ----------------------------------------------------------------------------------------------
# The draw-a-digit explorer


def test_digit_probabilities_and_readouts_agree() -> None:
    rng = np.random.default_rng(6)
    params = init_mlp(64, 16, 10, seed=2)
    images = [rng.integers(0, 17, 64) for _ in range(12)] + [np.zeros(64, int), np.full(64, 16)]
    network = {"nIn": 64, "nHidden": 16, "nOut": 10, **{name: value.ravel() for name, value in params.items()}}
    calls = [call for image in images for call in [
        ("digits.scalePixels", [image]), ("digits.digitProbabilities", [network, image, "tanh"])]]
    results = iter(run_js(*calls))
    probabilities = []
    for image in images:
        np.testing.assert_allclose(next(results), scale_pixels(image), **TOLERANCE)
        shown = next(results)
        np.testing.assert_allclose(shown, digit_probabilities(params, image[None, :])[0], **TOLERANCE)
        probabilities.append(shown)
    texts = run_js(*[("digits.digitReadout", [image, p]) for image, p in zip(images, probabilities)])
    assert texts == [digit_readout(image, p) for image, p in zip(images, probabilities)]


def test_pad_and_image_are_made_as_the_data_set_was() -> None:
    """Each image pixel counts the inked pixels of a 4 x 4 block of the 32 x 32 pad; shown images round-trip."""
    rng = np.random.default_rng(7)
    pad = (rng.random(32 * 32) < 0.3).astype(int)
    image = rng.integers(0, 17, 64)
    counts, round_trip, shown = run_js(("digits.countsFromPad", [pad]),
                                       ("digits.countsFromPad", [run_js(("digits.padFromCounts", [image]))[0]]),
                                       ("digits.padFromCounts", [image]))
    assert counts == pad.reshape(8, 4, 8, 4).sum(axis=(1, 3)).ravel().tolist()
    assert round_trip == image.tolist()
    assert set(shown) <= {0, 1}


def strokes(seed: int, count: int) -> list[np.ndarray]:
    """Made-up drawings on the 32 x 32 pad: a few thick segments each, small, large, off-centre, one empty."""
    rng = np.random.default_rng(seed)
    drawings = [np.zeros((32, 32), int)]
    for _ in range(count):
        pad = np.zeros((32, 32), int)
        top, left = rng.integers(0, 24, 2)
        height, width = rng.integers(1, 32 - top), rng.integers(1, 32 - left)
        pad[top:top + height, left:left + max(1, width // 3)] = 1
        pad[top + height // 2, left:left + width] = 1
        drawings.append(pad)
    return drawings


def test_drawings_are_normalized_and_counted_as_dlbook_does() -> None:
    drawings = strokes(8, 25)
    calls = [call for pad in drawings for call in
             [("digits.normalizePad", [pad.ravel()]), ("digits.imageFromPad", [pad.ravel()])]]
    results = iter(run_js(*calls))
    for pad in drawings:
        assert next(results) == normalize_bitmap(pad).ravel().tolist()
        assert next(results) == image_from_bitmap(pad).astype(int).tolist()


def test_a_stroke_inks_a_band_around_its_segment() -> None:
    (pad_before, changed), = [run_js(("adapters.stroke", [[4.0, 16.0], [28.0, 16.0], 1.5]))[0]]
    pad = np.reshape(pad_before, (32, 32))
    assert changed and pad[16, 4:28].all() and pad[15, 4:28].all()  # pixel centres within 1.5 of y = 16
    assert not pad[:14].any() and not pad[19:].any()  # nothing more than the pen's radius away


# ----------------------------------------------------------------------------------------------
# The look of the figures


def test_explorers_draw_in_the_colours_of_the_books_figures() -> None:
    """Class colours and markers, line colours, and the decision regions' colour map match dlbook.plots."""
    import matplotlib  # noqa: PLC0415 (only this test needs it)
    from matplotlib.colors import to_hex  # noqa: PLC0415

    from dlbook.plots import CLASS_COLORS, CLASS_MARKERS, REGION_ALPHA, REGION_CMAP  # noqa: PLC0415

    values = np.linspace(0, 1, 41)
    style, *colours = run_js(("adapters.figureStyle", []), *[("figure.regionColor", [v, 0.0, 1.0]) for v in values])
    assert style["classColors"] == list(CLASS_COLORS) and style["classMarkers"] == list(CLASS_MARKERS)
    assert style["regionAlpha"] == REGION_ALPHA
    assert style["lineColors"] == [to_hex("C0"), to_hex("C3")]
    rgba = matplotlib.colormaps[REGION_CMAP](values)
    expected = np.round(255 * (REGION_ALPHA * rgba[:, :3] + (1 - REGION_ALPHA)))
    np.testing.assert_allclose(colours, expected, atol=2)  # matplotlib's table has 256 steps
