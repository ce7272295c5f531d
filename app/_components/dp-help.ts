// Plain words for the maths: what each DP setting is, a typical range, and what changing it does. The one place
// these texts live; forms show them with <FieldHelp field="…" />.

export interface DpHelpText {
  label: string;
  what: string;
  typical: string;
  effect: string;
}

export const DP_HELP = {
  epsilon: {
    label: "Epsilon (ε)",
    what: "How much the trained model may reveal about any one privacy unit (a person, or a record). Smaller is more private.",
    typical: "1 to 8 for fine-tuning; below 1 is very strict, above 10 protects little.",
    effect: "Lowering it adds more noise to training (a less accurate model) or allows fewer steps; raising it does the opposite.",
  },
  delta: {
    label: "Delta (δ)",
    what: "The small chance that the epsilon guarantee does not hold at all.",
    typical: "Well below 1 divided by the number of units, e.g. 1e-5 or 1e-6.",
    effect: "Lowering it costs a little more epsilon for the same training; it must stay below 1/N to mean anything.",
  },
  noiseMultiplier: {
    label: "Noise multiplier (σ)",
    what: "How much Gaussian noise is added to each step's summed gradients, relative to the clip norm.",
    typical: "0.5 to 2; set by the target epsilon unless you fix it yourself.",
    effect: "More noise spends less epsilon per step but makes each step less informative.",
  },
  clipNorm: {
    label: "Clip norm (C)",
    what: "The largest gradient any one unit may contribute to a step; larger gradients are scaled down to it.",
    typical: "0.1 to 10; 1 is a good start. Watch the clipped fraction on the run page.",
    effect: "Smaller clips more units (bias); larger lets noise (proportional to C) drown the signal.",
  },
  samplingRate: {
    label: "Sampling rate (q)",
    what: "The chance that each unit is drawn into a step's batch (Poisson sampling); expected batch size is q times the units.",
    typical: "0.001 to 0.1.",
    effect: "Higher rates spend more epsilon per step but give larger, less noisy batches.",
  },
  expectedBatchSize: {
    label: "Expected batch size",
    what: "How many units a step draws on average (the sampling rate times the number of units).",
    typical: "16 to 1024, depending on the dataset size.",
    effect: "Larger batches average the noise away better but spend more epsilon per step.",
  },
  privacyUnit: {
    label: "Privacy unit",
    what: "What the guarantee protects: one subject (all of a person's records together) or one record.",
    typical: "Subject, whenever the data has a subject field.",
    effect: "Record-level protects a person with many records far less: their epsilon grows with their record count.",
  },
  recordsPerSubject: {
    label: "Records per subject",
    what: "The most records of one subject a step may use; the rest are dropped, so one person's influence stays bounded.",
    typical: "1 to 32.",
    effect: "Higher keeps more data per person; it does not change epsilon at subject level, but clipping then bounds more records at once.",
  },
} as const satisfies Record<string, DpHelpText>;

export type DpField = keyof typeof DP_HELP;
