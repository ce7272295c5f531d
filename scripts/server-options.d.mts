// Types of scripts/server-options.mjs.
export const SERVER_NODE_OPTIONS: string;
export function serverNodeOptions(existing?: string): string;
