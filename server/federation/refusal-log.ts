// How refused party messages reach the audit log: an entry each (`federation.refused`), up to a number per party a
// window (senders that name no enrolled party count together, as "unknown"); past that, one entry when the window ends
// (`federation.refusals_suppressed`, its input the count of each reason) and a line on the server's log. A flood of
// forged or malformed messages then cannot grow the audit log, or hold its chain's lock, without bound; every refusal
// is still answered with its reason. The windows are this process's.
import { transaction, type Db } from "../../db/client";
import { appendAudit, type Actor } from "../audit/service";

const FEDERATION: Actor = { id: null, email: "federation", role: "system" };

export interface RefusalLogOptions {
  /** Refusals of one party written one by one in a window. */
  perWindow: number;
  windowMs: number;
  /** Where a window's summary is also written for operators (default: the server's stderr). */
  log?: (line: string) => void;
}

interface Window {
  startedAt: number;
  endsAt: number;
  logged: number;
  /** Refusals past `perWindow`, by reason. */
  suppressed: Map<string, number>;
  timer: NodeJS.Timeout | null;
}

export class RefusalLog {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: RefusalLogOptions) {}

  /** Writes (or counts) one refusal of a message from `partyId` (null: no enrolled party). */
  async record(db: Db, partyId: string | null, reason: string): Promise<void> {
    const key = partyId ?? "unknown";
    const now = Date.now();
    let window = this.windows.get(key);
    if (window && now >= window.endsAt) {
      await this.flush(db, key, window);
      window = undefined;
    }
    if (!window) {
      window = { startedAt: now, endsAt: now + this.options.windowMs, logged: 0, suppressed: new Map(), timer: null };
      this.windows.set(key, window);
    }
    if (window.logged < this.options.perWindow) {
      window.logged += 1;
      await write(db, "federation.refused", key, { reason });
      return;
    }
    window.suppressed.set(reason, (window.suppressed.get(reason) ?? 0) + 1);
    if (!window.timer) {
      const ending = window;
      ending.timer = setTimeout(() => {
        this.flush(db, key, ending).catch((err: Error) => this.say(`could not write the summary of refused messages from ${key}: ${err.message}`));
      }, ending.endsAt - now);
      ending.timer.unref();
    }
  }

  /** Ends `window`: its suppressed refusals, if any, as one entry. */
  private async flush(db: Db, key: string, window: Window): Promise<void> {
    if (window.timer) clearTimeout(window.timer);
    if (this.windows.get(key) === window) this.windows.delete(key);
    if (window.suppressed.size === 0) return;
    const byReason = Object.fromEntries(window.suppressed);
    window.suppressed = new Map();
    const count = Object.values(byReason).reduce((n, c) => n + c, 0);
    const span = { from: new Date(window.startedAt).toISOString(), until: new Date(window.endsAt).toISOString() };
    this.say(`${count} more messages from ${key} were refused from ${span.from} to ${span.until} than the audit log takes one by one: ${JSON.stringify(byReason)}`);
    await write(db, "federation.refusals_suppressed", key, { count, byReason, ...span });
  }

  private say(line: string): void {
    (this.options.log ?? ((l: string) => console.warn(`[federation] ${l}`)))(line);
  }
}

function write(db: Db, action: string, entityId: string, input: unknown): Promise<unknown> {
  return transaction(db, (tx) => appendAudit(tx, { actor: FEDERATION, action, entityType: "federation_party", entityId, input }));
}
