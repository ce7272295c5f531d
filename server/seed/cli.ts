// `npm run db:seed`: migrates DATABASE_PATH when it is behind, seeds the demo users and the base model into it and
// DATA_DIR, and prints how to sign in. Each part skips what is done already, so a second run takes a moment.
import path from "node:path";
import { DEFAULT_DATABASE_PATH, migrateDatabase, openDatabase } from "../../db/client";
import { ROLE_LABELS } from "../auth/access";
import { DEFAULT_DATA_DIR } from "../env";
import { DEMO_PASSWORD, DEMO_USERS, seedBaseModel, seedDemoUsers } from "./demo";
import { ShippedModelError } from "./shipped-base-model";

const file = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
const db = openDatabase(file);
migrateDatabase(db);
try {
  await seedDemoUsers(db);
  await seedBaseModel(db, path.resolve(process.env.DATA_DIR || DEFAULT_DATA_DIR));
} catch (err) {
  if (!(err instanceof ShippedModelError)) throw err;
  console.error(err.message);
  process.exit(1); // nothing of the model was registered; the next start checks the files again
}
db.$client.close();
console.log(`seeded ${file}. Demo sign-ins (password for all: ${DEMO_PASSWORD}):`);
for (const u of DEMO_USERS) console.log(`  ${ROLE_LABELS[u.role].padEnd(16)} ${u.email}`);
