// `npm run db:seed`: seeds the demo data into DATABASE_PATH and prints how to sign in.
import { DEFAULT_DATABASE_PATH, openDatabase } from "../../db/client";
import { ROLE_LABELS } from "../auth/access";
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from "./demo";

const file = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
const db = openDatabase(file);
await seedDemo(db);
db.$client.close();
console.log(`seeded ${file}. Demo sign-ins (password for all: ${DEMO_PASSWORD}):`);
for (const u of DEMO_USERS) console.log(`  ${ROLE_LABELS[u.role].padEnd(16)} ${u.email}`);
