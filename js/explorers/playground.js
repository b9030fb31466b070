/**
 * The training playground (`dlbook.widgets.playground.TrainingPlayground`), in the spirit
 * of TensorFlow Playground: choose a data set and hyperparameters, press Train, and the
 * network trains here, in the browser, redrawing the decision regions (left) and the loss
 * of every mini-batch (right) as it learns. The run is `dlbook.numpy`'s, step for step:
 * the same initial weights and the same batches, from NumPy's generator.
 *
 * To watch overfitting: label noise flips a share of the labels, a held-out share of the
 * points is drawn hollow and never trained on (its loss after every epoch is the dashed
 * curve, beside the loss on the training points), and the L2 rate is the weight decay.
 *
 * A setting's change must repaint within a frame, so nothing is rebuilt: each data set's
 * points are drawn once and only the points whose label or role changed are restyled. Every
 * data set's points, shown or hidden, follow the label noise and held-out share, so what the
 * figure holds depends on the settings alone, not on the order a reader chose them in; the
 * untrained network's picture is cached per data set, hidden units and activation, and
 * computed ahead in idle time for the settings a reader is likely to pick next.
 */
import { line } from "d3-shape";
import { DivergedError, probClass1 } from "../compute/mlp.js";
import { gridPoints, plotExtent } from "../compute/plane.js";
import {
  divergedReadout, initialNetwork, lossAndAccuracy, networkAccuracy, paramsFromLists, paramsToLists,
  progressReadout, splitData, startRun, totalSteps, untrainedReadout,
} from "../compute/playground.js";
import { element, OWN_KEYS, uniqueId } from "../ui/controls.js";
import {
  C0, C3, CLASS_COLORS, CLASS_MARKERS, createFigure, createLayer, createPanel, createRegions, drawAxes, markerPath,
} from "../ui/figure.js";
import { mountExplorer, onChange } from "../ui/explorer.js";

const SETTINGS = [
  "data", "noise", "held_out", "lr", "n_hidden", "activation", "batch_size", "epochs", "weight_decay",
];
/** A run is spread over about this many animation frames (one second at 60 Hz)... */
const FRAMES = 60;
/** ...with at most this many milliseconds of training per frame, so the animation keeps >= 30 fps. */
const FRAME_BUDGET_MS = 12;
/** The loss curve draws at most about this many points. */
const CURVE_POINTS = 1000;
/** Idle-time precomputation of untrained networks stops after this many milliseconds per idle period. */
const IDLE_SLICE_MS = 8;
/** The hidden-unit counts around the current one that are computed ahead. */
const AHEAD = 3;

/** What the two plots show, for screen readers: [decision regions, loss curve]. */
export function describeRun(settings, counts, status) {
  const { n, flipped, heldOut } = counts;
  const noise = flipped ? ` ${flipped} of them with the other class's label (label noise),` : "";
  const held = heldOut
    ? ` ${heldOut} held out and drawn hollow, never trained on,`
    : "";
  return [
    `The ${settings.data} data set, ${n} points of two classes (blue circles and vermillion squares),${noise}${held}`
      + ` over the network's probability of class 1 (blue low, red high); the decision boundary is where the`
      + ` colour turns. ${status}`,
    `The loss of every mini-batch, on a log scale, against the training step${heldOut
      ? "; thick lines: the loss on all training points (solid) and on the held-out points (dashed) after every"
        + " epoch" : ""}. ${status}`,
  ];
}

/** Schedule work for an idle moment (a timeout where requestIdleCallback is missing). */
const whenIdle = globalThis.requestIdleCallback
  ? (work) => globalThis.requestIdleCallback(work, { timeout: 2000 })
  : (work) => setTimeout(() => work({ timeRemaining: () => IDLE_SLICE_MS }), 50);

function render({ model, el }) {
  const datasets = model.get("datasets");
  const resolution = model.get("resolution");
  const [lossLow, lossHigh] = model.get("loss_range");
  const controlSpecs = Object.fromEntries(model.get("_controls").map((spec) => [spec.name, spec]));
  // Two plots side by side that stack on a phone: decision regions and the loss curve.
  const regionsFig = createFigure({ width: 360, height: 320 });
  const lossFig = createFigure({ width: 360, height: 320 });
  const figure = element("figure", { class: "dlbook-figure dlbook-figure-pair" }, [regionsFig.plot, lossFig.plot]);
  const regionsPanel = createPanel(regionsFig, {
    left: 56, top: 24, width: 280, height: 236, x: { domain: [0, 1] }, y: { domain: [0, 1] },
    xLabel: "x₁", yLabel: "x₂", title: "P(class 1) over the data", axes: false,
  });
  const lossPanel = createPanel(lossFig, {
    left: 66, top: 24, width: 270, height: 236, x: { domain: [0, 1] }, y: { domain: [lossLow, lossHigh], log: true },
    xLabel: "step", yLabel: "mini-batch loss", title: "training loss", yLabelOffset: 3.5,
  });
  const regions = createRegions(regionsFig, regionsPanel, resolution);
  const curve = lossPanel.content.append("path").attr("fill", "none").attr("stroke", C0).attr("stroke-width", 0.8);
  const epochCurve = lossPanel.content.append("path").attr("fill", "none").attr("stroke", C0).attr("stroke-width", 1.8);
  const heldCurve = lossPanel.content.append("path").attr("fill", "none").attr("stroke", C3)
    .attr("stroke-width", 1.8).attr("stroke-dasharray", "6 3");
  const note = (line) => lossPanel.root.append("text").attr("class", "dlbook-note").attr("text-anchor", "end")
    .attr("x", lossPanel.left + lossPanel.width - 6).attr("y", lossPanel.top + 14 * line).node();
  const plan = note(1);  // the run's length, and below it its rates: two short lines fit the panel on a phone
  const rates = note(2);
  // The title with held-out points, laid over the plain one: switching shows one and hides the other, which
  // costs no layout (nor does hiding the legends below: visibility, not display).
  const plainTitle = lossPanel.root.select(".dlbook-title");
  const heldTitle = lossPanel.root.append("text").attr("class", "dlbook-title")
    .attr("x", lossPanel.left + lossPanel.width / 2).attr("y", lossPanel.top - 8).attr("text-anchor", "middle")
    .text("training and held-out loss");
  // What the markers and the curves mean, in a row under each plot, shown when points are held out.
  const keyRow = (fig, left, entries) => {
    const row = fig.svg.append("g").attr("class", "dlbook-legend").attr("transform", `translate(${left},306)`);
    let x = 0;
    for (const [text, draw, width] of entries) {
      const entry = row.append("g").attr("transform", `translate(${x},0)`);
      draw(entry);
      entry.append("text").attr("x", 26).attr("dy", "0.35em").text(text);
      x += width;
    }
    return row;
  };
  const marker = (hollow) => (g) => g.append("path").attr("d", markerPath("o")).attr("transform", "translate(11,0)")
    .attr("fill", hollow ? "#fff" : CLASS_COLORS[0]).attr("stroke", hollow ? CLASS_COLORS[0] : "#fff")
    .attr("stroke-width", hollow ? 1.5 : 0.5);
  const stroke = (colour, width, dashes = null) => (g) => g.append("line").attr("x1", 0).attr("x2", 22)
    .attr("stroke", colour).attr("stroke-width", width).attr("stroke-dasharray", dashes);
  const key = keyRow(regionsFig, 56, [["trained on", marker(false), 110], ["held out (hollow)", marker(true), 140]]);
  const curveKey = keyRow(lossFig, 14, [
    ["one batch", stroke(C0, 0.8, null), 92], ["training set", stroke(C0, 1.8), 112],
    ["held out", stroke(C3, 1.8, "6 3"), 100],
  ]);

  const button = element("button", { type: "button", class: "dlbook-train", ...OWN_KEYS }, ["Train"]);
  const progressId = uniqueId("dlbook-progress");
  const progress = element("progress", { id: progressId, max: 1, value: 0 });
  const actions = element("div", { class: "dlbook-actions" }, [
    button, element("label", { for: progressId }, ["progress"]), progress,
  ]);
  const shell = mountExplorer({ model, el, key: "playground", figure, extra: [actions] });

  // Each data set's axes and points are drawn once, into a layer of their own over the regions; a data set is
  // shown by showing its layer, and a point is restyled only when its label or role changes (in every layer,
  // hidden or not: see stylePoints).
  const drawn = Object.fromEntries(Object.entries(datasets).map(([name, { X, y }]) => {
    const extent = plotExtent(X);
    const layer = createLayer(regionsFig);
    const scales = drawAxes(layer.svg, regionsPanel, extent.slice(0, 2), extent.slice(2));
    const clipId = uniqueId("dlbook-points");
    layer.svg.append("clipPath").attr("id", clipId).append("rect").attr("x", regionsPanel.left)
      .attr("y", regionsPanel.top).attr("width", regionsPanel.width).attr("height", regionsPanel.height);
    const group = layer.svg.append("g").attr("clip-path", `url(#${clipId})`).node();
    const paths = X.map((p) => {
      const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
      path.setAttribute("transform", `translate(${scales.x(p[0]).toFixed(2)},${scales.y(p[1]).toFixed(2)})`);
      group.append(path);
      return path;
    });
    return [name, { extent, layer, paths, looks: new Array(y.length).fill(null), grid: null }];
  }));
  /** Change the page only where something changed: an unchanged attribute or text costs the browser nothing. */
  const setAttribute = (node, name, value) => {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  };
  const setText = (node, text) => {
    if (node.textContent !== text) node.textContent = text;
  };
  const setProgress = (value) => {
    if (progress.value !== value) progress.value = value;
  };
  let shownData = null;
  let shownTotal = null;
  let shownHeld = null;
  let animation = null;
  /** The untrained network's probabilities over the grid, by data set, hidden units and activation. */
  const untrained = new Map();
  let idleQueue = [];
  let idleScheduled = false;

  const settings = () => ({
    data: model.get("data"), noise: model.get("noise"), heldOut: model.get("held_out"), lr: model.get("lr"),
    nHidden: model.get("n_hidden"), activation: model.get("activation"), batchSize: model.get("batch_size"),
    epochs: model.get("epochs"), weightDecay: model.get("weight_decay"),
  });
  const gridOf = (name) => {
    const entry = drawn[name];
    entry.grid ??= gridPoints(entry.extent, resolution);
    return entry.grid;
  };
  const splits = new Map();
  /** The data as the settings make it (see splitData), cached by data set and counts. */
  const splitOf = (s) => {
    const key = `${s.data}|${s.noise}|${s.heldOut}`;
    if (!splits.has(key)) {
      splits.set(key, splitData(datasets[s.data], s.noise, s.heldOut));
      if (splits.size > 64) splits.delete(splits.keys().next().value);
    }
    return splits.get(key);
  };

  /** Restyle the points of the data set `name` whose label or role differs in `split`. */
  const styleLayer = (name, split) => {
    const entry = drawn[name];
    split.labels.forEach((label, i) => {
      const look = split.held[i] ? 2 + label : label;
      if (entry.looks[i] === look) return;
      entry.looks[i] = look;
      const path = entry.paths[i];
      const colour = CLASS_COLORS[label % CLASS_COLORS.length];
      path.setAttribute("d", markerPath(CLASS_MARKERS[label % CLASS_MARKERS.length]));
      path.setAttribute("fill", split.held[i] ? "#fff" : colour);
      path.setAttribute("stroke", split.held[i] ? colour : "#fff");
      path.setAttribute("stroke-width", split.held[i] ? 1.5 : 0.5);
    });
  };

  /**
   * Restyle, in every data set's layer, shown or hidden, the points whose label or role changed: the figure then
   * depends on the settings alone, not on the order they were chosen in (a hidden layer left as it was last shown
   * would differ from the one of a page opened at these settings).
   */
  const stylePoints = (s) => {
    for (const name of Object.keys(drawn)) styleLayer(name, splitOf({ ...s, data: name }));
  };

  /** Lay out the chosen data set, its points and the steps axis for the settings. */
  const layout = (s, split) => {
    if (shownData !== s.data) {
      if (shownData !== null) drawn[shownData].layer.show(false);
      drawn[s.data].layer.show(true);
      shownData = s.data;
    }
    stylePoints(s);
    const hasHeld = split.heldOut.y.length > 0;
    if (hasHeld !== shownHeld) {
      for (const [part, shown] of [[key, hasHeld], [curveKey, hasHeld], [heldTitle, hasHeld], [plainTitle, !hasHeld]]) {
        part.attr("visibility", shown ? null : "hidden");
      }
      shownHeld = hasHeld;
    }
    const total = totalSteps(split.train.y.length, s.batchSize, s.epochs);
    if (total !== shownTotal) {
      lossPanel.setXDomain([0, total]);
      progress.max = total;
      shownTotal = total;
    }
    setText(plan, `${s.epochs} epochs × ${total / s.epochs} batches = ${total} steps`);
    setText(rates, `lr ${s.lr}${s.weightDecay ? `; L2 rate ${s.weightDecay}` : ""}`);
    return total;
  };

  const initial = new Map();
  /** The untrained network with nHidden hidden units (init_mlp with the seed), cached. */
  const initialParams = (nHidden) => {
    if (!initial.has(nHidden)) initial.set(nHidden, initialNetwork(model.get("seed_state"), nHidden));
    return initial.get(nHidden);
  };

  /** The untrained network's probabilities over the grid of a data set, cached. */
  const untrainedValues = (data, nHidden, activation) => {
    const key = `${data}|${nHidden}|${activation}`;
    if (!untrained.has(key)) {
      untrained.set(key, Float32Array.from(probClass1(initialParams(nHidden), gridOf(data), activation)));
    }
    return untrained.get(key);
  };

  /** In idle time, compute the untrained pictures a reader is likely to ask for next. */
  const computeAhead = (s) => {
    const hidden = controlSpecs.n_hidden;
    const near = [];
    for (let d = 1; d <= AHEAD; d++) near.push(s.nHidden - d, s.nHidden + d);
    idleQueue = [
      ...near.filter((n) => n >= hidden.min && n <= hidden.max).map((n) => [s.data, n, s.activation]),
      ...Object.keys(datasets).map((data) => [data, s.nHidden, s.activation]),
      ...controlSpecs.activation.values.map((activation) => [s.data, s.nHidden, activation]),
    ].filter(([data, n, activation]) => !untrained.has(`${data}|${n}|${activation}`));
    if (idleScheduled || !idleQueue.length) return;
    idleScheduled = true;
    const work = (deadline) => {
      const start = performance.now();
      while (idleQueue.length && deadline.timeRemaining() > 1 && performance.now() - start < IDLE_SLICE_MS) {
        untrainedValues(...idleQueue.shift());
      }
      if (idleQueue.length) whenIdle(work);
      else idleScheduled = false;
    };
    whenIdle(work);
  };

  let shownValues = null;
  /** Colour the regions by the values (one per grid point), unless they are the ones shown already. */
  const drawRegions = (values) => {
    if (values === shownValues) return;
    regions.draw(values, 0, 1);
    shownValues = values;
  };
  const drawNetwork = (params, s) => drawRegions(probClass1(params, gridOf(s.data), s.activation));

  const drawLosses = (losses, epochLosses, heldOutLosses, total, perEpoch) => {
    const stride = Math.max(1, Math.ceil(total / CURVE_POINTS));
    const kept = [];
    for (let i = 0; i < losses.length; i += stride) kept.push([i + 1, losses[i]]);
    if (losses.length && kept.at(-1)[0] !== losses.length) kept.push([losses.length, losses.at(-1)]);
    const path = line().defined(([, loss]) => loss > 0 && Number.isFinite(loss))
      .x(([step]) => lossPanel.x(step)).y(([, loss]) => lossPanel.y(loss));
    setAttribute(curve.node(), "d", path(kept) ?? "");
    setAttribute(curve.node(), "stroke-opacity", heldOutLosses.length ? "0.35" : "1");
    const perEpochPath = (values) => (values.length ? path(values.map((loss, k) => [(k + 1) * perEpoch, loss])) : "");
    setAttribute(epochCurve.node(), "d", perEpochPath(epochLosses));
    setAttribute(heldCurve.node(), "d", perEpochPath(heldOutLosses));
  };

  const report = (text, s, split) => {
    shell.setReadout(text);
    const counts = {
      n: split.labels.length, flipped: split.labels.filter((label, i) => label !== datasets[s.data].y[i]).length,
      heldOut: split.heldOut.y.length,
    };
    const [regionsText, lossText] = describeRun(s, counts, text);
    setAttribute(regionsFig.plot, "aria-label", regionsText);
    setAttribute(lossFig.plot, "aria-label", lossText);
  };

  const heldOutResults = (params, split, s) => (split.heldOut.y.length
    ? lossAndAccuracy(params, split.heldOut, s.activation) : null);

  /** Show the model's state: the last run's network and losses, or the untrained network. */
  const showState = () => {
    const s = settings();
    const split = splitOf(s);
    const total = layout(s, split);
    const diverged = model.get("diverged_at");
    const trained = model.get("params");
    const losses = model.get("losses") ?? [];
    const perEpoch = total / s.epochs;
    if (trained) {
      const params = paramsFromLists(trained);
      drawNetwork(params, s);
      drawLosses(losses, model.get("epoch_losses") ?? [], model.get("held_out_losses") ?? [], total, perEpoch);
      setProgress(losses.length);
      report(progressReadout(total, total, s.epochs, losses.at(-1), model.get("accuracy"),
        heldOutResults(params, split, s)), s, split);
      return;
    }
    drawRegions(untrainedValues(s.data, s.nHidden, s.activation));
    const perEpochLosses = (name) => (diverged ? model.get(name) ?? [] : []);
    drawLosses(losses, perEpochLosses("epoch_losses"), perEpochLosses("held_out_losses"), total, perEpoch);
    setProgress(diverged ? losses.length : 0);
    if (diverged) {
      report(divergedReadout(diverged), s, split);
    } else {
      const params = initialParams(s.nHidden);
      const held = heldOutResults(params, split, s);
      report(untrainedReadout(networkAccuracy(params, split.train, s.activation), total, held && held[1]), s, split);
    }
    computeAhead(s);
  };

  const stopAnimation = () => {
    if (animation !== null) cancelAnimationFrame(animation);
    animation = null;
    button.disabled = false;
    shell.readout.setAttribute("aria-busy", "false");
  };

  let settling = false;  // true while several traits change at once: one redraw after them, not one each
  const finish = (run, losses, divergedAt, split) => {
    stopAnimation();
    const s = settings();
    settling = true;
    model.set("losses", losses);
    model.set("epoch_losses", run.epochLosses.slice());
    model.set("held_out_losses", run.heldOutLosses.slice());
    model.set("diverged_at", divergedAt);
    model.set("params", divergedAt ? null : paramsToLists(run.params));
    model.set("accuracy", divergedAt ? null : networkAccuracy(run.params, split.train, s.activation));
    model.save_changes();
    settling = false;
    showState();
  };

  const train = () => {
    stopAnimation();
    const s = settings();
    const split = splitOf(s);
    const run = startRun({ ...s, seedState: model.get("seed_state"), split });
    const losses = [];
    const perFrame = Math.ceil(run.total / FRAMES);
    const perEpoch = run.total / s.epochs;
    button.disabled = true;
    shell.readout.setAttribute("aria-busy", "true");  // announce the result, not every frame
    const frame = () => {
      const start = performance.now();
      const target = Math.min(run.total, run.step + perFrame);
      try {
        while (run.step < target && performance.now() - start < FRAME_BUDGET_MS) losses.push(run.trainStep());
      } catch (error) {
        if (!(error instanceof DivergedError)) throw error;
        finish(run, losses, run.step, split);
        return;
      }
      if (run.done) {
        finish(run, losses, null, split);
        return;
      }
      drawNetwork(run.params, s);
      drawLosses(losses, run.epochLosses, run.heldOutLosses, run.total, perEpoch);
      setProgress(run.step);
      const acc = networkAccuracy(run.params, split.train, s.activation);
      report(progressReadout(run.step, run.total, s.epochs, losses.at(-1), acc, heldOutResults(run.params, split, s)),
        s, split);
      animation = requestAnimationFrame(frame);
    };
    animation = requestAnimationFrame(frame);
  };

  /** The reader changed a setting: the last run no longer belongs to it. */
  const settingChanged = () => {
    stopAnimation();
    if (model.get("params") !== null || (model.get("losses") ?? []).length || model.get("diverged_at") !== null) {
      settling = true;
      model.set("params", null);
      model.set("losses", []);
      model.set("epoch_losses", []);
      model.set("held_out_losses", []);
      model.set("accuracy", null);
      model.set("diverged_at", null);
      model.save_changes();
      settling = false;
    }
    showState();
  };

  button.addEventListener("click", train);
  showState();
  const stopSettings = onChange(model, SETTINGS, settingChanged);
  const stopResults = onChange(model, ["params", "losses", "epoch_losses", "held_out_losses", "diverged_at"], () => {
    if (animation === null && !settling) showState();
  });
  return () => {
    stopAnimation();
    stopSettings();
    stopResults();
  };
}

export default { render };
