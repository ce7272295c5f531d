// Download of an approved synthetic dataset version's records (JSONL), streamed.
import { contextOfRequest } from "@/server/context";
import { env } from "@/server/env";
import { noStore } from "@/server/http/no-store";
import { handleSyntheticDownload } from "@/server/synthetic/download";

export async function GET(req: Request, { params }: { params: Promise<{ versionId: string }> }): Promise<Response> {
  const { versionId } = await params;
  return noStore(await handleSyntheticDownload(await contextOfRequest(req), versionId, env().DATA_DIR));
}
