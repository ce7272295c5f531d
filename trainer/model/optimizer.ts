// The optimisers (SGD with momentum, Adam) over a model's trainable parameters, with their state readable and
// restorable as host tensors for checkpoints. Applied to the noisy DP gradient they are post-processing.

import * as tf from "@tensorflow/tfjs";
import type { Model } from "./model";
import type { OptimizerConfig } from "../contract/protocol";
import type { HostTensors } from "../contract/safetensors";

export class Optimizer {
  /** Updates applied so far. */
  steps = 0;
  /** The learning rate of the next update (the config's, unless a schedule changes it). */
  learningRate: number;
  private readonly slots = new Map<string, tf.Variable[]>();

  constructor(
    private readonly model: Model,
    readonly config: OptimizerConfig,
  ) {
    this.learningRate = config.learning_rate;
    const slotCount = config.name === "adam" ? 2 : config.momentum > 0 ? 1 : 0;
    for (const name of model.trainable) {
      const p = model.params.get(name)!;
      this.slots.set(name, Array.from({ length: slotCount }, () => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** One update from gradients of every trainable parameter. */
  apply(grads: ReadonlyMap<string, tf.Tensor>): void {
    this.steps += 1;
    const c = this.config;
    tf.tidy(() => {
      for (const name of this.model.trainable) {
        const p = this.model.params.get(name)!;
        const g = grads.get(name);
        if (!g) throw new Error(`no gradient for ${name}`);
        const slots = this.slots.get(name)!;
        if (c.name === "sgd") {
          const [velocity] = slots;
          if (velocity) velocity.assign(velocity.mul(c.momentum).add(g));
          p.assign(p.sub((velocity ?? g).mul(this.learningRate)));
        } else {
          const [m, v] = slots as [tf.Variable, tf.Variable];
          m.assign(m.mul(c.beta1).add(g.mul(1 - c.beta1)));
          v.assign(v.mul(c.beta2).add(g.square().mul(1 - c.beta2)));
          const mHat = m.div(1 - c.beta1 ** this.steps);
          const vHat = v.div(1 - c.beta2 ** this.steps);
          p.assign(p.sub(mHat.div(vHat.sqrt().add(c.epsilon)).mul(this.learningRate)));
        }
      }
    });
  }

  /** The optimiser's state as named host tensors ("<param>.slot<i>"). */
  state(): HostTensors {
    const out: HostTensors = {};
    for (const [name, slots] of this.slots) {
      slots.forEach((slot, i) => {
        out[`${name}.slot${i}`] = { shape: [...slot.shape], data: slot.dataSync() as Float32Array };
      });
    }
    return out;
  }

  restore(state: HostTensors, steps: number): void {
    for (const [name, slots] of this.slots) {
      slots.forEach((slot, i) => {
        const host = state[`${name}.slot${i}`];
        if (!host) throw new Error(`optimizer state lacks ${name}.slot${i}`);
        tf.tidy(() => slot.assign(tf.tensor(host.data, host.shape)));
      });
    }
    this.steps = steps;
  }

  dispose(): void {
    for (const slots of this.slots.values()) tf.dispose(slots);
  }
}
