// The audit log for the filter in force, as CSV or JSON lines (server/audit/export.ts; README "Audit log").
import { ABILITIES } from "@/server/auth/access";
import { contextOfRequest } from "@/server/context";
import { noStore } from "@/server/http/no-store";
import { handleAuditExport } from "@/server/audit/export";

export async function GET(req: Request): Promise<Response> {
  return noStore(await handleAuditExport(req, await contextOfRequest(req), ABILITIES["api.audit.export"]));
}
