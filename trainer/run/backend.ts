// Chooses the TensorFlow.js backend at start: the native TensorFlow binding with a GPU when
// @tensorflow/tfjs-node-gpu is installed and a GPU is present, then @tensorflow/tfjs-node, then WebAssembly, then
// plain JavaScript. The native packages are optional dependencies (their install downloads libtensorflow, which
// not every machine can); WebAssembly and JavaScript always work.

import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { BACKENDS, type BackendChoice, type BackendName } from "../contract/protocol";

export interface BackendInfo {
  name: BackendName;
  /** Why the better backends were not used, in order of preference. */
  skipped: string[];
}

const gpuPresent = (): boolean => {
  try {
    return existsSync("/dev/nvidia0") || readdirSync("/proc/driver/nvidia/gpus").length > 0;
  } catch {
    return false;
  }
};

/** Imports an optional package by a name the bundler and type checker do not resolve. */
const importOptional = (name: string): Promise<unknown> => import(name);

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    switch (name) {
      case "tensorflow-gpu":
        if (!gpuPresent()) return "no GPU present";
        await importOptional("@tensorflow/tfjs-node-gpu");
        break;
      case "tensorflow":
        await importOptional("@tensorflow/tfjs-node");
        break;
      case "wasm": {
        const require = createRequire(import.meta.url);
        setWasmPaths(`${path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist")}/`);
        break;
      }
      case "cpu":
        break;
    }
    const registered = name === "tensorflow-gpu" ? "tensorflow" : name;
    if (!(await tf.setBackend(registered))) return `backend ${registered} failed to initialise`;
    await tf.ready();
    return null;
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "failed";
  }
}

/** Sets the backend: the named one (an error if it does not work), or the best that works for 'auto'. */
export async function initBackend(choice: BackendChoice): Promise<BackendInfo> {
  const candidates = choice === "auto" ? BACKENDS : [choice];
  const skipped: string[] = [];
  for (const name of candidates) {
    const problem = await tryBackend(name);
    if (problem === null) return { name, skipped };
    skipped.push(`${name}: ${problem}`);
  }
  throw new Error(`no TensorFlow.js backend works (${skipped.join("; ")})`);
}
