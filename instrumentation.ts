// Runs once when the Next server starts. Its work needs Node (sockets, the environment check), so it lives in
// instrumentation-node.ts, imported only when NEXT_RUNTIME is "nodejs": Next replaces NEXT_RUNTIME while it compiles
// this file for each runtime, so the Edge compilation drops the whole branch and never sees a node: module.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { registerNode } = await import("./instrumentation-node");
    await registerNode();
  }
}
