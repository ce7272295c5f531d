// `npm run db:seed`: seeds the demo users and the base model into DATABASE_PATH / DATA_DIR and prints how to sign in.
import path from "node:path";
import { DEFAULT_DATABASE_PATH, openDatabase } from "../../db/client";
import { ROLE_LABELS } from "../auth/access";
import { DEFAULT_DATA_DIR } from "../env";
import { DEMO_PASSWORD, DEMO_USERS, seedBaseModel, seedDemoUsers } from "./demo";

const file = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
const db = openDatabase(file);
await seedDemoUsers(db);
await seedBaseModel(db, path.resolve(process.env.DATA_DIR || DEFAULT_DATA_DIR));
db.$client.close();
console.log(`seeded ${file}. Demo sign-ins (password for all: ${DEMO_PASSWORD}):`);
for (const u of DEMO_USERS) console.log(`  ${ROLE_LABELS[u.role].padEnd(16)} ${u.email}`);
