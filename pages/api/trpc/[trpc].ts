// The tRPC endpoint: every dashboard request to the server comes here. It is a Node API route, not an App Router
// route handler: Next serves those with less work a request (no web streams between Node and the handler), about a
// quarter more requests a second under load (BENCHMARKS.md, "load"). The handling itself is server/http/trpc-endpoint.ts.
import type { NextApiRequest, NextApiResponse } from "next";
import { contextOfRequest } from "@/server/context";
import { env } from "@/server/env";
import { requestFromNode, sendResponse } from "@/server/http/node-bridge";
import { handleTrpc } from "@/server/http/trpc-endpoint";

// The body is read (under its bound) by handleTrpc, and answers may be large: Next neither parses nor limits them.
export const config = { api: { bodyParser: false, responseLimit: false, externalResolver: true } };

export default async function handler(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  const e = env();
  const answer = await handleTrpc(requestFromNode(req, res), { publicUrl: e.NEXTAUTH_URL, maxBodyBytes: e.MAX_API_BODY_BYTES, createContext: contextOfRequest });
  await sendResponse(res, answer);
}
