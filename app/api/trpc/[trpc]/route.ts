// The tRPC endpoint: every dashboard request to the server goes through here.
import { createRequestContext } from "@/server/context";
import { env } from "@/server/env";
import { handleTrpc } from "@/server/http/trpc-endpoint";

function handler(req: Request): Promise<Response> {
  const e = env();
  return handleTrpc(req, { publicUrl: e.NEXTAUTH_URL, maxBodyBytes: e.MAX_API_BODY_BYTES, createContext: createRequestContext });
}

export { handler as GET, handler as POST };
