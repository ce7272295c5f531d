// A model version's signed provenance export (verify it offline with `npm run verify -- FILE`).
import { contextOfRequest } from "@/server/context";
import { env } from "@/server/env";
import { noStore } from "@/server/http/no-store";
import { handleProvenanceDownload } from "@/server/provenance/export";

export async function GET(req: Request, { params }: { params: Promise<{ versionId: string }> }): Promise<Response> {
  const { versionId } = await params;
  return noStore(await handleProvenanceDownload(await contextOfRequest(req), versionId, env().DATA_DIR));
}
