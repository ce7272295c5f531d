// Starts a share worker thread: registers tsx (the trainer runs from TypeScript source), then loads the worker.
import { register } from "tsx/esm/api";

register();
await import("./share-worker.ts");
