// Each dataset lineage's composed RDP curve, kept up to date in the transaction of every charge (server/budgets/lineage-curve.ts), and what each run contributes to it.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { datasets } from "./datasets";
import { runs } from "./runs";

/**
 * The lineage's ledger composed by the RDP accountant at its orders: JSON curves (one sum per order, with a count of
 * infinite contributions per order), `reserved` as the budget checks count (active runs at their reservation, ended
 * runs at their charged steps, count releases) and `charged` (charges only). A curve is derived data: the runs' and
 * the count releases' events are the ledger, and `npm run audit:verify` recomputes every curve from them.
 */
export const lineageCurves = sqliteTable("lineage_curves", {
  datasetId: text("dataset_id").primaryKey().references(() => datasets.id),
  /** sha256 of the orders the curves are at: another grid (or "" before the first build) makes the code rebuild them. */
  ordersDigest: text("orders_digest").notNull(),
  reserved: text("reserved").notNull(),
  charged: text("charged").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** The steps each run is counted with in its lineage's curves now: an update applies only the difference. */
export const ledgerRunContributions = sqliteTable(
  "ledger_run_contributions",
  {
    runId: text("run_id").primaryKey().references(() => runs.id),
    datasetId: text("dataset_id").notNull().references(() => datasets.id),
    /** Steps in the reserved curve: reservedSteps(run) while it is active, else its charged steps. */
    reservedSteps: integer("reserved_steps").notNull(),
    /** Steps in the charged curve. */
    chargedSteps: integer("charged_steps").notNull(),
  },
  (t) => [index("ledger_run_contributions_dataset_idx").on(t.datasetId)],
);
