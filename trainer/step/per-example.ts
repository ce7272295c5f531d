// Per-unit gradients of every trainable parameter, without a loop over units: one forward pass that records, at
// each site, the inputs of the parameters used there, and one backward pass that returns only the gradients of the
// loss with respect to the sites' outputs (never the summed weight gradients: the "book-keeping" of Bu et al. 2023).
// For a linear use with inputs a_u ([L, in], L = the unit's tokens) and output gradients g_u ([L, out]), the unit's
// gradient is a_u^T g_u, and either
//   - ghost norm (Li et al. 2021): ||a_u^T g_u||_F^2 = <a_u a_u^T, g_u g_u^T>, costing L^2 (in + out) per unit, and
//     the clipped sum is one product a^T (c * g) over the whole batch (costing what the weight gradient costs); or
//   - materialised: the per-unit gradients themselves ([in, units, out]), costing L in out per unit (what the weight
//     gradient costs) and in out memory per unit; their clipped sum is then a cheap weighted sum,
// so the ghost norm saves time when L^2 (in + out) < in out (the mixed rule of Bu et al.); with a model's short
// contexts and narrow layers that is rare, and materialising usually wins. Biases and layer-norm gains are always
// materialised (sums over tokens). A unit's L covers all its sequences (a subject's records), so its gradient is
// the gradient of its summed loss, as subject-level clipping needs.

import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../model/batch";
import { decode, embed, tokenLosses, type Model, type ParamUse, type Trace } from "../model/model";
import { matmul, perUnitProducts, transposeLast } from "../model/ops";

export interface UnitGradients {
  /** Per trainable parameter, each unit's squared gradient norm, [units]. */
  squaredNorms: Map<string, tf.Tensor1D>;
  /**
   * Sum over units of coefficients[u] times unit u's gradient of `param` (shaped like the parameter). With
   * `zeroDropped`, a unit whose coefficient is 0 contributes exactly 0 even if its gradient holds NaN or infinity
   * (which times 0 would be NaN); it costs a pass over the per-unit tensors, so callers ask for it only when some
   * unit's squared norm of `param` is not finite.
   */
  weightedSum(param: string, coefficients: tf.Tensor1D, zeroDropped?: boolean): tf.Tensor;
  /** Summed token losses (nats) of the batch, for reporting. */
  lossSum: number;
  dispose(): void;
}

/** `t` with every unit whose coefficient is 0 set to exactly 0 (when `zero`; else `t` as it is). */
const onlyKept = (coefficients: tf.Tensor, t: tf.Tensor, zero: boolean): tf.Tensor => (zero ? tf.where(coefficients.greater(0), t, tf.scalar(0)) : t);

/** The objective whose gradient is the sum of the sequences' gradients: each sequence's mean token loss. */
export const sequenceLossSum = (losses: tf.Tensor2D, batch: Batch): tf.Scalar => losses.mul(batch.weights).sum();

type Site = {
  output: tf.Tensor;
  uses: Array<{ use: ParamUse; input: tf.Tensor3D | null }>;
  grad: tf.Tensor3D | null;
};

/** The identity, whose backward pass hands the incoming gradient to `record`. */
function tap(x: tf.Tensor3D, record: (dy: tf.Tensor3D) => void): tf.Tensor3D {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: (args[0] as tf.Tensor).clone(),
    gradFunc: (dy: tf.Tensor) => {
      record(dy as tf.Tensor3D);
      return dy;
    },
  }))(x) as tf.Tensor3D;
}

/** Whether the ghost norm takes less time than materialising a linear layer's per-unit gradients. */
const prefersGhostNorm = (tokensPerUnit: number, fanIn: number, fanOut: number): boolean =>
  tokensPerUnit * tokensPerUnit * (fanIn + fanOut) < fanIn * fanOut;

/** How linear layers' per-unit norms are computed: by the mixed rule, or always one way (for tests). */
export type NormStrategy = "mixed" | "ghost" | "materialise";

export function unitGradients(model: Model, batch: Batch, strategy: NormStrategy = "mixed"): UnitGradients {
  const kept: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    kept.push(t);
    return tf.keep(t);
  };
  const sites: Site[] = [];
  const seen = new Set<string>();
  const trace: Trace = {
    site(output, uses) {
      const trained = uses.filter((u) => model.trainable.has(u.param));
      if (trained.length === 0) return output;
      for (const { param } of trained) {
        if (seen.has(param)) throw new Error(`parameter ${param} is used at two sites`);
        seen.add(param);
      }
      const site: Site = {
        output,
        uses: trained.map((use) => ({ use, input: use.kind === "bias" ? null : keep(use.input()) })),
        grad: null,
      };
      site.output = tap(output, (dy) => {
        site.grad = keep(dy.clone());
      });
      sites.push(site);
      return site.output as tf.Tensor3D;
    },
  };

  // Forward and backward: gradients with respect to the embeddings' output only, so that the backward pass computes
  // the sites' output gradients and no weight gradient. The embedding site, if any, gets that gradient directly.
  let lossSum = 0;
  const embeddings = keep(tf.tidy(() => embed(model, trace, batch.tokens)));
  const grads = tf.tidy(() =>
    tf.grads((x: tf.Tensor) => {
      const losses = tokenLosses(decode(model, trace, x as tf.Tensor3D), batch.targets);
      lossSum = losses.mul(batch.mask).sum().dataSync()[0] as number;
      return sequenceLossSum(losses, batch);
    })([embeddings]),
  );
  const embeddingSite = sites.find((s) => s.output === embeddings);
  if (embeddingSite) embeddingSite.grad = keep(grads[0] as tf.Tensor3D);
  else tf.dispose(grads);

  const { units } = batch;
  const tokensPerUnit = batch.slots * (batch.tokens.shape[1] as number);
  const byUnit = (t: tf.Tensor) => t.reshape([units, tokensPerUnit, t.shape[2] as number]) as tf.Tensor3D;
  const squaredNorms = new Map<string, tf.Tensor1D>();
  const sums = new Map<string, (coefficients: tf.Tensor1D, zeroDropped: boolean) => tf.Tensor>();

  for (const site of sites) {
    if (!site.grad) throw new Error("a site received no gradient");
    const g = keep(byUnit(site.grad));
    for (const { use, input } of site.uses) {
      const shape = model.params.get(use.param)!.shape;
      const a = input && keep(byUnit(input));
      const ghost =
        strategy === "mixed" ? prefersGhostNorm(tokensPerUnit, shape[0] as number, shape[1] as number) : strategy === "ghost";
      if (use.kind === "linear" && ghost) {
        squaredNorms.set(use.param, keep(tf.tidy(() => matmul(a!, transposeLast(a!)).mul(matmul(g, transposeLast(g))).sum([1, 2]))));
        sums.set(use.param, (c, zero) =>
          tf.tidy(() => {
            const kept = c.reshape([units, 1, 1]);
            return matmul(
              transposeLast(onlyKept(kept, a!, zero).reshape([units * tokensPerUnit, shape[0] as number])),
              onlyKept(kept, g, zero).mul(kept).reshape([units * tokensPerUnit, shape[1] as number]),
            );
          }),
        );
      } else {
        // Per-unit gradients laid out [in, units, out] (in = 1 for biases and gains).
        const perUnit = keep(
          tf.tidy(() => {
            if (use.kind === "bias") return g.sum(1).expandDims(0);
            if (use.kind === "scale") return g.mul(a!).sum(1).expandDims(0);
            return perUnitProducts(a!, g);
          }),
        ) as tf.Tensor3D;
        squaredNorms.set(use.param, keep(tf.tidy(() => perUnit.square().sum([0, 2]))));
        sums.set(use.param, (c, zero) => tf.tidy(() => onlyKept(c.reshape([1, units, 1]), perUnit.mul(c.reshape([1, units, 1])), zero).sum(1).reshape(shape)));
      }
    }
  }
  for (const name of model.trainable) {
    if (!squaredNorms.has(name)) throw new Error(`trainable parameter ${name} was not used in the forward pass`);
  }
  return {
    squaredNorms,
    weightedSum: (param, coefficients, zeroDropped = false) => {
      const sum = sums.get(param);
      if (!sum) throw new Error(`no per-unit gradient for ${param}`);
      return sum(coefficients, zeroDropped);
    },
    lossSum,
    dispose: () => tf.dispose(kept),
  };
}
