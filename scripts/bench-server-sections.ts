// The benchmark sections that need the server: leakage, the evidence that leakage tests can fail, API load, the PII
// detector, and starting the product.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchmarkLeakage } from './leakage-bench.js';
import { EVIDENCE_REFERENCE, EVIDENCE_REPEATS, EVIDENCE_SPACE, leakageEvidence, type EvidenceFigures } from './leakage-evidence.js';
import { benchmarkLoad, type LoadSettings } from './load-bench.js';
import { loadSettingsFromArgs } from './load-flags.js';
import { benchmarkStart } from './start-bench.js';
import { ENTITY_TYPES, findEntities } from '../server/datasets/ingest/pii.js';
import { EVALUATION_SET_PATH, evaluateDetector, parseGoldSet } from '../server/datasets/ingest/pii-evaluation.js';
import { recallLowerBound } from '../server/datasets/ingest/pii-recall.js';
import { formatMs, measure, table, type SectionResult } from './bench-format.js';

export async function leakageSection(): Promise<SectionResult> {
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

export async function evidenceSection(): Promise<SectionResult> {
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

/** The API load benchmark on the engine the flags name (`--engine`, default SQLite), or on `engine` when given. */
export async function loadSection(engine?: LoadSettings["engine"], pgOver?: LoadSettings["pgOver"]): Promise<SectionResult> {
  const settings = loadSettingsFromArgs(process.argv.slice(2));
  const r = await benchmarkLoad({ ...settings, ...(engine && { engine }), ...(pgOver && { pgOver }) });
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
    title: `API under load on ${r.engine === 'postgres' ? `PostgreSQL${r.pg_over === 'tcp' ? ' over TCP' : ''}` : 'SQLite'} (scripts/load-bench.ts)`,
    body: [
      table(['Operation', 'Requests', 'Throughput (req/s)', 'p50', 'p99', 'Refused (expected)', 'Errors'], rows),
      '',
      table(['Check', 'Result'], checks),
      '',
      `${r.instances === 1 ? '`npm run serve`' : `${r.instances} \`npm run serve\` instances`} (production build, NODE_ENV=production, ` +
        `NODE_OPTIONS from scripts/server-options.mjs) on a fresh ${r.engine === 'postgres' ? `PostgreSQL database (a throwaway PostgreSQL 18 server on the same machine, reached ${r.pg_over === 'tcp' ? 'over TCP on 127.0.0.1' : 'through its Unix socket (`--pg-over tcp`: over TCP on 127.0.0.1)'})` : 'SQLite database'}, ` +
        `driven over HTTP (node:http, connections kept alive) from the benchmark's ` +
        `process by ${r.clients} clients signed in through next-auth's credentials flow, each with its own account and ` +
        `cookie jar (${engineer} engineers, ${officers} privacy officers, ${auditor} auditors), sending requests with no ` +
        `pause for ${r.sending_s} s after a warm-up of ${r.warmup_s} s under the same load, which the figures leave out ` +
        `(${r.warmup.requests.toLocaleString('en')} requests, p50 ${formatMs(r.warmup.p50_ms)}, p99 ${formatMs(r.warmup.p99_ms)}, ` +
        `${r.warmup.errors} errors) (the last answer came after ${r.duration_s.toFixed(1)} s; throughput is over that ` +
        `time; seed ${r.seed}). Engineers launch runs (15% of their requests) and cancel their own queued ones (35%, ` +
        'when they have one), and read dashboards like the others; refused launches (HTTP 409, over budget) are ' +
        'expected and counted apart from errors (5xx, network errors, anything else). The job runner is not started, ' +
        "so runs stay queued and keep their reservations until cancelled. The clients' sign-ins " +
        `before the load: p50 ${formatMs(r.sign_in.p50_ms)}, p99 ${formatMs(r.sign_in.p99_ms)}. A budget check reads ` +
        "the lineage's stored composed curves (server/budgets/lineage-curve.ts), whatever the number of runs, and so " +
        "does `budgets.overview` (its naive sum from the runs grouped alike); `runs.list` answers its first page of 50. tRPC is served beside " +
        'Next on the same server, not through it (server/http/dashboard-server.ts), the session read from its cookie; ' +
        'reads take turns, a few at once in arrival order (API_READS_AT_ONCE, default 8), and actions never wait for ' +
        'one. Every launch asks the one budget: the launches ' +
        "that pass the check made without a lock wait together and are admitted in one transaction under the budget's " +
        'lock (server/runs/launch-admission.ts); on PostgreSQL admissions and cancels run on the ledger thread ' +
        '(server/runs/ledger-thread.ts), with connections and an event loop of their own, and the API keeps ' +
        'DATABASE_POOL_MAX connections (default 15: a third in a pool of their own for transactions, the rest for ' +
        "reads), each statement a round trip that waits its turn on the server's one event loop. With no pause between requests, latency is the " +
        "server's queue: server, clients (and PostgreSQL) share the machine, and machine load from other processes shows " +
        'up in these figures.' +
        (r.error_messages.length > 0 ? ` Errors: ${r.error_messages.join('; ')}.` : ''),
    ].join('\n'),
    json: r,
  };
}

export function piiSection(): SectionResult {
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

export async function startSection(): Promise<SectionResult> {
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

