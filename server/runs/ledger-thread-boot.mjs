// Starts the ledger thread (ledger-thread-worker.ts): registers tsx (the server runs from TypeScript source), then
// loads it.
import { register } from "tsx/esm/api";

register();
await import("./ledger-thread-worker.ts");
