// Benchmarks: `npm run bench` runs every section except the opt-in ones (or `npm run bench -- <name> ...` only the
// named ones), prints each section's table and rewrites BENCHMARKS.md, keeping the sections that were not run this
// time. With --json it prints only the sections' JSON (one object for one section) and writes nothing. A section is
// a function returning a titled markdown table; add one by adding an entry to SECTIONS.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkTrainer, type StepTimes } from '../trainer/bench/step-bench.js';
import { benchmarkImport } from '../trainer/bench/import-bench.js';
import { backendChoiceSchema, type BackendChoice } from '../trainer/contract/protocol.js';
import { calibrateNoiseMultiplier, createAccountant, dpSgdEvent, type AccountantName } from '../trainer/privacy/index.js';
import { benchmarkUtility } from '../trainer/bench/utility-bench.js';
import { benchmarkLeakage } from './leakage-bench.js';
import { EVIDENCE_REFERENCE, EVIDENCE_REPEATS, EVIDENCE_SPACE, leakageEvidence, type EvidenceFigures } from './leakage-evidence.js';
import { LOAD_SETTINGS, benchmarkLoad } from './load-bench.js';
import { benchmarkStart } from './start-bench.js';
import { ENTITY_TYPES, findEntities } from '../server/datasets/ingest/pii.js';
import { EVALUATION_SET_PATH, evaluateDetector, parseGoldSet } from '../server/datasets/ingest/pii-evaluation.js';
import { recallLowerBound } from '../server/datasets/ingest/pii-recall.js';

interface SectionResult {
  title: string;
  /** Markdown: a table, optionally followed by notes. */
  body: string;
  /** The measurements as one JSON object, for --json. */
  json?: unknown;
}
type Section = () => Promise<SectionResult> | SectionResult;

const OUTPUT = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

/** Median wall time in ms over `runs` calls, after one warm-up call; also returns the last result. */
function measure<T>(runs: number, fn: () => T): { ms: number; result: T; runs: number } {
  let result = fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] as number, result, runs };
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const formatMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`);

function privacySection(): SectionResult {
  const [q, sigma, steps, delta, targetEpsilon] = [0.01, 1.0, 10_000, 1e-5, 3];
  const event = dpSgdEvent(q, sigma, steps);
  const rows: string[][] = [];
  for (const [name, runs, calibrationRuns] of [
    ['rdp', 50, 10],
    ['pld', 5, 2],
  ] as [AccountantName, number, number][]) {
    const accountant = createAccountant(name);
    const account = measure(runs, () => accountant.epsilon(event, delta));
    rows.push([
      `epsilon of ${steps.toLocaleString('en')} steps (q ${q}, sigma ${sigma}, delta ${delta.toExponential()})`,
      name,
      `epsilon ${account.result.toFixed(4)}`,
      formatMs(account.ms),
      String(account.runs),
    ]);
    const calibrate = measure(calibrationRuns, () =>
      calibrateNoiseMultiplier({ targetEpsilon, delta, samplingRate: q, steps }, accountant),
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
        'calibration to a precision of 1e-3 in sigma (PLD calibration starts from the RDP answer).',
    ].join('\n'),
  };
}

async function trainerSection(): Promise<SectionResult> {
  const r = await benchmarkTrainer({ backend: flags.backend, workers: flags.workers });
  const both = (f: (t: StepTimes) => string) => [f(r), f(r.lora)];
  const rows = [
    [
      `DP-SGD step (per-example norms by the mixed ghost-norm rule, clip, noise, update${r.workers > 1 ? `; on ${r.workers} worker threads` : ''})`,
      ...both((t) => formatMs(t.dp_step_ms)),
    ],
    ['Non-private step (same batch)', ...both((t) => formatMs(t.nonprivate_step_ms))],
    ['DP / non-private (goal: at most 1.25)', ...both((t) => t.dp_over_nonprivate.toFixed(2))],
    ['Naive DP step (one backward pass per example)', ...both((t) => formatMs(t.naive_step_ms))],
    ['Naive / DP', ...both((t) => t.naive_over_dp.toFixed(1))],
    ['Tokens per second (DP step)', ...both((t) => Math.round(t.tokens_per_s).toLocaleString('en'))],
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

async function utilitySection(): Promise<SectionResult> {
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
    `${Math.round(row.seconds)} s`,
  ]);
  return {
    title: 'Trainer: what privacy costs in utility (trainer/bench/utility-bench.ts)',
    body: [
      table(['Fine-tuning', 'Epsilon', 'Noise multiplier', 'Steps', 'Validation loss (nats/byte)', 'Perplexity', 'vs base', 'Time'], rows),
      '',
      `Base model ${u.base_model.dir} (weights ${u.base_model.weights_sha256.slice(0, 12)}…), fine-tuned on ` +
        `${u.corpus.package} ${u.corpus.version} (${u.corpus.train_records.toLocaleString('en')} mails for training, ` +
        `${u.corpus.validation_records} held out), each mail one record (record-level privacy, delta ${u.settings.delta}): ` +
        `${u.settings.fine_tuning}, Adam at ${u.settings.learning_rate}, ${u.settings.steps} steps of expected batch ` +
        `${u.settings.expected_batch_size}, clip norm ${u.settings.clip_norm}, noise calibrated with the RDP accountant. ` +
        'Not part of the default `npm run bench` (it takes tens of minutes): run `npm run bench -- utility`.',
    ].join('\n'),
    json: u,
  };
}

async function leakageSection(): Promise<SectionResult> {
  const u = await benchmarkLeakage({ log: (line) => process.stderr.write(`${line}\n`) });
  const { plan } = u.canaries;
  const ft = u.settings.fine_tuning;
  const fineTuning = ft.method === 'full' ? 'Full fine-tuning' : `LoRA rank ${ft.rank}, alpha ${ft.alpha}`;
  const rows = u.rows.map((row) => [
    row.setting,
    row.validation_perplexity.toFixed(3),
    `${row.exposure_included.toFixed(2)} (max ${row.exposure_included_max.toFixed(2)})`,
    row.exposure_excluded.toFixed(2),
    row.auc.toFixed(3),
    row.tpr_at_1pct_fpr.toFixed(3),
    `${row.one_run.epsilon_lower_bound.toFixed(2)} (${row.one_run.correct}/${row.one_run.guesses})`,
    row.epsilon === null ? '-' : row.epsilon.toFixed(3),
    row.canary_guarantee === null
      ? '-'
      : row.canary_guarantee.delta >= 1
        ? 'none (delta 1)'
        : `${row.canary_guarantee.epsilon.toFixed(2)} at delta ${row.canary_guarantee.delta.toPrecision(2)}`,
    row.greedy_completion_is_canary ? 'yes' : 'no',
    `${Math.round(row.seconds)} s`,
  ]);
  return {
    title: 'Leakage: what the tests find with and without DP (scripts/leakage-bench.ts)',
    body: [
      table(
        [
          'Setting',
          'Validation perplexity',
          'Exposure, inserted canaries: mean (max), bits',
          'Exposure, canaries not inserted: mean',
          'Membership AUC',
          'TPR at 1% FPR',
          `Epsilon lower bound, ${plan.confidence * 100}% (correct/guesses)`,
          'Accountant epsilon (per record)',
          `Guarantee for one canary (${plan.repeats} records)`,
          'Greedy completion is an inserted canary',
          'Time',
        ],
        rows,
      ),
      '',
      `Base model ${u.base_model.dir} (weights ${u.base_model.weights_sha256.slice(0, 12)}…) fine-tuned on ` +
        `${u.corpus.members} mails of ${u.corpus.package} ${u.corpus.version} (the members) plus canaries: ${plan.m} ` +
        `drawn from "${plan.space}" (exposure at most log2|R| = ${u.canaries.log2_space.toFixed(2)} bits), each ` +
        `inserted with probability 1/2 (${u.canaries.included} were) and repeated ${plan.repeats} times. ` +
        `${fineTuning}, Adam at ${u.settings.learning_rate}, ${u.settings.steps} steps of expected batch ` +
        `${u.settings.expected_batch_size}, record-level DP with clip norm ${u.settings.clip_norm}, delta ` +
        `${u.settings.delta}, noise calibrated with the RDP accountant. Every model is scored by \`scoreTexts\` ` +
        '(trainer/eval/score.ts, as `npm run trainer -- score`): exposure is extrapolated from a skew-normal fitted to ' +
        `the losses of ${u.canaries.reference_sample.toLocaleString('en')} random members of the space, the same ` +
        'sample for every model (chance: about 1.44 bits); membership inference thresholds the loss of the ' +
        `members against ${u.corpus.held_out} held-out mails, which also give the validation perplexity (TPR at 0.1% ` +
        'FPR needs 1,000 held-out records and is not resolved here); the one-run audit (Steinke, Nasr & Jagielski ' +
        `2023) guesses "inserted" for the ${plan.k_plus} lowest canary losses and "not inserted" for the ` +
        `${plan.k_minus} highest, fixed before training, at delta ${u.settings.delta}. A canary is ${plan.repeats} ` +
        'records, so under record-level DP its guarantee is group privacy (trainer/privacy groupPrivacy), which is ' +
        'what the lower bound is to be compared with. The last column: greedy decoding (trainer/eval/generate.ts) of the ' +
        "canaries' common prefix. Not part of the default `npm run bench` (about 11 minutes on 2 cores): run " +
        '`npm run bench -- leakage`.',
    ].join('\n'),
    json: u,
  };
}

async function evidenceSection(): Promise<SectionResult> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-evidence-'));
  try {
    const { noDp, dp } = await leakageEvidence(work);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const row = (name: string, f: EvidenceFigures) => [
      name,
      f.epsilon === null ? '-' : f.epsilon.toFixed(3),
      `${mean(f.exposures).toFixed(1)} (min ${Math.min(...f.exposures).toFixed(1)})`,
      f.referenceAtOrBelow.join(', '),
      f.auc.toFixed(3),
      `${f.audit.epsilon_lower_bound.toFixed(2)} (${f.audit.correct}/${f.audit.guesses})`,
    ];
    return {
      title: 'Evidence that the leakage tests can fail (scripts/leakage-evidence.ts)',
      body: [
        table(
          ['Training', 'Accountant epsilon', 'Exposure of inserted canaries, bits: mean (min)', 'Reference candidates scoring at or below each', 'Membership AUC', 'One-run epsilon lower bound (correct/guesses)'],
          [row('no DP', noDp), row('DP, epsilon 1 (a canary one subject)', dp)],
        ),
        '',
        `A tiny model (byte-level, context 24) fine-tuned for 150 steps on 12 records and 8 canaries from "${EVIDENCE_SPACE.template}" ` +
          `(log2|R| = ${EVIDENCE_SPACE.log2Size.toFixed(1)} bits), every other one inserted ${EVIDENCE_REPEATS} times; exposure ` +
          `extrapolated from ${EVIDENCE_REFERENCE.toLocaleString('en')} random members of the space; membership inference on the 12 ` +
          'records against 12 similar ones never trained on; the one-run audit guesses 3 + 3. Without DP the tests find the ' +
          'leak; with DP they find chance. scripts/leakage-evidence.test.ts asserts the same in every test run.',
      ].join('\n'),
      json: { no_dp: noDp, dp },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function loadSection(): Promise<SectionResult> {
  const r = await benchmarkLoad(LOAD_SETTINGS);
  const rows = [...r.operations, { ...r, op: 'all' }].map((o) => [
    o.op,
    o.requests.toLocaleString('en'),
    o.throughput_rps.toFixed(1),
    formatMs(o.p50_ms),
    formatMs(o.p99_ms),
    String(o.refused),
    String(o.errors),
  ]);
  const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO');
  const checks = [
    ['Launches accepted / refused as over budget / cancelled', `${r.launches_accepted} / ${r.launches_refused} / ${r.cancels}`],
    ['Budget', `epsilon ${r.budget_epsilon.toFixed(4)} at delta ${r.budget_delta.toExponential()}: room for ${r.runs_that_fit} of the runs at once`],
    ['Most reserved at once (launches and cancels replayed in audit order)', `epsilon ${r.peak_reserved_epsilon.toFixed(4)}, ${r.peak_active_runs} runs`],
    ['Spent and reserved after the load (lineageSpend)', `epsilon ${r.final_epsilon.toFixed(4)}`],
    ['Within budget throughout', yesNo(!r.overspent)],
    ['Runs in the database match the accepted launches and cancels', `${yesNo(r.launches_accounted)} (${r.runs_recorded} runs)`],
    ['Audit chain verifies', `${yesNo(r.audit_chain_ok)} (${r.audit_entries.toLocaleString('en')} entries)`],
  ];
  if (r.overspent || !r.audit_chain_ok || !r.launches_accounted) {
    process.stderr.write('bench: the load section failed a check (budget, records or audit chain)\n');
    process.exitCode = 1;
  }
  const { engineer, privacy_officer: officers, auditor } = r.roles;
  return {
    title: 'API under load (scripts/load-bench.ts)',
    body: [
      table(['Operation', 'Requests', 'Throughput (req/s)', 'p50', 'p99', 'Refused (expected)', 'Errors'], rows),
      '',
      table(['Check', 'Result'], checks),
      '',
      `\`next start\` (production build, NODE_ENV=production) on a fresh database, driven over HTTP from the benchmark's ` +
        `process by ${r.clients} clients signed in through next-auth's credentials flow, each with its own account and ` +
        `cookie jar (${engineer} engineers, ${officers} privacy officers, ${auditor} auditors), sending requests with no ` +
        `pause for ${r.sending_s} s (the last answer came after ${r.duration_s.toFixed(1)} s; throughput is over that ` +
        `time; seed ${r.seed}). Engineers launch runs (15% of their requests) and cancel their own queued ones (35%, ` +
        'when they have one), and read dashboards like the others; refused launches (HTTP 409, over budget) are ' +
        'expected and counted apart from errors (5xx, network errors, anything else). The job runner is not started, ' +
        "so runs stay queued and keep their reservations until cancelled. The clients' sign-ins " +
        `before the load: p50 ${formatMs(r.sign_in.p50_ms)}, p99 ${formatMs(r.sign_in.p99_ms)}. The server composes ` +
        "the lineage's spend (RDP, `spendOf` in server/budgets/ledger.ts) synchronously for `budgets.overview` and " +
        'twice for `runs.launch`, and every other request waits behind that work on its one event loop: hence the ' +
        'similar latencies of all operations. Server and clients share the machine, and machine load from other ' +
        'processes shows up in these figures.' +
        (r.error_messages.length > 0 ? ` Errors: ${r.error_messages.join('; ')}.` : ''),
    ].join('\n'),
    json: r,
  };
}

function piiSection(): SectionResult {
  const records = parseGoldSet(readFileSync(EVALUATION_SET_PATH, 'utf8'));
  const evaluation = evaluateDetector(records);
  const chars = records.reduce((sum, record) => sum + record.text.length, 0);
  const scan = measure(10, () => records.forEach((record) => findEntities(record.text)));
  const rows = ENTITY_TYPES.map((type) => {
    const t = evaluation.byType[type];
    return [type, String(t.gold), String(t.found), String(t.correct), t.precision.toFixed(3), t.recall.toFixed(3), recallLowerBound(t.recall, t.gold).toFixed(3)];
  });
  return {
    title: 'PII detector (server/datasets/ingest/pii.ts)',
    body: [
      table(['Type', 'Gold spans', 'Found', 'Correct', 'Precision', 'Recall', 'Recall, 95% lower bound'], rows),
      '',
      `The upload's detector (\`findEntities\`) on its labelled evaluation set, ` +
        `\`server/datasets/ingest/pii-evaluation.jsonl\` (${evaluation.records} records: person names of many cultures in plain ` +
        'text, after cues and honorifics, in capitals and lower case, with e-mails, cards, SSNs, IP addresses, dates of birth, ' +
        'phones and decoys). A finding is correct only when its type, start and end equal a gold span. The lower bound is ' +
        `Wilson's 95% interval: a recall measured on this set, written by the detector's authors, is an optimistic figure for ` +
        `other data. Scanning the whole set (${chars.toLocaleString('en')} characters) takes ${formatMs(scan.ms)} ` +
        `(median of ${scan.runs}), ${((chars / (scan.ms / 1000)) / 1e6).toFixed(2)} M characters/s. ` +
        `Records where detector and labels differ: ${evaluation.mismatches.length}.`,
    ].join('\n'),
    json: { records: evaluation.records, chars, scan_ms: scan.ms, byType: evaluation.byType, mismatches: evaluation.mismatches.length },
  };
}

async function importSection(): Promise<SectionResult> {
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

async function startSection(): Promise<SectionResult> {
  const r = await benchmarkStart();
  return {
    title: 'Start: `npm start` to the first page (scripts/start-bench.ts)',
    body: [
      table(
        ['Start', 'Until /sign-in answers 200', 'next build ran', 'Load average (1 min)'],
        r.starts.map((s) => [s.start, `${s.seconds.toFixed(1)} s`, s.built ? 'yes' : 'no', s.load.toFixed(1)]),
      ),
      '',
      `A fresh \`git clone\` of ${r.commit} in a temporary directory; \`npm ci\` there first (npm's cache reused; it ` +
        `compiles better-sqlite3) took ${r.npm_ci_seconds.toFixed(0)} s and is not in the figures. Each start is \`npm start\` ` +
        'on a free port, timed until GET /sign-in answers 200, then stopped (SIGTERM to its process group). The first ' +
        'start migrates, seeds (the shipped base model, verified, instead of pretraining) and builds; a restart skips ' +
        'the build while the sources digest matches the stamp in .next. The machine may be shared: see the load.',
    ].join('\n'),
    json: r,
  };
}

const SECTIONS: Record<string, Section> = {
  privacy: privacySection,
  trainer: trainerSection,
  load: loadSection,
  evidence: evidenceSection,
  utility: utilitySection,
  leakage: leakageSection,
  pii: piiSection,
  import: importSection,
  start: startSection,
};
/** Sections that run only when named (they take long). */
const OPT_IN = new Set(['utility', 'leakage', 'start']);

function machine(): string {
  const cpus = os.cpus();
  const memory = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${memory} GiB memory, Node ${process.version} on ${os.platform()} ${os.arch()}`;
}

const startMarker = (name: string) => `<!-- bench:${name} -->`;
const endMarker = (name: string) => `<!-- /bench:${name} -->`;

function previousBlocks(): Map<string, string> {
  const blocks = new Map<string, string>();
  if (!existsSync(OUTPUT)) return blocks;
  const text = readFileSync(OUTPUT, 'utf8');
  for (const name of Object.keys(SECTIONS)) {
    const start = text.indexOf(startMarker(name));
    const end = text.indexOf(endMarker(name));
    if (start >= 0 && end > start) blocks.set(name, text.slice(start, end + endMarker(name).length));
  }
  return blocks;
}

/** `--backend NAME` and `--workers N` (the trainer section's), taken out of the arguments; the rest are sections. */
function parseFlags(args: readonly string[]): { sections: string[]; backend?: BackendChoice; workers?: number } {
  const out: { sections: string[]; backend?: BackendChoice; workers?: number } = { sections: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--backend') out.backend = backendChoiceSchema.parse(args[++i]);
    else if (arg === '--workers') {
      out.workers = Number(args[++i]);
      if (!Number.isSafeInteger(out.workers) || out.workers < 1) throw new Error(`--workers: expected a whole number >= 1, got ${args[i]}`);
    } else if (arg !== '--json') out.sections.push(arg);
  }
  return out;
}

const flags = parseFlags(process.argv.slice(2));

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const requested = flags.sections;
  const unknown = requested.filter((name) => !Object.hasOwn(SECTIONS, name));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown section ${unknown.join(', ')} (sections: ${Object.keys(SECTIONS).join(', ')})\n`);
    process.exitCode = 2;
    return;
  }
  const names = requested.length > 0 ? requested : Object.keys(SECTIONS).filter((name) => !OPT_IN.has(name));
  if (json) {
    console.log = console.error; // what sections log goes to stderr: stdout carries only the JSON
    const results: Record<string, unknown> = {};
    for (const name of names) results[name] = (await (SECTIONS[name] as Section)()).json ?? null;
    process.stdout.write(`${JSON.stringify(names.length === 1 ? results[names[0] as string] : results)}\n`);
    return;
  }
  const given = process.argv.slice(2).filter((arg) => arg !== '--json');
  const command = ['npm run bench', ...(given.length > 0 ? ['--', ...given] : [])].join(' ');
  const measuredBlocks = new Map<string, string>();
  for (const name of names) {
    const { title, body } = await (SECTIONS[name] as Section)();
    const measured = `Measured ${new Date().toISOString()} on ${machine()}; command \`${command}\`.`;
    process.stdout.write(`\n## ${title}\n\n${body}\n\n${measured}\n`);
    measuredBlocks.set(name, [startMarker(name), `## ${title}`, '', measured, '', body, endMarker(name)].join('\n'));
  }
  // Read the other sections only now, so that what a concurrent run wrote meanwhile is kept.
  const blocks = new Map([...previousBlocks(), ...measuredBlocks]);
  const document = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (scripts/bench.ts); do not edit by hand. Run one section with',
    '`npm run bench -- <section>`; each section records the machine, date and command it was measured with.',
    '',
    ...Object.keys(SECTIONS).flatMap((name) => (blocks.has(name) ? [blocks.get(name) as string, ''] : [])),
  ].join('\n');
  writeFileSync(OUTPUT, document);
  process.stdout.write(`\nwrote ${OUTPUT}\n`);
}

await main();
