// The trainer as a subprocess, the one way the server runs it (runs, leakage evaluations, base-model pretraining):
// the command, spawning it with a subcommand, a reader that validates every stdout line as JSON against the
// command's schema, and stopping it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import type { z } from "zod";
import { PRIVATE_FILE_MODE, touchPrivateFile } from "../private-files";

/** The command that runs the trainer's CLI: node with tsx, so that trainer/ runs from source. */
export const TRAINER_COMMAND: readonly string[] = [process.execPath, "--import", "tsx", "trainer/cli.ts"];

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TrainerProcess {
  readonly pid: number | undefined;
  /** Whether a signal was sent to it. */
  readonly stopped: boolean;
  /** Resolves once the process has exited and every line of its stdout was handled. */
  readonly exited: Promise<TrainerExit>;
  /** SIGTERM: the trainer stops at its next step boundary; SIGKILL: at once. */
  stop(signal?: "SIGTERM" | "SIGKILL"): void;
}

export interface TrainerOptions<M> {
  /** The trainer's subcommand and its flags, e.g. ["train", "--spec", file]. */
  args: readonly string[];
  /** What each stdout line must be (the protocol of the subcommand). */
  schema: z.ZodType<M>;
  onMessage: (message: M) => void;
  /** A line that is not JSON or not a valid message: the caller decides (usually: stop the trainer). */
  onInvalid: (reason: string) => void;
  /** Where the trainer's progress (stderr) goes: a log file appended to, this process's stderr, or nowhere. */
  stderr: { file: string } | "inherit" | "ignore";
  /** Defaults to TRAINER_COMMAND. */
  command?: readonly string[];
}

/** Starts the trainer with `args`, handing each validated stdout line to `onMessage`. */
export function startTrainer<M>(options: TrainerOptions<M>): TrainerProcess {
  const [command, ...prefix] = options.command ?? TRAINER_COMMAND;
  const child = spawn(command!, [...prefix, ...options.args], {
    stdio: ["ignore", "pipe", options.stderr === "inherit" ? "inherit" : options.stderr === "ignore" ? "ignore" : "pipe"],
  });
  if (typeof options.stderr === "object") touchPrivateFile(options.stderr.file);
  const log = typeof options.stderr === "object" ? createWriteStream(options.stderr.file, { flags: "a", mode: PRIVATE_FILE_MODE }) : null;
  if (log) child.stderr!.pipe(log);
  const lines = createInterface({ input: child.stdout! });
  lines.on("line", (line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return options.onInvalid(`the trainer wrote a line that is not JSON: ${line.slice(0, 120)}`);
    }
    const parsed = options.schema.safeParse(value);
    if (!parsed.success) return options.onInvalid(`the trainer sent an invalid message: ${parsed.error.issues[0]?.message ?? "?"}`);
    options.onMessage(parsed.data);
  });
  const exited = Promise.all([once(child, "exit"), once(lines, "close")]).then(([[code, signal]]) => {
    log?.end();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  return {
    pid: child.pid,
    get stopped() {
      return child.killed;
    },
    exited,
    stop: (signal = "SIGTERM") => void child.kill(signal),
  };
}
