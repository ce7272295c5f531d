// Types of scripts/embedded-postgres.mjs.
export interface EmbeddedPostgres {
  /** Over TCP, on 127.0.0.1. */
  url: string;
  /** Over the server's Unix socket. */
  socketUrl: string;
  port: number;
  stop(): Promise<void>;
}
export function startEmbeddedPostgres(options?: { maxConnections?: number }): Promise<EmbeddedPostgres>;
