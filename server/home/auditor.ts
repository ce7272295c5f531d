// An auditor's to-do list: the latest provenance exports (and the model versions whose provenance can be exported),
// the audit chain's status and recent incidents.
import { desc, eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { auditLog, incidents, modelFamilies, modelVersions } from "../../db/schema";
import { verifyChain } from "../audit/service";

export async function auditorTodo(db: Executor) {
  const exports = await db
    .select({ seq: auditLog.seq, at: auditLog.at, actorEmail: auditLog.actorEmail, entityId: auditLog.entityId })
    .from(auditLog)
    .where(eq(auditLog.action, "provenance.export"))
    .orderBy(desc(auditLog.seq))
    .limit(10);
  const exportable = (
    await db
      .select({ id: modelVersions.id, family: modelFamilies.name, version: modelVersions.version, status: modelVersions.status, createdAt: modelVersions.createdAt })
      .from(modelVersions)
      .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
      .where(eq(modelVersions.kind, "fine_tuned"))
      .orderBy(desc(modelVersions.createdAt))
      .limit(10)
  ).map(({ family, version, ...v }) => ({ ...v, label: `${family} v${version}` }));
  const recentIncidents = await db
    .select({ id: incidents.id, title: incidents.title, severity: incidents.severity, status: incidents.status, openedAt: incidents.openedAt })
    .from(incidents)
    .orderBy(desc(incidents.openedAt))
    .limit(10);
  return { role: "auditor" as const, exports, exportable, chain: await verifyChain(db), recentIncidents };
}
