// A party process enrols with its one-time token and its new Ed25519 public key.
import { serverDb } from "@/server/db";
import { handleEnrol } from "@/server/federation/http";
import { noStore } from "@/server/http/no-store";

export async function POST(req: Request): Promise<Response> {
  return noStore(await handleEnrol(req, serverDb()));
}
