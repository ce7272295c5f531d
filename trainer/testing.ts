// Shared helpers for the trainer's tests: a tiny model configuration and random (seeded) training units.

import { modelConfig, type ModelConfig } from './model-config.js';
import { seededUniform } from './seeded-random.js';
import type { Unit } from './batch.js';

/** A model small enough for tests to run in milliseconds per step on the cpu backend. */
export const tinyConfig = (overrides: Partial<ModelConfig> = {}): ModelConfig =>
  modelConfig({ vocab_size: 20, context_length: 8, n_embd: 8, n_layer: 2, n_head: 2, mlp_ratio: 2, ...overrides });

/** `count` units of 1..maxRecords random token sequences of 2..length tokens each (tokens < vocab). */
export function randomUnits(count: number, vocab: number, length: number, maxRecords = 1, seed = 1): Unit[] {
  const next = seededUniform(seed);
  const int = (n: number) => Math.floor(next() * n);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + int(maxRecords) }, () => Int32Array.from({ length: 2 + int(length - 1) }, () => int(vocab))),
  );
}
