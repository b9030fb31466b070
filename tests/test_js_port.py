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
import select
import shutil
import subprocess
from typing import Any, Iterator

import numpy as np
import pytest

import dlbook.numpy as dnp
from dlbook.data import make_blobs, make_moons, make_spirals
from dlbook.digits import digit_probabilities, image_from_bitmap, normalize_bitmap, scale_pixels, shift_pixels
from dlbook.numpy.activations import ACTIVATIONS, DERIVATIVES
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.training import accuracy, train_mlp
from dlbook.plots import decision_line, grid_points, plot_extent
from dlbook.widgets.activations import explorer_inputs, neuron_readout
from dlbook.numpy import optim
from dlbook.numpy.surfaces import EXTENT, SURFACES, get_surface
from dlbook.widgets.digits import digit_readout
from dlbook.widgets.formatting import signed_term
from dlbook.widgets.optimisers import LEARNING_RATES, explorer_paths, optimiser_readout
from dlbook.widgets.feature_maps import feature_map_readout
from dlbook.widgets.kernels import KERNELS, kernel_maps, kernel_name, kernel_readout
from dlbook.widgets.perceptron import perceptron_readout
from dlbook.widgets.playground import (
    DATASETS,
    TrainingPlayground,
    diverged_readout,
    held_out_mask,
    noisy_labels,
    progress_readout,
    share_count,
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


class NodePort:
    """``tests/js/port.mjs`` running in one Node process for the module (starting Node and loading the port
    cost 0.13 CPU-seconds, more than most requests): a request is one line of JSON, so is its answer."""

    TIMEOUT_S = 120

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None

    def ask(self, request: str) -> dict[str, Any]:
        """Send ``request``; the decoded answer, within :attr:`TIMEOUT_S` seconds."""
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([NODE, str(ROOT / "tests" / "js" / "port.mjs")], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], self.TIMEOUT_S)
        line = self.process.stdout.readline() if ready else ""
        if not line:  # the end of its output (it has ended), or nothing in time
            why = f"ended with exit code {self.process.wait(10)}" if ready else f"gave no answer in {self.TIMEOUT_S} s"
            pytest.fail(f"the port {why}:\n{self.close()}")
        return json.loads(line)

    def close(self) -> str:
        """End the process; what it wrote to stderr."""
        if self.process is None:
            return ""
        if self.process.poll() is None:
            self.process.kill()
        _, errors = self.process.communicate()  # also closes the pipes
        self.process = None
        return errors


PORT = NodePort()


@pytest.fixture(scope="module", autouse=True)
def node_port() -> Iterator[None]:
    """The module's Node process, ended after its last test."""
    yield
    PORT.close()


def run_js(*calls: tuple[str, list[Any]]) -> list[Any]:
    """Call ``module.function(*args)`` of the port for every ``(name, args)``, in order; their results."""
    answer = PORT.ask(json.dumps([{"fn": fn, "args": encode(args)} for fn, args in calls]))
    assert "error" not in answer, answer.get("error")
    return decode(answer["results"])


def test_the_port_reports_a_failing_call_and_goes_on_answering() -> None:
    with pytest.raises(AssertionError, match="no function adapters.nothing"):
        run_js(("format.fixed", [1.0, 2]), ("adapters.nothing", []))
    assert run_js(("format.fixed", [3.14159, 2])) == ["3.14"]


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


PLAYGROUND_RUNS = {
    "default": {},
    "xor relu": {"data": "xor", "activation": "relu", "batch_size": 8, "epochs": 20, "n_hidden": 5},
    "diverging": {"data": "spirals", "lr": 30.0, "activation": "leaky_relu", "batch_size": 1, "epochs": 10},
    "noise, held out, L2": {"noise": 0.15, "held_out": 0.3, "weight_decay": 0.01, "epochs": 30, "n_hidden": 12},
    "spirals held out, full batch": {"data": "spirals", "held_out": 0.5, "batch_size": 200, "epochs": 40,
                                     "activation": "sigmoid", "weight_decay": 0.0003, "lr": 3.0},
    "all noise, tiny shares": {"noise": 0.5, "held_out": 0.05, "batch_size": 1, "epochs": 10, "lr": 0.1,
                               "weight_decay": 0.1},
}


@pytest.mark.parametrize("settings", list(PLAYGROUND_RUNS.values()), ids=list(PLAYGROUND_RUNS))
def test_playground_runs_and_readouts_agree(settings: dict[str, Any]) -> None:
    """The browser's run is the Python explorer's, step by step: data split, losses, held-out losses, read-outs."""
    playground = TrainingPlayground(**settings)
    s = playground.settings()
    chosen = playground.datasets[s["data"]]
    untrained_text = playground.readout()
    (result,) = run_js(
        ("adapters.playgroundRun", [{"state": playground.seed_state, "dataset": chosen, "noise": s["noise"],
                                     "heldOut": s["held_out"], "nHidden": s["n_hidden"],
                                     "activation": s["activation"], "lr": s["lr"], "batchSize": s["batch_size"],
                                     "epochs": s["epochs"], "weightDecay": s["weight_decay"]}]),
    )
    assert result["untrainedText"] == untrained_text
    final = playground.train()
    assert result["readout"] == playground.readout()
    assert len(result["losses"]) == len(playground.losses)
    if math.isnan(final):
        # Near overflow the run is chaos: rounding differences grow to percents, but both stop at one step.
        assert result["readout"] == diverged_readout(playground.diverged_at)
        return
    assert result["total"] == playground.total_steps() == len(playground.losses)
    assert result["labels"] == playground.data_set()[1].tolist()
    assert result["held"] == playground.held_out_points().tolist()
    np.testing.assert_allclose(result["losses"], playground.losses, **TOLERANCE)
    np.testing.assert_allclose(result["heldOutLosses"], playground.held_out_losses, **TOLERANCE)
    np.testing.assert_allclose(result["epochLosses"], playground.epoch_losses, **TOLERANCE)
    assert len(playground.held_out_losses) == len(playground.epoch_losses) == (s["epochs"] if s["held_out"] else 0)
    assert result["accuracy"] == final >= (0.95 if not settings else 0.0)
    for key, value in playground.params.items():
        np.testing.assert_allclose(result["params"][key], value, **TOLERANCE, err_msg=key)


def test_playground_split_and_readouts_agree_over_the_shares() -> None:
    """Every share of label noise and held-out points the sliders offer: the same points flipped and held out."""
    dataset = TrainingPlayground().datasets["moons"]
    shares = np.round(np.arange(0, 0.51, 0.05), 2).tolist() + [0.123, 0.499]
    results = run_js(*[("playground.splitData", [dataset, noise, held]) for noise in shares for held in shares[::3]])
    flips, held_order = np.asarray(dataset["flips"]), np.asarray(dataset["held"])
    for (noise, held), result in zip([(a, b) for a in shares for b in shares[::3]], results):
        assert result["labels"] == noisy_labels(np.asarray(dataset["y"]), flips, noise).tolist()
        assert result["held"] == held_out_mask(held_order, held).tolist()
        assert len(result["heldOut"]["y"]) == share_count(held, 200) == sum(result["held"])
    cases = [(700, 700, 100, 0.1432, 0.975, None), (5, 700, 100, 0.5, 0.5, (0.6931, 0.48)),
             (700, 700, 100, -0.0, 1.0, (12.5, 0.0))]
    texts = run_js(*[("playground.progressReadout", list(case)) for case in cases],
                   ("playground.untrainedReadout", [0.165, 700, None]),
                   ("playground.untrainedReadout", [0.5, 350, 0.51]))
    assert texts == [progress_readout(*case) for case in cases] + [untrained_readout(0.165, 700),
                                                                    untrained_readout(0.5, 350, 0.51)]
    assert texts[1].endswith("accuracy 50.0%; held-out loss 0.6931, accuracy 48.0%")


def test_weight_decay_runs_agree_step_by_step() -> None:
    """``train_mlp(..., weight_decay=...)``, ported: the same losses and weights."""
    X, y = make_moons(80, noise=0.2, seed=3)
    (result,) = run_js(("adapters.trainRun", [{"state": seed_state(4), "X": X, "y": y, "nOut": 2, "nHidden": 6,
                                              "activation": "tanh", "lr": 0.5, "batchSize": 16, "epochs": 15,
                                              "weightDecay": 0.03}]))
    params, losses = train_mlp(X, y, n_hidden=6, lr=0.5, batch_size=16, epochs=15, seed=4, weight_decay=0.03)
    unregularised, _ = train_mlp(X, y, n_hidden=6, lr=0.5, batch_size=16, epochs=15, seed=4)
    np.testing.assert_allclose(result["losses"], losses, **TOLERANCE)
    for key, value in params.items():
        np.testing.assert_allclose(np.reshape(result["params"][key], value.shape), value, **TOLERANCE, err_msg=key)
    assert np.linalg.norm(params["W1"]) < np.linalg.norm(unregularised["W1"])  # the decay made a difference


def test_playground_data_sets_are_the_books() -> None:
    playground = TrainingPlayground()
    for name, make in DATASETS.items():
        X, y = make()
        flips, held = np.random.default_rng(1).permutation(len(y)), np.random.default_rng(1).permutation(len(y))
        assert playground.datasets[name]["X"] == X.tolist() and playground.datasets[name]["y"] == y.tolist()
        assert playground.datasets[name]["flips"] == flips.tolist()
        assert sorted(playground.datasets[name]["held"]) == list(range(len(y)))


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
# The optimiser explorer: optim.js is dlbook.numpy.optim, surfaces.js is dlbook.numpy.surfaces


def camel(options: dict[str, Any]) -> dict[str, Any]:
    """Python's keyword arguments as optim.js names them (weight_decay -> weightDecay)."""
    return {key.split("_")[0] + "".join(part.title() for part in key.split("_")[1:]): value
            for key, value in options.items()}


OPTIMIZER_CASES = [
    ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01, "maximize": True}),
    ("SGD", {"lr": 0.02, "momentum": 0.99, "nesterov": True, "weight_decay": 0.1}),
    ("RMSprop", {}), ("RMSprop", {"lr": 0.003, "alpha": 0.9, "momentum": 0.5}),
    ("RMSprop", {"lr": 0.01, "centered": True, "weight_decay": 0.01, "eps": 1e-3, "maximize": True}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.0, "momentum": 0.9, "centered": True}),
    ("Adam", {}), ("Adam", {"lr": 0.01, "betas": (0.5, 0.99), "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "eps": 0.0, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "betas": (0.0, 0.0)}),
    ("AdamW", {}), ("AdamW", {"lr": 0.003, "weight_decay": 0.5, "amsgrad": True}),
]


@pytest.mark.parametrize(("name", "options"), OPTIMIZER_CASES, ids=[f"{n} {o}" for n, o in OPTIMIZER_CASES])
def test_optimizers_agree_with_numpy_step_by_step(name: str, options: dict[str, Any]) -> None:
    rng = np.random.default_rng(len(options))
    start = {"W": rng.standard_normal(6), "b": rng.standard_normal(3)}
    scales = rng.choice([0.0, 1e-3, 1.0, 30.0], size=40)
    grads = [{key: scale * rng.standard_normal(value.shape) for key, value in start.items()} for scale in scales]
    ((run,)) = [run_js(("adapters.optimizerRun", [name, camel(options), start, grads]))[0]]
    params = {key: value.copy() for key, value in start.items()}
    optimizer = getattr(optim, name)(params, **options)
    for step, (grad, shown) in enumerate(zip(grads, run["trace"]), start=1):
        optimizer.step(grad)
        for key, value in params.items():
            np.testing.assert_allclose(shown[key], value, **TOLERANCE, err_msg=f"{name} step {step} {key}")
    for key, state in optimizer.state.items():
        assert set(run["state"][key]) == set(state)
        for entry, value in state.items():
            np.testing.assert_allclose(run["state"][key][entry], value, **TOLERANCE, err_msg=f"{key} {entry}")


@pytest.mark.parametrize(("name", "options"), [
    ("SGD", {"lr": -1.0}), ("SGD", {"momentum": -0.5}), ("SGD", {"nesterov": True}), ("RMSprop", {"alpha": -1.0}),
    ("RMSprop", {"eps": -1e-8}), ("Adam", {"betas": (0.9, 1.0)}), ("Adam", {"betas": (-0.5, 0.9)}),
    ("AdamW", {"weight_decay": -1.0}), ("Adam", {"lr": math.nan}),
])
def test_optimizers_refuse_what_numpy_refuses(name: str, options: dict[str, Any]) -> None:
    """The same error for the same value (numbers are written as each language writes them: -1 or -1.0)."""
    with pytest.raises(ValueError) as raised:
        getattr(optim, name)({"w": np.zeros(2)}, **options)
    (message,) = run_js(("adapters.optimizerError", [name, camel(options)]))
    assert message is not None and message.split(":")[0] == str(raised.value).split(":")[0]


def test_surfaces_agree() -> None:
    rng = np.random.default_rng(8)
    points = np.concatenate([rng.uniform(-2, 2, (40, 2)), [[0.0, 0.0], [1.0, 1.0], [0.0, -1.0], [-1e3, 1e3]]])
    names = list(SURFACES)
    grids = run_js(*[("surfaces.lossGrid", [name, list(EXTENT), 7]) for name in names])
    losses = run_js(*[("surfaces.surfaceLoss", [name, point]) for name in names for point in points])
    xs, ys = np.linspace(EXTENT[0], EXTENT[1], 7), np.linspace(EXTENT[2], EXTENT[3], 7)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)  # row by row from the bottom
    for name, values in zip(names, grids):
        np.testing.assert_allclose(values, get_surface(name).loss(grid), **TOLERANCE)
    expected = [float(get_surface(name).loss(point)) for name in names for point in points]
    np.testing.assert_allclose(losses, expected, **TOLERANCE)


def explorer_cases(seed: int, count: int) -> list[tuple[str, tuple[float, float], float, float, int]]:
    """Settings the explorer's controls can take, some of them on the edges."""
    rng = np.random.default_rng(seed)
    cases = [("quadratic", (-1.5, 1.0), 0.1, 0.9, 50), ("rosenbrock", (-1.5, 1.0), 0.001, 0.9, 300),
             ("saddle", (-1.5, 0.05), 0.1, 0.9, 300), ("saddle", (1.0, 0.0), 0.05, 0.0, 100),
             ("quadratic", (2.0, 2.5), 0.21, 0.99, 300), ("rosenbrock", (-2.0, -1.5), 1.0, 0.5, 300),
             ("quadratic", (-0.0, 0.0), 0.0001, 0.0, 1)]
    for _ in range(count):
        cases.append((str(rng.choice(list(SURFACES))),
                      (round(float(rng.integers(-40, 41)) * 0.05, 2), round(float(rng.integers(-30, 51)) * 0.05, 2)),
                      float(rng.choice(LEARNING_RATES)), round(float(rng.integers(0, 100)) / 100, 2),
                      int(rng.integers(1, 301))))
    return cases


def test_explorer_paths_agree_with_numpy() -> None:
    cases = explorer_cases(9, 40)
    results = run_js(*[("surfaces.explorerPaths", [name, list(start), lr, beta, steps])
                       for name, start, lr, beta, steps in cases])
    diverged = 0
    for (name, start, lr, beta, steps), shown in zip(cases, results):
        for optimizer, (points, diverged_at) in explorer_paths(name, start, lr, beta, steps).items():
            where = f"{optimizer} on {name} from {start}, lr {lr}, beta {beta}, {steps} steps"
            assert shown[optimizer]["divergedAt"] == diverged_at, where
            np.testing.assert_allclose(shown[optimizer]["points"], points, **TOLERANCE, err_msg=where)
            diverged += diverged_at is not None
    assert diverged >= 5  # the cases include runs that diverge


def test_explorer_readouts_agree_word_for_word() -> None:
    cases = explorer_cases(10, 60)
    results = run_js(*[("surfaces.optimiserReadout", [name, list(start), lr, beta, steps])
                       for name, start, lr, beta, steps in cases])
    assert results == [optimiser_readout(*case) for case in cases]
    assert any("diverged at step" in text for text in results)


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


# ----------------------------------------------------------------------------------------------
# Convolution, pooling and the chapter's convolutional network


def conv_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict[str, Any]] | None:
    """Random arguments of conv2d (with groups, dilation, strings as padding, one image), or None if refused."""
    groups = int(rng.integers(1, 3))
    c_in, c_out = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 4, 2))
    padding = [int(rng.integers(0, 3)), [int(p) for p in rng.integers(0, 3, 2)], "same", "valid"][rng.integers(4)]
    stride = 1 if padding == "same" else [int(s) for s in rng.integers(1, 3, 2)]
    kwargs = {"stride": stride, "padding": padding, "dilation": int(rng.integers(1, 3)), "groups": groups}
    shape = (int(rng.integers(1, 3)), c_in, *(int(n) for n in rng.integers(1, 9, 2)))
    x = rng.standard_normal(shape)
    if rng.random() < 0.3:
        x = x[0]  # (C, H, W)
    weight = rng.standard_normal((c_out, c_in // groups, *kernel))
    bias = rng.standard_normal(c_out) if rng.random() < 0.5 else None
    try:
        dnp.conv2d(x, weight, bias, **kwargs)
    except ValueError:
        return None
    return x, weight, bias, kwargs


def test_convolution_agrees_with_numpy() -> None:
    rng = np.random.default_rng(10)
    cases = [case for case in (conv_case(rng) for _ in range(120)) if case is not None]
    results = run_js(*[("conv.conv2d", [x, w, b, kwargs]) for x, w, b, kwargs in cases])
    assert len(cases) > 60
    for (x, w, b, kwargs), result in zip(cases, results):
        np.testing.assert_allclose(result, dnp.conv2d(x, w, b, **kwargs), **TOLERANCE, err_msg=str(kwargs))


def pool_case(rng: np.random.Generator) -> tuple[np.ndarray, Any, dict[str, Any]]:
    """Random pooling arguments, the values with ties, infinities and NaN."""
    kernel = [int(k) for k in rng.integers(1, 4, 2)]
    values = [rng.standard_normal, lambda shape: rng.integers(-2, 3, shape).astype(float),
              lambda shape: rng.choice([-np.inf, 0.0, 1.0, np.inf, np.nan], shape, p=[0.4, 0.2, 0.2, 0.1, 0.1])]
    x = values[rng.integers(3)]((int(rng.integers(1, 3)), int(rng.integers(1, 3)), *(int(n) for n in rng.integers(3, 9, 2))))
    kwargs = {"stride": None if rng.random() < 0.4 else [int(s) for s in rng.integers(1, 3, 2)],
              "padding": [int(rng.integers(0, k // 2 + 1)) for k in kernel], "ceil_mode": bool(rng.random() < 0.5)}
    return x, kernel, kwargs


CAMEL = {"ceil_mode": "ceilMode", "count_include_pad": "countIncludePad", "divisor_override": "divisorOverride",
         "return_indices": "returnIndices"}


def js_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {CAMEL.get(name, name): value for name, value in kwargs.items()}


def test_pooling_agrees_with_numpy_ties_infinities_and_nan_included() -> None:
    rng = np.random.default_rng(11)
    cases = [pool_case(rng) for _ in range(80)]
    calls = []
    for x, kernel, kwargs in cases:
        maxed = {**kwargs, "dilation": int(rng.integers(1, 3)) if not any(kwargs["padding"]) else 1,
                 "return_indices": True}
        averaged = {**kwargs, "count_include_pad": bool(rng.random() < 0.5),
                    "divisor_override": None if rng.random() < 0.7 else int(rng.integers(1, 5))}
        try:  # with dilation (never with padding: every window then holds an input pixel) the image may be too small
            dnp.max_pool2d(x, kernel, **maxed)
        except ValueError:
            continue
        calls.append((x, kernel, maxed, averaged))
    assert len(calls) > 60
    results = iter(run_js(*[call for x, kernel, maxed, averaged in calls for call in [
        ("conv.maxPool2d", [x, kernel, js_options(maxed)]), ("conv.avgPool2d", [x, kernel, js_options(averaged)])]]))
    for x, kernel, maxed, averaged in calls:
        (values, indices), expected = next(results), dnp.max_pool2d(x, kernel, **maxed)
        np.testing.assert_allclose(values, expected[0], **TOLERANCE, err_msg=str(maxed))
        np.testing.assert_array_equal(indices, expected[1])
        with np.errstate(invalid="ignore"):
            np.testing.assert_allclose(next(results), dnp.avg_pool2d(x, kernel, **averaged), **TOLERANCE,
                                       err_msg=str(averaged))


def cnn_lists(params: dict[str, np.ndarray]) -> dict[str, Any]:
    """The network as the explorer's ``params`` trait holds it: nested lists."""
    return {name: value.tolist() for name, value in params.items()}


def test_the_convolutional_network_agrees_layer_by_layer() -> None:
    from dlbook.numpy.cnn import cnn_forward, init_cnn  # noqa: PLC0415

    rng = np.random.default_rng(12)
    params = {name: value + rng.normal(0, 0.1, value.shape) for name, value in init_cnn(seed=3).items()}
    images = [rng.integers(0, 17, 64) for _ in range(6)] + [np.zeros(64, int)]
    shifts = [(0, 0), (1, -2), (-1, 2), (2, 0), (0, 1), (-2, -1), (0, 0)]
    calls = [("cnn.networkInputs", [image, down, right]) for image, (down, right) in zip(images, shifts)]
    inputs = run_js(*calls)
    forwards = run_js(*[("cnn.cnnForward", [cnn_lists(params), x]) for x in inputs])
    for image, (down, right), x, forward in zip(images, shifts, inputs, forwards):
        expected_x = scale_pixels(shift_pixels(image, down, right))
        np.testing.assert_allclose(x, expected_x, **TOLERANCE)
        logits, cache = cnn_forward(params, expected_x[None])
        for name in ("A1", "H1", "A2", "H2"):
            np.testing.assert_allclose(forward[name], cache[name][0], **TOLERANCE, err_msg=name)
        np.testing.assert_allclose(forward["logits"], logits[0], **TOLERANCE)
        np.testing.assert_allclose(forward["probabilities"], dnp.softmax(logits[0]), **TOLERANCE)
    texts = run_js(*[("cnn.featureMapReadout", [image, forward["probabilities"], down, right])
                     for image, (down, right), forward in zip(images, shifts, forwards)])
    assert texts == [feature_map_readout(image, forward["probabilities"], down, right)
                     for image, (down, right), forward in zip(images, shifts, forwards)]
    assert texts[0].endswith("Not shifted.") and texts[1].endswith("Shifted 2 pixels left and 1 pixel down.")
    assert texts[-1].startswith("The pad is empty")


def test_the_kernel_explorers_maps_and_readouts_agree() -> None:
    rng = np.random.default_rng(13)
    images = [rng.integers(0, 17, 64) for _ in range(4)] + [np.zeros(64, int)]
    kernels = [list(values) for values in KERNELS.values()] + [list(np.round(rng.uniform(-5, 5, 9), 1))]
    cases = [(image, kernel, int(rng.integers(0, 2)), int(rng.integers(1, 3)), str(rng.choice(["none", "relu"])),
              str(rng.choice(["max", "average"]))) for image in images for kernel in kernels]
    results = iter(run_js(*[call for case in cases for call in [("cnn.kernelMaps", list(case)),
                                                                 ("cnn.kernelReadout", list(case))]]))
    for case in cases:
        maps, text = next(results), next(results)
        feature, pooled = kernel_maps(*case)
        np.testing.assert_allclose(maps["feature"], feature, **TOLERANCE)
        np.testing.assert_allclose(maps["pooled"], pooled, **TOLERANCE)
        assert text == kernel_readout(*case)
    assert {name for name in KERNELS} <= {kernel_name(kernel) for _, kernel, *_ in cases}
