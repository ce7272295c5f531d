// tRPC procedures to read and verify the audit log (auditors and admins).
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { env } from "../env";
import { consistency, signedTreeHead } from "../provenance/audit-tree";
import { hexHashSchema as hexHash, signedTreeHeadSchema } from "../provenance/dsse";
import { signingKey } from "../provenance/keys";
import { listAudit, verifyChain } from "./service";

const reader = allowedTo("readAudit");
const filterText = z.string().trim().max(200).optional();

// The answers other programs read: the chain check (as `npm run audit:verify -- --json` prints it), the signed tree
// head with its key, and consistency proofs.
const chainReport = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), entries: z.number().int(), head: hexHash }),
  z.object({ ok: z.literal(false), entries: z.number().int(), brokenAt: z.number().int(), reason: z.string() }),
]);
const treeHeadOutput = z.object({ head: signedTreeHeadSchema, publicKeyPem: z.string(), keyId: z.string() });
const consistencyOutput = z.object({
  from: z.number().int(),
  to: z.number().int(),
  fromRoot: hexHash,
  toRoot: hexHash,
  proof: z.array(hexHash),
  verified: z.boolean(),
});

export const auditRouter = router({
  list: reader
    .input(
      z.object({
        action: filterText,
        actorEmail: filterText,
        entityType: filterText,
        entityId: filterText,
        page: z.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.number().int().min(1).max(200).default(25),
      }),
    )
    .query(({ ctx, input }) => listAudit(ctx.db, input, input.page, input.pageSize)),
  verify: reader.output(chainReport).query(({ ctx }) => verifyChain(ctx.db)),
  /** The log as a Merkle tree: its signed head now, and the key that signed it. */
  treeHead: reader.output(treeHeadOutput).query(({ ctx }) => {
    const key = signingKey(env().DATA_DIR);
    return { head: signedTreeHead(ctx.db, key), publicKeyPem: key.publicKeyPem, keyId: key.keyId };
  }),
  consistency: reader
    .input(z.object({ from: z.number().int().min(1), to: z.number().int().min(1) }))
    .output(consistencyOutput)
    .query(({ ctx, input }) => consistency(ctx.db, input.from, input.to)),
});
