"""The explorers' Python side: state as validated traits, controls declared once, read-outs from dlbook.

What the browser draws is tested in tests/test_js_port.py (the compute, under
Node), tests/test_site.py (the built website) and tests/test_live_jupyterlab.py
(JupyterLab). Here: the traits a notebook reads and sets, the controls' list
the browser builds from, the errors on bad input, the reference read-outs, and
the playground's training and reset, run in NumPy.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import traitlets

import dlbook.numpy as dnp
from dlbook.data import make_blobs, make_moons
from dlbook.numpy.activations import ACTIVATIONS, DERIVATIVES
from dlbook.numpy.mlp import init_mlp
from dlbook.numpy.training import accuracy, train_mlp
from dlbook.digits import digit_probabilities
from dlbook.widgets.activations import ActivationExplorer, explorer_inputs, neuron_readout
from dlbook.widgets.digits import DigitExplorer, digit_readout
from dlbook.widgets.explorer import STATIC, Explorer
from dlbook.widgets.formatting import signed_term
from dlbook.widgets.perceptron import PerceptronExplorer
from dlbook.widgets.playground import LEARNING_RATES, TrainingPlayground
from dlbook.widgets.softmax import CLASS_NAMES, SoftmaxExplorer, softmax_readout
from tests.conftest import ROOT

EXPLORERS = [PerceptronExplorer, ActivationExplorer, SoftmaxExplorer, TrainingPlayground, DigitExplorer]


def digit_set(n: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Made-up raw images (0 to 16) with every digit at least once."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 17, (n, 64)).astype(float), np.arange(n) % 10


def make(cls: type[Explorer]) -> Explorer:
    if cls is PerceptronExplorer:
        return cls(*make_blobs(n=40, seed=0))
    if cls is DigitExplorer:
        return cls(init_mlp(64, 8, 10, seed=0), *digit_set())
    return cls()


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda cls: cls.__name__)
def test_module_and_style_travel_in_the_widget_state(cls: type[Explorer]) -> None:
    explorer = make(cls)
    state = explorer.get_state()
    assert state["_esm"] == (STATIC / f"{cls.MODULE}.js").read_text(encoding="utf-8")
    assert "export" in state["_esm"] and "render" in state["_esm"]
    assert state["_css"] == (STATIC / "explorer.css").read_text(encoding="utf-8")
    assert "dlbook-explorer" in state["_dom_classes"]


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda cls: cls.__name__)
def test_controls_are_declared_once_from_the_traits(cls: type[Explorer]) -> None:
    explorer = make(cls)
    specs = explorer._controls
    assert [spec["name"] for spec in specs] == [control.name for control in cls.CONTROLS]
    for spec in specs:
        trait = explorer.traits()[spec["name"]]
        assert trait.metadata.get("sync"), f"{spec['name']} does not reach the browser"
        assert spec["label"], f"{spec['name']} has no label"
        if spec["kind"] == "slider":
            assert (spec["min"], spec["max"]) == (trait.min, trait.max)
            assert spec["min"] <= getattr(explorer, spec["name"]) <= spec["max"]
            assert (spec["max"] - spec["min"]) / spec["step"] >= 10  # a slider, not a switch
        else:
            assert spec["values"] == list(trait.values) and len(spec["labels"]) == len(spec["values"])
            assert getattr(explorer, spec["name"]) in spec["values"]
    assert set(explorer.settings()) == {spec["name"] for spec in specs}


@pytest.mark.parametrize(("cls", "name", "value"), [
    (PerceptronExplorer, "w1", 3.5), (PerceptronExplorer, "activation", "softplus"),
    (ActivationExplorer, "b", -5.1), (ActivationExplorer, "activation", "step"),
    (SoftmaxExplorer, "temperature", 0.0), (SoftmaxExplorer, "true_class", 3),
    (TrainingPlayground, "lr", 0.2), (TrainingPlayground, "n_hidden", 0), (TrainingPlayground, "data", "iris"),
    (DigitExplorer, "example", 10), (DigitExplorer, "image", [0] * 63), (DigitExplorer, "image", [17] * 64),
    (DigitExplorer, "image", [0.5] * 64),
])
def test_settings_outside_a_control_are_refused(cls: type[Explorer], name: str, value: object) -> None:
    explorer = make(cls)
    with pytest.raises(traitlets.TraitError, match=name):
        setattr(explorer, name, value)


def test_perceptron_data_is_checked() -> None:
    X, y = make_blobs(n=20, seed=0)
    with pytest.raises(ValueError, match="2 columns"):
        PerceptronExplorer(np.column_stack([X, X]), y)
    with pytest.raises(ValueError, match="NaN"):
        PerceptronExplorer(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError, match="rows but y has"):
        PerceptronExplorer(X, y[:-1])
    with pytest.raises(ValueError, match="below 2"):
        PerceptronExplorer(X, y + 1)


def test_perceptron_readout_is_dlbooks() -> None:
    X, y = make_blobs(n=60, seed=0)
    explorer = PerceptronExplorer(X, y, w=(0.7, -1.2), b=0.4, x=(-0.5, 1.5), activation="tanh")
    x, w = np.array([-0.5, 1.5]), np.array([0.7, -1.2])
    z = float(dnp.weighted_sum(x, w, 0.4))
    y_hat = float(dnp.perceptron(x, w, 0.4, "tanh"))
    share = np.mean(dnp.predict_class(X, w, 0.4) == y)
    assert explorer.readout() == f"z = w·x + b = {z:.3f}; ŷ = tanh(z) = {y_hat:.3f}; accuracy on the data: {share:.0%}"
    explorer.w2, explorer.activation = 0.3, "step"  # set from code, as a notebook would
    assert f"ŷ = step(z) = {float(dnp.perceptron(x, [0.7, 0.3], 0.4, 'step')):.3f}" in explorer.readout()


def test_activation_readout_states_centre_slope_and_constant() -> None:
    explorer = ActivationExplorer(activation="sigmoid", w=2.0, b=-1.0)
    text = explorer.readout()
    assert text == neuron_readout(explorer_inputs(), 2.0, -1.0, "sigmoid")
    assert "sigmoid(2.0·x − 1.0)" in text and "x = −b/w = 0.50" in text
    assert f"steepest slope |dy/dx| = {2.0 / 4:.3f}" in text
    explorer.w, explorer.activation = 0.0, "tanh"
    assert f"constant tanh(-1.0) = {np.tanh(-1.0):.3f}" in explorer.readout()
    assert set(explorer.y_limits) == set(DERIVATIVES) == set(explorer.max_slope)


@pytest.mark.parametrize(
    ("value", "digits", "term"),
    [(1.0, 1, "+ 1.0"), (-1.0, 1, "− 1.0"), (-0.5, 3, "− 0.500"), (0.0, 1, "+ 0.0"), (-0.0, 1, "+ 0.0"),
     (-0.04, 1, "+ 0.0"), (-0.06, 1, "− 0.1"), (-2.5, 0, "− 2"), (-np.inf, 1, "− inf"), (np.nan, 1, "+ nan")],
)
def test_a_term_after_the_first_carries_its_sign_as_the_operator(value: float, digits: int, term: str) -> None:
    """-1.0 after 1.0 x₁ reads "1.0 x₁ − 1.0", not "1.0 x₁ + -1.0"; what rounds to zero is "+ 0.0"."""
    assert signed_term(value, digits) == term


def test_softmax_readout_is_dlbooks() -> None:
    explorer = SoftmaxExplorer(logits=(-1.0, 2.5, 0.5), temperature=2.0, true_class=2)
    probabilities, loss = softmax_readout([-1.0, 2.5, 0.5], 2.0, 2)
    np.testing.assert_allclose(probabilities, dnp.softmax(np.array([-1.0, 2.5, 0.5]) / 2.0))
    listed = ", ".join(f"{name} {p:.3f}" for name, p in zip(CLASS_NAMES, probabilities))
    assert explorer.readout() == (f"softmax(z / T): {listed}; cross-entropy for true class bird: "
                                  f"−log {probabilities[2]:.3f} = {loss:.3f}")
    assert explorer.class_names == list(CLASS_NAMES)


def test_softmax_worked_example_in_the_explorer() -> None:
    """The chapter's worked example: the true class at probability 0.4 costs -log 0.4 = 0.916."""
    explorer = SoftmaxExplorer(logits=(np.log(0.4), np.log(0.35), np.log(0.25)), true_class=0)
    assert explorer.readout().endswith("−log 0.400 = 0.916")


# ----------------------------------------------------------------------------------------------
# The draw-a-digit explorer


def test_digit_explorer_offers_one_test_image_per_digit_and_reads_with_dlbook() -> None:
    params = init_mlp(64, 8, 10, seed=1)
    X, y = digit_set()
    explorer = DigitExplorer(params, X, y, start=4)
    assert [example["label"] for example in explorer.examples] == list(range(10))
    assert explorer.examples[4]["image"] == X[4].astype(int).tolist() and explorer.image == explorer.examples[4]["image"]
    expected = digit_probabilities(params, X[4:5])[0]
    np.testing.assert_allclose(explorer.probabilities(), expected)
    assert explorer.readout() == digit_readout(X[4], expected)
    assert explorer.readout().startswith(f"The network reads a {int(np.argmax(expected))} (probability ")
    explorer.example = 7  # loading a test image from code puts it on the pad
    assert explorer.image == X[7].astype(int).tolist()
    explorer.clear()
    assert explorer.image == [0] * 64 and explorer.readout().startswith("The pad is empty: draw a digit.")


def test_digit_explorer_checks_its_network_and_test_set() -> None:
    X, y = digit_set()
    with pytest.raises(ValueError, match="64 pixels to 10 digits"):
        DigitExplorer(init_mlp(2, 8, 10, seed=0), X, y)
    with pytest.raises(ValueError, match=r"no test image of the digits \[9\]"):
        DigitExplorer(init_mlp(64, 8, 10, seed=0), X[y != 9], y[y != 9])
    with pytest.raises(ValueError, match="unknown activation"):
        DigitExplorer(init_mlp(64, 8, 10, seed=0), X, y, activation="step")


# ----------------------------------------------------------------------------------------------
# The playground


@pytest.fixture()
def playground() -> TrainingPlayground:
    return TrainingPlayground()


def test_playground_sends_numpys_generator_and_the_data(playground: TrainingPlayground) -> None:
    state = np.random.default_rng(playground.seed).bit_generator.state["state"]
    assert playground.seed_state == {key: str(value) for key, value in state.items()}
    X, y = make_moons(200, noise=0.1, seed=0)
    np.testing.assert_array_equal(playground.data_set()[0], X)
    assert playground.total_steps() == 100 * 7
    assert set(playground.lr for _ in [0]) <= set(LEARNING_RATES)


def test_default_run_learns_the_moons_and_lands_in_the_traits(playground: TrainingPlayground) -> None:
    X, y = make_moons(200, noise=0.1, seed=0)
    untrained = accuracy(init_mlp(2, 16, 2, seed=0), X, y)
    assert playground.readout() == f"Untrained network: accuracy {untrained:.1%}. Press Train to run 700 steps."
    final = playground.train()
    expected, losses = train_mlp(X, y, n_hidden=16, activation="tanh", lr=0.5, batch_size=32, epochs=100, seed=0)
    assert final == accuracy(expected, X, y) >= 0.95
    for name, value in expected.items():
        np.testing.assert_array_equal(playground.params[name], value.tolist())
    np.testing.assert_array_equal(playground.losses, losses)
    assert playground.accuracy == final
    assert playground.readout() == f"epoch 100/100; step 700/700; batch loss {losses[-1]:.4f}; accuracy {final:.1%}"
    np.testing.assert_array_equal(playground.network()["W2"], expected["W2"])


def test_new_settings_forget_the_last_run(playground: TrainingPlayground) -> None:
    playground.train()
    playground.n_hidden = 4
    assert playground.params is None and playground.losses == [] and playground.accuracy is None
    np.testing.assert_array_equal(playground.network()["W1"], init_mlp(2, 4, 2, seed=0)["W1"])
    assert playground.readout().startswith("Untrained network")


def test_settings_reach_the_training(playground: TrainingPlayground) -> None:
    playground.batch_size, playground.epochs, playground.activation = 200, 20, "relu"
    assert playground.total_steps() == 20
    playground.train()
    X, y = make_moons(200, noise=0.1, seed=0)
    expected, _ = train_mlp(X, y, activation="relu", batch_size=200, epochs=20)
    np.testing.assert_array_equal(playground.params["W1"], expected["W1"].tolist())


def test_a_diverging_run_is_reported_not_raised(playground: TrainingPlayground) -> None:
    playground.lr, playground.activation, playground.batch_size, playground.epochs = 30.0, "leaky_relu", 1, 10
    playground.data = "spirals"
    assert np.isnan(playground.train())
    assert playground.params is None and playground.diverged_at == len(playground.losses) + 1
    assert playground.readout() == (f"Training diverged at step {playground.diverged_at}: the weights overflowed. "
                                    "Try a smaller learning rate.")


def test_every_run_starts_from_the_same_network(playground: TrainingPlayground) -> None:
    playground.epochs = 10
    first = playground.train()
    first_params = playground.params
    assert playground.train() == first and playground.params == first_params


# ----------------------------------------------------------------------------------------------
# The built modules


def test_built_modules_are_up_to_date(tmp_path) -> None:  # noqa: ANN001 (pytest's tmp_path)
    """dlbook/widgets/static/*.js is what `npm run build` makes from js/ now (esbuild is pinned)."""
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        pytest.fail("esbuild is missing: run `npm ci`")
    sources = sorted((ROOT / "js" / "explorers").glob("*.js"))
    command = [str(esbuild), *map(str, sources), "--bundle", "--format=esm", "--minify", "--target=es2022",
               "--legal-comments=none", f"--outdir={tmp_path}"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    built = {path.name for path in (ROOT / "dlbook" / "widgets" / "static").glob("*.js")}
    assert built == {path.name for path in sources}, "a built module has no source, or a source was not built"
    for source in sources:
        fresh = (tmp_path / source.name).read_text(encoding="utf-8")
        assert (STATIC / source.name).read_text(encoding="utf-8") == fresh, f"run `npm run build`: {source.name}"
    assert '"build": "' + " ".join(["esbuild", "js/explorers/*.js", *command[len(sources) + 1:-1]]) in (
        ROOT / "package.json").read_text(encoding="utf-8"), "the test and `npm run build` must build alike"


def test_widgets_import_neither_torch_nor_matplotlib() -> None:
    code = ("import sys, dlbook.widgets.perceptron, dlbook.widgets.activations, dlbook.widgets.softmax, "
            "dlbook.widgets.playground, dlbook.widgets.digits; "
            "assert not {'torch', 'matplotlib', 'sklearn'} & set(sys.modules), sys.modules.keys()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr


def test_every_activation_is_offered() -> None:
    assert PerceptronExplorer(*make_blobs(n=10, seed=0))._controls[3]["values"] == list(ACTIVATIONS)
