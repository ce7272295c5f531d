// `npm run models -- register --dir MODEL_DIR --family NAME --by EMAIL [--json]`: registers a model directory (one
// `npm run trainer -- import` wrote from a Hugging Face checkpoint, say) as a new base model version, audited as the
// privacy officer or admin named by --by. Exit 0 registered (or registered already), 1 refused, 2 bad arguments.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { first, type Db } from "../../db/client";
import { modelFamilies, users } from "../../db/schema";
import { MAY, may } from "../auth/access";
import { AppError } from "../errors";
import { architectureOf } from "./service";
import { registerModelDirectory } from "./base-model";
import { sourceOf } from "./base-provenance";

const REGISTER_USAGE = `  npm run models -- register --dir MODEL_DIR --family NAME --by EMAIL [--json]
      Registers the model directory MODEL_DIR (config.json, weights.safetensors, provenance.json and, for GPT-2's
      BPE, vocab.json and merges.txt: what npm run trainer -- import writes) as a new version of the base model family
      NAME, copied into the data directory; EMAIL is the privacy officer or admin who registers it (the audit log
      names them). Prints, with --json, one JSON object {"model_version_id","family","version","created",
      "weights_sha256","parameters","tokenizer","source"} (registered already: its version, in the family it was
      registered in). Refused (exit 1, nothing registered) for another role, a
      disabled account, a directory the trainer could not run from, or a fine-tuned model.
`;

const argsSchema = z.strictObject({
  dir: z.string().min(1),
  family: z.string().trim().min(1).max(200),
  by: z.email(),
  json: z.boolean(),
});

export async function registerCommand(args: readonly string[], db: Db, dataDir: string, out: (line: string) => void, log: (line: string) => void): Promise<number> {
  const [command, ...rest] = args;
  if (command !== "register") return usage(log, command ? `unknown command ${command}` : "no command");
  const flags: Record<string, string | boolean> = { json: false };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (flag === "--json") flags.json = true;
    else if (["--dir", "--family", "--by"].includes(flag) && rest[i + 1] !== undefined) flags[flag.slice(2)] = rest[++i]!;
    else return usage(log, `unknown argument ${flag}`);
  }
  const parsed = argsSchema.safeParse(flags);
  if (!parsed.success) return usage(log, parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; "));
  const { dir, family, by, json } = parsed.data;
  try {
    const user = await first(db.select().from(users).where(eq(users.email, by.toLowerCase())));
    if (!user) throw new AppError("NOT_FOUND", `No user ${by}.`);
    if (user.disabled) throw new AppError("FORBIDDEN", `${by} is disabled.`);
    if (!may(user.role, MAY.registerModels)) throw new AppError("FORBIDDEN", `Only privacy officers and admins register base models; ${by} is a ${user.role}.`);
    const { version, created } = await registerModelDirectory(db, { id: user.id, email: user.email, role: user.role }, dataDir, dir, family);
    const architecture = architectureOf(version);
    // Registered already, the version keeps the family it was registered in.
    const registeredIn = (await first(db.select({ name: modelFamilies.name }).from(modelFamilies).where(eq(modelFamilies.id, version.familyId))))!.name;
    const result = {
      model_version_id: version.id,
      family: registeredIn,
      version: version.version,
      created,
      weights_sha256: version.weightsDigest,
      parameters: architecture.parameters,
      tokenizer: architecture.tokenizer,
      source: sourceOf(version),
    };
    out(json ? JSON.stringify(result) : `${created ? "registered" : "already registered:"} ${registeredIn} v${version.version} (${version.id}), ${architecture.parameters.toLocaleString("en")} parameters`);
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    log(`models register: ${err.message}`);
    return 1;
  }
}

function usage(log: (line: string) => void, problem: string): number {
  log(`models: ${problem}\nusage:\n${REGISTER_USAGE}`);
  return 2;
}
