// A party process's signed messages to the coordinator.
import { serverDb } from "@/server/db";
import { handleMessage } from "@/server/federation/http";
import { noStore } from "@/server/http/no-store";

export async function POST(req: Request): Promise<Response> {
  return noStore(await handleMessage(req, serverDb()));
}
