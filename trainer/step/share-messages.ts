// What the share pool and its worker threads say to each other (structured-cloned; typed arrays transferred).

import type { BackendName } from "../contract/protocol";
import type { ModelConfig } from "../contract/model-config";
import type { HostTensors } from "../contract/safetensors";
import type { Unit } from "../model/batch";
import type { LoraConfig } from "../model/model";
import type { DpSettings } from "./dp-step";

export type ShareRequest =
  | { kind: "init"; backend: BackendName; config: ModelConfig; weights: HostTensors; lora: LoraConfig | null }
  | { kind: "share"; trainable: HostTensors; units: Unit[]; settings: DpSettings };

export type ShareAnswer =
  | { kind: "ready" }
  | { kind: "sums"; sums: HostTensors; lossSum: number; targetTokens: number; norms: number[]; clipped: number }
  | { kind: "error"; message: string };
