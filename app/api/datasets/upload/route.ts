// Dataset uploads: a streamed request body (JSONL or CSV), too large for a JSON tRPC call.
import { contextOfRequest } from "@/server/context";
import { handleUpload } from "@/server/datasets/upload";
import { env } from "@/server/env";
import { noStore } from "@/server/http/no-store";

export async function POST(req: Request): Promise<Response> {
  const e = env();
  return noStore(await handleUpload(req, await contextOfRequest(req), { dataDir: e.DATA_DIR, maxBytes: e.MAX_UPLOAD_BYTES, publicUrl: e.NEXTAUTH_URL }));
}
