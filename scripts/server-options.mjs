// How the dashboard's Node process is run in production (`npm start`, the load benchmark, the container image): a
// larger young generation, so that the many short-lived objects of each request are collected in fewer, cheaper
// scavenges (BENCHMARKS.md, "load": about 15% more requests a second than Node's default).
export const SERVER_NODE_OPTIONS = "--max-semi-space-size=64";

/** NODE_OPTIONS for the server: the caller's own, then ours. */
export function serverNodeOptions(existing = process.env.NODE_OPTIONS) {
  return [existing, SERVER_NODE_OPTIONS].filter(Boolean).join(" ");
}
