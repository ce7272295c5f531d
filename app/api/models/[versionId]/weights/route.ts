// Model weights download (safetensors), streamed.
import { createRequestContext } from "@/server/context";
import { env } from "@/server/env";
import { noStore } from "@/server/http/no-store";
import { handleWeightsDownload } from "@/server/models/download";

export async function GET(_req: Request, { params }: { params: Promise<{ versionId: string }> }): Promise<Response> {
  const { versionId } = await params;
  return noStore(await handleWeightsDownload(await createRequestContext(), versionId, env().DATA_DIR));
}
