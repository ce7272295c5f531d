// For PostgreSQL tests of what reaches a connection: the text of every statement node-postgres sends, in order, from
// `recordSentStatements()` until `stop()`.
import pg from "pg";

export function recordSentStatements(): { sent: string[]; stop(): void } {
  const original = pg.Client.prototype.query;
  const sent: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const query = args[0] as string | { text?: string };
    sent.push(typeof query === "string" ? query : (query.text ?? ""));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return {
    sent,
    stop: () => {
      pg.Client.prototype.query = original;
    },
  };
}
