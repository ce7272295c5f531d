// The federation's lineage and its versions: one dataset (made with the first party) whose people are every party's,
// whose privacy unit is a party (or a person, when its parties clip per person), and whose versions are snapshots of the enrolled parties' declarations (name, key,
// stated units), never records. A federated run trains on one such version: the model's lineage names every party's
// declaration, and the lineage's budget and ledger are those of any dataset.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { asc, desc, eq } from "drizzle-orm";
import { first, type Db, type Executor, type Tx } from "../../db/client";
import { datasetVersions, datasets, federationDeclarations, federationParties, type FederationParty } from "../../db/schema";
import type { UserActor } from "../actor";
import { audited } from "../audit/service";
import { createPiiScanner } from "../datasets/ingest/pii-report";
import { insertVersion } from "../datasets/service";
import { AppError } from "../errors";

/** The fewest parties a federated run may train on: with two, each would learn the other's update from the sum. */
export const MIN_COHORT = 3;

const LINEAGE_NAME = "Federated parties";

/** The SHA-256 of a party's enrolment key (raw, base64), hex. */
export const keyDigest = (publicKey: string) => createHash("sha256").update(Buffer.from(publicKey, "base64")).digest("hex");

/** The federation's lineage, or undefined before the first party was registered. */
export function federationLineage(db: Executor) {
  return first(db.select().from(datasets).where(eq(datasets.federation, true)));
}

/** The federation's lineage, made on first use (by the first registration) in the caller's transaction. */
export async function ensureFederationLineage(tx: Tx, createdBy: string): Promise<string> {
  const existing = await federationLineage(tx);
  if (existing) return existing.id;
  const id = randomUUID();
  const taken = await first(tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, LINEAGE_NAME)));
  const name = taken ? `${LINEAGE_NAME} (${id.slice(0, 8)})` : LINEAGE_NAME;
  const description = "Cross-institution training: every party's people. Its versions are the parties' declarations; its unit is a party, or a person when parties clip per person.";
  await tx.insert(datasets).values({ id, name, description, createdBy, federation: true });
  return id;
}

/** One party's declaration as a version of the federation's lineage holds it (one JSON line). */
function declaration(p: FederationParty) {
  return {
    text: `${p.name} states ${p.statedUnits ?? 0} units`,
    party: p.id,
    name: p.name,
    stated_units: p.statedUnits ?? 0,
    public_key_sha256: keyDigest(p.publicKey!),
    enrolled_at: p.enrolledAt,
  };
}

/** The declarations a version of the federation's lineage holds, by party name. */
export function declarationsOf(db: Executor, versionId: string) {
  return db.select().from(federationDeclarations).where(eq(federationDeclarations.datasetVersionId, versionId)).orderBy(asc(federationDeclarations.name));
}

/**
 * Records the enrolled parties' declarations as a new version of the federation's lineage (audited), or answers the
 * latest version when nothing changed since. Refused below MIN_COHORT enrolled parties.
 */
export async function recordDeclarations(db: Db, actor: UserActor, dataDir: string): Promise<{ versionId: string; version: number; parties: number; created: boolean }> {
  const lineage = await federationLineage(db);
  if (!lineage) throw new AppError("CONFLICT", "No party is registered yet: register and enrol parties first.");
  const parties = await db.select().from(federationParties).where(eq(federationParties.status, "enrolled")).orderBy(asc(federationParties.id));
  if (parties.length < MIN_COHORT) {
    throw new AppError("CONFLICT", `${parties.length} ${parties.length === 1 ? "party is" : "parties are"} enrolled; a federated run needs at least ${MIN_COHORT}, so that no party can learn another's update from the sum.`);
  }
  const content = `${parties.map((p) => JSON.stringify(declaration(p))).join("\n")}\n`;
  const contentDigest = createHash("sha256").update(content).digest("hex");
  const latest = await first(db.select().from(datasetVersions).where(eq(datasetVersions.datasetId, lineage.id)).orderBy(desc(datasetVersions.version)).limit(1));
  if (latest?.contentDigest === contentDigest) return { versionId: latest.id, version: latest.version, parties: latest.recordCount, created: false };

  const versionId = randomUUID();
  const storagePath = path.join("datasets", `${versionId}.jsonl`);
  const file = path.join(dataDir, storagePath);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  const input = { contentDigest, parties: parties.map((p) => p.id) };
  try {
    return await audited(db, { actor, action: "federation.declarations", entityType: "dataset_version", entityId: versionId, input }, async (tx) => {
      const version = await insertVersion(
        tx,
        lineage.id,
        null,
        {
          format: "jsonl",
          textField: "text",
          subjectField: "party",
          storagePath,
          sourceDigest: contentDigest,
          contentDigest,
          bytes: Buffer.byteLength(content),
          // One record per party; the people are those the parties state (a person-level run samples from them).
          recordCount: parties.length,
          subjectCount: parties.reduce((n, p) => n + Math.max(1, p.statedUnits ?? 0), 0),
          maxRecordsPerSubject: 1,
          fields: ["name", "stated_units", "public_key_sha256", "enrolled_at"],
          piiReport: createPiiScanner().report(), // nothing to scan: a declaration holds no record
          minimisation: null,
        },
        actor.id,
        versionId,
      );
      await tx.insert(federationDeclarations).values(
        parties.map((p) => {
          const d = declaration(p);
          return { datasetVersionId: versionId, partyId: p.id, name: p.name, statedUnits: d.stated_units, publicKeySha256: d.public_key_sha256, enrolledAt: d.enrolled_at! };
        }),
      );
      return { versionId, version: version.version, parties: parties.length, created: true };
    });
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}
