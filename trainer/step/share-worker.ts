// One worker thread of the share pool: its own copy of the model on a single-threaded backend; for each step it
// takes the trainable weights and its share of the sampled units, and answers with their clipped, summed gradients
// (stages 2 and 3 of the DP step). It never samples and never adds noise: the parent does both, once per step.

import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../run/backend";
import { createModel, type Model } from "../model/model";
import { shareSums } from "./dp-step";
import type { ShareAnswer, ShareRequest } from "./share-messages";

const port = parentPort;
if (!port) throw new Error("share-worker runs only as a worker thread");

let model: Model | null = null;

async function handle(request: ShareRequest): Promise<ShareAnswer> {
  if (request.kind === "init") {
    await initBackend(request.backend);
    model = createModel(request.config, request.weights, { lora: request.lora });
    return { kind: "ready" };
  }
  if (!model) throw new Error("share request before init");
  const m = model;
  for (const [name, host] of Object.entries(request.trainable)) {
    const variable = m.params.get(name);
    if (!variable || !m.trainable.has(name)) throw new Error(`not a trainable parameter: ${name}`);
    tf.tidy(() => variable.assign(tf.tensor(host.data, host.shape)));
  }
  const share = shareSums(m, request.units, request.settings);
  const sums: ShareAnswer & { kind: "sums" } = {
    kind: "sums",
    sums: {},
    lossSum: share.lossSum,
    targetTokens: share.targetTokens,
    norms: share.norms,
    clipped: share.clipped,
  };
  for (const [name, t] of share.sums) {
    sums.sums[name] = { shape: [...t.shape], data: (await t.data()) as Float32Array };
    t.dispose();
  }
  return sums;
}

port.on("message", (request: ShareRequest) => {
  handle(request).then(
    (answer) => port.postMessage(answer, answer.kind === "sums" ? Object.values(answer.sums).map((h) => h.data.buffer as ArrayBuffer) : []),
    (error: unknown) => port.postMessage({ kind: "error", message: (error as Error).message ?? String(error) } satisfies ShareAnswer),
  );
});
