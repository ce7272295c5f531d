// Benchmarks: `npm run bench` runs every section except the opt-in ones (or `npm run bench -- <name> ...` only the
// named ones), prints each section's table and rewrites BENCHMARKS.md, keeping the sections that were not run this
// time. With --json it prints only the sections' JSON (one object for one section) and writes nothing. A section is
// a function returning a titled markdown table; add one by adding an entry to SECTIONS.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { backendChoiceSchema, type BackendChoice } from '../trainer/contract/protocol.js';
import type { Section } from './bench-format.js';
import { importSection, privacySection, trainerSection, utilitySection } from './bench-trainer-sections.js';
import { evidenceSection, leakageSection, loadSection, piiSection, startSection } from './bench-server-sections.js';
import { LOAD_FLAGS } from './load-flags.js';

const OUTPUT = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

const SECTIONS: Record<string, Section> = {
  privacy: privacySection,
  trainer: () => trainerSection(flags),
  load: () => loadSection(),
  'load-postgres': () => loadSection('postgres'),
  'load-postgres-tcp': () => loadSection('postgres', 'tcp'),
  evidence: evidenceSection,
  utility: utilitySection,
  leakage: leakageSection,
  pii: piiSection,
  import: importSection,
  start: startSection,
};
/** Sections that run only when named (they take long). */
const OPT_IN = new Set(['utility', 'leakage', 'start', 'load-postgres-tcp']);

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
    } else if ((LOAD_FLAGS as readonly string[]).includes(arg)) i++; // the load section's (scripts/load-flags.ts)
    else if (arg !== '--json') out.sections.push(arg);
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
