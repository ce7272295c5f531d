// Environment variables, validated once at start; a bad value stops the server with a message naming the variable.
import { z } from "zod";
import { DEFAULT_DATABASE_PATH, DEFAULT_POOL_MAX } from "../db/open";
import { parseProxyRange } from "./auth/client-address";

/** Where dataset versions, model weights and run directories live unless DATA_DIR says otherwise. */
export const DEFAULT_DATA_DIR = "data";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `s3://bucket` or `s3://bucket/prefix` (an S3 bucket name: 3 to 63 of a-z 0-9 . -). */
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/;

/** Where model weights are kept (server/storage/model-store.ts): the data directory, or S3-compatible storage. */
const modelStoreFields = {
    /** Unset: model weights stay under DATA_DIR. `s3://bucket/prefix`: they are put in that S3 bucket (under prefix). */
    MODEL_STORE: z.string().regex(S3_URL, "must be an s3://bucket/prefix URL").optional(),
    /** An S3-compatible service's URL (e.g. http://minio.internal:9000); unset: AWS S3 in S3_REGION. */
    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().min(1).default("us-east-1"),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** `true`: endpoint/bucket/key URLs (default when S3_ENDPOINT is set); `false`: bucket.endpoint/key. */
    S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).optional(),
};

/** With MODEL_STORE=s3://…, the S3 keys are required. */
function checkModelStore(env: { MODEL_STORE?: string; S3_ACCESS_KEY_ID?: string; S3_SECRET_ACCESS_KEY?: string }, ctx: z.RefinementCtx): void {
  if (env.MODEL_STORE === undefined) return;
  for (const k of ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const) {
    if (env[k] === undefined) ctx.addIssue({ code: "custom", path: [k], message: "is required when MODEL_STORE is an s3:// URL" });
  }
}

/** What a job runner (`npm run worker`, on any host) reads: the database, the shared store, its capacity. */
const jobRunnerFields = {
    ...modelStoreFields,
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    /** SQLite database file (the embedded default; unused when DATABASE_URL is set). */
    DATABASE_PATH: z.string().min(1).default(DEFAULT_DATABASE_PATH),
    /** A postgres:// URL: the whole product then uses that PostgreSQL database instead of the SQLite file. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
      .optional(),
    /** With DATABASE_URL: connections each process keeps open to PostgreSQL at most (DEFAULT_POOL_MAX). */
    DATABASE_POOL_MAX: positiveInt(DEFAULT_POOL_MAX),
    /** Where dataset versions and model weights are stored. */
    DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
    /** Trainer processes the job runner runs at once; 0 on a host that must train nothing (a dashboard). */
    RUNNER_CONCURRENCY: z.coerce.number().int().nonnegative().default(1),
    /** Seconds a job runner's lease lasts without a heartbeat; after that another runner may take over its runs. */
    RUNNER_LEASE_SECONDS: positiveInt(30),
};

const envSchema = z
  .object({
    ...jobRunnerFields,
    /** Largest dataset upload accepted, in bytes (default 200 MB). */
    MAX_UPLOAD_BYTES: positiveInt(200 * 1024 * 1024),
    /** API reads (tRPC queries) a dashboard answers at once; more wait their turn in arrival order. Actions never wait. */
    API_READS_AT_ONCE: positiveInt(8),
    /** Largest tRPC request body accepted, in bytes (default 1 MB); larger ones are refused (413) unread. */
    MAX_API_BODY_BYTES: positiveInt(1024 * 1024),
    /** Public URL of the dashboard; next-auth uses it for callbacks and secure cookies (https => Secure). */
    NEXTAUTH_URL: z.url().default("http://localhost:3000"),
    /** Signs and encrypts session JWTs. `npm start` generates one into data/ when unset. */
    NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters"),
    /** Optional OpenID Connect provider: set all three to enable it. */
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_DISPLAY_NAME: z.string().min(1).default("Single sign-on"),
    /** Failed sign-ins allowed before an account, or an IP address, is slowed down. */
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5),
    SIGN_IN_MAX_FAILURES_PER_IP: positiveInt(20),
    /**
     * Reverse proxies whose X-Forwarded-For is believed: IP addresses or CIDR ranges, comma-separated (default none:
     * the socket's address is the client's).
     */
    TRUSTED_PROXIES: z
      .string()
      .default("")
      .transform((value, ctx) => {
        const entries = value.split(",").map((s) => s.trim()).filter(Boolean);
        for (const entry of entries) {
          if (!parseProxyRange(entry)) ctx.addIssue({ code: "custom", message: `"${entry}" is not an IP address or CIDR range` });
        }
        return entries;
      }),
  })
  .superRefine((env, ctx) => {
    checkModelStore(env, ctx);
    const oidc = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"] as const;
    const set = oidc.filter((k) => env[k] !== undefined);
    if (set.length > 0 && set.length < oidc.length) {
      for (const k of oidc.filter((k) => env[k] === undefined)) {
        ctx.addIssue({ code: "custom", path: [k], message: `is required when ${set.join(", ")} is set` });
      }
    }
  });

export type Env = z.infer<typeof envSchema>;
const workerEnvSchema = z.object(jobRunnerFields).superRefine(checkModelStore);
export type WorkerEnv = z.infer<typeof workerEnvSchema>;
const modelStoreSchema = z.object(modelStoreFields).superRefine(checkModelStore);
export type ModelStoreEnv = z.infer<typeof modelStoreSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses an environment; throws EnvError whose message names every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  return parseWith(envSchema, source);
}

/** The job runner's variables only (a worker host needs no web secrets). */
export function workerEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  return parseWith(workerEnvSchema, source);
}

/** The model store's variables only (server/storage/model-store.ts reads them where a data directory is handed in). */
export function modelStoreEnv(source: Record<string, string | undefined> = process.env): ModelStoreEnv {
  return parseWith(modelStoreSchema, source);
}

function parseWith<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(environment)"}: ${i.message}`);
  throw new EnvError(`Invalid environment variables:\n${lines.join("\n")}\nSee "Configuration" in README.md.`);
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

export function oidcEnabled(e: Env): e is Env & { OIDC_ISSUER: string; OIDC_CLIENT_ID: string; OIDC_CLIENT_SECRET: string } {
  return e.OIDC_ISSUER !== undefined && e.OIDC_CLIENT_ID !== undefined && e.OIDC_CLIENT_SECRET !== undefined;
}
