// Test fixture for storage-faults.test.ts: one upload through the real handler, in a process whose file-size limit
// (ulimit -f, set by the test) runs out mid-write as a full disk would; prints the response as JSON.
import { closeDatabase } from "../../db/client";
import { openSqlite } from "../../db/sqlite";
import { activeSessionUser } from "../context";
import { handleUpload } from "./upload";

const [file, dataDir, userId] = process.argv.slice(2);
const db = openSqlite(file!);
const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ text: `ticket ${i}: ${"the printer is on fire again ".repeat(3)}` }));
const res = await handleUpload(
  new Request("http://localhost/api/datasets/upload?name=too-big-for-the-disk&format=jsonl&textField=text", {
    method: "POST",
    headers: { "x-epsilon-upload": "1" },
    body: lines.join("\n"),
  }),
  { db, user: await activeSessionUser(db, userId!) },
  { dataDir: dataDir!, maxBytes: 100e6, publicUrl: "http://localhost" },
);
console.log(JSON.stringify({ status: res.status, body: await res.json() }));
await closeDatabase(db);
