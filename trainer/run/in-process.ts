// A run in this process, for benchmarks and tests: the run spec through the same training loop as `npm run trainer
// -- train`, its messages collected instead of printed.

import { parseRunSpec, type Message, type RunSpecInput } from "../contract/protocol";
import { runTraining, type Outcome } from "./train";

export type MessageOf<T extends Message["type"]> = Extract<Message, { type: T }>;

/** The messages of one type, in order. */
export const messagesOf = <T extends Message["type"]>(messages: readonly Message[], type: T): Array<MessageOf<T>> =>
  messages.filter((m): m is MessageOf<T> => m.type === type);

export interface InProcessRun {
  outcome: Outcome;
  messages: Message[];
  /** The messages of one type, in order. */
  of<T extends Message["type"]>(type: T): Array<MessageOf<T>>;
  finished: MessageOf<"finished">;
}

/** Runs the spec to its end (never stopped, not resumed); throws what runTraining throws. `log` takes the progress
 * lines (discarded by default); `workers` as `train --workers`. */
export async function runInProcess(spec: RunSpecInput, options: { log?: (line: string) => void; workers?: number } = {}): Promise<InProcessRun> {
  const messages: Message[] = [];
  const io = { emit: (m: Message) => messages.push(m), log: options.log ?? (() => {}), stopRequested: () => false };
  const outcome = await runTraining(parseRunSpec(spec), io, { resume: false, workers: options.workers });
  const of = <T extends Message["type"]>(type: T) => messagesOf(messages, type);
  const finished = of("finished")[0];
  if (!finished) throw new Error(`run ${spec.run_id} did not finish`);
  return { outcome, messages, of, finished };
}
