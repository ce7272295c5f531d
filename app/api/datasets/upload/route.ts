// Dataset uploads: a streamed request body (JSONL or CSV), too large for a JSON tRPC call.
import { createRequestContext } from "@/server/context";
import { handleUpload } from "@/server/datasets/upload";
import { env } from "@/server/env";

export async function POST(req: Request): Promise<Response> {
  const e = env();
  return handleUpload(req, await createRequestContext(), { dataDir: e.DATA_DIR, maxBytes: e.MAX_UPLOAD_BYTES, publicUrl: e.NEXTAUTH_URL });
}
