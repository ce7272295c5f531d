// A party's local training in a federated round: from the global weights of the trainable parameters (every weight,
// or only the LoRA adapters), a few non-private Adam steps on its own records (fresh optimiser state each round), and
// its delta, flattened in the parameters' name order (what secure aggregation clips, masks and sums). With the party
// as the privacy unit its whole delta is clipped (fedavg.ts). With a person as the unit the party clips per person
// instead (personClippedDelta): one SGD step from the global weights of every person's gradient clipped, so that each
// person moves the delta by at most C.
import * as tf from "@tensorflow/tfjs";
import { chooseWithoutReplacement } from "../contract/secure-random";
import type { Unit } from "../model/batch";
import type { Model } from "../model/model";
import { Optimizer } from "../model/optimizer";
import { clippedSums, sampleUnits } from "../step/dp-step";
import { plainStep } from "../step/plain-step";

export interface LocalTraining {
  steps: number;
  /** Units per step, drawn without replacement (all of them when there are fewer). */
  batchSize: number;
  learningRate: number;
}

/** The trainable parameters' names in the order their values are flattened. */
export const trainableOrder = (model: Model): string[] => [...model.trainable].sort();

/** The trainable parameters' values, one vector in trainableOrder. */
export async function flattenTrainable(model: Model): Promise<Float32Array> {
  const parts = await Promise.all(trainableOrder(model).map((name) => model.params.get(name)!.data() as Promise<Float32Array>));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Sets the trainable parameters from one vector in trainableOrder; refuses a vector of the wrong length. */
export function assignTrainable(model: Model, flat: Float32Array): void {
  const names = trainableOrder(model);
  const total = names.reduce((n, name) => n + model.params.get(name)!.size, 0);
  if (flat.length !== total) throw new RangeError(`${flat.length} values for ${total} trainable parameters`);
  let at = 0;
  tf.tidy(() => {
    for (const name of names) {
      const p = model.params.get(name)!;
      p.assign(tf.tensor(flat.subarray(at, at + p.size), p.shape));
      at += p.size;
    }
  });
}

/** The party's delta from `global` after `training` on its units (the model is left at the global weights plus it). */
export async function localDelta(model: Model, units: readonly Unit[], global: Float32Array, training: LocalTraining): Promise<Float32Array> {
  assignTrainable(model, global);
  const optimizer = new Optimizer(model, { name: "adam", learning_rate: training.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  try {
    for (let step = 0; step < training.steps; step++) plainStep(model, optimizer, chooseWithoutReplacement(units, training.batchSize));
  } finally {
    optimizer.dispose();
  }
  const after = await flattenTrainable(model);
  return after.map((v, i) => v - global[i]!);
}

/** How a party clips per person: each person's share of the delta at most `personClip`, over at most k records. */
export interface PersonClipping {
  learningRate: number;
  personClip: number;
  recordsPerPerson: number;
}

/**
 * The party's delta with a person as the unit: one SGD step from `global`, -lr · Σ_person clip(g_person, C / lr) (the
 * DP step's per-unit clipping, without noise; at most k records of each person, chosen at random). One step, so that
 * removing a person changes the delta by its own clipped term alone, of norm at most C: after a second step the other
 * persons' gradients would depend on it too.
 */
export async function personClippedDelta(model: Model, persons: readonly Unit[], global: Float32Array, c: PersonClipping): Promise<Float32Array> {
  assignTrainable(model, global);
  const settings = { samplingRate: 1, noiseMultiplier: 0, clipNorm: c.personClip / c.learningRate, clipping: "flat" as const, maxPhysicalBatch: 16, recordsPerUnit: c.recordsPerPerson };
  const { sums } = clippedSums(model, sampleUnits(persons, 1, c.recordsPerPerson), settings);
  try {
    const parts = await Promise.all(trainableOrder(model).map((name) => sums.get(name)!.data() as Promise<Float32Array>));
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      for (let i = 0; i < part.length; i++) out[at + i] = -c.learningRate * part[i]!;
      at += part.length;
    }
    return out;
  } finally {
    tf.dispose([...sums.values()]);
  }
}
