// Why a run failed, in words: the known ways a trainer, the runner or a federated run's coordinator fails, mapped in one place to a sentence and
// what to do, with a generic fallback; the raw message stays beside it for the details.

export interface FailureExplanation {
  /** What happened, for people. */
  reason: string;
  /** What to change or whom to ask. */
  advice: string;
  /** The raw message of the trainer or the runner. */
  details: string;
}

const OUT_OF_MEMORY = {
  reason: "The trainer ran out of memory.",
  advice:
    "Lower the records per subject or the LoRA rank, or use LoRA instead of full fine-tuning. The trainer sizes its micro-batches to its memory and the launch refuses runs that cannot fit, so please also report this run.",
};

const KNOWN: ReadonlyArray<{ pattern: RegExp; reason: string; advice: string }> = [
  { pattern: /Aborted\(|out of memory|Array buffer allocation failed|Cannot allocate|WebAssembly\.Memory/i, ...OUT_OF_MEMORY },
  {
    pattern: /exited without a final message/,
    reason: "The trainer stopped unexpectedly: it was killed or crashed.",
    advice: "Launch it again; if it stops again, the machine may be short of memory or the trainer was stopped from outside.",
  },
  {
    pattern: /no training records left/,
    reason: "No training records were left after the validation hold-out.",
    advice: "Use a dataset version with more records or subjects.",
  },
  {
    pattern: /could not prepare the run/,
    reason: "The run's data could not be prepared for the trainer.",
    advice: "Check that the dataset version's file still exists (retention may have deleted it) and launch again.",
  },
  {
    pattern: /the trained model could not be registered/,
    reason: "Training finished, but the trained model could not be registered.",
    advice: "Ask an administrator to check the data directory (disk space, permissions); the steps stay charged.",
  },
  {
    pattern: /differs from the run's|resumed from step|another job runner|started without DP|no longer running here|not a valid message/,
    reason: "The trainer and the server disagreed about the run, so the server stopped it.",
    advice: "This is a fault of the system, not of your settings: a trainer_fault incident records it for the privacy officers.",
  },
  {
    pattern: /expected_batch_size .* exceeds/,
    reason: "The batch asked for more units than the training data has.",
    advice: "Choose a smaller expected batch size or sampling rate.",
  },
];

const KNOWN_FEDERATED: ReadonlyArray<{ pattern: RegExp; reason: string; advice: string }> = [
  {
    pattern: /rounds in a row were abandoned/,
    reason: "Too few parties answered: several rounds in a row were abandoned.",
    advice:
      "An abandoned round spends nothing. Check on the Federation page that the parties' processes are running (each party's last-seen time) and that enough of them answer within the seconds you allowed; then launch again.",
  },
  {
    pattern: /the federated run failed: .*(is not the run's|checkpoint of round)/,
    reason: "The coordinator found the run's rounds inconsistent with its record, so it stopped the run.",
    advice: "This is a fault of the system, not of your settings: report it with the details below. The rounds already applied stay charged.",
  },
  {
    pattern: /^the federated run failed: /,
    reason: "The coordinator of the federated run failed.",
    advice: "The details below say where; the rounds already applied stay charged. Launching again may work if the cause was passing.",
  },
];

const FALLBACK = {
  reason: "The trainer failed.",
  advice: "The details below say where. Launching again with the same settings may work if the cause was passing; otherwise ask a privacy officer, who sees the run's incident.",
};

export function explainFailure(message: string | null): FailureExplanation {
  const details = message ?? "(no message)";
  const known = [...KNOWN, ...KNOWN_FEDERATED].find((k) => k.pattern.test(details)) ?? FALLBACK;
  return { reason: known.reason, advice: known.advice, details };
}
