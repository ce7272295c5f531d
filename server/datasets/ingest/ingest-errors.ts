// What a refused upload reports: its first errors in order, every error counted by kind, and the file's field names.
import type { IngestError } from "./parse";

/** One kind of error (its reason) with how many lines had it and the first few of them. */
export interface ErrorKind {
  reason: string;
  count: number;
  lines: number[];
}

/** Kinds and field names kept at most: an odd file cannot make the answer grow without bound. */
const MAX_KINDS = 20;
const MAX_FIELDS = 100;
const LINES_PER_KIND = 5;
const OTHER_KINDS = "other errors";

/**
 * Collects the first errors in order, up to the limit, and counts every error by kind; `stopped` once nothing more
 * is worth reading: after a fatal error (reading on would mean holding too much), never for counting's sake.
 */
export class ErrorList {
  readonly errors: IngestError[] = [];
  private readonly kinds = new Map<string, ErrorKind>();
  private fatal = false;
  private count = 0;
  constructor(private readonly limit: number) {}

  add(line: number, reason: string, fatal = false): void {
    this.count += 1;
    if (this.errors.length < this.limit) this.errors.push({ line, reason });
    const key = this.kinds.has(reason) || this.kinds.size < MAX_KINDS ? reason : OTHER_KINDS;
    const kind = this.kinds.get(key) ?? { reason: key, count: 0, lines: [] };
    kind.count += 1;
    if (kind.lines.length < LINES_PER_KIND) kind.lines.push(line);
    this.kinds.set(key, kind);
    this.fatal ||= fatal;
  }

  get any(): boolean {
    return this.count > 0;
  }

  get stopped(): boolean {
    return this.fatal;
  }

  grouped(): ErrorKind[] {
    return [...this.kinds.values()];
  }
}

/** The field names seen, in order of first appearance, up to MAX_FIELDS. */
export class FieldNames {
  private readonly names = new Set<string>();
  see(entries: Iterable<[string, unknown]>): void {
    for (const [name] of entries) if (this.names.size < MAX_FIELDS) this.names.add(name);
  }
  list(): string[] {
    return [...this.names];
  }
}

