// One signed-in client of the dashboard's API, for the load benchmark (scripts/load-bench.ts): its own cookie jar,
// next-auth's credentials sign-in, tRPC v11 queries and mutations (superjson envelopes) and the streaming dataset
// upload, each answer parsed with zod.
import http from "node:http";
import { z } from "zod";

/** A request that takes longer than this counts as an error (the server is stuck, not slow). */
const REQUEST_TIMEOUT_MS = 60_000;
const SESSION_COOKIE = "next-auth.session-token";

const csrfAnswer = z.object({ csrfToken: z.string().min(1) });
const signInAnswer = z.object({ url: z.string() });
const trpcSuccess = z.object({ result: z.object({ data: z.object({ json: z.unknown() }) }) });
const trpcFailure = z.object({
  error: z.object({ json: z.object({ message: z.string(), data: z.object({ code: z.string(), httpStatus: z.number() }) }) }),
});
const uploadAnswer = z.object({ datasetId: z.uuid(), versionId: z.uuid(), version: z.number() });

/** A tRPC answer: the procedure's data, or its error code (null when the body was not a tRPC error) and message. */
export type TrpcAnswer = { ok: true; status: number; data: unknown } | { ok: false; status: number; code: string | null; message: string };

/** An answer as the benchmark reads it: its status, its Set-Cookie lines and its whole body. */
interface HttpAnswer {
  status: number;
  ok: boolean;
  setCookies: string[];
  text: string;
}

/**
 * Connections kept open between requests, as a browser keeps them. node:http rather than fetch: the clients share the
 * benchmark's one process (and the machine) with the server, and fetch costs several times more CPU per request,
 * which would be measured as the server's latency.
 */
const agent = new http.Agent({ keepAlive: true });

export class ApiClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  private async send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (init.body !== undefined) headers["content-length"] = String(Buffer.byteLength(init.body));
    const answer = await new Promise<HttpAnswer>((resolve, reject) => {
      const req = http.request(new URL(path, this.baseUrl), { method: init.method ?? "GET", headers, agent, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const setCookie = res.headers["set-cookie"] ?? [];
          resolve({ status, ok: status >= 200 && status < 300, setCookies: setCookie, text: Buffer.concat(chunks).toString("utf8") });
        });
      });
      req.on("error", reject);
      req.end(init.body);
    });
    for (const line of answer.setCookies) {
      const pair = line.split(";", 1)[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (value === "" || /;\s*max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return answer;
  }

  /** Signs in through next-auth's credentials flow (CSRF token, then the callback); throws unless a session began. */
  async signIn(email: string, password: string): Promise<void> {
    const { csrfToken } = csrfAnswer.parse(JSON.parse((await this.send("/api/auth/csrf")).text));
    const response = await this.send("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, email, password, json: "true", callbackUrl: this.baseUrl }).toString(),
    });
    const { url } = signInAnswer.parse(JSON.parse(response.text));
    if (!response.ok || new URL(url, this.baseUrl).searchParams.has("error") || !this.cookies.has(SESSION_COOKIE)) {
      throw new Error(`sign-in of ${email} failed: HTTP ${response.status}, ${url}`);
    }
  }

  /** A tRPC query: GET /api/trpc/<path>?input=<superjson of input>. */
  query(path: string, input?: unknown): Promise<TrpcAnswer> {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    return this.trpc(this.send(`/api/trpc/${path}${query}`));
  }

  /** A tRPC mutation: a same-origin JSON POST, as the dashboard sends it. */
  mutate(path: string, input: unknown): Promise<TrpcAnswer> {
    return this.trpc(
      this.send(`/api/trpc/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: new URL(this.baseUrl).origin },
        body: JSON.stringify({ json: input }),
      }),
    );
  }

  private async trpc(sent: Promise<HttpAnswer>): Promise<TrpcAnswer> {
    const response = await sent;
    const { text } = response;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status: response.status, code: null, message: text.slice(0, 200) };
    }
    const success = trpcSuccess.safeParse(body);
    if (response.ok && success.success) return { ok: true, status: response.status, data: success.data.result.data.json };
    const failure = trpcFailure.safeParse(body);
    if (failure.success) return { ok: false, status: response.status, code: failure.data.error.json.data.code, message: failure.data.error.json.message };
    return { ok: false, status: response.status, code: null, message: text.slice(0, 200) };
  }

  /** Uploads a new dataset through the streaming route (POST /api/datasets/upload); throws unless it was created. */
  async uploadDataset(params: Record<string, string>, body: string): Promise<z.infer<typeof uploadAnswer>> {
    const response = await this.send(`/api/datasets/upload?${new URLSearchParams(params).toString()}`, {
      method: "POST",
      headers: { "x-epsilon-upload": "1", origin: new URL(this.baseUrl).origin, "content-type": "application/octet-stream" },
      body,
    });
    if (response.status !== 201) throw new Error(`upload failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
    return uploadAnswer.parse(JSON.parse(response.text));
  }
}
