// Types of scripts/embedded-postgres.mjs.
export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}
export function startEmbeddedPostgres(options?: { maxConnections?: number }): Promise<EmbeddedPostgres>;
