// One signed-in client of the dashboard's API, for the load benchmark (scripts/load-bench.ts): its own cookie jar,
// next-auth's credentials sign-in, tRPC v11 queries and mutations (superjson envelopes) and the streaming dataset
// upload, each answer parsed with zod.
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

export class ApiClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  private async send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(new URL(path, this.baseUrl), {
      ...init,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";", 1)[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      if (value === "" || /;\s*max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Signs in through next-auth's credentials flow (CSRF token, then the callback); throws unless a session began. */
  async signIn(email: string, password: string): Promise<void> {
    const { csrfToken } = csrfAnswer.parse(await (await this.send("/api/auth/csrf")).json());
    const response = await this.send("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, email, password, json: "true", callbackUrl: this.baseUrl }).toString(),
    });
    const { url } = signInAnswer.parse(await response.json());
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

  private async trpc(sent: Promise<Response>): Promise<TrpcAnswer> {
    const response = await sent;
    const text = await response.text();
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
    if (response.status !== 201) throw new Error(`upload failed: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
    return uploadAnswer.parse(await response.json());
  }
}
