// GET /api/health: 200 {"ok":true} when this dashboard instance's database answers with this release's schema (or a
// newer release's, during a rolling upgrade), else 503 {"ok":false,"problem":…}: what a load balancer's health check
// and a container's HEALTHCHECK ask.
import { serverDb } from "@/server/db";
import { databaseProblem } from "@/server/http/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const problem = await databaseProblem(serverDb(), { running: true });
  const headers = { "cache-control": "no-store" };
  return problem === null ? Response.json({ ok: true }, { headers }) : Response.json({ ok: false, problem }, { status: 503, headers });
}
