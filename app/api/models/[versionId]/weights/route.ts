// Model weights download (safetensors), streamed.
import { contextOfRequest } from "@/server/context";
import { env } from "@/server/env";
import { noStore } from "@/server/http/no-store";
import { handleWeightsDownload } from "@/server/models/download";

export async function GET(req: Request, { params }: { params: Promise<{ versionId: string }> }): Promise<Response> {
  const { versionId } = await params;
  return noStore(await handleWeightsDownload(await contextOfRequest(req), versionId, env().DATA_DIR));
}
