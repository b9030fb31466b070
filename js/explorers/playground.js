/**
 * The training playground (`dlbook.widgets.playground.TrainingPlayground`), in the spirit
 * of TensorFlow Playground: choose a data set and hyperparameters, press Train, and the
 * network trains here, in the browser, redrawing the decision regions (left) and the loss
 * of every mini-batch (right) as it learns. The run is `dlbook.numpy`'s, step for step:
 * the same initial weights and the same batches, from NumPy's generator.
 */
import { line } from "d3-shape";
import { DivergedError, probClass1 } from "../compute/mlp.js";
import { gridPoints, plotExtent } from "../compute/plane.js";
import {
  divergedReadout, initialNetwork, networkAccuracy, paramsFromLists, paramsToLists, progressReadout,
  startRun, totalSteps, untrainedReadout,
} from "../compute/playground.js";
import { element, OWN_KEYS, uniqueId } from "../ui/controls.js";
import { C0, createFigure, createPanel, createRegions, drawPoints } from "../ui/figure.js";
import { mountExplorer, onChange } from "../ui/explorer.js";

const SETTINGS = ["data", "lr", "n_hidden", "activation", "batch_size", "epochs"];
/** A run is spread over about this many animation frames (one second at 60 Hz)... */
const FRAMES = 60;
/** ...with at most this many milliseconds of training per frame, so the animation keeps >= 30 fps. */
const FRAME_BUDGET_MS = 12;
/** The loss curve draws at most about this many points. */
const CURVE_POINTS = 1000;

/** What the two plots show, for screen readers: [decision regions, loss curve]. */
export function describeRun(settings, n, status) {
  return [
    `The ${settings.data} data set, ${n} points of two classes (blue circles and vermillion squares), over`
      + ` the network's probability of class 1 (blue low, red high); the decision boundary is where the`
      + ` colour turns. ${status}`,
    `The loss of every mini-batch, on a log scale, against the training step. ${status}`,
  ];
}

function render({ model, el }) {
  const datasets = model.get("datasets");
  const resolution = model.get("resolution");
  const [lossLow, lossHigh] = model.get("loss_range");
  // Two plots side by side that stack on a phone: decision regions and the loss curve.
  const regionsFig = createFigure({ width: 360, height: 304 });
  const lossFig = createFigure({ width: 360, height: 304 });
  const figure = element("figure", { class: "dlbook-figure dlbook-figure-pair" }, [regionsFig.plot, lossFig.plot]);
  const regionsPanel = createPanel(regionsFig, {
    left: 56, top: 24, width: 280, height: 236, x: { domain: [0, 1] }, y: { domain: [0, 1] },
    xLabel: "x₁", yLabel: "x₂", title: "P(class 1) over the data",
  });
  const lossPanel = createPanel(lossFig, {
    left: 66, top: 24, width: 270, height: 236, x: { domain: [0, 1] }, y: { domain: [lossLow, lossHigh], log: true },
    xLabel: "step", yLabel: "mini-batch loss", title: "training loss", yLabelOffset: 3.5,
  });
  const regions = createRegions(regionsFig, regionsPanel, resolution);
  const points = regionsPanel.content.append("g");
  const curve = lossPanel.content.append("path").attr("fill", "none").attr("stroke", C0).attr("stroke-width", 0.8);
  const plan = lossPanel.root.append("text").attr("class", "dlbook-note").attr("text-anchor", "end")
    .attr("x", lossPanel.left + lossPanel.width - 6).attr("y", lossPanel.top + 14);

  const button = element("button", { type: "button", class: "dlbook-train", ...OWN_KEYS }, ["Train"]);
  const progressId = uniqueId("dlbook-progress");
  const progress = element("progress", { id: progressId, max: 1, value: 0 });
  const actions = element("div", { class: "dlbook-actions" }, [
    button, element("label", { for: progressId }, ["progress"]), progress,
  ]);
  const shell = mountExplorer({ model, el, key: "playground", figure, extra: [actions] });

  // Each data set's points are drawn once, then shown or hidden.
  const pointGroups = Object.fromEntries(Object.entries(datasets).map(([name, { X, y }]) => {
    const extent = plotExtent(X);
    regionsPanel.setDomains(extent.slice(0, 2), extent.slice(2));
    return [name, { extent, group: drawPoints(regionsPanel, X, y, points.append("g")) }];
  }));
  let grid = null;
  let shownData = null;
  let shownTotal = null;
  let animation = null;
  /** The untrained network's picture and accuracy, by data set, hidden units and activation. */
  const untrained = new Map();

  const settings = () => ({
    data: model.get("data"), lr: model.get("lr"), nHidden: model.get("n_hidden"),
    activation: model.get("activation"), batchSize: model.get("batch_size"), epochs: model.get("epochs"),
  });
  const dataset = () => datasets[model.get("data")];

  /** Lay out the chosen data set and the steps axis for the settings. */
  const layout = (s) => {
    if (shownData !== s.data) {
      const { extent } = pointGroups[s.data];
      regionsPanel.setDomains(extent.slice(0, 2), extent.slice(2));
      grid = gridPoints(extent, resolution);
      for (const [name, { group }] of Object.entries(pointGroups)) group.attr("display", name === s.data ? null : "none");
      shownData = s.data;
    }
    const total = totalSteps(dataset().y.length, s.batchSize, s.epochs);
    if (total !== shownTotal) {
      lossPanel.setXDomain([0, total]);
      shownTotal = total;
    }
    plan.text(`lr ${s.lr}; ${s.epochs} epochs × ${total / s.epochs} batches = ${total} steps`);
    progress.max = total;
    return total;
  };

  /** The untrained network for the settings: its probabilities over the grid and its accuracy. */
  const untrainedNetwork = (s) => {
    const key = `${s.data}|${s.nHidden}|${s.activation}`;
    if (!untrained.has(key)) {
      const params = initialNetwork(model.get("seed_state"), s.nHidden);
      untrained.set(key, {
        values: probClass1(params, grid, s.activation), accuracy: networkAccuracy(params, dataset(), s.activation),
      });
      if (untrained.size > 32) untrained.delete(untrained.keys().next().value);
    }
    return untrained.get(key);
  };

  const drawNetwork = (params, s) => regions.draw(probClass1(params, grid, s.activation), 0, 1);

  const drawLosses = (losses, total) => {
    const stride = Math.max(1, Math.ceil(total / CURVE_POINTS));
    const kept = [];
    for (let i = 0; i < losses.length; i += stride) kept.push([i + 1, losses[i]]);
    if (losses.length && kept.at(-1)[0] !== losses.length) kept.push([losses.length, losses.at(-1)]);
    curve.attr("d", line().defined(([, loss]) => loss > 0 && Number.isFinite(loss))
      .x(([step]) => lossPanel.x(step)).y(([, loss]) => lossPanel.y(loss))(kept));
  };

  const report = (text, s) => {
    shell.setReadout(text);
    const [regionsText, lossText] = describeRun(s, dataset().y.length, text);
    regionsFig.describe(regionsText);
    lossFig.describe(lossText);
  };

  /** Show the model's state: the last run's network and losses, or the untrained network. */
  const showState = () => {
    const s = settings();
    const total = layout(s);
    const diverged = model.get("diverged_at");
    const trained = model.get("params");
    const losses = model.get("losses") ?? [];
    const fresh = trained ? null : untrainedNetwork(s);
    if (trained) drawNetwork(paramsFromLists(trained), s);
    else regions.draw(fresh.values, 0, 1);
    drawLosses(losses, total);
    progress.value = trained || diverged ? losses.length : 0;
    if (diverged) report(divergedReadout(diverged), s);
    else if (trained) report(progressReadout(total, total, s.epochs, losses.at(-1), model.get("accuracy")), s);
    else report(untrainedReadout(fresh.accuracy, total), s);
  };

  const stopAnimation = () => {
    if (animation !== null) cancelAnimationFrame(animation);
    animation = null;
    button.disabled = false;
    shell.readout.setAttribute("aria-busy", "false");
  };

  const finish = (trainer, losses, divergedAt) => {
    stopAnimation();
    const s = settings();
    model.set("losses", losses);
    model.set("diverged_at", divergedAt);
    model.set("params", divergedAt ? null : paramsToLists(trainer.params));
    model.set("accuracy", divergedAt ? null : networkAccuracy(trainer.params, dataset(), s.activation));
    model.save_changes();
    showState();
  };

  const train = () => {
    stopAnimation();
    const s = settings();
    const trainer = startRun({ ...s, seedState: model.get("seed_state"), dataset: dataset() });
    const losses = [];
    const perFrame = Math.ceil(trainer.total / FRAMES);
    button.disabled = true;
    shell.readout.setAttribute("aria-busy", "true");  // announce the result, not every frame
    const frame = () => {
      const start = performance.now();
      const target = Math.min(trainer.total, trainer.step + perFrame);
      try {
        while (trainer.step < target && performance.now() - start < FRAME_BUDGET_MS) losses.push(trainer.trainStep());
      } catch (error) {
        if (!(error instanceof DivergedError)) throw error;
        finish(trainer, losses, trainer.step);
        return;
      }
      if (trainer.done) {
        finish(trainer, losses, null);
        return;
      }
      drawNetwork(trainer.params, s);
      drawLosses(losses, trainer.total);
      progress.value = trainer.step;
      const acc = networkAccuracy(trainer.params, dataset(), s.activation);
      report(progressReadout(trainer.step, trainer.total, s.epochs, losses.at(-1), acc), s);
      animation = requestAnimationFrame(frame);
    };
    animation = requestAnimationFrame(frame);
  };

  /** The reader changed a setting: the last run no longer belongs to it. */
  const settingChanged = () => {
    stopAnimation();
    if (model.get("params") !== null || (model.get("losses") ?? []).length || model.get("diverged_at") !== null) {
      model.set("params", null);
      model.set("losses", []);
      model.set("accuracy", null);
      model.set("diverged_at", null);
      model.save_changes();
    }
    showState();
  };

  button.addEventListener("click", train);
  showState();
  const stopSettings = onChange(model, SETTINGS, settingChanged);
  const stopResults = onChange(model, ["params", "losses", "diverged_at"], () => {
    if (animation === null) showState();
  });
  return () => {
    stopAnimation();
    stopSettings();
    stopResults();
  };
}

export default { render };

