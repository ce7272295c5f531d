// The secret hold-out key of a dataset lineage: made from node:crypto on first use, kept in lineage_secrets, used only
// by the job runner to split training from validation units, and never shown, exported or audited in the clear.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { first, transaction, type Executor } from "../../db/client";
import { lineageSecrets } from "../../db/schema";

/** The lineage's hold-out key as bytes, created (32 random bytes) if it has none yet. */
export function lineageHoldoutKey(db: Executor, datasetId: string): Promise<Buffer> {
  return transaction(db, async (tx) => {
    await tx.insert(lineageSecrets).values({ datasetId, holdoutKey: randomBytes(32).toString("hex") }).onConflictDoNothing();
    const row = (await first(tx.select({ key: lineageSecrets.holdoutKey }).from(lineageSecrets).where(eq(lineageSecrets.datasetId, datasetId))))!;
    return Buffer.from(row.key, "hex");
  });
}
