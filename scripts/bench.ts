// Benchmarks: `npm run bench` runs every section (or `npm run bench -- <name> ...` only the named ones), prints
// each section's table and rewrites BENCHMARKS.md, keeping the sections that were not run this time. A section is
// a function returning a titled markdown table; add one (trainer, API load, ...) by adding an entry to SECTIONS.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { calibrateNoiseMultiplier, createAccountant, dpSgdEvent, type AccountantName } from '../trainer/privacy/index.js';

interface SectionResult {
  title: string;
  /** Markdown: a table, optionally followed by notes. */
  body: string;
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

const SECTIONS: Record<string, Section> = {
  privacy: privacySection,
};

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

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !Object.hasOwn(SECTIONS, name));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown section ${unknown.join(', ')} (sections: ${Object.keys(SECTIONS).join(', ')})\n`);
    process.exitCode = 2;
    return;
  }
  const names = requested.length > 0 ? requested : Object.keys(SECTIONS);
  const command = ['npm run bench', ...(requested.length > 0 ? ['--', ...requested] : [])].join(' ');
  const blocks = previousBlocks();
  for (const name of names) {
    const { title, body } = await (SECTIONS[name] as Section)();
    const measured = `Measured ${new Date().toISOString()} on ${machine()}; command \`${command}\`.`;
    process.stdout.write(`\n## ${title}\n\n${body}\n\n${measured}\n`);
    blocks.set(name, [startMarker(name), `## ${title}`, '', measured, '', body, endMarker(name)].join('\n'));
  }
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
