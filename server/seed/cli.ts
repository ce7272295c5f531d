// `npm run db:seed`: migrates the configured database (DATABASE_URL, else DATABASE_PATH) when it is behind, seeds the
// demo users and the base model into it and DATA_DIR, and prints how to sign in. Each part skips what is done already,
// so a second run takes a moment.
import path from "node:path";
import { closeDatabase } from "../../db/client";
import { databaseTarget, openDatabase, redactUrl } from "../../db/open";
import { ROLE_LABELS } from "../auth/access";
import { DEFAULT_DATA_DIR } from "../env";
import { migrateEverything } from "../migrate";
import { DEMO_PASSWORD, DEMO_USERS, seedBaseModel, seedDemoUsers } from "./demo";
import { ShippedModelError } from "./shipped-base-model";

const target = databaseTarget();
const db = openDatabase(target);
try {
  await migrateEverything(db, target);
  await seedDemoUsers(db);
  await seedBaseModel(db, path.resolve(process.env.DATA_DIR || DEFAULT_DATA_DIR));
} catch (err) {
  await closeDatabase(db);
  if (!(err instanceof ShippedModelError)) throw err;
  console.error(err.message);
  process.exit(1); // nothing of the model was registered; the next start checks the files again
}
await closeDatabase(db);
console.log(`seeded ${target.kind === "sqlite" ? target.file : redactUrl(target.url)}. Demo sign-ins (password for all: ${DEMO_PASSWORD}):`);
for (const u of DEMO_USERS) console.log(`  ${ROLE_LABELS[u.role].padEnd(16)} ${u.email}`);
