// `npm run db:migrate`: applies db/migrations to the database at DATABASE_PATH (default data/epsilon-ledger.db).
import { DEFAULT_DATABASE_PATH, migrateDatabase, openDatabase } from "./client";

const file = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH;
const db = openDatabase(file);
migrateDatabase(db);
db.$client.close();
console.log(`migrated ${file}`);
