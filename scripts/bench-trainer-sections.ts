// The trainer's benchmark sections: privacy accounting, the DP step, utility with and without DP, importing a checkpoint.
import { benchmarkTrainer, type StepTimes } from '../trainer/bench/step-bench.js';
import { benchmarkImport } from '../trainer/bench/import-bench.js';
import type { BackendChoice } from '../trainer/contract/protocol.js';
import { calibrateNoiseMultiplier, createAccountant, dpSgdEvent, type AccountantName } from '../trainer/privacy/index.js';
import { benchmarkUtility } from '../trainer/bench/utility-bench.js';
import { formatMs, measure, table, type SectionResult } from './bench-format.js';

export function privacySection(): SectionResult {
  const [q, sigma, steps, delta, targetEpsilon] = [0.01, 1.0, 10_000, 1e-5, 3];
  const event = dpSgdEvent(q, sigma, steps);
  const rows: string[][] = [];
  for (const [name, runs, calibrationRuns] of [
    ['rdp', 50, 10],
    ['pld', 5, 2],
  ] as [AccountantName, number, number][]) {
    // A fresh accountant each run: the RDP accountant remembers the curves it computed, and a remembered event
    // would be timed instead of the computation.
    const account = measure(runs, () => createAccountant(name).epsilon(event, delta));
    rows.push([
      `epsilon of ${steps.toLocaleString('en')} steps (q ${q}, sigma ${sigma}, delta ${delta.toExponential()})`,
      name,
      `epsilon ${account.result.toFixed(4)}`,
      formatMs(account.ms),
      String(account.runs),
    ]);
    const calibrate = measure(calibrationRuns, () =>
      calibrateNoiseMultiplier({ targetEpsilon, delta, samplingRate: q, steps }, createAccountant(name)),
    );
    rows.push([
      `calibrate sigma to epsilon ${targetEpsilon} (q ${q}, ${steps.toLocaleString('en')} steps, delta ${delta.toExponential()})`,
      name,
      `sigma ${calibrate.result.noiseMultiplier.toFixed(4)} (epsilon ${calibrate.result.epsilon.toFixed(4)})`,
      formatMs(calibrate.ms),
      String(calibrate.runs),
    ]);
  }
  return {
    title: 'Privacy accounting (trainer/privacy)',
    body: [
      table(['Measurement', 'Accountant', 'Result', 'Median time', 'Runs'], rows),
      '',
      'Targets: RDP under 10 ms and PLD under 1 s for 10,000 steps. PLD at discretisation interval 1e-4; ' +
        'calibration to a precision of 1e-3 in sigma (PLD calibration starts from the RDP answer). Each run uses a ' +
        'fresh accountant, so nothing it remembered from an earlier run is timed.',
    ].join('\n'),
  };
}

export async function trainerSection(flags: { backend?: BackendChoice; workers?: number }): Promise<SectionResult> {
  const r = await benchmarkTrainer({ backend: flags.backend, workers: flags.workers });
  const both = (f: (t: StepTimes) => string) => [f(r), f(r.lora)];
  const rows = [
    [
      `DP-SGD step (per-example norms by the mixed ghost-norm rule, clip, noise, update${r.workers > 1 ? `; on ${r.workers} worker threads` : ''})`,
      ...both((t) => formatMs(t.dp_step_ms)),
    ],
    ...(r.workers > 1
      ? [
          ['DP-SGD step on one thread', ...both((t) => formatMs(t.dp_one_thread_ms))],
          [`Speed-up on ${r.workers} worker threads (goal with 2: at least 1.7)`, ...both((t) => t.workers_speedup.toFixed(2))],
        ]
      : []),
    ['Non-private step (same batch)', ...both((t) => formatMs(t.nonprivate_step_ms))],
    ['DP / non-private, both on one thread (goal: at most 1.25)', ...both((t) => t.dp_over_nonprivate.toFixed(2))],
    ['Naive DP step (one backward pass per example)', ...both((t) => formatMs(t.naive_step_ms))],
    ['Naive / DP (one thread)', ...both((t) => t.naive_over_dp.toFixed(1))],
    ['Tokens per second (DP step, as run above)', ...both((t) => Math.round(t.tokens_per_s).toLocaleString('en'))],
    ['Trainable parameters', ...both((t) => t.trainable_parameters.toLocaleString('en'))],
  ];
  const { context_length, n_embd, n_layer, n_head, vocab_size } = r.model;
  return {
    title: 'Trainer: DP fine-tuning step (trainer/bench/step-bench.ts)',
    body: [
      table(['Measurement', 'Full fine-tuning', `LoRA rank ${r.lora.rank}`], rows),
      '',
      `Backend ${r.backend}; GPT model of ${r.parameters.toLocaleString('en')} parameters (vocabulary ${vocab_size}, ` +
        `context ${context_length}, width ${n_embd}, ${n_layer} layers, ${n_head} heads); a batch of ${r.batch_size} ` +
        `sequences of ${context_length} tokens (${r.tokens_per_step} tokens); medians of ${r.rounds} interleaved rounds ` +
        `(naive: ${Math.ceil(r.rounds / 3)}). Peak resident memory of the benchmark process: ` +
        `${Math.round(r.peak_rss_mb)} MiB. Machine load from other processes shows up in these times.`,
    ].join('\n'),
    json: r,
  };
}

export async function utilitySection(): Promise<SectionResult> {
  const u = await benchmarkUtility({ log: (line) => process.stderr.write(`${line}\n`) });
  const base = u.rows[0]!;
  const rows = u.rows.map((row) => [
    row.setting,
    row.epsilon === null ? '-' : row.epsilon.toFixed(3),
    row.noise_multiplier === null ? '-' : row.noise_multiplier.toFixed(3),
    String(row.steps),
    row.validation_loss.toFixed(4),
    row.perplexity.toFixed(3),
    (row.perplexity / base.perplexity).toFixed(3),
    row.task.accuracy.toFixed(3),
    row.task.macro_f1.toFixed(3),
    row.synthetic.accuracy.toFixed(3),
    row.synthetic.macro_f1.toFixed(3),
    `${Math.round(row.seconds)} s`,
  ]);
  return {
    title: 'Trainer: what privacy costs in utility (trainer/bench/utility-bench.ts)',
    body: [
      table(
        ['Fine-tuning', 'Epsilon', 'Noise multiplier', 'Steps', 'Validation loss (nats/byte)', 'Perplexity', 'vs base', 'Model: accuracy', 'Model: macro-F1', 'Synthetic: accuracy', 'Synthetic: macro-F1', 'Time'],
        rows,
      ),
      '',
      `Base model ${u.base_model.dir} (weights ${u.base_model.weights_sha256.slice(0, 12)}…), fine-tuned on ` +
        `${u.corpus.package} ${u.corpus.version} (${u.corpus.train_records.toLocaleString('en')} mails for training, ` +
        `${u.corpus.validation_records} held out), each mail one record (record-level privacy, delta ${u.settings.delta}): ` +
        `${u.settings.fine_tuning}, Adam at ${u.settings.learning_rate}, ${u.settings.steps} steps of expected batch ` +
        `${u.settings.expected_batch_size}, clip norm ${u.settings.clip_norm}, noise calibrated with the RDP accountant. ` +
        `The task is ${u.task.labels.join(' or ')}: each mail is trained as "<label>: <mail>", and "Model" is the model ` +
        `classifying the held-out mails by scoring each mail as each label's continuation (trainer/eval/task.ts). "Synthetic" is train on ` +
        `synthetic, test on real: ${u.task.synthetic_per_label} mails per label sampled from the model (${u.task.sampling}) ` +
        'train the hashed n-gram classifier (trainer/eval/ngram-classifier.ts), which then labels the real held-out mails. ' +
        `The same classifier trained on the real training mails scores accuracy ${u.real_classifier.accuracy.toFixed(3)}, ` +
        `macro-F1 ${u.real_classifier.macro_f1.toFixed(3)}. Models and classifiers see each mail's first ` +
        `${u.task.mail_tokens} tokens. Held-out figures are internal (not DP); the synthetic mails of a DP model cost ` +
        'nothing more (post-processing). ' +
        'Not part of the default `npm run bench` (it takes tens of minutes): run `npm run bench -- utility`.',
    ].join('\n'),
    json: u,
  };
}

export async function importSection(): Promise<SectionResult> {
  const r = benchmarkImport();
  return {
    title: 'Importing a checkpoint (trainer/import, trainer/bench/import-bench.ts)',
    body: [
      table(
        ['Checkpoint', 'Parameters', 'Import time', 'Peak resident memory (goal: under 1.5 GB)'],
        [[`${r.checkpoint_mb.toFixed(0)} MiB F32 safetensors`, r.parameters.toLocaleString('en'), `${r.seconds.toFixed(1)} s`, `${r.peak_rss_mb.toFixed(0)} MiB`]],
      ),
      '',
      `A GPT-2-small-shaped checkpoint in Hugging Face's format (${r.layers} layers, width ${r.width}, vocabulary ` +
        `${r.vocab_size.toLocaleString('en')}; random weights and a synthetic BPE of the same size, since no real ` +
        'checkpoint can be downloaded here), imported by `trainer import` in a process of its own: the weights are ' +
        'read, checked and written tensor by tensor (the largest, wte, and its transpose for lm_head are the peak), ' +
        'every source file is hashed in chunks.',
    ].join('\n'),
    json: r,
  };
}

