/**
 * The optimisers of `dlbook.numpy.optim` (themselves torch.optim's rules), operation for
 * operation, so the browser's paths are NumPy's: SGD (momentum, dampening, weight decay,
 * Nesterov), RMSprop (alpha, eps, weight decay, momentum, centered), Adam and AdamW (betas,
 * eps, weight decay, amsgrad). `maximize` ascends.
 *
 * Parameters are an object of Float64Arrays, `{w: Float64Array [x, y]}`, updated in place by
 * `step(grads)`, where `grads` has the same keys and lengths. `optimizer.lr` is the rate and
 * `optimizer.state[name]` holds what it remembers, under torch's names. Bad hyperparameters
 * throw the errors torch (and dlbook) raise.
 */

/** b ** n for a whole n >= 0 by repeated squaring, the multiplications of `dlbook.numpy.optim.adam.power`. */
export function power(base, exponent) {
  let result = 1;
  let b = base;
  for (let n = exponent; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) result *= b;
    b *= b;
  }
  return result;
}

/** start moved in place a share w of the way to end, as torch's lerp_ computes it. */
function lerpInPlace(start, end, w) {
  for (let i = 0; i < start.length; i++) {
    start[i] = Math.abs(w) < 0.5 ? start[i] + w * (end[i] - start[i]) : end[i] - (end[i] - start[i]) * (1 - w);
  }
}

function invalid(condition, message) {
  if (condition) throw new Error(message);
}

/** What every optimiser shares: the arrays it updates, its rate, its state by parameter. */
class Optimizer {
  constructor(params, lr) {
    const names = Object.keys(params);
    invalid(names.length === 0, "params is empty: the optimizer got an empty parameter list");
    this.params = { ...params };
    this.lr = lr;
    this.state = Object.fromEntries(names.map((name) => [name, {}]));
  }

  /** Update every parameter in place from grads[name]. */
  step(grads) {
    for (const [name, param] of Object.entries(this.params)) {
      const grad = grads[name];
      invalid(grad === undefined, `grads lacks ${JSON.stringify(name)}`);
      invalid(grad.length !== param.length, `grads[${JSON.stringify(name)}] has ${grad.length} entries but `
        + `params[${JSON.stringify(name)}] has ${param.length}`);
      this.update(param, Float64Array.from(grad), this.state[name]);
    }
  }
}

/** torch.optim.SGD: g += wd p; b = g (first), else b = mu b + (1 - tau) g; g = g + mu b (Nesterov) or b; p -= lr g. */
export class SGD extends Optimizer {
  constructor(params, { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = {}) {
    invalid(lr < 0, `Invalid learning rate: ${lr}`);
    invalid(momentum < 0, `Invalid momentum value: ${momentum}`);
    invalid(weightDecay < 0, `Invalid weight_decay value: ${weightDecay}`);
    invalid(nesterov && (momentum <= 0 || dampening !== 0), "Nesterov momentum requires a momentum and zero dampening");
    super(params, lr);
    Object.assign(this, { momentum, dampening, weightDecay, nesterov, maximize });
  }

  update(param, grad, state) {
    const n = param.length;
    let g = grad;
    if (this.maximize) g = g.map((v) => -v);
    if (this.weightDecay !== 0) g = g.map((v, i) => v + this.weightDecay * param[i]);
    if (this.momentum !== 0) {
      let buffer = state.momentum_buffer;
      if (buffer === undefined) {
        buffer = state.momentum_buffer = g.slice();
      } else {
        for (let i = 0; i < n; i++) buffer[i] = buffer[i] * this.momentum + (1 - this.dampening) * g[i];
      }
      g = this.nesterov ? g.map((v, i) => v + this.momentum * buffer[i]) : buffer;
    }
    for (let i = 0; i < n; i++) param[i] -= this.lr * g[i];
  }
}

/** torch.optim.RMSprop: v = alpha v + (1 - alpha) g^2; p -= lr g / (sqrt(v [- g_avg^2]) + eps), with momentum. */
export class RMSprop extends Optimizer {
  constructor(params, {
    lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false,
  } = {}) {
    invalid(!(lr >= 0), `Invalid learning rate: ${lr}`);
    invalid(!(eps >= 0), `Invalid epsilon value: ${eps}`);
    invalid(!(momentum >= 0), `Invalid momentum value: ${momentum}`);
    invalid(!(weightDecay >= 0), `Invalid weight_decay value: ${weightDecay}`);
    invalid(!(alpha >= 0), `Invalid alpha value: ${alpha}`);
    super(params, lr);
    Object.assign(this, { alpha, eps, weightDecay, momentum, centered, maximize });
  }

  update(param, grad, state) {
    const n = param.length;
    if (state.step === undefined) {
      state.step = 0;
      state.square_avg = new Float64Array(n);
      if (this.momentum > 0) state.momentum_buffer = new Float64Array(n);
      if (this.centered) state.grad_avg = new Float64Array(n);
    }
    let g = grad;
    if (this.maximize) g = g.map((v) => -v);
    state.step += 1;
    if (this.weightDecay !== 0) g = g.map((v, i) => v + this.weightDecay * param[i]);
    const squareAvg = state.square_avg;
    for (let i = 0; i < n; i++) squareAvg[i] = squareAvg[i] * this.alpha + ((1 - this.alpha) * g[i]) * g[i];
    let avg;
    if (this.centered) {
      lerpInPlace(state.grad_avg, g, 1 - this.alpha);
      avg = squareAvg.map((v, i) => Math.sqrt(v - state.grad_avg[i] * state.grad_avg[i]));
    } else {
      avg = squareAvg.map(Math.sqrt);
    }
    for (let i = 0; i < n; i++) avg[i] += this.eps;
    if (this.momentum > 0) {
      const buffer = state.momentum_buffer;
      for (let i = 0; i < n; i++) {
        buffer[i] = buffer[i] * this.momentum + g[i] / avg[i];
        param[i] -= this.lr * buffer[i];
      }
    } else {
      for (let i = 0; i < n; i++) param[i] += (-this.lr * g[i]) / avg[i];
    }
  }
}

/** torch.optim.Adam: m = lerp(m, g, 1 - b1), v = b2 v + (1 - b2) g^2; p -= lr/(1 - b1^t) m / (sqrt(v)/sqrt(1 - b2^t) + eps). */
export class Adam extends Optimizer {
  constructor(params, {
    lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, maximize = false,
    decoupledWeightDecay = false,
  } = {}) {
    invalid(!(lr >= 0), `Invalid learning rate: ${lr}`);
    invalid(!(eps >= 0), `Invalid epsilon value: ${eps}`);
    invalid(!(betas[0] >= 0 && betas[0] < 1), `Invalid beta parameter at index 0: ${betas[0]}`);
    invalid(!(betas[1] >= 0 && betas[1] < 1), `Invalid beta parameter at index 1: ${betas[1]}`);
    invalid(!(weightDecay >= 0), `Invalid weight_decay value: ${weightDecay}`);
    super(params, lr);
    Object.assign(this, { betas: [...betas], eps, weightDecay, amsgrad, maximize, decoupledWeightDecay });
  }

  update(param, grad, state) {
    const n = param.length;
    if (state.step === undefined) {
      state.step = 0;
      state.exp_avg = new Float64Array(n);
      state.exp_avg_sq = new Float64Array(n);
      if (this.amsgrad) state.max_exp_avg_sq = new Float64Array(n);
    }
    const [beta1, beta2] = this.betas;
    let g = grad;
    if (this.maximize) g = g.map((v) => -v);
    state.step += 1;
    const t = state.step;
    if (this.weightDecay !== 0) {
      if (this.decoupledWeightDecay) {
        const shrink = 1 - this.lr * this.weightDecay;
        for (let i = 0; i < n; i++) param[i] *= shrink;
      } else {
        g = g.map((v, i) => v + this.weightDecay * param[i]);
      }
    }
    lerpInPlace(state.exp_avg, g, 1 - beta1);
    let second = state.exp_avg_sq;
    for (let i = 0; i < n; i++) second[i] = second[i] * beta2 + ((1 - beta2) * g[i]) * g[i];
    const stepSize = this.lr / (1 - power(beta1, t));
    const biasCorrection2Sqrt = Math.sqrt(1 - power(beta2, t));
    if (this.amsgrad) {
      for (let i = 0; i < n; i++) state.max_exp_avg_sq[i] = Math.max(state.max_exp_avg_sq[i], second[i]);
      second = state.max_exp_avg_sq;
    }
    for (let i = 0; i < n; i++) {
      const denominator = Math.sqrt(second[i]) / biasCorrection2Sqrt + this.eps;
      param[i] += (-stepSize * state.exp_avg[i]) / denominator;
    }
  }
}

/** torch.optim.AdamW: Adam with decoupled weight decay, p *= 1 - lr wd first; weight decay 1e-2 by default. */
export class AdamW extends Adam {
  constructor(params, { weightDecay = 1e-2, ...options } = {}) {
    super(params, { ...options, weightDecay, decoupledWeightDecay: true });
  }
}

/** The optimisers by the name dlbook.numpy.optim gives them. */
export const OPTIMIZERS = { SGD, RMSprop, Adam, AdamW };
